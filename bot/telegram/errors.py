"""The one global error handler: log with context, tell the user, keep running.

Logged: the update id and kind and the exception with traceback. Never the token (see
``app.redact_token``) and never message contents (those appear at DEBUG level only, elsewhere).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.telegram import texts
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)


def _describe(update: object) -> str:
    if not isinstance(update, Update):
        return "no update"
    kind = "callback" if update.callback_query else "message" if update.message else "other"
    chat = update.effective_chat.type if update.effective_chat else "-"
    return f"update {update.update_id} ({kind}, {chat} chat)"


async def handle_error(update: object, context: BotContext) -> None:
    """Log the error and apologise to the user where there is one."""
    error = context.error
    if isinstance(error, Forbidden):
        log.warning("%s: the user blocked the bot or left the chat", _describe(update))
        return
    log.error("%s failed: %r", _describe(update), error, exc_info=error)
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(texts.ERROR_SHORT)
        except TelegramError as exc:  # e.g. the handler had answered it already
            log.debug("could not answer the callback query: %r", exc)
    if update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except TelegramError as exc:
            log.warning("could not tell the user about the error: %r", exc)
