"""Cases: creation from a finished intake, claiming (exactly one advisor wins), closing, listing.

Claiming is one conditional UPDATE (``WHERE status = 'open'``): whichever transaction commits
first wins, every other advisor is told who took the case.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.handoff.advisors import Advisors
from bot.handoff.brief import IntakeAnswers, TurnLike, build_brief
from bot.handoff.errors import NotAuthorised, StaleAction
from bot.store.database import Database
from bot.store.handoff_models import Case, CaseNotice
from bot.store.models import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

NOT_ADVISOR = (
    "Diese Funktion ist dem Beratungsteam vorbehalten. Wenn Sie eine Beratung wünschen, "
    "schreiben Sie /termin."
)
CASE_GONE = "Diesen Fall gibt es nicht mehr."
NOTICE_CASE = "case"
NOTICE_RELAY = "relay"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    CLOSED = "closed"


class CaseAction(StrEnum):
    """The buttons under a case notification."""

    CLAIM = "claim"
    ASK = "ask"
    OFFER = "offer"
    CLOSE = "close"


ACTION_LABELS = {
    CaseAction.CLAIM: "Übernehmen",
    CaseAction.ASK: "Rückfrage",
    CaseAction.OFFER: "Termin anbieten",
    CaseAction.CLOSE: "Abschließen",
}
STATUS_LABELS = {
    CaseStatus.OPEN: "offen",
    CaseStatus.CLAIMED: "übernommen",
    CaseStatus.CLOSED: "abgeschlossen",
}


@dataclass(frozen=True)
class CaseView:
    """A detached, read-only copy of a case."""

    id: int
    telegram_user_id: int
    chat_id: int
    conversation_id: str
    status: CaseStatus
    institution: str
    topic: str
    contact_method: str
    contact_value: str
    brief: str
    claimed_by: int | None
    claimed_by_name: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Case) -> CaseView:
        return cls(
            id=row.id,
            telegram_user_id=row.telegram_user_id,
            chat_id=row.chat_id,
            conversation_id=row.conversation_id,
            status=CaseStatus(row.status),
            institution=row.institution,
            topic=row.topic,
            contact_method=row.contact_method,
            contact_value=row.contact_value,
            brief=row.brief,
            claimed_by=row.claimed_by,
            claimed_by_name=row.claimed_by_name,
            created_at=row.created_at,
        )

    @property
    def claimer_label(self) -> str:
        return self.claimed_by_name or f"Berater/in {self.claimed_by}"


@dataclass(frozen=True)
class Notification:
    """What the advisors see about a case: text plus the buttons that apply to its status."""

    case_id: int
    text: str
    actions: tuple[CaseAction, ...]


@dataclass(frozen=True)
class ClaimResult:
    """``won`` is True for exactly one advisor; ``case`` shows who holds it now."""

    won: bool
    case: CaseView


def notification_for(case: CaseView) -> Notification:
    """The advisors' message for a case in its current state."""
    header = f"Beratungsanfrage #{case.id} – {STATUS_LABELS[case.status]}"
    if case.status == CaseStatus.CLAIMED:
        header += f" von {case.claimer_label}"
    actions: tuple[CaseAction, ...]
    if case.status == CaseStatus.OPEN:
        actions = (CaseAction.CLAIM, CaseAction.ASK, CaseAction.CLOSE)
    elif case.status == CaseStatus.CLAIMED:
        actions = (CaseAction.ASK, CaseAction.OFFER, CaseAction.CLOSE)
    else:
        actions = ()
    return Notification(case.id, f"{header}\n\n{case.brief}", actions)


