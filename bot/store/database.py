"""Database engine, sessions and automatic Alembic migrations.

Nothing a user wrote may reach the logs through the database layer:

- ``hide_parameters=True``: statement parameters never appear in SQLAlchemy's log lines or in the
  text of its exceptions;
- result rows are never logged, even with the ``sqlalchemy.engine`` logger at DEBUG (SQLAlchemy
  logs every fetched row at that level);
- PostgreSQL's ``DETAIL`` (``Failing row contains (...)``, ``Key (...)=(...)``) is cut from
  driver errors before anything can print them; the primary message and the SQL remain.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class _NoRowsLogger(logging.LoggerAdapter[logging.Logger]):
    """The engine's logger with DEBUG switched off: at DEBUG SQLAlchemy logs every result row."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


def _scrub_error(context: ExceptionContext) -> None:
    """Cut the DETAIL (row or key values) from a PostgreSQL error and from SQLAlchemy's copy."""
    original = context.original_exception
    primary = getattr(getattr(original, "diag", None), "message_primary", None)
    if not primary:
        return
    original.args = (primary,)
    wrapped = context.sqlalchemy_exception
    if wrapped is not None:
        kind = type(original)
        wrapped.args = (f"({kind.__module__}.{kind.__name__}) {primary}",)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets foreign keys, WAL and a busy timeout."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
        )
        event.listen(engine, "handle_error", _scrub_error)
    base = engine.logger
    named = base if isinstance(base, logging.Logger) else base.logger
    engine.logger = _NoRowsLogger(named, {})  # type: ignore[assignment]
    return engine


def migrate(engine: Engine) -> None:
    """Apply all Alembic migrations up to head (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """Engine plus session factory; ``session()`` commits on success and rolls back on error."""

    def __init__(self, url: str, *, run_migrations: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commit when the block succeeds, roll back when it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def serialised(self, key: str, subject: int) -> Iterator[Session]:
        """A transaction that holds a lock on ``(key, subject)`` until it ends.

        For check-then-write sequences that a constraint cannot express (overlapping slots of one
        advisor): PostgreSQL takes a transaction-scoped advisory lock, SQLite starts the
        transaction with ``BEGIN IMMEDIATE`` (one writer at a time for the whole file).
        """
        with self._sessions() as session, session.begin():
            if self.is_sqlite:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            else:
                session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                    {"key": f"{key}:{subject}"},
                )
            yield session

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()
