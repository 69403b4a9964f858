"""Service mode (``digitalteam serve``): the bot as an ASGI web application on uvicorn.

    app.py         the Starlette application: /telegram (webhook), /healthz, /readyz, /metrics
    readiness.py   the checks behind /readyz
    metrics.py     the Prometheus metrics, in a registry per application
    instrument.py  where the metrics are counted (hooks on existing seams)
    logs.py        text or JSON logs (DT_LOG_FORMAT)
    migrate.py     apply the database migrations once (the deployment's one-shot step)

Long polling for a single host stays ``digitalteam run`` (``bot.telegram``).
"""

from bot.service.app import create_app, run_service
from bot.service.migrate import migrate_database

__all__ = ["create_app", "migrate_database", "run_service"]
