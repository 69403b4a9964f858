"""/meine_daten and /daten_loeschen (with confirmation; advisors are told about cancelled dates,
and every message about the user's cases in advisors' chats is replaced by a deletion note)."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.booking.bookings import Cancellation
from bot.privacy import MAIL_COPIES, render_my_data
from bot.telegram import callbacks
from bot.telegram.handoff.booking import tell_cancelled
from bot.telegram.handoff.delivery import callback_args, edit_quietly
from bot.telegram.handoff.notify import DELETED_ON_REQUEST, withdraw_notices
from bot.telegram.handoff.reminders import schedule_reminders
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

CONFIRM = (
    "Möchten Sie wirklich alle Ihre Daten löschen? Das betrifft Ihren Gesprächsverlauf, Ihre "
    "Bewertungen, Ihre offenen Fragen in der Auswertung für die Redaktion, Ihre "
    "Beratungsanfragen (auch die Nachrichten dazu im Chat des Beratungsteams) und Ihre Termine "
    "(diese werden abgesagt). Das lässt sich nicht rückgängig machen.\n\n" + MAIL_COPIES
)
DONE = (
    "Ihre Daten sind gelöscht: Gesprächsverlauf, Bewertungen, offene Fragen, Beratungsanfragen "
    "und Termine."
)


async def show_my_data(update: Update, context: BotContext) -> None:
    """/meine_daten."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    handoff = context.services.handoff
    data = await asyncio.to_thread(handoff.privacy.summary, user.id)
    await message.reply_text(render_my_data(data, handoff.settings.retention_days))


async def ask_to_delete(update: Update, context: BotContext) -> None:
    """/daten_loeschen: ask for confirmation first."""
    message = update.effective_message
    if message is None:
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Ja, alles löschen", callback_data=callbacks.delete_data(True)
                ),
                InlineKeyboardButton("Nein", callback_data=callbacks.delete_data(False)),
            ]
        ]
    )
    await message.reply_text(CONFIRM, reply_markup=markup)


async def delete_data(update: Update, context: BotContext) -> None:
    """The confirmation buttons: delete everything, cancel appointments, tell the advisors."""
    args = await callback_args(update, "hd")
    if args is None:
        return
    query, user, parsed = args
    if parsed.fields[0] == "n":
        await query.answer()
        await edit_quietly(query, "In Ordnung, es wurde nichts gelöscht.")
        return
    deletion = await asyncio.to_thread(context.services.handoff.privacy.delete_everything, user.id)
    await query.answer("Gelöscht.")
    await edit_quietly(query, DONE + (f"\n\n{MAIL_COPIES}" if deletion.cases else ""))
    withdrawn = await withdraw_notices(context, deletion.notices, DELETED_ON_REQUEST)
    log.info(
        "user data deleted on request (%d cases, %d gaps, %d advisor messages replaced)",
        deletion.cases,
        deletion.gaps,
        withdrawn,
    )
    for booking in deletion.cancelled:
        await tell_cancelled(
            context, Cancellation(booking, by_advisor=False), reason=" (Daten gelöscht)"
        )
    if deletion.cancelled:
        await schedule_reminders(context.application)
