"""Attach the handoff services to the bot and register the consultation handlers and jobs."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.ext import Application

from bot.handoff.service import BRIEF_TURNS, build_handoff
from bot.telegram import handoff_advisors, handoff_booking, handoff_intake, handoff_privacy
from bot.telegram.services import BotContext, BotServices

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)


def attach(services: BotServices) -> None:
    """Build the handoff services on the bot's database unless a test attached its own."""
    if services.handoff is not None:
        return
    history = services.engine.history
    services.handoff = build_handoff(
        services.settings, services.db, lambda cid: history.recent(cid, BRIEF_TURNS)
    )


def register(application: Application) -> None:
    """Handlers of the intake, the advisors, booking and privacy; reminder and purge jobs."""
    services: BotServices | None = application.bot_data.services
    if services is None:
        raise RuntimeError("attach the bot services before registering handlers")
    attach(services)
    handoff_intake.register(application)
    handoff_advisors.register(application)
    handoff_booking.register(application)
    handoff_privacy.register(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _purge, interval=PURGE_EVERY, first=90, name="handoff-purge"
        )


async def _purge(context: BotContext) -> None:
    handoff = context.services.handoff
    if handoff is None:
        return
    removed = await asyncio.to_thread(handoff.privacy.purge)
    if removed:
        log.info("retention: deleted %d closed cases", removed)
