"""German prompt templates, loaded by name from the prompts directory."""

from __future__ import annotations

from functools import cache
from pathlib import Path


class PromptLibrary:
    """Reads ``<name>.txt`` from a directory, once per name."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def get(self, name: str) -> str:
        """The template text; raises FileNotFoundError with the path when it is missing."""
        return _read(self._directory / f"{name}.txt")


@cache
def _read(path: Path) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"prompt template not found: {path}")
    return path.read_text(encoding="utf-8").strip()
