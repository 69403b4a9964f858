"""The programme catalog: every ``programme:`` block under ``knowledge/foerderung/``.

The front matter is read with ingest's public ``split_front_matter`` and the document's sources
with ``parse_sources``; ingest itself ignores the block (unknown keys never reach chunk text). A
document may describe one programme (a mapping) or several (a list of mappings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.errors import AssistantError
from bot.funding.model import Programme, SourceRef
from ingest.errors import DocumentRejected
from ingest.frontmatter import split_front_matter
from ingest.sources import Source, parse_sources

FUNDING_TOPIC = "foerderung"


class FundingDataError(AssistantError):
    """A ``programme:`` block is invalid; the message names the document and the field (German)."""


@dataclass(frozen=True)
class Entry:
    """One programme with the document it comes from and that document's sources."""

    programme: Programme
    document: str  # "knowledge/foerderung/x.md": the source name the index gives it
    title: str
    sources: tuple[Source, ...]

    def resolve(self, ref: SourceRef) -> list[Source]:
        """The sources a ``source:`` reference points to (1-based positions or URLs)."""
        refs = ref if isinstance(ref, list) else [ref]
        found: list[Source] = []
        for item in refs:
            if isinstance(item, int):
                if not 1 <= item <= len(self.sources):
                    raise FundingDataError(
                        f"{self.document}: Quelle {item} gibt es nicht "
                        f"(das Dokument hat {len(self.sources)} Quellen)."
                    )
                found.append(self.sources[item - 1])
            else:
                match = [s for s in self.sources if s.url == item]
                if not match:
                    raise FundingDataError(
                        f"{self.document}: Quelle {item} steht nicht unter 'sources'."
                    )
                found.extend(match)
        return found


@dataclass(frozen=True)
class Catalog:
    """All programmes, in document order."""

    entries: tuple[Entry, ...]

    def get(self, programme_id: str) -> Entry | None:
        return next((e for e in self.entries if e.programme.id == programme_id), None)

    def __len__(self) -> int:
        return len(self.entries)


def _blocks(value: Any, document: str) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    raise FundingDataError(f"{document}: 'programme' muss eine Zuordnung oder eine Liste sein.")


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:5]
    )


def load_document(path: Path, document: str) -> list[Entry]:
    """The programmes of one Markdown document (none without a ``programme:`` block)."""
    try:
        front, _ = split_front_matter(path.read_text(encoding="utf-8"))
        if "programme" not in front:
            return []
        sources, _warnings = parse_sources(front.get("sources"), date.max)
    except (OSError, UnicodeDecodeError, DocumentRejected) as exc:
        raise FundingDataError(f"{document}: {exc}") from exc
    title = str(front.get("title") or path.stem)
    entries = []
    for block in _blocks(front["programme"], document):
        try:
            programme = Programme.model_validate(block)
        except ValidationError as exc:
            raise FundingDataError(
                f"{document}: ungültiger programme-Block: {_describe(exc)}"
            ) from exc
        entry = Entry(programme, document, title, sources)
        for ref in programme.source_refs():
            entry.resolve(ref)
        entries.append(entry)
    return entries


def load_catalog(knowledge_dir: Path) -> Catalog:
    """Every programme under ``knowledge_dir/foerderung``; ids must be unique.

    Raises:
        FundingDataError: a block is invalid or an id repeats (German message naming the file).
    """
    entries: list[Entry] = []
    folder = knowledge_dir / FUNDING_TOPIC
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
        document = (Path(knowledge_dir.name) / path.relative_to(knowledge_dir)).as_posix()
        entries.extend(load_document(path, document))
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.programme.id in seen:
            raise FundingDataError(
                f"Programm-ID '{entry.programme.id}' doppelt "
                f"({seen[entry.programme.id]}, {entry.document})."
            )
        seen[entry.programme.id] = entry.document
    return Catalog(tuple(entries))
