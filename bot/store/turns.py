"""The plain record of one conversation turn, shared by the engine and the stored history."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One question and what the engine made of it."""

    question: str
    standalone_query: str
    answer: str
    sources: tuple[str, ...]
    answerable: bool
