"""Domain questions: document hit@1/hit@3/MRR@10 and the answerable/flag decisions.

Used by `make bench` and by tests/test_knowledge_retrieval.py (the 90 % top-3 acceptance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.engine import Engine
from bot.engine.reply import ReplyKind
from bot.retrieval import Retriever

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "domain_questions.jsonl"


@dataclass(frozen=True)
class DomainQuestion:
    question: str
    doc: str | None
    flag: str | None
    also: tuple[str, ...] = ()  # documents that answer it just as well (added when topics moved)


@dataclass
class DomainResult:
    n: int = 0
    hit1: float = 0.0
    hit3: float = 0.0
    mrr10: float = 0.0
    answerable_rate: float = 0.0
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)
    negatives: int = 0
    negatives_correct: int = 0
    negative_failures: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "questions": self.n,
            "hit@1": round(self.hit1, 3),
            "hit@3": round(self.hit3, 3),
            "mrr@10": round(self.mrr10, 3),
            "answerable_rate": round(self.answerable_rate, 3),
            "negatives": self.negatives,
            "negatives_correct": self.negatives_correct,
        }


def load_questions(path: Path = QUESTIONS) -> list[DomainQuestion]:
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [
        DomainQuestion(r["question"], r.get("doc"), r.get("flag"), tuple(r.get("also", ())))
        for r in rows
    ]


def evaluate_retrieval(retriever: Retriever, questions: list[DomainQuestion]) -> DomainResult:
    """Rank of the expected document among the distinct documents retrieved for each question."""
    result = DomainResult()
    positives = [q for q in questions if q.doc]
    hit1 = hit3 = rr = 0.0
    for q in positives:
        search = retriever.search(q.question, k=10)
        docs: list[str] = []
        for hit in search.hits:
            if hit.source not in docs:
                docs.append(hit.source)
        wanted = {q.doc, *q.also}
        rank = next((n for n, d in enumerate(docs, start=1) if d in wanted), None)
        hit1 += rank == 1
        hit3 += rank is not None and rank <= 3
        rr += 1.0 / rank if rank else 0.0
        if rank is None or rank > 3:
            result.misses.append((q.question, str(q.doc), docs[:3]))
    n = len(positives) or 1
    result.n = len(positives)
    result.hit1, result.hit3, result.mrr10 = hit1 / n, hit3 / n, rr / n
    return result


def evaluate_answered(
    engine: Engine, questions: list[DomainQuestion], result: DomainResult
) -> DomainResult:
    """Share of the in-scope domain questions the engine answers (fully or in part)."""
    positives = [q for q in questions if q.doc]
    answered = sum(
        engine.reply(f"dom-{i}", q.question).kind in (ReplyKind.ANSWER, ReplyKind.PARTIAL)
        for i, q in enumerate(positives)
    )
    result.answerable_rate = answered / (len(positives) or 1)
    return result


def evaluate_flags(
    engine: Engine, questions: list[DomainQuestion], result: DomainResult
) -> DomainResult:
    """Off-topic and individual-review questions must carry the expected flag and no grounded answer."""
    for i, q in enumerate(q for q in questions if q.flag):
        reply = engine.reply(f"neg-{i}", q.question)
        ok = bool(getattr(reply, q.flag)) and (q.flag != "out_of_scope" or not reply.answerable)
        result.negatives += 1
        result.negatives_correct += ok
        if not ok:
            result.negative_failures.append((q.question, reply.kind.value))
    return result
