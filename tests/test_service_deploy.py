"""The deployment files, checked without Docker: compose.yaml's services and start order, the
settings they pass, the Dockerfile's command and the Caddyfile's upstreams."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings

REPO = Path(__file__).resolve().parent.parent
REPLICAS = ("bot-1", "bot-2")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8")))


def _depends(service: dict[str, Any]) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in service.get("depends_on", {}).items()}


def test_compose_has_every_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {
        "postgres",
        "chroma",
        "redis",
        "migrate",
        *REPLICAS,
        "caddy",
    }


def test_migrations_run_once_before_the_replicas(compose: dict[str, Any]) -> None:
    services = compose["services"]
    migrate = services["migrate"]
    assert "--migrate-only" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    assert _depends(migrate) == {"postgres": "service_healthy", "chroma": "service_healthy"}
    for name in REPLICAS:
        replica = services[name]
        assert _depends(replica) == {
            "migrate": "service_completed_successfully",
            "postgres": "service_healthy",
            "chroma": "service_healthy",
            "redis": "service_healthy",
        }
        assert "command" not in replica  # the image's CMD: digitalteam serve
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
    assert set(_depends(services["caddy"])) == set(REPLICAS)
    for store in ("postgres", "chroma", "redis"):
        assert "healthcheck" in services[store]


def test_replicas_share_the_stores(compose: dict[str, Any]) -> None:
    env = [compose["services"][name]["environment"] for name in (*REPLICAS, "migrate")]
    assert env[0] == env[1] == env[2]
    assert env[0]["DT_DATABASE_URL"].startswith("postgresql://")
    assert env[0]["DT_CHROMA_HOST"] == "chroma"
    assert env[0]["DT_REDIS_URL"].startswith("redis://redis:")
    assert env[0]["DT_TELEGRAM_WEBHOOK_URL"].endswith("/telegram")


def test_every_setting_in_compose_exists(compose: dict[str, Any]) -> None:
    known = {f"DT_{name.upper()}" for name in Settings.model_fields}
    used = {
        key
        for service in compose["services"].values()
        for key in (service.get("environment") or {})
        if key.startswith("DT_")
    }
    assert used
    assert used - known == set()
    # Values compose would pass must parse (placeholders filled in as an operator would).
    values = {
        key.removeprefix("DT_").lower(): re.sub(r"\$\{[^}]+\}", "x", str(value))
        for key, value in compose["services"]["bot-1"]["environment"].items()
    }
    Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_dockerfile_runs_the_service() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert 'CMD ["digitalteam", "serve"]' in dockerfile
    assert "EXPOSE 8080" in dockerfile


def test_caddy_proxies_only_the_webhook_to_both_replicas(compose: dict[str, Any]) -> None:
    caddyfile = (REPO / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    port = compose["services"]["bot-1"]["environment"]["DT_HTTP_PORT"]
    assert f"reverse_proxy bot-1:{port} bot-2:{port}" in caddyfile
    assert "handle /telegram" in caddyfile
    assert "health_uri /readyz" in caddyfile
    mounts = compose["services"]["caddy"]["volumes"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in mounts
    assert {"443:443", "80:80"} <= set(compose["services"]["caddy"]["ports"])
