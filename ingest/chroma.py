"""The Chroma client and the index's two collections, opened on first use and reopened on demand.

Chroma runs embedded (``PersistentClient`` under the data directory) or as a server
(``HttpClient``). Telemetry is off and the collections never use Chroma's default embedding
function: vectors come from our own embedder.

Embedded Chroma keeps each collection's vector index in memory: vectors another process added
reach ``get`` (SQLite) but not ``query`` until the client is opened afresh. ``reopen()`` closes the
client (Chroma stops its shared system when the last client of a path is closed) and the next use
opens a new one. Searches and writes hold a lease (``using()``) so that a handle is never replaced
while it is in use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import IndexUnavailable

COLLECTION = "knowledge"
SENTENCES = "knowledge_sentences"


@dataclass(frozen=True)
class ChromaConfig:
    """Where Chroma lives: a directory (embedded) or host and port of a Chroma server."""

    path: Path
    host: str | None = None
    port: int = 8000

    def describe(self) -> str:
        """Where the vectors are, for messages (no credentials: host and port only)."""
        if self.host:
            return f"Chroma-Server {self.host.rsplit('@', 1)[-1]}:{self.port}"
        return f"Chroma-Verzeichnis {self.path}"


def store_errors() -> tuple[type[BaseException], ...]:
    """What Chroma raises when the store cannot be opened, reached or read."""
    from chromadb.errors import ChromaError

    return (ValueError, OSError, ChromaError)


def _client(config: ChromaConfig) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if config.host:
            return chromadb.HttpClient(host=config.host, port=config.port, settings=settings)
        config.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(config.path), settings=settings)
    except store_errors() as exc:
        _forget_system(str(config.path))
        raise IndexUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc


def _forget_system(identifier: str) -> None:
    """Drop Chroma's cached system of a path whose start failed.

    Chroma keeps one system per path for the whole process, also one that failed to start, and
    every later client of that path would fail on it with an unrelated error.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    for cache in ("_identifier_to_system", "_identifier_to_refcount"):
        entries = getattr(SharedSystemClient, cache, None)
        if isinstance(entries, dict):
            entries.pop(identifier, None)


class ChromaStore:
    """The client and the chunk and sentence collections, with a reader lease for reopening."""

    def __init__(self, config: ChromaConfig) -> None:
        self.config = config
        self._client: Any = None
        self._handles: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._readers = 0
        self._reopening = False

    def collection(self, name: str) -> Any:
        """The collection ``name``, created empty if missing, opened on first use."""
        with self._cond:
            handle = self._handles.get(name)
            if handle is None:
                if self._client is None:
                    self._client = _client(self.config)
                try:
                    handle = self._client.get_or_create_collection(
                        name, metadata={"hnsw:space": "cosine"}, embedding_function=None
                    )
                except store_errors() as exc:
                    raise IndexUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
                self._handles[name] = handle
            return handle

    @contextmanager
    def using(self) -> Iterator[None]:
        """Hold the current handles for the block (``reopen`` waits until it ends)."""
        with self._cond:
            self._cond.wait_for(lambda: not self._reopening)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    def reopen(self) -> None:
        """Drop the client and the handles; the next use opens a fresh view of the store."""
        with self._cond:
            self._reopening = True
            try:
                self._cond.wait_for(lambda: self._readers == 0)
                self._close_client()
            finally:
                self._reopening = False
                self._cond.notify_all()

    def drop_collections(self) -> None:
        """Delete both collections (a reset); they are created empty on next use."""
        self.collection(COLLECTION)  # opens the client
        with self._cond:
            existing = {getattr(c, "name", c) for c in self._client.list_collections()}
            for name in (COLLECTION, SENTENCES):
                if name in existing:
                    self._client.delete_collection(name)
            self._handles.clear()

    def close(self) -> None:
        """Release the client (idempotent)."""
        with self._cond:
            self._close_client()

    def _close_client(self) -> None:
        client, self._client = self._client, None
        self._handles.clear()
        if client is not None and hasattr(client, "close"):
            client.close()
