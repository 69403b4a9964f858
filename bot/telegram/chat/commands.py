"""Commands: /start (with deep-link payload), /hilfe, /neu and /datenschutz.

The other commands are listed in ``bot.telegram.handlers``; the command list for setMyCommands is
``texts.COMMANDS``.

Deep links: ``https://t.me/<bot>?start=<payload>`` with a topic slug (``foerderung``) opens that
topic of /themen after the welcome; ``termin`` opens the consultation request. Any other payload
is ignored.
"""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import BotCommand, Update
from telegram.constants import ParseMode

from bot.operator import Operator
from bot.telegram import texts
from bot.telegram.chat import topics
from bot.telegram.chat.keyboards import examples_keyboard
from bot.telegram.handoff import start_intake
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def bot_commands() -> list[BotCommand]:
    """The commands shown in Telegram's menu."""
    return [BotCommand(name, description) for name, description in texts.COMMANDS]


async def start(update: Update, context: BotContext) -> None:
    """Introduce the assistant, offer example questions; follow a deep-link payload."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        texts.start_text(Operator.from_settings(context.services.settings)),
        parse_mode=ParseMode.HTML,
        reply_markup=examples_keyboard(texts.EXAMPLE_QUESTIONS),
    )
    payload = context.args[0] if context.args else ""
    if not payload:
        return
    if not _PAYLOAD.fullmatch(payload):
        log.info("ignoring a malformed /start payload")
        return
    if payload.lower() == "termin":
        await start_intake(update, context, via_command=True)
        return
    if not await topics.open_topic(message, context, payload.lower()):
        log.info("ignoring unknown /start payload %r", payload[:64])


async def show_help(update: Update, context: BotContext) -> None:
    """What the assistant does and how to ask."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.HELP, parse_mode=ParseMode.HTML)


async def new_conversation(update: Update, context: BotContext) -> None:
    """Forget the conversation: delete its turns and start a fresh conversation id."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    await asyncio.to_thread(context.services.users.new_conversation, user.id, message.chat_id)
    await message.reply_text(texts.NEW_CONVERSATION)


async def show_privacy(update: Update, context: BotContext) -> None:
    """What is stored, for how long, and how to delete it."""
    if update.effective_message is not None:
        settings = context.services.settings
        text = texts.privacy_text(
            Operator.from_settings(settings),
            days=settings.history_retention_days,
            case_days=settings.retention_days,
            gap_days=settings.gap_retention_days,
            user_days=settings.user_retention_days,
        )
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)
