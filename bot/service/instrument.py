"""Where the metrics are counted: hooks on seams that exist anyway, no changes to the services.

- questions and answer latency: ``MeteredContext.answer`` wraps ``AppContext.answer``, the one
  call every question of the bot goes through;
- consultation cases and bookings: SQLAlchemy ``after_insert`` events on their models, limited
  to this context's database engine (so two apps in one process never count each other's rows);
- Bot API errors and retries: ``CountingRateLimiter`` wraps each request attempt;
- job runs: an APScheduler listener on the JobQueue's scheduler.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from functools import cached_property
from typing import Any

from sqlalchemy import event
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import AppContext
from bot.service.metrics import ServiceMetrics
from bot.settings import Settings
from bot.store.database import Database
from bot.telegram.retry import JSONValue, RetryingRateLimiter

log = logging.getLogger(__name__)


class MeteredContext(AppContext):
    """The bot's context (conversations in the database) with its use counted in ``metrics``."""

    def __init__(self, settings: Settings, metrics: ServiceMetrics, **kwargs: Any) -> None:
        super().__init__(settings, store_conversations=True, **kwargs)
        self.metrics = metrics
        self._row_hooks: list[tuple[type, Callable[..., None]]] = []

    def observe_answer(self, outcome: str, seconds: float) -> None:
        """Every question, timed and counted by outcome."""
        self.metrics.answer_seconds.observe(seconds)
        self.metrics.questions.labels(outcome).inc()

    @cached_property
    def db(self) -> Database:
        """The database, with new cases and bookings counted."""
        from bot.store.handoff_models import Booking, Case

        db = super().db
        self._count_inserts(db, Case, self.metrics.handoffs.inc)
        self._count_inserts(db, Booking, self.metrics.bookings.inc)
        return db

    def _count_inserts(self, db: Database, model: type, count: Callable[[], None]) -> None:
        engine = db.engine

        def counted(_mapper: Any, connection: Any, _target: Any) -> None:
            if connection.engine is engine:
                count()

        event.listen(model, "after_insert", counted)
        self._row_hooks.append((model, counted))

    def close(self) -> None:
        """Close the services and remove the row hooks (idempotent)."""
        for model, hook in self._row_hooks:
            event.remove(model, "after_insert", hook)
        self._row_hooks.clear()
        limiter = self.__dict__.get("limiter")
        if limiter is not None and hasattr(limiter, "close"):
            limiter.close()
        super().close()


class CountingRateLimiter(RetryingRateLimiter):
    """The bot's rate limiter, counting failed attempts and retries per Bot API method."""

    __slots__ = ("_metrics",)

    def __init__(self, metrics: ServiceMetrics, *, overall_max_rate: float, retries: int) -> None:
        super().__init__(overall_max_rate=overall_max_rate, retries=retries)
        self._metrics = metrics

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONValue]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONValue:
        metrics = self._metrics
        attempts = 0

        async def attempt(*a: Any, **k: Any) -> JSONValue:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                metrics.telegram_retries.labels(endpoint).inc()
            try:
                return await callback(*a, **k)
            except TelegramError as exc:
                metrics.telegram_errors.labels(endpoint, type(exc).__name__).inc()
                raise

        return await super().process_request(attempt, args, kwargs, endpoint, data, rate_limit_args)


def count_jobs(
    application: Application[Any, Any, Any, Any, Any, Any], metrics: ServiceMetrics
) -> None:
    """Count every run of the application's scheduled jobs by job name."""
    from apscheduler.events import EVENT_JOB_ADDED, EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    queue = application.job_queue
    if queue is None:
        return
    scheduler = queue.scheduler
    names: dict[str, str] = {}

    def listen(scheduled: Any) -> None:
        if scheduled.code == EVENT_JOB_ADDED:
            job = scheduler.get_job(scheduled.job_id)
            names[scheduled.job_id] = job_label(str(getattr(job, "name", None) or "job"))
            return
        name = names.get(scheduled.job_id, "job")
        if scheduler.get_job(scheduled.job_id) is None:  # a one-off job is gone after its run
            names.pop(scheduled.job_id, None)
        metrics.job_runs.labels(name).inc()

    scheduler.add_listener(listen, EVENT_JOB_ADDED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)


def job_label(name: str) -> str:
    """The job's name without the ids some names carry ("reminder-at-12-24h" -> "reminder-at")."""
    return re.sub(r"-\d.*$", "", name) or "job"
