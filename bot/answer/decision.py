"""Answer, answer in part, or decline: decided from evidence about the question, by a fitted model.

The question-level features say how well the knowledge base covers the question (similarities,
shared vocabulary, the best sentence's ranker score) and whether the question names something the
sources do not know: a programme or institution no document mentions, a place outside the region,
a person, a year, or a kind of fact (amount, deadline, opening hours ...) that the best document
does not contain. A logistic model fitted on the tuning part of the evaluation set weighs them.

When the model says "answerable" but the best document lacks the kind of fact asked for, the reply
says which part is missing (PARTIAL), or declines for facts about one institution (opening hours,
prices, names, telephone numbers) that the knowledge base never keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.answer.evidence import Candidate
from bot.answer.logistic import TrustModel
from bot.retrieval import SearchResult
from bot.understand import intent
from bot.understand.asks import Ask
from bot.understand.question import Question

DECISION_FEATURES = (
    "top_dense",
    "coverage",
    "best_score",
    "best_sim",
    "best_lex",
    "unknown_share",
    "unknown_name",
    "outside_place",
    "person",
    "ask_unmet",
    "year_unmet",
    "domain",
    "offtopic_words",
    "named_doc_found",
    "named_doc_missing",
    "salient_unknown",
    "consult_sim",
    "offtopic_sim",
)


class Verdict(StrEnum):
    """What the engine does with a question."""

    ANSWER = "answer"
    PARTIAL = "partial"
    DECLINE = "decline"
    OUT_OF_SCOPE = "out_of_scope"


class Reason(StrEnum):
    """Why a question is declined or answered only in part."""

    NONE = ""
    UNKNOWN_NAME = "unknown_name"
    OUTSIDE_PLACE = "outside_place"
    PERSON = "person"
    ASK = "ask"
    EVIDENCE = "evidence"
    SCOPE = "scope"


@dataclass(frozen=True)
class Decision:
    """The verdict, the probability behind it, and what the reply should name."""

    verdict: Verdict
    probability: float
    reason: Reason = Reason.NONE
    detail: str = ""
    ask: Ask | None = None
    source: str | None = None
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Gaps:
    """What the question names or asks that the best document does not contain."""

    unknown_names: tuple[str, ...]
    outside_places: tuple[str, ...]
    missing_years: tuple[str, ...]
    person: bool
    ask_unmet: bool


def find_gaps(question: Question, candidates: list[Candidate], result: SearchResult) -> Gaps:
    """Compare the question's constraints with the best document."""
    names = result.corpus.names
    source = result.hits[candidates[0].hit_rank].source if candidates else ""
    in_doc = [c for c in candidates if result.hits[c.hit_rank].source == source]
    years = question.mentions.years
    met = any(
        c.features["cue"]
        and c.features["binding"]
        and not c.features["other_subject"]
        and (not years or c.features["year"])
        for c in in_doc
    )
    return Gaps(
        unknown_names=question.unknown_names,
        outside_places=tuple(
            p for p in question.mentions.outside_places if not names.doc_mentions(source, p)
        ),
        missing_years=tuple(y for y in years if not names.doc_mentions(source, y)),
        person=bool(question.mentions.persons) or question.asks.primary is Ask.PERSON,
        ask_unmet=question.asks.primary.specific and not met,
    )


@dataclass(frozen=True)
class Signals:
    """Evidence about the message computed outside retrieval."""

    unknown_share: float = 0.0
    salient_unknown: int = 0
    consult_sim: float = 0.0
    offtopic_sim: float = 0.0


