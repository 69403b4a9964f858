"""The knowledge index: Chroma collections of chunk and sentence vectors plus the manifest.

Every chunk is embedded whole (for retrieval) and sentence by sentence (for choosing the sentences
of an answer); each document with a summary once more by title and summary (a document ranking). The
sentence and document vectors live in a second collection, keyed by chunk id: sentence ``n`` of a
chunk is ``<chunk id>/<n>``, the document vector hangs on its first chunk as ``<chunk id>/doc``
(n = -1), so both share the chunks' life cycle (replaced, removed and cleaned up with them).

The manifest decides what is live; the vectors live in Chroma (``ingest.chroma``). The two can
drift apart when the Chroma directory is lost or another process writes the index, so the index
verifies that Chroma holds the manifest's chunks (``verify``, ``require_complete``), marks the
documents whose chunks are missing for re-embedding (``mark_missing``, called by every sync), and
reopens Chroma when the manifest on disk changed (``reload_if_changed``). A manifest that cannot be
read raises ``ManifestCorrupt``; an ingest opens the index with ``recover_corrupt=True``, which sets
the file aside and starts from an empty index.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chroma import COLLECTION, SENTENCES, ChromaConfig, ChromaStore, store_errors
from ingest.documents import Chunk, Document
from ingest.embeddings import Embedder
from ingest.errors import IndexIncomplete, IndexUnavailable, ManifestCorrupt
from ingest.manifest import FileEntry, Manifest, load_manifest, save_manifest, set_aside
from ingest.sentences import split_units
from ingest.sources import newest_published, oldest_check
from ingest.verify import IndexHealth, check_chunks

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"

__all__ = ["ChromaConfig", "KnowledgeIndex", "StoredChunk"]


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the index."""

    id: str
    text: str
    metadata: dict[str, Any]


DOCUMENT_VECTOR = -1


def document_text(doc: Document) -> str:
    """What represents a whole document: its title and summary."""
    return f"{doc.meta.title}. {doc.meta.summary}"


def sentence_context(chunk: Chunk) -> str:
    """What a sentence is embedded with: its document's short title and its section heading.

    "Heimat-Scheck – Wer kann den Heimat-Scheck beantragen?: Kommunen sind nicht
    antragsberechtigt." says more about the question it answers than the bare sentence.
    """
    title = re.split(r":| – ", str(chunk.metadata.get("title", "")), maxsplit=1)[0].strip()
    parts = [p for p in (title, chunk.heading.split(" > ")[-1] if chunk.heading else "") if p]
    return f"{' – '.join(parts)}: " if parts else ""


