"""Load the answer-trust evaluation set (tests/data/trust/, format in its README)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "trust"
FRESH_DIR = DATA_DIR.with_name("trust-fresh")
KINDS = ("answerable", "unknown", "consultation", "offtopic")
SPLITS = ("tuning", "heldout")
# Reported parts: the fresh blind set (written after the first held-out measurement), the
# original held-out part (seen in aggregate since then) and the tuning part (fitted on).
PARTS = ("fresh", "heldout", "tuning")


@dataclass(frozen=True)
class Item:
    """One single question of the set."""

    id: str
    kind: str
    question: str
    split: str
    doc: str | None = None
    facts: tuple[str, ...] = ()
    asks: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Turn:
    """One turn of a conversation."""

    question: str
    role: str
    expect: str
    doc: str | None = None
    facts: tuple[str, ...] = ()
    not_doc: str | None = None


@dataclass(frozen=True)
class Conversation:
    """Two or three turns that must be answered in one conversation."""

    id: str
    split: str
    turns: tuple[Turn, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class EvalSet:
    """All items and conversations."""

    items: tuple[Item, ...]
    conversations: tuple[Conversation, ...]

    def part(self, split: str) -> EvalSet:
        """Only the tuning or only the held-out part."""
        return EvalSet(
            tuple(i for i in self.items if i.split == split),
            tuple(c for c in self.conversations if c.split == split),
        )


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def load(data_dir: Path = DATA_DIR) -> EvalSet:
    """Read every file of the set."""
    items: list[Item] = []
    conversations: list[Conversation] = []
    for path in sorted(data_dir.glob("*.jsonl")):
        for row in _rows(path):
            if row.get("kind") == "conversation":
                turns = tuple(
                    Turn(
                        question=str(t["question"]),
                        role=str(t["role"]),
                        expect=str(t["expect"]),
                        doc=t.get("doc"),
                        facts=tuple(t.get("facts", ())),
                        not_doc=t.get("not_doc"),
                    )
                    for t in row["turns"]  # type: ignore[attr-defined]
                )
                conversations.append(Conversation(str(row["id"]), str(row["split"]), turns))
            else:
                items.append(
                    Item(
                        id=str(row["id"]),
                        kind=str(row["kind"]),
                        question=str(row["question"]),
                        split=str(row.get("split", "")),
                        doc=row.get("doc"),  # type: ignore[arg-type]
                        facts=tuple(row.get("facts", ())),  # type: ignore[arg-type]
                        asks=row.get("asks"),  # type: ignore[arg-type]
                        category=row.get("category"),  # type: ignore[arg-type]
                    )
                )
    return EvalSet(tuple(items), tuple(conversations))


def load_part(part: str) -> EvalSet:
    """One reported part of the evaluation data."""
    if part == "fresh":
        return load(FRESH_DIR)
    return load().part(part)
