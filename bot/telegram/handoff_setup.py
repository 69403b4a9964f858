"""Register the consultation handlers: intake, advisors, booking and privacy.

The services come from the bot's context (``bot.context.AppContext.handoff``); the reminder and
purge jobs live in ``bot.telegram.jobs``.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram import handoff_advisors, handoff_booking, handoff_intake, handoff_privacy


def register(application: Application) -> None:
    """Handlers of the intake, the advisors, booking and privacy, in this order."""
    handoff_intake.register(application)
    handoff_advisors.register(application)
    handoff_booking.register(application)
    handoff_privacy.register(application)
