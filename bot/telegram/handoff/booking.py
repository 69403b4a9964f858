"""Booking in Telegram: slots offered to the user (paged), booking with .ics to both sides,
/termine with Absagen and Verschieben, and the reminders 24 h and 1 h before.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.booking.bookings import BookingView, Cancellation
from bot.booking.ics import filename, invitation
from bot.handoff.cases import CaseView
from bot.handoff.errors import HandoffError, SlotTaken
from bot.telegram import callbacks, texts
from bot.telegram.handoff.delivery import callback_args, deliver, deliver_file, edit_quietly, refuse
from bot.telegram.handoff.reminders import schedule_reminders
from bot.telegram.handoff.render import booking_keyboard, booking_line, slot_keyboard
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

OFFER_TEXT = (
    "<b>Terminvorschläge zu Ihrer Anfrage #{case}</b>\n{name} bietet Ihnen diese Zeiten an "
    "(Berliner Zeit). Bitte wählen Sie eine aus:"
)
NO_SLOTS = "Im Moment sind keine freien Zeiten mehr verfügbar. Ihre Beraterin oder Ihr Berater meldet sich."


async def offer_slots(context: BotContext, case: CaseView) -> bool:
    """Send the user the free slots of the advisor holding the case; False when there are none."""
    handoff = context.services.handoff
    assert case.claimed_by is not None
    page = await asyncio.to_thread(handoff.slots.free_page, case.claimed_by, 0)
    if not page.slots:
        return False
    markup = slot_keyboard(
        page, lambda slot: callbacks.book(case.id, slot), lambda n: callbacks.offer_page(case.id, n)
    )
    text = OFFER_TEXT.format(case=case.id, name=escape(case.claimer_label))
    return await deliver(context, case.chat_id, text, markup) is not None


async def turn_page(update: Update, context: BotContext) -> None:
    """‹ / › under offered slots (for booking or moving)."""
    args = await callback_args(update, "hp", "hm")
    if args is None:
        return
    query, user, parsed = args
    handoff = context.services.handoff
    target, page_no = parsed.number(0), parsed.number(1)
    if parsed.kind == "hp":
        case = await asyncio.to_thread(handoff.cases.get, target)
        if case is None or case.telegram_user_id != user.id or case.claimed_by is None:
            await query.answer(texts.STALE_BUTTON_SHORT)
            return
        advisor = case.claimed_by
        choose, turn = (
            (lambda s: callbacks.book(target, s)),
            (lambda n: callbacks.offer_page(target, n)),
        )
    else:
        booking = await asyncio.to_thread(handoff.bookings.get, target)
        if booking is None or user.id not in (booking.user_id, booking.advisor_id):
            await query.answer(texts.STALE_BUTTON_SHORT)
            return
        advisor = booking.advisor_id
        choose, turn = (
            (lambda s: callbacks.move_to(target, s)),
            (lambda n: callbacks.move_page(target, n)),
        )
    page = await asyncio.to_thread(handoff.slots.free_page, advisor, page_no)
    await query.answer()
    markup = slot_keyboard(page, choose, turn)
    message = _message_of(query)
    if parsed.kind == "hm" and message is not None and _has_cancel_button(message):
        # "Verschieben" under a booking: the choice opens in a new message
        await message.reply_text(
            "Auf welche Zeit möchten Sie verschieben? (Berliner Zeit)" if page.slots else NO_SLOTS,
            reply_markup=markup if page.slots else None,
        )
        return
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        log.debug("page unchanged: %s", exc)


def _has_cancel_button(message: Message) -> bool:
    markup = message.reply_markup
    return markup is not None and any(
        callbacks.kind_of(b.callback_data) == "hx" for row in markup.inline_keyboard for b in row
    )


async def book_slot(update: Update, context: BotContext) -> None:
    """The user picks an offered slot."""
    args = await callback_args(update, "hs")
    if args is None:
        return
    query, user, parsed = args
    handoff = context.services.handoff
    case_id, slot_id = parsed.number(0), parsed.number(1)
    try:
        booking = await asyncio.to_thread(handoff.bookings.book, slot_id, case_id, user.id)
    except SlotTaken as exc:
        await refuse(query, exc)
        case = await asyncio.to_thread(handoff.cases.get, case_id)
        if case is not None and case.claimed_by is not None:
            page = await asyncio.to_thread(handoff.slots.free_page, case.claimed_by, 0)
            markup = slot_keyboard(
                page,
                lambda s: callbacks.book(case_id, s),
                lambda n: callbacks.offer_page(case_id, n),
            )
            await edit_quietly(
                query,
                OFFER_TEXT.format(case=case_id, name=escape(case.claimer_label))
                if page.slots
                else NO_SLOTS,
                markup if page.slots else None,
            )
        return
    except HandoffError as exc:
        await refuse(query, exc)
        return
    await query.answer("Gebucht!")
    await edit_quietly(query, f"✅ Gebucht: {booking_line(booking)}")
    await confirm(context, booking, moved=False)


async def confirm(context: BotContext, booking: BookingView, *, moved: bool) -> None:
    """Confirmation with .ics to the user and the advisor; plan the reminders."""
    verb = "verschoben auf" if moved else "gebucht"
    data = invitation(booking, now=context.services.handoff.clock())
    await deliver(
        context,
        booking.user_chat_id,
        f"<b>Ihr Beratungstermin ist {verb}:</b>\n{booking_line(booking)}\n\n"
        "Die Kalenderdatei folgt. Absagen oder verschieben können Sie mit /termine.",
        booking_keyboard(booking),
    )
    await deliver_file(
        context, booking.user_chat_id, data, filename(booking), "Termin für Ihren Kalender"
    )
    await deliver(
        context,
        booking.advisor_id,
        f"<b>Termin {verb} zu Fall #{booking.case_id}:</b>\n{booking_line(booking)}",
        booking_keyboard(booking),
    )
    await deliver_file(
        context, booking.advisor_id, data, filename(booking), f"Fall #{booking.case_id}"
    )
    await schedule_reminders(context.application)


async def list_bookings(update: Update, context: BotContext) -> None:
    """/termine: the user's (or advisor's) upcoming appointments with Absagen / Verschieben."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    bookings = await asyncio.to_thread(context.services.handoff.bookings.upcoming, user.id)
    if not bookings:
        await message.reply_text("Sie haben keine anstehenden Beratungstermine.")
        return
    for booking in bookings[:10]:
        await message.reply_text(
            f"Termin zu Anfrage #{booking.case_id}: {booking_line(booking)}",
            parse_mode=ParseMode.HTML,
            reply_markup=booking_keyboard(booking),
        )


