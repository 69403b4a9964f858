"""Per-user rate limit in front of every handler (handler group -1): messages and button presses
count against the same limit; a press weighs ``BUTTON_COST`` of a message (cheap to serve, and
people page through lists quickly), so 40 forged presses in a burst are still stopped after 20.

Over the limit, the user gets one friendly German notice per window; further messages in that
window are dropped without a reply. A limited button press is still answered (briefly), so that
the user's client stops waiting, but nothing behind it runs.
"""

from __future__ import annotations

import logging
import math

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.ratelimit import Verdict
from bot.telegram import texts
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

BUTTON_COST = 0.5


async def check_rate(update: Update, context: BotContext) -> bool:
    """Count the update against the user's limit; tell them once when they exceed it."""
    user = update.effective_user
    if user is None:
        return True
    limiter = context.services.limiter
    query = update.callback_query
    verdict = limiter.check(user.id, BUTTON_COST if query is not None else 1.0)
    if verdict is Verdict.ALLOW:
        return True
    log.info("rate limit exceeded by user %s (%s)", user.id, verdict.value)
    if query is not None:
        await query.answer(texts.RATE_LIMITED_SHORT)
    elif verdict is Verdict.NOTIFY and update.effective_message is not None:
        seconds = max(1, math.ceil(limiter.retry_in(user.id)))
        await update.effective_message.reply_text(texts.RATE_LIMITED.format(seconds=seconds))
    return False


async def limit_messages(update: Update, context: BotContext) -> None:
    """Stop handling a message when its sender is over the limit."""
    if not await check_rate(update, context):
        raise ApplicationHandlerStop


async def limit_buttons(update: Update, context: BotContext) -> None:
    """Stop handling a button press when its sender is over the limit."""
    if not await check_rate(update, context):
        raise ApplicationHandlerStop
