"""The one callback_data codec: every inline button's payload is encoded and parsed here.

A payload is ``<kind>[:<field>]...``: ASCII, at most 64 bytes (Telegram's limit, checked by every
encoder). The kind names the button; its prefix names the part of the bot that handles it.

Answers, /start and /themen::

    fb:+:<turn> / fb:-:<turn>     👍 / 👎 on the answer stored as conversation turn <turn>
    cs / cs:<turn>                "Beratung anfragen" (optionally after answer <turn>)
    ex:<n>                        example question n of /start
    tl:<gen>:<page>               /themen: page of the topic list
    td:<gen>:<topic>:<page>       /themen: page of the documents of a topic
    tv:<gen>:<topic>:<doc>        /themen: one document
    noop                          a label button (page counter)

Consultation and booking (``h``)::

    hi:<step>:<value>             intake choice
    hc:<a>:<case>                 advisor action on a case: c claim, a Rückfrage, o offer, x close
    hs:<case>:<slot>              the user books a slot for a case
    hp:<case>:<page>              page of offered slots
    hx:<booking>                  cancel a booking
    hm:<booking>:<page>           move a booking: page of free slots
    hn:<booking>:<slot>           move a booking to this slot
    hz:<slot>                     an advisor removes a free slot
    hd:y / hd:n                   /daten_loeschen confirmed or not

Editors (``ed:``)::

    ed:l:<page>                   /dokumente: a page of the list
    ed:t:<doc id>:<topic>         file an uploaded document under a topic
    ed:rm:<doc id>                confirm /entfernen
    ed:no                         cancel /entfernen

Förder-Finder (``fo:``)::

    fo:a:<a>                      /foerderung: applicant type a chosen
    fo:p:<a>:<p>                  purpose p chosen (after applicant a)
    fo:b:<a>:<p>:<b>              budget band b chosen: show the results
    fo:d:<programme id>           details of one programme
    fo:r:<programme id>           "Frist merken": remember the programme's next deadline
    fo:x:<reminder>               /fristen: forget a remembered deadline

Parsing is strict: anything that does not match a shape exactly (forged, truncated, from an older
bot version) yields ``None``, and the handler answers the button politely instead of raising.
Record ids (turns, cases, slots, bookings) must lie in the range of their database column (a
32-bit INTEGER): a forged id beyond it is a stale button, not an ``integer out of range`` error
from PostgreSQL.
What a payload refers to (a turn, a case, an index generation) is checked by the handler or the
services. ``route`` gives PTB's CallbackQueryHandler patterns; they look at the prefix only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.handoff.cases import CaseAction

MAX_BYTES = 64
MAX_ID = 2**31 - 1
"""Largest value of an INTEGER primary key (PostgreSQL and the SQLAlchemy ``Integer`` columns)."""
_NUM = r"(\d{1,12})"
_ID = r"(\d{1,10})"
_PAGE = r"(\d{1,4})"
_DOC = r"([0-9a-f]{8})"
_SHAPES: dict[str, re.Pattern[str]] = {
    kind: re.compile(shape)
    for kind, shape in {
        "fb": rf"fb:([+-]):{_ID}",
        "cs": rf"cs(?::{_ID})?",
        "ex": r"ex:(\d{1,2})",
        "tl": rf"tl:{_NUM}:{_PAGE}",
        "td": rf"td:{_NUM}:{_PAGE}:{_PAGE}",
        "tv": rf"tv:{_NUM}:{_PAGE}:{_PAGE}",
        "noop": r"noop",
        "hi": r"hi:([a-z_]{1,20}):([a-z-]{1,20})",
        "hc": rf"hc:([caox]):{_ID}",
        "hs": rf"hs:{_ID}:{_ID}",
        "hp": rf"hp:{_ID}:{_PAGE}",
        "hx": rf"hx:{_ID}",
        "hm": rf"hm:{_ID}:{_PAGE}",
        "hn": rf"hn:{_ID}:{_ID}",
        "hz": rf"hz:{_ID}",
        "hd": r"hd:([yn])",
        "ed:l": rf"ed:l:{_PAGE}",
        "ed:t": rf"ed:t:{_DOC}:([a-z0-9][a-z0-9-]{{1,39}})",
        "ed:rm": rf"ed:rm:{_DOC}",
        "ed:no": r"ed:no",
        "fo:a": r"fo:a:(\d)",
        "fo:p": r"fo:p:(\d):(\d{1,2})",
        "fo:b": r"fo:b:(\d):(\d{1,2}):(\d)",
        "fo:d": r"fo:d:([a-z0-9][a-z0-9-]{1,40})",
        "fo:r": r"fo:r:([a-z0-9][a-z0-9-]{1,40})",
        "fo:x": rf"fo:x:{_NUM}",
    }.items()
}
EDITOR_KINDS = ("ed:l", "ed:t", "ed:rm", "ed:no")
_WITHOUT_IDS = frozenset({"tl", "td", "tv"})
"""Kinds whose numbers are not record ids (index generations are compared in memory)."""

NOOP = "noop"
NOOP_ROUTE = rf"^{NOOP}$"

_ACTIONS = {
    "c": CaseAction.CLAIM,
    "a": CaseAction.ASK,
    "o": CaseAction.OFFER,
    "x": CaseAction.CLOSE,
}
_LETTERS = {action: letter for letter, action in _ACTIONS.items()}


@dataclass(frozen=True)
class Parsed:
    """A payload's kind and its fields (optional fields that are absent are left out)."""

    kind: str
    fields: tuple[str, ...]

    def number(self, n: int) -> int:
        return int(self.fields[n])


