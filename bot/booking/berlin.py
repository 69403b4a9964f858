"""Europe/Berlin wall-clock times: parsing advisor input and formatting for users, DST-safe."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


class TimeInputError(ValueError):
    """A time the user typed cannot be used; the message is German."""


def parse_local(text: str) -> datetime:
    """'2026-12-03T10:00' or '03.12.2026 10:00' (Berlin time) -> aware UTC datetime.

    Times that do not exist (the hour skipped in spring) are refused; for the hour that occurs
    twice in autumn the first occurrence (summer time) is taken.
    """
    value = " ".join(text.strip().split())
    naive: datetime | None = None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M"):
        try:
            naive = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if naive is None:
        raise TimeInputError(
            f"Zeit nicht erkannt: {text!r}. Bitte so angeben: 2026-12-03T10:00 oder 03.12.2026 10:00."
        )
    local = naive.replace(tzinfo=BERLIN, fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(BERLIN).replace(tzinfo=None) != naive:
        raise TimeInputError(
            f"{naive:%d.%m.%Y %H:%M} gibt es in Berlin nicht (Zeitumstellung). "
            "Bitte wählen Sie eine andere Uhrzeit."
        )
    return as_utc


def to_berlin(moment: datetime) -> datetime:
    """The same instant in Berlin time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(BERLIN)


def format_slot(start: datetime, end: datetime | None = None) -> str:
    """'Do 03.12.2026, 10:00–10:45 Uhr' in Berlin time."""
    local = to_berlin(start)
    text = f"{_WEEKDAYS[local.weekday()]} {local:%d.%m.%Y, %H:%M}"
    if end is not None:
        text += f"–{to_berlin(end):%H:%M}"
    return text + " Uhr"


def format_short(start: datetime) -> str:
    """'Do 03.12. 10:00' for buttons."""
    local = to_berlin(start)
    return f"{_WEEKDAYS[local.weekday()]} {local:%d.%m. %H:%M}"
