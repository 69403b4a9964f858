"""Question cues: a "wann"/"Frist" question wants dates, a "wie viel"/"Eigenanteil" question amounts.

Used to prefer chunks (retrieval) and sentences (extractive answer) that contain what was asked for.
"""

from __future__ import annotations

import re

_ASKS_WHEN = re.compile(
    r"\b(wann|bis wann|ab wann|frist\w*|stichtag\w*|deadline|termin\w*)\b", re.I
)
_ASKS_AMOUNT = re.compile(
    r"\b(wie ?viel|wie hoch|höhe|hoehe|betrag|beträge|kosten|kostet|summe|euro|prozent|"
    r"eigenanteil|förderquote|foerderquote|zuschuss)\b",
    re.I,
)
_HAS_DATE = re.compile(
    r"\b(\d{1,2}\.\s?(januar|februar|märz|april|mai|juni|juli|august|september|oktober|"
    r"november|dezember)|\d{1,2}\.\d{1,2}\.(\d{2,4})?|jährlich|jederzeit|laufend|stichtag)",
    re.I,
)
_HAS_AMOUNT = re.compile(r"(\d[\d.,]*\s?(€|euro|prozent|%))|\beigenanteil\b|\bfestbetrag\b", re.I)


def answer_cues(question: str) -> tuple[re.Pattern[str], ...]:
    """Patterns a good answer sentence should match, from the kind of question asked."""
    cues: list[re.Pattern[str]] = []
    if _ASKS_WHEN.search(question):
        cues.append(_HAS_DATE)
    if _ASKS_AMOUNT.search(question):
        cues.append(_HAS_AMOUNT)
    return tuple(cues)
