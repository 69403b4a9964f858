"""Editors' reports in Telegram: /luecken and /redaktion (the weekly message is in jobs.py)."""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, filters

from bot.editors.dates import parse_user_date
from bot.editors.gaps import GapGroup, group_gaps, load_gaps, render_report
from bot.telegram.editors import render
from bot.telegram.editors.access import EditorTools
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

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
    """/luecken and /redaktion."""

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


def register(application: Application, tools: EditorTools) -> None:
    """/luecken and /redaktion (the weekly message is a job in bot.telegram.jobs)."""
    handlers = ReportHandlers(tools)
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("luecken", handlers.gaps, filters=new))
    application.add_handler(CommandHandler("redaktion", handlers.help, filters=new))
