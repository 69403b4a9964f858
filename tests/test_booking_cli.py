"""``digitalteam slots add|list|remove`` in process, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.booking.berlin import BERLIN
from bot.cli import main
from bot.store.database import Database
from tests.handoff_fixtures import ADVISOR_A


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: Database) -> Database:
    monkeypatch.setenv("DT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DT_DATABASE_URL", db.url)
    monkeypatch.setenv("DT_ADVISOR_IDS", f"[{ADVISOR_A}]")
    return db


def _start(days: int, hour: int = 10) -> str:
    day = datetime.now(BERLIN).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def test_add_list_remove(env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    start = _start(10)
    args = ["slots", "add", "--advisor", str(ADVISOR_A), "--start", start]
    assert main([*args, "--minutes", "45", "--format", "video"]) == 0
    assert "Termin 1 angelegt" in capsys.readouterr().out
    assert main(["slots", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 1
    assert listed[0]["start"].startswith(start + ":00+0")  # Berlin offset +01:00 or +02:00
    assert (listed[0]["format"], listed[0]["booked"], listed[0]["advisor"]) == (
        "video",
        False,
        ADVISOR_A,
    )
    assert main(["slots", "list"]) == 0
    assert "frei" in capsys.readouterr().out
    assert main(["slots", "remove", "1"]) == 0
    assert main(["slots", "list", "--json"]) == 0
    assert "gelöscht" in capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--advisor", "123", "--start", "{start}", "--format", "video"], "DT_ADVISOR_IDS"),
        (["--advisor", str(ADVISOR_A), "--start", "bald", "--format", "video"], "nicht erkannt"),
        (
            ["--advisor", str(ADVISOR_A), "--start", "2020-01-01T10:00", "--format", "video"],
            "Vergangenheit",
        ),
        (
            [
                "--advisor",
                str(ADVISOR_A),
                "--start",
                "{start}",
                "--minutes",
                "600",
                "--format",
                "telefon",
            ],
            "Dauer",
        ),
    ],
)
def test_bad_input_exit_code_2(
    env: Database, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    argv = [a.replace("{start}", _start(5)) for a in argv]
    assert main(["slots", "add", *argv]) == 2
    assert message in capsys.readouterr().err


def test_remove_unknown_slot(env: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slots", "remove", "42"]) == 2
    assert "gibt es nicht" in capsys.readouterr().err
