"""Apply the database migrations and stop: the one-shot step before replicas start.

Every process also migrates when it opens the database (a no-op when the schema is current), but
replicas starting together against an old schema would race; the deployment runs this first
(``digitalteam serve --migrate-only``, compose's ``migrate`` service).
"""

from __future__ import annotations

import logging

from bot.settings import Settings

log = logging.getLogger(__name__)


def migrate_database(settings: Settings) -> int:
    """Migrate the configured database to the newest schema; the process exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.database import Database

    try:
        Database(settings.resolved_database_url).dispose()
    except SQLAlchemyError as exc:
        log.error("migrations failed: %s (check DT_DATABASE_URL)", type(exc).__name__)
        return 1
    log.info("database schema is current")
    return 0
