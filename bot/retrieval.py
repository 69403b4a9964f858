"""Hybrid retrieval: dense (Chroma) and German BM25, fused by weighted reciprocal rank fusion.

It also computes the relevance signal that decides whether a question is answerable from the
knowledge base: the cosine similarity of the best dense hit and how much of the question's
(IDF-weighted) vocabulary the best chunk covers.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any

from bot.cues import answer_cues
from ingest.index import KnowledgeIndex, StoredChunk
from ingest.lexical import GermanAnalyzer, LexicalIndex
from ingest.manifest import Manifest


@dataclass(frozen=True)
class RetrievalConfig:
    """Fusion weights and thresholds (see Settings for the meaning of each)."""

    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 0.6
    candidates: int = 30
    max_chunks_per_doc: int = 2
    min_dense_similarity: float = 0.86
    strong_dense_similarity: float = 0.88
    min_term_coverage: float = 0.3


@dataclass(frozen=True)
class Hit:
    """One ranked chunk with the evidence behind its rank."""

    chunk: StoredChunk
    score: float
    dense: float | None
    lexical: float | None

    @property
    def source(self) -> str:
        return str(self.chunk.metadata.get("source", ""))

    def meta(self, key: str) -> str:
        return str(self.chunk.metadata.get(key, "") or "")


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits plus the relevance signal."""

    query: str
    hits: list[Hit]
    top_dense: float
    coverage: float
    answerable: bool
    confidence: float


@dataclass
class _Corpus:
    manifest: Manifest
    generation: int
    chunks: dict[str, StoredChunk]
    lexical: LexicalIndex


