"""The conversation engine: route a message, retrieve, answer, remember.

``Engine.reply(conversation_id, text)`` is the one entry point for every adapter. It decides
between answer, no reliable answer, out of scope and consultation offer, and returns a typed Reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.answer.extractive import Draft, ExtractiveAnswerer
from bot.answer.llm import LlmAnswerer
from bot.engine import intent, messages
from bot.engine.history import HistoryStore, Turn
from bot.engine.reply import Reply, ReplyKind
from bot.errors import AnswerUnavailable
from bot.retrieval import Retriever, SearchResult

GapHook = Callable[[str], None]

log = logging.getLogger(__name__)


class Engine:
    """Messenger-independent question answering over the knowledge base."""

    def __init__(
        self,
        retriever: Retriever,
        extractive: ExtractiveAnswerer,
        history: HistoryStore,
        *,
        llm: LlmAnswerer | None = None,
        context_chunks: int = 4,
        history_turns: int = 3,
        max_question_chars: int = 2000,
        today: Callable[[], date] = date.today,
        on_unanswered: GapHook | None = None,
    ) -> None:
        self.retriever = retriever
        self._extractive = extractive
        self._llm = llm
        self.history = history
        self._context_chunks = context_chunks
        self._history_turns = history_turns
        self._max_chars = max_question_chars
        self._today = today
        self._on_unanswered = on_unanswered

    def reset(self, conversation_id: str) -> None:
        """Forget the conversation (the user's /neu)."""
        self.history.reset(conversation_id)

    def reply(self, conversation_id: str, text: str) -> Reply:
        """Answer one message of a conversation."""
        question = " ".join((text or "").split())
        truncated = len(question) > self._max_chars
        if truncated:
            question = question[: self._max_chars]
        if not question or not any(ch.isalnum() for ch in question):
            return Reply(question=question, kind=ReplyKind.EMPTY, body=messages.EMPTY)
        if intent.is_greeting(question):
            return Reply(question=question, kind=ReplyKind.GREETING, body=messages.GREETING)

        wants_person = intent.wants_person(question) or intent.wants_individual_review(question)
        history = self.history.recent(conversation_id, self._history_turns)
        standalone = self._standalone(question, history)
        result = self.retriever.search(standalone, k=self._context_chunks)

        if not result.answerable:
            reply = self._unanswered(question, standalone, result, wants_person, truncated)
        else:
            reply = self._answer(question, standalone, result, history, wants_person, truncated)
        if reply.kind == ReplyKind.NO_ANSWER and self._on_unanswered is not None:
            self._on_unanswered(question)
        self.history.append(
            conversation_id,
            Turn(
                question=question,
                standalone_query=standalone,
                answer=reply.body[:500],
                sources=tuple(c.path for c in reply.citations),
                answerable=reply.answerable,
            ),
        )
        return reply

    def _standalone(self, question: str, history: list[Turn]) -> str:
        if not history:
            return question
        terms = len(self.retriever.analyzer.terms(question))
        if intent.is_follow_up(question, terms):
            return f"{history[-1].standalone_query} {question}"
        return question

    def _unanswered(
        self,
        question: str,
        standalone: str,
        result: SearchResult,
        wants_person: bool,
        truncated: bool,
    ) -> Reply:
        base = Reply(
            question=question,
            kind=ReplyKind.NO_ANSWER,
            body=messages.NO_ANSWER,
            confidence=result.confidence,
            truncated=truncated,
            standalone_query=standalone,
            handoff_suggested=True,
        )
        if wants_person:
            return replace(base, kind=ReplyKind.HANDOFF_OFFER, body=messages.HANDOFF_OFFER)
        off_topic = intent.clearly_off_topic(question) or (
            not intent.mentions_domain(question)
            and result.coverage < 0.25
            and self.retriever.unknown_share(question) >= 0.5
        )
        if off_topic:
            return replace(
                base,
                kind=ReplyKind.OUT_OF_SCOPE,
                body=messages.OUT_OF_SCOPE,
                out_of_scope=True,
                handoff_suggested=False,
            )
        return base

    def _answer(
        self,
        question: str,
        standalone: str,
        result: SearchResult,
        history: list[Turn],
        wants_person: bool,
        truncated: bool,
    ) -> Reply:
        today = self._today()
        draft: Draft | None = None
        used_llm = False
        if self._llm is not None:
            try:
                draft = self._llm.compose(question, result.hits, _history_text(history), today)
                used_llm = True
            except AnswerUnavailable as exc:
                log.warning("falling back to the extractive answer: %s", exc)
        if draft is None:
            lexical = self.retriever.corpus().lexical
            draft = self._extractive.compose(standalone, result.hits, lexical, today)
        if not draft.citations:
            return self._unanswered(question, standalone, result, wants_person, truncated)
        body = draft.body
        if wants_person:
            body = f"{body}\n\n{messages.HANDOFF_AFTER_ANSWER}"
        return Reply(
            question=question,
            kind=ReplyKind.ANSWER,
            body=body,
            citations=draft.citations,
            confidence=result.confidence,
            answerable=True,
            handoff_suggested=wants_person,
            truncated=truncated,
            standalone_query=standalone,
            used_llm=used_llm,
        )


def _history_text(history: list[Turn]) -> str:
    return "\n".join(f"Frage: {t.question}\nAntwort: {t.answer[:300]}" for t in history)
