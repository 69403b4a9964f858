"""Readiness of one replica (``GET /readyz``): index loaded, database, Chroma and Redis reachable.

Each check runs in a worker thread with a time limit, all at once, so that one hanging store
cannot hold the probe longer than ``TIMEOUT_S``. A check passes or names what failed (the
exception's type only: messages of driver errors may contain connection strings).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text

from bot.context import AppContext

TIMEOUT_S = 3.0
OK = "ok"


@dataclass(frozen=True)
class Readiness:
    """The result of every check: ``"ok"`` or what failed."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(result == OK for result in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, result in self.checks.items() if result != OK]

    def to_json(self) -> dict[str, object]:
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks}


def _index(services: AppContext) -> str:
    manifest = services.index.manifest
    return OK if manifest.files else "empty: no documents ingested (digitalteam ingest)"


def _database(services: AppContext) -> str:
    with services.db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return OK


def _chroma(services: AppContext) -> str:
    services.index.collection.count()
    return OK


def _redis(services: AppContext) -> str:
    ping = getattr(services.limiter, "ping", None)
    return OK if ping is None or ping() else "unreachable"


async def _run(check: Callable[[AppContext], str], services: AppContext) -> str:
    try:
        return await asyncio.wait_for(asyncio.to_thread(check, services), TIMEOUT_S)
    except TimeoutError:
        return f"no answer within {TIMEOUT_S:g} s"
    except Exception as exc:  # a probe reports any failure instead of raising it
        return f"unreachable ({type(exc).__name__})"


async def check_readiness(services: AppContext, *, started: bool) -> Readiness:
    """Run every check; before the application finished its start-up only say so."""
    if not started:
        return Readiness({"application": "starting"})
    checks: dict[str, Callable[[AppContext], str]] = {
        "index": _index,
        "database": _database,
        "chroma": _chroma,
    }
    if services.settings.redis_url:
        checks["redis"] = _redis
    results = await asyncio.gather(*(_run(check, services) for check in checks.values()))
    return Readiness(dict(zip(checks, results, strict=True)))
