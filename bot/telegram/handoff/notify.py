"""Posting case notifications to the advisors (chat or private chats, e-mail), updating them, and
withdrawing every message about a case once its data is deleted."""

from __future__ import annotations

import asyncio
import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.handoff.cases import CaseView, notification_for
from bot.handoff.mail import MailError, send_case_email
from bot.telegram.handoff.delivery import deliver
from bot.telegram.handoff.render import case_message
from bot.telegram.services import BotContext

log = logging.getLogger(__name__)

DELETED_ON_REQUEST = "Fall gelöscht (Daten auf Wunsch der Person entfernt)"
DELETED_AFTER_RETENTION = "Fall gelöscht (Aufbewahrungsfrist abgelaufen)"


async def notify_advisors(context: BotContext, case: CaseView) -> None:
    """Post the new case with its buttons to every target and remember where; then e-mail."""
    handoff = context.services.handoff
    html, markup = case_message(notification_for(case))
    targets = handoff.advisors.notification_targets()
    if not targets:
        log.warning(
            "case %s: no advisors configured (DT_ADVISOR_IDS / DT_ADVISOR_CHAT_ID)", case.id
        )
    for chat_id in targets:
        sent = await deliver(context, chat_id, html, markup)
        if sent is not None:
            await asyncio.to_thread(handoff.cases.record_notice, case.id, chat_id, sent.message_id)
    if handoff.mail is not None:
        context.application.create_task(_mail(context, case), name=f"case-mail-{case.id}")


async def _mail(context: BotContext, case: CaseView) -> None:
    handoff = context.services.handoff
    assert handoff.mail is not None
    try:
        await asyncio.to_thread(send_case_email, handoff.mail, case)
    except MailError as exc:
        log.error("case %s: e-mail notification failed: %s", case.id, exc)


async def refresh_notices(context: BotContext, case: CaseView) -> None:
    """Show the case's current state (who took it, closed) in every posted notification."""
    handoff = context.services.handoff
    html, markup = case_message(notification_for(case))
    for chat_id, message_id in await asyncio.to_thread(handoff.cases.notices, case.id):
        try:
            await context.bot.edit_message_text(
                html,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as exc:
            log.debug("could not update notice of case %s: %s", case.id, exc)


async def withdraw_notices(context: BotContext, notices: list[tuple[int, int]], text: str) -> int:
    """Replace messages about a deleted case in advisors' chats (text only, no buttons).

    A message that is gone already or cannot be edited is skipped; returns how many were replaced.
    """
    replaced = 0
    for chat_id, message_id in notices:
        try:
            await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
            replaced += 1
        except (BadRequest, Forbidden) as exc:
            log.debug("could not withdraw a case message in chat %s: %s", chat_id, exc)
    return replaced
