"""Every scheduled job of the bot, in one place.

``schedule(application)`` runs in ``post_init``, once the services are open:

- the retention purges, every ``PURGE_EVERY``: old conversation turns and ratings, knowledge gaps,
  inactive users, closed cases;
- booking reminders: a sweep every ``SWEEP_EVERY`` plus one exact-time job per reminder, rebuilt
  from the database at start and whenever a booking changes, and a retry job after a failed
  delivery (``bot.telegram.handoff.reminders``: ``schedule_reminders``, ``send_reminders``);
- the editors' weekly message on the configured weekday and time (Europe/Berlin);
- remembered funding deadlines: a sweep every ``FUNDING_SWEEP_EVERY`` sends the reminders four
  weeks and one week before (due state in the database, so a restart loses none).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any
from zoneinfo import ZoneInfo

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot.editors.catalog import expiring_documents
from bot.editors.freshness import weekly_digest
from bot.editors.gaps import count_gaps
from bot.telegram.funding import send_deadline_reminders
from bot.telegram.handoff import (
    DELETED_AFTER_RETENTION,
    schedule_reminders,
    send_reminders,
    withdraw_notices,
)
from bot.telegram.render import escape
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)
SWEEP_EVERY = timedelta(minutes=5)
FUNDING_SWEEP_EVERY = timedelta(hours=1)
REMINDER_JOB = "handoff-reminders"
WEEKLY_JOB = "editors-weekly"
TIMEZONE = ZoneInfo("Europe/Berlin")

BotApplication = Application[Any, Any, Any, Any, Any, Any]


def schedule(application: BotApplication) -> None:
    """Schedule every job (call once the services are attached and open)."""
    queue = application.job_queue
    if queue is None:
        log.warning("no JobQueue: purges, reminders and the weekly editors' message are disabled")
        return
    queue.run_repeating(purge_conversations, interval=PURGE_EVERY, first=60)
    queue.run_repeating(purge_cases, interval=PURGE_EVERY, first=90, name="handoff-purge")
    queue.run_repeating(send_reminders, interval=SWEEP_EVERY, first=5, name=REMINDER_JOB)
    queue.run_once(_rebuild_reminders, when=1, name="reminder-rebuild")
    queue.run_repeating(
        send_deadline_reminders, interval=FUNDING_SWEEP_EVERY, first=10, name="funding-reminders"
    )
    settings = application.bot_data.services.settings
    at = settings.editor_digest_time
    when = dt_time(at.hour, at.minute, tzinfo=TIMEZONE)
    # PTB counts days from 0 = Sunday; the setting is ISO (1 = Monday ... 7 = Sunday).
    day = settings.editor_digest_weekday % 7
    queue.run_daily(send_weekly_digest, time=when, days=(day,), name=WEEKLY_JOB)


async def purge_conversations(context: BotContext) -> None:
    """Delete conversation turns and ratings older than DT_HISTORY_RETENTION_DAYS, knowledge gaps
    older than DT_GAP_RETENTION_DAYS and users silent for DT_USER_RETENTION_DAYS."""
    services = context.services
    settings = services.settings
    removed = await asyncio.to_thread(services.users.purge, settings.history_retention_days)
    if removed:
        log.info("retention: deleted %d old conversation turns and ratings", removed)
    gaps = await asyncio.to_thread(services.gaps.purge, settings.gap_retention_days)
    if gaps:
        log.info("retention: deleted %d old knowledge gaps", gaps)
    users = await asyncio.to_thread(services.users.purge_inactive, settings.user_retention_days)
    if users:
        log.info("retention: deleted %d inactive users", users)


async def purge_cases(context: BotContext) -> None:
    """Delete closed cases older than DT_RETENTION_DAYS; their messages in advisors' chats say so."""
    purge = await asyncio.to_thread(context.services.handoff.privacy.purge)
    if purge.cases:
        await withdraw_notices(context, purge.notices, DELETED_AFTER_RETENTION)
        log.info("retention: deleted %d closed cases", purge.cases)


async def _rebuild_reminders(context: BotContext) -> None:
    """At start: exact-time jobs for every reminder still to send, from the database."""
    await schedule_reminders(context.application)


async def send_weekly_digest(context: BotContext) -> None:
    """Send every editor the documents that expire soon or have expired, and the gap count."""
    services = context.services
    settings = services.settings
    if not settings.editor_ids:
        return
    today = date.today()
    manifest = services.index.manifest
    expired, soon = expiring_documents(manifest, today, settings.expiry_warning_days)
    week = datetime.now(UTC) - timedelta(days=7)
    new_gaps = await asyncio.to_thread(count_gaps, services.db, week)
    text = weekly_digest(expired, soon, today, settings.expiry_warning_days, new_gaps)
    if text is None:
        log.info("weekly editors' message: nothing to report")
        return
    for editor in settings.editor_ids:
        try:
            await context.bot.send_message(editor, escape(text), parse_mode=ParseMode.HTML)
        except (Forbidden, BadRequest) as exc:
            log.warning("weekly message not delivered to an editor: %s", exc.message)
