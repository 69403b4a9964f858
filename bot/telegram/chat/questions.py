"""Text questions: typing indicator, engine call in a worker thread, HTML answer with buttons."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import LinkPreviewOptions, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError

from bot.context import Answer
from bot.telegram import callbacks, texts
from bot.telegram.addressing import question_text
from bot.telegram.chat.keyboards import answer_keyboard
from bot.telegram.guard import check_rate
from bot.telegram.render import render_reply
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

TYPING_EVERY_S = 4.5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@contextlib.asynccontextmanager
async def typing(context: BotContext, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" now and every few seconds until the block ends."""

    async def send() -> None:
        try:
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError as exc:
            log.debug("typing indicator failed: %s", exc)

    async def repeat() -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY_S)
            await send()

    await send()
    task = asyncio.create_task(repeat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def answer_question(update: Update, context: BotContext) -> None:
    """Answer a text message addressed to the bot."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    log.debug("question from user %s (%d characters)", user.id, len(message.text or ""))
    await ask(context, message, user.id, question_text(message))


async def ask(context: BotContext, message: Message, user_id: int, text: str) -> None:
    """Run the engine for ``text`` and send the rendered answer to the message's chat."""
    services = context.services
    chat_id = message.chat_id
    async with typing(context, chat_id):
        answer = await asyncio.to_thread(services.answer, user_id, chat_id, text)
    await send_answer(context, message, answer)


async def send_answer(context: BotContext, message: Message, answer: Answer) -> None:
    """Send the answer in as many parts as needed; buttons go under the last part."""
    reply = answer.reply
    notice = (
        texts.TRUNCATED.format(chars=context.services.settings.max_question_chars)
        if reply.truncated
        else None
    )
    parts = render_reply(reply, notice) or [texts.ERROR_SHORT]
    markup = answer_keyboard(answer.turn_id, reply.handoff_suggested)
    quote = (
        ReplyParameters(message.message_id, allow_sending_without_reply=True)
        if message.chat.type != ChatType.PRIVATE
        else None
    )
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        await context.bot.send_message(
            message.chat_id,
            part,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=markup if last else None,
            reply_parameters=quote if n == 0 else None,
        )


async def ask_example(update: Update, context: BotContext) -> None:
    """An example-question button of /start: ask it as if the user had typed it."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    n = callbacks.parse_example(query.data)
    message = query.message
    if n is None or n >= len(texts.EXAMPLE_QUESTIONS) or not isinstance(message, Message):
        await query.answer(texts.STALE_BUTTON)
        return
    if not await check_rate(update, context):
        return
    await query.answer()
    question = texts.EXAMPLE_QUESTIONS[n]
    await context.bot.send_message(message.chat_id, f"❓ {question}")
    await ask(context, message, user.id, question)
