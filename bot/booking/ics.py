"""iCalendar invitations (.ics) for bookings, built with the icalendar package."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from bot.booking.bookings import BookingView
from bot.store.models import utcnow

PRODID = "-//Digitalteam-Assistent//Beratungstermine//DE"


def booking_uid(booking: BookingView) -> str:
    """Stable UID per case and slot (a moved booking is a new event)."""
    return f"beratung-{booking.case_id}-{booking.slot_id}@digitalteam-assistent"


def invitation(
    booking: BookingView, *, cancelled: bool = False, now: datetime | None = None
) -> bytes:
    """The .ics file for a booking (METHOD:CANCEL with STATUS:CANCELLED when ``cancelled``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"Beratung Digitalteam (Anfrage #{booking.case_id})")
    event.add(
        "description",
        f"Beratungstermin ({booking.format_label}) mit {booking.advisor_name}. "
        "Absagen oder verschieben: /termine im Digitalteam-Assistenten.",
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    calendar.add_component(event)
    return calendar.to_ical()


def filename(booking: BookingView) -> str:
    return f"beratung-{booking.case_id}-{booking.slot_id}.ics"
