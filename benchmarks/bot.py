"""Bot benchmark: 50 simulated users × 10 questions through the fake Bot API.

The real ``digitalteam run`` process (extractive answers, SQLite under a temporary data
directory, default flood limit of 30 messages/s) polls the fake Bot API, which runs in this
process. Each user asks a question, waits for the answer, reads and types for 2-6 s, and asks
the next one ("paced", the target scenario; users start spread over the first pause). A second "burst" phase repeats the run without any
pause, which shows the saturation throughput on this machine.
Measured: throughput, time from the update entering the fake server to the answer arriving
(p50/p95/max), lost answers (none within 30 s) and duplicated answers (more messages than
questions).

Run alone with ``python -m benchmarks.bot``; ``make bench`` includes it via ``run()``.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import domain
from tests.fakes.telegram_server import TOKEN, FakeTelegram

REPO = Path(__file__).resolve().parent.parent
USERS = 50
QUESTIONS_PER_USER = 10
PACED_S = (2.0, 6.0)
BURST_S = (0.0, 0.0)
REPLY_TIMEOUT_S = 30.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _env(data_dir: Path, tg: FakeTelegram | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DT_")}
    env.update(
        DT_DATA_DIR=str(data_dir),
        DT_KNOWLEDGE_DIR=str(REPO / "knowledge"),
        DT_PROMPTS_DIR=str(REPO / "prompts"),
        DT_LOG_LEVEL="WARNING",
        DT_RATE_LIMIT_MESSAGES="100",
        PYTHONPATH=str(REPO),
    )
    if tg is not None:
        env.update(
            DT_TELEGRAM_TOKEN=TOKEN,
            DT_TELEGRAM_API_BASE_URL=tg.base_url,
            DT_TELEGRAM_FILE_BASE_URL=tg.base_file_url,
        )
    return env


async def _user(
    tg: FakeTelegram,
    user_id: int,
    questions: list[str],
    think: tuple[float, float],
    latencies: list[float],
    lost: list[str],
) -> None:
    rng = random.Random(user_id)
    await asyncio.sleep(rng.uniform(*think))  # users do not all start in the same millisecond
    for question in questions:
        before = len(tg.messages(user_id))
        update_id = tg.message(user_id, question)
        try:
            messages = await tg.wait_messages(user_id, before + 1, within=REPLY_TIMEOUT_S)
        except TimeoutError:
            lost.append(question)
            continue
        latencies.append(messages[before].at - tg.update_times[update_id])
        await asyncio.sleep(rng.uniform(*think))


async def _phase(
    tg: FakeTelegram, first_user: int, questions: list[str], think: tuple[float, float]
) -> dict[str, Any]:
    latencies: list[float] = []
    lost: list[str] = []
    rng = random.Random(first_user)
    users = range(first_user, first_user + USERS)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _user(tg, user, rng.sample(questions, QUESTIONS_PER_USER), think, latencies, lost)
            for user in users
        )
    )
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)  # late duplicates would arrive now
    replies = sum(len(tg.messages(user)) for user in users)
    return {
        "users": USERS,
        "questions": USERS * QUESTIONS_PER_USER,
        "think_time_s": list(think),
        "answers_per_s": round(len(latencies) / elapsed, 1),
        "duration_s": round(elapsed, 1),
        "latency_ms_p50": round(1000 * statistics.median(latencies), 1),
        "latency_ms_p95": round(1000 * _percentile(latencies, 95), 1),
        "latency_ms_max": round(1000 * max(latencies), 1),
        "lost": len(lost),
        "duplicated": max(0, replies - len(latencies)),
    }


async def _simulate(data_dir: Path, questions: list[str]) -> dict[str, Any]:
    log = (data_dir.parent / "bot.log").open("wb")
    async with FakeTelegram() as tg:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=_env(data_dir, tg),
            cwd=data_dir.parent,
            stderr=log,
        )
        try:
            await tg.wait_for(lambda: bool(tg.commands) and tg.called("getUpdates"), 180)
            paced = await _phase(tg, 10_000, questions, PACED_S)
            burst = await _phase(tg, 20_000, questions, BURST_S)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
            log.close()
    return {
        "paced": paced,
        "burst": burst,
        "rejected_by_fake_api": len(tg.errors),
        "exit_code": process.returncode,
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def run() -> dict[str, Any]:
    """Ingest the knowledge base into a temporary directory and run the simulation."""
    tmp = Path(tempfile.mkdtemp(prefix="dt-bot-bench-"))
    try:
        data_dir = tmp / "data"
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", "--json"],
            env=_env(data_dir),
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        questions = sorted({q.question for q in domain.load_questions()})
        return asyncio.run(_simulate(data_dir, questions))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(result: dict[str, Any]) -> str:
    rows = []
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
                f"{name}: update → answer p50 / p95 / max",
                f"{phase['latency_ms_p50']} / {phase['latency_ms_p95']} / "
                f"{phase['latency_ms_max']} ms",
                target,
            ),
            (f"{name}: lost / duplicated", f"{phase['lost']} / {phase['duplicated']}", "0 / 0"),
        ]
    rows += [
        ("Requests the fake Bot API rejected", str(result["rejected_by_fake_api"]), "0"),
        ("Bot exit code after SIGTERM", str(result["exit_code"]), "0"),
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
    print(table(run()))
