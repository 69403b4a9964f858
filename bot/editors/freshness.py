"""Freshness texts for editors: expired and soon-expiring documents, and the weekly message.

Expired documents stay in the index and are cited with an explicit "abgelaufen" warning
(bot/answer/citations.py); these texts tell editors which documents to update or retire.
"""

from __future__ import annotations

from datetime import date

from bot.answer.citations import german_date
from bot.editors.catalog import DocumentInfo


def _line(doc: DocumentInfo, today: date) -> str:
    until = date.fromisoformat(doc.valid_until)
    days = (until - today).days
    when = (
        f"abgelaufen seit {-days} Tag{'en' if -days != 1 else ''}"
        if days < 0
        else "läuft heute ab"
        if days == 0
        else f"noch {days} Tag{'e' if days != 1 else ''}"
    )
    stand = f", Stand {german_date(doc.stand)}" if doc.stand else ""
    return f"• {doc.title} [{doc.id}] – gültig bis {german_date(doc.valid_until)} ({when}{stand})"


def _review_line(doc: DocumentInfo) -> str:
    checked = (
        f"Quellen zuletzt geprüft {german_date(doc.checked)}"
        if doc.checked
        else ("mindestens eine Quelle ohne Prüfdatum")
    )
    return f"• {doc.title} [{doc.id}] – {checked}"


def expiring_text(
    expired: list[DocumentInfo],
    soon: list[DocumentInfo],
    today: date,
    days: int,
    review: list[DocumentInfo] | None = None,
    review_days: int = 365,
) -> str:
    """Plain-text list of expired, soon-expiring and review-due documents (also for the CLI)."""
    review = review or []
    if not expired and not soon and not review:
        return f"Keine Dokumente sind abgelaufen oder laufen in den nächsten {days} Tagen ab."
    parts: list[str] = []
    if expired:
        parts.append("Abgelaufen (werden mit Warnhinweis zitiert):")
        parts.extend(_line(d, today) for d in expired)
    if soon:
        if parts:
            parts.append("")
        parts.append(f"Laufen in den nächsten {days} Tagen ab:")
        parts.extend(_line(d, today) for d in soon)
    if review:
        if parts:
            parts.append("")
        parts.append(f"Quellen seit mehr als {review_days} Tagen nicht geprüft:")
        parts.extend(_review_line(d) for d in review)
    return "\n".join(parts)


def weekly_digest(
    expired: list[DocumentInfo],
    soon: list[DocumentInfo],
    today: date,
    days: int,
    new_gaps: int = 0,
) -> str | None:
    """The weekly message to editors, or None when there is nothing to report."""
    if not expired and not soon and not new_gaps:
        return None
    parts = ["Wochenüberblick für die Redaktion"]
    if expired or soon:
        parts += ["", expiring_text(expired, soon, today, days)]
        parts += [
            "",
            "Bitte aktualisieren (neue Fassung senden, dann /gueltig <Kennung> TT.MM.JJJJ) "
            "oder mit /entfernen <Kennung> zurückziehen.",
        ]
    if new_gaps:
        parts += [
            "",
            f"In den letzten 7 Tagen konnte der Assistent {new_gaps} "
            f"Frage{'n' if new_gaps != 1 else ''} nicht gut beantworten – Übersicht mit /luecken.",
        ]
    return "\n".join(parts)
