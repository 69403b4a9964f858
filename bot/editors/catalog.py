"""The editors' view of the index manifest: documents with short ids, topic, stand and freshness."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from bot.errors import InputRejected
from ingest.manifest import FileEntry, Manifest


class Freshness(StrEnum):
    """Whether a document's ``valid_until`` has passed, is near or is not set."""

    CURRENT = "current"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    UNDATED = "undated"


def doc_id(source: str) -> str:
    """Short, stable id of a document (8 hex digits of the source's hash), typed by editors."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]


def _parse(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


@dataclass(frozen=True)
class DocumentInfo:
    """One live document as editors see it."""

    id: str
    source: str
    title: str
    topic: str
    stand: str
    valid_until: str
    chunks: int
    kind: str
    ingested_at: str
    checked: str = ""  # when the least recently checked source was read ("" if one never was)
    published: str = ""  # newest date a source gives for itself

    @classmethod
    def of(cls, source: str, entry: FileEntry) -> DocumentInfo:
        return cls(
            id=doc_id(source),
            source=source,
            title=entry.title,
            topic=entry.topic,
            stand=entry.stand,
            valid_until=entry.valid_until,
            chunks=len(entry.chunk_ids),
            kind=entry.kind,
            ingested_at=entry.ingested_at,
            checked=entry.checked,
            published=entry.published,
        )

    @property
    def stem(self) -> str:
        return Path(self.source).stem

    def freshness(self, today: date, warn_days: int) -> Freshness:
        """Expired once ``valid_until`` lies before today; expiring within ``warn_days``."""
        until = _parse(self.valid_until)
        if until is None:
            return Freshness.UNDATED
        if until < today:
            return Freshness.EXPIRED
        if until <= today + timedelta(days=warn_days):
            return Freshness.EXPIRING
        return Freshness.CURRENT

    def review_due(self, today: date, review_days: int) -> bool:
        """A source was never checked, or not within ``review_days``."""
        checked = _parse(self.checked)
        return checked is None or checked < today - timedelta(days=review_days)

    def to_json(self, today: date | None = None, warn_days: int = 30) -> dict[str, object]:
        data: dict[str, object] = asdict(self)
        if today is not None:
            data["freshness"] = self.freshness(today, warn_days).value
        return data


def list_documents(manifest: Manifest, topic: str | None = None) -> list[DocumentInfo]:
    """Live documents sorted by topic and title, optionally of one topic."""
    docs = [DocumentInfo.of(source, entry) for source, entry in manifest.files.items()]
    if topic:
        docs = [d for d in docs if d.topic == topic]
    return sorted(docs, key=lambda d: (d.topic or "~", d.title.lower(), d.source))


def find_document(manifest: Manifest, key: str) -> DocumentInfo:
    """A document by id, source path or unique file name stem.

    Raises:
        InputRejected: no document or more than one matches (German message).
    """
    key = key.strip()
    if not key:
        raise InputRejected("Bitte die Kennung des Dokuments angeben (siehe /dokumente).")
    docs = list_documents(manifest)
    for match in (
        [d for d in docs if d.id == key.lower()],
        [d for d in docs if d.source == key],
        [d for d in docs if d.stem == key or d.stem == Path(key).stem],
    ):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            listing = ", ".join(f"{d.id} ({d.source})" for d in match)
            raise InputRejected(f"'{key}' ist nicht eindeutig: {listing}.")
    raise InputRejected(f"Kein Dokument mit der Kennung '{key}' gefunden.")


def expiring_documents(
    manifest: Manifest, today: date, days: int
) -> tuple[list[DocumentInfo], list[DocumentInfo]]:
    """(expired, expiring within ``days``), each sorted by ``valid_until``."""
    expired: list[DocumentInfo] = []
    soon: list[DocumentInfo] = []
    for doc in list_documents(manifest):
        match doc.freshness(today, days):
            case Freshness.EXPIRED:
                expired.append(doc)
            case Freshness.EXPIRING:
                soon.append(doc)
            case _:
                pass
    return (
        sorted(expired, key=lambda d: d.valid_until),
        sorted(soon, key=lambda d: d.valid_until),
    )


def review_due_documents(manifest: Manifest, today: date, review_days: int) -> list[DocumentInfo]:
    """Documents whose sources were last checked more than ``review_days`` ago (or never)."""
    due = [d for d in list_documents(manifest) if d.review_due(today, review_days)]
    return sorted(due, key=lambda d: (d.checked, d.source))
