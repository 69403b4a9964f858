"""Telegram rendering of handoff data: case notifications, intake questions, slot keyboards.

All text is escaped; only <b> and <i> are used.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.booking.berlin import format_short, format_slot
from bot.booking.bookings import BookingView
from bot.booking.slots import SlotPage
from bot.handoff.cases import ACTION_LABELS, Notification
from bot.handoff.intake import IntakeReply
from bot.telegram import callbacks, texts


def case_message(note: Notification) -> tuple[str, InlineKeyboardMarkup | None]:
    """The advisors' message: the header bold, the brief escaped, the action buttons."""
    header, _, body = note.text.partition("\n")
    html = f"<b>{escape(header)}</b>\n{escape(body)}"
    if not note.actions:
        return html, None
    buttons = [
        InlineKeyboardButton(
            ACTION_LABELS[action], callback_data=callbacks.case_action(action, note.case_id)
        )
        for action in note.actions
    ]
    return html, InlineKeyboardMarkup([buttons[:2], buttons[2:]] if len(buttons) > 2 else [buttons])


def intake_message(reply: IntakeReply) -> tuple[str, InlineKeyboardMarkup | None]:
    """An intake question with its choices as buttons (two per row)."""
    text = escape(reply.text)
    if reply.step is not None and reply.number:
        text = f"<i>Frage {reply.number} von {reply.total}</i>\n{text}"
    if not reply.choices or reply.step is None:
        return text, None
    step = reply.step.value
    buttons = [
        InlineKeyboardButton(label, callback_data=callbacks.intake_choice(step, value))
        for value, label in reply.choices
    ]
    return text, InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def slot_keyboard(
    page: SlotPage,
    choose: Callable[[int], str],
    turn: Callable[[int], str],
) -> InlineKeyboardMarkup:
    """One button per free slot, and ‹ n/m › when there is more than one page."""
    rows = [
        [
            InlineKeyboardButton(
                f"{format_short(slot.starts_at)} · {slot.format_label}",
                callback_data=choose(slot.id),
            )
        ]
        for slot in page.slots
    ]
    if page.pages > 1:
        nav = []
        if page.page > 0:
            nav.append(InlineKeyboardButton(texts.BUTTON_PREV, callback_data=turn(page.page - 1)))
        nav.append(
            InlineKeyboardButton(f"{page.page + 1}/{page.pages}", callback_data=callbacks.NOOP)
        )
        if page.page < page.pages - 1:
            nav.append(InlineKeyboardButton(texts.BUTTON_NEXT, callback_data=turn(page.page + 1)))
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def booking_line(booking: BookingView) -> str:
    """'Do 03.12.2026, 10:00–10:45 Uhr (Video) mit Anna' – escaped."""
    return escape(
        f"{format_slot(booking.starts_at, booking.ends_at)} ({booking.format_label}) "
        f"mit {booking.advisor_name}"
    )


def booking_keyboard(booking: BookingView) -> InlineKeyboardMarkup:
    """Absagen / Verschieben under a booking."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Absagen", callback_data=callbacks.cancel(booking.id)),
                InlineKeyboardButton(
                    "Verschieben", callback_data=callbacks.move_page(booking.id, 0)
                ),
            ]
        ]
    )
