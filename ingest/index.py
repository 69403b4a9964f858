"""The knowledge index: Chroma collections of chunk and sentence vectors plus the manifest.

Every chunk is embedded whole (for retrieval) and sentence by sentence (for choosing the sentences
of an answer); each document with a summary once more by title and summary (a document ranking). The
sentence and document vectors live in a second collection, keyed by chunk id: sentence ``n`` of a
chunk is ``<chunk id>/<n>``, the document vector hangs on its first chunk as ``<chunk id>/doc``
(n = -1), so both share the chunks' life cycle (replaced, removed and cleaned up with them).

Chroma runs embedded (PersistentClient under the data directory) or as a server (HttpClient).
Telemetry is off and the collection never uses Chroma's default embedding function: vectors
come from our own embedder.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.documents import Chunk, Document
from ingest.embeddings import Embedder
from ingest.manifest import FileEntry, Manifest, load_manifest, save_manifest
from ingest.sentences import split_units
from ingest.sources import newest_published, oldest_check

log = logging.getLogger(__name__)

COLLECTION = "knowledge"
SENTENCES = "knowledge_sentences"


@dataclass(frozen=True)
class ChromaConfig:
    """Where Chroma lives: a directory (embedded) or host and port of a Chroma server."""

    path: Path
    host: str | None = None
    port: int = 8000


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the index."""

    id: str
    text: str
    metadata: dict[str, Any]


def _client(config: ChromaConfig) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if config.host:
        return chromadb.HttpClient(host=config.host, port=config.port, settings=settings)
    config.path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(config.path), settings=settings)


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

    def __init__(self, data_dir: Path, embedder: Embedder, chroma: ChromaConfig) -> None:
        self.data_dir = data_dir
        self.embedder = embedder
        self._chroma_config = chroma
        self._manifest_path = data_dir / "manifest.json"
        self._client: Any = None
        self._collection: Any = None
        self._sentences: Any = None
        self._stamp: tuple[int, int] | None = None
        self.manifest = self._open_manifest()

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
        """Pick up a manifest written by another process (an ingest or editor run); True if new."""
        stamp = self._file_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        manifest = load_manifest(self._manifest_path)
        if manifest is None:
            return False
        self.manifest = manifest
        self._stamp = stamp
        return True

    def _save(self) -> None:
        save_manifest(self.manifest, self._manifest_path)
        self._stamp = self._file_stamp()

    @property
    def collection(self) -> Any:
        """The Chroma collection, opened on first use."""
        if self._collection is None:
            self._client = _client(self._chroma_config)
            self._collection = self._client.get_or_create_collection(
                COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        return self._collection

    @property
    def sentence_collection(self) -> Any:
        """The Chroma collection of sentence vectors, opened on first use."""
        if self._sentences is None:
            self.collection  # noqa: B018 - opens the client
            self._sentences = self._client.get_or_create_collection(
                SENTENCES, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
        return self._sentences

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
        self.collection  # noqa: B018 - opens the client
        existing = {getattr(c, "name", c) for c in self._client.list_collections()}
        for name in (COLLECTION, SENTENCES):
            if name in existing:
                self._client.delete_collection(name)
        self._collection = None
        self._sentences = None
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
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where=where or None,
            include=["distances"],
        )
        pairs = zip(result["ids"][0], result["distances"][0], strict=True)
        return [(cid, 1.0 - float(dist)) for cid, dist in pairs if cid in live][:k]
