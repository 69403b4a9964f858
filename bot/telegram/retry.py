"""Outgoing Bot API calls: flood limits, RetryAfter (429) and network errors retried with backoff.

PTB's AIORateLimiter throttles requests (DT_TELEGRAM_MAX_RATE per second overall, Telegram's
per-group limit) and waits out RetryAfter. On top of it, connection errors are retried with
exponential backoff. A timed-out request is only repeated for idempotent methods: a sendMessage
whose response was lost may have been delivered, and repeating it would duplicate the answer.
``BadRequest`` (our fault, not the network's) is never retried. Typing indicators and callback
answers are not messages and do not count against the flood limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset(
    {
        "answerCallbackQuery",
        "deleteWebhook",
        "editMessageReplyMarkup",
        "editMessageText",
        "getFile",
        "getMe",
        "getMyCommands",
        "sendChatAction",
        "setMyCommands",
        "setWebhook",
    }
)

NOT_MESSAGES = frozenset({"sendChatAction", "answerCallbackQuery"})

JSONValue = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter plus retries with backoff for network errors."""

    __slots__ = ("_backoff_s", "_network_retries")

    def __init__(
        self,
        *,
        overall_max_rate: float,
        retries: int,
        backoff_s: float = 0.5,
    ) -> None:
        super().__init__(overall_max_rate=overall_max_rate, max_retries=retries)
        self._network_retries = retries
        self._backoff_s = backoff_s

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONValue]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONValue:
        if endpoint in NOT_MESSAGES:
            # The limiter only reads chat_id from ``data`` to pick its buckets.
            data = {k: v for k, v in data.items() if k != "chat_id"}
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except TimedOut:
                if endpoint not in IDEMPOTENT or attempt >= self._network_retries:
                    raise
                reason = "timeout"
            except NetworkError as exc:
                if attempt >= self._network_retries:
                    raise
                reason = type(exc).__name__
            delay = min(self._backoff_s * 2**attempt, 10.0)
            attempt += 1
            log.warning(
                "%s failed (%s), retry %d of %d in %.1f s",
                endpoint,
                reason,
                attempt,
                self._network_retries,
                delay,
            )
            await asyncio.sleep(delay)
