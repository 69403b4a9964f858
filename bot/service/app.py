"""The service: one ASGI application (Starlette on uvicorn) around the bot, ``digitalteam serve``.

The pattern of python-telegram-bot's custom webhook example: the PTB Application is built
without an updater, started inside the ASGI lifespan, and ``POST /telegram`` puts each update
on its ``update_queue``. Endpoints:

- ``POST /telegram``: the Bot API's webhook. The ``X-Telegram-Bot-Api-Secret-Token`` header must
  equal DT_TELEGRAM_WEBHOOK_SECRET (403 otherwise). The update's id is recorded in the database
  first; a redelivered update (its id recorded already, by this or another replica) is
  acknowledged with 200 and skipped. The answer is 200 at once; processing continues behind it.
  A database that cannot record the id gives 503, so that Telegram delivers the update again.
- ``GET /healthz``: the process is alive (200).
- ``GET /readyz``: index loaded, database and Chroma (and Redis, when configured) reachable;
  503 with the failing parts otherwise (``bot.service.readiness``).
- ``GET /metrics``: Prometheus text format (``bot.service.metrics``).

At start, the webhook is registered with Telegram when DT_TELEGRAM_WEBHOOK_URL (the public
address of ``/telegram``) is set. It is never deleted at shutdown: another replica may still
serve it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken

from bot.service.instrument import CountingRateLimiter, MeteredContext, count_jobs
from bot.service.logs import configure_logging
from bot.service.metrics import ServiceMetrics
from bot.service.readiness import check_readiness
from bot.settings import Settings
from bot.store.updates import UpdateLog
from bot.telegram import BotApplication, build_application
from bot.telegram.app import ALLOWED_UPDATES, configuration_problems, redact_token

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
PURGE_EVERY_S = 3600.0
GRACEFUL_SHUTDOWN_S = 20
CLAIM_THREADS = 4


class WebhookService:
    """The bot application, its services and metrics, and the HTTP endpoints over them."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] | None = None) -> None:
        if settings.telegram_webhook_secret is None:
            raise ValueError("DT_TELEGRAM_WEBHOOK_SECRET is required")
        self.settings = settings
        self.metrics = ServiceMetrics()
        self.services = MeteredContext(settings, self.metrics, clock=clock)
        self.application: BotApplication = build_application(
            settings,
            self.services,
            updater=False,
            rate_limiter=CountingRateLimiter(
                self.metrics,
                overall_max_rate=settings.telegram_max_rate,
                retries=settings.telegram_retries,
            ),
        )
        self.metrics.watch_index(lambda: self.services.index)
        self.started = False
        self._secret = settings.telegram_webhook_secret.get_secret_value().encode()
        self._updates: UpdateLog | None = None
        # Recording update ids has threads of its own: in the default pool it would queue
        # behind the answers being computed, and the webhook's 200 would wait for them.
        self._claims = ThreadPoolExecutor(CLAIM_THREADS, thread_name_prefix="update-claims")

    # -- life cycle ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        """Start the bot (services, commands, jobs, webhook) before serving; stop it after."""
        application = self.application
        count_jobs(application, self.metrics)
        try:
            await application.initialize()
        except InvalidToken:
            # PTB's message quotes the token; the log must not.
            raise RuntimeError("the Bot API rejected DT_TELEGRAM_TOKEN") from None
        try:
            if application.post_init is not None:
                await application.post_init(application)
            self._updates = UpdateLog(self.services.db)
            await self._register_webhook()
            await application.start()
            purge = asyncio.create_task(self._purge_updates())
            self.started = True
            log.info("service ready on port %d", self.settings.http_port)
            try:
                yield
            finally:
                self.started = False
                purge.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await purge
                await application.stop()
        finally:
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
            self._claims.shutdown(wait=False)
            log.info("service stopped")

    async def _register_webhook(self) -> None:
        url = self.settings.telegram_webhook_url
        if url is None:
            return
        await self.application.bot.set_webhook(
            url=str(url),
            secret_token=self._secret.decode(),
            allowed_updates=ALLOWED_UPDATES,
        )
        log.info("webhook registered with Telegram")

    async def _purge_updates(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY_S)
            if self._updates is None:
                continue
            try:
                removed = await asyncio.to_thread(self._updates.purge)
            except SQLAlchemyError as exc:
                log.warning("could not purge old update ids: %s", type(exc).__name__)
                continue
            if removed:
                log.info("purged %d old update ids", removed)

    # -- endpoints -----------------------------------------------------------------------------

    async def telegram(self, request: Request) -> Response:
        """Take in one update from the Bot API (see the module docstring)."""
        updates = self.metrics.updates
        secret = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(secret, self._secret):
            updates.labels("rejected").inc()
            return Response(status_code=403)
        body = await _read_body(request, MAX_UPDATE_BYTES)
        if body is None:
            updates.labels("rejected").inc()
            return Response(status_code=413)
        update = self._parse(body)
        if update is None or self._updates is None:
            updates.labels("rejected").inc()
            return Response(status_code=400 if update is None else 503)
        try:
            loop = asyncio.get_running_loop()
            fresh = await loop.run_in_executor(self._claims, self._updates.claim, update.update_id)
        except SQLAlchemyError as exc:
            log.error(
                "update %d not recorded (%s): asking for redelivery",
                update.update_id,
                type(exc).__name__,
            )
            return Response(status_code=503)
        if not fresh:
            log.info("update %d was delivered before: skipped", update.update_id)
            updates.labels("duplicate").inc()
            return Response(status_code=200)
        await self.application.update_queue.put(update)
        updates.labels("accepted").inc()
        return Response(status_code=200)

    def _parse(self, body: bytes) -> Update | None:
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                return None
            return Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("malformed update rejected (%s)", type(exc).__name__)
            return None

    async def healthz(self, _request: Request) -> Response:
        """The process is alive."""
        return JSONResponse({"status": "alive"})

    async def readyz(self, _request: Request) -> Response:
        """200 when this replica can serve, 503 naming what fails."""
        readiness = await check_readiness(self.services, started=self.started)
        if not readiness.ready:
            log.warning("not ready: %s", ", ".join(readiness.failing))
        return JSONResponse(readiness.to_json(), status_code=200 if readiness.ready else 503)

    async def metrics_text(self, _request: Request) -> Response:
        """The metrics in Prometheus text format."""
        body, content_type = self.metrics.render()
        return Response(body, media_type=content_type)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Starlette:
    """The ASGI application; ``app.state.service`` is its ``WebhookService``."""
    service = WebhookService(settings, clock=clock)
    app = Starlette(
        routes=[
            Route("/telegram", service.telegram, methods=["POST"]),
            Route("/healthz", service.healthz, methods=["GET"]),
            Route("/readyz", service.readyz, methods=["GET"]),
            Route("/metrics", service.metrics_text, methods=["GET"]),
        ],
        lifespan=service.lifespan,
    )
    app.state.service = service
    return app


