"""Hybrid retrieval: dense (Chroma) and German BM25, fused by weighted reciprocal rank fusion.

A search works on one snapshot of the corpus (live chunks, BM25, sentence vectors, known names),
which it carries in its result, so that everything computed for one question sees one index
generation. Whether the question is answerable is decided later, from the evidence
(bot.answer.decision); retrieval reports its signals: the best dense similarity and how much of
the question's IDF-weighted vocabulary the best chunks cover.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bot.understand.names import NameIndex
from bot.understand.vocabulary import Vocabulary
from ingest.index import KnowledgeIndex, StoredChunk
from ingest.lexical import GermanAnalyzer, LexicalIndex
from ingest.manifest import Manifest


@dataclass(frozen=True)
class RetrievalConfig:
    """Fusion weights and thresholds (see Settings for the meaning of each)."""

    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 0.6
    document_weight: float = 0.6
    candidates: int = 30
    max_chunks_per_doc: int = 2


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


@dataclass
class Corpus:
    """One generation of the index: live chunks, BM25, sentence vectors and known names."""

    manifest: Manifest
    generation: int
    chunks: dict[str, StoredChunk]
    lexical: LexicalIndex
    sentence_vectors: dict[str, np.ndarray]
    names: NameIndex
    document_sources: list[str]
    document_matrix: np.ndarray | None
    vocabulary: Vocabulary

    def document_ranks(self, vector: np.ndarray) -> dict[str, int]:
        """Rank (from 1) of every document by the similarity of its title and summary."""
        if self.document_matrix is None:
            return {}
        order = np.argsort(-(self.document_matrix @ np.asarray(vector, dtype=np.float32)))
        return {self.document_sources[i]: rank for rank, i in enumerate(order, start=1)}


@dataclass(frozen=True)
class SearchResult:
    """Ranked hits, the relevance signals, and the snapshot and query vector they came from."""

    query: str
    hits: list[Hit]
    top_dense: float
    coverage: float
    corpus: Corpus
    query_vector: np.ndarray | None = None


class Retriever:
    """Searches the live chunks of a KnowledgeIndex."""

    def __init__(
        self, index: KnowledgeIndex, config: RetrievalConfig, analyzer: GermanAnalyzer
    ) -> None:
        self.index = index
        self.config = config
        self.analyzer = analyzer
        self._corpus: Corpus | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Forget the cached corpus; the next search reloads it from the index."""
        with self._lock:
            self._corpus = None

    def corpus(self) -> Corpus:
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
                sentences, documents = self.index.sentence_vectors({c.id for c in chunks})
                by_chunk = {c.id: c for c in chunks}
                documents = {
                    cid: v for cid, v in documents.items() if by_chunk[cid].metadata.get("summary")
                }
                sources = [str(by_chunk[cid].metadata.get("source", "")) for cid in documents]
                self._corpus = Corpus(
                    manifest,
                    generation,
                    by_chunk,
                    lexical,
                    sentences,
                    NameIndex.build(chunks),
                    sources,
                    np.vstack(list(documents.values())) if documents else None,
                    Vocabulary(lexical, self.analyzer),
                )
            return self._corpus

    def search(
        self,
        query: str,
        k: int = 5,
        topic: str | None = None,
        lift: tuple[re.Pattern[str], ...] = (),
        corpus: Corpus | None = None,
        within: str | None = None,
    ) -> SearchResult:
        """Rank chunks for a query; at most ``max_chunks_per_doc`` chunks per document.

        ``lift`` holds patterns of what the question asks for (a date, an amount): chunks that
        contain one rank a little higher. ``corpus`` is the snapshot to search (default: the
        current one); ``within`` restricts the search to one document (a follow-up's subject).
        """
        corpus = corpus or self.corpus()
        cfg = self.config
        where: dict[str, Any] | None = {"topic": topic} if topic else None
        if within:
            where = {"source": within}
        dense: list[tuple[str, float]] = []
        vector: np.ndarray | None = None
        if cfg.dense_weight > 0 and corpus.chunks:
            vector = self.index.embedder.embed_query(query)
            dense = self.index.dense_search(vector, cfg.candidates, where)
        lexical: list[tuple[str, float]] = []
        if cfg.lexical_weight > 0:
            lexical = [
                (cid, s)
                for cid, s in corpus.lexical.search(query, cfg.candidates * 2)
                if (topic is None or corpus.chunks[cid].metadata.get("topic") == topic)
                and (within is None or corpus.chunks[cid].metadata.get("source") == within)
            ][: cfg.candidates]
        hits = self._fuse(corpus, dense, lexical)
        if cfg.document_weight > 0 and vector is not None and within is None:
            hits = self._prefer_documents(hits, corpus.document_ranks(vector))
        hits = self._prefer_cued(hits, lift)
        capped = _cap_per_document(hits, k if within else cfg.max_chunks_per_doc)[:k]
        return SearchResult(
            query=query,
            hits=capped,
            top_dense=max((s for _, s in dense), default=0.0),
            coverage=self.coverage(query, [h.chunk for h in capped[:3]], corpus),
            corpus=corpus,
            query_vector=vector,
        )

    def _fuse(
        self,
        corpus: Corpus,
        dense: list[tuple[str, float]],
        lexical: list[tuple[str, float]],
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

    def _prefer_documents(self, hits: list[Hit], ranks: dict[str, int]) -> list[Hit]:
        """Add each chunk's document rank (by title and summary) as a third fused ranking.

        A document without a summary (an uploaded PDF, say) takes the middle rank, so that it is
        neither lifted nor pushed down against documents that have one.
        """
        if not ranks:
            return hits
        weight, k = self.config.document_weight, self.config.rrf_k
        middle = (len(ranks) + 1) / 2
        lifted = [
            replace(h, score=h.score + weight / (k + ranks.get(h.source, middle))) for h in hits
        ]
        return sorted(lifted, key=lambda h: h.score, reverse=True)

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

    def coverage(self, query: str, chunks: list[StoredChunk], corpus: Corpus) -> float:
        """IDF-weighted share of the query's terms found in the chunks (with title and heading).

        A compound counts as found when one of its parts of five or more letters is found
        ("Heimatmuseum" in a text about "Heimat").
        """
        lexical = corpus.lexical
        terms = sorted(set(self.analyzer.terms(query)))  # sorted: sums independent of hash seed
        if not terms:
            return 0.0
        ceiling = max((lexical.idf(t) for t in terms), default=0.0) or 1.0
        weights = {t: lexical.idf(t) if lexical.known(t) else ceiling for t in terms}
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        present = {t for chunk in chunks for t in self.analyzer.terms(_lexical_text(chunk))}
        return sum(w for t, w in weights.items() if term_found(t, present)) / total

    def unknown_share(self, query: str, corpus: Corpus) -> float:
        """Share of the query's content terms that occur nowhere in the knowledge base."""
        terms = set(self.analyzer.terms(query))
        if not terms:
            return 1.0
        lexical = corpus.lexical
        return sum(1 for t in terms if not lexical.known(t)) / len(terms)


def _lexical_text(chunk: StoredChunk) -> str:
    meta = chunk.metadata
    return (
        f"{meta.get('title', '')}\n{meta.get('heading', '')}\n{meta.get('tags', '')}\n"
        f"{meta.get('aliases', '')}\n{chunk.text}"
    )


def term_found(term: str, present: set[str]) -> bool:
    """A stemmed term, or a compound with a part of five or more letters, is among ``present``."""
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
