"""Wire the handoff and booking services once, on one database and one clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.booking.bookings import BookingService
from bot.booking.reminders import ReminderService
from bot.booking.slots import SlotService
from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.handoff.intake import IntakeService, TurnSource
from bot.handoff.mail import MailConfig
from bot.handoff.privacy import PrivacyService
from bot.handoff.relay import RelayService
from bot.settings import Settings
from bot.store.database import Database
from bot.store.models import utcnow

BRIEF_TURNS = 8


@dataclass
class Handoff:
    """Everything the adapters need for consultations and bookings."""

    settings: Settings
    advisors: Advisors
    cases: CaseService
    intake: IntakeService
    relay: RelayService
    slots: SlotService
    bookings: BookingService
    reminders: ReminderService
    privacy: PrivacyService
    mail: MailConfig | None
    clock: Callable[[], datetime]


def build_handoff(
    settings: Settings,
    db: Database,
    turns_for: TurnSource,
    clock: Callable[[], datetime] = utcnow,
) -> Handoff:
    """All handoff services on ``db``; ``turns_for(conversation_id)`` feeds the case brief."""
    advisors = Advisors.of(settings.advisor_ids, settings.advisor_chat_id)
    cases = CaseService(db, advisors, clock)
    return Handoff(
        settings=settings,
        advisors=advisors,
        cases=cases,
        intake=IntakeService(db, cases, turns_for, settings.retention_days, clock),
        relay=RelayService(db, cases, clock),
        slots=SlotService(db, clock),
        bookings=BookingService(db, clock),
        reminders=ReminderService(db, clock),
        privacy=PrivacyService(db, settings.retention_days, clock),
        mail=MailConfig.from_settings(settings),
        clock=clock,
    )
