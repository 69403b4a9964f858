"""Telegram updates already taken in: each ``update_id`` is processed once, by one replica.

Telegram redelivers an update when the webhook did not answer 200 in time, and behind a load
balancer the redelivery may reach another replica. The replica that takes an update in records
its id first (insert-or-skip, one statement, atomic on SQLite and PostgreSQL); a replica that
finds the id recorded acknowledges the update without processing it. Rows hold no personal
data (only the id and when it came) and are purged after ``KEEP`` (Telegram gives up
redelivering after 24 hours).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, DateTime, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.database import Database
from bot.store.models import Base, utcnow

KEEP = timedelta(days=2)


class ReceivedUpdate(Base):
    """The id of a Telegram update some replica has taken in."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class UpdateLog:
    """Insert-or-skip of update ids in the shared database."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def claim(self, update_id: int) -> bool:
        """Record ``update_id``; False when it was recorded before (a redelivery)."""
        dialect = sqlite if self._db.is_sqlite else postgresql
        statement = (
            dialect.insert(ReceivedUpdate)
            .values(update_id=update_id, received_at=self._clock())
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(ReceivedUpdate.update_id)
        )
        with self._db.session() as session:
            return session.execute(statement).scalar_one_or_none() is not None

    def purge(self) -> int:
        """Forget ids older than ``KEEP``; returns how many were removed."""
        cutoff = self._clock() - KEEP
        with self._db.session() as session:
            result = session.execute(
                delete(ReceivedUpdate).where(ReceivedUpdate.received_at < cutoff)
            )
        return int(getattr(result, "rowcount", 0))
