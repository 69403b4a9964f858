"""Slots: Berlin times across DST, adding, listing, paging and removing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.booking.berlin import TimeInputError, format_short, format_slot, parse_local
from bot.booking.slots import SlotError, SlotService
from bot.handoff.errors import StaleAction
from bot.store.database import Database
from tests.handoff_fixtures import ADVISOR_A, ADVISOR_B, FakeClock


def test_berlin_parsing_across_dst() -> None:
    assert parse_local("2026-12-03T10:00") == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # CET
    assert parse_local("03.07.2026 10:00") == datetime(2026, 7, 3, 8, 0, tzinfo=UTC)  # CEST
    # the day of the spring change: 01:30 CET, 03:30 CEST; 02:30 does not exist
    assert parse_local("2026-03-29T01:30") == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert parse_local("2026-03-29T03:30") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    with pytest.raises(TimeInputError, match="gibt es in Berlin nicht"):
        parse_local("2026-03-29T02:30")
    # autumn: 02:30 occurs twice, the first (summer time) is taken
    assert parse_local("2026-10-25T02:30") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    with pytest.raises(TimeInputError, match="nicht erkannt"):
        parse_local("morgen früh")


def test_formatting_in_berlin_time() -> None:
    winter = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 3, 8, 0, tzinfo=UTC)
    assert format_slot(winter, winter + timedelta(minutes=45)) == "Do 03.12.2026, 10:00–10:45 Uhr"
    assert format_slot(summer) == "Fr 03.07.2026, 10:00 Uhr"
    assert format_short(winter) == "Do 03.12. 10:00"
    # a slot spanning the autumn change keeps its real length
    start = parse_local("2026-10-25T02:00")
    assert format_slot(start, start + timedelta(hours=1)) == "So 25.10.2026, 02:00–02:00 Uhr"


def test_add_and_list_slots(db: Database, clock: FakeClock) -> None:
    slots = SlotService(db, clock)
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "Video")
    assert slot.starts_at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert slot.starts_at.tzinfo is not None
    assert slot.ends_at - slot.starts_at == timedelta(minutes=45)
    listed = slots.listing()
    assert [s.id for s in listed] == [slot.id]
    assert listed[0].to_json()["start"] == "2026-12-03T10:00:00+01:00"
    assert listed[0].starts_at == slot.starts_at


@pytest.mark.parametrize(
    ("start", "minutes", "fmt", "message"),
    [
        ("2026-11-01T10:00", 45, "video", "Vergangenheit"),
        ("2026-12-03T10:00", 5, "video", "Dauer"),
        ("2026-12-03T10:00", 45, "brieftaube", "Format"),
        ("2028-12-03T10:00", 45, "video", "ein Jahr"),
        ("2026-12-03T10:30", 45, "telefon", "überschneidet"),
    ],
)
def test_invalid_slots_are_refused(
    db: Database, clock: FakeClock, start: str, minutes: int, fmt: str, message: str
) -> None:
    slots = SlotService(db, clock)
    slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    with pytest.raises(SlotError, match=message):
        slots.add(ADVISOR_A, parse_local(start), minutes, fmt)
    assert len(slots.listing()) == 1


def test_same_time_for_two_advisors_is_fine(db: Database, clock: FakeClock) -> None:
    slots = SlotService(db, clock)
    slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    slots.add(ADVISOR_B, parse_local("2026-12-03T10:00"), 45, "vor-ort")
    assert len(slots.listing()) == 2
    assert len(slots.listing(ADVISOR_B)) == 1


def test_free_slots_paged_future_only(db: Database, clock: FakeClock) -> None:
    slots = SlotService(db, clock)
    first = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    for n in range(14):
        slots.add(ADVISOR_A, first + timedelta(days=n), 30, "telefon")
    slots.add(ADVISOR_B, first, 30, "video")
    page0 = slots.free_page(ADVISOR_A, 0, per_page=6)
    assert (page0.page, page0.pages, len(page0.slots)) == (0, 3, 6)
    last = slots.free_page(ADVISOR_A, 99, per_page=6)
    assert (last.page, len(last.slots)) == (2, 2)
    assert slots.free_page(ADVISOR_A, -4, per_page=6).page == 0
    clock.advance(timedelta(days=2))
    assert len(slots.free_page(ADVISOR_A, 0, per_page=50).slots) == 12
    assert slots.free_page(None, 0, per_page=50).slots[0].advisor_id == ADVISOR_A


def test_remove_slot(db: Database, clock: FakeClock) -> None:
    slots = SlotService(db, clock)
    slot = slots.add(ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video")
    with pytest.raises(StaleAction):
        slots.remove(slot.id, advisor_id=ADVISOR_B)
    assert slots.remove(slot.id).id == slot.id
    with pytest.raises(StaleAction):
        slots.remove(slot.id)
    assert slots.listing() == []
