"""Privacy: what is stored about a user (/meine_daten), deleting it all (/daten_loeschen) and the
retention purge of closed cases.

It sits above the handoff and booking packages, because it reaches into all of their tables.
Deleting cancels the user's future appointments first and returns them, so that the adapter can
tell the advisors; it also returns where the cases were posted in advisors' chats (notifications,
/faelle listings, relayed answers), so that the adapter replaces those messages. Then cases (with
relayed messages), bookings, drafts, feedback, conversation turns, the knowledge gaps recorded
from the user's questions and the user record go in one transaction.

Knowledge gaps carry no user id: they are found by their text, the pseudonymised form of each
question still stored for the user (conversation turns, ratings, case descriptions). Gaps whose
question is no longer stored anywhere (after the history retention or /neu) cannot be attributed
to anyone any more; they are deleted after DT_GAP_RETENTION_DAYS.

E-mails about a case that were sent to the advisors (DT_ADVISOR_EMAILS) cannot be recalled;
``MAIL_COPIES`` says so wherever deletion is explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot.booking.berlin import format_slot
from bot.booking.bookings import BookingView, view_of
from bot.handoff.cases import STATUS_LABELS, CaseStatus
from bot.store.database import Database
from bot.store.funding_models import DeadlineReminder
from bot.store.gaps import masked_forms
from bot.store.handoff_models import Booking, Case, CaseNotice, Intake, PendingInput, Slot
from bot.store.models import ConversationTurn, Feedback, KnowledgeGap, User, utcnow

MAIL_COPIES = (
    "Wurde Ihre Beratungsanfrage dem Beratungsteam auch per E-Mail zugestellt, bleibt diese "
    "E-Mail (mit Ihren Angaben aus der Anfrage) in den Postfächern der Beraterinnen und Berater; "
    "sie lässt sich nicht zurückholen. Wenden Sie sich dafür bitte direkt an das Beratungsteam."
)


@dataclass(frozen=True)
class MyData:
    """What is stored about one user."""

    known_since: datetime | None
    turns: int
    feedback: int
    cases: list[tuple[int, str, str]] = field(default_factory=list)
    bookings: list[BookingView] = field(default_factory=list)
    intake_running: bool = False
    deadline_reminders: int = 0

    @property
    def empty(self) -> bool:
        return (
            not (self.known_since or self.turns or self.feedback or self.cases or self.bookings)
            and not self.intake_running
            and not self.deadline_reminders
        )


@dataclass(frozen=True)
class Deletion:
    """What /daten_loeschen removed; ``cancelled`` future appointments must be announced."""

    cancelled: list[BookingView]
    cases: int
    turns: int
    feedback: int
    gaps: int = 0
    notices: list[tuple[int, int]] = field(default_factory=list)
    """(chat_id, message_id) of messages about the user's cases in advisors' chats."""


@dataclass(frozen=True)
class Purge:
    """Closed cases removed after the retention period, and their messages in advisors' chats."""

    cases: int
    notices: list[tuple[int, int]] = field(default_factory=list)


