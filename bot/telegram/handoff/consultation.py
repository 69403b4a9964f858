"""/termin and the "Beratung anfragen" button: the entry to the consultation request.

``offer`` is the single entry point used by /termin, the button under answers, the 👎 follow-up
and the /start deep link ``termin``; the intake itself lives in ``intake``.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.telegram import callbacks, texts
from bot.telegram.handoff.intake import start_intake
from bot.telegram.services import BotContext


async def offer(
    update: Update, context: BotContext, turn_id: int | None, *, via_command: bool = True
) -> None:
    """Start the consultation request (``turn_id``: the answer it follows, if any)."""
    await start_intake(update, context, via_command=via_command, turn_id=turn_id)


async def request_by_command(update: Update, context: BotContext) -> None:
    """/termin."""
    await offer(update, context, None)


async def request_by_button(update: Update, context: BotContext) -> None:
    """The "Beratung anfragen" button."""
    query = update.callback_query
    if query is None:
        return
    valid, turn_id = callbacks.parse_consultation(query.data)
    if not valid:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await offer(update, context, turn_id, via_command=False)


def register(application: Application) -> None:
    """/termin and the button."""
    application.add_handler(
        CommandHandler("termin", request_by_command, filters=filters.UpdateType.MESSAGE)
    )
    application.add_handler(
        CallbackQueryHandler(request_by_button, pattern=callbacks.route("cs", bare=True))
    )
