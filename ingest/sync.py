"""Incremental, re-runnable sync of files into the index, keyed by source and content hash.

Only files inside the knowledge folder are read (see :mod:`ingest.paths`): a symlinked file or
directory that points elsewhere, or a path outside, is refused with a German reason, and whatever
an earlier version indexed from such a source leaves the index. Each file is loaded and chunked
in a worker process bounded in time and memory (:mod:`ingest.sandbox`); a file that fails never
stops the others.
"""

from __future__ import annotations

import fcntl
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import ChunkingConfig
from ingest.errors import DocumentRejected, IndexLocked
from ingest.index import KnowledgeIndex
from ingest.loaders import LoaderLimits, checksum, supported
from ingest.paths import (
    OUTSIDE_LINK,
    FileTooLarge,
    OutsideKnowledge,
    Refused,
    is_own_key,
    read_inside,
    refusal,
    source_key,
    walk,
)
from ingest.sandbox import load_isolated

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """A file that could not be ingested and why (German)."""

    path: str
    reason: str


@dataclass
class SyncReport:
    """What one sync did; the JSON form has exactly these keys."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def readable(self) -> int:
        """Files that are live in the index after this sync."""
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def to_json(self) -> dict[str, object]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
        }


@contextmanager
def index_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the index while writing it (one writer at a time)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexLocked("another ingest is running on this index") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discover(paths: list[Path], knowledge_dir: Path) -> tuple[list[Path], list[Refused]]:
    """Files to ingest under the given paths, and paths that are refused or do not exist."""
    files: list[Path] = []
    refused: list[Refused] = []
    for path in paths:
        reason = refusal(path, knowledge_dir)
        if reason is not None:
            refused.append(Refused(source_key(path, knowledge_dir), reason))
        elif path.is_dir():
            found, outside = walk(path, knowledge_dir)
            files.extend(found)
            refused.extend(outside)
        elif path.is_file():
            files.append(path)
        else:
            refused.append(Refused(source_key(path, knowledge_dir), "Pfad nicht gefunden."))
    return files, refused


def _in_scope(source: str, scopes: list[str]) -> bool:
    return any(source == s or source.startswith(s.rstrip("/") + "/") for s in scopes)


def _progress(total: int, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, unit="Datei", disable=not enabled, file=sys.stderr, leave=False)


def sync(
    index: KnowledgeIndex,
    paths: list[Path],
    knowledge_dir: Path,
    limits: LoaderLimits,
    chunking: ChunkingConfig,
    show_progress: bool = False,
) -> SyncReport:
    """Bring the index in line with the files under ``paths``.

    Unchanged files (same hash, same model) are skipped without parsing; changed files replace
    their chunks; files that vanished from a scanned directory lose theirs. A file that fails keeps
    whatever version of it was live before.
    """
    report = SyncReport()
    with index_lock(index.data_dir):
        signature = chunking.signature()
        if index.needs_rebuild(signature):
            index.reset(signature)
        index.manifest.chunking = signature
        index.manifest.embedding_model = index.embedder.name
        orphans = index.remove_orphans()
        if orphans:
            log.info("removed %d orphaned chunks of an interrupted ingest", orphans)
        index.mark_missing()  # documents whose vectors Chroma lost are re-embedded below
        for source in sorted(index.manifest.files):
            if not is_own_key(source, knowledge_dir):  # keyed by an outside path before
                _drop(index, source, report)
        files, refused = discover(paths, knowledge_dir)
        for item in refused:
            report.failed.append(Failure(item.key, item.reason))
            _drop(index, item.key, report)
        scopes = [
            source_key(p, knowledge_dir)
            for p in paths
            if p.is_dir() and refusal(p, knowledge_dir) is None
        ]
        seen: set[str] = set()
        with _progress(len(files), show_progress) as bar:
            for path in files:
                bar.set_postfix_str(path.name[:30])
                _sync_file(index, path, knowledge_dir, limits, chunking, report, seen)
                bar.update(1)
        for source in sorted(index.manifest.files):
            if source not in seen and _in_scope(source, scopes):
                index.remove_document(source)
                report.removed.append(source)
    return report


def _drop(index: KnowledgeIndex, key: str, report: SyncReport) -> None:
    """Remove a source (and, for a directory key, everything under it) from the index."""
    for source in sorted(index.manifest.files):
        if _in_scope(source, [key]):
            index.remove_document(source)
            report.removed.append(source)
            log.warning("removed a source that lies outside the knowledge folder")


def _read(path: Path, knowledge_dir: Path, limits: LoaderLimits) -> bytes:
    """The file's bytes, refusing files outside the knowledge folder or over the size limit."""
    try:
        data = read_inside(path, knowledge_dir, limits.max_bytes)
    except OutsideKnowledge as exc:
        raise _Outside from exc
    except FileTooLarge as exc:
        mb = limits.max_bytes / (1024 * 1024)
        raise DocumentRejected(f"Die Datei ist größer als {mb:g} MB.") from exc
    except OSError as exc:
        raise DocumentRejected(f"Die Datei kann nicht gelesen werden ({exc.strerror}).") from exc
    if not data.strip():
        raise DocumentRejected("Die Datei ist leer.")
    return data


class _Outside(Exception):
    """The file turned out to resolve outside the knowledge folder when it was opened."""


def _sync_file(
    index: KnowledgeIndex,
    path: Path,
    knowledge_dir: Path,
    limits: LoaderLimits,
    chunking: ChunkingConfig,
    report: SyncReport,
    seen: set[str],
) -> None:
    source = source_key(path, knowledge_dir)
    if not supported(path):
        seen.add(source)
        report.failed.append(
            Failure(
                source, f"Dateityp '{path.suffix[:20] or 'ohne Endung'}' wird nicht unterstützt."
            )
        )
        return
    try:
        data = _read(path, knowledge_dir, limits)
    except _Outside:
        report.failed.append(Failure(source, OUTSIDE_LINK))
        _drop(index, source, report)
        return
    except DocumentRejected as exc:
        seen.add(source)  # a file that cannot be read keeps its previous version
        report.failed.append(Failure(source, exc.reason))
        return
    seen.add(source)
    entry = index.manifest.files.get(source)
    if entry is not None and entry.checksum == checksum(data):
        report.unchanged.append(source)
        return
    try:
        doc, chunks = load_isolated(data, source, path, limits, chunking)
    except DocumentRejected as exc:
        log.warning("cannot ingest %s: %s", source, exc.reason)
        report.failed.append(Failure(source, exc.reason))
        return
    index.put_document(doc, chunks)
    for warning in doc.meta.warnings:
        log.warning("%s: %s", source, warning)
    (report.updated if entry is not None else report.added).append(source)
