"""Advisors' availability: add, list and remove slots, and the page of free future slots.

Overlapping slots of one advisor are refused under a lock per advisor (PostgreSQL advisory lock,
SQLite ``BEGIN IMMEDIATE``): two processes adding overlapping times at once cannot both pass the
overlap check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from bot.handoff.errors import HandoffError, StaleAction
from bot.store.database import Database
from bot.store.handoff_models import Booking, Slot
from bot.store.models import utcnow

MIN_MINUTES = 10
MAX_MINUTES = 480
MAX_AHEAD = timedelta(days=366)


class SlotFormat(StrEnum):
    VIDEO = "video"
    TELEFON = "telefon"
    VOR_ORT = "vor-ort"


FORMAT_LABELS = {
    SlotFormat.VIDEO: "Video",
    SlotFormat.TELEFON: "Telefon",
    SlotFormat.VOR_ORT: "vor Ort",
}


class SlotError(HandoffError):
    """A slot cannot be added or removed; the message is German."""


@dataclass(frozen=True)
class SlotView:
    """A detached slot with its booking state."""

    id: int
    advisor_id: int
    starts_at: datetime
    ends_at: datetime
    format: SlotFormat
    booked: bool

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    def to_json(self) -> dict[str, object]:
        from bot.booking.berlin import to_berlin

        return {
            "id": self.id,
            "advisor": self.advisor_id,
            "start": to_berlin(self.starts_at).isoformat(),
            "end": to_berlin(self.ends_at).isoformat(),
            "format": self.format.value,
            "booked": self.booked,
        }


@dataclass(frozen=True)
class SlotPage:
    """One page of free slots."""

    slots: list[SlotView]
    page: int
    pages: int


def _booked() -> object:
    return exists().where(Booking.slot_id == Slot.id)


def _view(row: Slot, booked: bool) -> SlotView:
    return SlotView(
        row.id, row.advisor_id, row.starts_at, row.ends_at, SlotFormat(row.format), booked
    )


class SlotService:
    """Reads and writes the ``booking_slots`` table."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def add(self, advisor_id: int, start: datetime, minutes: int, fmt: str) -> SlotView:
        """Publish a slot; refuses past, overlapping, too long or unknown-format slots."""
        try:
            slot_format = SlotFormat(fmt.strip().lower())
        except ValueError:
            raise SlotError(
                "Format unbekannt: bitte video, telefon oder vor-ort angeben."
            ) from None
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise SlotError(
                f"Dauer bitte zwischen {MIN_MINUTES} und {MAX_MINUTES} Minuten angeben."
            )
        now = self._clock()
        if start <= now:
            raise SlotError("Der Termin liegt in der Vergangenheit.")
        if start > now + MAX_AHEAD:
            raise SlotError("Termine können höchstens ein Jahr im Voraus angelegt werden.")
        end = start + timedelta(minutes=minutes)
        try:
            with self._db.serialised("slots-advisor", advisor_id) as session:
                overlap = session.scalars(
                    select(Slot.id).where(
                        Slot.advisor_id == advisor_id, Slot.starts_at < end, Slot.ends_at > start
                    )
                ).first()
                if overlap is not None:
                    raise SlotError(f"Dieser Termin überschneidet sich mit Termin {overlap}.")
                row = Slot(
                    advisor_id=advisor_id,
                    starts_at=start,
                    ends_at=end,
                    format=slot_format.value,
                    created_at=now,
                )
                session.add(row)
                session.flush()
                return _view(row, False)
        except IntegrityError:
            raise SlotError("Zu dieser Zeit gibt es schon einen Termin.") from None

    def get(self, slot_id: int) -> SlotView | None:
        with self._db.session() as session:
            row = session.get(Slot, slot_id)
            if row is None:
                return None
            booked = session.scalar(select(Booking.id).where(Booking.slot_id == slot_id))
            return _view(row, booked is not None)

    def listing(self, advisor_id: int | None = None, include_past: bool = False) -> list[SlotView]:
        """All slots (of one advisor), with their booking state, in time order."""
        with self._db.session() as session:
            query = select(Slot, _booked().label("booked")).order_by(Slot.starts_at, Slot.id)  # type: ignore[attr-defined]
            if advisor_id is not None:
                query = query.where(Slot.advisor_id == advisor_id)
            if not include_past:
                query = query.where(Slot.ends_at > self._clock())
            return [_view(row, bool(booked)) for row, booked in session.execute(query).all()]

    def free_page(self, advisor_id: int | None, page: int, per_page: int = 6) -> SlotPage:
        """Free future slots (of one advisor), one page; page numbers start at 0 and are clamped."""
        with self._db.session() as session:
            condition = and_(Slot.starts_at > self._clock(), ~_booked())  # type: ignore[operator]
            if advisor_id is not None:
                condition = and_(condition, Slot.advisor_id == advisor_id)
            rows = session.scalars(
                select(Slot).where(condition).order_by(Slot.starts_at, Slot.id)
            ).all()
        pages = max(1, math.ceil(len(rows) / per_page))
        page = min(max(page, 0), pages - 1)
        chunk = rows[page * per_page : (page + 1) * per_page]
        return SlotPage([_view(row, False) for row in chunk], page, pages)

    def remove(self, slot_id: int, advisor_id: int | None = None) -> SlotView:
        """Delete a free slot (only the owner's when ``advisor_id`` is given).

        A booking that arrives in the same moment wins: the foreign key refuses the delete.
        """
        try:
            with self._db.session() as session:
                row = session.get(Slot, slot_id, with_for_update=True)
                if row is None or (advisor_id is not None and row.advisor_id != advisor_id):
                    raise StaleAction(f"Termin {slot_id} gibt es nicht.")
                if session.scalar(select(Booking.id).where(Booking.slot_id == slot_id)) is not None:
                    raise SlotError(
                        f"Termin {slot_id} ist gebucht. Bitte sagen Sie die Buchung zuerst ab, "
                        "damit die Person benachrichtigt wird."
                    )
                view = _view(row, False)
                session.delete(row)
        except IntegrityError:
            raise SlotError(f"Termin {slot_id} wurde gerade gebucht und bleibt bestehen.") from None
        return view
