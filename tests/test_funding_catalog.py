"""The programme blocks of the real funding documents: valid, sourced, and backed by their prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.funding.catalog import Entry, FundingDataError, load_catalog, load_document
from bot.funding.model import Programme
from ingest.frontmatter import split_front_matter
from ingest.loaders import LoaderLimits, load_file

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
CATALOG = load_catalog(KNOWLEDGE)
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def body(entry: Entry) -> str:
    return split_front_matter((KNOWLEDGE.parent / entry.document).read_text(encoding="utf-8"))[1]


def amount_forms(value: int) -> list[str]:
    dotted = f"{value:,}".replace(",", ".")
    return [rf"(?<![\d.]){re.escape(dotted)}(?![\d.])", rf"(?<![\d.]){value}(?![\d.])"]


def day_month_forms(day: int, month: int) -> list[str]:
    return [rf"(?<!\d)0?{day}\. {MONTHS[month - 1]}", rf"(?<!\d)0?{day}\.0?{month}\."]


def numbers_and_dates(programme: Programme) -> list[tuple[str, list[str]]]:
    """(what, accepted spellings) for every amount, percentage and date in the block."""
    wanted: list[tuple[str, list[str]]] = []
    for limits in (programme.amount, programme.project_costs):
        for name, field in limits:
            if field is not None:
                wanted.append((f"{name}={field.value}", amount_forms(field.value)))
    for rate in (programme.max_rate, programme.own_share):
        if rate is not None:
            for value in {rate.value, *rate.by_applicant.values()} - {0}:
                wanted.append(
                    (f"{value} %", [rf"(?<!\d){value}( (bzw\.|bis|oder) \d+)? (Prozent|%)"])
                )
    for deadline in programme.deadlines:
        for day in (deadline.start, deadline.until):
            if day is not None:
                forms = [
                    f"{form}(\\s|\\d{{2}})?{day.year}"
                    for form in day_month_forms(day.day, day.month)
                ]
                forms += [day.isoformat()]
                wanted.append((day.isoformat(), forms))
        if deadline.yearly:
            month, day_ = (int(p) for p in deadline.yearly.split("-"))
            wanted.append((deadline.yearly, day_month_forms(day_, month)))
    return wanted


def test_the_catalog_has_the_programmes_of_the_funding_documents() -> None:
    ids = {e.programme.id for e in CATALOG.entries}
    assert {"heimat-scheck", "heimat-fonds", "heimat-werkstatt", "heimat-zeugnis"} <= ids
    assert {"lwl-kulturstiftung", "lwl-kleine-museen", "nrw-stiftung", "rkp"} <= ids
    assert len(CATALOG) >= 13


@pytest.mark.parametrize("entry", CATALOG.entries, ids=lambda e: e.programme.id)
def test_every_amount_and_date_of_a_block_occurs_in_its_document(entry: Entry) -> None:
    text = body(entry)
    missing = [
        what
        for what, forms in numbers_and_dates(entry.programme)
        if not any(re.search(form, text) for form in forms)
    ]
    assert not missing, f"{entry.document}: nicht im Text: {missing}"


@pytest.mark.parametrize("entry", CATALOG.entries, ids=lambda e: e.programme.id)
def test_every_fact_has_a_source_of_the_document(entry: Entry) -> None:
    refs = entry.programme.source_refs()
    assert refs
    for ref in refs:
        assert entry.resolve(ref), ref


def test_purposes_are_tags_of_the_knowledge_base() -> None:
    tags: set[str] = set()
    for path in KNOWLEDGE.rglob("*.md"):
        tags.update(split_front_matter(path.read_text(encoding="utf-8"))[0].get("tags") or ())
    unknown = {
        e.programme.id: sorted(set(e.programme.purposes.value) - tags)
        for e in CATALOG.entries
        if e.programme.purposes and set(e.programme.purposes.value) - tags
    }
    assert not unknown, unknown


def test_ingest_ignores_the_block_and_keeps_it_out_of_the_chunk_text() -> None:
    for entry in CATALOG.entries:
        document = load_file(KNOWLEDGE.parent / entry.document, entry.document, LoaderLimits())
        assert "programme:" not in document.body
        assert "source:" not in document.body
        assert document.meta.sources  # the front matter still parses as before


def test_a_broken_block_is_refused_with_the_document_named(tmp_path: Path) -> None:
    bad = tmp_path / "foerderung" / "x.md"
    bad.parent.mkdir()
    front = (
        "---\ntitle: X\nsources:\n  - {title: A, url: 'https://example.org/a'}\n"
        "programme:\n  id: x-prog\n  name: Xy\n  amount:\n    fixed: {value: 2000, source: 3}\n"
        "---\n\n# X\n\nText.\n"
    )
    bad.write_text(front, encoding="utf-8")
    with pytest.raises(FundingDataError, match="Quelle 3 gibt es nicht"):
        load_document(bad, "knowledge/foerderung/x.md")
    bad.write_text(front.replace("source: 3", "source: 1").replace("2000", "-5x"), encoding="utf-8")
    with pytest.raises(FundingDataError, match=r"x\.md: ungültiger programme-Block"):
        load_document(bad, "knowledge/foerderung/x.md")
    applicants = "  applicants:\n    allowed: {value: [Verein], source: 1}\n"
    applicants += "    excluded: {value: [Verein], source: 1}\n"
    bad.write_text(front.replace("source: 3}\n", "source: 1}\n" + applicants), encoding="utf-8")
    with pytest.raises(FundingDataError, match="zugleich erlaubt und ausgeschlossen"):
        load_document(bad, "knowledge/foerderung/x.md")
    bad.write_text(
        front.replace(
            "  amount:", "  applicants:\n    allowed: {value: [Firma], source: 1}\n  amount:"
        ).replace("source: 3", "source: 1"),
        encoding="utf-8",
    )
    with pytest.raises(FundingDataError, match=r"applicants\.allowed\.value"):
        load_document(bad, "knowledge/foerderung/x.md")
