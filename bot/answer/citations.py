"""Citations: numbered sources with title, section, link or file, and the date of the facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.retrieval import Hit


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer."""

    n: int
    title: str
    path: str
    heading: str
    url: str | None
    stand: str | None
    valid_until: str | None = None
    expired: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "title": self.title,
            "path": self.path,
            "heading": self.heading,
            "url": self.url,
            "stand": self.stand,
        }


def citation_for(n: int, hit: Hit, today: date) -> Citation:
    """Citation number ``n`` for a retrieved chunk."""
    urls = [u for u in hit.meta("sources").split("\n") if u.startswith(("http://", "https://"))]
    valid_until = hit.meta("valid_until") or None
    expired = False
    if valid_until:
        try:
            expired = date.fromisoformat(valid_until) < today
        except ValueError:
            expired = False
    return Citation(
        n=n,
        title=hit.meta("title") or hit.source,
        path=hit.source,
        heading=hit.meta("heading"),
        url=urls[0] if urls else None,
        stand=hit.meta("stand") or None,
        valid_until=valid_until,
        expired=expired,
    )


def german_date(iso: str) -> str:
    """'2026-11-26' -> '26.11.2026' (unparseable input is returned as it is)."""
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except ValueError:
        return iso


def stand_line(citations: list[Citation]) -> str:
    """'Stand: …' line: the oldest check date among the cited sources."""
    stands = sorted(c.stand for c in citations if c.stand)
    if not stands:
        return "Stand: unbekannt (die Quellen nennen kein Prüfdatum)"
    return f"Stand der Informationen: {german_date(stands[0])}"


def sources_block(citations: list[Citation]) -> str:
    """Plain-text 'Quellen' block with one line per citation, and the Stand line."""
    lines = ["Quellen:"]
    for c in citations:
        label = f"{c.title} – {c.heading}" if c.heading else c.title
        where = c.url or c.path
        stand = f", Stand {german_date(c.stand)}" if c.stand else ""
        warning = (
            f" ⚠ abgelaufen (gültig bis {german_date(c.valid_until)}, bitte aktuelle Angaben prüfen)"
            if c.expired and c.valid_until
            else ""
        )
        lines.append(f"[{c.n}] {label} ({where}{stand}){warning}")
    lines.append(stand_line(citations))
    return "\n".join(lines)
