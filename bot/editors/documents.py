"""The editors' document service: add, replace, re-file and retire knowledge documents.

Uploads are checked by content (type sniffing, size, extractable text, page bound), stored as
Markdown with front matter under the knowledge directory and ingested with the same loaders,
chunking and index as ``digitalteam ingest``. Every step that can fail runs before anything is
written; if indexing fails after the file was written, the file is restored, so a rejected or
failed document leaves the knowledge directory and the index as they were.
"""

from __future__ import annotations

import copy
import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.editors.audit import AuditAction, AuditLog
from bot.editors.catalog import DocumentInfo, find_document, list_documents
from bot.editors.storage import (
    UNSORTED,
    document_slug,
    front_matter,
    known_topics,
    normalise_topic,
    render_markdown,
    write_atomic,
)
from bot.errors import InputRejected
from ingest.chunking import ChunkingConfig
from ingest.documents import Chunk, Document
from ingest.errors import DocumentRejected, IndexLocked
from ingest.frontmatter import split_front_matter
from ingest.index import KnowledgeIndex
from ingest.loaders import LoaderLimits
from ingest.manifest import load_manifest
from ingest.paths import inside, is_own_key
from ingest.sandbox import load_isolated
from ingest.sniff import sniff_suffix
from ingest.sync import index_lock, source_key

log = logging.getLogger(__name__)

FUNDING_TOPIC = "foerderung"
TYPE_NAMES = {
    ".pdf": "PDF",
    ".docx": "Word-Dokument (DOCX)",
    ".html": "HTML-Seite",
    ".md": "Markdown",
    ".txt": "Text",
}


@dataclass(frozen=True)
class UploadResult:
    """What an add, replace or metadata change did, and what the editor still has to supply."""

    document: DocumentInfo
    replaced: DocumentInfo | None
    detected: str
    missing: tuple[str, ...]
    inherited: tuple[str, ...] = ()
    action: str = "add"


@dataclass(frozen=True)
class _Prepared:
    target: Path
    content: bytes
    doc: Document
    chunks: list[Chunk]
    missing: tuple[str, ...]


