"""One user's text, routed: a Rückfrage answer, a consultation intake step, or a question.

Every adapter hands a user's text to ``Conversation``: when an advisor's Rückfrage waits for an
answer the text is relayed, when a consultation intake waits for its next answer the text is that
answer, and otherwise the engine answers it as a question. Starting a consultation (which trigger
and wish the case brief records) is decided here too, so that adapters only render.
No messenger is known below this line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.engine.engine import Engine
from bot.engine.reply import Reply, ReplyKind
from bot.handoff.intake import IntakeReply, IntakeService
from bot.handoff.relay import Relay, RelayService
from bot.handoff.triggers import classify
from bot.store.database import Database
from bot.store.users import Opened, UserStore

__all__ = ["Answer", "Conversation", "Opened", "Route", "Step"]
from bot.understand import intent

ERROR_OUTCOME = "error"
"""The outcome observed when answering raised."""


class Route(StrEnum):
    """Where a user's next text goes."""

    QUESTION = "question"
    INTAKE = "intake"
    RELAY = "relay"


@dataclass(frozen=True)
class Answer:
    """The engine's reply plus the id of the stored turn (for the feedback buttons)."""

    reply: Reply
    turn_id: int | None


@dataclass(frozen=True)
class Step:
    """The result of a text that continued a consultation: an intake step or a relayed text."""

    route: Route
    intake: IntakeReply | None = None
    relay: Relay | None = None


class Conversation:
    """Route texts and start consultations over the engine and the handoff services."""

    def __init__(
        self,
        users: UserStore,
        engine: Callable[[], Engine],
        intake: IntakeService,
        relay: RelayService,
        db: Database,
        observe: Callable[[str, float], None] | None = None,
    ) -> None:
        self._users = users
        self._engine = engine  # built on first question: intake and relay need no model
        self._intake = intake
        self._relay = relay
        self._db = db
        self._observe = observe  # (outcome, seconds) of every question, e.g. for metrics

    def receive(self, user_id: int, chat_id: int) -> Opened:
        """Open the user's conversation for a new text, or find the consultation step it belongs to.

        One transaction: a pending Rückfrage comes first, then an intake; otherwise the user is
        touched and the recent turns are read (``Opened.waiting`` is then None).
        """
        return self._users.open_conversation(
            user_id, chat_id, self._engine().history_turns, peek=lambda s: self._peek(s, user_id)
        )

    def _peek(self, session: Session, user_id: int) -> str | None:
        if self._relay.waits(session, user_id):
            return Route.RELAY
        if self._intake.waits(session, user_id):
            return Route.INTAKE
        return None

    def continue_consultation(self, user_id: int, route: Route, text: str) -> Step:
        """Pass ``text`` to the waiting relay or intake (raises HandoffError on bad input)."""
        if route is Route.RELAY:
            return Step(route, relay=self._relay.submit(user_id, text))
        return Step(route, intake=self._intake.answer(user_id, text))

    def ask(self, user_id: int, chat_id: int, text: str, opened: Opened | None = None) -> Answer:
        """Answer one question in the user's conversation (blocking).

        With ``opened`` from ``receive`` the question costs one more transaction (the new turn);
        without it two (the user and the recent turns are read first).
        """
        started = time.perf_counter()
        outcome = ERROR_OUTCOME
        try:
            engine = self._engine()
            if opened is None or opened.conversation_id is None:
                opened = self._users.open_conversation(user_id, chat_id, engine.history_turns)
            assert opened.conversation_id is not None
            reply = engine.reply(opened.conversation_id, text, opened.turns)
            outcome = str(reply.kind)
        finally:
            if self._observe is not None:
                self._observe(outcome, time.perf_counter() - started)
        answered = reply.kind == ReplyKind.ANSWER
        return Answer(reply, reply.turn_id if answered else None)

    def handle(self, user_id: int, chat_id: int, text: str) -> Answer | Step:
        """Route ``text`` and act on it: the console's and the tests' one call per message."""
        opened = self.receive(user_id, chat_id)
        if opened.waiting is not None:
            return self.continue_consultation(user_id, Route(opened.waiting), text)
        return self.ask(user_id, chat_id, text, opened)

    def start_consultation(self, user_id: int, chat_id: int, *, via_command: bool) -> IntakeReply:
        """Begin (or resume) a consultation request after the user's latest question."""
        conversation_id = self._users.touch(user_id, chat_id)
        turns = self._engine().history.recent(conversation_id, 1)
        last = turns[-1] if turns else None
        wants = last is not None and (
            intent.wants_person(last.question) or intent.wants_individual_review(last.question)
        )
        trigger, wish = classify(
            self._db, conversation_id, last, via_command=via_command, wants_person=wants
        )
        return self._intake.start(user_id, chat_id, conversation_id, trigger, wish)
