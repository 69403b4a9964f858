"""Service benchmark: one `digitalteam serve` replica driven over HTTP like Telegram's webhook.

The real ``digitalteam serve`` process (extractive answers, the local PostgreSQL when reachable,
else SQLite; the rate limit in the local Redis when reachable) answers 50 simulated users × 10
questions posted to ``/telegram``; the fake Bot API in this process receives the answers. As in
the bot benchmark, a "paced" phase (users read and type for 2-6 s between questions, the target
scenario) and a "burst" phase without pauses (saturation throughput on this machine). Every
user's first update is posted a second time after its answer arrived, as Telegram redelivers
after a timeout; it must not be answered again.

Measured: answers per second, time from the POST to the answer arriving at the fake Bot API
(p50/p95/max), the webhook's acknowledgement time (p95), lost and duplicated answers.

Run alone with ``python -m benchmarks.service``; ``make bench`` includes it via ``run()``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks import domain
from tests.fakes.telegram_server import TOKEN, FakeTelegram

REPO = Path(__file__).resolve().parent.parent
USERS = 50
QUESTIONS_PER_USER = 10
PACED_S = (2.0, 6.0)
BURST_S = (0.0, 0.0)
REPLY_TIMEOUT_S = 30.0
SECRET = "bench-secret"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_database() -> tuple[str, str] | None:
    """(name, url) of a fresh database on the local PostgreSQL, or None when unreachable."""
    try:
        import psycopg

        name = f"dt_service_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # any failure: measure on SQLite instead
        return None
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_reachable() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure: the in-process limiter
        return False


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DT_")}
    env.update(
        DT_DATA_DIR=str(data_dir),
        DT_KNOWLEDGE_DIR=str(REPO / "knowledge"),
        DT_PROMPTS_DIR=str(REPO / "prompts"),
        DT_LOG_LEVEL="WARNING",
        DT_RATE_LIMIT_MESSAGES="1000",
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


@dataclass
class Webhook:
    """Posts updates to the replica the way the Bot API does."""

    tg: FakeTelegram
    http: httpx.AsyncClient
    url: str
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    acks: list[float] = field(default_factory=list)

    def update(self, user_id: int, text: str) -> dict[str, Any]:
        update_id = next(self.ids)
        message = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": self.tg.private_chat(user_id),
            "from": self.tg.user(user_id),
            "text": text,
        }
        return {"update_id": update_id, "message": message}

    async def post(self, update: dict[str, Any]) -> None:
        started = time.perf_counter()
        response = await self.http.post(
            self.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        self.acks.append(time.perf_counter() - started)
        response.raise_for_status()


async def _user(
    hook: Webhook,
    user_id: int,
    questions: list[str],
    think: tuple[float, float],
    latencies: list[float],
    lost: list[str],
) -> None:
    rng = random.Random(user_id)
    tg = hook.tg
    await asyncio.sleep(rng.uniform(*think))
    first: dict[str, Any] | None = None
    for question in questions:
        before = len(tg.messages(user_id))
        update = hook.update(user_id, question)
        first = first or update
        started = time.perf_counter()
        await hook.post(update)
        try:
            messages = await tg.wait_messages(user_id, before + 1, within=REPLY_TIMEOUT_S)
        except TimeoutError:
            lost.append(question)
            continue
        latencies.append(messages[before].at - started)
        if update is first:
            await hook.post(first)  # Telegram's redelivery: acknowledged, not answered again
        await asyncio.sleep(rng.uniform(*think))


async def _phase(
    hook: Webhook, first_user: int, questions: list[str], think: tuple[float, float]
) -> dict[str, Any]:
    latencies: list[float] = []
    lost: list[str] = []
    hook.acks.clear()
    rng = random.Random(first_user)
    users = range(first_user, first_user + USERS)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _user(hook, user, rng.sample(questions, QUESTIONS_PER_USER), think, latencies, lost)
            for user in users
        )
    )
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)  # late duplicates would arrive now
    replies = sum(len(hook.tg.messages(user)) for user in users)
    return {
        "users": USERS,
        "questions": USERS * QUESTIONS_PER_USER,
        "redelivered": USERS,
        "think_time_s": list(think),
        "answers_per_s": round(len(latencies) / elapsed, 1),
        "duration_s": round(elapsed, 1),
        "latency_ms_p50": round(1000 * statistics.median(latencies), 1),
        "latency_ms_p95": round(1000 * _percentile(latencies, 95), 1),
        "latency_ms_max": round(1000 * max(latencies), 1),
        "webhook_ack_ms_p95": round(1000 * _percentile(hook.acks, 95), 1),
        "lost": len(lost),
        "duplicated": max(0, replies - len(latencies)),
    }


async def _wait_ready(http: httpx.AsyncClient, url: str, process: Any) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError("the service exited before it was ready")
        try:
            if (await http.get(f"{url}/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("the service did not become ready")


async def _simulate(data_dir: Path, questions: list[str], stores: dict[str, str]) -> dict[str, Any]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (data_dir.parent / "service.log").open("wb")
    async with FakeTelegram() as tg, httpx.AsyncClient(timeout=60) as http:
        env = _env(
            data_dir,
            DT_TELEGRAM_TOKEN=TOKEN,
            DT_TELEGRAM_API_BASE_URL=tg.base_url,
            DT_TELEGRAM_FILE_BASE_URL=tg.base_file_url,
            DT_TELEGRAM_WEBHOOK_SECRET=SECRET,
            DT_HTTP_HOST="127.0.0.1",
            DT_HTTP_PORT=str(port),
            **stores,
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", env=env, cwd=data_dir.parent, stderr=log
        )
        try:
            started = time.perf_counter()
            await _wait_ready(http, url, process)
            ready_s = time.perf_counter() - started
            hook = Webhook(tg, http, f"{url}/telegram")
            paced = await _phase(hook, 10_000, questions, PACED_S)
            burst = await _phase(hook, 20_000, questions, BURST_S)
            metrics = (await http.get(f"{url}/metrics")).text
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
            log.close()
    duplicates = next(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith('digitalteam_webhook_updates_total{result="duplicate"}')
    )
    return {
        "paced": paced,
        "burst": burst,
        "start_to_ready_s": round(ready_s, 1),
        "duplicates_skipped": int(duplicates),
        "rejected_by_fake_api": len(tg.errors),
        "exit_code": process.returncode,
        "database": "postgresql" if "DT_DATABASE_URL" in stores else "sqlite",
        "rate_limit": "redis" if "DT_REDIS_URL" in stores else "in-process",
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def _knowledge_index(target: Path) -> None:
    """Copy the tests' cached index of knowledge/ to ``target`` (building it when missing).

    A finished cache is complete (built elsewhere and renamed into place), so it is copied
    without waiting for the cache lock, which a build of another checkout may hold for minutes.
    """
    from tests.conftest import KB_CACHE, KNOWLEDGE, copy_cached_index, index_fingerprint
    from tests.conftest import make_settings as test_settings

    fingerprint = index_fingerprint(KNOWLEDGE, test_settings(Path("data"), Path("knowledge")))
    cached = KB_CACHE / f"knowledge-{fingerprint}"
    if (cached / "manifest.json").exists():
        shutil.copytree(cached, target)
    else:
        copy_cached_index("knowledge", KNOWLEDGE, target)


def run() -> dict[str, Any]:
    """Copy the ingested knowledge base (the tests' index cache, built once, KB_TEST_CACHE)
    into a temporary directory and run the simulation."""
    with tempfile.TemporaryDirectory(prefix="dt-service-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        _knowledge_index(data_dir)
        questions = sorted({q.question for q in domain.load_questions()})
        stores: dict[str, str] = {}
        pg = _postgres_database()
        if pg is not None:
            stores["DT_DATABASE_URL"] = pg[1]
        if _redis_reachable():
            stores["DT_REDIS_URL"] = REDIS_URL
        try:
            return asyncio.run(_simulate(data_dir, questions, stores))
        finally:
            if pg is not None:
                _drop_postgres(pg[0])


def table(result: dict[str, Any]) -> str:
    rows = [
        (
            "Stores",
            f"{result['database']}, rate limit {result['rate_limit']}",
            "",
        ),
        ("Process start to /readyz 200", f"{result['start_to_ready_s']} s", ""),
    ]
    for name, target in (("paced", "p95 ≤ 1000 ms"), ("burst", "")):
        phase = result[name]
        think = "–".join(f"{t:g}" for t in phase["think_time_s"])
        rows += [
            (
                f"{name}: users × questions (think {think} s)",
                f"{phase['users']} × {phase['questions'] // phase['users']}",
                "",
            ),
            (
                f"{name}: throughput",
                f"{phase['answers_per_s']} answers/s over {phase['duration_s']} s",
                "",
            ),
            (
                f"{name}: POST → answer p50 / p95 / max",
                f"{phase['latency_ms_p50']} / {phase['latency_ms_p95']} / "
                f"{phase['latency_ms_max']} ms",
                target,
            ),
            (f"{name}: webhook acknowledged p95", f"{phase['webhook_ack_ms_p95']} ms", ""),
            (
                f"{name}: lost / duplicated (of {phase['redelivered']} redelivered)",
                f"{phase['lost']} / {phase['duplicated']}",
                "0 / 0",
            ),
        ]
    rows += [
        ("Redeliveries skipped (metric)", str(result["duplicates_skipped"]), "100"),
        ("Requests the fake Bot API rejected", str(result["rejected_by_fake_api"]), "0"),
        ("Service exit code after SIGTERM", str(result["exit_code"]), "0"),
        (
            "Machine load (1 min) at the end",
            f"{result['load_average_1min']} on {result['cores']} cores",
            "",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'measure'.ljust(width)} | value | target |", f"|{'-' * (width + 2)}|---|---|"]
    lines += [f"| {a.ljust(width)} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    result = run()
    print(table(result))
    print(json.dumps(result, ensure_ascii=False))
