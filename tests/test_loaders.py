"""Each loader on real sample files, including broken ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.errors import DocumentRejected
from ingest.loaders import LoaderLimits, load_bytes, load_file
from tests.samples import encrypt_pdf, make_docx, make_pdf

LIMITS = LoaderLimits()
MD = """---
title: "Heimat-Scheck"
topic: Foerderung
tags: [heimat, nrw]
audience: museum, heimatverein
sources:
  - https://www.mhkbd.nrw/foerderprogramme/heimat-scheck
stand: 2026-11-01
valid_until: 2027-12-31
summary: Kurz.
---
# Heimat-Scheck

## Betrag
2.000 Euro.
"""


def load(data: bytes, name: str) -> object:
    return load_bytes(data, f"knowledge/{name}", Path(name), LIMITS)


def test_markdown_front_matter_becomes_metadata() -> None:
    doc = load_bytes(MD.encode(), "knowledge/x.md", Path("x.md"), LIMITS)
    assert doc.meta.title == "Heimat-Scheck"
    assert doc.meta.topic == "foerderung"
    assert doc.meta.tags == ("heimat", "nrw")
    assert doc.meta.audience == ("museum", "heimatverein")
    assert doc.meta.stand == date(2026, 11, 1)
    assert doc.meta.valid_until == date(2027, 12, 31)
    assert doc.meta.sources[0].url == "https://www.mhkbd.nrw/foerderprogramme/heimat-scheck"
    assert doc.meta.sources[0].checked is None  # the old schema says nothing about dates
    assert any("alten Format" in w for w in doc.meta.warnings)
    assert doc.body.lstrip().startswith("# Heimat-Scheck")
    assert doc.kind == "markdown"


NEW_SOURCES = """---
title: Heimat-Scheck
sources:
  - title: "MHKBD NRW: Heimat-Scheck"
    url: https://www.mhkbd.nrw/foerderprogramme/heimat-scheck
    published: 2025-03
    checked: 2026-11-26
  - title: Jahresbericht
    url: https://example.org/bericht.pdf
    published: 2019
    checked: 2026-11-20
  - title: Pressemitteilung
    url: https://example.org/presse
    published: 2024-06-14
