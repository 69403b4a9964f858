"""Run the answer-trust set through the engine and compute the issue's metrics per part.

answer accuracy   answerable question answered, one fact string in the answer, right document cited
false refusal     answerable question declined (no answer at all)
unknown declined  unknown question gets no facts presented as its answer (a decline, or a partial
                  answer that first states what the sources do not say)
consultation      the reply offers a consultation; off-topic: the reply is out of scope
conversations     follow-ups answered correctly; switches never cite the previous turn's document
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from benchmarks.trust.data import Conversation, EvalSet, Item
from bot.engine.engine import Engine
from bot.engine.reply import Reply, ReplyKind

ANSWERED = {ReplyKind.ANSWER}
DECLINED = {ReplyKind.NO_ANSWER, ReplyKind.PARTIAL, ReplyKind.OUT_OF_SCOPE, ReplyKind.HANDOFF_OFFER}


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").lower().split())


def fact_found(reply: Reply, facts: tuple[str, ...]) -> bool:
    """One of the alternative fact strings occurs in the answer body."""
    body = _norm(reply.body)
    return any(_norm(f) in body for f in facts)


def cites(reply: Reply, doc: str | None) -> bool:
    return doc is not None and any(c.path == doc for c in reply.citations)


def answer_correct(reply: Reply, doc: str | None, facts: tuple[str, ...]) -> bool:
    return reply.kind in ANSWERED and fact_found(reply, facts) and cites(reply, doc)


def declined(reply: Reply) -> bool:
    return reply.kind in DECLINED


@dataclass
class Rate:
    """Successes out of a total."""

    ok: int = 0
    n: int = 0

    def add(self, success: bool) -> None:
        self.ok += int(success)
        self.n += 1

    @property
    def value(self) -> float | None:
        return round(self.ok / self.n, 3) if self.n else None

    def as_dict(self) -> dict[str, Any]:
        return {"rate": self.value, "ok": self.ok, "n": self.n}


@dataclass
class PartResult:
    """Metrics of one part (tuning or held-out)."""

    answer_accuracy: Rate = field(default_factory=Rate)
    false_refusals: Rate = field(default_factory=Rate)
    wrong_doc_or_fact: Rate = field(default_factory=Rate)
    unknown_declined: Rate = field(default_factory=Rate)
    unknown_partial: int = 0
    consultation: Rate = field(default_factory=Rate)
    offtopic: Rate = field(default_factory=Rate)
    follow_ups: Rate = field(default_factory=Rate)
    follow_up_declines: Rate = field(default_factory=Rate)
    switches: Rate = field(default_factory=Rate)
    switch_to_previous_topic: int = 0
    by_asks: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    by_topic: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    by_unknown_category: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    failures: list[dict[str, Any]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer_accuracy": self.answer_accuracy.as_dict(),
            "false_refusals": self.false_refusals.as_dict(),
            "answered_but_wrong": self.wrong_doc_or_fact.as_dict(),
            "unknown_declined": self.unknown_declined.as_dict(),
            "unknown_partial": self.unknown_partial,
            "consultation": self.consultation.as_dict(),
            "offtopic": self.offtopic.as_dict(),
            "follow_ups": self.follow_ups.as_dict(),
            "follow_up_declines": self.follow_up_declines.as_dict(),
            "switches": self.switches.as_dict(),
            "switch_to_previous_topic": self.switch_to_previous_topic,
            "by_asks": {k: v.as_dict() for k, v in sorted(self.by_asks.items())},
            "by_topic": {k: v.as_dict() for k, v in sorted(self.by_topic.items())},
            "by_unknown_category": {
                k: v.as_dict() for k, v in sorted(self.by_unknown_category.items())
            },
        }


def _failure(ident: str, question: str, reply: Reply, expected: str) -> dict[str, Any]:
    return {
        "id": ident,
        "question": question,
        "expected": expected,
        "kind": reply.kind.value,
        "cited": [c.path for c in reply.citations],
        "body": reply.body[:300],
    }


def _single(engine: Engine, item: Item, result: PartResult) -> None:
    started = time.perf_counter()
    reply = engine.reply(f"trust-{item.id}", item.question)
    result.latencies_ms.append(1000 * (time.perf_counter() - started))
    if item.kind == "answerable":
        ok = answer_correct(reply, item.doc, item.facts)
        result.answer_accuracy.add(ok)
        result.false_refusals.add(declined(reply))
        result.wrong_doc_or_fact.add(not ok and not declined(reply))
        result.by_asks[item.asks or "other"].add(ok)
        result.by_topic[(item.doc or "").split("/")[1]].add(ok)
        if not ok:
            result.failures.append(
                _failure(item.id, item.question, reply, f"{item.doc} {item.facts}")
            )
    elif item.kind == "unknown":
        ok = declined(reply)
        result.unknown_declined.add(ok)
        result.unknown_partial += reply.kind == ReplyKind.PARTIAL
        result.by_unknown_category[item.category or "?"].add(ok)
        if not ok:
            result.failures.append(_failure(item.id, item.question, reply, "decline"))
    elif item.kind == "consultation":
        ok = reply.handoff_suggested and not reply.out_of_scope
        result.consultation.add(ok)
        if not ok:
            result.failures.append(_failure(item.id, item.question, reply, "consultation offer"))
    else:
        ok = reply.kind == ReplyKind.OUT_OF_SCOPE
        result.offtopic.add(ok)
        if not ok:
            result.failures.append(_failure(item.id, item.question, reply, "out of scope"))


def _conversation(engine: Engine, conv: Conversation, result: PartResult) -> None:
    conversation_id = f"trust-{conv.id}"
    for n, turn in enumerate(conv.turns):
        reply = engine.reply(conversation_id, turn.question)
        if turn.expect == "decline":
            ok = declined(reply)
            if turn.role == "follow_up":
                result.follow_up_declines.add(ok)
        else:
            ok = answer_correct(reply, turn.doc, turn.facts)
            if turn.role == "follow_up":
                result.follow_ups.add(ok)
        if turn.role == "switch":
            previous = cites(reply, turn.not_doc)
            result.switch_to_previous_topic += previous
            ok = ok and not previous
            result.switches.add(ok)
        if not ok:
            expected = "decline" if turn.expect == "decline" else f"{turn.doc} {turn.facts}"
            result.failures.append(_failure(f"{conv.id}#{n + 1}", turn.question, reply, expected))


def evaluate(engine: Engine, evalset: EvalSet) -> PartResult:
    """Run every item and conversation of ``evalset`` through ``engine``."""
    result = PartResult()
    for item in evalset.items:
        _single(engine, item, result)
    for conv in evalset.conversations:
        _conversation(engine, conv, result)
    return result
