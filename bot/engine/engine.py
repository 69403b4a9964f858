"""The conversation engine: route a message, retrieve, weigh the evidence, answer, remember.

``Engine.reply(conversation_id, text)`` is the one entry point for every adapter. A message is
understood (what it asks, what it names), resolved against the previous turn if it is a follow-up,
searched, and its evidence scored sentence by sentence; the fitted decision then answers, answers
in part (saying what the sources do not contain), declines (saying what is unknown), or calls the
message out of scope. The reply is typed data; adapters render it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from bot.answer.decision import Decision, Reason, Signals, Verdict, decide
from bot.answer.evidence import Candidate, EvidenceFinder
from bot.answer.extractive import Draft, ExtractiveAnswerer
from bot.answer.llm import LlmAnswerer
from bot.answer.logistic import TrustModel
from bot.engine import messages
from bot.engine.history import HistoryStore, Turn
from bot.engine.reply import Reply, ReplyKind
from bot.errors import AnswerUnavailable
from bot.operator import Operator
from bot.retrieval import Retriever, SearchResult
from bot.understand import intent
from bot.understand.asks import Ask, lift_patterns
from bot.understand.followup import PreviousTurn, Resolved, resolve
from bot.understand.prototypes import IntentExamples
from bot.understand.question import Question, understand

GapHook = Callable[[str], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assessment:
    """Everything the engine found out about one message before writing the reply."""

    question: Question
    resolved: Resolved
    result: SearchResult
    candidates: list[Candidate]
    decision: Decision
    signals: Signals


class Engine:
    """Messenger-independent question answering over the knowledge base."""

    def __init__(
        self,
        retriever: Retriever,
        finder: EvidenceFinder,
        extractive: ExtractiveAnswerer,
        model: TrustModel,
        history: HistoryStore,
        intents: IntentExamples,
        *,
        llm: LlmAnswerer | None = None,
        context_chunks: int = 4,
        history_turns: int = 3,
        max_question_chars: int = 2000,
        today: Callable[[], date] = date.today,
        on_unanswered: GapHook | None = None,
        operator: Operator | None = None,
    ) -> None:
        self.retriever = retriever
        self._finder = finder
        self._extractive = extractive
        self._model = model
        self._intents = intents
        self._llm = llm
        self.history = history
        self._context_chunks = context_chunks
        self._history_turns = history_turns
        self._max_chars = max_question_chars
        self._today = today
        self._offer = (operator or Operator()).consultation_offer()
        self._on_unanswered = on_unanswered

    def reset(self, conversation_id: str) -> None:
        """Forget the conversation (the user's /neu)."""
        self.history.reset(conversation_id)

    @property
    def history_turns(self) -> int:
        """How many previous turns a reply looks at (callers that read them pass them in)."""
        return self._history_turns

    def reply(self, conversation_id: str, text: str, history: list[Turn] | None = None) -> Reply:
        """Answer one message of a conversation.

        ``history`` is the conversation's last turns when the caller has already read them
        (the bot reads them together with the user); otherwise the engine reads them.
        """
        question = _without_repeats(" ".join((text or "").split()))
        truncated = len(question) > self._max_chars
        if truncated:
            question = question[: self._max_chars]
        if not question or not any(ch.isalnum() for ch in question):
            return Reply(question=question, kind=ReplyKind.EMPTY, body=messages.EMPTY)
        if intent.is_greeting(question):
            return Reply(question=question, kind=ReplyKind.GREETING, body=messages.GREETING)

        if history is None:
            history = self.history.recent(conversation_id, self._history_turns)
        assessment = self.assess(question, _previous(history))
        reply = self._reply(question, assessment, history, truncated)
        if reply.kind in (ReplyKind.NO_ANSWER, ReplyKind.PARTIAL) and self._on_unanswered:
            self._on_unanswered(question)
        subject = assessment.decision.source if reply.citations else assessment.resolved.subject
        turn_id = self.history.append(
            conversation_id,
            Turn(
                question=question,
                standalone_query=assessment.resolved.query,
                answer=reply.body[:500],
                # A declined follow-up keeps its subject, so the next follow-up can inherit it.
                sources=tuple(c.path for c in reply.citations) or ((subject,) if subject else ()),
                answerable=reply.answerable,
            ),
        )
        return replace(reply, turn_id=turn_id)

    def assess(self, text: str, previous: PreviousTurn | None = None) -> Assessment:
        """Understand, resolve, search and decide, without answering (also used for fitting)."""
        text = _focus(text)
        corpus = self.retriever.corpus()
        question = understand(text, corpus.names)
        terms = self.retriever.analyzer.terms(text)
        distinctive = any(0 < corpus.lexical.document_frequency(t) <= 3 for t in terms)
        resolved = resolve(question, len(terms), previous, corpus.names, distinctive)
        subjects = set(question.named_docs)
        if resolved.subject:
            subjects.add(resolved.subject)
        query = _expand(resolved.query, question, corpus.names.label)
        lift = lift_patterns(question.asks.primary)
        result = self.retriever.search(
            query, k=self._context_chunks, lift=lift, corpus=corpus, within=resolved.subject
        )
        if not result.hits:
            result = self.retriever.search(query, k=self._context_chunks, lift=lift, corpus=corpus)
        candidates = self._finder.gather(question, query, result, subjects)
        # The message's own vector says what kind of request it is (not a follow-up's subject).
        consult, offtopic = self._intents.similarity(
            result.query_vector if not resolved.follow_up else None
        )
        signals = Signals(
            unknown_share=self.retriever.unknown_share(text, corpus),
            salient_unknown=len(corpus.vocabulary.salient_unknown(terms)),
            consult_sim=consult,
            offtopic_sim=offtopic,
        )
        decision = decide(self._model, question, result, candidates, signals, subjects)
        return Assessment(question, resolved, result, candidates, decision, signals)

    def _reply(self, question: str, a: Assessment, history: list[Turn], truncated: bool) -> Reply:
        wants_person = (
            intent.wants_person(question)
            or intent.wants_individual_review(question)
            or (
                a.signals.consult_sim >= self._model.consultation_threshold
                and a.signals.consult_sim > a.signals.offtopic_sim
            )
        )
        base = Reply(
            question=question,
            kind=ReplyKind.NO_ANSWER,
            body=f"{messages.NO_ANSWER} {self._offer}",
            confidence=round(a.decision.probability, 3),
            truncated=truncated,
            standalone_query=a.resolved.query,
            handoff_suggested=True,
        )
        verdict = a.decision.verdict
        if verdict is Verdict.ANSWER:
            return self._answer(a, base, history, wants_person)
        if wants_person:
            return replace(
                base, kind=ReplyKind.HANDOFF_OFFER, body=f"{self._offer} {messages.HANDOFF_OFFER}"
            )
        if verdict is Verdict.OUT_OF_SCOPE:
            return replace(
                base,
                kind=ReplyKind.OUT_OF_SCOPE,
                body=messages.OUT_OF_SCOPE,
                out_of_scope=True,
                handoff_suggested=False,
            )
        if verdict is Verdict.PARTIAL:
            return self._partial(a, base)
        return replace(base, body=self._decline_text(a))

    def _answer(self, a: Assessment, base: Reply, history: list[Turn], wants_person: bool) -> Reply:
        today = self._today()
        draft: Draft | None = None
        used_llm = False
        if self._llm is not None:
            try:
                draft = self._llm.compose(
                    a.question.text, a.result.hits, _history_text(history), today
                )
                used_llm = bool(draft.citations)
            except AnswerUnavailable as exc:
                log.warning("falling back to the extractive answer: %s", exc)
                draft = None
            if draft is not None and not draft.citations:
                return base  # the model read the passages and found no answer: decline
        if draft is None:
            draft = self._extractive.compose(
                a.candidates, a.result.hits, today, a.question.asks.primary.specific
            )
        if not draft.citations:
            return base
        body = draft.body
        if wants_person:
            body = f"{body}\n\n{messages.HANDOFF_AFTER_ANSWER}"
        return replace(
            base,
            kind=ReplyKind.ANSWER,
            body=body,
            citations=draft.citations,
            answerable=True,
            handoff_suggested=wants_person,
            used_llm=used_llm,
        )

    def _partial(self, a: Assessment, base: Reply) -> Reply:
        draft = self._extractive.compose(a.candidates, a.result.hits, self._today(), False)
        if not draft.citations:
            return replace(base, body=self._decline_text(a))
        ask = a.decision.ask or Ask.OTHER
        body = messages.partial(ask.noun, self._subject_label(a), a.decision.detail, draft.body)
        return replace(base, kind=ReplyKind.PARTIAL, body=body, citations=draft.citations)

    def _decline_text(self, a: Assessment) -> str:
        d = a.decision
        if d.reason is Reason.UNKNOWN_NAME:
            return messages.unknown_name(d.detail, self._offer)
        if d.reason is Reason.OUTSIDE_PLACE:
            return messages.outside_region(_display_place(d.detail, a.question.text), self._offer)
        if d.reason is Reason.PERSON:
            return f"{messages.PERSON} {self._offer}"
        if d.reason is Reason.ASK and d.ask is not None:
            return messages.declined_fact(d.ask.noun, self._subject_label(a), self._offer)
        return f"{messages.NO_ANSWER} {self._offer}"

    def _subject_label(self, a: Assessment) -> str:
        """The programme or institution the question is about, as the reply names it."""
        names = a.result.corpus.names
        if a.question.named_docs:
            return names.label(a.question.named_docs[0])
        if a.resolved.subject:
            return names.label(a.resolved.subject)
        known = [n for n in a.question.mentions.names if n not in a.question.unknown_names]
        return max(known, key=len) if known else ""


def _focus(text: str, long: int = 500, keep: int = 400) -> str:
    """The questions of a long message: in a page of background, what is asked is what counts.

    Messages up to ``long`` characters stay as they are; in a longer one the sentences that end
    with a question mark are kept (up to ``keep`` characters), or the opening if none does.
    """
    if len(text) <= long:
        return text
    questions = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.rstrip().endswith("?")]
    return (" ".join(questions) if questions else text)[:keep]


