"""The advisors' side: case buttons (Übernehmen, Rückfrage, Termin anbieten, Abschließen),
/faelle and /zeiten. Every action is checked by the services; refusals are logged there.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.booking.berlin import TimeInputError, format_slot, parse_local
from bot.handoff.cases import NOT_ADVISOR, CaseAction, notification_for
from bot.handoff.errors import HandoffError, NotAuthorised
from bot.telegram import callbacks, texts
from bot.telegram.handoff.booking import offer_slots
from bot.telegram.handoff.delivery import callback_args, deliver, refuse
from bot.telegram.handoff.notify import refresh_notices
from bot.telegram.handoff.render import case_message
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

MAX_LISTED = 10
ZEITEN_HELP = (
    "<b>Ihre Beratungszeiten</b>\n"
    "Neue Zeit anlegen (Berliner Zeit): <code>/zeiten 2026-12-03T10:00 45 video</code>\n"
    "Formate: video, telefon, vor-ort. Freie Zeiten löschen Sie mit 🗑."
)


async def case_button(update: Update, context: BotContext) -> None:
    """One of the four buttons under a case notification."""
    query = update.callback_query
    user = update.effective_user
    parsed = callbacks.parse(query.data if query else None, "hc")
    if query is None or user is None:
        return
    if parsed is None:
        await query.answer(texts.STALE_BUTTON_SHORT)
        return
    handoff = context.services.handoff
    action, case_id = callbacks.action_of(parsed), parsed.number(1)
    try:
        if action == CaseAction.CLAIM:
            result = await asyncio.to_thread(handoff.cases.claim, case_id, user.id, user.full_name)
            if not result.won:
                await query.answer(
                    f"Fall #{case_id} hat bereits {result.case.claimer_label} übernommen."[:200],
                    show_alert=True,
                )
                return
            await query.answer(f"Sie haben Fall #{case_id} übernommen.")
            await refresh_notices(context, result.case)
            await deliver(
                context,
                result.case.chat_id,
                f"Gute Nachricht: <b>{escape(result.case.claimer_label)}</b> vom Beratungsteam hat "
                f"Ihre Anfrage #{case_id} übernommen und meldet sich bei Ihnen.",
            )
        elif action == CaseAction.ASK:
            advisor = await asyncio.to_thread(handoff.relay.open_question, case_id, user.id)
            prompt = await deliver(
                context,
                advisor,
                f"Bitte schreiben Sie mir jetzt Ihre Rückfrage zu Fall #{case_id} als nächste "
                "Nachricht; ich leite sie weiter. (/abbrechen)",
            )
            if prompt is None:
                await asyncio.to_thread(handoff.relay.cancel, advisor)
                await query.answer(
                    "Ich kann Ihnen nicht privat schreiben. Bitte starten Sie zuerst einen "
                    "privaten Chat mit mir (/start) und drücken Sie dann erneut „Rückfrage“.",
                    show_alert=True,
                )
                return
            await query.answer("Bitte schreiben Sie mir Ihre Rückfrage im privaten Chat.")
        elif action == CaseAction.OFFER:
            case = await asyncio.to_thread(handoff.cases.holding, case_id, user.id)
            offered = await offer_slots(context, case)
            await query.answer(
                "Terminvorschläge gesendet."
                if offered
                else "Sie haben keine freien Zeiten. Legen Sie mit /zeiten welche an.",
                show_alert=not offered,
            )
        else:
            case = await asyncio.to_thread(handoff.cases.close, case_id, user.id)
            await query.answer(f"Fall #{case_id} ist abgeschlossen.")
            await refresh_notices(context, case)
            await deliver(
                context,
                case.chat_id,
                f"Ihre Beratungsanfrage #{case_id} ist abgeschlossen. Vielen Dank! Wenn Sie "
                "wieder Unterstützung brauchen, schreiben Sie einfach /termin.",
            )
    except HandoffError as exc:
        await refuse(query, exc)


async def list_cases(update: Update, context: BotContext) -> None:
    """/faelle: open and claimed cases, each with its buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    handoff = context.services.handoff
    try:
        cases = await asyncio.to_thread(handoff.cases.active, user.id)
    except NotAuthorised as exc:
        await message.reply_text(exc.user_message)
        return
    if not cases:
        await message.reply_text("Zurzeit gibt es keine offenen oder übernommenen Fälle.")
        return
    shown = cases[:MAX_LISTED]
    more = f" (die ältesten {MAX_LISTED} werden gezeigt)" if len(cases) > MAX_LISTED else ""
    await message.reply_text(f"{len(cases)} offene oder übernommene Fälle{more}:")
    for case in shown:
        html, markup = case_message(notification_for(case))
        sent = await message.reply_text(html, parse_mode=ParseMode.HTML, reply_markup=markup)
        # kept up to date like the first notification, and withdrawn on the user's deletion
        await asyncio.to_thread(handoff.cases.record_notice, case.id, sent.chat_id, sent.message_id)


async def manage_slots(update: Update, context: BotContext) -> None:
    """/zeiten [Start Minuten Format]: add a slot, or list the own slots with 🗑 buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    handoff = context.services.handoff
    if not handoff.advisors.is_advisor(user.id):
        await message.reply_text(NOT_ADVISOR)
        return
    args = list(context.args or [])
    if args:
        await _add_slot(message, context, user.id, args)
        return
    slots = await asyncio.to_thread(handoff.slots.listing, user.id)
    rows = [
        [
            InlineKeyboardButton(
                f"🗑 {format_slot(s.starts_at)} · {s.format_label}",
                callback_data=callbacks.remove_slot(s.id),
            )
        ]
        for s in slots[:20]
        if not s.booked
    ]
    lines = [ZEITEN_HELP, ""]
    lines += [
        f"• {escape(format_slot(s.starts_at, s.ends_at))} · {s.format_label} · "
        f"{'gebucht' if s.booked else 'frei'}"
        for s in slots[:20]
    ] or ["Sie haben noch keine künftigen Zeiten."]
    await message.reply_text(
        "\n".join(lines),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows) if rows else None,
    )


async def _add_slot(message: Message, context: BotContext, advisor: int, args: list[str]) -> None:
    handoff = context.services.handoff
    if len(args) < 3 or not args[-2].isdigit():
        await message.reply_text(
            "Bitte so: /zeiten 2026-12-03T10:00 45 video (Start, Minuten, Format)."
        )
        return
    try:
        start = parse_local(" ".join(args[:-2]))
        slot = await asyncio.to_thread(handoff.slots.add, advisor, start, int(args[-2]), args[-1])
    except (TimeInputError, HandoffError) as exc:
        text = exc.user_message if isinstance(exc, HandoffError) else str(exc)
        await message.reply_text(text)
        return
    await message.reply_text(
        f"Zeit angelegt: {format_slot(slot.starts_at, slot.ends_at)}, {slot.format_label} (Nr. {slot.id})."
    )


async def remove_slot(update: Update, context: BotContext) -> None:
    """🗑 under /zeiten."""
    args = await callback_args(update, "hz")
    if args is None:
        return
    query, user, parsed = args
    handoff = context.services.handoff
    if not handoff.advisors.is_advisor(user.id):
        await query.answer(NOT_ADVISOR[:200], show_alert=True)
        return
    try:
        slot = await asyncio.to_thread(handoff.slots.remove, parsed.number(0), user.id)
    except HandoffError as exc:
        await refuse(query, exc)
        return
    await query.answer(f"Gelöscht: {format_slot(slot.starts_at)}")
