"""Knowledge gaps: questions the assistant could not ground, 👎 answers and handoff topics.

Stored pseudonymised: no user id, and e-mail addresses, phone numbers, URLs and long digit runs
are masked in the question text before it is written.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.store.database import Database
from bot.store.models import KnowledgeGap

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_PHONE = re.compile(r"(?:\+|\b0)\d[\d /()-]{5,}\d")
_DIGITS = re.compile(r"\b\d{6,}\b")
_MAX_CHARS = 500


class GapKind(StrEnum):
    """Why a question counts as a gap."""

    UNANSWERED = "unanswered"
    THUMBS_DOWN = "thumbs_down"
    HANDOFF = "handoff"


def pseudonymise(text: str) -> str:
    """Mask contact data and identifiers in free text."""
    text = _EMAIL.sub("[E-Mail]", text)
    text = _URL.sub("[Link]", text)
    text = _PHONE.sub("[Telefon]", text)
    text = _DIGITS.sub("[Nummer]", text)
    return " ".join(text.split())[:_MAX_CHARS]


class GapRecorder:
    """Writes knowledge gaps to the database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, kind: GapKind, question: str, topic: str | None = None) -> None:
        """Store one gap (empty questions are ignored)."""
        text = pseudonymise(question)
        if not text:
            return
        with self._db.session() as session:
            session.add(KnowledgeGap(kind=kind.value, question=text, topic=topic))