def decision_features(
    question: Question,
    result: SearchResult,
    candidates: list[Candidate],
    gaps: Gaps,
    signals: Signals,
) -> dict[str, float]:
    # A follow-up ("bis wann muss man da einreichen") takes its domain words from what it resolved to.
    """The question-level features the answerability and scope models use."""
    best = candidates[0] if candidates else None
    best_source = result.hits[best.hit_rank].source if best else ""
    named = set(question.named_docs)
    return {
        "top_dense": result.top_dense,
        "coverage": result.coverage,
        "best_score": best.score if best else -10.0,
        "best_sim": max((c.features["sim"] for c in candidates), default=0.0),
        "best_lex": best.features["lex"] if best else 0.0,
        "unknown_share": signals.unknown_share,
        "unknown_name": float(bool(gaps.unknown_names)),
        "outside_place": float(bool(gaps.outside_places)),
        "person": float(gaps.person),
        "ask_unmet": float(gaps.ask_unmet),
        "year_unmet": float(bool(gaps.missing_years)),
        "domain": float(intent.mentions_domain(result.query)),
        "offtopic_words": float(intent.clearly_off_topic(question.text)),
        "named_doc_found": float(bool(named) and best_source in named),
        "named_doc_missing": float(bool(named) and best_source not in named),
        "salient_unknown": float(min(signals.salient_unknown, 2)),
        "consult_sim": signals.consult_sim,
        "offtopic_sim": signals.offtopic_sim,
    }


def decide(
    model: TrustModel,
    question: Question,
    result: SearchResult,
    candidates: list[Candidate],
    signals: Signals,
    subjects: set[str],
) -> Decision:
    """Answer, answer in part, decline, or out of scope (see module docstring).

    ``subjects`` are the documents the question names or inherits; such a question is never
    out of scope.
    """
    gaps = find_gaps(question, candidates, result)
    features = decision_features(question, result, candidates, gaps, signals)
    p = model.answerable.probability(features)
    source = result.hits[candidates[0].hit_rank].source if candidates else None
    base = Decision(Verdict.DECLINE, p, source=source, features=features)
    on_subject = bool(subjects) and source in subjects
    if candidates and gaps.ask_unmet and on_subject and not question.asks.primary.institutional:
        # The question is about a programme the sources cover, but they lack the asked fact:
        # say so, and give what is known about it.
        detail = gaps.missing_years[0] if gaps.missing_years else ""
        if not (gaps.unknown_names or gaps.outside_places or gaps.person):
            return Decision(
                Verdict.PARTIAL, p, Reason.ASK, detail, question.asks.primary, source, features
            )
    if p < model.threshold or not candidates:
        # Out of scope only for a message without museum, funding or digital vocabulary (or with
        # words of an off-topic subject): an in-domain question we cannot answer is declined.
        outside = not features["domain"] or features["offtopic_words"]
        if outside and not subjects and model.scope.probability(features) >= 0.5:
            return _with(base, Verdict.OUT_OF_SCOPE, Reason.SCOPE)
        return _explain(base, question, gaps)
    if gaps.outside_places:
        return _with(base, Verdict.DECLINE, Reason.OUTSIDE_PLACE, gaps.outside_places[0])
    if gaps.person:
        return _with(base, Verdict.DECLINE, Reason.PERSON)
    if gaps.ask_unmet:
        ask = question.asks.primary
        verdict = Verdict.DECLINE if ask.institutional else Verdict.PARTIAL
        detail = gaps.missing_years[0] if gaps.missing_years else ""
        return Decision(verdict, p, Reason.ASK, detail, ask, source, features)
    return Decision(Verdict.ANSWER, p, source=source, features=features)


def _with(base: Decision, verdict: Verdict, reason: Reason, detail: str = "") -> Decision:
    return Decision(verdict, base.probability, reason, detail, None, base.source, base.features)


def _explain(base: Decision, question: Question, gaps: Gaps) -> Decision:
    """A declined question: name the most telling gap."""
    if gaps.unknown_names:
        # In the order the question names them; the reply names at most two.
        return _with(base, Verdict.DECLINE, Reason.UNKNOWN_NAME, "\n".join(gaps.unknown_names[:2]))
    if gaps.outside_places:
        return _with(base, Verdict.DECLINE, Reason.OUTSIDE_PLACE, gaps.outside_places[0])
    if gaps.person:
        return _with(base, Verdict.DECLINE, Reason.PERSON)
    if gaps.ask_unmet:
        ask = question.asks.primary
        return Decision(
            Verdict.DECLINE, base.probability, Reason.ASK, "", ask, base.source, base.features
        )
    return _with(base, Verdict.DECLINE, Reason.EVIDENCE)
