"""Telegram HTML for the editors: upload summary, paged document list, details, gap report."""

from __future__ import annotations

import math
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer.citations import german_date
from bot.editors.catalog import DocumentInfo, Freshness
from bot.editors.documents import UploadResult
from bot.editors.gaps import GapGroup
from bot.telegram import callbacks
from bot.telegram.render import escape

PAGE_SIZE = 8
_STATE = {Freshness.EXPIRED: " ⚠ abgelaufen", Freshness.EXPIRING: " ⏳ läuft bald ab"}


def _date(iso: str) -> str:
    return german_date(iso) if iso else "–"


def doc_line(doc: DocumentInfo, today: date, warn_days: int) -> str:
    """One document as a list entry."""
    state = _STATE.get(doc.freshness(today, warn_days), "")
    return (
        f"• <b>{escape(doc.title[:90])}</b> <code>{doc.id}</code>\n"
        f"  {escape(doc.topic or 'ohne Thema')} · Stand {_date(doc.stand)} · gültig bis "
        f"{_date(doc.valid_until)}{state} · {doc.chunks} Abschnitte"
    )


def upload_summary(result: UploadResult, today: date, warn_days: int) -> str:
    """What was stored, and what is still missing."""
    doc = result.document
    verb = {"add": "übernommen", "replace": "ersetzt"}.get(result.action, "aktualisiert")
    lines = [
        f"✅ Dokument {verb} ({escape(result.detected)})",
        doc_line(doc, today, warn_days),
    ]
    if result.replaced is not None and result.action != "update_meta":
        lines.append(f"Die bisherige Fassung ({escape(result.replaced.source)}) wurde ersetzt.")
    if result.inherited:
        names = {"topic": "Thema", "valid_until": "Gültigkeit"}
        kept = ", ".join(names.get(f, f) for f in result.inherited)
        lines.append(f"Aus der bisherigen Fassung übernommen: {kept}.")
    if "topic" in result.missing:
        lines.append("\n❓ Zu welchem Thema gehört das Dokument? Bitte wählen Sie unten aus.")
    if "valid_until" in result.missing:
        lines.append(
            "\n❓ Bis wann gilt dieses Förderprogramm? Bitte senden Sie "
            f"<code>/gueltig {doc.id} TT.MM.JJJJ</code>"
        )
    return "\n".join(lines)


def topic_keyboard(doc_id: str, topics: list[str]) -> InlineKeyboardMarkup | None:
    """One button per topic folder, two per row."""
    buttons = [
        InlineKeyboardButton(t, callback_data=callbacks.topic_choice(doc_id, t)) for t in topics
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


def list_page_text(
    docs: list[DocumentInfo], page: int, today: date, warn_days: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /dokumente and its navigation buttons (page is clamped)."""
    pages = max(1, math.ceil(len(docs) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = docs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    head = f"<b>Dokumente</b> ({len(docs)}, Seite {page + 1}/{pages})"
    body = "\n".join(doc_line(d, today, warn_days) for d in shown) or "Noch keine Dokumente."
    footer = "Details: <code>/dokument KENNUNG</code> · Entfernen: <code>/entfernen KENNUNG</code>"
    nav: list[InlineKeyboardButton] = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀ zurück", callback_data=callbacks.list_page(page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("weiter ▶", callback_data=callbacks.list_page(page + 1)))
    return f"{head}\n\n{body}\n\n{footer}", InlineKeyboardMarkup([nav]) if nav else None


def details_text(doc: DocumentInfo, front: dict[str, object], today: date, warn_days: int) -> str:
    """/dokument: everything editors need to judge a document."""
    state = doc.freshness(today, warn_days)
    lines = [
        f"<b>{escape(doc.title)}</b>",
        f"Kennung: <code>{doc.id}</code>",
        f"Datei: {escape(doc.source)}",
        f"Thema: {escape(doc.topic or 'ohne Thema')}",
        f"Stand: {_date(doc.stand)}",
        f"Gültig bis: {_date(doc.valid_until)}{_STATE.get(state, '')}",
        f"Abschnitte im Index: {doc.chunks}",
        f"Übernommen: {escape(doc.ingested_at[:16].replace('T', ' '))} (UTC)",
    ]
    original = front.get("original_file")
    if original:
        lines.append(f"Ursprüngliche Datei: {escape(str(original))}")
    summary = front.get("summary")
    if summary:
        lines.append(f"\n{escape(str(summary)[:500])}")
    return "\n".join(lines)


def remove_question(doc: DocumentInfo) -> tuple[str, InlineKeyboardMarkup]:
    """The confirmation question of /entfernen."""
    text = (
        f"Soll <b>{escape(doc.title)}</b> ({escape(doc.source)}, {doc.chunks} Abschnitte) "
        "wirklich aus der Wissensbasis entfernt werden?"
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "Ja, entfernen", callback_data=callbacks.remove_confirm(doc.id)
                ),
                InlineKeyboardButton("Abbrechen", callback_data=callbacks.remove_cancel()),
            ]
        ]
    )
    return text, keyboard


def gaps_text(groups: list[GapGroup], since: date | None, limit: int = 10) -> str:
    """/luecken: the most frequent groups of open questions."""
    span = f" seit {since.strftime('%d.%m.%Y')}" if since else ""
    if not groups:
        return f"<b>Wissenslücken{span}</b>\n\nKeine offenen Fragen erfasst."
    total = sum(g.count for g in groups)
    lines = [f"<b>Wissenslücken{span}</b>: {total} Fragen in {len(groups)} Gruppen", ""]
    for rank, group in enumerate(groups[:limit], start=1):
        lines.append(f"{rank}. {group.count}× „{escape(group.example[:200])}“")
    if len(groups) > limit:
        lines.append(f"\n… und {len(groups) - limit} weitere Gruppen (siehe Datei).")
    return "\n".join(lines)
