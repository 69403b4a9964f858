"""Hostile files, generated here: each is refused with a German reason in bounded memory.

Every case goes through the loader (as ``digitalteam ingest`` reads files) and through the
editors' upload service, which must leave the knowledge directory and the index untouched.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.errors import InputRejected
from ingest.errors import DocumentRejected
from ingest.loaders import LoaderLimits, load_bytes
from tests.conftest import SettingsFactory
from tests.editor_fixtures import EditorEnv, make_editor_env
from tests.samples import assemble_pdf, encrypt_pdf, make_docx, make_pdf

LIMITS = LoaderLimits()
MAX_PEAK_BYTES = 150 * 1024 * 1024


@pytest.fixture
def editor_env(settings_factory: SettingsFactory, tmp_path: Path) -> EditorEnv:
    return make_editor_env(settings_factory, tmp_path)


def _pdf(objects: list[bytes]) -> bytes:
    return assemble_pdf(objects)


def pdf_bomb(unpacked: int) -> bytes:
    """One page whose content stream inflates to ``unpacked`` bytes of text operators."""
    unit = b"BT /F1 11 Tf 72 700 Td (Bombe) Tj ET\n" * 10_000
    packer = zlib.compressobj(9)
    stream = b"".join(packer.compress(unit) for _ in range(unpacked // len(unit))) + packer.flush()
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def docx_with_extra_part(name: str, data: bytes) -> bytes:
    """A valid DOCX plus one more (deflated) part."""
    buffer = io.BytesIO(make_docx("Bericht", [("Teil", "Text.")]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def lie_about_sizes(data: bytes, name: str, claimed: int) -> bytes:
    """Patch the uncompressed size of one zip entry in both headers to ``claimed``."""
    raw = bytearray(data)
    encoded = name.encode()
    local = raw.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", raw, local + 26)[0]
        if raw[local + 30 : local + 30 + name_len] == encoded:
            struct.pack_into("<I", raw, local + 22, claimed)
        local = raw.find(b"PK\x03\x04", local + 4)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_len] == encoded:
            struct.pack_into("<I", raw, central + 24, claimed)
        central = raw.find(b"PK\x01\x02", central + 4)
    return bytes(raw)


def rejected_by_loader(data: bytes, name: str) -> str:
    tracemalloc.start()
    try:
        with pytest.raises(DocumentRejected) as caught:
            load_bytes(data, f"knowledge/{name}", Path(name), LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK_BYTES, f"peak {peak / 1e6:.0f} MB"
    return caught.value.reason


def rejected_by_upload(env: EditorEnv, data: bytes, name: str) -> str:
    before = env.snapshot()
    chunks_before = env.chroma_ids()
    with pytest.raises(InputRejected) as caught:
        env.service.add(data, name, "telegram:42")
    assert env.snapshot() == before
    assert env.chroma_ids() == chunks_before
    assert env.audit.entries() == []
    return caught.value.user_message


def test_pdf_with_thousands_of_pages(editor_env: EditorEnv) -> None:
    data = make_pdf([["Seite"]] * 3000)
    assert "3000 Seiten" in rejected_by_loader(data, "dick.pdf")
    assert "höchstens 500" in rejected_by_upload(editor_env, data, "dick.pdf")


def test_pdf_decompression_bomb(editor_env: EditorEnv) -> None:
    data = pdf_bomb(200_000_000)
    assert len(data) < 1_000_000
    assert "Dekompressionsbombe" in rejected_by_loader(data, "bombe.pdf")
    assert "Dekompressionsbombe" in rejected_by_upload(editor_env, data, "bombe.pdf")


def test_pdf_with_a_huge_token_stream() -> None:
    # Inflates to only 1 MB, under the byte budget, but its 190,000 operators exceed the
    # (here lowered) parsing budget; the default of 500,000 bounds one page to about 4 seconds.
    data = pdf_bomb(1_000_000)
    limits = LoaderLimits(max_pdf_stream_tokens=50_000)
    with pytest.raises(DocumentRejected, match="Dekompressionsbombe"):
        load_bytes(data, "knowledge/dicht.pdf", Path("dicht.pdf"), limits)


def test_docx_zip_bomb(editor_env: EditorEnv) -> None:
    bomb = docx_with_extra_part("word/media/bombe.bin", b"\0" * 50_000_000)
    assert len(bomb) < 200_000
    assert "ZIP-Bombe" in rejected_by_loader(bomb, "bombe.docx")
    assert "ZIP-Bombe" in rejected_by_upload(editor_env, bomb, "bombe.docx")


def test_docx_zip_bomb_with_lying_size_headers(editor_env: EditorEnv) -> None:
    # The main part inflates to 50 MB but claims 2,000 bytes: reading stops at the claim.
    original = make_docx("Bericht", [("Teil", "Text.")])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                part += b"<!--" + b" " * 50_000_000 + b"-->"
            target.writestr(info.filename, part)
    bomb = lie_about_sizes(buffer.getvalue(), "word/document.xml", 2000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 2000
    assert "beschädigt" in rejected_by_loader(bomb, "luege.docx")
    assert "beschädigt" in rejected_by_upload(editor_env, bomb, "luege.docx")


def test_docx_with_external_entities(editor_env: EditorEnv, tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("STRENG-GEHEIM-4711")
    data = make_docx("Bericht", [("Teil", "Text.")])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = part.partition(b"?>")
                doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                part = head + b"?>" + doctype.encode() + rest.replace(b"Text.", b"&xxe;", 1)
            target.writestr(info, part)
    xxe = buffer.getvalue()
    reason = rejected_by_loader(xxe, "xxe.docx")
    assert "externe Entitäten" in reason
    assert "STRENG-GEHEIM" not in reason
    assert "externe Entitäten" in rejected_by_upload(editor_env, xxe, "xxe.docx")


def test_wrong_extension(editor_env: EditorEnv) -> None:
    pdf = make_pdf([["Förderung für Museen: Der Heimat-Scheck beträgt 2.000 Euro."]])
    # The loader picks by suffix and names what the file really is.
    assert "ein PDF" in rejected_by_loader(pdf, "tarnung.md")
    assert "sondern ein Bild (PNG)" in rejected_by_loader(b"\x89PNG\r\n\x1a\n" + b"x" * 50, "b.pdf")
    # Uploads are judged by content: an image named .pdf is refused, a PDF named .docx is read.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
    assert "Bild (PNG)" in rejected_by_upload(editor_env, png, "foerderung.pdf")
    result = editor_env.service.add(pdf, "heimatscheck-info.docx", "telegram:42", "foerderung")
    assert result.detected == "PDF"
    assert result.document.source.endswith("foerderung/heimatscheck-info.md")


def test_empty_file(editor_env: EditorEnv) -> None:
    assert "leer" in rejected_by_loader(b"", "leer.pdf")
    assert "leer" in rejected_by_loader(b" \n\t ", "leer.md")
    assert "leer" in rejected_by_upload(editor_env, b"", "leer.pdf")
    assert "leer" in rejected_by_upload(editor_env, b"\n\n", "leer.txt")


def test_password_protected_pdf(editor_env: EditorEnv) -> None:
    locked = encrypt_pdf(make_pdf([["Vertraulicher Förderbescheid"]]))
    assert "passwortgeschützt" in rejected_by_loader(locked, "geheim.pdf")
    assert "passwortgeschützt" in rejected_by_upload(editor_env, locked, "geheim.pdf")


def test_pdf_with_only_an_owner_password_is_read() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([["Druckschutz, lesbar"]]))))
    writer.encrypt(user_password="", owner_password="eigentuemer")
    buffer = io.BytesIO()
    writer.write(buffer)
    doc = load_bytes(buffer.getvalue(), "k/o.pdf", Path("o.pdf"), LIMITS)
    assert "Druckschutz" in doc.body


def test_non_utf8_text(editor_env: EditorEnv) -> None:
    latin1 = "Förderung für Heimatvereine".encode("latin-1")
    utf16 = "Förderung für Heimatvereine".encode("utf-16")
    assert "nicht UTF-8" in rejected_by_loader(latin1, "alt.txt")
    assert "UTF-16" in rejected_by_loader(utf16, "alt.md")
    assert "nicht UTF-8" in rejected_by_upload(editor_env, latin1, "alt.txt")
    assert "UTF-16" in rejected_by_upload(editor_env, utf16, "alt.txt")


def test_other_office_formats_are_named(editor_env: EditorEnv) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel-Tabelle" in rejected_by_upload(editor_env, buffer.getvalue(), "liste.docx")
    old_word = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    assert "passwortgeschütztes Office-Dokument" in rejected_by_upload(
        editor_env, old_word, "alt.doc"
    )


def test_too_much_text_is_refused() -> None:
    data = ("# Riesig\n\n" + "Wort " * 50_000).encode()
    with pytest.raises(DocumentRejected, match=r"mehr als 100\.000 Zeichen"):
        load_bytes(data, "k/r.md", Path("r.md"), LoaderLimits(max_text_chars=100_000))
