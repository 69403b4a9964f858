"""Compact callback_data for inline buttons: encoded here, parsed and validated here.

Every payload is ASCII and far below Telegram's 64-byte limit. Parsing is strict: anything that
does not match exactly (forged, truncated, from an older bot version) yields ``None``, and the
handlers answer such a button politely instead of raising. What a payload refers to (a turn, an
index generation) is checked against the database or the index by the handler.

    fb:+:<turn> / fb:-:<turn>        👍 / 👎 on the answer stored as conversation turn <turn>
    cs / cs:<turn>                   "Beratung anfragen" (optionally after answer <turn>)
    ex:<n>                           example question n of /start
    tl:<gen>:<page>                  /themen: page of the topic list
    td:<gen>:<topic>:<page>          /themen: page of the documents of a topic
    tv:<gen>:<topic>:<doc>           /themen: one document
    noop                             a label button (page counter)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
_NUM = r"(\d{1,12})"
_PATTERNS = {
    "fb": re.compile(rf"fb:([+-]):{_NUM}"),
    "cs": re.compile(rf"cs(?::{_NUM})?"),
    "ex": re.compile(r"ex:(\d{1,2})"),
    "tl": re.compile(rf"tl:{_NUM}:(\d{{1,4}})"),
    "td": re.compile(rf"td:{_NUM}:(\d{{1,4}}):(\d{{1,4}})"),
    "tv": re.compile(rf"tv:{_NUM}:(\d{{1,4}}):(\d{{1,4}})"),
}

NOOP = "noop"
# Prefix patterns for PTB's CallbackQueryHandler routing (full validation happens in parse_*).
FEEDBACK_PREFIX = r"^fb:"
CONSULT_PREFIX = r"^cs(:|$)"
EXAMPLE_PREFIX = r"^ex:"
TOPICS_PREFIX = r"^t[ldv]:"


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


def _checked(data: str) -> str:
    if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback_data must be 1-{MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def _match(kind: str, data: str | None) -> re.Match[str] | None:
    if not data or len(data) > MAX_CALLBACK_BYTES:
        return None
    return _PATTERNS[kind].fullmatch(data)


def feedback(turn_id: int, value: int) -> str:
    return _checked(f"fb:{'+' if value > 0 else '-'}:{turn_id}")


def consultation(turn_id: int | None = None) -> str:
    return _checked("cs" if turn_id is None else f"cs:{turn_id}")


def example(n: int) -> str:
    return _checked(f"ex:{n}")


def topic_list(generation: int, page: int) -> str:
    return _checked(f"tl:{generation}:{page}")


def topic_docs(generation: int, topic: int, page: int) -> str:
    return _checked(f"td:{generation}:{topic}:{page}")


def topic_doc(generation: int, topic: int, doc: int) -> str:
    return _checked(f"tv:{generation}:{topic}:{doc}")


def parse_rating(data: str | None) -> Rating | None:
    match = _match("fb", data)
    if match is None:
        return None
    return Rating(turn_id=int(match.group(2)), value=1 if match.group(1) == "+" else -1)


def parse_consultation(data: str | None) -> tuple[bool, int | None]:
    """(valid, turn id or None)."""
    match = _match("cs", data)
    if match is None:
        return False, None
    return True, int(match.group(1)) if match.group(1) else None


def parse_example(data: str | None) -> int | None:
    match = _match("ex", data)
    return int(match.group(1)) if match else None


def parse_topic_nav(data: str | None) -> TopicNav | None:
    for level in ("tl", "td", "tv"):
        match = _match(level, data)
        if match is None:
            continue
        numbers = [int(g) for g in match.groups()]
        if level == "tl":
            return TopicNav(level, numbers[0], 0, numbers[1])
        return TopicNav(level, numbers[0], numbers[1], numbers[2])
    return None
