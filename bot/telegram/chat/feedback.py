"""👍/👎 under answers: stored with the question and the cited documents; 👎 offers a consultation.

The rating is validated against the database: the turn must belong to the user's current
conversation (a forged number or a button from before /neu gets a polite "no longer current").
Every 👎 is also recorded as a pseudonymised knowledge gap.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.store.gaps import GapKind
from bot.telegram import callbacks, texts
from bot.telegram.chat.keyboards import consultation_row, without_feedback
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)


async def rate_answer(update: Update, context: BotContext) -> None:
    """Store a 👍 or 👎."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    rating = callbacks.parse_rating(query.data)
    services = context.services
    answer = (
        await asyncio.to_thread(services.feedback.answer_of, user.id, rating.turn_id)
        if rating is not None
        else None
    )
    if rating is None or answer is None:
        await query.answer(texts.STALE_BUTTON)
        return
    changed = await asyncio.to_thread(services.feedback.rate, user.id, answer, rating.value)
    if rating.value < 0 and changed:
        await asyncio.to_thread(services.record_gap, GapKind.THUMBS_DOWN, answer.question)
    log.info("feedback %+d on turn %s", rating.value, answer.turn_id)
    await query.answer(texts.FEEDBACK_THANKS_UP if rating.value > 0 else texts.FEEDBACK_THANKS_DOWN)
    message = query.message
    if isinstance(message, Message):
        await _drop_feedback_buttons(message)
        if rating.value < 0:
            await message.reply_text(
                texts.FEEDBACK_SORRY,
                reply_markup=InlineKeyboardMarkup([consultation_row(answer.turn_id)]),
            )


async def _drop_feedback_buttons(message: Message) -> None:
    try:
        await message.edit_reply_markup(without_feedback(message.reply_markup))
    except BadRequest as exc:
        # Too old to edit or already edited: the rating is stored either way.
        log.debug("could not remove the feedback buttons: %s", exc)
