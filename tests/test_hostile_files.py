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

from bot.context import build_context, loader_limits
from bot.errors import InputRejected
from ingest.chunking import ChunkingConfig
from ingest.errors import DocumentRejected
from ingest.loaders import LoaderLimits, load_bytes
from ingest.sandbox import load_isolated
from tests.conftest import SettingsFactory
from tests.editor_fixtures import TODAY, EditorEnv, make_editor_env
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


# Bounded time and memory: every loader runs in a worker process (issue 12, finding 4)


def rejected_in_worker(data: bytes, name: str, limits: LoaderLimits = LIMITS) -> str:
    with pytest.raises(DocumentRejected) as caught:
        load_isolated(data, f"knowledge/{name}", Path(name), limits, ChunkingConfig())
    return caught.value.reason


def xobject_pdf(depth: int, fanout: int, text: bytes = b"(Hallo Welt) Tj") -> bytes:
    """One page that invokes a form XObject ``fanout`` times, which invokes the next one
    ``fanout`` times, ``depth`` levels deep: fanout**depth text operations in a few bytes."""
    font = 5 + depth
    calls = b" ".join([b"/X Do"] * fanout)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(calls) + calls + b"\nendstream",
    ]
    for level in range(depth):
        last = level == depth - 1
        body = b"BT /F1 11 Tf 72 700 Td " + text + b" ET" if last else calls
        resources = (
            b"/Font << /F1 %d 0 R >>" % font if last else b"/XObject << /X %d 0 R >>" % (6 + level)
        )
        objects.append(
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << "
            + resources
            + b" >> /Length %d >>\nstream\n" % len(body)
            + body
            + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return assemble_pdf(objects)


def many_paragraphs_docx(count: int) -> bytes:
    """A valid DOCX whose body holds ``count`` one-letter paragraphs (small when zipped)."""
    original = make_docx("Bericht", [("Teil", "Text.")])
    paragraph = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                head, body, rest = part.partition(b"<w:body>")
                part = head + body + paragraph * count + rest
            target.writestr(info.filename, part)
    return buffer.getvalue()


def nested_html(depth: int) -> bytes:
    return b"<html><body>" + b"<div><p>x" * depth + b"</body></html>"


def test_pdf_with_exponentially_nested_form_xobjects_is_stopped_in_time() -> None:
    # pypdf stops after 5,000 form invocations; each of them shows 3,000 text operations.
    data = xobject_pdf(depth=4, fanout=10, text=b"(Hallo Welt) Tj " * 3000)
    assert len(data) < 60_000
    reason = rejected_in_worker(data, "formular.pdf", LoaderLimits(max_seconds=3))
    assert reason == (
        "Die Datei lässt sich nicht in 3 Sekunden auslesen und wird nicht verarbeitet."
    )


def test_docx_with_a_hundred_thousand_paragraphs_is_stopped_in_time() -> None:
    data = many_paragraphs_docx(150_000)
    assert len(data) < 1_000_000
    assert "nicht in 2 Sekunden" in rejected_in_worker(
        data, "absaetze.docx", LoaderLimits(max_seconds=2)
    )


def test_deeply_nested_html_is_stopped_by_the_text_cap() -> None:
    # Every <p> repeats the text of all its descendants: quadratic text from linear markup.
    assert "mehr als 500.000 Zeichen" in rejected_in_worker(nested_html(5000), "tief.html")


def test_deeply_nested_html_is_stopped_by_the_memory_limit() -> None:
    limits = LoaderLimits(max_memory_bytes=80 * 1024 * 1024)
    assert "Arbeitsspeicher" in rejected_in_worker(nested_html(20_000), "tief.html", limits)


def test_tiny_pdf_expanding_to_hundreds_of_chunks_is_refused(editor_env: EditorEnv) -> None:
    data = xobject_pdf(depth=2, fanout=20, text=b"(" + b"Wort " * 200 + b") Tj")
    assert len(data) < 2500
    reason = rejected_in_worker(data, "vervielfacht.pdf")
    assert reason == (
        "Die Datei ergibt 400 Textabschnitte; erlaubt sind höchstens 200. Bitte in kleinere "
        "Dokumente aufteilen."
    )
    assert "höchstens 200" in rejected_by_upload(editor_env, data, "vervielfacht.pdf")


def test_slow_upload_is_refused_and_leaves_nothing_behind(
    settings_factory: SettingsFactory, tmp_path: Path
) -> None:
    settings = settings_factory(
        database_url=f"sqlite:///{tmp_path / 'slow.sqlite3'}", editor_ids="[42]", loader_timeout_s=2
    )
    ctx = build_context(settings)
    env = EditorEnv(settings, ctx, ctx.db, ctx.document_service(today=lambda: TODAY))
    data = xobject_pdf(depth=4, fanout=10, text=b"(Hallo Welt) Tj " * 3000)
    reason = rejected_by_upload(env, data, "formular.pdf")
    assert "nicht in 2 Sekunden" in reason


def test_limits_come_from_the_settings(settings_factory: SettingsFactory) -> None:
    limits = loader_limits(
        settings_factory(
            max_document_chars=90_000,
            max_chunks_per_file=50,
            loader_timeout_s=7,
            loader_memory_mb=512,
        )
    )
    assert (limits.max_text_chars, limits.max_chunks, limits.max_seconds) == (90_000, 50, 7)
    assert limits.max_memory_bytes == 512 * 1024 * 1024
    assert limits.isolate


def test_worker_reads_ordinary_files_like_the_loader() -> None:
    data = make_docx("Bericht", [("Teil", "Ein ganz normaler Text.")])
    doc, chunks = load_isolated(data, "knowledge/b.docx", Path("b.docx"), LIMITS, ChunkingConfig())
    assert doc == load_bytes(data, "knowledge/b.docx", Path("b.docx"), LIMITS)
    assert [c.text for c in chunks] == ["Ein ganz normaler Text."]


# Topics cannot leave the knowledge folder (issue 12, finding 2)

HOSTILE_TOPICS = ["../../ausserhalb", "/tmp/dt-absolut", "..", "foo/../../bar", "~", "a\\..\\b"]


def wegweiser(topic: str) -> bytes:
    quoted = topic.replace("'", "''")
    return (
        f"---\ntitle: Wegweiser\ntopic: '{quoted}'\n---\n# Wegweiser\n\n"
        "Der Heimat-Scheck fördert Vereine mit 2.000 Euro.\n"
    ).encode()


@pytest.mark.parametrize("topic", HOSTILE_TOPICS)
def test_topic_in_front_matter_cannot_write_outside(editor_env: EditorEnv, topic: str) -> None:
    knowledge = editor_env.settings.knowledge_dir
    reason = rejected_by_upload(editor_env, wegweiser(topic), "wegweiser.md")
    assert "Pfadangaben" in reason or "kein gültiger Themenname" in reason
    assert not (knowledge / topic / "wegweiser.md").exists()
    assert not list(knowledge.parent.parent.rglob("wegweiser.md"))


@pytest.mark.parametrize("topic", HOSTILE_TOPICS)
def test_topic_chosen_by_the_editor_cannot_write_outside(editor_env: EditorEnv, topic: str) -> None:
    before = editor_env.snapshot()
    data = make_pdf([["Der Heimat-Scheck fördert Vereine mit 2.000 Euro."]])
    with pytest.raises(InputRejected):
        editor_env.service.add(data, "wegweiser.pdf", "telegram:42", topic=topic)
    key = editor_env.service.documents()[0].source
    with pytest.raises(InputRejected):
        editor_env.service.set_topic(key, topic, "telegram:42")
    assert editor_env.snapshot() == before


def test_topic_is_normalised_to_a_folder_name(editor_env: EditorEnv) -> None:
    result = editor_env.service.add(wegweiser("Kultur & Förderung"), "wegweiser.md", "t:42")
    assert result.document.source.endswith("/kultur-foerderung/wegweiser.md")
    stored = editor_env.settings.knowledge_dir / "kultur-foerderung" / "wegweiser.md"
    assert "topic: kultur-foerderung" in stored.read_text(encoding="utf-8")


def test_topic_folder_linked_outside_is_refused(editor_env: EditorEnv, tmp_path: Path) -> None:
    outside = tmp_path / "draussen"
    outside.mkdir()
    (editor_env.settings.knowledge_dir / "extern").symlink_to(outside, target_is_directory=True)
    reason = rejected_by_upload(editor_env, wegweiser("extern"), "wegweiser.md")
    assert "außerhalb des Wissensordners" in reason
    assert list(outside.iterdir()) == []


def test_sources_from_a_tampered_manifest_map_to_no_path(editor_env: EditorEnv) -> None:
    name = editor_env.settings.knowledge_dir.resolve().name
    for source in (f"{name}/../../etc/passwd", "/etc/passwd", f"{name}/a/../../x.md", name):
        assert editor_env.service.path_of(source) is None
    assert editor_env.service.path_of(f"{name}/thema/x.md") is not None


# YAML aliases and user values in reasons (issue 12, finding 3)

ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize("key", ["stand", "original_file", "tags", "sources"])
def test_yaml_alias_bomb_is_refused_everywhere(editor_env: EditorEnv, key: str) -> None:
    data = f"---\ntitle: Bombe\n{ALIAS_BOMB}{key}: *i\n---\n# Bombe\n\nText.\n".encode()
    assert len(data) < 600
    reason = rejected_by_loader(data, "bombe.md")
    assert "Anker oder -Verweise" in reason and "lol" not in reason
    assert "Anker oder -Verweise" in rejected_by_upload(editor_env, data, "bombe.md")


def test_anchor_without_alias_is_refused_too() -> None:
    data = b"---\ntitle: &t Titel\n---\n# T\n\nText.\n"
    assert "Zeile 2" in rejected_by_loader(data, "anker.md")


def test_stored_document_with_an_alias_bomb_reads_as_empty(editor_env: EditorEnv) -> None:
    result = editor_env.service.add(wegweiser("foerderung"), "wegweiser.md", "t:42", "foerderung")
    path = editor_env.service.path_of(result.document.source)
    assert path is not None
    path.write_text(f"---\ntitle: W\n{ALIAS_BOMB}original_file: *i\n---\n# W\n\nText.\n")
    info = editor_env.service.find(result.document.source)
    assert editor_env.service.front_matter_of(info) == {}
    with pytest.raises(InputRejected, match="kann nicht gelesen werden"):
        editor_env.service.set_valid_until(info.source, TODAY, "t:42")


@pytest.mark.parametrize(
    "front",
    [
        "stand: GEHEIM-4711",
        "valid_until: GEHEIM-4711",
        "sources:\n  - GEHEIM-4711",
        "sources:\n  - url: https://example.org/GEHEIM-4711 x",
        "sources:\n  - title: T\n    url: https://example.org\n    published: GEHEIM-4711",
        "sources:\n  - title: T\n    url: https://example.org\n    checked: GEHEIM-4711",
        "sources:\n  - [GEHEIM-4711]",
        "title: [GEHEIM-4711",
        "title: 'GEHEIM-4711\n  - x: y: z",
    ],
)
def test_reasons_never_quote_the_document(front: str) -> None:
    reason = rejected_by_loader(f"---\n{front}\n---\n# T\n\nText.\n".encode(), "w.md")
    assert "GEHEIM" not in reason
    assert len(reason) <= 300


def test_reasons_are_capped_in_length() -> None:
    assert len(DocumentRejected("Grund " * 200).reason) == 300
    unknown = "\n".join(f"    feld{i}{'x' * 80}: 1" for i in range(50))
    data = f"---\nsources:\n  - url: https://example.org\n{unknown}\n---\nText.\n".encode()
    assert len(rejected_by_loader(data, "felder.md")) <= 300