class Retriever:
    """Searches the live chunks of a KnowledgeIndex."""

    def __init__(
        self, index: KnowledgeIndex, config: RetrievalConfig, analyzer: GermanAnalyzer
    ) -> None:
        self.index = index
        self.config = config
        self.analyzer = analyzer
        self._corpus: _Corpus | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Forget the cached corpus; the next search reloads it from the index."""
        with self._lock:
            self._corpus = None

    def corpus(self) -> _Corpus:
        """Live chunks and the lexical index, rebuilt when the manifest generation changed."""
        with self._lock:
            self.index.reload_if_changed()
            manifest = self.index.manifest
            generation = manifest.generation
            if (
                self._corpus is None
                or self._corpus.manifest is not manifest
                or self._corpus.generation != generation
            ):
                chunks = self.index.live_chunks()
                lexical = LexicalIndex(
                    [c.id for c in chunks],
                    [_lexical_text(c) for c in chunks],
                    self.analyzer,
                )
                self._corpus = _Corpus(manifest, generation, {c.id: c for c in chunks}, lexical)
            return self._corpus

    def search(self, query: str, k: int = 5, topic: str | None = None) -> SearchResult:
        """Rank chunks for a query; at most ``max_chunks_per_doc`` chunks per document."""
        corpus = self.corpus()
        cfg = self.config
        where: dict[str, Any] | None = {"topic": topic} if topic else None
        dense: list[tuple[str, float]] = []
        if cfg.dense_weight > 0 and corpus.chunks:
            vector = self.index.embedder.embed_query(query)
            dense = self.index.dense_search(vector, cfg.candidates, where)
        lexical: list[tuple[str, float]] = []
        if cfg.lexical_weight > 0:
            lexical = [
                (cid, s)
                for cid, s in corpus.lexical.search(query, cfg.candidates * 2)
                if topic is None or corpus.chunks[cid].metadata.get("topic") == topic
            ][: cfg.candidates]
        hits = self._prefer_cued(self._fuse(corpus, dense, lexical), answer_cues(query))
        capped = _cap_per_document(hits, cfg.max_chunks_per_doc)[:k]
        top_dense = max((s for _, s in dense), default=0.0)
        coverage = self.coverage(query, [h.chunk for h in capped[:3]])
        answerable = bool(capped) and (
            top_dense >= cfg.min_dense_similarity
            and (coverage >= cfg.min_term_coverage or top_dense >= cfg.strong_dense_similarity)
        )
        return SearchResult(
            query=query,
            hits=capped,
            top_dense=top_dense,
            coverage=coverage,
            answerable=answerable,
            confidence=_confidence(top_dense, coverage, cfg),
        )

    def _fuse(
        self, corpus: _Corpus, dense: list[tuple[str, float]], lexical: list[tuple[str, float]]
    ) -> list[Hit]:
        cfg = self.config
        scores: dict[str, float] = {}
        dense_by_id = dict(dense)
        lexical_by_id = dict(lexical)
        for weight, ranking in ((cfg.dense_weight, dense), (cfg.lexical_weight, lexical)):
            for rank, (cid, _) in enumerate(ranking, start=1):
                scores[cid] = scores.get(cid, 0.0) + weight / (cfg.rrf_k + rank)
        ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        return [
            Hit(corpus.chunks[cid], score, dense_by_id.get(cid), lexical_by_id.get(cid))
            for cid, score in ordered
            if cid in corpus.chunks
        ]

    def _prefer_cued(self, hits: list[Hit], cues: tuple[re.Pattern[str], ...]) -> list[Hit]:
        """Lift chunks that contain what a "wann"/"wie viel" question asks for (a date, an amount)."""
        if not cues:
            return hits
        bonus = 0.3 * self.config.dense_weight / (self.config.rrf_k + 1)
        lifted = [
            replace(h, score=h.score + bonus) if any(c.search(h.chunk.text) for c in cues) else h
            for h in hits
        ]
        return sorted(lifted, key=lambda h: h.score, reverse=True)

    def coverage(self, query: str, chunks: list[StoredChunk]) -> float:
        """IDF-weighted share of the query's terms found in the chunks (with title and heading).

        A compound counts as found when one of its parts of five or more letters is found
        ("Heimatmuseum" in a text about "Heimat").
        """
        lexical = self.corpus().lexical
        terms = set(self.analyzer.terms(query))
        if not terms:
            return 0.0
        ceiling = max((lexical.idf(t) for t in terms), default=0.0) or 1.0
        weights = {t: lexical.idf(t) if lexical.known(t) else ceiling for t in terms}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        present = {t for chunk in chunks for t in self.analyzer.terms(_lexical_text(chunk))}
        return sum(w for t, w in weights.items() if _found(t, present)) / total

    def unknown_share(self, query: str) -> float:
        """Share of the query's content terms that occur nowhere in the knowledge base."""
        terms = set(self.analyzer.terms(query))
        if not terms:
            return 1.0
        lexical = self.corpus().lexical
        return sum(1 for t in terms if not lexical.known(t)) / len(terms)


def _lexical_text(chunk: StoredChunk) -> str:
    meta = chunk.metadata
    return (
        f"{meta.get('title', '')}\n{meta.get('heading', '')}\n{meta.get('tags', '')}\n{chunk.text}"
    )


def _found(term: str, present: set[str]) -> bool:
    if term in present:
        return True
    return any(
        len(p) >= 5 and (term.startswith(p) or term.endswith(p) or p.startswith(term))
        for p in present
    )


def _cap_per_document(hits: list[Hit], cap: int) -> list[Hit]:
    counts: dict[str, int] = {}
    kept: list[Hit] = []
    for hit in hits:
        n = counts.get(hit.source, 0)
        if n < cap:
            counts[hit.source] = n + 1
            kept.append(hit)
    return kept


def _confidence(top_dense: float, coverage: float, cfg: RetrievalConfig) -> float:
    floor = cfg.min_dense_similarity - 0.1
    dense_part = min(1.0, max(0.0, (top_dense - floor) / 0.2))
    return round(0.5 * dense_part + 0.5 * coverage, 3)
