"""Citations: numbered sources with title, section, link, how old the source is and when it was read.

Every citation names the document's first source with the date that source gives for itself
("Stand der Quelle 03/2025") and when it was checked ("geprüft 26.11.2026"). Below the list one
line says how current the cited sources are; where the newest source of a cited document is more
than two years old, that line says so instead of suggesting recent facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.retrieval import Hit
from ingest.sources import Source, SourceDate, newest_published, oldest_check, sources_from_metadata

STALE_AFTER_DAYS = 2 * 365


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer."""

    n: int
    title: str
    path: str
    heading: str
    url: str | None
    source_published: SourceDate | None = None  # date the first source gives for itself
    source_checked: date | None = None  # when the first source was read
    newest: SourceDate | None = None  # newest date among all sources of the document
    checked: date | None = None  # oldest check date among all sources of the document
    stand: str | None = None  # the document's own revision date (front matter)
    valid_until: str | None = None
    expired: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "title": self.title,
            "path": self.path,
            "heading": self.heading,
            "url": self.url,
            "published": self.source_published.iso() if self.source_published else None,
            "checked": self.source_checked.isoformat() if self.source_checked else None,
            "stand": self.stand,
        }

    def stale(self, today: date) -> bool:
        """The newest source of the document dates from more than two years ago."""
        return self.newest is not None and (today - self.newest.latest()).days > STALE_AFTER_DAYS

    def dates_label(self) -> str:
        """'Stand der Quelle 03/2025, geprüft 26.11.2026' (the parts that are known)."""
        parts = [
            f"Stand der Quelle {self.source_published.label()}"
            if self.source_published
            else "Quelle ohne Datumsangabe"
        ]
        if self.source_checked:
            parts.append(f"geprüft {self.source_checked.strftime('%d.%m.%Y')}")
        return ", ".join(parts)


def _expired(valid_until: str | None, today: date) -> bool:
    if not valid_until:
        return False
    try:
        return date.fromisoformat(valid_until) < today
    except ValueError:
        return False


def citation_for(n: int, hit: Hit, today: date) -> Citation:
    """Citation number ``n`` for a retrieved chunk."""
    sources: tuple[Source, ...] = sources_from_metadata(hit.meta("sources"))
    first = sources[0] if sources else None
    valid_until = hit.meta("valid_until") or None
    return Citation(
        n=n,
        title=hit.meta("title") or hit.source,
        path=hit.source,
        heading=hit.meta("heading"),
        url=first.url if first else None,
        source_published=first.published if first else None,
        source_checked=first.checked if first else None,
        newest=newest_published(sources),
        checked=oldest_check(sources),
        stand=hit.meta("stand") or None,
        valid_until=valid_until,
        expired=_expired(valid_until, today),
    )


def german_date(iso: str) -> str:
    """'2026-11-26' -> '26.11.2026' (unparseable input is returned as it is)."""
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except ValueError:
        return iso


def currency_line(citations: list[Citation], today: date) -> str:
    """How current the cited sources are, with a warning where they are older than two years."""
    stale = [c for c in citations if c.stale(today)]
    if stale:
        which = ", ".join(f"[{c.n}] von {c.newest.label()}" for c in stale if c.newest is not None)
        return (
            f"Hinweis: Die Quellen zu {which} sind älter als zwei Jahre. Bitte prüfen Sie, "
            "ob die Angaben noch gelten."
        )
    dated = [c.newest for c in citations if c.newest is not None]
    checks = [c.checked for c in citations if c.checked is not None]
    parts: list[str] = []
    if dated:
        oldest = min(dated, key=lambda d: d.latest())
        parts.append(f"Stand der Quellen: {oldest.label()}")
    else:
        parts.append("Die Quellen nennen kein eigenes Datum")
    if checks and len(checks) == len(citations):
        parts.append(f"geprüft am {min(checks).strftime('%d.%m.%Y')}")
    else:
        parts.append("Prüfdatum nicht bei allen Quellen bekannt")
    return "; ".join(parts)


def sources_block(citations: list[Citation], today: date | None = None) -> str:
    """Plain-text 'Quellen' block with one line per citation, and the currency line."""
    today = today or date.today()
    lines = ["Quellen:"]
    for c in citations:
        label = f"{c.title} – {c.heading}" if c.heading else c.title
        where = c.url or c.path
        warning = (
            f" ⚠ abgelaufen (gültig bis {german_date(c.valid_until)}, bitte aktuelle Angaben prüfen)"
            if c.expired and c.valid_until
            else ""
        )
        lines.append(f"[{c.n}] {label} ({where}; {c.dates_label()}){warning}")
    lines.append(currency_line(citations, today))
    return "\n".join(lines)
