"""Exceptions of the application.

``AssistantError``          base class
├── ``AnswerUnavailable``   the LLM path failed; the engine falls back to the extractive answer
├── ``InputRejected``       user input the engine will not process; ``user_message`` is German
└── ``ConfigurationError``  the operator's configuration cannot work (message names the setting)
    └── ``IndexDamaged``    the index on disk is inconsistent (chunks missing, manifest unreadable)

The command line and the bot print a ``ConfigurationError`` as one German line,
``"<label>: <DT_SETTING> – <problem>"``, and exit with code 2. ``operator_error`` turns what the
index raises at start (``ingest.errors``) into such an error; ``redact`` and ``safe_url`` keep
secrets out of the messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


class AssistantError(Exception):
    """Base class of application errors."""


class AnswerUnavailable(AssistantError):
    """The generated answer could not be produced or failed validation."""


class InputRejected(AssistantError):
    """The input cannot be processed; ``user_message`` explains why in German."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class ConfigurationError(AssistantError):
    """A setting has a value the assistant cannot work with.

    Args:
        problem: German, without secrets (see ``redact``).
        setting: the environment variable, e.g. ``DT_DATABASE_URL`` ("" when unknown).
    """

    label = "Konfigurationsfehler"

    def __init__(self, problem: str, setting: str = "") -> None:
        super().__init__(f"{setting} – {problem}" if setting else problem)
        self.setting = setting
        self.problem = problem

    def operator_message(self) -> str:
        """The one line an operator sees."""
        return f"{self.label}: {self}"


class IndexDamaged(ConfigurationError):
    """The index on disk does not match its manifest; ``digitalteam ingest`` repairs it."""

    label = "Indexfehler"


_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/\s]*):[^@/\s]*@", re.I)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` without the given secrets and without passwords in URLs (``user:***@``)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _URL_PASSWORD.sub(r"\g<scheme>\g<user>:***@", text)


def safe_url(url: str) -> str:
    """A database URL for messages: the password replaced by ***."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "URL nicht lesbar"


def url_password(url: str) -> str | None:
    """The password in a database URL, to keep it out of messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return None
    return str(password) if password else None


def describe_exception(exc: BaseException) -> str:
    """The first line of what went wrong (the driver's message where there is one)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0][:240] if lines else type(cause).__name__


def operator_error(exc: BaseException, settings: Settings) -> ConfigurationError | None:
    """The operator's error for a start-up failure of the index, or None for any other error.

    The messages are German, name the setting and carry no secrets.
    """
    from ingest.chroma import ChromaConfig
    from ingest.errors import (
        EmbeddingConfigError,
        IndexIncomplete,
        IndexUnavailable,
        ManifestCorrupt,
    )

    if isinstance(exc, ConfigurationError):
        return exc
    host = settings.chroma_host or ""
    chroma_setting = "DT_CHROMA_HOST" if host else "DT_DATA_DIR"
    where = ChromaConfig(settings.chroma_path, host or None, settings.chroma_port).describe()
    credentials = host.rsplit("@", 1)[0] if "@" in host else None
    if isinstance(exc, ManifestCorrupt):
        return IndexDamaged(
            f"{exc.path} ist beschädigt ({exc.detail}). 'digitalteam ingest' legt die Datei "
            "beiseite und baut den Index aus DT_KNOWLEDGE_DIR neu auf.",
            "DT_DATA_DIR",
        )
    if isinstance(exc, IndexUnavailable):
        hint = (
            ""
            if host
            else "; ist das Verzeichnis beschädigt, es beiseitelegen und 'digitalteam ingest' "
            "ausführen"
        )
        return ConfigurationError(
            redact(f"Chroma nicht erreichbar ({where}: {exc.detail}){hint}", credentials),
            chroma_setting,
        )
    if isinstance(exc, IndexIncomplete):
        return IndexDamaged(
            f"Index unvollständig: {exc.missing} von {exc.total} Abschnitten "
            f"({len(exc.sources)} Dokumente) fehlen in {where}. 'digitalteam ingest' liest die "
            "betroffenen Dokumente aus DT_KNOWLEDGE_DIR neu ein.",
            chroma_setting,
        )
    if isinstance(exc, EmbeddingConfigError):
        return ConfigurationError(str(exc), "DT_EMBEDDING_MODEL")
    return None
