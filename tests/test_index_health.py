"""A damaged index is noticed and repaired: lost Chroma vectors, a corrupt manifest, and an ingest
by a second process that a serving process must pick up in its dense search.

The commands run in process (``tests/cli_harness.py``); the second process is a real one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.context import build_context
from bot.settings import Settings
from tests.cli_harness import REPO, CliRun, run_cli
from tests.conftest import SettingsFactory, make_settings

Run = Callable[..., CliRun]
QUESTION = "Wie hoch ist der Heimat-Scheck?"
HEIMAT_SCHECK = "knowledge/foerderung/heimat-scheck.md"
NEW_DOC = """---
title: Bienenhotel im Museumsgarten
topic: vermittlung
stand: 2026-11-01
---
# Bienenhotel im Museumsgarten

## Bau
Ein Bienenhotel aus Hartholz mit Bohrlöchern von drei bis neun Millimetern zieht Wildbienen an;
Schulklassen bauen es an einem Projekttag und beobachten den Einzug im Frühjahr.
"""


@pytest.fixture
def root(settings_factory: SettingsFactory) -> Path:
    return settings_factory().data_dir.parent


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    def run(root: Path, *args: str, env: dict[str, str] | None = None) -> CliRun:
        return run_cli(monkeypatch, root, *args, env=env)

    return run


def _stored_ids(root: Path) -> set[str]:
    ctx = build_context(_settings(root))
    try:
        return set(ctx.index.collection.get(include=[])["ids"])
    finally:
        ctx.close()


def _settings(root: Path) -> Settings:
    return make_settings(root / "data", root / "knowledge")


def _live_ids(root: Path) -> set[str]:
    manifest = json.loads((root / "data" / "manifest.json").read_text(encoding="utf-8"))
    return {cid for entry in manifest["files"].values() for cid in entry["chunk_ids"]}


def test_lost_chroma_directory_is_reported_and_repaired_by_ingest(root: Path, run: Run) -> None:
    shutil.rmtree(root / "data" / "chroma")

    ask = run(root, "ask", QUESTION)
    assert ask.returncode == 2
    assert "Indexfehler: DT_DATA_DIR – Index unvollständig: 19 von 19 Abschnitten" in ask.stderr
    assert "digitalteam ingest" in ask.stderr and "Traceback" not in ask.stderr

    doctor = run(root, "doctor")
    assert doctor.returncode == 2
    (chroma,) = [line for line in doctor.stdout.splitlines() if "Chroma:" in line]
    assert chroma.startswith("FEHLER") and "19 von 19 Abschnitten (6 Dokumente) fehlen" in chroma

    ingest = run(root, "ingest", "--json")
    assert ingest.returncode == 0, ingest.stderr
    assert json.loads(ingest.stdout) | {"failed": []} == {
        "added": 0,
        "updated": 6,
        "removed": 0,
        "unchanged": 0,
        "failed": [],
    }
    assert "Repariert: 6 von 6 Dokumenten" in ingest.stderr
    assert _stored_ids(root) == _live_ids(root)

    answer = run(root, "ask", "--json", QUESTION)
    assert answer.returncode == 0
    assert json.loads(answer.stdout)["citations"][0]["path"] == HEIMAT_SCHECK
    again = run(root, "ingest", "--json")
    assert json.loads(again.stdout)["unchanged"] == 6  # repaired for good, nothing left to do


def test_ingest_re_embeds_only_the_documents_whose_chunks_are_missing(root: Path, run: Run) -> None:
    ctx = build_context(_settings(root))
    lost = ctx.index.manifest.files[HEIMAT_SCHECK].chunk_ids
    ctx.index.collection.delete(ids=lost[:1])
    health = ctx.index.verify()
    ctx.close()
    assert health.missing == {HEIMAT_SCHECK: 1}
    assert health.listed == 19 and health.stored == 18

    done = run(root, "ingest", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0
    assert (report["updated"], report["unchanged"]) == (1, 5)
    assert _stored_ids(root) == _live_ids(root)


def test_chunks_still_missing_after_ingest_fail_loudly(root: Path, run: Run) -> None:
    ctx = build_context(_settings(root))
    ctx.index.collection.delete(ids=ctx.index.manifest.files[HEIMAT_SCHECK].chunk_ids)
    ctx.close()

    # only another folder is ingested: the Heimat-Scheck cannot be repaired by this run
    done = run(root, "ingest", str(root / "knowledge" / "kommunikation"))
    assert done.returncode == 2
    assert "Indexfehler: DT_KNOWLEDGE_DIR – Abschnitte von 1 Dokumenten fehlen weiterhin" in (
        done.stderr
    )
    assert HEIMAT_SCHECK in done.stderr

    repaired = run(root, "ingest")
    assert repaired.returncode == 0 and _stored_ids(root) == _live_ids(root)


def test_corrupt_manifest_stops_readers_and_ingest_rebuilds_without_stale_vectors(
    root: Path, run: Run
) -> None:
    extra = root / "knowledge" / "vermittlung" / "bienenhotel.md"
    extra.write_text(NEW_DOC, encoding="utf-8")
    assert run(root, "ingest").returncode == 0
    manifest = root / "data" / "manifest.json"
    files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    stale = set(files["knowledge/vermittlung/bienenhotel.md"]["chunk_ids"])
    extra.unlink()  # its vectors stay in Chroma, and the manifest that lists them breaks
    broken = manifest.read_text(encoding="utf-8")[:200]
    manifest.write_text(broken, encoding="utf-8")

    for command in (["ask", QUESTION], ["chat"], ["docs", "list"], ["search", "Förderung"]):
        done = run(root, *command)
        assert done.returncode == 2, command
        assert done.stderr.startswith("Indexfehler: DT_DATA_DIR – "), done.stderr
        assert "manifest.json ist beschädigt" in done.stderr and "Traceback" not in done.stderr

    done = run(root, "ingest", "--json")
    assert done.returncode == 0, done.stderr
    assert "war beschädigt und liegt jetzt unter manifest.json.corrupt-" in done.stderr
    assert json.loads(done.stdout)["added"] == 6
    (aside,) = (root / "data").glob("manifest.json.corrupt-*")
    assert aside.read_text(encoding="utf-8") == broken  # kept for a look
    stored = _stored_ids(root)
    assert stored == _live_ids(root)
    assert not stale & stored
    assert run(root, "ask", QUESTION).returncode == 0


@pytest.mark.slow
def test_serving_context_sees_an_ingest_of_another_process_in_dense_search(
    settings_factory: SettingsFactory,
) -> None:
    settings = settings_factory()
    serving = build_context(settings)
    retriever = serving.retriever
    query = serving.embedder.embed_query("Bienenhotel mit Bohrlöchern für Wildbienen bauen")
    before = retriever.corpus().generation
    (settings.knowledge_dir / "vermittlung" / "bienenhotel.md").write_text(NEW_DOC, "utf-8")

    env = {
        "PATH": "",
        "HOME": str(settings.data_dir.parent),
        "PYTHONPATH": str(REPO),
        "DT_DATA_DIR": str(settings.data_dir),
        "DT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "DT_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ingest", "--json"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 1

    corpus = retriever.corpus()  # the reload check: a new generation on disk
    assert corpus.generation > before
    new_ids = set(corpus.manifest.files["knowledge/vermittlung/bienenhotel.md"].chunk_ids)
    dense = [cid for cid, _ in serving.index.dense_search(query, 3)]
    assert dense[0] in new_ids  # found by the vectors, not only by BM25
    result = retriever.search("Wie baut man ein Bienenhotel?", k=3)
    assert result.hits[0].source == "knowledge/vermittlung/bienenhotel.md"
    assert result.hits[0].dense is not None
    serving.close()
