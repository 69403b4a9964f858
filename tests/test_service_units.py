"""Pieces of the service on the real stores: update ids in SQLite and PostgreSQL, the rate limit
in the local Redis, job labels, the JSON log format, the settings of `serve`."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from bot.handoff.advisors import Advisors
from bot.ratelimit import RateLimiter, Verdict
from bot.ratelimit_redis import RedisRateLimiter
from bot.service.app import service_problems
from bot.service.instrument import MeteredContext, job_label
from bot.service.logs import JsonFormatter
from bot.service.metrics import ServiceMetrics
from bot.store.database import Database
from bot.store.updates import UpdateLog
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import TOKEN
from tests.handoff_fixtures import ADVISOR_A, OTHER_USER, USER, FakeClock, open_case
from tests.service_harness import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_an_update_id_is_claimed_once(db: Database, clock: FakeClock) -> None:
    log = UpdateLog(db, clock)
    assert log.claim(7) is True
    assert log.claim(7) is False
    assert log.claim(8) is True


def test_concurrent_claims_of_one_update_let_exactly_one_through(
    db: Database, clock: FakeClock
) -> None:
    log = UpdateLog(db, clock)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: log.claim(4242), range(16)))
    assert results.count(True) == 1


def test_old_update_ids_are_purged(db: Database, clock: FakeClock) -> None:
    log = UpdateLog(db, clock)
    log.claim(1)
    clock.advance(timedelta(days=3))
    log.claim(2)
    assert log.purge() == 1
    assert log.claim(2) is False  # still remembered
    assert log.claim(1) is True  # long forgotten


@pytest.fixture
def redis_limiter() -> Iterator[tuple[RedisRateLimiter, RedisRateLimiter]]:
    """Two limiters on one Redis, like two replicas, under a prefix of their own."""
    prefix = f"dt-test:{uuid.uuid4().hex}"
    a = RedisRateLimiter.from_url(REDIS_URL, 3, 60, prefix=prefix)
    b = RedisRateLimiter.from_url(REDIS_URL, 3, 60, prefix=prefix)
    yield a, b
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()
    a.close()
    b.close()


def test_redis_limit_is_shared_by_replicas_and_notifies_once(
    redis_limiter: tuple[RedisRateLimiter, RedisRateLimiter],
) -> None:
    a, b = redis_limiter
    verdicts = [a.check(1), b.check(1), a.check(1), b.check(1), a.check(1)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTIFY, Verdict.DROP]
    assert 59 < a.retry_in(1) <= 60
    assert b.check(2) is Verdict.ALLOW  # another user has a window of their own
    assert a.retry_in(2) == 0


def test_redis_button_presses_cost_half_like_in_memory(
    redis_limiter: tuple[RedisRateLimiter, RedisRateLimiter],
) -> None:
    a, b = redis_limiter
    local = RateLimiter(3, 60)
    costs = [0.5, 0.5, 1.0, 0.5, 0.5, 0.5, 1.0]
    shared = [(a if n % 2 else b).check(5, cost) for n, cost in enumerate(costs)]
    assert shared == [local.check(5, cost) for cost in costs]
    assert shared[:5] == [Verdict.ALLOW] * 5  # 3 of 3 used: five presses and one message
    assert shared[5] is Verdict.NOTIFY


def test_redis_limit_follows_the_in_memory_rule() -> None:
    """Same sequence of verdicts as bot.ratelimit.RateLimiter for a burst, then a new window."""
    prefix = f"dt-test:{uuid.uuid4().hex}"
    shared = RedisRateLimiter.from_url(REDIS_URL, 2, 0.3, prefix=prefix)
    local = RateLimiter(2, 0.3)
    burst = [(shared.check(9), local.check(9)) for _ in range(4)]
    assert [redis_verdict for redis_verdict, _ in burst] == [mem for _, mem in burst]
    time.sleep(0.35)  # let the window pass (not a timing assertion)
    assert shared.check(9) is local.check(9) is Verdict.ALLOW
    shared.close()


def test_redis_unreachable_lets_messages_through(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter.from_url(f"redis://127.0.0.1:{free_port()}/0", 1, 60)
    with caplog.at_level(logging.WARNING):
        assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert limiter.retry_in(1) == 0
    assert limiter.ping() is False
    assert len([r for r in caplog.records if "Redis unreachable" in r.getMessage()]) == 1


def test_context_uses_redis_when_configured(settings_factory: SettingsFactory) -> None:
    from bot.context import build_context

    assert isinstance(build_context(settings_factory()).limiter, RateLimiter)
    context = build_context(settings_factory(redis_url=REDIS_URL))
    assert isinstance(context.limiter, RedisRateLimiter)
    assert context.limiter.ping()


def test_job_labels_drop_ids() -> None:
    assert job_label("reminder-at-12-24h") == "reminder-at"
    assert job_label("handoff-reminders") == "handoff-reminders"
    assert job_label("purge_conversations") == "purge_conversations"


def test_json_log_lines_carry_no_exception_text() -> None:
    try:
        raise ValueError("Frage von max.muster@example.org")
    except ValueError:
        record = logging.LogRecord(
            "bot", logging.ERROR, __file__, 1, "update %d failed", (7,), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "update 7 failed"
    assert line["exception"] == "ValueError"
    assert "example.org" not in json.dumps(line)


def test_serve_needs_token_and_webhook_secret(settings_factory: SettingsFactory) -> None:
    problems = service_problems(settings_factory())
    assert any("DT_TELEGRAM_TOKEN" in p for p in problems)
    assert any("DT_TELEGRAM_WEBHOOK_SECRET" in p for p in problems)
    assert (
        service_problems(settings_factory(telegram_token=TOKEN, telegram_webhook_secret="abc"))
        == []
    )


def _counts(metrics: ServiceMetrics) -> tuple[float | None, float | None]:
    sample = metrics.registry.get_sample_value
    return sample("digitalteam_handoffs_total"), sample("digitalteam_bookings_total")


def test_cases_and_bookings_are_counted_per_database(
    settings_factory: SettingsFactory, tmp_path: Path, clock: FakeClock, advisors: Advisors
) -> None:
    from bot.booking.berlin import parse_local
    from bot.booking.bookings import BookingService
    from bot.booking.slots import SlotService
    from bot.handoff.cases import CaseService

    ours, theirs = ServiceMetrics(), ServiceMetrics()
    context = MeteredContext(
        settings_factory(database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}"), ours
    )
    other = MeteredContext(
        settings_factory(database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}"), theirs
    )
    case_id = open_case(context.db, clock, advisors, USER)
    open_case(other.db, clock, advisors, USER)
    open_case(other.db, clock, advisors, OTHER_USER)
    assert CaseService(context.db, advisors, clock).claim(case_id, ADVISOR_A, "Berater").won
    slot = SlotService(context.db, clock).add(
        ADVISOR_A, parse_local("2026-12-03T10:00"), 45, "video"
    )
    BookingService(context.db, clock).book(slot.id, case_id, USER)
    assert _counts(ours) == (1, 1)
    assert _counts(theirs) == (2, 0)
    context.close()
    other.close()
