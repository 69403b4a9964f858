"""Exceptions of the application.

``AssistantError``          base class
├── ``AnswerUnavailable``   the LLM path failed; the engine falls back to the extractive answer
├── ``InputRejected``       user input the engine will not process; ``user_message`` is German
└── ``ConfigurationError``  the operator's configuration cannot work (message names the setting)
    └── ``IndexDamaged``    the index on disk is inconsistent (chunks missing, manifest unreadable)

The command line and the bot print a ``ConfigurationError`` as one German line,
``"<label>: <DT_SETTING> – <problem>"``, and exit with code 2; ``redact`` keeps secrets out of it.
"""

from __future__ import annotations

import re


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
