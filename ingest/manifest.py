"""The manifest: which file version (content hash) is live in the index, with which chunk ids.

Written atomically (temp file + rename), so a killed ingest leaves either the old or the new state.
Readers serve only chunks listed here; chunks of a half-written version are invisible orphans.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.errors import ManifestCorrupt

MANIFEST_VERSION = 1


@dataclass
class FileEntry:
    """One live document version."""

    checksum: str
    chunk_ids: list[str]
    title: str
    topic: str
    stand: str
    valid_until: str
    kind: str
    checked: str = ""  # when the least recently checked source was read ("" if one never was)
    published: str = ""  # the newest date a source gives for itself (YYYY[-MM[-DD]])
    ingested_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


@dataclass
class Manifest:
    """All live documents of the index, keyed by source, and the embedding model that built it."""

    embedding_model: str
    files: dict[str, FileEntry] = field(default_factory=dict)
    generation: int = 0
    chunking: str = ""

    def live_chunk_ids(self) -> set[str]:
        """Every chunk id that belongs to a live document version."""
        return {cid for entry in self.files.values() for cid in entry.chunk_ids}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_VERSION,
            "embedding_model": self.embedding_model,
            "generation": self.generation,
            "chunking": self.chunking,
            "files": {src: asdict(entry) for src, entry in sorted(self.files.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        files = {src: FileEntry(**entry) for src, entry in data.get("files", {}).items()}
        return cls(
            embedding_model=str(data["embedding_model"]),
            files=files,
            generation=int(data.get("generation", 0)),
            chunking=str(data.get("chunking", "")),
        )


def load_manifest(path: Path) -> Manifest | None:
    """Read the manifest, or None when there is none yet.

    Raises:
        ManifestCorrupt: the file is there but is no readable manifest (truncated, edited by hand,
            not UTF-8, wrong shape).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise ManifestCorrupt(path, f"not UTF-8 ({exc.reason})") from exc
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise TypeError("top level is not an object")
        return Manifest.from_json(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ManifestCorrupt(path, f"{type(exc).__name__}: {exc}"[:200]) from exc


def set_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename a corrupt manifest to ``manifest.json.corrupt-<UTC timestamp>``; return the new path."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.replace(path, target)
    return target


def save_manifest(manifest: Manifest, path: Path) -> None:
    """Write the manifest atomically and durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(manifest.to_json(), handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
