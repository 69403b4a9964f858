"""Telegram users and their conversation ids, so that a conversation survives a bot restart.

``/neu`` gives the user a fresh conversation id and deletes the turns of the old one. Retention:
turns and ratings go after DT_HISTORY_RETENTION_DAYS (``purge``), the user record itself after
DT_USER_RETENTION_DAYS without a message (``purge_inactive``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.database import Database
from bot.store.history import recent_turns
from bot.store.models import ConversationTurn, Feedback, User, utcnow
from bot.store.turns import Turn

LAST_SEEN_PRECISION = timedelta(minutes=10)

Peek = Callable[[Session], str | None]
"""A read in the same transaction that may claim the message for something else (an intake step)."""


@dataclass(frozen=True)
class Opened:
    """A user's conversation as one incoming message finds it.

    When the ``peek`` of ``open_conversation`` found something (``waiting``), the user is not
    touched and no turns are read: the message belongs to that, not to the conversation.
    """

    conversation_id: str | None
    turns: list[Turn] = field(default_factory=list)
    waiting: str | None = None


def _stale(last_seen: datetime | None, now: datetime) -> bool:
    """Whether last_seen is worth a write (saves a commit on every message of a chat)."""
    if last_seen is None:
        return True
    if last_seen.tzinfo is None:  # SQLite returns naive datetimes
        last_seen = last_seen.replace(tzinfo=now.tzinfo)
    return now - last_seen >= LAST_SEEN_PRECISION


def new_conversation_id() -> str:
    """A random conversation id (no personal data in it)."""
    return f"tg-{uuid.uuid4().hex}"


class UserStore:
    """Repository over the ``users`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def touch(self, telegram_user_id: int, chat_id: int | None) -> str:
        """Record that the user wrote (creating them on first contact); return the conversation id."""
        conversation_id = self.open_conversation(telegram_user_id, chat_id, 0).conversation_id
        assert conversation_id is not None  # no peek, so the conversation was opened
        return conversation_id

    def open_conversation(
        self,
        telegram_user_id: int,
        chat_id: int | None,
        history_turns: int,
        peek: Peek | None = None,
    ) -> Opened:
        """``touch`` plus the conversation's last turns, in one transaction for a known user.

        ``peek`` runs first in the same transaction; when it returns a value, that is all.
        """
        now = utcnow()
        with self._db.session() as session:
            waiting = peek(session) if peek is not None else None
            if waiting is not None:
                return Opened(None, waiting=waiting)
            user = session.scalars(
                select(User).where(User.telegram_user_id == telegram_user_id)
            ).one_or_none()
            if user is not None:
                if _stale(user.last_seen, now):
                    user.last_seen = now
                if chat_id is not None and user.chat_id is None:
                    user.chat_id = chat_id
                turns = recent_turns(session, user.conversation_id, history_turns)
                return Opened(user.conversation_id, turns)
        return Opened(self._create(telegram_user_id, chat_id, now))

    def _create(self, telegram_user_id: int, chat_id: int | None, now: datetime) -> str:
        try:
            with self._db.session() as session:
                conversation_id = new_conversation_id()
                session.add(
                    User(
                        telegram_user_id=telegram_user_id,
                        chat_id=chat_id,
                        conversation_id=conversation_id,
                        first_seen=now,
                        last_seen=now,
                    )
                )
            return conversation_id
        except IntegrityError:
            # Another process created the user in the meantime: use theirs.
            existing = self.conversation_id(telegram_user_id)
            if existing is None:
                raise
            return existing

    def conversation_id(self, telegram_user_id: int) -> str | None:
        """The current conversation id of the user, if they have written before."""
        with self._db.session() as session:
            return session.scalars(
                select(User.conversation_id).where(User.telegram_user_id == telegram_user_id)
            ).one_or_none()

    def new_conversation(self, telegram_user_id: int, chat_id: int | None) -> str:
        """Forget the current conversation: delete its turns and hand out a fresh id."""
        self.touch(telegram_user_id, chat_id)
        with self._db.session() as session:
            user = session.scalars(
                select(User).where(User.telegram_user_id == telegram_user_id)
            ).one()
            session.execute(
                delete(ConversationTurn).where(
                    ConversationTurn.conversation_id == user.conversation_id
                )
            )
            user.conversation_id = new_conversation_id()
            return user.conversation_id

    def forget(self, telegram_user_id: int) -> bool:
        """Delete the user, their conversation turns and their feedback; False if unknown."""
        with self._db.session() as session:
            user = session.scalars(
                select(User).where(User.telegram_user_id == telegram_user_id)
            ).one_or_none()
            session.execute(delete(Feedback).where(Feedback.telegram_user_id == telegram_user_id))
            if user is None:
                return False
            session.execute(
                delete(ConversationTurn).where(
                    ConversationTurn.conversation_id == user.conversation_id
                )
            )
            session.delete(user)
            return True

    def purge(self, older_than_days: int, now: datetime | None = None) -> int:
        """Delete conversation turns and feedback older than the retention period; return rows."""
        cutoff = (now or utcnow()) - timedelta(days=older_than_days)
        with self._db.session() as session:
            turns = session.execute(
                delete(ConversationTurn).where(ConversationTurn.created_at < cutoff)
            )
            feedback = session.execute(delete(Feedback).where(Feedback.created_at < cutoff))
            return int(getattr(turns, "rowcount", 0) or 0) + int(
                getattr(feedback, "rowcount", 0) or 0
            )

    def purge_inactive(self, older_than_days: int, now: datetime | None = None) -> int:
        """Delete users who have not written for the retention period (with what is left of
        their conversation); return how many users."""
        cutoff = (now or utcnow()) - timedelta(days=older_than_days)
        with self._db.session() as session:
            stale = select(User.conversation_id).where(User.last_seen < cutoff)
            session.execute(
                delete(ConversationTurn).where(ConversationTurn.conversation_id.in_(stale))
            )
            result = session.execute(delete(User).where(User.last_seen < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)
