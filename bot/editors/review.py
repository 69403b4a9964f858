"""The editors' review aid (``digitalteam docs check``): what to look at in each knowledge document.

Per document: its sources with their dates and checked dates, links to test systems, mirrors and
aggregators, sources not checked within the review period, amounts and dates with no source named
nearby, windows and dates that have passed without the text saying so, and the loader's warnings.
It reads the files in the knowledge folder (not the index), so it also covers files that fail to
ingest.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from ingest.errors import DocumentRejected
from ingest.loaders import LoaderLimits
from ingest.paths import FileTooLarge, OutsideKnowledge, read_inside, source_key, walk
from ingest.sandbox import load_isolated
from ingest.sources import Source

MIRROR_HOSTS = (
    "readkong.com",
    "doczz.net",
    "9dok.net",
    "scribd.com",
    "docplayer.org",
    "yumpu.com",
    "slideshare.net",
    "studylib.net",
    "expydoc.com",
    "dokumen.pub",
    "wiki.li",
    "sparknews.funkemedien.de",
)
_TEST_LABEL = re.compile(r"^(test|staging|stage|dev|preview|beta|qa)\d*$")
_OPAQUE_LABEL = re.compile(r"^[0-9a-f]{8,}$")
_AMOUNT = re.compile(
    r"\b\d{1,3}(?:\.\d{3})+(?:,\d+)?\s?(?:Euro|€)|\b\d+(?:,\d+)?\s?(?:Euro|€|Prozent|%)"
    r"|\b\d+(?:,\d+)?\s(?:Mio\.|Millionen)\s(?:Euro|€)"
)
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_DATE = re.compile(rf"\b(\d{{1,2}})\.\s?(?:(\d{{1,2}})\.|({_MONTHS}))\s?(\d{{4}})\b")
_ATTRIBUTION = re.compile(
    r"https?://|\blaut\b|nach Angaben|Quelle|\bgemäß\b|§|\bArt\.|\bsagt\b|\bnennt\b|"
    r"\bschreibt\b|\bmeldet\b|\bberichtet",
    re.IGNORECASE,
)
_PAST_MARKER = re.compile(
    r"abgelaufen|beendet|endete|ausgelaufen|vorbei|lief\b|liefen\b|war\b|waren\b|wurde|wurden|"
    r"ehemals|damals|bisherig|zuletzt|seit\b|letzte[nrs]?\b|ergangen|galt|hatte",
    re.IGNORECASE,
)
MONTH_NUMBERS = {name: n for n, name in enumerate(_MONTHS.split("|"), start=1)}


@dataclass(frozen=True)
class SourceReview:
    """One source and what is wrong with it."""

    title: str
    url: str
    published: str | None
    checked: str | None
    problems: tuple[str, ...]


@dataclass(frozen=True)
class DocumentReview:
    """Everything an editor should look at in one document."""

    source: str
    title: str
    valid_until: str | None
    sources: tuple[SourceReview, ...] = ()
    unsourced: tuple[str, ...] = ()  # passages with amounts or dates and no source named nearby
    passed: tuple[str, ...] = ()  # passages with dates that have passed, not marked as past
    problems: tuple[str, ...] = ()  # document-level findings (rejected, expired, warnings)

    @property
    def findings(self) -> int:
        return (
            sum(bool(s.problems) for s in self.sources)
            + len(self.unsourced)
            + len(self.passed)
            + len(self.problems)
        )

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["findings"] = self.findings
        return data


def host_problem(url: str) -> str | None:
    """Why a link's host is not the publisher's own page, or None."""
    netloc = re.sub(r"^https?://", "", url).split("/", 1)[0].split("@")[-1].split(":")[0]
    host = netloc.lower()
    if host.endswith("."):
        return "Host mit Punkt am Ende (nicht kanonisch)"
    labels = host.split(".")
    if any(_TEST_LABEL.match(label) for label in labels[:-2]) or any(
        label.startswith(("test-", "staging-")) for label in labels
    ):
        return "Testsystem statt Produktivseite"
    if any(_OPAQUE_LABEL.match(label) for label in labels[:-2]):
        return "nicht kanonischer Host (zufällige Kennung)"
    for mirror in MIRROR_HOSTS:
        if host == mirror or host.endswith("." + mirror):
            return "Spiegel oder Aggregator statt Herausgeberseite"
    return None


def _review_source(source: Source, today: date, review_days: int) -> SourceReview:
    problems: list[str] = []
    if (problem := host_problem(source.url)) is not None:
        problems.append(problem)
    if not source.title:
        problems.append("ohne Titel")
    if source.checked is None:
        problems.append("ohne Prüfdatum")
    elif source.checked < today - timedelta(days=review_days):
        problems.append(f"zuletzt vor mehr als {review_days} Tagen geprüft")
    return SourceReview(
        title=source.title,
        url=source.url,
        published=source.published.iso() if source.published else None,
        checked=source.checked.isoformat() if source.checked else None,
        problems=tuple(problems),
    )


def passages(body: str) -> list[str]:
    """Paragraphs and list items of the body, without the closing 'Quellen' section."""
    main = re.split(r"^##\s+Quellen", body, maxsplit=1, flags=re.MULTILINE)[0]
    parts: list[str] = []
    for block in re.split(r"\n\s*\n", main):
        for item in re.split(r"\n(?=\s*(?:[-*]|\d+\.)\s)", block):
            text = " ".join(item.split())
            if text and not text.startswith("#"):
                parts.append(text)
    return parts


def _publishers(sources: tuple[Source, ...]) -> list[str]:
    """The publisher part of source titles ('MHKBD NRW: Heimat-Scheck' -> 'MHKBD NRW')."""
    names: list[str] = []
    for s in sources:
        head = re.split(r"[:,–(]", s.title, maxsplit=1)[0].strip()
        if len(head) >= 3:
            names.append(head.lower())
    return names


def _dates(text: str) -> list[date]:
    found: list[date] = []
    for day, month, month_name, year in _DATE.findall(text):
        number = int(month) if month else MONTH_NUMBERS.get(month_name, 0)
        try:
            found.append(date(int(year), number, int(day)))
        except ValueError:
            continue
    return found


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unreadable(exc: OSError) -> str:
    if isinstance(exc, OutsideKnowledge):
        return "Die Datei liegt außerhalb des Wissensordners."
    if isinstance(exc, FileTooLarge):
        return "Die Datei ist zu groß."
    return f"Die Datei kann nicht gelesen werden ({exc.strerror})."


def review_document(
    path: Path,
    key: str,
    today: date,
    review_days: int,
    limits: LoaderLimits,
    knowledge_dir: Path | None = None,
) -> DocumentReview:
    """Review one file of the knowledge folder (read like ingest: inside it, bounded)."""
    try:
        data = read_inside(path, knowledge_dir or path.parent, limits.max_bytes)
        doc, _chunks = load_isolated(data, key, path, limits)
    except (DocumentRejected, OSError) as exc:
        reason = exc.reason if isinstance(exc, DocumentRejected) else _unreadable(exc)
        return DocumentReview(
            source=key,
            title=path.name,
            valid_until=None,
            problems=(f"wird nicht übernommen: {reason}",),
        )
    meta = doc.meta
    problems = list(meta.warnings)
    if meta.valid_until and meta.valid_until < today:
        problems.append(f"abgelaufen: gültig bis {meta.valid_until.strftime('%d.%m.%Y')}")
    if not meta.sources:
        problems.append("keine Quellen angegeben")
    publishers = _publishers(meta.sources)
    unsourced: list[str] = []
    passed: list[str] = []
    for text in passages(doc.body):
        lowered = text.lower()
        has_figure = bool(_AMOUNT.search(text)) or bool(_DATE.search(text))
        named = bool(_ATTRIBUTION.search(text)) or any(p in lowered for p in publishers)
        if has_figure and not named:
            unsourced.append(_short(text))
        if any(d < today for d in _dates(text)) and not _PAST_MARKER.search(text):
            passed.append(_short(text))
    return DocumentReview(
        source=key,
        title=meta.title,
        valid_until=meta.valid_until.isoformat() if meta.valid_until else None,
        sources=tuple(_review_source(s, today, review_days) for s in meta.sources),
        unsourced=tuple(unsourced),
        passed=tuple(passed),
        problems=tuple(problems),
    )


def review_folder(
    knowledge_dir: Path, today: date, review_days: int, limits: LoaderLimits
) -> list[DocumentReview]:
    """Review every document of the knowledge folder, sorted by path."""
    reviews: list[DocumentReview] = []
    files, refused = walk(knowledge_dir, knowledge_dir)
    for path in sorted(files):
        key = source_key(path, knowledge_dir)
        reviews.append(review_document(path, key, today, review_days, limits, knowledge_dir))
    for item in refused:  # symlinks out of the folder are never read
        reviews.append(
            DocumentReview(
                source=item.key, title=item.key, valid_until=None, problems=(item.reason,)
            )
        )
    return sorted(reviews, key=lambda r: r.source)


def render_review(reviews: list[DocumentReview], only_findings: bool = False) -> str:
    """The review as plain text, one block per document."""
    lines: list[str] = []
    for review in reviews:
        if only_findings and not review.findings:
            continue
        until = f", gültig bis {review.valid_until}" if review.valid_until else ""
        lines.append(f"== {review.source} – {review.title}{until} ({review.findings} Befunde)")
        lines.extend(f"  ! {p}" for p in review.problems)
        for s in review.sources:
            dates = ", ".join(
                part
                for part in (
                    f"Stand {s.published}" if s.published else "ohne Datum",
                    f"geprüft {s.checked}" if s.checked else "",
                )
                if part
            )
            flag = f"  ⚠ {'; '.join(s.problems)}" if s.problems else ""
            lines.append(f"  Quelle: {s.title or '–'} ({dates}) {s.url}{flag}")
        lines.extend(f"  Ohne Quelle in der Nähe: {t}" for t in review.unsourced)
        lines.extend(f"  Datum vorbei, nicht als vergangen markiert: {t}" for t in review.passed)
        lines.append("")
    total = sum(r.findings for r in reviews)
    lines.append(f"{len(reviews)} Dokumente, {total} Befunde.")
    return "\n".join(lines)
