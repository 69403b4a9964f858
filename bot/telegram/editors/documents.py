"""Editors' document handlers: upload, /dokumente, /dokument, /entfernen, /gueltig, /thema.

Thin: read the update, check the editor, call the document service in a thread, render.
Documents from anyone else are refused without being downloaded or stored.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from bot.editors.dates import parse_user_date
from bot.editors.documents import UploadResult
from bot.editors.storage import normalise_topic
from bot.errors import InputRejected
from bot.telegram import callbacks, texts
from bot.telegram.editors import render
from bot.telegram.editors.access import actor, editor_or_refuse, is_editor
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

REJECTED = "❌ Das Dokument wurde nicht übernommen: {reason}"


def _caption_hints(caption: str | None, topics: list[str]) -> tuple[str | None, date | None]:
    """A topic and a valid_until date named in the caption ('foerderung bis 31.12.2027')."""
    topic: str | None = None
    until: date | None = None
    for word in (caption or "").replace(",", " ").split():
        parsed = parse_user_date(word)
        if parsed is not None:
            until = parsed
        elif (slug := normalise_topic(word)) in topics:
            topic = slug
    return topic, until


async def receive(update: Update, context: BotContext) -> None:
    """A document sent to the bot: editors' files are checked and ingested."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not is_editor(update, context):
        log.info("refused a document from a non-editor")
        await message.reply_text(texts.NOT_EDITOR)
        return
    settings = context.services.settings
    document = message.document
    if document.file_size and document.file_size > settings.max_document_bytes:
        reason = f"Die Datei ist größer als {settings.max_document_mb:g} MB."
        await message.reply_text(REJECTED.format(reason=reason))
        return
    await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
    service = context.services.documents
    topic, until = _caption_hints(message.caption, service.topics())
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
        result = await asyncio.to_thread(
            service.add, data, document.file_name, actor(update), topic, until
        )
    except InputRejected as exc:
        await message.reply_text(REJECTED.format(reason=exc.user_message))
        return
    await _summary(message, context, result)


async def _summary(message: Message, context: BotContext, result: UploadResult) -> None:
    settings = context.services.settings
    keyboard = None
    if "topic" in result.missing:
        topics = context.services.documents.topics()
        keyboard = render.topic_keyboard(result.document.id, topics)
    await message.reply_text(
        render.upload_summary(result, date.today(), settings.expiry_warning_days),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def list_documents(update: Update, context: BotContext) -> None:
    """/dokumente [Seite]."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    page = int(context.args[0]) - 1 if context.args and context.args[0].isdigit() else 0
    text, keyboard = render.list_page_text(
        context.services.documents.documents(),
        page,
        date.today(),
        context.services.settings.expiry_warning_days,
    )
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def show_document(update: Update, context: BotContext) -> None:
    """/dokument <Kennung>."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    service = context.services.documents
    try:
        doc = service.find(" ".join(context.args or []))
    except InputRejected as exc:
        await message.reply_text(exc.user_message)
        return
    front = await asyncio.to_thread(service.front_matter_of, doc)
    text = render.details_text(
        doc, front, date.today(), context.services.settings.expiry_warning_days
    )
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def ask_remove(update: Update, context: BotContext) -> None:
    """/entfernen <Kennung>: ask for confirmation first."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    try:
        doc = context.services.documents.find(" ".join(context.args or []))
    except InputRejected as exc:
        await message.reply_text(exc.user_message)
        return
    text, keyboard = render.remove_question(doc)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def set_valid_until(update: Update, context: BotContext) -> None:
    """/gueltig <Kennung> <TT.MM.JJJJ>."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    args = context.args or []
    until = parse_user_date(args[1]) if len(args) == 2 else None
    if until is None:
        await message.reply_text("Bitte so angeben: /gueltig KENNUNG TT.MM.JJJJ")
        return
    service = context.services.documents
    try:
        result = await asyncio.to_thread(service.set_valid_until, args[0], until, actor(update))
    except InputRejected as exc:
        await message.reply_text(exc.user_message)
        return
    await _summary(message, context, result)


async def set_topic(update: Update, context: BotContext) -> None:
    """/thema <Kennung> <Thema>."""
    message = update.effective_message
    if message is None or not await editor_or_refuse(update, context):
        return
    args = context.args or []
    if len(args) != 2:
        await message.reply_text("Bitte so angeben: /thema KENNUNG THEMA")
        return
    service = context.services.documents
    try:
        result = await asyncio.to_thread(service.set_topic, args[0], args[1], actor(update))
    except InputRejected as exc:
        await message.reply_text(exc.user_message)
        return
    await _summary(message, context, result)


async def press_button(update: Update, context: BotContext) -> None:
    """Buttons of the editors: list pages, topic choice, remove confirmation."""
    query = update.callback_query
    if query is None:
        return
    if not is_editor(update, context):
        await query.answer(texts.NOT_EDITOR[:190])
        return
    parsed = callbacks.parse(query.data, *callbacks.EDITOR_KINDS)
    if parsed is None:
        await query.answer(texts.STALE_BUTTON_SHORT)
        return
    service = context.services.documents
    warn_days = context.services.settings.expiry_warning_days
    try:
        if parsed.kind == "ed:l":
            text, keyboard = render.list_page_text(
                service.documents(), parsed.number(0), date.today(), warn_days
            )
            await query.answer()
            await _edit(query.message, text, keyboard)
        elif parsed.kind == "ed:t":
            doc_id, topic = parsed.fields
            result = await asyncio.to_thread(service.set_topic, doc_id, topic, actor(update))
            await query.answer(f"Thema: {topic}")
            await _edit(query.message, render.upload_summary(result, date.today(), warn_days))
        elif parsed.kind == "ed:rm":
            removed = await asyncio.to_thread(service.remove, parsed.fields[0], actor(update))
            await query.answer("Entfernt.")
            await _edit(
                query.message,
                f"🗑 Entfernt: <b>{render.escape(removed.title)}</b> "
                f"({removed.chunks} Abschnitte aus dem Index genommen).",
            )
        else:  # ed:no
            await query.answer("Abgebrochen.")
            await _edit(query.message, "Entfernen abgebrochen.")
    except InputRejected as exc:
        await query.answer(exc.user_message[:190], show_alert=True)


async def _edit(
    message: MaybeInaccessibleMessage | None,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the text of the message under a button (unchanged text is not an error)."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
