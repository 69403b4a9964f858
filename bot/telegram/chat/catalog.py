"""Read model for /themen: topics and documents from the index manifest (no telegram import).

The manifest generation is part of every /themen button, so a button from before an ingest run
is recognised as stale instead of pointing at a different document.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.retrieval import Retriever
from ingest.manifest import Manifest
from ingest.sources import sources_from_metadata

TOPIC_LABELS = {
    "beratung": "Beratung und Beratungsstellen",
    "foerderung": "Förderung",
    "kommunikation": "Kommunikation",
    "organisation": "Organisation",
    "recht": "Recht",
    "technik": "Technik",
    "vermittlung": "Digitale Vermittlung",
}


@dataclass(frozen=True)
class DocumentInfo:
    """One live document as listed in /themen."""

    source: str
    title: str
    stand: str
    valid_until: str


@dataclass(frozen=True)
class Topic:
    """A topic with its documents, sorted by title."""

    slug: str
    label: str
    documents: tuple[DocumentInfo, ...]


@dataclass(frozen=True)
class Catalog:
    """All topics of one manifest generation, sorted by label."""

    generation: int
    topics: tuple[Topic, ...]


@dataclass(frozen=True)
class DocumentDetails:
    """What /themen shows about one document."""

    info: DocumentInfo
    topic: str
    summary: str
    url: str | None
    headings: tuple[str, ...]


def topic_label(slug: str) -> str:
    """German label of a topic slug."""
    return TOPIC_LABELS.get(slug, slug.replace("-", " ").capitalize() if slug else "Allgemein")


def build_catalog(manifest: Manifest) -> Catalog:
    """Topics and documents of the live index (its manifest)."""
    grouped: dict[str, list[DocumentInfo]] = {}
    for source, entry in manifest.files.items():
        grouped.setdefault(entry.topic or "", []).append(
            DocumentInfo(source, entry.title or source, entry.stand, entry.valid_until)
        )
    topics = [
        Topic(slug, topic_label(slug), tuple(sorted(docs, key=lambda d: d.title.casefold())))
        for slug, docs in grouped.items()
    ]
    topics.sort(key=lambda t: t.label.casefold())
    return Catalog(manifest.generation, tuple(topics))


def document_details(retriever: Retriever, topic: Topic, doc: DocumentInfo) -> DocumentDetails:
    """Summary, first source URL and section headings of a document (reads the chunks)."""
    chunks = [
        c for c in retriever.corpus().chunks.values() if c.metadata.get("source") == doc.source
    ]
    chunks.sort(key=lambda c: int(c.metadata.get("position", 0) or 0))
    meta = chunks[0].metadata if chunks else {}
    urls = [s.url for s in sources_from_metadata(str(meta.get("sources", "") or ""))]
    headings: list[str] = []
    for chunk in chunks:
        heading = str(chunk.metadata.get("heading", "") or "").split(" > ")[-1].strip()
        if heading and heading != doc.title and heading not in headings:
            headings.append(heading)
    return DocumentDetails(
        info=doc,
        topic=topic.label,
        summary=str(meta.get("summary", "") or ""),
        url=urls[0] if urls else None,
        headings=tuple(headings),
    )
