"""Every Telegram handler of the bot, in the order PTB tries them, with its group.

PTB runs the groups in ascending order. Within a group the first handler that accepts an update
handles it; ``ApplicationHandlerStop`` ends the handling of the update altogether.

- group -1: the per-user rate limit in front of every message addressed to the bot and every
  button press;
- group 0: commands, documents, buttons and texts. A text goes to ``questions.answer_question``,
  which lets ``bot.conversation`` route it (a Rückfrage answer, an intake step or a question).
  The editors' documents come before the media hint, and the fallbacks for unknown commands and
  buttons come last.

Button patterns come from the codec (``callbacks.route``); the handlers parse the data strictly.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.telegram import callbacks, fallbacks, guard
from bot.telegram.addressing import ADDRESSED
from bot.telegram.chat import commands, feedback, media, questions, topics
from bot.telegram.editors import documents, reports
from bot.telegram.errors import handle_error
from bot.telegram.funding import flow as funding
from bot.telegram.handoff import advisors, booking, intake, privacy

Handler = BaseHandler[Any, Any, Any]

NEW = filters.UpdateType.MESSAGE
"""New messages only: edited messages are ignored by every handler."""
TEXT = NEW & filters.TEXT & ~filters.COMMAND & ADDRESSED
"""A text message meant for the bot (in groups: a mention or a reply)."""
DOCUMENT = NEW & filters.ChatType.PRIVATE & filters.Document.ALL
"""A file sent in a private chat (editors' uploads; anyone else's is refused unread)."""
UNKNOWN_COMMAND = NEW & filters.COMMAND & filters.ChatType.PRIVATE
"""Any command in a private chat that no handler before took."""


def _command(name: str | list[str], callback: Any) -> Handler:
    return CommandHandler(name, callback, filters=NEW)


def _button(callback: Any, pattern: str | None = None) -> Handler:
    return CallbackQueryHandler(callback, pattern=pattern)


def handlers() -> list[tuple[int, Handler]]:
    """(group, handler) for every handler, in registration order."""
    route = callbacks.route
    return [
        (-1, MessageHandler(NEW & ADDRESSED, guard.limit_messages)),
        (-1, _button(guard.limit_buttons)),
        # Everyone's commands
        (0, _command("start", commands.start)),
        (0, _command(["hilfe", "help"], commands.show_help)),
        (0, _command("neu", commands.new_conversation)),
        (0, _command("datenschutz", commands.show_privacy)),
        # Editors: documents sent in private chats, commands, buttons
        (0, MessageHandler(DOCUMENT, documents.receive)),
        (0, _command("dokumente", documents.list_documents)),
        (0, _command("dokument", documents.show_document)),
        (0, _command("entfernen", documents.ask_remove)),
        (0, _command("gueltig", documents.set_valid_until)),
        (0, _command("thema", documents.set_topic)),
        (0, _button(documents.press_button, route("ed"))),
        (0, _command("luecken", reports.show_gaps)),
        (0, _command("redaktion", reports.show_help)),
        # /themen
        (0, _command("themen", topics.show_topics)),
        (0, _button(topics.navigate, route("tl", "td", "tv"))),
        (0, _button(topics.ignore_label, callbacks.NOOP_ROUTE)),
        # Förder-Finder
        (0, _command("foerderung", funding.start_finder)),
        (0, _button(funding.press_button, route("fo"))),
        (0, _command("fristen", funding.list_reminders)),
        # Consultation: request and intake
        (0, _command("termin", intake.request_by_command)),
        (0, _button(intake.request_by_button, route("cs", bare=True))),
        (0, _command("abbrechen", intake.cancel)),
        (0, _button(intake.choose, route("hi"))),
        # Advisors
        (0, _button(advisors.case_button, route("hc"))),
        (0, _button(advisors.remove_slot, route("hz"))),
        (0, _command("faelle", advisors.list_cases)),
        (0, _command("zeiten", advisors.manage_slots)),
        # Booking
        (0, _button(booking.book_slot, route("hs"))),
        (0, _button(booking.turn_page, route("hp", "hm"))),
        (0, _button(booking.cancel_booking, route("hx"))),
        (0, _button(booking.move_booking, route("hn"))),
        (0, _command("termine", booking.list_bookings)),
        # A user's data
        (0, _command("meine_daten", privacy.show_my_data)),
        (0, _command("daten_loeschen", privacy.ask_to_delete)),
        (0, _button(privacy.delete_data, route("hd"))),
        # Answers
        (0, _button(feedback.rate_answer, route("fb"))),
        (0, MessageHandler(TEXT, questions.answer_question)),
        (0, _button(questions.ask_example, route("ex"))),
        # Last: media hint, unknown commands (private chats), unknown or stale buttons
        (0, MessageHandler(NEW & ADDRESSED & media.MEDIA, media.hint)),
        (0, MessageHandler(UNKNOWN_COMMAND, fallbacks.unknown_command)),
        (0, _button(fallbacks.unknown_button)),
    ]


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler in order, then the global error handler."""
    for group, handler in handlers():
        application.add_handler(handler, group=group)
    application.add_error_handler(handle_error)
