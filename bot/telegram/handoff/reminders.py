"""Booking reminders in Telegram: the sweep that sends due reminders and the exact-time jobs.

Lives with the consultation handlers (booking, /daten_loeschen re-plan the reminders) and is
scheduled by ``bot.telegram.jobs``; it imports nothing from there, so the two do not form a cycle.

A reminder counts as sent once Telegram accepted the user's message. A network error or a flood
wait leaves it unsent and plans a retry with backoff; a chat that refuses the bot (blocked,
deleted) settles it, because repeating cannot help.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.booking.reminders import Reminder, time_left
from bot.telegram.handoff.delivery import deliver
from bot.telegram.handoff.render import booking_line
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

EXACT_JOB_PREFIX = "reminder-at-"
RETRY_JOB_PREFIX = "reminder-retry-"

BotApplication = Application[Any, Any, Any, Any, Any, Any]


async def schedule_reminders(application: BotApplication) -> None:
    """(Re)build the exact-time reminder jobs from the database; the sweep runs as well."""
    queue = application.job_queue
    services = application.bot_data.services
    if queue is None or services is None:
        return
    handoff = services.handoff
    for job in queue.jobs():
        if job.name and job.name.startswith(EXACT_JOB_PREFIX):
            job.schedule_removal()
    now = handoff.clock()
    for reminder in await asyncio.to_thread(handoff.reminders.plan):
        delay = max((reminder.due - now).total_seconds(), 0.0)
        queue.run_once(
            send_reminders,
            when=delay,
            name=f"{EXACT_JOB_PREFIX}{reminder.booking.id}-{reminder.lead.value}",
        )


async def send_reminders(context: BotContext) -> None:
    """Send every due reminder once: claimed first, marked sent only after Telegram accepted it."""
    reminders = context.services.handoff.reminders
    for reminder in await asyncio.to_thread(reminders.due):
        if await asyncio.to_thread(reminders.claim, reminder):
            await _send(context, reminder)


async def _send(context: BotContext, reminder: Reminder) -> None:
    handoff = context.services.handoff
    booking = reminder.booking
    when = time_left(booking.starts_at, handoff.clock())
    try:
        await context.bot.send_message(
            booking.user_chat_id,
            f"⏰ <b>Erinnerung:</b> Ihre Beratung ist {when}:\n{booking_line(booking)}",
            parse_mode=ParseMode.HTML,
        )
    except (Forbidden, BadRequest) as exc:
        log.warning("reminder for booking %s refused by Telegram: %s", booking.id, exc.message)
        await asyncio.to_thread(handoff.reminders.mark_sent, reminder)
        return
    except TelegramError as exc:  # network errors, timeouts, flood waits: try again later
        retry_at = await asyncio.to_thread(handoff.reminders.retry_later, reminder)
        if retry_at is None:
            log.error("reminder for booking %s given up: %s", booking.id, type(exc).__name__)
            return
        log.warning(
            "reminder for booking %s not delivered (%s), retry at %s",
            booking.id,
            type(exc).__name__,
            retry_at.isoformat(timespec="seconds"),
        )
        _retry_at(context, reminder, (retry_at - handoff.clock()).total_seconds())
        return
    await asyncio.to_thread(handoff.reminders.mark_sent, reminder)
    log.info("reminder %s sent for booking %s", reminder.lead.value, booking.id)
    await deliver(
        context,
        booking.advisor_id,
        f"⏰ <b>Erinnerung:</b> Beratung zu Fall #{booking.case_id} {when}:\n"
        f"{booking_line(booking)}",
    )


def _retry_at(context: BotContext, reminder: Reminder, delay_s: float) -> None:
    application: BotApplication = context.application
    queue = application.job_queue
    if queue is not None:
        queue.run_once(
            send_reminders,
            when=max(delay_s, 0.0),
            name=f"{RETRY_JOB_PREFIX}{reminder.booking.id}-{reminder.lead.value}",
        )