def _without_repeats(text: str) -> str:
    """Drop sentences a message repeats word for word ("Bitte ausführlich. Bitte ausführlich. …")."""
    seen: set[str] = set()
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        key = sentence.strip().lower()
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return " ".join(kept)


def _previous(history: list[Turn]) -> PreviousTurn | None:
    if not history:
        return None
    last = history[-1]
    return PreviousTurn(last.question, last.sources[0] if last.sources else None)


def _expand(query: str, question: Question, label: Callable[[str], str]) -> str:
    """Add the canonical name of each document the question names ("heimatscheck" -> Heimat-Scheck)."""
    extra = [label(source) for source in question.named_docs]
    extra = [e for e in extra if e.lower() not in query.lower()]
    return " ".join([query, *extra]) if extra else query


def _display_place(folded: str, text: str) -> str:
    """The place as the user wrote it, capitalised ("niedersachsen" -> "Niedersachsen")."""
    match = re.search(
        re.escape(folded)
        .replace("ae", "(?:ae|ä)")
        .replace("oe", "(?:oe|ö)")
        .replace("ue", "(?:ue|ü)"),
        text,
        re.I,
    )
    written = match.group(0) if match else folded
    return "-".join(part[:1].upper() + part[1:] for part in written.split("-"))


def _history_text(history: list[Turn]) -> str:
    return "\n".join(f"Frage: {t.question}\nAntwort: {t.answer[:300]}" for t in history)
