"""Knowledge gaps: questions the assistant could not ground, 👎 answers and handoff topics.

Stored pseudonymised: no user id, and before a question is written ``pseudonymise`` masks what
identifies a person: e-mail addresses, URLs, IBANs and account numbers, phone numbers, street
addresses and postcodes, names after a greeting, a sign-off, a form of address or a
self-introduction, and any remaining run of six or more digits. Gaps are deleted after
DT_GAP_RETENTION_DAYS (``purge``) and with /daten_loeschen (``forget``: the gaps whose text is
one of the user's stored questions, masked the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete

from bot.store.database import Database
from bot.store.models import KnowledgeGap, utcnow

_MAX_CHARS = 500
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-ſ]"  # a capital (Latin-1 and Latin Extended-A: Ö, Ç, Ş, Ł, ...)
_NAME_WORD = rf"{_UPPER}[^\W\d_]+(?:-{_UPPER}[^\W\d_]+)?"
_NAME = (
    rf"(?:(?:Dr|Prof)\.\s*)*(?:{_NAME_WORD}|{_UPPER}\.)"
    rf"(?:\s+(?:(?:von|van|de|zu|vom)\s+)?{_NAME_WORD}){{0,2}}"
)
_GREETING = (
    r"(?i:(?:mit\s+)?(?:freundlichen|besten|herzlichen|lieben?|vielen?|schönen?)\s+"
    r"gr(?:ü|ue|u)(?:ß|ss)(?:e|en)?|gr(?:ü|ue)(?:ß|ss)e|gru(?:ß|ss)|lg|vg|mfg|danke|vielen\s+dank"
    r"|hallo|hi|moin|servus|guten\s+(?:tag|morgen|abend)|liebe[r]?|sehr\s+geehrte[r]?"
    r"|ich\s+bin|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|hier\s+(?:ist|schreibt)"
    r"|frau|herrn?|dr\.|prof\.)"
)
_UNITS = (
    r"(?!Euro|EUR|Teilnehm|Besuch|Objekt|Stück|Seiten|Fotos|Bilder|Mitglied|Einwohner|Dokument)"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[E-Mail]"),
    (re.compile(r"https?://\S+|www\.\S+"), "[Link]"),
    (
        re.compile(r"\b(?i:[a-z]{2})\d{2}(?:\s?[A-Z]{4})?(?:\s?\d{4}){2,7}(?:\s?\d{1,3})?\b"),
        "[IBAN]",
    ),
    (
        re.compile(
            r"\b(?i:konto(?:nummer|nr\.?)?|kto\.?(?:-?nr\.?)?|blz|bankleitzahl)"
            r"[\s:.#-]*\d[\d ./-]{2,}\d"
        ),
        "[Kontonummer]",
    ),
    (re.compile(r"(?:\+|\b00|\b0)\d[\d /()-]{5,}\d"), "[Telefon]"),
    (
        re.compile(
            r"\b[A-Za-zÄÖÜäöü][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm"
            r"|ufer|chaussee|pfad|steig|wall|graben|hof|berg|feld|kamp|stieg)"
            r"\s*\d{1,3}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,3}\s?[a-zA-Z]?)?\b"
        ),
        "[Adresse]",
    ),
    (
        re.compile(
            r"\b(?:Am|An\s+der|An\s+den|Auf\s+der|Auf\s+dem|Im|In\s+der|In\s+den|Zum|Zur"
            r"|Unter\s+den|Hinter\s+der|Alte[rns]?|Neue[rns]?|Große[rns]?|Kleine[rns]?)"
            r"\s+[A-ZÄÖÜ][\wäöüß-]+\s+\d{1,3}\s?[a-zA-Z]?\b"
        ),
        "[Adresse]",
    ),
    (re.compile(rf"\b\d{{5}}\s+{_UNITS}[A-ZÄÖÜ][\wäöüß-]+"), "[PLZ Ort]"),
    (re.compile(rf"(\b{_GREETING}[\s,:!]+)(?:{_NAME})"), r"\1[Name]"),
    (re.compile(rf"([—–]\s*|\s-\s*)(?:{_NAME})\s*$"), r"\1[Name]"),
    (re.compile(r"\b\d(?:[ ./-]?\d){5,}\b"), "[Nummer]"),
)


class GapKind(StrEnum):
    """Why a question counts as a gap."""

    UNANSWERED = "unanswered"
    THUMBS_DOWN = "thumbs_down"
    HANDOFF = "handoff"


def pseudonymise(text: str) -> str:
    """Mask contact data, addresses, bank details and names in free text."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())[:_MAX_CHARS]


class GapRecorder:
    """Writes knowledge gaps to the database, deletes them after the retention period."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, kind: GapKind, question: str, topic: str | None = None) -> None:
        """Store one gap (empty questions are ignored)."""
        text = pseudonymise(question)
        if not text:
            return
        with self._db.session() as session:
            session.add(KnowledgeGap(kind=kind.value, question=text, topic=topic))

    def purge(self, older_than_days: int, now: datetime | None = None) -> int:
        """Delete gaps older than the retention period; return how many."""
        cutoff = (now or utcnow()) - timedelta(days=older_than_days)
        with self._db.session() as session:
            result = session.execute(delete(KnowledgeGap).where(KnowledgeGap.created_at < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)


def masked_forms(questions: Iterable[str]) -> set[str]:
    """The stored (pseudonymised) form of each question, to find a user's gaps again."""
    return {masked for masked in map(pseudonymise, questions) if masked}
