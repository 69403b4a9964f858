"""Heading-aware chunking: split at Markdown headings, then by size, keeping title and heading path."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.documents import Chunk, Document
from ingest.sources import sources_to_metadata

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
# Bump when chunk boundaries, chunk metadata or sentence splitting change, so that sync rebuilds
# the index (6: aliases in the metadata, sentence and document vectors, paragraph-aware sentences).
CHUNKER_VERSION = 7


@dataclass(frozen=True)
class ChunkingConfig:
    """Size of chunks in characters and the overlap between neighbours of one long section."""

    chunk_size: int = 1000
    chunk_overlap: int = 120

    def signature(self) -> str:
        """Identifies how chunks were cut; a different signature means re-chunking everything."""
        return f"v{CHUNKER_VERSION}/{self.chunk_size}/{self.chunk_overlap}"


def _heading_path(metadata: dict[str, str]) -> str:
    # The level-1 heading is the document's title, which every chunk carries anyway.
    return " > ".join(metadata[key] for _, key in _HEADERS[1:] if metadata.get(key))


def _clean(text: str) -> str:
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def document_metadata(doc: Document) -> dict[str, str | int | float | bool]:
    """Flat, Chroma-compatible metadata shared by all chunks of a document."""
    meta = doc.meta
    return {
        "source": doc.source,
        "checksum": doc.checksum,
        "title": meta.title,
        "topic": meta.topic or "",
        "tags": ",".join(meta.tags),
        "aliases": "\n".join(meta.aliases),
        "audience": ",".join(meta.audience),
        "sources": sources_to_metadata(meta.sources),
        "stand": meta.stand.isoformat() if meta.stand else "",
        "valid_until": meta.valid_until.isoformat() if meta.valid_until else "",
        "summary": meta.summary or "",
        "kind": doc.kind,
    }


def chunk_id(source: str, checksum: str, position: int) -> str:
    """Chunk ids carry the content hash, so a new version never overwrites the old one in place."""
    key = hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]
    return f"{key}-{checksum[:16]}-{position:04d}"


def chunk_document(doc: Document, config: ChunkingConfig) -> list[Chunk]:
    """Split a document into chunks that each know their title, heading path and position."""
    sections = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(doc.body)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=config.chunk_size,
        chunk_overlap=config.chunk_overlap,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
    )
    base = document_metadata(doc)
    chunks: list[Chunk] = []
    for section in sections:
        heading = _heading_path(section.metadata)
        for piece in splitter.split_text(section.page_content):
            text = _clean(piece)
            if not text:
                continue
            position = len(chunks)
            label = f"{doc.meta.title} – {heading}" if heading else doc.meta.title
            metadata = {**base, "heading": heading, "position": position}
            chunks.append(
                Chunk(
                    id=chunk_id(doc.source, doc.checksum, position),
                    text=text,
                    embed_text=f"{label}\n{text}",
                    heading=heading,
                    position=position,
                    metadata=metadata,
                )
            )
    return chunks
