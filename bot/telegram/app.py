"""Build and run the python-telegram-bot Application: long polling, or a webhook when configured.

``run_bot(settings)`` is what ``digitalteam run`` calls. The application's services (one
``AppContext``, with conversations stored in the database) are attached when the Application is
built, opened in ``post_init`` and closed in ``post_shutdown``. Exit codes: 0 after a clean stop
(SIGINT/SIGTERM), 2 for a missing, malformed or rejected configuration: a missing or rejected
token, an unreachable Bot API, and whatever opening the services finds (database, Chroma,
manifest, an incomplete index) end in one German line naming the setting, without a traceback.

Updates the bot asks Telegram for: new messages and button presses. Edited messages are not
requested and, if they arrive anyway, ignored by every handler: the original question has
already been answered, and a second answer to an edit would read like a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder

from bot.context import AppContext, build_context
from bot.errors import ConfigurationError, operator_error, redact
from bot.settings import Settings
from bot.telegram import jobs
from bot.telegram.chat import bot_commands
from bot.telegram.handlers import register_handlers
from bot.telegram.ordering import PerUserUpdateProcessor
from bot.telegram.retry import RetryingRateLimiter
from bot.telegram.services import CONTEXT_TYPES

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]

BotApplication = Application[Any, Any, Any, Any, Any, Any]


def configuration_problems(settings: Settings) -> list[str]:
    """What keeps the bot from starting, one line per setting (German / English)."""
    problems = []
    if settings.telegram_token is None:
        problems.append(
            "DT_TELEGRAM_TOKEN fehlt / is missing: den Token von @BotFather eintragen "
            "(set the bot token issued by @BotFather)."
        )
    if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret is None:
        problems.append(
            "DT_TELEGRAM_WEBHOOK_SECRET fehlt / is missing: im Webhook-Modus ist ein geheimes "
            "Token Pflicht (required when DT_TELEGRAM_WEBHOOK_URL is set)."
        )
    return problems


def build_application(
    settings: Settings,
    services: AppContext | None = None,
    *,
    updater: bool = True,
    rate_limiter: RetryingRateLimiter | None = None,
) -> BotApplication:
    """The Application with all handlers and the services attached (opened in post_init).

    ``services`` defaults to the bot's context over ``settings`` (conversations in the database);
    tests pass their own, e.g. with a clock they move. ``updater=False`` builds it without an
    updater, for a web server that feeds ``update_queue`` itself (``digitalteam serve``);
    ``rate_limiter`` replaces the default one (the service counts its retries).
    """
    if settings.telegram_token is None:
        raise ValueError("DT_TELEGRAM_TOKEN is required")
    limiter = rate_limiter or RetryingRateLimiter(
        overall_max_rate=settings.telegram_max_rate, retries=settings.telegram_retries
    )
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerUserUpdateProcessor(settings.telegram_concurrent_updates))
        .rate_limiter(limiter)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data.services = services or build_context(settings, store_conversations=True)
    register_handlers(application)
    return application


async def _post_init(application: BotApplication) -> None:
    """Open the services, announce the commands, warm up the index and schedule the jobs."""
    services: AppContext = application.bot_data.services
    await asyncio.to_thread(services.open)
    await application.bot.set_my_commands(bot_commands())
    await asyncio.to_thread(_warm_up, services)
    jobs.schedule(application)
    log.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: BotApplication) -> None:
    """Close the services (the database connections)."""
    services: AppContext | None = application.bot_data.services
    if services is not None:
        await services.aclose()


def _warm_up(services: AppContext) -> None:
    services.retriever.corpus()
    if services.index.manifest.files:
        services.embedder.embed_query("Förderung")


@contextlib.asynccontextmanager
async def serve(
    application: BotApplication, webhook: dict[str, Any] | None = None
) -> AsyncIterator[BotApplication]:
    """Run the application in the current event loop (tests, benchmarks), as run_polling would.

    Long polling by default; ``webhook`` takes the arguments of ``webhook_options``.
    """
    updater = application.updater
    if updater is None:
        raise ValueError("the application has no updater")
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if webhook is None:
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10)
        else:
            await updater.start_webhook(**webhook)
        await application.start()
        try:
            yield application
        finally:
            if updater.running:
                await updater.stop()
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments of run_webhook / Updater.start_webhook for the configured webhook."""
    if settings.telegram_webhook_url is None or settings.telegram_webhook_secret is None:
        raise ValueError("webhook URL and secret are required")
    url = str(settings.telegram_webhook_url)
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": urlparse(url).path.lstrip("/"),
        "webhook_url": url,
        "secret_token": settings.telegram_webhook_secret.get_secret_value(),
        "allowed_updates": ALLOWED_UPDATES,
    }


class TokenRedactor(logging.Filter):
    """Replaces the bot token in every log record (URLs of the Bot API contain it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<token>")
            record.args = None
        return True


def redact_token(settings: Settings) -> None:
    """Install the TokenRedactor on all root handlers."""
    if settings.telegram_token is None:
        return
    redactor = TokenRedactor(settings.telegram_token.get_secret_value())
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def run_bot(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM; returns the process exit code."""
    problems = configuration_problems(settings)
    if problems:
        for problem in problems:
            print(f"Konfigurationsfehler: {problem}", file=sys.stderr)
        return 2
    redact_token(settings)
    application = build_application(settings)
    # A loop of its own: run_polling closes the loop it runs on.
    asyncio.set_event_loop(asyncio.new_event_loop())
    try:
        if settings.telegram_webhook_url is not None:
            log.info("starting in webhook mode on port %d", settings.telegram_webhook_port)
            application.run_webhook(**webhook_options(settings))
        else:
            log.info("starting with long polling")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print(
            "Konfigurationsfehler: DT_TELEGRAM_TOKEN – Telegram lehnt den Token ab "
            "(the Bot API rejected DT_TELEGRAM_TOKEN).",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:
        error = start_error(exc, settings)
        if error is None:
            raise
        print(error.operator_message(), file=sys.stderr)
        return 2
    finally:
        asyncio.set_event_loop(None)
    log.info("bot stopped")
    return 0


def start_error(exc: Exception, settings: Settings) -> ConfigurationError | None:
    """The operator's error for a failure while starting, or None for anything else (a bug)."""
    if isinstance(exc, NetworkError):
        token = settings.telegram_token.get_secret_value() if settings.telegram_token else None
        detail = redact(f"{settings.telegram_api_base_url}: {exc.message}", token)
        return ConfigurationError(
            f"Telegram Bot API nicht erreichbar ({detail})", "DT_TELEGRAM_API_BASE_URL"
        )
    return operator_error(exc, settings)
