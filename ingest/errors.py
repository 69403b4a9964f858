"""Exceptions raised by the document pipeline.

``IngestError``            base class
├── ``DocumentRejected``   a single document cannot be read; ``reason`` is German text for editors
├── ``IndexLocked``        another ingest holds the index lock
├── ``ManifestCorrupt``    ``manifest.json`` cannot be parsed (``path``; the ingest sets it aside)
├── ``IndexUnavailable``   Chroma cannot be opened or reached (``detail`` says why, in English)
└── ``IndexIncomplete``    chunks the manifest lists are missing in Chroma (``missing``, ``total``)
``EmbeddingConfigError``   the configured embedding model spec cannot be used
"""

from pathlib import Path


class IngestError(Exception):
    """Base class of all pipeline errors."""


MAX_REASON_CHARS = 300


class DocumentRejected(IngestError):
    """A document cannot be ingested; ``reason`` says why in German (at most 300 characters)."""

    def __init__(self, reason: str) -> None:
        if len(reason) > MAX_REASON_CHARS:
            reason = reason[: MAX_REASON_CHARS - 1] + "…"
        super().__init__(reason)
        self.reason = reason


class IndexLocked(IngestError):
    """Another process is writing the index right now."""


class ManifestCorrupt(IngestError):
    """The manifest exists but cannot be read as a manifest."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


class IndexUnavailable(IngestError):
    """The vector store cannot be opened (embedded) or reached (server)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class IndexIncomplete(IngestError):
    """Chunks listed in the manifest are missing from the vector store."""

    def __init__(self, missing: int, total: int, sources: list[str]) -> None:
        super().__init__(f"{missing} of {total} chunks missing ({len(sources)} documents)")
        self.missing = missing
        self.total = total
        self.sources = sources


class EmbeddingConfigError(IngestError):
    """The embedding model spec is unknown or the model cannot be loaded."""
