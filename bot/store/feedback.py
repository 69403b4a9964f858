"""👍/👎 feedback on answers, stored with the question and the cited documents.

An answer is identified by the id of its row in ``conversation_turns`` (the engine writes the
turn, the adapter looks its id up right after). A rating is only accepted for a turn of the
rater's own current conversation, so a forged or stale button cannot rate someone else's answer.
Rating the same answer again replaces the earlier rating.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.store.database import Database
from bot.store.models import ConversationTurn, Feedback, User


@dataclass(frozen=True)
class RatedAnswer:
    """What was rated: the question and the documents the answer cited."""

    turn_id: int
    conversation_id: str
    question: str
    cited_docs: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackRecord:
    """One stored rating."""

    conversation_id: str
    telegram_user_id: int | None
    question: str
    cited_docs: tuple[str, ...]
    rating: int


class FeedbackStore:
    """Repository over ``feedback`` (and the turns it refers to)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def latest_turn_id(self, conversation_id: str) -> int | None:
        """Id of the newest turn of the conversation (the answer just given)."""
        with self._db.session() as session:
            return session.scalar(
                select(func.max(ConversationTurn.id)).where(
                    ConversationTurn.conversation_id == conversation_id
                )
            )

    def answer_of(self, telegram_user_id: int, turn_id: int) -> RatedAnswer | None:
        """The turn if it belongs to the user's current conversation, else None."""
        with self._db.session() as session:
            row = session.execute(
                select(ConversationTurn)
                .join(User, User.conversation_id == ConversationTurn.conversation_id)
                .where(ConversationTurn.id == turn_id, User.telegram_user_id == telegram_user_id)
            ).scalar_one_or_none()
            if row is None:
                return None
            return RatedAnswer(
                turn_id=row.id,
                conversation_id=row.conversation_id,
                question=row.question,
                cited_docs=tuple(json.loads(row.sources or "[]")),
            )

    def rate(self, telegram_user_id: int, answer: RatedAnswer, rating: int) -> bool:
        """Store +1 or -1 for the answer; True when this changed the stored rating."""
        if rating not in (1, -1):
            raise ValueError("rating must be +1 or -1")
        docs = json.dumps(list(answer.cited_docs), ensure_ascii=False)
        with self._db.session() as session:
            existing = session.scalars(
                select(Feedback).where(
                    Feedback.conversation_id == answer.conversation_id,
                    Feedback.telegram_user_id == telegram_user_id,
                    Feedback.question == answer.question,
                    Feedback.cited_docs == docs,
                )
            ).first()
            if existing is not None:
                changed = existing.rating != rating
                existing.rating = rating
                return changed
            session.add(
                Feedback(
                    conversation_id=answer.conversation_id,
                    telegram_user_id=telegram_user_id,
                    question=answer.question,
                    cited_docs=docs,
                    rating=rating,
                )
            )
            return True

    def all_for_user(self, telegram_user_id: int) -> list[FeedbackRecord]:
        """Every rating of the user, oldest first (for tests and /datenschutz-style views)."""
        with self._db.session() as session:
            rows = session.scalars(
                select(Feedback)
                .where(Feedback.telegram_user_id == telegram_user_id)
                .order_by(Feedback.id)
            ).all()
            return [
                FeedbackRecord(
                    conversation_id=row.conversation_id,
                    telegram_user_id=row.telegram_user_id,
                    question=row.question,
                    cited_docs=tuple(json.loads(row.cited_docs or "[]")),
                    rating=row.rating,
                )
                for row in rows
            ]
