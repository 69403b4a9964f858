"""A local OpenAI-compatible chat server (aiohttp, in a background thread) for the LLM path.

Tests set ``reply`` (text the "model" answers), ``delay_s`` (to provoke a client timeout) or
``status`` (to provoke an HTTP error) and read ``requests`` (the JSON bodies received).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeLlm:
    reply: str = "Antwort [1]."
    delay_s: float = 0.0
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.status != 200:
            return web.json_response(
                {"error": {"message": "kaputt", "type": "server_error"}}, status=self.status
            )
        return web.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )

    def user_message(self, n: int = -1) -> str:
        messages = self.requests[n]["messages"]
        return next(m["content"] for m in messages if m["role"] == "user")

    def system_message(self, n: int = -1) -> str:
        messages = self.requests[n]["messages"]
        return next(m["content"] for m in messages if m["role"] == "system")


@contextmanager
def running_fake_llm() -> Iterator[FakeLlm]:
    """Serve a FakeLlm on 127.0.0.1 (random port) for the duration of the block."""
    fake = FakeLlm()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, Any] = {}

    async def start() -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", fake.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        fake.base_url = f"http://127.0.0.1:{port}/v1"
        state["runner"] = runner
        started.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
