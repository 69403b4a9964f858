"""The typed PTB context that hands the application's services to the handlers.

Handlers read ``context.services`` (the ``AppContext`` of ``bot.context``) instead of string keys
in ``bot_data``. ``bot.telegram.app`` attaches the context when it builds the Application, opens
it in ``post_init`` and closes it in ``post_shutdown``.
"""

from __future__ import annotations

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.context import AppContext


class BotData:
    """Application-wide data of PTB: only the services."""

    __slots__ = ("services",)

    def __init__(self) -> None:
        self.services: AppContext | None = None


class BotContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> AppContext:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the bot services were not attached to the application")
        return services


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
