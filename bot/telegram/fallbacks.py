"""Last handlers: unknown commands and unknown, stale or forged buttons get a polite answer."""

from __future__ import annotations

import logging

from telegram import Update

from bot.telegram import texts
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know (private chats only)."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            "Diesen Befehl kenne ich nicht. Eine Übersicht finden Sie unter /hilfe."
        )


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose callback_data no handler accepts (stale, forged or from an old version)."""
    query = update.callback_query
    if query is not None:
        log.info("unknown callback_data (%d bytes)", len((query.data or "").encode("utf-8")))
        await query.answer(texts.STALE_BUTTON)
