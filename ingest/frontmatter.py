"""YAML front matter of Markdown documents: split, parse and validate into DocumentMeta."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from ingest.documents import DocumentMeta
from ingest.errors import DocumentRejected
from ingest.sources import parse_sources

_FENCE = "---"


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, body) of a Markdown text; no front matter gives ({}, text)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != _FENCE:
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in (_FENCE, "..."):
            break
    else:
        raise DocumentRejected("Der Front-Matter-Block wird nicht mit '---' geschlossen.")
    raw = "\n".join(lines[1:end])
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        raise DocumentRejected(f"Der Front-Matter-Block ist kein gültiges YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DocumentRejected("Der Front-Matter-Block muss Schlüssel-Wert-Paare enthalten.")
    return data, "\n".join(lines[end + 1 :])


def parse_date(value: Any, key: str) -> date | None:
    """Parse an ISO date (YYYY-MM-DD) from YAML; raise DocumentRejected on anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise DocumentRejected(f"'{key}' ist kein Datum im Format JJJJ-MM-TT: {value!r}")


def _string_list(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise DocumentRejected(f"'{key}' muss eine Liste von Texten sein.")


def meta_from_mapping(
    data: dict[str, Any], fallback_title: str, today: date | None = None
) -> DocumentMeta:
    """Build DocumentMeta from a front matter mapping (unknown keys are ignored)."""
    title = data.get("title")
    if title is not None and not isinstance(title, (str, int, float)):
        raise DocumentRejected("'title' muss ein Text sein.")
    topic = data.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise DocumentRejected("'topic' muss ein Text sein.")
    summary = data.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise DocumentRejected("'summary' muss ein Text sein.")
    sources, warnings = parse_sources(data.get("sources"), today or date.today())
    return DocumentMeta(
        title=str(title).strip() if title else fallback_title,
        topic=topic.strip().lower() if topic else None,
        tags=_string_list(data.get("tags"), "tags"),
        aliases=_string_list(data.get("aliases"), "aliases"),
        audience=_string_list(data.get("audience"), "audience"),
        sources=sources,
        stand=parse_date(data.get("stand"), "stand"),
        valid_until=parse_date(data.get("valid_until"), "valid_until"),
        summary=summary.strip() if summary else None,
        warnings=warnings,
    )
