"""Exceptions raised by the document pipeline.

``IngestError``            base class
├── ``DocumentRejected``   a single document cannot be read; ``reason`` is German text for editors
└── ``IndexLocked``        another ingest holds the index lock
``EmbeddingConfigError``   the configured embedding model spec cannot be used
"""


class IngestError(Exception):
    """Base class of all pipeline errors."""


class DocumentRejected(IngestError):
    """A document cannot be ingested; ``reason`` says why in German."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IndexLocked(IngestError):
    """Another process is writing the index right now."""


class EmbeddingConfigError(IngestError):
    """The embedding model spec is unknown or the model cannot be loaded."""
