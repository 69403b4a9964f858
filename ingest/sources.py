"""Sources of a knowledge document: where its facts come from, how old they are, when they were read.

Front matter (current schema)::

    sources:
      - title: "MHKBD NRW: Heimat-Scheck"
        url: https://www.mhkbd.nrw/foerderprogramme/heimat-scheck
        published: 2025-03        # the date the source gives for itself: YYYY, YYYY-MM or YYYY-MM-DD
        checked: 2026-11-26       # when its content was read

The old schema (a list of bare URLs) is still read; every such entry produces a warning, because
it says neither how old the source is nor when it was checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from ingest.errors import DocumentRejected

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
MAX_SOURCES = 60
_FIELDS = frozenset({"title", "url", "published", "checked"})


@dataclass(frozen=True, order=True)
class SourceDate:
    """A date as precise as the source gives it: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> SourceDate:
        """From YAML (int year, date, or 'YYYY[-MM[-DD]]'); raise DocumentRejected otherwise."""
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        text = str(value).strip() if isinstance(value, (str, int)) else ""
        match = _PARTIAL.match(text)
        if not match:
            raise DocumentRejected("'published' ist kein Datum (JJJJ, JJJJ-MM oder JJJJ-MM-TT).")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        try:
            date(year, month or 1, day or 1)
        except ValueError as exc:
            raise DocumentRejected("'published' ist kein gültiges Datum.") from exc
        return cls(year, month, day)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def label(self) -> str:
        """German display: '2025', '03/2025' or '14.03.2025'."""
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{self.month:02d}/{self.year}"
        return f"{self.day:02d}.{self.month:02d}.{self.year}"

    def latest(self) -> date:
        """The last day the date can mean (a year stands for its 31 December)."""
        if self.month is None:
            return date(self.year, 12, 31)
        if self.day is None:
            following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(self.year, self.month, self.day)


@dataclass(frozen=True)
class Source:
    """One source of a document."""

    url: str
    title: str = ""
    published: SourceDate | None = None
    checked: date | None = None

    def to_json(self) -> dict[str, str]:
        data = {"url": self.url, "title": self.title}
        if self.published:
            data["published"] = self.published.iso()
        if self.checked:
            data["checked"] = self.checked.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        published = data.get("published")
        checked = data.get("checked")
        return cls(
            url=str(data.get("url", "")),
            title=str(data.get("title", "")),
            published=SourceDate.parse(published) if published else None,
            checked=date.fromisoformat(checked) if checked else None,
        )

    @property
    def host(self) -> str:
        return (urlparse(self.url).hostname or "").lower()


def _url(value: Any) -> str:
    url = str(value).strip() if isinstance(value, str) else ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or "." not in parsed.netloc or " " in url:
        raise DocumentRejected("Die Quelle hat keine gültige Adresse (http/https).")
    return url


def _checked(value: Any, today: date) -> date:
    if isinstance(value, date):
        checked = value
    else:
        try:
            checked = date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise DocumentRejected("'checked' ist kein Datum im Format JJJJ-MM-TT.") from exc
    if checked > today:
        raise DocumentRejected(f"'checked' liegt in der Zukunft ({checked.isoformat()}).")
    return checked


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _source(item: Any) -> Source:
    """The URL and title of one entry (old schema: a bare URL)."""
    if isinstance(item, str):
        return Source(url=_url(item))
    if not isinstance(item, dict):
        raise DocumentRejected("Eine Quelle muss title, url und checked haben.")
    unknown = sorted(_short(str(key), 30) for key in set(item) - _FIELDS)
    if unknown:
        more = f" und {len(unknown) - 3} weitere" if len(unknown) > 3 else ""
        raise DocumentRejected(
            f"Unbekannte Angaben in einer Quelle: {', '.join(unknown[:3])}{more}"
        )
    url = _url(item.get("url"))
    title = item.get("title")
    if title is not None and not isinstance(title, (str, int, float)):
        raise DocumentRejected("'title' einer Quelle muss ein Text sein.")
    return Source(url=url, title=str(title).strip() if title else "")


def _dated(source: Source, item: dict[str, Any], today: date) -> Source:
    published = item.get("published")
    checked = item.get("checked")
    return Source(
        url=source.url,
        title=source.title,
        published=SourceDate.parse(published) if published not in (None, "") else None,
        checked=_checked(checked, today) if checked not in (None, "") else None,
    )


def parse_sources(value: Any, today: date) -> tuple[tuple[Source, ...], tuple[str, ...]]:
    """Validate ``sources`` from front matter: (sources, warnings for the operator).

    Raises:
        DocumentRejected: the value is neither the current nor the old schema (German message).
    """
    if value is None or value == "":
        return (), ()
    if isinstance(value, str):  # old schema, comma-separated
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise DocumentRejected("'sources' muss eine Liste von Quellen sein.")
    if len(value) > MAX_SOURCES:
        raise DocumentRejected(f"'sources' hat mehr als {MAX_SOURCES} Einträge.")
    sources: list[Source] = []
    warnings: list[str] = []
    old = 0
    for number, item in enumerate(value, start=1):
        try:
            source = _source(item)
            if isinstance(item, str):
                old += 1
            else:
                source = _dated(source, item, today)
                if not source.title:
                    warnings.append(f"Quelle ohne Titel: {_short(source.url)}")
                if source.checked is None:
                    warnings.append(f"Quelle ohne Prüfdatum (checked): {_short(source.url)}")
        except DocumentRejected as exc:
            raise DocumentRejected(f"Quelle {number}: {exc.reason}") from None
        sources.append(source)
    if old:
        warnings.insert(
            0,
            f"{old} Quelle(n) im alten Format (nur Adresse): ohne Titel, Datum und Prüfdatum "
            "der Quelle; bitte als title/url/published/checked angeben.",
        )
    return tuple(sources), tuple(warnings)


def sources_to_metadata(sources: tuple[Source, ...]) -> str:
    """Sources as one JSON string (Chroma metadata values must be scalars)."""
    return json.dumps([s.to_json() for s in sources], ensure_ascii=False)


def sources_from_metadata(value: str) -> tuple[Source, ...]:
    """Inverse of sources_to_metadata; also reads the old newline-separated URL list."""
    value = (value or "").strip()
    if not value:
        return ()
    if value.startswith("["):
        try:
            return tuple(Source.from_json(item) for item in json.loads(value))
        except (ValueError, TypeError, DocumentRejected):
            return ()
    return tuple(Source(url=u) for u in value.split("\n") if u.startswith(("http://", "https://")))


def newest_published(sources: tuple[Source, ...]) -> SourceDate | None:
    """The most recent date any source gives for itself."""
    dated = [s.published for s in sources if s.published]
    return max(dated, key=lambda d: d.latest()) if dated else None


def oldest_check(sources: tuple[Source, ...]) -> date | None:
    """When the least recently checked source was read (None if a source was never checked)."""
    checks = [s.checked for s in sources]
    if not checks or any(c is None for c in checks):
        return None
    return min(c for c in checks if c is not None)
