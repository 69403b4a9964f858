"""Database fixtures for the handoff and booking tests: SQLite and the local PostgreSQL.

PostgreSQL is the real server at 127.0.0.1:5432; each test session creates a uniquely named
database (migrations applied once) and drops it at the end. Each pytest-xdist worker is a session
of its own, so parallel workers never share a database. These tests never skip: if the server is
unreachable they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from bot.handoff.advisors import Advisors
from bot.store.database import Database
from bot.store.models import Base

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", "postgresql"]
ADVISOR_A = 9001
ADVISOR_B = 9002
USER = 4711
OTHER_USER = 4712


class FakeClock:
    """A settable clock for services (UTC, timezone-aware)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"dt_handoff_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    Database(url).dispose()  # migrations once per session
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate(db: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on SQLite and on PostgreSQL."""
    import bot.store.handoff_models  # noqa: F401  (register the tables for TRUNCATE)

    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'handoff.sqlite3'}")
    else:
        database = Database(request.getfixturevalue("pg_url"))
        _truncate(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))


@pytest.fixture
def advisors() -> Advisors:
    return Advisors.of([ADVISOR_A, ADVISOR_B], chat_id=-100123)


ClockFactory = Callable[[], FakeClock]


STANDARD_ANSWERS = [
    "Heimatverein Musterdorf e. V.",
    "heimatverein",
    "Musterdorf",
    "foerderung",
    "Wir möchten unser Dorfarchiv digitalisieren und suchen eine passende Förderung.",
    "telefon",
    "0251 591-4711",
    "ja",
]


def services(db: Database, clock: FakeClock, advisors: Advisors, turns: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    """Case and intake services on one database and clock."""
    from bot.handoff.cases import CaseService
    from bot.handoff.intake import IntakeService

    cases = CaseService(db, advisors, clock)
    intake = IntakeService(db, cases, lambda _cid: list(turns or []), 180, clock)
    return cases, intake


def open_case(db: Database, clock: FakeClock, advisors: Advisors, user: int = USER) -> int:
    """Run a complete intake for ``user`` and return the new case id."""
    _cases, intake = services(db, clock, advisors)
    intake.start(user, user, f"conv-{user}", "unanswered", "Wie digitalisieren wir das Archiv?")
    reply = None
    for answer in STANDARD_ANSWERS:
        reply = intake.answer(user, answer)
    assert reply is not None and reply.case is not None
    return reply.case.id
