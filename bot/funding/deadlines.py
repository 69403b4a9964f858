"""Deadlines: the next one of a programme and the coming ones across the catalog.

"today" is always passed in, so tests fix it. A window whose ``until`` lies before today is over
and never appears; a yearly date is moved to its next occurrence; ``laufend`` has no date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.funding.catalog import Catalog, Entry
from bot.funding.model import Deadline
from ingest.sources import Source


@dataclass(frozen=True)
class Due:
    """One coming deadline of one programme."""

    programme_id: str
    programme: str
    document: str
    day: date
    opens: date | None
    label: str
    uncertain: bool
    sources: tuple[Source, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "programme_id": self.programme_id,
            "programme": self.programme,
            "document": self.document,
            "date": self.day.isoformat(),
            "opens": self.opens.isoformat() if self.opens else None,
            "label": self.label,
            "uncertain": self.uncertain,
            "sources": [{"title": s.title, "url": s.url} for s in self.sources],
        }


@dataclass(frozen=True)
class NextDeadline:
    """What to tell about a programme's next deadline."""

    laufend: bool = False
    due: Due | None = None
    last_expired: date | None = None  # the latest window that is already over

    @property
    def known(self) -> bool:
        return self.laufend or self.due is not None

    def text(self) -> str:
        if self.due is not None:
            opens = f" (Fenster öffnet am {german_date(self.due.opens)})" if self.due.opens else ""
            label = f" – {self.due.label}" if self.due.label else ""
            return f"{german_date(self.due.day)}{label}{opens}"
        if self.laufend:
            return "laufend"
        if self.last_expired is not None:
            return (
                f"kein bestätigtes offenes Fenster (zuletzt bis {german_date(self.last_expired)})"
            )
        return "nicht belegt"

    def to_json(self) -> dict[str, object]:
        return {
            "laufend": self.laufend,
            "date": self.due.day.isoformat() if self.due else None,
            "opens": self.due.opens.isoformat() if self.due and self.due.opens else None,
            "label": self.due.label if self.due else "",
            "text": self.text(),
        }


def german_date(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def _yearly(month_day: str, today: date) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _occurrence(deadline: Deadline, today: date) -> tuple[date, date | None] | None:
    """(deadline day, opening day) of the next occurrence, None if over or ``laufend``."""
    if deadline.yearly:
        return _yearly(deadline.yearly, today), None
    if deadline.until is not None and deadline.until >= today:
        opens = deadline.start if deadline.start and deadline.start > today else None
        return deadline.until, opens
    return None


def _due(entry: Entry, deadline: Deadline, day: date, opens: date | None) -> Due:
    programme = entry.programme
    return Due(
        programme.id,
        programme.name,
        entry.document,
        day,
        opens,
        deadline.label,
        deadline.uncertain,
        tuple(entry.resolve(deadline.source)),
    )


def next_deadline(entry: Entry, today: date) -> NextDeadline:
    """The programme's next deadline as of ``today``."""
    coming = [
        _due(entry, d, *occurrence)
        for d in entry.programme.deadlines
        if (occurrence := _occurrence(d, today)) is not None
    ]
    laufend = any(d.laufend for d in entry.programme.deadlines)
    expired = [d.until for d in entry.programme.deadlines if d.until and d.until < today]
    first = min(coming, key=lambda due: due.day) if coming else None
    return NextDeadline(laufend, first, max(expired) if expired else None)


def upcoming(catalog: Catalog, today: date, days: int) -> list[Due]:
    """Every deadline from today up to ``days`` ahead, sorted by day; expired ones never."""
    horizon = today + timedelta(days=days)
    found: list[Due] = []
    for entry in catalog.entries:
        for deadline in entry.programme.deadlines:
            day = today
            while (occurrence := _occurrence(deadline, day)) is not None:
                if occurrence[0] > horizon:
                    break
                found.append(_due(entry, deadline, *occurrence))
                if not deadline.yearly:
                    break
                day = occurrence[0] + timedelta(days=1)
    return sorted(found, key=lambda due: (due.day, due.programme))
