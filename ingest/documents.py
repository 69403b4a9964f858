"""Plain data types that flow through the pipeline: documents, their metadata and chunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ingest.sources import Source


@dataclass(frozen=True)
class DocumentMeta:
    """Front matter of a knowledge document (all optional except the title)."""

    title: str
    topic: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    stand: date | None = None
    valid_until: date | None = None
    summary: str | None = None
    warnings: tuple[str, ...] = ()  # schema problems worth an operator's attention


@dataclass(frozen=True)
class Document:
    """A loaded document: Markdown-like body text plus metadata."""

    source: str
    path: Path
    body: str
    meta: DocumentMeta
    checksum: str
    kind: str


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of a document."""

    id: str
    text: str
    embed_text: str
    heading: str
    position: int
    metadata: dict[str, Any] = field(default_factory=dict)
