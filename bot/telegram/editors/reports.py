"""Editors' reports in Telegram: /luecken and /redaktion (the weekly message is in jobs.py)."""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import Update
from telegram.constants import ParseMode

from bot.editors.dates import parse_user_date
from bot.editors.gaps import GapGroup, group_gaps, load_gaps, render_report
from bot.telegram.editors import render
from bot.telegram.editors.access import editor_or_refuse
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


async def show_gaps(update: Update, context: BotContext) -> None:
    """/luecken [seit]: grouped open questions, the full list as a CSV file."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    since = parse_user_date(context.args[0]) if context.args else None
    if context.args and since is None:
        await message.reply_text("Bitte so angeben: /luecken TT.MM.JJJJ")
        return
    services = context.services

    def build() -> list[GapGroup]:
        items = load_gaps(services.db, since)
        return group_gaps(items, services.embedder, services.settings.gap_similarity)

    groups = await asyncio.to_thread(build)
    await message.reply_text(render.gaps_text(groups, since), parse_mode=ParseMode.HTML)
    if len(groups) > 10:
        csv_bytes = render_report(groups, "csv", since, limit=1000).encode("utf-8")
        await message.reply_document(io.BytesIO(csv_bytes), filename="wissensluecken.csv")


async def show_help(update: Update, context: BotContext) -> None:
    """/redaktion: the editors' commands."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    await message.reply_text(HELP, parse_mode=ParseMode.HTML)
