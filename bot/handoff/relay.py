"""Rückfrage: an advisor's question is relayed to the user and the user's answer back.

Whose next text belongs to a relay is stored in ``handoff_pending_inputs`` (survives a restart);
every relayed text is kept with the case in ``handoff_case_messages``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.handoff.cases import CaseService, CaseStatus
from bot.handoff.errors import StaleAction
from bot.handoff.validation import clean_text
from bot.store.database import Database
from bot.store.handoff_models import Case, CaseMessage, PendingInput
from bot.store.models import utcnow

MAX_RELAY_CHARS = 3000
ADVISOR = "advisor"
USER = "user"


@dataclass(frozen=True)
class Relay:
    """A text to deliver: to ``chat_id``, concerning ``case_id``, written by ``sender``."""

    case_id: int
    sender: str
    chat_id: int
    text: str
    advisor_name: str


class RelayService:
    """Opens Rückfragen and passes the next texts along."""

    def __init__(
        self, db: Database, cases: CaseService, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._cases = cases
        self._clock = clock

    def open_question(self, case_id: int, advisor_id: int | None) -> int:
        """The advisor's next private message becomes a Rückfrage; returns the advisor id."""
        case = self._cases.holding(case_id, advisor_id)
        advisor = case.claimed_by
        assert advisor is not None
        self._set_pending(advisor, case_id, ADVISOR)
        return advisor

    def waits(self, session: Session, user_id: int) -> bool:
        """Whether this user's next text is relayed (read in ``session``)."""
        return session.get(PendingInput, user_id) is not None

    def pending_role(self, user_id: int) -> str | None:
        """'advisor' or 'user' when the next text of this user is relayed, else None."""
        with self._db.session() as session:
            row = session.get(PendingInput, user_id)
            return row.role if row else None

    def cancel(self, user_id: int) -> bool:
        """Drop a pending relay (the user's /abbrechen)."""
        with self._db.session() as session:
            result = session.execute(
                delete(PendingInput).where(PendingInput.telegram_user_id == user_id)
            )
            return getattr(result, "rowcount", 0) > 0

    def submit(self, user_id: int, text: str) -> Relay | None:
        """Relay this text if one is pending for the user; None otherwise.

        The pending state is used up even when the relay fails (closed case, no text), so that
        nobody stays stuck; the failure is raised as StaleAction after the commit.
        """
        body = clean_text(text)[:MAX_RELAY_CHARS]
        problem: str | None = None
        relay: Relay | None = None
        with self._db.session() as session:
            pending = session.get(PendingInput, user_id, with_for_update=True)
            if pending is None:
                return None
            case = session.get(Case, pending.case_id)
            session.delete(pending)
            if case is None or case.status == CaseStatus.CLOSED.value:
                problem = "Dieser Fall ist bereits abgeschlossen; ich habe nichts weitergeleitet."
            elif not body:
                problem = (
                    "Bitte schreiben Sie Ihre Nachricht als Text; ich habe nichts weitergeleitet."
                )
            elif pending.role == ADVISOR and case.claimed_by != user_id:
                problem = "Dieser Fall wird inzwischen von jemand anderem betreut."
            elif pending.role == USER and case.claimed_by is None:
                problem = "Für diesen Fall ist gerade niemand zuständig."
            else:
                session.add(
                    CaseMessage(
                        case_id=case.id,
                        sender=pending.role,
                        sender_id=user_id,
                        text=body,
                        created_at=self._clock(),
                    )
                )
                name = case.claimed_by_name or "Ihre Beraterin oder Ihr Berater"
                if pending.role == ADVISOR:
                    session.flush()
                    session.merge(
                        PendingInput(
                            telegram_user_id=case.telegram_user_id,
                            case_id=case.id,
                            role=USER,
                            created_at=self._clock(),
                        )
                    )
                    relay = Relay(case.id, ADVISOR, case.chat_id, body, name)
                else:
                    assert case.claimed_by is not None
                    relay = Relay(case.id, USER, case.claimed_by, body, name)
        if problem is not None:
            raise StaleAction(problem)
        return relay

    def _set_pending(self, user_id: int, case_id: int, role: str) -> None:
        with self._db.session() as session:
            session.merge(
                PendingInput(
                    telegram_user_id=user_id, case_id=case_id, role=role, created_at=self._clock()
                )
            )

    def messages(self, case_id: int) -> list[tuple[str, str]]:
        """(sender, text) of the relayed messages of a case, oldest first."""
        with self._db.session() as session:
            rows = session.execute(
                select(CaseMessage.sender, CaseMessage.text)
                .where(CaseMessage.case_id == case_id)
                .order_by(CaseMessage.id)
            ).all()
            return [(str(sender), str(text)) for sender, text in rows]
