"""Where sources live: keys relative to the knowledge folder, and what may be read at all.

A source is keyed ``<knowledge folder name>/<path inside it>``, never by an absolute or resolved
path, so that answers cite nothing of the machine's layout. Whatever resolves outside the
knowledge folder (a symlinked file or directory pointing elsewhere, a path given on the command
line) is refused with a German reason and never read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

OUTSIDE_LINK = (
    "Die Datei ist eine Verknüpfung (Symlink) auf ein Ziel außerhalb des Wissensordners und "
    "wird aus Sicherheitsgründen nicht eingelesen."
)
OUTSIDE_LINKED_DIR = (
    "Der Ordner ist eine Verknüpfung (Symlink) auf ein Ziel außerhalb des Wissensordners und "
    "wird aus Sicherheitsgründen nicht eingelesen."
)
OUTSIDE_PATH = "Der Pfad liegt außerhalb des Wissensordners und wird nicht eingelesen."


@dataclass(frozen=True)
class Refused:
    """A path that is not read, keyed like a source where possible, and why (German)."""

    key: str
    reason: str


def root_name(knowledge_dir: Path) -> str:
    """The first part of every source key: the knowledge folder's (resolved) name."""
    return knowledge_dir.resolve().name


def inside(path: Path, knowledge_dir: Path) -> bool:
    """True if ``path`` with every symlink resolved lies inside the (resolved) knowledge folder."""
    try:
        return path.resolve().is_relative_to(knowledge_dir.resolve())
    except (OSError, RuntimeError):  # symlink loops
        return False


def _relative(path: Path, knowledge_dir: Path) -> PurePosixPath | None:
    """``path`` relative to the knowledge folder, lexically first, then with symlinks resolved."""
    lexical = Path(os.path.abspath(path))
    root = Path(os.path.abspath(knowledge_dir))
    if lexical.is_relative_to(root):
        return PurePosixPath(lexical.relative_to(root).as_posix())
    try:
        resolved, real_root = path.resolve(), knowledge_dir.resolve()
    except (OSError, RuntimeError):
        return None
    if resolved.is_relative_to(real_root):
        return PurePosixPath(resolved.relative_to(real_root).as_posix())
    return None


def source_key(path: Path, knowledge_dir: Path) -> str:
    """Stable key of a file: '<knowledge folder name>/<path inside it>'.

    The key follows the path as given (a link is keyed by the link's own name, not by its
    target). A path outside the knowledge folder gets the key '<outside>/<file name>', which no
    file inside can have; such paths are refused before anything reads them.
    """
    relative = _relative(path, knowledge_dir)
    if relative is None:
        return f"<outside>/{path.name}"
    return (PurePosixPath(root_name(knowledge_dir)) / relative).as_posix()


def is_own_key(source: str, knowledge_dir: Path) -> bool:
    """True if ``source`` is a well-formed key of a file inside this knowledge folder."""
    parts = PurePosixPath(source).parts
    return (
        len(parts) > 1
        and not source.startswith("/")
        and parts[0] == root_name(knowledge_dir)
        and not any(part in ("..", ".", "") for part in parts)
    )


def refusal(path: Path, knowledge_dir: Path) -> str | None:
    """Why a path given to ingest must not be read (German), or None if it may be."""
    if inside(path, knowledge_dir):
        return None
    if path.is_symlink() or _relative(path, knowledge_dir) is not None:
        return OUTSIDE_LINKED_DIR if path.is_dir() else OUTSIDE_LINK
    return OUTSIDE_PATH


def walk(directory: Path, knowledge_dir: Path) -> tuple[list[Path], list[Refused]]:
    """Files under ``directory`` (hidden entries skipped, symlinked directories not followed)
    and the symlinks that point outside the knowledge folder."""
    files: list[Path] = []
    refused: list[Refused] = []
    for current, dirs, names in os.walk(directory, followlinks=False):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in list(dirs):
            linked = base / name
            if linked.is_symlink():
                # Not followed: its files inside the folder are read under their own path.
                if not inside(linked, knowledge_dir):
                    refused.append(Refused(source_key(linked, knowledge_dir), OUTSIDE_LINKED_DIR))
                dirs.remove(name)
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = base / name
            if path.is_symlink() and not inside(path, knowledge_dir):
                refused.append(Refused(source_key(path, knowledge_dir), OUTSIDE_LINK))
            elif path.is_file():
                files.append(path)
    return files, refused


def read_inside(path: Path, knowledge_dir: Path, max_bytes: int) -> bytes:
    """The bytes of a file that resolves inside the knowledge folder, read without following a
    symlink swapped in after the check.

    Raises:
        OutsideKnowledge: the file resolves outside the knowledge folder.
        FileTooLarge: the file is larger than ``max_bytes``.
        OSError: the file cannot be read.
    """
    real = path.resolve(strict=True)
    if not real.is_relative_to(knowledge_dir.resolve()):
        raise OutsideKnowledge(OUTSIDE_LINK)
    fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:
            raise FileTooLarge(max_bytes)
        return handle.read(max_bytes + 1)


class FileTooLarge(OSError):
    """The file is larger than the configured limit."""


class OutsideKnowledge(OSError):
    """The file resolves outside the knowledge folder (a symlink swapped in after the walk)."""