class CaseService:
    """Creates, claims, closes and lists cases."""

    def __init__(self, db: Database, advisors: Advisors, clock: Clock = utcnow) -> None:
        self._db = db
        self.advisors = advisors
        self._clock = clock

    def create_in(
        self,
        session: Session,
        *,
        user_id: int,
        chat_id: int,
        conversation_id: str,
        answers: IntakeAnswers,
        turns: Sequence[TurnLike],
    ) -> CaseView:
        """Create a case inside the caller's transaction (the intake's consent step)."""
        row = Case(
            telegram_user_id=user_id,
            chat_id=chat_id,
            conversation_id=conversation_id,
            status=CaseStatus.OPEN.value,
            institution=answers.institution,
            institution_type=answers.institution_type,
            town=answers.town,
            topic=answers.topic,
            description=answers.description,
            contact_method=answers.contact_method,
            contact_value=answers.contact_value,
            trigger=answers.trigger,
            wish=answers.wish,
            brief=build_brief(answers, turns),
            created_at=self._clock(),
        )
        session.add(row)
        session.flush()
        return CaseView.of(row)

    def get(self, case_id: int) -> CaseView | None:
        with self._db.session() as session:
            row = session.get(Case, case_id)
            return CaseView.of(row) if row else None

    def require_advisor(self, user_id: int | None) -> int:
        """The user id if it belongs to an advisor, otherwise NotAuthorised."""
        if user_id is None or not self.advisors.is_advisor(user_id):
            raise NotAuthorised(NOT_ADVISOR)
        return user_id

    def claim(self, case_id: int, advisor_id: int | None, advisor_name: str) -> ClaimResult:
        """Claim an open case; exactly one concurrent caller gets ``won=True``."""
        advisor = self.require_advisor(advisor_id)
        with self._db.session() as session:
            result = session.execute(
                update(Case)
                .where(Case.id == case_id, Case.status == CaseStatus.OPEN.value)
                .values(
                    status=CaseStatus.CLAIMED.value,
                    claimed_by=advisor,
                    claimed_by_name=advisor_name[:120] or None,
                    claimed_at=self._clock(),
                )
                .execution_options(synchronize_session=False)
            )
            won = getattr(result, "rowcount", 0) == 1
        case = self.get(case_id)
        if case is None:
            raise StaleAction(CASE_GONE)
        if won:
            log.info("case %s claimed by advisor %s", case_id, advisor)
        return ClaimResult(won=won, case=case)

    def close(self, case_id: int, advisor_id: int | None) -> CaseView:
        """Close a case (any advisor for an open case, only the holder for a claimed one)."""
        advisor = self.require_advisor(advisor_id)
        with self._db.session() as session:
            row = session.get(Case, case_id, with_for_update=True)
            if row is None:
                raise StaleAction(CASE_GONE)
            if row.status == CaseStatus.CLOSED.value:
                raise StaleAction(f"Fall #{case_id} ist bereits abgeschlossen.")
            if row.status == CaseStatus.CLAIMED.value and row.claimed_by != advisor:
                raise NotAuthorised(
                    f"Fall #{case_id} wird von {row.claimed_by_name or 'einer Kollegin'} "
                    "betreut; nur diese Person kann ihn abschließen."
                )
            row.status = CaseStatus.CLOSED.value
            row.closed_at = self._clock()
            return CaseView.of(row)

    def holding(self, case_id: int, advisor_id: int | None) -> CaseView:
        """The case if this advisor holds it (for Rückfrage and Termin anbieten)."""
        advisor = self.require_advisor(advisor_id)
        case = self.get(case_id)
        if case is None:
            raise StaleAction(CASE_GONE)
        if case.status == CaseStatus.CLOSED:
            raise StaleAction(f"Fall #{case_id} ist bereits abgeschlossen.")
        if case.status == CaseStatus.OPEN:
            raise StaleAction(f"Bitte übernehmen Sie Fall #{case_id} zuerst.")
        if case.claimed_by != advisor:
            raise NotAuthorised(f"Fall #{case_id} wird von {case.claimer_label} betreut.")
        return case

    def active(self, advisor_id: int | None) -> list[CaseView]:
        """Open and claimed cases, oldest first (the advisors' /faelle)."""
        self.require_advisor(advisor_id)
        with self._db.session() as session:
            rows = session.scalars(
                select(Case)
                .where(Case.status.in_([CaseStatus.OPEN.value, CaseStatus.CLAIMED.value]))
                .order_by(Case.id)
            ).all()
            return [CaseView.of(row) for row in rows]

    def latest_for_user(self, user_id: int) -> CaseView | None:
        """The user's newest case that is not closed."""
        with self._db.session() as session:
            row = session.scalars(
                select(Case)
                .where(Case.telegram_user_id == user_id, Case.status != CaseStatus.CLOSED.value)
                .order_by(Case.id.desc())
                .limit(1)
            ).first()
            return CaseView.of(row) if row else None

    def record_notice(
        self, case_id: int, chat_id: int, message_id: int, kind: str = NOTICE_CASE
    ) -> None:
        """Remember a message about the case in an advisor's chat, to update or withdraw it.

        ``kind``: ``case`` for the case notification (kept up to date), ``relay`` for a relayed
        answer of the user (only withdrawn when the user deletes their data).
        """
        with self._db.session() as session:
            session.add(
                CaseNotice(case_id=case_id, chat_id=chat_id, message_id=message_id, kind=kind)
            )

    def notices(self, case_id: int) -> list[tuple[int, int]]:
        """(chat_id, message_id) of every notification of the case."""
        with self._db.session() as session:
            rows = session.execute(
                select(CaseNotice.chat_id, CaseNotice.message_id).where(
                    CaseNotice.case_id == case_id, CaseNotice.kind == NOTICE_CASE
                )
            ).all()
            return [(int(chat), int(message)) for chat, message in rows]
