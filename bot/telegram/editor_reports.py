"""Editors' reports in Telegram: /luecken, /redaktion and the weekly message via the JobQueue."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CommandHandler, filters

from bot.editors.catalog import expiring_documents
from bot.editors.dates import parse_user_date
from bot.editors.freshness import weekly_digest
from bot.editors.gaps import GapGroup, count_gaps, group_gaps, load_gaps, render_report
from bot.telegram import editor_render as render
from bot.telegram.editor_common import EditorTools
from bot.telegram.render import escape
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Europe/Berlin")
WEEKLY_JOB = "editors-weekly"
HELP = (
    "<b>Redaktion</b>\n"
    "• Dokument (PDF, DOCX, Markdown, Text, HTML, bis 20 MB) einfach senden; in der "
    "Bildunterschrift können Sie Thema und Gültigkeit nennen, z. B. "
    "<code>foerderung 31.12.2027</code>\n"
    "• /dokumente – alle Dokumente, seitenweise\n"
    "• /dokument KENNUNG – Details\n"
    "• /entfernen KENNUNG – Dokument zurückziehen (mit Rückfrage)\n"
    "• /thema KENNUNG THEMA und /gueltig KENNUNG TT.MM.JJJJ – Angaben ändern\n"
    "• /luecken [TT.MM.JJJJ] – Fragen, die der Assistent nicht beantworten konnte"
)


class ReportHandlers:
    """/luecken, /redaktion and the weekly digest."""

    def __init__(self, tools: EditorTools) -> None:
        self.tools = tools

    async def gaps(self, update: Update, context: BotContext) -> None:
        """/luecken [seit]: grouped open questions, the full list as a CSV file."""
        message = update.effective_message
        if message is None:
            return
        if not self.tools.is_editor(update, context):
            await message.reply_text("Dieser Befehl steht nur der Redaktion zur Verfügung.")
            return
        since = parse_user_date(context.args[0]) if context.args else None
        if context.args and since is None:
            await message.reply_text("Bitte so angeben: /luecken TT.MM.JJJJ")
            return
        services = context.services
        index = services.engine.retriever.index

        def build() -> list[GapGroup]:
            items = load_gaps(services.db, since)
            return group_gaps(items, index.embedder, services.settings.gap_similarity)

        groups = await asyncio.to_thread(build)
        await message.reply_text(render.gaps_text(groups, since), parse_mode=ParseMode.HTML)
        if len(groups) > 10:
            csv_bytes = render_report(groups, "csv", since, limit=1000).encode("utf-8")
            await message.reply_document(io.BytesIO(csv_bytes), filename="wissensluecken.csv")

    async def help(self, update: Update, context: BotContext) -> None:
        """/redaktion: the editors' commands."""
        message = update.effective_message
        if message is None:
            return
        if not self.tools.is_editor(update, context):
            await message.reply_text("Dieser Befehl steht nur der Redaktion zur Verfügung.")
            return
        await message.reply_text(HELP, parse_mode=ParseMode.HTML)

    async def weekly(self, context: BotContext) -> None:
        """Send every editor the documents that expire soon or have expired, and the gap count."""
        services = context.services
        settings = services.settings
        if not settings.editor_ids:
            return
        today = date.today()
        manifest = services.engine.retriever.index.manifest
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


def schedule_weekly(application: Application, handlers: ReportHandlers) -> None:
    """Run the weekly message on the configured weekday and time (Europe/Berlin)."""
    job_queue = application.job_queue
    if job_queue is None:
        log.warning("no JobQueue: the weekly editors' message is disabled")
        return
    settings = application.bot_data.services.settings
    at = settings.editor_digest_time
    when = dt_time(at.hour, at.minute, tzinfo=TIMEZONE)
    # PTB counts days from 0 = Sunday; the setting is ISO (1 = Monday ... 7 = Sunday).
    day = settings.editor_digest_weekday % 7
    job_queue.run_daily(handlers.weekly, time=when, days=(day,), name=WEEKLY_JOB)


def register(application: Application, tools: EditorTools) -> None:
    """/luecken, /redaktion and the weekly job."""
    handlers = ReportHandlers(tools)
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("luecken", handlers.gaps, filters=new))
    application.add_handler(CommandHandler("redaktion", handlers.help, filters=new))
    schedule_weekly(application, handlers)
