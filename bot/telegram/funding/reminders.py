"""The sweep that sends remembered funding deadlines (four weeks and one week before).

Each reminder is claimed in the database before it is sent, so two sweeps never send it twice,
and released again when the message did not reach Telegram (network error, flood wait), so the
next sweep retries it. A chat that blocked the bot settles the reminder without retries.
"""

from __future__ import annotations

import asyncio
import logging

from telegram.error import NetworkError, RetryAfter

from bot.telegram.funding.screens import reminder_text
from bot.telegram.handoff import deliver
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)


async def send_deadline_reminders(context: BotContext) -> None:
    """Send every due funding-deadline reminder once."""
    reminders = context.services.deadline_reminders
    for due in await asyncio.to_thread(reminders.due):
        if not await asyncio.to_thread(reminders.mark_sent, due):
            continue
        try:
            await deliver(
                context, due.reminder.chat_id, reminder_text(due.lead.value, due.reminder)
            )
        except (NetworkError, RetryAfter) as exc:
            await asyncio.to_thread(reminders.release, due)
            log.warning(
                "funding reminder %s not delivered, retried later: %s", due.reminder.id, exc
            )
            continue
        log.info("funding reminder %s sent for reminder %s", due.lead.value, due.reminder.id)
