"""Knowledge-gap report: similar unanswered questions grouped by embedding similarity, ranked.

Reads the pseudonymised ``knowledge_gaps`` table (written by bot/store/gaps.py), embeds each
distinct question once with the project's embedder, groups questions whose similarity to a
group's centroid reaches a threshold, and ranks groups by how often they were asked, so that
editors see which document to write next.

The CSV is opened in spreadsheets: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be taken as a formula (CSV injection), so such cells get a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import numpy as np
from sqlalchemy import func, select

from bot.store.database import Database
from bot.store.models import KnowledgeGap
from ingest.embeddings import Embedder

MAX_GAPS = 5000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KIND_NAMES = {"unanswered": "unbeantwortet", "thumbs_down": "👎", "handoff": "Beratung"}


@dataclass(frozen=True)
class GapItem:
    """One recorded gap."""

    question: str
    kind: str
    topic: str | None
    created_at: datetime


@dataclass
class GapGroup:
    """Similar questions, with the most typical one as example."""

    example: str
    count: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    questions: list[str] = field(default_factory=list)
    last_seen: datetime | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "example": self.example,
            "count": self.count,
            "kinds": dict(self.kinds),
            "topics": dict(self.topics),
            "questions": self.questions[:5],
            "last_seen": self.last_seen.isoformat(timespec="seconds") if self.last_seen else None,
        }


def _since_moment(since: date | None) -> datetime | None:
    return datetime.combine(since, time.min, tzinfo=UTC) if since else None


def load_gaps(db: Database, since: date | None = None, limit: int = MAX_GAPS) -> list[GapItem]:
    """The newest gaps (at most ``limit``), optionally from ``since`` on."""
    query = select(KnowledgeGap).order_by(KnowledgeGap.created_at.desc()).limit(limit)
    moment = _since_moment(since)
    if moment is not None:
        query = query.where(KnowledgeGap.created_at >= moment)
    with db.session() as session:
        rows = session.scalars(query).all()
    return [
        GapItem(
            row.question,
            row.kind,
            row.topic,
            row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        )
        for row in rows
    ]


def count_gaps(db: Database, since: datetime) -> int:
    """How many gaps were recorded since a moment (for the weekly message)."""
    with db.session() as session:
        total = session.scalar(
            select(func.count(KnowledgeGap.id)).where(KnowledgeGap.created_at >= since)
        )
    return int(total or 0)


def _key(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?!. ")


def group_gaps(items: list[GapItem], embedder: Embedder, threshold: float) -> list[GapGroup]:
    """Group similar questions; groups ranked by count, then by the latest question."""
    by_text: dict[str, list[GapItem]] = {}
    for item in items:
        by_text.setdefault(_key(item.question), []).append(item)
    distinct = sorted(by_text.values(), key=lambda same: (-len(same), same[0].question))
    if not distinct:
        return []
    vectors = np.vstack([embedder.embed_query(_phrasing(same)) for same in distinct])
    centroids: list[np.ndarray] = []
    members: list[list[int]] = []
    for i, vector in enumerate(vectors):
        if centroids:
            sims = np.asarray([float(c @ vector) / float(np.linalg.norm(c)) for c in centroids])
            best = int(sims.argmax())
            if sims[best] >= threshold:
                centroids[best] = centroids[best] + vector * len(distinct[i])
                members[best].append(i)
                continue
        centroids.append(vector * len(distinct[i]))
        members.append([i])
    groups = [_group([distinct[i] for i in idx]) for idx in members]
    return sorted(
        groups,
        key=lambda g: (-g.count, -(g.last_seen or datetime.min.replace(tzinfo=UTC)).timestamp()),
    )


def _phrasing(same: list[GapItem]) -> str:
    """The most frequent wording of one question; ties go to the earliest."""
    counts = Counter(item.question for item in same)
    first = {item.question: item.created_at for item in sorted(same, key=lambda i: i.created_at)}
    return min(counts, key=lambda q: (-counts[q], first[q]))


def _group(sets: list[list[GapItem]]) -> GapGroup:
    group = GapGroup(example=_phrasing(sets[0]))
    for same in sets:
        group.questions.append(_phrasing(same))
        for item in same:
            group.count += 1
            group.kinds[item.kind] += 1
            if item.topic:
                group.topics[item.topic] += 1
            if group.last_seen is None or item.created_at > group.last_seen:
                group.last_seen = item.created_at
    return group


def render_report(groups: list[GapGroup], fmt: str, since: date | None, limit: int = 50) -> str:
    """The report as Markdown, CSV or JSON."""
    shown = groups[:limit]
    if fmt == "json":
        return json.dumps(
            {
                "since": since.isoformat() if since else None,
                "groups": [g.to_json() for g in shown],
                "total_questions": sum(g.count for g in groups),
            },
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["rang", "anzahl", "beispielfrage", "arten", "themen", "zuletzt"])
        for rank, g in enumerate(shown, start=1):
            cells = [g.example, _kinds(g), _topics(g), _day(g)]
            writer.writerow([rank, g.count, *map(csv_cell, cells)])
        return buffer.getvalue()
    return _markdown(shown, since, sum(g.count for g in groups))


def csv_cell(text: str) -> str:
    """A text cell that no spreadsheet evaluates as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _kinds(group: GapGroup) -> str:
    return ", ".join(f"{KIND_NAMES.get(k, k)} {n}" for k, n in group.kinds.most_common())


def _topics(group: GapGroup) -> str:
    return ", ".join(t for t, _ in group.topics.most_common(3))


def _day(group: GapGroup) -> str:
    return group.last_seen.date().isoformat() if group.last_seen else ""


def _markdown(groups: list[GapGroup], since: date | None, total: int) -> str:
    span = f" seit {since.strftime('%d.%m.%Y')}" if since else ""
    if not groups:
        return f"# Wissenslücken{span}\n\nKeine offenen Fragen erfasst."
    lines = [
        f"# Wissenslücken{span}",
        "",
        f"{total} Fragen in {len(groups)} Gruppen, häufigste zuerst.",
        "",
        "| Rang | Anzahl | Beispielfrage | Arten | Themen | zuletzt |",
        "|---:|---:|---|---|---|---|",
    ]
    for rank, g in enumerate(groups, start=1):
        example = g.example.replace("|", "/")
        lines.append(f"| {rank} | {g.count} | {example} | {_kinds(g)} | {_topics(g)} | {_day(g)} |")
    return "\n".join(lines)
