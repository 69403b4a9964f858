"""German sentence splitting and Markdown clean-up.

Ingest embeds every sentence of a chunk (so answers can be scored sentence by sentence), and the
answer composer splits chunks the same way at query time; both use :func:`split_units`, so the
stored sentence vectors line up with the sentences. A change here must bump CHUNKER_VERSION.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "z",
    "b",
    "u",
    "a",
    "d",
    "h",
    "o",
    "s",
    "v",
    "g",
    "ca",
    "nr",
    "bzw",
    "ggf",
    "inkl",
    "vgl",
    "usw",
    "etc",
    "abs",
    "dr",
    "st",
    "str",
    "evtl",
    "sog",
    "zzgl",
    "max",
    "min",
    "mio",
    "mrd",
    "bspw",
    "insb",
    "gem",
    "lt",
    "jh",
    "jhd",
    "tel",
    "e.v",
    "ev",
    "allg",
    "ff",
    "bzgl",
    "i",
}
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_BOUNDARY = re.compile(r"([.!?])(\s+)(?=[\"„»(]?[A-ZÄÖÜ0-9])")


def clean_markdown(text: str) -> str:
    """Strip Markdown links, emphasis and list markers from one line."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = _LIST_MARK.sub("", text)
    return " ".join(text.split())


def _ends_with_abbreviation(head: str) -> bool:
    word = re.split(r"[\s(]", head.rstrip("."))[-1].lower()
    if not word:
        return False
    # "31." is an ordinal (31. Dezember); "2027." ends a sentence.
    return (word.isdigit() and len(word) <= 2) or word in _ABBREVIATIONS or len(word) == 1


@dataclass(frozen=True)
class Sentence:
    """One sentence of a chunk, with where it stands in the chunk's structure."""

    text: str
    block: int
    list_item: bool
    lead_in: str | None = None

    def embed_text(self) -> str:
        """What is embedded for the sentence: a list item carries its lead-in ("Antragsberechtigt sind:")."""
        return f"{self.lead_in} {self.text}" if self.lead_in else self.text


# Chunks keep paragraph breaks as "  \n" (Markdown's hard break) or as a line that ends a sentence;
# a line without either is a wrapped line of the same paragraph.
_PARAGRAPH_END = re.compile(r"(?:  |(?<=[.!?:]))[ \t]*\n(?!\n)")
_BLOCKS = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)])\s)")
_IS_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


def split_units(text: str) -> list[Sentence]:
    """Split a chunk into sentences; list items and lines of a table count as sentences.

    A list item remembers the sentence that introduces its list (one ending in ":"), so that an
    answer never shows an item without its lead-in.
    """
    units: list[Sentence] = []
    lead_in: str | None = None
    for block, raw in enumerate(_BLOCKS.split(_PARAGRAPH_END.sub("\n\n", text))):
        item = bool(_IS_ITEM.match(raw)) or raw.lstrip().startswith("|")
        line = clean_markdown(raw.replace("\n", " "))
        if not line or set(line) <= set("|-: "):
            continue
        if not item:
            lead_in = None
        parts: list[str] = []
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.end(1)
            if _ends_with_abbreviation(line[start:end]):
                continue
            parts.append(line[start:end].strip())
            start = match.end()
        parts.append(line[start:].strip())
        for part in parts:
            if len(part) > 2:
                units.append(Sentence(part, block, item, lead_in if item else None))
        if not item and parts[-1].endswith(":"):
            lead_in = parts[-1]
    return units


def split_sentences(text: str) -> list[str]:
    """The sentences of a chunk as plain strings."""
    return [unit.text for unit in split_units(text)]
