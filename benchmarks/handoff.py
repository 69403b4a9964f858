"""Handoff benchmark: time from the user's last intake answer (the consent button) to the
advisors' notification arriving at the fake Bot API. Target: ≤ 1 s.

The real PTB Application runs in this process against the fake Bot API; every simulated user
goes through the whole intake by /termin, text answers and buttons. Measured on SQLite (the
default store) and on the local PostgreSQL when it is reachable.

Run alone with ``python -m benchmarks.handoff``; ``make bench`` includes it via ``run()``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from tests.fakes.telegram_server import TOKEN, FakeTelegram, Sent

REPO = Path(__file__).resolve().parent.parent
USERS = 20
ADVISORS = (2001, 2002)
ADVISOR_CHAT = -100777
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_S = 1.0


async def _wait_text(tg: FakeTelegram, chat: int, needle: str, after: int = 0) -> Sent:
    def find() -> Sent | None:
        return next((m for m in tg.messages(chat)[after:] if needle in m.plain), None)

    return await tg.wait_for(find, 30)


async def _intake(tg: FakeTelegram, user: int) -> float:
    """One user's intake; returns seconds from the consent press to the advisors' message."""
    tg.private_chat(user)
    tg.message(user, "/termin")
    await _wait_text(tg, user, "Wie heißt Ihre Einrichtung?")
    tg.message(user, f"Museum Nummer {user}")
    kind = await _wait_text(tg, user, "Art von Einrichtung")
    tg.press(user, kind, kind.button("Museum"))
    await _wait_text(tg, user, "In welchem Ort")
    tg.message(user, "Detmold")
    topic = await _wait_text(tg, user, "Um welches Thema")
    tg.press(user, topic, topic.button("Vermittlung"))
    await _wait_text(tg, user, "Beschreiben Sie")
    tg.message(user, "Wir planen einen Audioguide und brauchen Rat zur Umsetzung.")
    contact = await _wait_text(tg, user, "Wie möchten Sie kontaktiert werden?")
    tg.press(user, contact, contact.button("Telegram"))
    consent = await _wait_text(tg, user, "Dürfen wir diese Angaben")
    tg.press(user, consent, consent.button("Ja, speichern"))
    pressed_at = tg.update_times[tg.last_update_id]
    note = await _wait_text(tg, ADVISOR_CHAT, f"Museum Nummer {user} (Museum)")
    return note.at - pressed_at


async def _measure(database_url: str | None, data_dir: Path) -> dict[str, Any]:
    from bot.settings import Settings
    from bot.telegram import build_application, serve

    (data_dir / "knowledge").mkdir(parents=True, exist_ok=True)
    async with FakeTelegram() as tg:
        tg.group_chat(ADVISOR_CHAT, "Beratungsteam")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=data_dir / "data",
            knowledge_dir=data_dir / "knowledge",
            prompts_dir=REPO / "prompts",
            database_url=database_url,
            telegram_token=TOKEN,
            telegram_api_base_url=tg.base_url,
            telegram_file_base_url=tg.base_file_url,
            advisor_ids=",".join(str(a) for a in ADVISORS),
            advisor_chat_id=ADVISOR_CHAT,
            rate_limit_messages=1000,
            log_level="WARNING",
        )
        app = build_application(settings)
        async with serve(app):
            await _intake(tg, 5000)  # warm-up
            timings = [await _intake(tg, 5001 + n) for n in range(USERS)]
            tg.release_polls()
    ordered = sorted(timings)
    return {
        "intakes": USERS,
        "notify_ms_p50": round(1000 * statistics.median(ordered), 1),
        "notify_ms_p95": round(
            1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1
        ),
        "notify_ms_max": round(1000 * ordered[-1], 1),
        "target_ms": 1000 * TARGET_S,
        "within_target": ordered[-1] <= TARGET_S,
    }


def _postgres_database() -> tuple[str, str] | None:
    import psycopg

    try:
        name = f"dt_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    except psycopg.OperationalError:
        return None


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run() -> dict[str, Any]:
    """Measure on SQLite and (when reachable) PostgreSQL."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dt-handoff-bench-") as tmp:
        started = time.perf_counter()
        results["sqlite"] = asyncio.run(_measure(None, Path(tmp) / "sqlite"))
        pg = _postgres_database()
        if pg is None:
            results["postgresql"] = "not reachable"
        else:
            try:
                results["postgresql"] = asyncio.run(_measure(pg[1], Path(tmp) / "pg"))
            finally:
                _drop_postgres(pg[0])
        results["duration_s"] = round(time.perf_counter() - started, 1)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False, indent=1))
