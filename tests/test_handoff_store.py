"""The store of the handoff feature: migration 0002 on SQLite and PostgreSQL, UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import StatementError

from bot.store.database import MIGRATIONS_DIR, Database
from bot.store.handoff_models import Slot

TABLES = {
    "handoff_intakes",
    "handoff_cases",
    "handoff_case_messages",
    "handoff_case_notices",
    "handoff_pending_inputs",
    "booking_slots",
    "booking_bookings",
}


def test_migration_creates_the_tables(db: Database) -> None:
    names = set(inspect(db.engine).get_table_names())
    assert names >= TABLES | {"users", "conversation_turns", "feedback"}
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            _head()
        )
    uniques = inspect(db.engine).get_unique_constraints("booking_bookings")
    indexes = inspect(db.engine).get_indexes("booking_bookings")
    unique_columns = [u["column_names"] for u in uniques] + [
        i["column_names"] for i in indexes if i.get("unique")
    ]
    assert ["slot_id"] in unique_columns
    assert ["case_id"] in unique_columns  # partial: one active booking per case


def _head() -> str:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_times_come_back_aware_in_utc(db: Database) -> None:
    berlin_summer = timezone(timedelta(hours=2))
    start = datetime(2026, 7, 3, 10, 0, tzinfo=berlin_summer)
    with db.session() as session:
        session.add(
            Slot(
                advisor_id=1, starts_at=start, ends_at=start + timedelta(minutes=30), format="video"
            )
        )
    with db.session() as session:
        slot = session.scalars(select(Slot)).one()
        assert slot.starts_at == datetime(2026, 7, 3, 8, 0, tzinfo=UTC)
        assert slot.starts_at.utcoffset() == timedelta(0)
        later = session.scalars(
            select(Slot).where(Slot.starts_at > datetime(2026, 7, 3, 7, 59, tzinfo=UTC))
        ).all()
        assert len(later) == 1


def test_naive_times_are_refused(db: Database) -> None:
    naive = Slot(
        advisor_id=1,
        starts_at=datetime(2026, 7, 3, 10, 0),
        ends_at=datetime(2026, 7, 3, 11, 0),
        format="video",
    )
    with db.session() as session:
        session.add(naive)
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()
        session.rollback()


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'cycle.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_initial")
    assert not TABLES & set(inspect(database.engine).get_table_names())
    database.dispose()
    again = Database(database.url)
    assert set(inspect(again.engine).get_table_names()) >= TABLES
    again.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_integrity_migration_keeps_one_active_booking_per_case(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Upgrading a database where the race left two bookings of one case: the newest stays active."""
    import psycopg

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    else:
        admin_url = request.getfixturevalue("pg_url").rsplit("/", 1)[0] + "/test"
        name = f"dt_upgrade_{tmp_path.name[-12:].replace('-', '_')}".lower()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    database = Database(url, run_migrations=False)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002_handoff")
        now = "2026-11-26 09:00:00"
        connection.execute(
            text(
                "INSERT INTO handoff_cases (id, telegram_user_id, chat_id, conversation_id, status,"
                " institution, institution_type, town, topic, description, contact_method,"
                " contact_value, trigger, wish, brief, created_at) VALUES (1, 1, 1, 'c', 'claimed',"
                " 'i', 't', 'o', 'p', 'd', 'm', 'v', 'g', '', 'b', :now)"
            ),
            {"now": now},
        )
        for slot in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO booking_slots (id, advisor_id, starts_at, ends_at, format,"
                    " created_at) VALUES (:id, 9, :now, :now, 'video', :now)"
                ),
                {"id": slot, "now": f"2026-12-0{slot} 09:00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO booking_bookings (id, slot_id, case_id, user_id, user_chat_id,"
                    " advisor_id, reminded_24h, reminded_1h, created_at)"
                    " VALUES (:id, :id, 1, 1, 1, 9, false, false, :now)"
                ),
                {"id": slot, "now": now},
            )
        command.upgrade(config, "head")
        active = connection.execute(
            text("SELECT id FROM booking_bookings WHERE active ORDER BY id")
        ).scalars()
        assert list(active) == [2]
    database.dispose()
    if backend == "postgresql":
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