class KnowledgeIndex:
    """Chunks with vectors in Chroma; the manifest decides which of them are live."""

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        chroma: ChromaConfig,
        *,
        recover_corrupt: bool = False,
    ) -> None:
        """Open the manifest (Chroma opens on first use).

        Args:
            recover_corrupt: set a corrupt manifest aside (``manifest.json.corrupt-<time>``) and
                drop every vector, instead of raising ``ManifestCorrupt``; the caller holds the
                index lock and re-ingests the knowledge folder.
        """
        self.data_dir = data_dir
        self.embedder = embedder
        self.chroma = chroma
        self._store = ChromaStore(chroma)
        self._manifest_path = data_dir / MANIFEST
        self._stamp: tuple[int, int] | None = None
        self.recovered_from: Path | None = None
        try:
            self.manifest = self._open_manifest()
        except ManifestCorrupt as exc:
            if not recover_corrupt:
                raise
            self.recovered_from = set_aside(self._manifest_path)
            log.warning(
                "manifest %s is corrupt (%s): moved to %s; the index is rebuilt from scratch",
                self._manifest_path,
                exc.detail,
                self.recovered_from.name,
            )
            self.manifest = Manifest(embedding_model=embedder.name)
            self._store.drop_collections()
            self._save()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self._manifest_path.stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def _open_manifest(self) -> Manifest:
        self._stamp = self._file_stamp()
        manifest = load_manifest(self._manifest_path)
        if manifest is None:
            return Manifest(embedding_model=self.embedder.name)
        return manifest

    def reload_if_changed(self) -> bool:
        """Pick up a manifest written by another process (an ingest or editor run); True if new.

        Chroma is reopened with it: an embedded client would not see the other process's new
        vectors in searches, and a server's collection may have been replaced by a reset.
        """
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        try:
            manifest = load_manifest(self._manifest_path)
        except ManifestCorrupt as exc:
            self._stamp = stamp  # warn once per version of the file
            log.error("manifest changed but cannot be read (%s): serving the previous one", exc)
            return False
        if manifest is None:
            return False
        self._store.reopen()
        self.manifest = manifest
        self._stamp = stamp
        health = self.verify()
        if not health.ok:
            log.error(
                "index generation %d: %d of %d chunks missing in %s; run 'digitalteam ingest'",
                manifest.generation,
                health.missing_chunks,
                health.listed,
                self.chroma.describe(),
            )
        return True

    def _save(self) -> None:
        save_manifest(self.manifest, self._manifest_path)
        self._stamp = self._file_stamp()

    @property
    def collection(self) -> Any:
        """The Chroma collection of chunks, opened on first use."""
        return self._store.collection(COLLECTION)

    @property
    def sentence_collection(self) -> Any:
        """The Chroma collection of sentence vectors, opened on first use."""
        return self._store.collection(SENTENCES)

    def close(self) -> None:
        """Release the Chroma client (idempotent; the next use opens it again)."""
        self._store.close()

    # Verification and repair
    def verify(self) -> IndexHealth:
        """Which of the manifest's chunks Chroma holds (ids only, in batches)."""
        with self._store.using():
            try:
                return check_chunks(self.manifest, self.collection)
            except store_errors() as exc:
                raise IndexUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc

    def require_complete(self) -> IndexHealth:
        """``verify``, raising ``IndexIncomplete`` when chunks are missing."""
        health = self.verify()
        if not health.ok:
            raise IndexIncomplete(health.missing_chunks, health.listed, list(health.missing))
        return health

    def mark_missing(self) -> list[str]:
        """Mark documents with chunks missing in Chroma as changed, so the sync re-embeds them.

        Returns:
            The sources marked (their manifest checksum is cleared in memory).
        """
        health = self.verify()
        for source in health.missing:
            self.manifest.files[source].checksum = ""
        if health.missing:
            log.warning(
                "%d of %d chunks (%d documents) missing in %s: re-embedding them",
                health.missing_chunks,
                health.listed,
                len(health.missing),
                self.chroma.describe(),
            )
        return list(health.missing)

    def needs_rebuild(self, chunking: str) -> bool:
        """True when the index was built with another embedding model or chunking."""
        if not self.manifest.files:
            return False
        return (
            self.manifest.embedding_model != self.embedder.name
            or self.manifest.chunking != chunking
        )

    def reset(self, chunking: str) -> None:
        """Drop every vector and start an empty manifest for the current model and chunking."""
        log.info(
            "index built with %s/%s, now %s/%s: re-embedding everything",
            self.manifest.embedding_model,
            self.manifest.chunking,
            self.embedder.name,
            chunking,
        )
        self._store.drop_collections()
        self.manifest = Manifest(embedding_model=self.embedder.name, chunking=chunking)
        self._save()

    def _commit(self) -> None:
        self.manifest.generation += 1
        self._save()

    def put_document(self, doc: Document, chunks: list[Chunk]) -> None:
        """Make ``chunks`` the live version of ``doc``: add new vectors, switch, delete old ones."""
        if not chunks:
            raise ValueError("a document without chunks cannot be indexed")
        vectors = self.embedder.embed_passages([c.embed_text for c in chunks])
        with self._store.using():
            self._put_sentences(doc, chunks)
            self.collection.upsert(
                ids=[c.id for c in chunks],
                embeddings=np.asarray(vectors, dtype=np.float32),
                documents=[c.text for c in chunks],
                metadatas=[c.metadata for c in chunks],
            )
        old = self.manifest.files.get(doc.source)
        self.manifest.files[doc.source] = FileEntry(
            checksum=doc.checksum,
            chunk_ids=[c.id for c in chunks],
            title=doc.meta.title,
            topic=doc.meta.topic or "",
            stand=doc.meta.stand.isoformat() if doc.meta.stand else "",
            valid_until=doc.meta.valid_until.isoformat() if doc.meta.valid_until else "",
            kind=doc.kind,
            checked=checked.isoformat() if (checked := oldest_check(doc.meta.sources)) else "",
            published=newest.iso() if (newest := newest_published(doc.meta.sources)) else "",
        )
        self._commit()
        if old is not None:
            stale = sorted(set(old.chunk_ids) - {c.id for c in chunks})
            if stale:
                self._delete_chunks(stale)

    def _put_sentences(self, doc: Document, chunks: list[Chunk]) -> None:
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        if doc.meta.summary:
            # Only a curated summary says what a document is about; a bare title does not
            # (all paragraphs of one article would share it).
            ids.append(f"{chunks[0].id}/doc")
            texts.append(document_text(doc))
            metadatas.append({"chunk": chunks[0].id, "n": DOCUMENT_VECTOR})
        for chunk in chunks:
            context = sentence_context(chunk)
            for n, unit in enumerate(split_units(chunk.text)):
                ids.append(f"{chunk.id}/{n:03d}")
                texts.append(f"{context}{unit.embed_text()}")
                metadatas.append({"chunk": chunk.id, "n": n})
        if not ids:
            return
        vectors = self.embedder.embed_passages(texts)
        for i in range(0, len(ids), 1000):
            self.sentence_collection.upsert(
                ids=ids[i : i + 1000],
                embeddings=np.asarray(vectors[i : i + 1000], dtype=np.float32),
                metadatas=metadatas[i : i + 1000],
            )

    def _delete_chunks(self, chunk_ids: list[str]) -> None:
        with self._store.using():
            for i in range(0, len(chunk_ids), 500):
                batch = chunk_ids[i : i + 500]
                self.collection.delete(ids=batch)
                self.sentence_collection.delete(where={"chunk": {"$in": batch}})

    def remove_document(self, source: str) -> bool:
        """Retire a document and its chunks; False if it was not indexed."""
        entry = self.manifest.files.pop(source, None)
        if entry is None:
            return False
        self._commit()
        if entry.chunk_ids:
            self._delete_chunks(entry.chunk_ids)
        return True

    def remove_orphans(self) -> int:
        """Delete vectors that no live document owns (left by an ingest that was killed)."""
        live = self.manifest.live_chunk_ids()
        orphans = sorted(set(self.collection.get(include=[])["ids"]) - live)
        self._delete_chunks(orphans)
        stray = sorted(
            {
                str(meta.get("chunk"))
                for meta in self.sentence_collection.get(include=["metadatas"])["metadatas"]
                if meta and meta.get("chunk") not in live
            }
        )
        self._delete_chunks(stray)
        return len(orphans)

    def live_chunks(self) -> list[StoredChunk]:
        """Every live chunk with text and metadata, in manifest order."""
        ids = [cid for entry in self.manifest.files.values() for cid in entry.chunk_ids]
        if not ids:
            return []
        result = self.collection.get(ids=ids, include=["documents", "metadatas"])
        by_id = {
            cid: StoredChunk(cid, doc or "", dict(meta or {}))
            for cid, doc, meta in zip(
                result["ids"], result["documents"], result["metadatas"], strict=True
            )
        }
        return [by_id[cid] for cid in ids if cid in by_id]

    def sentence_vectors(
        self, chunk_ids: set[str]
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Sentence vectors of the given chunks (one row per sentence, in chunk order), and the
        document vectors keyed by the chunk they hang on."""
        if not chunk_ids:
            return {}, {}
        result = self.sentence_collection.get(include=["embeddings", "metadatas"])
        rows: dict[str, list[tuple[int, np.ndarray]]] = {}
        documents: dict[str, np.ndarray] = {}
        for meta, vector in zip(result["metadatas"], result["embeddings"], strict=True):
            chunk = str((meta or {}).get("chunk", ""))
            if chunk not in chunk_ids:
                continue
            n = int(meta.get("n", 0))
            if n == DOCUMENT_VECTOR:
                documents[chunk] = np.asarray(vector, dtype=np.float32)
            else:
                rows.setdefault(chunk, []).append((n, vector))
        sentences = {
            chunk: np.asarray([v for _, v in sorted(pairs, key=lambda p: p[0])], dtype=np.float32)
            for chunk, pairs in rows.items()
        }
        return sentences, documents

    def dense_search(
        self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity) among live chunks."""
        live = self.manifest.live_chunk_ids()
        if not live:
            return []
        n = min(len(live), k + 8)
        with self._store.using():
            result = self.collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                where=where or None,
                include=["distances"],
            )
        pairs = zip(result["ids"][0], result["distances"][0], strict=True)
        return [(cid, 1.0 - float(dist)) for cid, dist in pairs if cid in live][:k]
