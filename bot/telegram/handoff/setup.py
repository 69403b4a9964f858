"""Register the consultation handlers: intake, advisors, booking and privacy.

The services come from the bot's context (``bot.context.AppContext.handoff``); the reminder and
purge jobs live in ``bot.telegram.jobs``.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram.handoff import advisors, booking, intake, privacy


def register(application: Application) -> None:
    """Handlers of the intake, the advisors, booking and privacy, in this order."""
    intake.register(application)
    advisors.register(application)
    booking.register(application)
    privacy.register(application)
