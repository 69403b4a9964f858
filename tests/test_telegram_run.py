"""`digitalteam run` as a real process, its configuration errors, and webhook mode."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.settings import Settings
from bot.telegram.app import build_application, configuration_problems, serve, webhook_options
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import TOKEN, FakeTelegram
from tests.telegram_harness import bot_overrides

USER = 4242
REPO = Path(__file__).resolve().parent.parent


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
        **extra,
    )
    return env


async def _run(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.slow
async def test_run_process_answers_and_stops_cleanly_on_sigterm(
    tg: FakeTelegram, settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    settings = settings_factory()
    env = _env(
        settings,
        DT_TELEGRAM_TOKEN=TOKEN,
        DT_TELEGRAM_API_BASE_URL=tg.base_url,
        DT_TELEGRAM_FILE_BASE_URL=tg.base_file_url,
        PYTHONPATH=str(REPO),
    )
    process = await _run(env, tmp_path)
    try:
        tg.message(USER, "/start")
        (welcome,) = await tg.wait_messages(USER, 1, within=120)
        assert "Willkommen" in welcome.plain
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert code == 0, log
    assert TOKEN not in log
    assert "bot stopped" in log
    assert tg.errors == []


@pytest.mark.parametrize(
    ("token", "expected"),
    [(None, "DT_TELEGRAM_TOKEN fehlt / is missing"), ("not-a-token", "DT_TELEGRAM_TOKEN")],
    ids=["missing", "malformed"],
)
async def test_run_without_a_valid_token_exits_with_code_2(
    settings_factory: SettingsFactory, tmp_path: Path, token: str | None, expected: str
) -> None:
    settings = settings_factory()
    extra = {"DT_TELEGRAM_TOKEN": token} if token else {}
    process = await _run(_env(settings, **extra), tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 2
    assert expected in stderr.decode()
    assert "not-a-token" not in stderr.decode()


def test_webhook_mode_requires_a_secret(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(
        telegram_token=TOKEN, telegram_webhook_url="https://bot.example.org/telegram"
    )
    (problem,) = configuration_problems(settings)
    assert "DT_TELEGRAM_WEBHOOK_SECRET" in problem


async def test_webhook_mode_accepts_only_the_secret_token(
    tg: FakeTelegram, settings_factory: SettingsFactory, unused_tcp_port: int
) -> None:
    settings = settings_factory(
        **bot_overrides(tg),
        telegram_webhook_url="https://bot.example.org/telegram/hook",
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=unused_tcp_port,
        telegram_webhook_secret="s3cret_token-1",
    )
    app = build_application(settings)
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": tg.private_chat(USER),
            "from": tg.user(USER),
            "text": "/hilfe",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/hook"
    async with serve(app, webhook=webhook_options(settings)):
        assert tg.webhook["url"] == "https://bot.example.org/telegram/hook"
        assert tg.webhook["secret_token"] == "s3cret_token-1"
        async with aiohttp.ClientSession() as http:
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with http.post(url, json=update, headers=wrong) as response:
                assert response.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_token-1"}
            async with http.post(url, json=update, headers=right) as response:
                assert response.status == 200
        (reply,) = await tg.wait_messages(USER, 1)
    assert "So nutzen Sie den Assistenten" in reply.plain
    assert tg.errors == []
