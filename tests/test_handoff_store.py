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
            "funding_0003"
        )
    uniques = inspect(db.engine).get_unique_constraints("booking_bookings")
    indexes = inspect(db.engine).get_indexes("booking_bookings")
    unique_columns = [u["column_names"] for u in uniques] + [
        i["column_names"] for i in indexes if i.get("unique")
    ]
    assert ["slot_id"] in unique_columns


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
