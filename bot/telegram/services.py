"""The bot's services and the typed PTB context that hands them to handlers.

Handlers read ``context.services`` (a ``BotServices``) instead of string keys in ``bot_data``.
``open_services`` wires the engine with the database-backed history and the gap recorder, so
conversation ids, history and feedback survive a restart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.context import build_context
from bot.engine.engine import Engine
from bot.engine.reply import Reply, ReplyKind
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.store.database import Database
from bot.store.feedback import FeedbackStore
from bot.store.gaps import GapKind, GapRecorder
from bot.store.history import DbHistory
from bot.store.users import UserStore

if TYPE_CHECKING:
    from bot.handoff.service import Handoff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The engine's reply plus the id of the stored turn (for the feedback buttons)."""

    reply: Reply
    turn_id: int | None


@dataclass
class BotServices:
    """Everything the handlers need, built once."""

    settings: Settings
    engine: Engine
    db: Database
    users: UserStore
    feedback: FeedbackStore
    gaps: GapRecorder
    limiter: RateLimiter
    handoff: Handoff | None = None  # consultations and bookings (bot.telegram.handoff_setup)

    def answer(self, telegram_user_id: int, chat_id: int, text: str) -> Answer:
        """Answer one question in the user's conversation (blocking: run it in a thread)."""
        conversation_id = self.users.touch(telegram_user_id, chat_id)
        reply = self.engine.reply(conversation_id, text)
        answered = reply.kind == ReplyKind.ANSWER
        turn_id = self.feedback.latest_turn_id(conversation_id) if answered else None
        return Answer(reply, turn_id)

    def record_gap(self, kind: GapKind, question: str) -> None:
        """Record a knowledge gap (failures are logged, not raised)."""
        record_gap(self.gaps, kind, question)

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()


class BotData:
    """Application-wide data of PTB: only the services."""

    __slots__ = ("services",)

    def __init__(self) -> None:
        self.services: BotServices | None = None


class BotContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """Callback context with typed access to the services."""

    @property
    def services(self) -> BotServices:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the bot services were not attached to the application")
        return services


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)


def open_services(settings: Settings) -> BotServices:
    """Open the database (migrations run), build the engine on it and the rate limiter."""
    db = Database(settings.resolved_database_url)
    gaps = GapRecorder(db)

    def on_unanswered(question: str) -> None:
        record_gap(gaps, GapKind.UNANSWERED, question)

    engine = build_context(settings, history=DbHistory(db), on_unanswered=on_unanswered).engine
    return BotServices(
        settings=settings,
        engine=engine,
        db=db,
        users=UserStore(db),
        feedback=FeedbackStore(db),
        gaps=gaps,
        limiter=RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_s),
    )


def record_gap(gaps: GapRecorder, kind: GapKind, question: str) -> None:
    """Record a knowledge gap; a database failure is logged, never shown to the user."""
    try:
        gaps.record(kind, question)
    except SQLAlchemyError:
        log.exception("could not record a %s knowledge gap", kind.value)
