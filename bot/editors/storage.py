"""How uploaded documents are stored: one Markdown file with YAML front matter per document.

Every upload (PDF, DOCX, HTML, text or Markdown) is stored as ``<knowledge>/<topic>/<slug>.md``
with the extracted text as body, so that the knowledge directory keeps one format, the editors'
answers (topic, valid_until) live in the front matter, and ``digitalteam ingest`` reads the file
exactly as the upload was ingested.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ingest.documents import DocumentMeta
from ingest.sources import Source

UNSORTED = "unsortiert"
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_GENERIC_STEMS = {"", "document", "dokument", "file", "datei", "download", "unbenannt", "upload"}
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


def slugify(text: str, limit: int = 80) -> str:
    """'Förderrichtlinie 2026 (Entwurf)' -> 'foerderrichtlinie-2026-entwurf'."""
    text = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")


def document_slug(filename: str | None, title: str) -> str:
    """File name of a stored upload: from the sent file name, or from the title if that is generic."""
    stem = slugify(Path(filename or "").stem)
    if stem in _GENERIC_STEMS or len(stem) < 3:
        stem = slugify(title) or "dokument"
    return stem


def normalise_topic(topic: str) -> str | None:
    """A topic folder name ('Förderung' -> 'foerderung'), or None if it cannot be one."""
    slug = slugify(topic, limit=40)
    return slug if _TOPIC.match(slug) and slug != UNSORTED else None


def known_topics(knowledge_dir: Path) -> list[str]:
    """Topic folders that exist under the knowledge directory (hidden and 'unsortiert' excluded)."""
    if not knowledge_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in knowledge_dir.iterdir()
        if p.is_dir() and _TOPIC.match(p.name) and p.name != UNSORTED
    )


def source_mapping(source: Source) -> dict[str, Any]:
    """One source as front matter: title, url, published, checked (the known ones)."""
    data: dict[str, Any] = {"title": source.title} if source.title else {}
    data["url"] = source.url
    if source.published:
        data["published"] = source.published.iso()
    if source.checked:
        data["checked"] = source.checked
    return data


def front_matter(meta: DocumentMeta, extra: dict[str, Any]) -> dict[str, Any]:
    """Front matter mapping: the extra keys of an uploaded Markdown file, then the known fields."""
    data: dict[str, Any] = {"title": meta.title}
    for key, value in (
        ("topic", meta.topic),
        ("tags", list(meta.tags)),
        ("audience", list(meta.audience)),
        ("sources", [source_mapping(s) for s in meta.sources]),
        ("stand", meta.stand),
        ("valid_until", meta.valid_until),
        ("summary", meta.summary),
    ):
        if value:
            data[key] = value
    known = set(data) | {"topic", "tags", "audience", "sources", "stand", "valid_until", "summary"}
    data.update((key, value) for key, value in extra.items() if key not in known)
    return data


def render_markdown(mapping: dict[str, Any], body: str) -> bytes:
    """'---' + YAML + '---' + body, as UTF-8 bytes."""
    yaml_text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{yaml_text}---\n{body.strip()}\n".encode()


def date_value(value: Any) -> date | None:
    """A date from front matter (already parsed by YAML) or None."""
    return value if isinstance(value, date) else None


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file via a temporary file and rename, so a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
