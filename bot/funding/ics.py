"""iCalendar (RFC 5545) feed of the coming funding deadlines, built with the icalendar package.

Each deadline is an all-day event on its day with a stable UID, so a calendar app that subscribes
to the file updates events instead of duplicating them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from bot.funding.deadlines import Due
from bot.store.models import utcnow

PRODID = "-//Digitalteam-Assistent//Förderfristen//DE"


def deadline_uid(due: Due) -> str:
    """Stable per programme, day and label."""
    label = "".join(ch for ch in due.label.lower() if ch.isalnum())[:30] or "frist"
    return f"frist-{due.programme_id}-{due.day.isoformat()}-{label}@digitalteam-assistent"


def deadlines_calendar(deadlines: list[Due], now: datetime | None = None) -> bytes:
    """The .ics file with one all-day event per deadline."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Förderfristen")
    stamp = now or utcnow()
    for due in deadlines:
        event = Event()
        event.add("uid", deadline_uid(due))
        event.add("dtstamp", stamp)
        event.add("dtstart", due.day)
        event.add("dtend", due.day + timedelta(days=1))
        event.add("summary", f"Frist: {due.programme}" + (f" ({due.label})" if due.label else ""))
        lines = [f"Programm: {due.programme}", f"Dokument: {due.document}"]
        if due.opens:
            lines.append(f"Antragsfenster öffnet am {due.opens.strftime('%d.%m.%Y')}")
        if due.uncertain:
            lines.append("Frist nicht bestätigt – bitte beim Fördergeber prüfen.")
        lines += [f"Quelle: {s.title} {s.url}".strip() for s in due.sources]
        event.add("description", "\n".join(lines))
        if due.sources:
            event.add("url", due.sources[0].url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
