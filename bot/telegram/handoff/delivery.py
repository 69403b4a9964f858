"""Small helpers shared by the consultation handlers: refusals, parsed buttons, safe delivery."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.handoff.errors import HandoffError
from bot.telegram import callbacks, texts
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

MAX_ALERT = 200


async def refuse(query: CallbackQuery, error: HandoffError) -> None:
    """Answer a button press with the German reason it cannot be done."""
    await query.answer(error.user_message[:MAX_ALERT], show_alert=True)


async def deliver(
    context: BotContext,
    chat_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send to another person's chat; a blocked bot or a vanished chat is logged, not raised."""
    try:
        return await context.bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    except (Forbidden, BadRequest) as exc:
        log.warning("could not deliver to chat %s: %s", chat_id, exc)
        return None


async def deliver_file(
    context: BotContext, chat_id: int, data: bytes, filename: str, caption: str
) -> None:
    """Send a file (the .ics invitation); failures are logged."""
    try:
        await context.bot.send_document(
            chat_id, InputFile(data, filename=filename), caption=caption
        )
    except (Forbidden, BadRequest) as exc:
        log.warning("could not send %s to chat %s: %s", filename, chat_id, exc)


async def edit_quietly(
    query: CallbackQuery, html: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the text of the pressed message; an unchanged or too old message is fine."""
    try:
        await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        log.debug("could not edit the message: %s", exc)


async def callback_args(
    update: Update, *kinds: str
) -> tuple[CallbackQuery, User, callbacks.Parsed] | None:
    """The pressed button's query, user and data parsed as one of ``kinds``; stale or forged data
    is answered here."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return None
    parsed = callbacks.parse(query.data, *kinds)
    if parsed is None:
        await query.answer(texts.STALE_BUTTON_SHORT)
        return None
    return query, user, parsed