class DocumentService:
    """Document operations for editors; safe to call from several threads."""

    def __init__(
        self,
        index: KnowledgeIndex,
        knowledge_dir: Path,
        limits: LoaderLimits,
        chunking: ChunkingConfig,
        audit: AuditLog,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.index = index
        self.knowledge_dir = knowledge_dir
        self._limits = limits
        self._chunking = chunking
        self._audit = audit
        self._today = today
        self._lock = threading.Lock()

    # Reading
    def documents(self, topic: str | None = None) -> list[DocumentInfo]:
        """Live documents sorted by topic and title."""
        return list_documents(self.index.manifest, topic)

    def find(self, key: str) -> DocumentInfo:
        """A document by id, source or file name stem (InputRejected if none or ambiguous)."""
        return find_document(self.index.manifest, key)

    def topics(self) -> list[str]:
        """Topic folders editors can choose from."""
        return known_topics(self.knowledge_dir)

    def front_matter_of(self, info: DocumentInfo) -> dict[str, Any]:
        """The front matter of a stored Markdown document ({} for other files or on errors)."""
        path = self.path_of(info.source)
        if path is None or path.suffix.lower() not in (".md", ".markdown") or not path.is_file():
            return {}
        try:
            return split_front_matter(path.read_text(encoding="utf-8"))[0]
        except (OSError, UnicodeDecodeError, DocumentRejected):
            return {}

    def path_of(self, source: str) -> Path | None:
        """The file of a source inside the knowledge directory, or None if it lies elsewhere."""
        if not is_own_key(source, self.knowledge_dir):
            return None
        path = self.knowledge_dir.joinpath(*Path(source).parts[1:])
        return path if inside(path, self.knowledge_dir) else None

    # Writing
    def add(
        self,
        data: bytes,
        filename: str | None,
        actor: str,
        topic: str | None = None,
        valid_until: date | None = None,
    ) -> UploadResult:
        """Check, store and ingest an uploaded file; replaces a document with the same name.

        Raises:
            InputRejected: the file or the request cannot be processed (German reason).
        """
        if len(data) > self._limits.max_bytes:
            mb = self._limits.max_bytes / (1024 * 1024)
            raise InputRejected(f"Die Datei ist größer als {mb:g} MB.")
        try:
            suffix = sniff_suffix(data)
            name = _upload_name(filename)
            loaded, _ = load_isolated(data, "upload", name.with_suffix(suffix), self._limits)
            extra = split_front_matter(loaded_text(data))[0] if suffix == ".md" else {}
        except DocumentRejected as exc:
            raise InputRejected(exc.reason) from exc
        meta = loaded.meta
        chosen = safe_topic(topic) if topic else None
        own = safe_topic(meta.topic) if meta.topic else None
        slug = document_slug(filename, meta.title)
        previous = self._previous(slug, chosen or own)
        earlier = normalise_topic(previous.topic) if previous and previous.topic else None
        inherited: list[str] = []
        new_topic = chosen or own or earlier
        if not (chosen or own) and earlier:
            inherited.append("topic")
        until = valid_until or meta.valid_until
        if until is None and previous and new_topic == previous.topic:
            until = _still_valid(previous.valid_until, self._today())
            if until is not None:
                inherited.append("valid_until")
        meta = replace(meta, topic=new_topic, valid_until=until, stand=meta.stand or self._today())
        extra.setdefault("original_file", name.name)
        extra["original_type"] = suffix.lstrip(".")
        content = render_markdown(front_matter(meta, extra), loaded.body)
        target = self.knowledge_dir / (new_topic or UNSORTED) / f"{slug}.md"
        prepared = self._prepare(target, content)
        action = AuditAction.REPLACE if previous else AuditAction.ADD
        info = self._commit(prepared, previous, actor, action, {"original_file": name.name})
        return UploadResult(
            document=info,
            replaced=previous,
            detected=TYPE_NAMES[suffix],
            missing=prepared.missing,
            inherited=tuple(inherited),
            action=action.value,
        )

    def set_topic(self, key: str, topic: str, actor: str) -> UploadResult:
        """File a stored Markdown document under another topic (moves the file, re-ingests)."""
        chosen = safe_topic(topic)
        return self._rewrite(key, actor, {"topic": chosen}, new_folder=chosen)

    def set_valid_until(self, key: str, until: date, actor: str) -> UploadResult:
        """Set ``valid_until`` of a stored Markdown document and re-ingest it."""
        return self._rewrite(key, actor, {"valid_until": until})

    def remove(self, key: str, actor: str) -> DocumentInfo:
        """Retire a document: chunks leave the index, the file moves to ``<data>/retired``."""
        with self._writing():
            info = self.find(key)
            self.index.remove_document(info.source)
            path = self.path_of(info.source)
            if path is not None and path.is_file():
                self._retire(path)
        self._audit.record(actor, AuditAction.REMOVE, info.source, {"title": info.title})
        log.info("document %s removed by an editor", info.source)
        return info

    # Internals
    def _previous(self, slug: str, topic: str | None) -> DocumentInfo | None:
        docs = self.documents()
        if topic:
            target = source_key(self.knowledge_dir / topic / f"{slug}.md", self.knowledge_dir)
            at_target = [d for d in docs if d.source == target]
            if at_target:
                return at_target[0]
        same_name = [d for d in docs if d.stem == slug]
        return same_name[0] if len(same_name) == 1 else None

    def _check_target(self, target: Path) -> None:
        """Refuse a target that would resolve outside the knowledge folder (or is a symlink)."""
        root = self.knowledge_dir
        if target.is_symlink() or not inside(target, root) or target.parent == root:
            log.warning("refused to write a document outside the knowledge folder")
            raise InputRejected(
                "Das Dokument würde außerhalb des Wissensordners gespeichert und wird daher "
                "nicht übernommen."
            )

    def _prepare(self, target: Path, content: bytes) -> _Prepared:
        self._check_target(target)
        source = source_key(target, self.knowledge_dir)
        try:
            doc, chunks = load_isolated(content, source, target, self._limits, self._chunking)
        except DocumentRejected as exc:
            raise InputRejected(exc.reason) from exc
        missing: list[str] = []
        if not doc.meta.topic:
            missing.append("topic")
        if doc.meta.topic == FUNDING_TOPIC and doc.meta.valid_until is None:
            missing.append("valid_until")
        return _Prepared(target, content, doc, chunks, tuple(missing))

    def _rewrite(
        self, key: str, actor: str, changes: dict[str, Any], new_folder: str | None = None
    ) -> UploadResult:
        info = self.find(key)
        path = self.path_of(info.source)
        if path is None or path.suffix.lower() not in (".md", ".markdown") or not path.is_file():
            raise InputRejected(
                "Angaben lassen sich nur bei Markdown-Dokumenten im Wissensordner ändern; "
                "bitte das Dokument erneut hochladen."
            )
        try:
            mapping, body = split_front_matter(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, DocumentRejected) as exc:
            raise InputRejected("Das Dokument kann nicht gelesen werden.") from exc
        mapping.update(changes)
        target = self.knowledge_dir / new_folder / path.name if new_folder else path
        prepared = self._prepare(target, render_markdown(mapping, body))
        details = {k: str(v) for k, v in changes.items()}
        updated = self._commit(prepared, info, actor, AuditAction.UPDATE_META, details)
        return UploadResult(
            updated, info, TYPE_NAMES[".md"], prepared.missing, action=AuditAction.UPDATE_META.value
        )

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer per process and per index; the manifest is re-read and copied first."""
        with self._lock:
            try:
                with index_lock(self.index.data_dir):
                    fresh = load_manifest(self.index.data_dir / "manifest.json")
                    # Copy on write: readers iterating the old manifest never see it change.
                    self.index.manifest = fresh or copy.deepcopy(self.index.manifest)
                    signature = self._chunking.signature()
                    if self.index.needs_rebuild(signature):
                        raise InputRejected(
                            "Der Index wurde mit einem anderen Embedding-Modell oder anderen "
                            "Chunk-Einstellungen gebaut. Bitte zuerst 'digitalteam ingest' ausführen."
                        )
                    self.index.manifest.chunking = signature
                    self.index.manifest.embedding_model = self.index.embedder.name
                    yield
            except IndexLocked as exc:
                raise InputRejected(
                    "Gerade läuft ein Import in den Index. Bitte in einer Minute erneut versuchen."
                ) from exc

    def _commit(
        self,
        prepared: _Prepared,
        previous: DocumentInfo | None,
        actor: str,
        action: AuditAction,
        details: dict[str, Any],
    ) -> DocumentInfo:
        doc = prepared.doc
        with self._writing():
            self._check_target(prepared.target)
            old_bytes = prepared.target.read_bytes() if prepared.target.is_file() else None
            write_atomic(prepared.target, prepared.content)
            try:
                self.index.put_document(doc, prepared.chunks)
            except BaseException:
                if old_bytes is None:
                    prepared.target.unlink(missing_ok=True)
                else:
                    write_atomic(prepared.target, old_bytes)
                raise
            if old_bytes is not None and old_bytes != prepared.content:
                self._retire_copy(prepared.target, old_bytes)
            if previous is not None and previous.source != doc.source:
                self.index.remove_document(previous.source)
                old_path = self.path_of(previous.source)
                if old_path is not None and old_path.is_file():
                    self._retire(old_path)
            info = DocumentInfo.of(doc.source, self.index.manifest.files[doc.source])
        self._audit.record(
            actor,
            action,
            doc.source,
            {
                **details,
                "title": doc.meta.title,
                "topic": doc.meta.topic or "",
                "chunks": info.chunks,
            },
        )
        log.info("document %s stored by an editor (%s, %d chunks)", doc.source, action, info.chunks)
        return info

    def _retired_path(self, path: Path) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        retired = self.index.data_dir / "retired" / f"{stamp}-{path.parent.name}-{path.name}"
        retired.parent.mkdir(parents=True, exist_ok=True)
        return retired

    def _retire(self, path: Path) -> None:
        """Move a retired file out of the knowledge directory (kept under <data>/retired)."""
        shutil.move(path, self._retired_path(path))
        if path.parent.name == UNSORTED and not any(path.parent.iterdir()):
            path.parent.rmdir()

    def _retire_copy(self, path: Path, data: bytes) -> None:
        """Keep the previous version of a replaced file under <data>/retired."""
        write_atomic(self._retired_path(path), data)


def _still_valid(iso: str, today: date) -> date | None:
    """A previous version's valid_until, unless it is missing or has passed."""
    try:
        until = date.fromisoformat(iso) if iso else None
    except ValueError:
        return None
    return until if until is not None and until >= today else None


def safe_topic(topic: str) -> str:
    """A topic as a folder name ('Förderung' -> 'foerderung').

    Raises:
        InputRejected: the topic contains path syntax or cannot be a folder name (German).
    """
    raw = topic.strip()
    if any(mark in raw for mark in ("/", "\\", "..", "\x00")) or raw.startswith("~"):
        raise InputRejected(
            "Das Thema darf keine Pfadangaben enthalten (/, \\, .. oder ~); bitte einen "
            "Themennamen wie 'foerderung' angeben."
        )
    chosen = normalise_topic(raw)
    if chosen is None:
        shown = raw if len(raw) <= 40 else raw[:39] + "…"
        raise InputRejected(f"'{shown}' ist kein gültiger Themenname.")
    return chosen


def _upload_name(filename: str | None) -> Path:
    name = Path(filename or "").name
    return Path(name) if Path(name).stem.strip(". ") else Path("dokument")


def loaded_text(data: bytes) -> str:
    """The text of an uploaded Markdown file (already validated by the loader)."""
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
