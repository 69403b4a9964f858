"""Bookings: a user books a slot of the advisor who holds the case; cancel and move.

The database decides every race, across processes:

- a slot is booked once: ``booking_bookings.slot_id`` is UNIQUE, so of two concurrent inserts
  for the same slot the second is rejected (SlotTaken);
- a case has at most one active booking: a partial unique index on ``case_id`` over active
  rows. Booking runs in a transaction serialised per case (PostgreSQL advisory lock, SQLite
  ``BEGIN IMMEDIATE``), so the loser normally sees the winner's booking and gets a clear German
  answer; the index is the backstop if anything slips past.

A booking stays active until its slot has ended; the next booking of the case retires it. Every
check of who may book what happens here, server-side, whatever a button claims.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking.slots import FORMAT_LABELS, SlotFormat
from bot.handoff.cases import CaseStatus
from bot.handoff.errors import HandoffError, NotAuthorised, SlotTaken, StaleAction
from bot.store.database import Database
from bot.store.handoff_models import Booking, Case, Slot
from bot.store.models import utcnow

log = logging.getLogger(__name__)

TAKEN = "Dieser Termin ist leider gerade vergeben worden. Bitte wählen Sie einen anderen."
NOT_YOURS = "Diese Auswahl gehört nicht zu Ihrer Anfrage."
ALREADY_BOOKED = (
    "Sie haben für diese Anfrage bereits einen Termin. Sie können ihn unter /termine "
    "verschieben oder absagen."
)


@dataclass(frozen=True)
class BookingView:
    """A detached booking with its slot and the people involved."""

    id: int
    slot_id: int
    case_id: int
    user_id: int
    user_chat_id: int
    advisor_id: int
    advisor_name: str
    starts_at: datetime
    ends_at: datetime
    format: SlotFormat

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]


@dataclass(frozen=True)
class Cancellation:
    """A cancelled booking, who cancelled it and whom to tell."""

    booking: BookingView
    by_advisor: bool

    @property
    def other_side_chat_id(self) -> int:
        return self.booking.user_chat_id if self.by_advisor else self.booking.advisor_id


def view_of(booking: Booking, slot: Slot, case: Case | None) -> BookingView:
    name = (case.claimed_by_name if case else None) or "Digitalteam"
    return BookingView(
        id=booking.id,
        slot_id=slot.id,
        case_id=booking.case_id,
        user_id=booking.user_id,
        user_chat_id=booking.user_chat_id,
        advisor_id=booking.advisor_id,
        advisor_name=name,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        format=SlotFormat(slot.format),
    )


class BookingService:
    """Books, cancels, moves and lists bookings."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def book(self, slot_id: int, case_id: int, user_id: int) -> BookingView:
        """Book a free future slot of the case's advisor for the case's user."""
        try:
            with self._db.serialised("booking-case", case_id) as session:
                case = self._own_case(session, case_id, user_id)
                self._retire_past(session, case_id)
                if self._active_booking(session, case_id) is not None:
                    raise StaleAction(ALREADY_BOOKED)
                slot = self._usable_slot(session, slot_id, case)
                row = Booking(
                    slot_id=slot.id,
                    case_id=case.id,
                    user_id=user_id,
                    user_chat_id=case.chat_id,
                    advisor_id=slot.advisor_id,
                    reminded_24h=False,
                    reminded_1h=False,
                    active=True,
                    reminder_attempts=0,
                    created_at=self._clock(),
                )
                session.add(row)
                session.flush()
                view = view_of(row, slot, case)
        except IntegrityError:
            raise self._conflict(case_id) from None
        log.info("slot %s booked for case %s", slot_id, case_id)
        return view

    def _conflict(self, case_id: int) -> HandoffError:
        """Which rule a rejected insert broke: the case is booked already, or the slot is taken."""
        with self._db.session() as session:
            if self._active_booking(session, case_id) is not None:
                return StaleAction(ALREADY_BOOKED)
        return SlotTaken(TAKEN)

    def cancel(self, booking_id: int, actor_id: int) -> Cancellation:
        """Cancel a booking as its user or its advisor; the slot becomes free again."""
        with self._db.session() as session:
            row = _own_booking(session, booking_id, actor_id, "absagen")
            slot = session.get(Slot, row.slot_id)
            assert slot is not None
            view = view_of(row, slot, session.get(Case, row.case_id))
            session.delete(row)
        return Cancellation(
            view, by_advisor=actor_id == view.advisor_id and actor_id != view.user_id
        )

    def move(
        self, booking_id: int, new_slot_id: int, actor_id: int
    ) -> tuple[Cancellation, BookingView]:
        """Move a booking to another free slot of the same advisor, in one transaction."""
        try:
            with self._db.serialised("booking", booking_id) as session:
                row = _own_booking(session, booking_id, actor_id, "verschieben")
                case = session.get(Case, row.case_id)
                old_slot = session.get(Slot, row.slot_id)
                assert case is not None and old_slot is not None
                new_slot = self._usable_slot(session, new_slot_id, case)
                old = view_of(row, old_slot, case)
                session.delete(row)
                session.flush()
                moved = Booking(
                    slot_id=new_slot.id,
                    case_id=row.case_id,
                    user_id=row.user_id,
                    user_chat_id=row.user_chat_id,
                    advisor_id=new_slot.advisor_id,
                    reminded_24h=False,
                    reminded_1h=False,
                    active=True,
                    reminder_attempts=0,
                    created_at=self._clock(),
                )
                session.add(moved)
                session.flush()
                new = view_of(moved, new_slot, case)
        except IntegrityError:
            raise SlotTaken(TAKEN) from None
        by_advisor = actor_id == old.advisor_id and actor_id != old.user_id
        return Cancellation(old, by_advisor), new

    def get(self, booking_id: int) -> BookingView | None:
        with self._db.session() as session:
            row = session.get(Booking, booking_id)
            if row is None:
                return None
            slot = session.get(Slot, row.slot_id)
            assert slot is not None
            return view_of(row, slot, session.get(Case, row.case_id))

    def upcoming(self, person_id: int) -> list[BookingView]:
        """Future bookings where the person is the user or the advisor, soonest first."""
        with self._db.session() as session:
            rows = session.execute(
                select(Booking, Slot, Case)
                .join(Slot, Slot.id == Booking.slot_id)
                .join(Case, Case.id == Booking.case_id)
                .where(
                    (Booking.user_id == person_id) | (Booking.advisor_id == person_id),
                    Slot.ends_at > self._clock(),
                )
                .order_by(Slot.starts_at)
            ).all()
            return [view_of(b, s, c) for b, s, c in rows]

    def _own_case(self, session: Session, case_id: int, user_id: int) -> Case:
        case = session.get(Case, case_id)
        if case is None or case.telegram_user_id != user_id:
            log.warning("user %s tried to book for case %s", user_id, case_id)
            raise NotAuthorised(NOT_YOURS)
        if case.status != CaseStatus.CLAIMED.value or case.claimed_by is None:
            raise StaleAction("Für diese Anfrage können gerade keine Termine gebucht werden.")
        return case

    def _usable_slot(self, session: Session, slot_id: int, case: Case) -> Slot:
        slot = session.get(Slot, slot_id)
        if slot is None:
            raise StaleAction("Diesen Termin gibt es nicht mehr. Bitte wählen Sie einen anderen.")
        if slot.advisor_id != case.claimed_by:
            log.warning("slot %s offered outside case %s", slot_id, case.id)
            raise NotAuthorised(NOT_YOURS)
        if slot.starts_at <= self._clock():
            raise StaleAction("Dieser Termin liegt bereits in der Vergangenheit.")
        if session.scalar(select(Booking.id).where(Booking.slot_id == slot_id)) is not None:
            raise SlotTaken(TAKEN)
        return slot

    def _retire_past(self, session: Session, case_id: int) -> None:
        """Bookings of the case whose slot has ended no longer count as its appointment."""
        ended = select(Slot.id).where(Slot.ends_at <= self._clock())
        session.execute(
            update(Booking)
            .where(Booking.case_id == case_id, Booking.active.is_(True), Booking.slot_id.in_(ended))
            .values(active=False)
            .execution_options(synchronize_session=False)
        )

    def _active_booking(self, session: Session, case_id: int) -> int | None:
        return session.scalar(
            select(Booking.id).where(Booking.case_id == case_id, Booking.active.is_(True))
        )


def _own_booking(session: Session, booking_id: int, actor_id: int, verb: str) -> Booking:
    """The booking, locked, if the actor is its user or its advisor (``verb``: German action)."""
    row = session.get(Booking, booking_id, with_for_update=True)
    if row is None:
        raise StaleAction("Diesen Termin gibt es nicht mehr.")
    if actor_id not in (row.user_id, row.advisor_id):
        log.warning("user %s may not change booking %s", actor_id, booking_id)
        raise NotAuthorised(f"Diesen Termin können Sie nicht {verb}.")
    return row
