"""Helpers for the service tests: the ASGI app on uvicorn in this event loop, fed like Telegram.

The app runs on a free port of 127.0.0.1 with its real lifespan (the bot starts, opens its
services and registers the webhook with the fake Bot API); tests post updates to ``/telegram``
the way the Bot API does in webhook mode and read the answers from the fake server.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from bot.service.app import SECRET_HEADER, WebhookService, create_app, uvicorn_config
from bot.settings import Settings
from tests.fakes.telegram_server import FakeTelegram

SECRET = "service-test_secret-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_overrides(tg: FakeTelegram, **overrides: Any) -> dict[str, Any]:
    """Settings that point the service at the fake Bot API, on a free local port."""
    return {
        "telegram_token": tg.token,
        "telegram_api_base_url": tg.base_url,
        "telegram_file_base_url": tg.base_file_url,
        "telegram_webhook_secret": SECRET,
        "http_host": "127.0.0.1",
        "http_port": free_port(),
        **overrides,
    }


def message_update(tg: FakeTelegram, update_id: int, user_id: int, text: str) -> dict[str, Any]:
    """A private text message as the Bot API posts it to the webhook."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": tg.private_chat(user_id),
        "from": tg.user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}


@dataclass
class RunningService:
    url: str
    service: WebhookService
    http: httpx.AsyncClient

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        """POST one update to /telegram, as the Bot API would."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return await self.http.post(f"{self.url}/telegram", json=update, headers=headers)

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(f"{self.url}{path}")

    async def settle(self, within: float = 30.0) -> None:
        """Wait until every update taken in has been processed."""
        app = self.service.application

        async def idle() -> None:
            while not (  # noqa: ASYNC110 - PTB's queue state has no event to wait on
                app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0
            ):
                await asyncio.sleep(0.02)

        await asyncio.wait_for(idle(), within)


@asynccontextmanager
async def running_service(settings: Settings) -> AsyncIterator[RunningService]:
    """Serve the app with uvicorn in this event loop until the block ends."""
    app = create_app(settings)
    server = uvicorn.Server(uvicorn_config(app, settings))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # uvicorn offers no start event
            if task.done():
                task.result()
                raise RuntimeError("the service did not start")
            await asyncio.sleep(0.05)
        url = f"http://{settings.http_host}:{settings.http_port}"
        async with httpx.AsyncClient(timeout=30) as http:
            yield RunningService(url, app.state.service, http)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 60)
