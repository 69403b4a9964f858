"""German sentence splitting and Markdown clean-up for extractive answers."""

from __future__ import annotations

import re

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
    return word.isdigit() or word in _ABBREVIATIONS or len(word) == 1


def split_sentences(text: str) -> list[str]:
    """Split a chunk into sentences; list items and lines of a table count as sentences."""
    sentences: list[str] = []
    for raw_line in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)])\s)", text):
        line = clean_markdown(raw_line.replace("\n", " "))
        if not line or set(line) <= set("|-: "):
            continue
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.end(1)
            if _ends_with_abbreviation(line[start:end]):
                continue
            sentences.append(line[start:end].strip())
            start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return [s for s in sentences if len(s) > 2]
