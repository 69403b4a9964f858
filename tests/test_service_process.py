"""`digitalteam serve` as a real process (JSON logs, SIGTERM, --migrate-only) and readiness while
the Chroma server goes away and comes back."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from bot.context import build_context
from bot.settings import Settings
from ingest.sync import sync
from tests.conftest import FIXTURE_CORPUS, SettingsFactory, make_settings
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.handoff_fixtures import PG_ADMIN_URL
from tests.service_harness import (
    SECRET,
    free_port,
    message_update,
    running_service,
    service_overrides,
)

REPO = Path(__file__).resolve().parent.parent
USER = 6161
PRIVATE_QUESTION = "Wie hoch ist der Heimat-Scheck für den Kulturkreis Quastenhausen?"
EMAIL = "erika.quast@example.org"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DT_")}
    env.update(
        DT_DATA_DIR=str(settings.data_dir),
        DT_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        DT_PROMPTS_DIR=str(settings.prompts_dir),
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


async def _serve(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _wait_ready(
    http: httpx.AsyncClient, url: str, process: asyncio.subprocess.Process
) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError("the service exited")
        try:
            if (await http.get(f"{url}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("the service did not become ready")


@pytest.mark.slow
async def test_serve_process_answers_logs_json_without_personal_data_and_stops_on_sigterm(
    tg: FakeTelegram, settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    settings = settings_factory()
    port = free_port()
    env = _env(
        settings,
        DT_TELEGRAM_TOKEN=TOKEN,
        DT_TELEGRAM_API_BASE_URL=tg.base_url,
        DT_TELEGRAM_FILE_BASE_URL=tg.base_file_url,
        DT_TELEGRAM_WEBHOOK_SECRET=SECRET,
        DT_HTTP_HOST="127.0.0.1",
        DT_HTTP_PORT=str(port),
        DT_LOG_FORMAT="json",
    )
    process = await _serve(env, tmp_path)
    url = f"http://127.0.0.1:{port}"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            await _wait_ready(http, url, process)
            question = message_update(tg, 11, USER, f"{PRIVATE_QUESTION} Antwort an {EMAIL}")
            for _ in range(2):  # the second delivery is skipped
                response = await http.post(f"{url}/telegram", json=question, headers=headers)
                assert response.status_code == 200
            (answer,) = await tg.wait_messages(USER, 1, within=60)
            assert "Heimat-Scheck" in answer.plain
            wrong = await http.post(f"{url}/telegram", json=question, headers={})
            assert wrong.status_code == 403
            metrics = (await http.get(f"{url}/metrics")).text
        assert 'digitalteam_questions_total{outcome="answer"} 1.0' in metrics
        assert 'digitalteam_webhook_updates_total{result="duplicate"} 1.0' in metrics
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert code == 0, log
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is JSON
    messages = [line["message"] for line in lines]
    assert f"service ready on port {port}" in messages
    assert "update 11 was delivered before: skipped" in messages
    assert "service stopped" in messages
    for secret in ("Quastenhausen", "Heimat-Scheck", EMAIL, "Nutzer", TOKEN, SECRET):
        assert secret not in log
    assert len(tg.sent) == 1


async def test_serve_refuses_to_start_without_a_webhook_secret(
    settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    process = await _serve(_env(settings_factory(), DT_TELEGRAM_TOKEN=TOKEN), tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 2
    assert "DT_TELEGRAM_WEBHOOK_SECRET" in stderr.decode()
    assert TOKEN not in stderr.decode()


@pytest.fixture
def empty_pg_database() -> Iterator[str]:
    name = f"dt_service_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_migrate_only_creates_the_schema_and_exits(
    settings_factory: SettingsFactory, tmp_path: Path, empty_pg_database: str
) -> None:
    env = _env(settings_factory(), DT_DATABASE_URL=empty_pg_database)
    process = await _serve(env, tmp_path, "--migrate-only")
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    with psycopg.connect(empty_pg_database) as connection:
        tables = {row[0] for row in connection.execute("SELECT tablename FROM pg_tables")}
    assert {"telegram_updates", "handoff_cases", "conversation_turns"} <= tables


class ChromaServer:
    """A `chroma run` process on a fixed port and directory that can be stopped and restarted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        command = [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("chroma server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def _readiness(get: object, within: float, status: int) -> dict[str, object]:
    """Poll /readyz until it answers ``status``; returns its body."""
    deadline = time.monotonic() + within
    while True:
        response = await get("/readyz")  # type: ignore[operator]
        if response.status_code == status or time.monotonic() > deadline:
            assert response.status_code == status, response.text
            return dict(response.json())
        await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_readiness_follows_the_chroma_server(
    tg: FakeTelegram, tmp_path: Path, chroma: ChromaServer
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_CORPUS, knowledge)
    settings = make_settings(
        tmp_path / "data",
        knowledge,
        chroma_host="127.0.0.1",
        chroma_port=chroma.port,
        **service_overrides(tg),
    )
    ingest = build_context(settings)
    assert not sync(ingest.index, [knowledge], knowledge, ingest.limits, ingest.chunking).failed
    ingest.close()
    async with running_service(settings) as service:
        ready = await _readiness(service.get, 10, 200)
        assert ready["checks"] == {"index": "ok", "database": "ok", "chroma": "ok"}

        await asyncio.to_thread(chroma.stop)
        down = await _readiness(service.get, 30, 503)
        checks = down["checks"]
        assert isinstance(checks, dict)
        assert checks["chroma"] != "ok"
        assert checks["database"] == checks["index"] == "ok"
        assert down["status"] == "not ready"
        assert (await service.get("/healthz")).status_code == 200  # alive, only not ready

        await asyncio.to_thread(chroma.start)
        await _readiness(service.get, 30, 200)
        # And it answers from the server again.
        await service.post(message_update(tg, 31, USER, "Wie hoch ist der Heimat-Scheck?"))
        (answer,) = await tg.wait_messages(USER, 1)
        assert "Heimat-Scheck" in answer.plain