@dataclass(frozen=True)
class Rating:
    """👍 (+1) or 👎 (-1) on a stored turn."""

    turn_id: int
    value: int


@dataclass(frozen=True)
class TopicNav:
    """A position in the /themen browser; ``level`` is 'tl', 'td' or 'tv'."""

    level: str
    generation: int
    topic: int = 0
    index: int = 0  # page for 'tl' and 'td', document for 'tv'


def encode(kind: str, *fields: object) -> str:
    """``kind:field:...``; raises ValueError if it is longer than Telegram accepts."""
    if kind not in _SHAPES:
        raise ValueError(f"unknown callback kind {kind!r}")
    data = ":".join([kind, *(str(field) for field in fields)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback_data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def parse(data: str | None, *kinds: str) -> Parsed | None:
    """The payload if it has exactly the shape of one of ``kinds`` (of any kind if none given)."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    for kind in kinds or tuple(_SHAPES):
        match = _SHAPES[kind].fullmatch(data)
        if match is not None:
            fields = tuple(g for g in match.groups() if g is not None)
            if kind not in _WITHOUT_IDS and any(f.isdigit() and int(f) > MAX_ID for f in fields):
                return None
            return Parsed(kind, fields)
    return None


def kind_of(data: object) -> str | None:
    """The kind of a well-formed payload, None otherwise."""
    parsed = parse(data) if isinstance(data, str) else None
    return parsed.kind if parsed else None


def route(*prefixes: str, bare: bool = False) -> str:
    """CallbackQueryHandler pattern for payloads under ``prefixes`` (routing only).

    ``bare``: the prefix alone is a payload as well (``cs``). The handler still parses strictly,
    so a payload routed to it may be malformed.
    """
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
    return rf"^(?:{alternatives})(?::|$)" if bare else rf"^(?:{alternatives}):"


# Answers, /start and /themen
def feedback(turn_id: int, value: int) -> str:
    return encode("fb", "+" if value > 0 else "-", turn_id)


def consultation(turn_id: int | None = None) -> str:
    return encode("cs") if turn_id is None else encode("cs", turn_id)


def example(n: int) -> str:
    return encode("ex", n)


def topic_list(generation: int, page: int) -> str:
    return encode("tl", generation, page)


def topic_docs(generation: int, topic: int, page: int) -> str:
    return encode("td", generation, topic, page)


def topic_doc(generation: int, topic: int, doc: int) -> str:
    return encode("tv", generation, topic, doc)


def parse_rating(data: str | None) -> Rating | None:
    parsed = parse(data, "fb")
    if parsed is None:
        return None
    return Rating(turn_id=parsed.number(1), value=1 if parsed.fields[0] == "+" else -1)


def parse_consultation(data: str | None) -> tuple[bool, int | None]:
    """(valid, turn id or None)."""
    parsed = parse(data, "cs")
    if parsed is None:
        return False, None
    return True, parsed.number(0) if parsed.fields else None


def parse_example(data: str | None) -> int | None:
    parsed = parse(data, "ex")
    return parsed.number(0) if parsed else None


def parse_topic_nav(data: str | None) -> TopicNav | None:
    parsed = parse(data, "tl", "td", "tv")
    if parsed is None:
        return None
    numbers = [int(field) for field in parsed.fields]
    if parsed.kind == "tl":
        return TopicNav(parsed.kind, numbers[0], 0, numbers[1])
    return TopicNav(parsed.kind, numbers[0], numbers[1], numbers[2])


# Consultation and booking
def intake_choice(step: str, value: str) -> str:
    return encode("hi", step, value)


def case_action(action: CaseAction, case_id: int) -> str:
    return encode("hc", _LETTERS[action], case_id)


def action_of(parsed: Parsed) -> CaseAction:
    """The advisor's action of an ``hc`` payload."""
    return _ACTIONS[parsed.fields[0]]


def book(case_id: int, slot_id: int) -> str:
    return encode("hs", case_id, slot_id)


def offer_page(case_id: int, page: int) -> str:
    return encode("hp", case_id, page)


def cancel(booking_id: int) -> str:
    return encode("hx", booking_id)


def move_page(booking_id: int, page: int) -> str:
    return encode("hm", booking_id, page)


def move_to(booking_id: int, slot_id: int) -> str:
    return encode("hn", booking_id, slot_id)


def remove_slot(slot_id: int) -> str:
    return encode("hz", slot_id)


def delete_data(confirmed: bool) -> str:
    return encode("hd", "y" if confirmed else "n")


# Editors
def list_page(page: int) -> str:
    return encode("ed:l", page)


def topic_choice(doc_id: str, topic: str) -> str:
    return encode("ed:t", doc_id, topic)


def remove_confirm(doc_id: str) -> str:
    return encode("ed:rm", doc_id)


def remove_cancel() -> str:
    return encode("ed:no")


# Förder-Finder
def funding_step(kind: str, *choices: int) -> str:
    """``fo:a``, ``fo:p`` or ``fo:b`` with the choices made so far (indexes into fixed lists)."""
    return encode(kind, *choices)


def funding_details(programme_id: str) -> str:
    return encode("fo:d", programme_id)


def funding_remember(programme_id: str) -> str:
    return encode("fo:r", programme_id)


def funding_forget(reminder_id: int) -> str:
    return encode("fo:x", reminder_id)
