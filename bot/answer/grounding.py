"""Grounding check of a generated answer: its amounts, percentages, dates and links must be sourced.

Every amount ("2.000 Euro", "2000 €"), percentage ("80 %"), date ("31. Dezember", "31.12.") and
year in the answer must occur in a passage the answer cites, and every link must be a cited
source's address or occur in a cited passage. Numbers are compared by value, so "2.000 Euro",
"2000 €" and "2.000 EUR" are the same fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MONTHS = {
    "januar": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "dezember": 12,
}
_AMOUNT = re.compile(r"(\d[\d.,]*)\s?(€|euro\b|eur\b|%|prozent\b)", re.I)
_WORD_DATE = re.compile(r"\b(\d{1,2})\.\s?(" + "|".join(_MONTHS) + r")\b", re.I)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(?:\d{2,4})?(?!\d)")
_YEAR = re.compile(
    r"(?<![\d.,])(19\d{2}|20\d{2})(?!\d|[.,]\d|\s?(?:€|euro\b|eur\b|%|prozent\b))", re.I
)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)


def _number(text: str) -> float | None:
    cleaned = text.strip(".,")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def facts(text: str) -> set[tuple[str, float, float]]:
    """The checkable facts of a text: ("euro"|"percent", value, 0), ("date", day, month), ("year", y, 0)."""
    found: set[tuple[str, float, float]] = set()
    for value, unit in _AMOUNT.findall(text):
        number = _number(value)
        if number is not None:
            kind = "percent" if unit.lower() in ("%", "prozent") else "euro"
            found.add((kind, number, 0.0))
    for day, month in _WORD_DATE.findall(text):
        found.add(("date", float(day), float(_MONTHS[month.lower()])))
    for day, month in _NUMERIC_DATE.findall(text):
        found.add(("date", float(day), float(month)))
    for year in _YEAR.findall(text):
        found.add(("year", float(year), 0.0))
    return found


def links(text: str) -> set[str]:
    """Links in a text, without trailing punctuation."""
    return {u.rstrip(".,;:") for u in _URL.findall(text)}


def ungrounded(answer: str, passages: Iterable[str], source_urls: Iterable[str]) -> list[str]:
    """Facts and links of ``answer`` that no cited passage or source contains (empty: grounded)."""
    texts = list(passages)
    sourced = set().union(*(facts(t) for t in texts)) if texts else set()
    allowed = {u.rstrip("/") for u in source_urls} | {
        u.rstrip("/") for t in texts for u in links(t)
    }
    missing = [_describe(f) for f in sorted(facts(answer) - sourced)]
    missing += sorted(u for u in links(answer) if u.rstrip("/") not in allowed)
    return missing


def _describe(fact: tuple[str, float, float]) -> str:
    kind, a, b = fact
    if kind == "date":
        return f"{a:g}.{b:g}."
    return f"{a:g} {kind}"
