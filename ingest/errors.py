"""Exceptions raised by the document pipeline.

``IngestError``            base class
├── ``DocumentRejected``   a single document cannot be read; ``reason`` is German text for editors
└── ``IndexLocked``        another ingest holds the index lock
``EmbeddingConfigError``   the configured embedding model spec cannot be used
"""


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


class EmbeddingConfigError(IngestError):
    """The embedding model spec is unknown or the model cannot be loaded."""
