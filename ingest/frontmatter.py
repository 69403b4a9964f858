"""YAML front matter of Markdown documents: split, parse and validate into DocumentMeta.

Front matter is parsed with :class:`StrictLoader`: PyYAML's safe loader that refuses anchors and
aliases (a few hundred bytes of nested aliases expand to gigabytes, the "billion laughs"), and
only a bounded amount of it. Rejection reasons never quote the document's values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from ingest.documents import DocumentMeta
from ingest.errors import DocumentRejected
from ingest.sources import parse_sources

_FENCE = "---"
MAX_FRONT_MATTER_CHARS = 64 * 1024


class _AliasFound(yaml.YAMLError):
    """The YAML uses an anchor or an alias (``line`` counts from 0)."""

    def __init__(self, line: int) -> None:
        super().__init__("anchor or alias")
        self.line = line


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that raises on every anchor (``&a``) and alias (``*a``) before composing it."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasFound(event.start_mark.line)
        return super().compose_node(parent, index)


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Parse YAML with :class:`StrictLoader`; reasons count lines from ``first_line``.

    Raises:
        DocumentRejected: invalid YAML, anchors or aliases, or nesting too deep (German reason,
            never quoting the text).
    """
    try:
        return yaml.load(text, Loader=StrictLoader)  # a SafeLoader subclass
    except _AliasFound as exc:
        raise DocumentRejected(
            f"Der Front-Matter-Block verwendet YAML-Anker oder -Verweise (& oder *, Zeile "
            f"{exc.line + first_line}); diese sind nicht erlaubt."
        ) from None
    except yaml.MarkedYAMLError as exc:
        line = f" (Zeile {exc.problem_mark.line + first_line})" if exc.problem_mark else ""
        raise DocumentRejected(f"Der Front-Matter-Block ist kein gültiges YAML{line}.") from None
    except yaml.YAMLError:
        raise DocumentRejected("Der Front-Matter-Block ist kein gültiges YAML.") from None
    except RecursionError:
        raise DocumentRejected("Der Front-Matter-Block ist zu tief verschachtelt.") from None


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
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise DocumentRejected(
            f"Der Front-Matter-Block ist länger als {MAX_FRONT_MATTER_CHARS // 1024} KB."
        )
    data = load_yaml(raw, first_line=2) if raw.strip() else {}
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
    raise DocumentRejected(f"'{key}' ist kein Datum im Format JJJJ-MM-TT.")


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
