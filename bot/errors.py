"""Exceptions of the application.

``AssistantError``          base class
├── ``AnswerUnavailable``   the LLM path failed; the engine falls back to the extractive answer
├── ``InputRejected``       user input the engine will not process; ``user_message`` is German
└── ``ConfigurationError``  the operator's configuration cannot work (message names the setting)
"""


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
    """A setting has a value the assistant cannot work with."""
