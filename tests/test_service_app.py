"""`digitalteam serve` in process: webhook, exactly-once updates, health, readiness, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.service_harness import (
    SECRET,
    RunningService,
    message_update,
    running_service,
    service_overrides,
)

USER = 5151
QUESTION = "Wie hoch ist der Heimat-Scheck?"
PUBLIC_URL = "https://bot.example.org/telegram"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def service(
    tg: FakeTelegram, settings_factory: SettingsFactory
) -> AsyncIterator[RunningService]:
    settings = settings_factory(**service_overrides(tg, telegram_webhook_url=PUBLIC_URL))
    async with running_service(settings) as running:
        yield running


def samples(text: str) -> dict[str, float]:
    """Every sample of the exposition as 'name{label="value",...}' -> value."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            out[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return out


async def test_start_registers_the_webhook_with_its_secret(
    tg: FakeTelegram, service: RunningService
) -> None:
    assert tg.webhook["url"] == PUBLIC_URL
    assert tg.webhook["secret_token"] == SECRET
    assert set(tg.webhook["allowed_updates"]) == {"message", "callback_query"}
    assert tg.commands  # post_init ran: the command menu is set


async def test_a_question_is_answered_once_even_when_redelivered(
    tg: FakeTelegram, service: RunningService
) -> None:
    first = message_update(tg, 101, USER, QUESTION)
    assert (await service.post(first)).status_code == 200
    assert (await service.post(first)).status_code == 200  # Telegram redelivers after a timeout
    assert (await service.post(message_update(tg, 102, USER, "/hilfe"))).status_code == 200
    await tg.wait_messages(USER, 2)
    await service.settle()
    answer, help_text = tg.messages(USER)
    assert "Heimat-Scheck" in answer.plain
    assert "So nutzen Sie den Assistenten" in help_text.plain
    assert tg.errors == []

    metrics = samples((await service.get("/metrics")).text)
    assert metrics['digitalteam_webhook_updates_total{result="accepted"}'] == 2
    assert metrics['digitalteam_webhook_updates_total{result="duplicate"}'] == 1
    assert metrics['digitalteam_questions_total{outcome="answer"}'] == 1
    assert metrics["digitalteam_answer_seconds_count"] == 1
    assert metrics["digitalteam_index_documents"] > 0
    assert metrics["digitalteam_index_chunks"] >= metrics["digitalteam_index_documents"]
    assert "digitalteam_index_generation" in metrics


async def test_only_the_secret_token_is_accepted(tg: FakeTelegram, service: RunningService) -> None:
    update = message_update(tg, 201, USER, "/hilfe")
    assert (await service.post(update, secret="wrong")).status_code == 403
    assert (await service.post(update, secret=None)).status_code == 403
    assert (await service.post(update, secret=SECRET[:-1])).status_code == 403
    await service.settle()
    assert tg.messages(USER) == []
    # The rejected posts did not record the id: the genuine delivery is processed.
    assert (await service.post(update)).status_code == 200
    await tg.wait_messages(USER, 1)
    metrics = samples((await service.get("/metrics")).text)
    assert metrics['digitalteam_webhook_updates_total{result="rejected"}'] == 3


async def test_malformed_and_oversized_posts_are_refused(service: RunningService) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    url = f"{service.url}/telegram"
    bad_json = await service.http.post(url, content=b"{not json", headers=headers)
    assert bad_json.status_code == 400
    no_id = await service.http.post(url, json={"message": {}}, headers=headers)
    assert no_id.status_code == 400
    not_object = await service.http.post(url, json=[1, 2, 3], headers=headers)
    assert not_object.status_code == 400
    huge = await service.http.post(url, content=b"x" * (2 * 1024 * 1024), headers=headers)
    assert huge.status_code == 413
    assert (await service.get("/healthz")).status_code == 200


async def test_health_readiness_and_metrics_endpoints(service: RunningService) -> None:
    health = await service.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "alive"})
    ready = await service.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"index": "ok", "database": "ok", "chroma": "ok"},
    }
    metrics = await service.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(metrics.text)}
    assert {
        "digitalteam_questions",
        "digitalteam_answer_seconds",
        "digitalteam_handoffs",
        "digitalteam_bookings",
        "digitalteam_telegram_api_errors",
        "digitalteam_telegram_api_retries",
        "digitalteam_job_runs",
        "digitalteam_index_chunks",
        "digitalteam_index_generation",
    } <= names
    assert "python_gc_objects_collected" not in names  # its own registry, not the global one


async def test_bot_api_errors_and_retries_are_counted(
    tg: FakeTelegram, service: RunningService
) -> None:
    tg.fail_next("sendMessage", "retry_after", retry_after=1)
    assert (await service.post(message_update(tg, 301, USER, "/hilfe"))).status_code == 200
    await tg.wait_messages(USER, 1)
    metrics = samples((await service.get("/metrics")).text)
    assert (
        metrics['digitalteam_telegram_api_errors_total{error="RetryAfter",method="sendMessage"}']
        == 1
    )
    assert metrics['digitalteam_telegram_api_retries_total{method="sendMessage"}'] == 1


async def test_job_runs_are_counted(service: RunningService) -> None:
    async def rebuilt() -> float:
        while True:
            metrics = samples((await service.get("/metrics")).text)
            runs = metrics.get('digitalteam_job_runs_total{job="reminder-rebuild"}', 0)
            if runs:
                return runs
            await asyncio.sleep(0.2)

    assert await asyncio.wait_for(rebuilt(), 20) == 1  # the one-off job scheduled at start
