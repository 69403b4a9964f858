"""/foerderung: who applies, what for, roughly how much – then the fitting programmes.

Thin handlers: parse the button, call the Förder-Finder (retrieval runs in a thread), render a
screen. Every step edits the same message; "Details" answers in a new message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.funding import FundingDataError, Match, Query, find_purpose, next_deadline, rank, upcoming
from bot.telegram import callbacks
from bot.telegram.funding.screens import (
    APPLICANTS,
    BUDGETS,
    FORGOTTEN,
    NO_DATED_DEADLINE,
    NO_PROGRAMMES,
    NOT_REMEMBERED,
    PURPOSES,
    REMEMBERED,
    STALE,
    applicant_screen,
    budget_screen,
    details_screen,
    purpose_screen,
    reminders_screen,
    results_screen,
)
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)


async def start_finder(update: Update, context: BotContext) -> None:
    """/foerderung: ask who applies."""
    message = update.effective_message
    if message is None:
        return
    text, markup = applicant_screen()
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


def _matches(context: BotContext, a: int, p: int, b: int) -> list[Match]:
    services = context.services
    purpose = PURPOSES[p][1]
    query = Query(APPLICANTS[a], purpose, BUDGETS[b][1])
    evidence = find_purpose(services.retriever, purpose)
    return rank(services.funding, query, evidence, date.today())


async def press_button(update: Update, context: BotContext) -> None:
    """A button of the flow: next question, results or details."""
    query = update.callback_query
    if query is None:
        return
    parsed = callbacks.parse(query.data, "fo:a", "fo:p", "fo:b", "fo:d", "fo:r", "fo:x")
    if parsed is not None and parsed.kind in ("fo:r", "fo:x"):
        await _reminder_button(query, context, parsed.kind, parsed.fields[0])
        return
    numbers = [int(f) for f in parsed.fields] if parsed and parsed.kind != "fo:d" else []
    limits = (len(APPLICANTS), len(PURPOSES), len(BUDGETS))
    if parsed is None or any(n >= limit for n, limit in zip(numbers, limits, strict=False)):
        await query.answer(STALE)
        return
    try:
        if parsed.kind == "fo:a":
            await query.answer()
            await _show(query, *purpose_screen(*numbers))
        elif parsed.kind == "fo:p":
            await query.answer()
            await _show(query, *budget_screen(*numbers))
        elif parsed.kind == "fo:b":
            await _results(query, context, *numbers)
        else:
            await _details(query, context, parsed.fields[0])
    except FundingDataError:
        log.exception("funding data invalid")
        await _show(query, NO_PROGRAMMES, None)


async def _results(query: CallbackQuery, context: BotContext, a: int, p: int, b: int) -> None:
    await query.answer("Ich prüfe die Programme …")
    matches = await asyncio.to_thread(_matches, context, a, p, b)
    if not matches:
        await _show(query, NO_PROGRAMMES, None)
        return
    await _show(query, *results_screen(matches, APPLICANTS[a].value, PURPOSES[p][0], BUDGETS[b][0]))


async def _details(query: CallbackQuery, context: BotContext, programme_id: str) -> None:
    catalog = await asyncio.to_thread(lambda: context.services.funding)
    entry = catalog.get(programme_id)
    if entry is None or query.message is None:
        await query.answer(STALE)
        return
    await query.answer()
    text, markup = details_screen(entry, date.today())
    await context.bot.send_message(
        query.message.chat.id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


async def _show(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _reminder_button(
    query: CallbackQuery, context: BotContext, kind: str, value: str
) -> None:
    """ "Frist merken" under the details, or "Entfernen" under /fristen."""
    services, user = context.services, query.from_user
    if query.message is None:
        await query.answer(STALE)
        return
    if kind == "fo:x":
        forgotten = await asyncio.to_thread(services.deadline_reminders.forget, user.id, int(value))
        await query.answer(FORGOTTEN if forgotten else STALE)
        if forgotten:
            await _show(query, *await asyncio.to_thread(_reminders, context, user.id))
        return
    entry = (await asyncio.to_thread(lambda: services.funding)).get(value)
    due = next_deadline(entry, date.today()).due if entry is not None else None
    if due is None:
        await query.answer(NO_DATED_DEADLINE if entry is not None else STALE)
        return
    chat_id = query.message.chat.id
    saved = await asyncio.to_thread(services.deadline_reminders.remember, user.id, chat_id, due)
    await query.answer(REMEMBERED if saved else NOT_REMEMBERED, show_alert=saved)


def _reminders(context: BotContext, user_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    remembered = services.deadline_reminders.listing(user_id)
    return reminders_screen(remembered, upcoming(services.funding, date.today(), 90))


async def list_reminders(update: Update, context: BotContext) -> None:
    """/fristen: the user's remembered deadlines and the next deadlines."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    try:
        text, markup = await asyncio.to_thread(_reminders, context, user.id)
    except FundingDataError:
        log.exception("funding data invalid")
        text, markup = NO_PROGRAMMES, None
    await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
