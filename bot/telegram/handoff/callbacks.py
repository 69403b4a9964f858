"""callback_data of the consultation and booking buttons: encoded and strictly parsed here.

Every payload is ASCII and short. Parsing only checks the shape; who may do what with the ids
in it is decided by the services (a forged id gets a polite refusal).

    hi:<step>:<value>      intake choice
    hc:<a>:<case>          advisor action on a case: c claim, a Rückfrage, o offer, x close
    hs:<case>:<slot>       the user books a slot for a case
    hp:<case>:<page>       page of offered slots
    hx:<booking>           cancel a booking
    hm:<booking>:<page>    move a booking: page of free slots
    hn:<booking>:<slot>    move a booking to this slot
    hz:<slot>              an advisor removes a free slot
    hd:y / hd:n            /daten_loeschen confirmed or not
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.handoff.cases import CaseAction

PATTERN = r"^h[icspxmnzd]:"
_NUM = r"(\d{1,12})"
_SHAPES = {
    "hi": re.compile(r"hi:([a-z_]{1,20}):([a-z-]{1,20})"),
    "hc": re.compile(rf"hc:([caox]):{_NUM}"),
    "hs": re.compile(rf"hs:{_NUM}:{_NUM}"),
    "hp": re.compile(rf"hp:{_NUM}:(\d{{1,4}})"),
    "hx": re.compile(rf"hx:{_NUM}"),
    "hm": re.compile(rf"hm:{_NUM}:(\d{{1,4}})"),
    "hn": re.compile(rf"hn:{_NUM}:{_NUM}"),
    "hz": re.compile(rf"hz:{_NUM}"),
    "hd": re.compile(r"hd:([yn])"),
}
_ACTIONS = {
    "c": CaseAction.CLAIM,
    "a": CaseAction.ASK,
    "o": CaseAction.OFFER,
    "x": CaseAction.CLOSE,
}
_LETTERS = {action: letter for letter, action in _ACTIONS.items()}


@dataclass(frozen=True)
class Parsed:
    """Kind (the two-letter prefix) and its fields."""

    kind: str
    fields: tuple[str, ...]

    def number(self, n: int) -> int:
        return int(self.fields[n])


def parse(data: str | None) -> Parsed | None:
    """The parsed payload, or None for anything malformed."""
    if not data or len(data) > 64:
        return None
    match = _SHAPES.get(data[:2])
    found = match.fullmatch(data) if match else None
    return Parsed(data[:2], found.groups()) if found else None


def action_of(parsed: Parsed) -> CaseAction:
    return _ACTIONS[parsed.fields[0]]


def intake_choice(step: str, value: str) -> str:
    return f"hi:{step}:{value}"


def case_action(action: CaseAction, case_id: int) -> str:
    return f"hc:{_LETTERS[action]}:{case_id}"


def book(case_id: int, slot_id: int) -> str:
    return f"hs:{case_id}:{slot_id}"


def offer_page(case_id: int, page: int) -> str:
    return f"hp:{case_id}:{page}"


def cancel(booking_id: int) -> str:
    return f"hx:{booking_id}"


def move_page(booking_id: int, page: int) -> str:
    return f"hm:{booking_id}:{page}"


def move_to(booking_id: int, slot_id: int) -> str:
    return f"hn:{booking_id}:{slot_id}"


def remove_slot(slot_id: int) -> str:
    return f"hz:{slot_id}"


def delete_data(confirmed: bool) -> str:
    return f"hd:{'y' if confirmed else 'n'}"
