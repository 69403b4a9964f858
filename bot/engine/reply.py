"""The typed reply the engine returns to every adapter (console, CLI, Telegram, tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.answer.citations import Citation


class ReplyKind(StrEnum):
    """What kind of turn this was; adapters render each kind their own way."""

    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    PARTIAL = "partial"
    OUT_OF_SCOPE = "out_of_scope"
    HANDOFF_OFFER = "handoff_offer"
    GREETING = "greeting"
    EMPTY = "empty"


@dataclass(frozen=True)
class Reply:
    """Answer text plus everything an adapter needs to render and log it."""

    question: str
    kind: ReplyKind
    body: str
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    answerable: bool = False
    handoff_suggested: bool = False
    out_of_scope: bool = False
    truncated: bool = False
    standalone_query: str = ""
    used_llm: bool = False
    turn_id: int | None = None  # id of the stored turn (feedback buttons), when the store has ids

    @property
    def text(self) -> str:
        """Full plain text: body, then sources and Stand when there are citations."""
        from bot.answer.citations import sources_block

        if not self.citations:
            return self.body
        return f"{self.body}\n\n{sources_block(self.citations)}"

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.to_json() for c in self.citations],
            "confidence": self.confidence,
            "answerable": self.answerable,
            "handoff_suggested": self.handoff_suggested,
            "out_of_scope": self.out_of_scope,
        }