class PrivacyService:
    """Shows and deletes a user's data; purges old closed cases."""

    def __init__(
        self, db: Database, retention_days: int, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    def _conversations(self, session: Session, user_id: int) -> set[str]:
        ids = set(
            session.scalars(select(User.conversation_id).where(User.telegram_user_id == user_id))
        )
        ids |= set(
            session.scalars(select(Case.conversation_id).where(Case.telegram_user_id == user_id))
        )
        ids |= set(
            session.scalars(
                select(Intake.conversation_id).where(Intake.telegram_user_id == user_id)
            )
        )
        return ids

    def summary(self, user_id: int) -> MyData:
        """Counts and lists of everything stored about the user."""
        now = self._clock()
        with self._db.session() as session:
            conversations = self._conversations(session, user_id)
            user = session.scalars(select(User).where(User.telegram_user_id == user_id)).first()
            turns = session.scalar(
                select(func.count()).where(ConversationTurn.conversation_id.in_(conversations))
            )
            feedback = session.scalar(
                select(func.count()).where(
                    or_(
                        Feedback.telegram_user_id == user_id,
                        Feedback.conversation_id.in_(conversations),
                    )
                )
            )
            cases = [
                (row.id, row.topic, STATUS_LABELS[CaseStatus(row.status)])
                for row in session.scalars(
                    select(Case).where(Case.telegram_user_id == user_id).order_by(Case.id)
                )
            ]
            bookings = [
                view_of(b, s, c)
                for b, s, c in session.execute(
                    select(Booking, Slot, Case)
                    .join(Slot, Slot.id == Booking.slot_id)
                    .join(Case, Case.id == Booking.case_id)
                    .where(Booking.user_id == user_id, Slot.ends_at > now)
                    .order_by(Slot.starts_at)
                ).all()
            ]
            intake = session.scalar(select(Intake.id).where(Intake.telegram_user_id == user_id))
            reminders = session.scalar(
                select(func.count(DeadlineReminder.id)).where(
                    DeadlineReminder.telegram_user_id == user_id
                )
            )
            known = user.first_seen if user else None
            if known is not None and known.tzinfo is None:  # SQLite returns the UTC value naive
                known = known.replace(tzinfo=UTC)
            return MyData(
                known_since=known,
                turns=int(turns or 0),
                feedback=int(feedback or 0),
                cases=cases,
                bookings=bookings,
                intake_running=intake is not None,
                deadline_reminders=int(reminders or 0),
            )

    def delete_everything(self, user_id: int) -> Deletion:
        """Delete all data of the user in one transaction."""
        now = self._clock()
        with self._db.session() as session:
            conversations = self._conversations(session, user_id)
            case_ids = list(
                session.scalars(select(Case.id).where(Case.telegram_user_id == user_id))
            )
            rows = session.execute(
                select(Booking, Slot, Case)
                .join(Slot, Slot.id == Booking.slot_id)
                .join(Case, Case.id == Booking.case_id)
                .where(or_(Booking.user_id == user_id, Booking.case_id.in_(case_ids)))
            ).all()
            cancelled = [view_of(b, s, c) for b, s, c in rows if s.starts_at > now]
            notices = [
                (int(chat), int(message))
                for chat, message in session.execute(
                    select(CaseNotice.chat_id, CaseNotice.message_id).where(
                        CaseNotice.case_id.in_(case_ids)
                    )
                )
            ]
            gaps = self._delete_gaps(session, user_id, conversations)
            session.execute(
                delete(Booking).where(
                    or_(Booking.user_id == user_id, Booking.case_id.in_(case_ids))
                )
            )
            session.execute(
                delete(PendingInput).where(
                    or_(
                        PendingInput.telegram_user_id == user_id, PendingInput.case_id.in_(case_ids)
                    )
                )
            )
            cases = session.execute(delete(Case).where(Case.id.in_(case_ids)))
            session.execute(delete(Intake).where(Intake.telegram_user_id == user_id))
            session.execute(
                delete(DeadlineReminder).where(DeadlineReminder.telegram_user_id == user_id)
            )
            feedback = session.execute(
                delete(Feedback).where(
                    or_(
                        Feedback.telegram_user_id == user_id,
                        Feedback.conversation_id.in_(conversations),
                    )
                )
            )
            turns = session.execute(
                delete(ConversationTurn).where(ConversationTurn.conversation_id.in_(conversations))
            )
            session.execute(delete(User).where(User.telegram_user_id == user_id))
        return Deletion(
            cancelled=cancelled,
            cases=getattr(cases, "rowcount", 0),
            turns=getattr(turns, "rowcount", 0),
            feedback=getattr(feedback, "rowcount", 0),
            gaps=gaps,
            notices=notices,
        )

    def _delete_gaps(self, session: Session, user_id: int, conversations: set[str]) -> int:
        """Delete the knowledge gaps recorded from the user's stored questions."""
        questions = list(
            session.scalars(
                select(ConversationTurn.question).where(
                    ConversationTurn.conversation_id.in_(conversations)
                )
            )
        )
        questions += session.scalars(
            select(Feedback.question).where(
                or_(
                    Feedback.telegram_user_id == user_id,
                    Feedback.conversation_id.in_(conversations),
                )
            )
        )
        questions += session.scalars(
            select(Case.description).where(Case.telegram_user_id == user_id)
        )
        masked = sorted(masked_forms(questions))
        removed = 0
        for start in range(0, len(masked), 500):
            result = session.execute(
                delete(KnowledgeGap).where(KnowledgeGap.question.in_(masked[start : start + 500]))
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
        return removed

    def purge(self) -> Purge:
        """Delete closed cases older than the retention period (and stale drafts)."""
        now = self._clock()
        with self._db.session() as session:
            old = list(
                session.scalars(
                    select(Case.id).where(
                        Case.status == CaseStatus.CLOSED.value,
                        Case.closed_at < now - self._retention,
                    )
                )
            )
            notices: list[tuple[int, int]] = []
            if old:
                notices = [
                    (int(chat), int(message))
                    for chat, message in session.execute(
                        select(CaseNotice.chat_id, CaseNotice.message_id).where(
                            CaseNotice.case_id.in_(old)
                        )
                    )
                ]
                session.execute(delete(Booking).where(Booking.case_id.in_(old)))
                session.execute(delete(Case).where(Case.id.in_(old)))
            session.execute(delete(Intake).where(Intake.updated_at < now - timedelta(days=2)))
        return Purge(cases=len(old), notices=notices)


def render_my_data(data: MyData, retention_days: int) -> str:
    """German plain text for /meine_daten."""
    if data.empty:
        return "Über Sie ist derzeit nichts gespeichert."
    lines = ["Das ist über Sie gespeichert:"]
    if data.known_since:
        lines.append(f"• Ihre Telegram-Kennung, seit {format_slot(data.known_since)}")
    lines.append(f"• Gesprächsverlauf: {data.turns} Fragen und Antworten")
    lines.append(f"• Bewertungen (👍/👎): {data.feedback}")
    if data.intake_running:
        lines.append("• eine begonnene, noch nicht abgeschickte Beratungsanfrage")
    for case_id, topic, status in data.cases:
        lines.append(f"• Beratungsanfrage #{case_id} ({topic}), {status}")
    for booking in data.bookings:
        lines.append(f"• Termin: {format_slot(booking.starts_at, booking.ends_at)}")
    if data.deadline_reminders:
        lines.append(f"• Gemerkte Förderfristen (/fristen): {data.deadline_reminders}")
    lines.append(
        f"\nAbgeschlossene Anfragen werden nach {retention_days} Tagen gelöscht. "
        "Mit /daten_loeschen löschen Sie alles sofort."
    )
    if data.cases:
        lines.append(MAIL_COPIES)
    return "\n".join(lines)
