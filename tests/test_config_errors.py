"""Configuration errors at start end in one German line naming the setting and exit code 2, never
in a traceback, and never show a secret; ``digitalteam doctor`` reports the same conditions.

Every command runs in process (``tests/cli_harness.py``). ``digitalteam run`` talks to the fake
Bot API served from a thread of its own (``run_polling`` blocks the test's thread), or to a closed
local port for the unreachable Bot API.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.context import build_context
from tests.cli_harness import CliRun, run_cli
from tests.conftest import SettingsFactory, make_settings
from tests.fakes.telegram_server import TOKEN, FakeTelegram

Run = Callable[..., CliRun]
PASSWORD = "Geheim-Passwort-42"
CHECKS = ["settings", "data_dir", "manifest", "chroma", "database", "knowledge"]


def closed_port() -> int:
    """A local port nobody listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def telegram_in_thread() -> Iterator[FakeTelegram]:
    """The fake Bot API on an event loop in a background thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = FakeTelegram()
    asyncio.run_coroutine_threadsafe(server.__aenter__(), loop).result(30)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.__aexit__(None, None, None), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture
def root(settings_factory: SettingsFactory) -> Path:
    return settings_factory().data_dir.parent


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    def run(root: Path, *args: str, env: dict[str, str] | None = None) -> CliRun:
        return run_cli(monkeypatch, root, *args, env=env)

    return run


def assert_operator_error(done: CliRun, prefix: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(prefix), done.stderr
    assert "Traceback" not in done.stderr
    assert PASSWORD not in done.stderr + done.stdout
    assert TOKEN not in done.stderr + done.stdout


def run_bot_cli(run: Run, root: Path, env: dict[str, str]) -> CliRun:
    with telegram_in_thread() as tg:
        bot_env = {
            "DT_TELEGRAM_TOKEN": TOKEN,
            "DT_TELEGRAM_API_BASE_URL": tg.base_url,
            "DT_TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        }
        return run(root, "run", env=bot_env | env)


def doctor_lines(done: CliRun) -> dict[str, str]:
    labels = {"Einstellungen": "settings", "Datenverzeichnis": "data_dir", "Manifest": "manifest"}
    labels |= {"Chroma": "chroma", "Datenbank": "database", "Wissensordner": "knowledge"}
    lines = {}
    for line in done.stdout.splitlines():
        label = line.split(maxsplit=1)[1].split(":", 1)[0]
        lines[labels[label]] = line
    return lines


# -- the database ---------------------------------------------------------------------------------

UNREACHABLE_DB = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{closed_port()}/test"


def test_unreachable_database_names_dt_database_url_without_the_password(
    root: Path, run: Run
) -> None:
    env = {"DT_DATABASE_URL": UNREACHABLE_DB}
    done = run(root, "docs", "remove", "heimat-scheck", "--yes", env=env)
    assert_operator_error(
        done, "Konfigurationsfehler: DT_DATABASE_URL – Datenbank nicht erreichbar"
    )
    assert "postgresql://postgres:***@127.0.0.1" in done.stderr
    assert (root / "knowledge" / "foerderung" / "heimat-scheck.md").exists()  # nothing happened

    audit = run(root, "audit", env=env)
    assert_operator_error(audit, "Konfigurationsfehler: DT_DATABASE_URL – ")

    bot = run_bot_cli(run, root, env)
    assert_operator_error(bot, "Konfigurationsfehler: DT_DATABASE_URL – Datenbank nicht erreichbar")

    doctor = run(root, "doctor", env=env)
    assert doctor.returncode == 2
    line = doctor_lines(doctor)["database"]
    assert line.startswith("FEHLER  Datenbank: DT_DATABASE_URL – nicht erreichbar")
    assert PASSWORD not in doctor.stdout


def test_unreadable_database_url_is_named_and_not_echoed(root: Path, run: Run) -> None:
    done = run(root, "audit", env={"DT_DATABASE_URL": f"postgres//admin:{PASSWORD}"})
    assert_operator_error(done, "Konfigurationsfehler: DT_DATABASE_URL – ")
    assert "URL nicht lesbar" in done.stderr


# -- Chroma -----------------------------------------------------------------------------------------


def test_unreachable_chroma_server_names_dt_chroma_host(root: Path, run: Run) -> None:
    env = {"DT_CHROMA_HOST": "127.0.0.1", "DT_CHROMA_PORT": str(closed_port())}
    prefix = "Konfigurationsfehler: DT_CHROMA_HOST – Chroma nicht erreichbar (Chroma-Server 127."
    for command in (
        ["chat"],
        ["ingest"],
        ["search", "Förderung"],
        ["docs", "remove", "heimat-scheck", "--yes"],
    ):
        assert_operator_error(run(root, *command, env=env), prefix)
    assert_operator_error(run_bot_cli(run, root, env), prefix)

    doctor = run(root, "doctor", env=env)
    assert doctor.returncode == 2
    assert doctor_lines(doctor)["chroma"].startswith("FEHLER  Chroma: DT_CHROMA_HOST – Chroma")


def test_chroma_credentials_in_the_host_are_not_shown(root: Path, run: Run) -> None:
    env = {"DT_CHROMA_HOST": f"admin:{PASSWORD}@127.0.0.1", "DT_CHROMA_PORT": str(closed_port())}
    done = run(root, "chat", env=env)
    assert_operator_error(done, "Konfigurationsfehler: DT_CHROMA_HOST – ")


def test_unreadable_embedded_store_names_dt_data_dir(root: Path, run: Run) -> None:
    store = root / "data" / "chroma" / "chroma.sqlite3"
    store.write_bytes(b"\x00no database\xff" * 4096)
    done = run(root, "chat")
    assert_operator_error(done, "Konfigurationsfehler: DT_DATA_DIR – Chroma nicht erreichbar (")
    assert "beiseitelegen und 'digitalteam ingest'" in done.stderr
    doctor = run(root, "doctor")
    assert doctor_lines(doctor)["chroma"].startswith("FEHLER  Chroma: DT_DATA_DIR – Chroma nicht")


# -- the manifest (reading commands and ingest: tests/test_index_health.py) -----------------------


def test_corrupt_manifest_stops_run_and_doctor_with_exit_2(root: Path, run: Run) -> None:
    (root / "data" / "manifest.json").write_text('{"embedding_model": ', encoding="utf-8")
    bot = run_bot_cli(run, root, {})
    assert_operator_error(bot, "Indexfehler: DT_DATA_DIR – ")
    assert "manifest.json ist beschädigt" in bot.stderr and "digitalteam ingest" in bot.stderr

    doctor = run(root, "doctor", "--json")
    assert doctor.returncode == 2
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert not checks["manifest"]["ok"] and checks["manifest"]["setting"] == "DT_DATA_DIR"
    assert checks["chroma"]["detail"] == "nicht geprüft: Manifest unlesbar"


# -- the data directory -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["ingest"], ["chat"], ["docs", "list"], ["ask", "Förderung?"], ["run"]],
    ids=lambda c: "-".join(c[:2]),
)
def test_data_dir_that_cannot_be_written_names_dt_data_dir(
    root: Path, run: Run, command: list[str]
) -> None:
    blocker = root / "blocker"
    blocker.write_text("a file where the data directory should be", encoding="utf-8")
    env = {"DT_DATA_DIR": str(blocker / "data"), "DT_TELEGRAM_TOKEN": TOKEN}
    done = run(root, *command, env=env)
    assert_operator_error(
        done, "Konfigurationsfehler: DT_DATA_DIR – Datenverzeichnis nicht beschreibbar ("
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_data_dir_names_dt_data_dir(root: Path, run: Run) -> None:
    data = root / "data"
    for path in [data, *data.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
    try:
        done = run(root, "ingest")
    finally:
        for path in [data, *data.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
    assert_operator_error(done, "Konfigurationsfehler: DT_DATA_DIR – Datenverzeichnis nicht")


# -- the Bot API --------------------------------------------------------------------------------------


def test_unreachable_bot_api_at_start_names_the_base_url(root: Path, run: Run) -> None:
    base = f"http://127.0.0.1:{closed_port()}/bot"
    env = {"DT_TELEGRAM_TOKEN": TOKEN, "DT_TELEGRAM_API_BASE_URL": base}
    done = run(root, "run", env=env | {"DT_TELEGRAM_RETRIES": "1"})
    assert_operator_error(
        done,
        f"Konfigurationsfehler: DT_TELEGRAM_API_BASE_URL – Telegram Bot API nicht erreichbar "
        f"({base}: ",
    )


# -- doctor -------------------------------------------------------------------------------------------


def test_doctor_passes_on_a_ready_installation(root: Path, run: Run) -> None:
    ctx = build_context(make_settings(root / "data", root / "knowledge"))
    ctx.db  # noqa: B018 - applies the migrations, as `digitalteam run` does at start
    ctx.close()

    done = run(root, "doctor")
    assert done.returncode == 0, done.stdout
    lines = doctor_lines(done)
    assert list(lines) == CHECKS
    assert all(line.startswith("OK ") for line in lines.values())
    assert "6 Dokumente, 19 Abschnitte" in lines["manifest"]
    assert "alle 19 Abschnitte vorhanden" in lines["chroma"]

    as_json = json.loads(run(root, "doctor", "--json").stdout)
    assert as_json["ok"] is True
    assert [c["name"] for c in as_json["checks"]] == CHECKS


def test_doctor_on_a_fresh_database_asks_for_the_migrations(root: Path, run: Run) -> None:
    lines = doctor_lines(run(root, "doctor"))
    assert lines["database"].startswith("FEHLER  Datenbank: DT_DATA_DIR – Migrationen nicht")


def test_doctor_reports_settings_that_do_not_load(root: Path, run: Run) -> None:
    done = run(root, "doctor", env={"DT_CHUNK_SIZE": "5"})
    assert done.returncode == 2
    assert done.stdout.startswith("FEHLER  Einstellungen: DT_CHUNK_SIZE – ")
    as_json = json.loads(run(root, "doctor", "--json", env={"DT_CHUNK_SIZE": "5"}).stdout)
    assert as_json["ok"] is False and as_json["checks"][0]["setting"] == "DT_CHUNK_SIZE"


def test_doctor_reports_a_missing_knowledge_folder(root: Path, run: Run) -> None:
    done = run(root, "doctor", env={"DT_KNOWLEDGE_DIR": str(root / "nirgends")})
    assert done.returncode == 2
    line = doctor_lines(done)["knowledge"]
    assert line.startswith("FEHLER  Wissensordner: DT_KNOWLEDGE_DIR – ") and "fehlt" in line


def test_settings_errors_use_the_same_line(root: Path, run: Run) -> None:
    done = run(root, "chat", env={"DT_CHUNK_SIZE": "5"})
    assert_operator_error(done, "Konfigurationsfehler: DT_CHUNK_SIZE – ")