---
Text.
"""


def test_sources_in_the_current_schema_carry_their_dates() -> None:
    from ingest.sources import SourceDate, newest_published, oldest_check

    doc = load_bytes(NEW_SOURCES.encode(), "knowledge/x.md", Path("x.md"), LIMITS)
    first, report, press = doc.meta.sources
    assert first.title == "MHKBD NRW: Heimat-Scheck"
    assert first.published == SourceDate(2025, 3) and first.published.label() == "03/2025"
    assert first.checked == date(2026, 11, 26)
    assert report.published == SourceDate(2019) and report.published.label() == "2019"
    assert press.published is not None and press.published.label() == "14.06.2024"
    assert newest_published(doc.meta.sources) == SourceDate(2025, 3)
    assert oldest_check(doc.meta.sources) is None  # the press release was never checked
    assert doc.meta.warnings == ("Quelle ohne Prüfdatum (checked): https://example.org/presse",)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("  - title: X\n    url: ftp://example.org/x", "gültige Adresse"),
        ("  - title: X\n    url: https://example.org\n    published: März 2025", "'published'"),
        ("  - title: X\n    url: https://example.org\n    published: 2025-13", "gültiges Datum"),
        ("  - title: X\n    url: https://example.org\n    checked: 2999-01-01", "Zukunft"),
        ("  - title: X\n    url: https://example.org\n    checked: gestern", "'checked'"),
        ("  - title: X\n    url: https://example.org\n    seen: 2025", "Unbekannte Angaben"),
        ("  - [1, 2]", "title, url und checked"),
    ],
)
def test_malformed_sources_are_rejected_in_german(entry: str, reason: str) -> None:
    text = f"---\ntitle: T\nsources:\n{entry}\n---\nText.\n"
    with pytest.raises(DocumentRejected, match=reason):
        load_bytes(text.encode(), "knowledge/x.md", Path("x.md"), LIMITS)


def test_markdown_without_front_matter_takes_first_heading_as_title() -> None:
    doc = load_bytes(b"# Audioguides\n\nText.", "k/a.md", Path("a.md"), LIMITS)
    assert doc.meta.title == "Audioguides"
    assert doc.meta.stand is None


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("title: [unclosed", "kein gültiges YAML"),
        ("- just\n- a list", "Schlüssel-Wert-Paare"),
        ("stand: 26.11.2026", "JJJJ-MM-TT"),
        ("tags: {a: 1}", "Liste"),
    ],
)
def test_broken_front_matter_is_rejected_with_reason(front: str, reason: str) -> None:
    with pytest.raises(DocumentRejected, match=reason):
        load_bytes(f"---\n{front}\n---\n# T\n\nText".encode(), "k/x.md", Path("x.md"), LIMITS)


def test_unclosed_front_matter_is_rejected() -> None:
    with pytest.raises(DocumentRejected, match="nicht mit '---' geschlossen"):
        load_bytes(b"---\ntitle: x\n# T\n", "k/x.md", Path("x.md"), LIMITS)


def test_plain_text_title_is_first_line() -> None:
    doc = load_bytes(b"Newsletter-Tipps\n\nSchreiben Sie kurz.", "k/n.txt", Path("n.txt"), LIMITS)
    assert doc.meta.title == "Newsletter-Tipps"
    assert doc.kind == "text"


def test_pdf_text_and_title() -> None:
    data = make_pdf(
        [["Förderung für Museen", "Der Heimat-Scheck beträgt 2.000 Euro."]], title="Förderfibel"
    )
    doc = load_bytes(data, "k/f.pdf", Path("f.pdf"), LIMITS)
    assert doc.meta.title == "Förderfibel"
    assert "2.000 Euro" in doc.body
    assert doc.kind == "pdf"


def test_encrypted_pdf_is_rejected() -> None:
    data = encrypt_pdf(make_pdf([["Vertraulich"]]))
    with pytest.raises(DocumentRejected, match="passwortgeschützt"):
        load_bytes(data, "k/e.pdf", Path("e.pdf"), LIMITS)


def test_corrupt_pdf_is_rejected() -> None:
    data = make_pdf([["Text"]])[:120] + b"\x00garbage" * 20
    with pytest.raises(DocumentRejected, match="PDF"):
        load_bytes(data, "k/c.pdf", Path("c.pdf"), LIMITS)


def test_pdf_without_text_is_rejected() -> None:
    with pytest.raises(DocumentRejected, match="keinen auslesbaren Text"):
        load_bytes(make_pdf([[]]), "k/s.pdf", Path("s.pdf"), LIMITS)


def test_pdf_over_page_limit_is_rejected() -> None:
    data = make_pdf([["Seite"]] * 6)
    with pytest.raises(DocumentRejected, match="6 Seiten"):
        load_bytes(data, "k/p.pdf", Path("p.pdf"), LoaderLimits(max_pdf_pages=5))


def test_docx_headings_become_markdown() -> None:
    data = make_docx(
        "Social Media", [("Aufwand", "Zwei Stunden pro Woche."), ("Kanäle", "Instagram.")]
    )
    doc = load_bytes(data, "k/s.docx", Path("s.docx"), LIMITS)
    assert doc.meta.title == "Social Media"
    assert "## Aufwand" in doc.body
    assert "Zwei Stunden pro Woche." in doc.body


def test_broken_docx_is_rejected() -> None:
    with pytest.raises(DocumentRejected, match="DOCX"):
        load_bytes(b"PK\x03\x04 not really a zip", "k/b.docx", Path("b.docx"), LIMITS)


def test_html_drops_scripts_and_keeps_headings() -> None:
    html = (
        "<html><head><title>Podcast</title><script>alert('x')</script></head><body>"
        "<nav>Menü</nav><h1>Podcast im Museum</h1><p>Ein Mikrofon reicht.</p>"
        "<ul><li>Hosting</li></ul></body></html>"
    )
    doc = load_bytes(html.encode(), "k/p.html", Path("p.html"), LIMITS)
    assert doc.meta.title == "Podcast"
    assert "# Podcast im Museum" in doc.body
    assert "- Hosting" in doc.body
    assert "alert" not in doc.body
    assert "Menü" not in doc.body


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "leer.md", "leer"),
        (b"   \n\n ", "leer.txt", "leer"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bild.md", "Binärdatei"),
        ("Förderung".encode("latin-1"), "alt.txt", "UTF-8"),
        (b"x", "tabelle.xlsx", "nicht unterstützt"),
        (b"---\ntitle: Nur Kopf\n---\n", "kopf.md", "keinen Text"),
    ],
)
def test_unreadable_files_are_rejected(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(DocumentRejected, match=reason):
        load(data, name)


def test_file_over_size_limit_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "gross.md"
    path.write_bytes(b"# T\n\n" + b"x" * 2048)
    with pytest.raises(DocumentRejected, match="größer als"):
        load_file(path, "k/gross.md", LoaderLimits(max_bytes=1024))