async def cancel_booking(update: Update, context: BotContext) -> None:
    """Absagen: free the slot and tell the other side (with a cancelling .ics)."""
    args = await callback_args(update, "hx")
    if args is None:
        return
    query, user, parsed = args
    try:
        cancellation = await asyncio.to_thread(
            context.services.handoff.bookings.cancel, parsed.number(0), user.id
        )
    except HandoffError as exc:
        await refuse(query, exc)
        return
    await query.answer("Abgesagt.")
    await edit_quietly(query, f"❌ Abgesagt: {booking_line(cancellation.booking)}")
    await tell_cancelled(context, cancellation)


async def tell_cancelled(context: BotContext, cancellation: Cancellation, reason: str = "") -> None:
    """Tell the other side of a cancelled booking, with a cancelling .ics."""
    booking = cancellation.booking
    who = (
        "Ihre Beraterin bzw. Ihr Berater hat"
        if cancellation.by_advisor
        else f"Die Person zu Fall #{booking.case_id} hat"
    )
    text = f"<b>{who} den Termin abgesagt{reason}:</b>\n{booking_line(booking)}"
    if cancellation.by_advisor:
        text += "\n\nSie erhalten bei Bedarf neue Terminvorschläge."
    target = cancellation.other_side_chat_id
    await deliver(context, target, text)
    data = invitation(booking, cancelled=True, now=context.services.handoff.clock())
    await deliver_file(context, target, data, filename(booking), "Absage für Ihren Kalender")


async def move_booking(update: Update, context: BotContext) -> None:
    """A slot chosen for moving a booking."""
    args = await callback_args(update, "hn")
    if args is None:
        return
    query, user, parsed = args
    try:
        cancelled, moved = await asyncio.to_thread(
            context.services.handoff.bookings.move, parsed.number(0), parsed.number(1), user.id
        )
    except HandoffError as exc:
        await refuse(query, exc)
        return
    await query.answer("Verschoben.")
    await edit_quietly(query, f"✅ Verschoben auf: {booking_line(moved)}")
    await tell_cancelled(context, cancelled, reason=" (verschoben)")
    await confirm(context, moved, moved=True)


def _message_of(query: CallbackQuery) -> Message | None:
    return query.message if isinstance(query.message, Message) else None
