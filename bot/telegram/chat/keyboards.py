"""Inline keyboards under answers; all callback_data comes from ``callbacks``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram import callbacks, texts


def answer_keyboard(turn_id: int | None, handoff: bool) -> InlineKeyboardMarkup | None:
    """👍/👎 for a stored answer, and "Beratung anfragen" when the engine suggests a handoff."""
    rows: list[list[InlineKeyboardButton]] = []
    if turn_id is not None:
        rows.append(
            [
                InlineKeyboardButton(texts.BUTTON_UP, callback_data=callbacks.feedback(turn_id, 1)),
                InlineKeyboardButton(
                    texts.BUTTON_DOWN, callback_data=callbacks.feedback(turn_id, -1)
                ),
            ]
        )
    if handoff:
        rows.append(consultation_row(turn_id))
    return InlineKeyboardMarkup(rows) if rows else None


def consultation_row(turn_id: int | None = None) -> list[InlineKeyboardButton]:
    """The "Beratung anfragen" button."""
    return [
        InlineKeyboardButton(texts.BUTTON_CONSULT, callback_data=callbacks.consultation(turn_id))
    ]


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard without its 👍/👎 row (after the user rated)."""
    if markup is None:
        return None
    rows = [
        list(row)
        for row in markup.inline_keyboard
        if not any(callbacks.kind_of(b.callback_data) == "fb" for b in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def examples_keyboard(questions: tuple[str, ...]) -> InlineKeyboardMarkup:
    """One button per example question of /start."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(question, callback_data=callbacks.example(n))]
            for n, question in enumerate(questions)
        ]
    )