def service_problems(settings: Settings) -> list[str]:
    """What keeps ``digitalteam serve`` from starting, one line per setting (German / English)."""
    problems = configuration_problems(settings)
    if settings.telegram_webhook_secret is None and not any(
        "DT_TELEGRAM_WEBHOOK_SECRET" in problem for problem in problems
    ):
        problems.append(
            "DT_TELEGRAM_WEBHOOK_SECRET fehlt / is missing: der Dienst nimmt Updates nur mit "
            "diesem geheimen Token an (required by digitalteam serve)."
        )
    return problems


def uvicorn_config(app: Any, settings: Settings) -> Any:
    """uvicorn's configuration: our logging, no access log (metrics count the requests)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


def _stopped(signum: int, _frame: object) -> None:
    log.info("stopped by %s", signal.Signals(signum).name)


def run_service(settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM; the process exit code (2: configuration, 1: start failed)."""
    import uvicorn

    problems = service_problems(settings)
    if problems:
        print("Ungültige Einstellung / invalid setting:\n" + "\n".join(problems), file=sys.stderr)
        return 2
    configure_logging(settings)
    redact_token(settings)
    server = uvicorn.Server(uvicorn_config(create_app(settings), settings))
    # uvicorn stops gracefully on SIGINT/SIGTERM and then re-raises the signal to the handler
    # it found; this one lets the process end with 0 after a requested stop.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _stopped)
    server.run()
    if not server.started:
        log.error("the service did not start (see the messages above)")
        return 1
    return 0
