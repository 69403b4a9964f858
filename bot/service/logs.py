"""Logging of ``digitalteam serve``: plain text or one JSON object per line (DT_LOG_FORMAT=json).

A JSON line has the time, level, logger, the message and, for errors, the exception's type and
stack (file, line and function of each frame only: an exception's text may quote a user's
message). What the bot logs
never contains message text, names, e-mail addresses or tokens (user ids only, and the bot token
is replaced by ``<token>``, see ``bot.telegram.app.redact_token``); message text appears only at
DEBUG level, which JSON logs do not emit.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime

from bot.settings import Settings

NOISY = (
    "chromadb",
    "httpx",
    "httpcore",
    "urllib3",
    "bm25s",
    "sentence_transformers",
    "alembic",
    "apscheduler",
    "uvicorn.access",
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    """Replace the root handlers by one on stderr in the configured format."""
    handler = logging.StreamHandler(sys.stderr)
    level = logging.getLevelName(settings.log_level)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
        level = max(level, logging.INFO)
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, level))
