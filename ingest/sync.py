"""Incremental, re-runnable sync of files into the index, keyed by source and content hash."""

from __future__ import annotations

import fcntl
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import ChunkingConfig, chunk_document
from ingest.errors import DocumentRejected, IndexLocked
from ingest.index import KnowledgeIndex
from ingest.loaders import LoaderLimits, checksum, load_bytes, read_bounded, supported

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


def source_key(path: Path, knowledge_dir: Path) -> str:
    """Stable key of a file: '<knowledge dir name>/<relative path>' inside the knowledge dir."""
    resolved = path.resolve()
    root = knowledge_dir.resolve()
    if resolved.is_relative_to(root):
        return (Path(root.name) / resolved.relative_to(root)).as_posix()
    return resolved.as_posix()


def discover(paths: list[Path]) -> tuple[list[Path], list[Failure]]:
    """Files to ingest under the given paths (hidden files skipped) and paths that do not exist."""
    files: list[Path] = []
    missing: list[Failure] = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                rel = candidate.relative_to(path)
                if candidate.is_file() and not any(p.startswith(".") for p in rel.parts):
                    files.append(candidate)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Failure(str(path), "Pfad nicht gefunden."))
    return files, missing


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
        files, missing = discover(paths)
        report.failed.extend(missing)
        scopes = [source_key(p, knowledge_dir) for p in paths if p.is_dir()]
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
    seen.add(source)
    if not supported(path):
        report.failed.append(
            Failure(source, f"Dateityp '{path.suffix or path.name}' wird nicht unterstützt.")
        )
        return
    try:
        data = read_bounded(path, limits)
        entry = index.manifest.files.get(source)
        if entry is not None and entry.checksum == checksum(data):
            report.unchanged.append(source)
            return
        doc = load_bytes(data, source, path, limits)
        chunks = chunk_document(doc, chunking)
        if not chunks:
            raise DocumentRejected("Die Datei enthält keinen verwertbaren Text.")
        index.put_document(doc, chunks)
        for warning in doc.meta.warnings:
            log.warning("%s: %s", source, warning)
    except DocumentRejected as exc:
        log.warning("cannot ingest %s: %s", source, exc.reason)
        report.failed.append(Failure(source, exc.reason))
        return
    (report.updated if entry is not None else report.added).append(source)
