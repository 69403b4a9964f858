"""Helpers for the Telegram end-to-end tests: a running bot against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from bot.context import AppContext
from bot.settings import Settings
from bot.telegram import BotApplication, build_application, serve
from tests.fakes.telegram_server import TOKEN, FakeTelegram


def bot_overrides(tg: FakeTelegram, **overrides: Any) -> dict[str, Any]:
    """Settings that point the bot at the fake server."""
    return {
        "telegram_token": TOKEN,
        "telegram_api_base_url": tg.base_url,
        "telegram_file_base_url": tg.base_file_url,
        **overrides,
    }


@dataclass
class RunningBot:
    tg: FakeTelegram
    app: BotApplication
    services: AppContext


@asynccontextmanager
async def running_bot(settings: Settings, tg: FakeTelegram) -> AsyncIterator[RunningBot]:
    """Build the real Application (it opens its services) and poll the fake server."""
    app = build_application(settings)
    tg.release_polls(False)
    async with serve(app):
        try:
            yield RunningBot(tg, app, app.bot_data.services)
        finally:
            tg.release_polls()


async def settle(bot: RunningBot, within: float = 20.0) -> None:
    """Wait until the bot fetched every injected update and finished processing all of them."""
    app = bot.app

    def idle() -> bool:
        return (
            bot.tg.delivered_up_to >= bot.tg.last_update_id
            and app.update_queue.empty()
            and app.update_processor.current_concurrent_updates == 0
        )

    async def wait() -> None:
        while not idle():  # noqa: ASYNC110 - PTB's queue state has no event to wait on
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), within)
