"""The user's side of a consultation request: /termin and the "Beratung anfragen" button, the
intake questions, /abbrechen, and the rendering of intake steps and relayed Rückfrage texts.

``start_intake`` is the single entry point: /termin, the button under answers and after a 👎, and
the /start deep link ``termin`` all begin here. Which text continues a consultation is decided by
``bot.conversation.Conversation.route``; the question handler passes such steps to
``continue_consultation`` here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from html import escape

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.conversation import Step
from bot.handoff.cases import NOTICE_RELAY
from bot.handoff.errors import HandoffError
from bot.handoff.intake import CANCELLED, NOTHING_TO_CANCEL, IntakeReply, Outcome
from bot.handoff.relay import ADVISOR, Relay
from bot.telegram import callbacks, texts
from bot.telegram.handoff.delivery import deliver, edit_quietly, refuse
from bot.telegram.handoff.notify import notify_advisors
from bot.telegram.handoff.render import intake_message
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

RELAYED = "Ich habe Ihre Nachricht weitergeleitet."
ADVISOR_QUESTION = (
    "<b>Rückfrage von {name} zu Ihrer Anfrage #{case}:</b>\n\n{text}\n\n"
    "<i>Antworten Sie einfach mit Ihrer nächsten Nachricht; ich leite sie weiter. "
    "Mit /abbrechen antworten Sie nicht.</i>"
)
USER_ANSWER = "<b>Antwort zu Fall #{case}:</b>\n\n{text}"


async def start_intake(
    update: Update, context: BotContext, *, via_command: bool, turn_id: int | None = None
) -> None:
    """Begin (or resume) the consultation request of the user."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    reply = await asyncio.to_thread(
        context.services.conversation.start_consultation,
        user.id,
        chat.id,
        via_command=via_command,
    )
    log.info("consultation intake for user %s (after turn %s)", user.id, turn_id)
    intro = (
        "<b>Persönliche Beratung</b>\nIch stelle Ihnen ein paar kurze Fragen, damit Ihre "
        "Beraterin oder Ihr Berater gleich Bescheid weiß.\n\n"
    )
    html, markup = intake_message(reply)
    await context.bot.send_message(
        chat.id, intro + html, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def request_by_command(update: Update, context: BotContext) -> None:
    """/termin."""
    await start_intake(update, context, via_command=True)


async def request_by_button(update: Update, context: BotContext) -> None:
    """The "Beratung anfragen" button (under an answer or after a 👎)."""
    query = update.callback_query
    if query is None:
        return
    valid, turn_id = callbacks.parse_consultation(query.data)
    if not valid:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await start_intake(update, context, via_command=False, turn_id=turn_id)


async def _after_answer(context: BotContext, chat_id: int, reply: IntakeReply) -> None:
    """Send the next question, or finish: thank the user and notify the advisors."""
    started = time.perf_counter()
    if reply.outcome == Outcome.ASK:
        html, markup = intake_message(reply)
        await context.bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return
    await context.bot.send_message(chat_id, escape(reply.text), parse_mode=ParseMode.HTML)
    if reply.outcome == Outcome.DONE and reply.case is not None:
        await notify_advisors(context, reply.case)
        log.info(
            "case %s notified in %.0f ms", reply.case.id, (time.perf_counter() - started) * 1000
        )


async def choose(update: Update, context: BotContext) -> None:
    """An intake button (type, topic, way of contact, consent)."""
    query = update.callback_query
    user = update.effective_user
    parsed = callbacks.parse(query.data if query else None, "hi")
    if query is None or user is None or parsed is None or not isinstance(query.message, Message):
        if query is not None:
            await query.answer(texts.STALE_BUTTON_SHORT)
        return
    step, value = parsed.fields
    try:
        reply = await asyncio.to_thread(
            context.services.handoff.intake.answer, user.id, value, step
        )
    except HandoffError as exc:
        await refuse(query, exc)
        return
    if reply is None:
        await query.answer(
            "Es läuft keine Beratungsanfrage. Starten Sie mit /termin.", show_alert=True
        )
        return
    await query.answer()
    if not reply.hint:
        chosen = next(
            (lbl for data, lbl in _choices_of(query.message) if data == query.data), value
        )
        await edit_quietly(query, f"{query.message.text_html}\n\n➜ <b>{escape(chosen)}</b>")
    await _after_answer(context, query.message.chat_id, reply)


def _choices_of(message: Message) -> list[tuple[str, str]]:
    markup = message.reply_markup
    if markup is None:
        return []
    return [(str(b.callback_data), b.text) for row in markup.inline_keyboard for b in row]


async def continue_consultation(context: BotContext, message: Message, step: Step) -> None:
    """Render a text that continued a consultation: the next intake step or the relayed text."""
    if step.relay is not None:
        await _relay(context, message, step.relay)
    elif step.intake is not None:
        await _after_answer(context, message.chat_id, step.intake)


async def _relay(context: BotContext, message: Message, relay: Relay) -> None:
    if relay.sender == ADVISOR:
        html = ADVISOR_QUESTION.format(
            name=escape(relay.advisor_name), case=relay.case_id, text=escape(relay.text)
        )
    else:
        html = USER_ANSWER.format(case=relay.case_id, text=escape(relay.text))
    sent = await deliver(context, relay.chat_id, html)
    if sent is not None and relay.sender != ADVISOR:
        # the user's words in an advisor's chat: withdrawn if the user deletes their data
        await asyncio.to_thread(
            context.services.handoff.cases.record_notice,
            relay.case_id,
            relay.chat_id,
            sent.message_id,
            NOTICE_RELAY,
        )
    await message.reply_text(
        RELAYED if sent else "Die Nachricht konnte leider nicht zugestellt werden."
    )


async def cancel(update: Update, context: BotContext) -> None:
    """/abbrechen: stop the intake or a pending Rückfrage answer."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    handoff = context.services.handoff

    def drop() -> tuple[bool, bool]:
        return handoff.intake.cancel(user.id), handoff.relay.cancel(user.id)

    intake, relay = await asyncio.to_thread(drop)
    if intake:
        await message.reply_text(CANCELLED)
    elif relay:
        await message.reply_text("In Ordnung, ich leite nichts weiter.")
    else:
        await message.reply_text(NOTHING_TO_CANCEL)
