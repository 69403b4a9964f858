"""Scale-out mode: the index in a Chroma server started as `chroma run`, reached over HTTP; the
manifest is checked against the server as against the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.context import build_context
from ingest.chunking import ChunkingConfig
from ingest.errors import IndexIncomplete
from ingest.sync import sync
from tests.conftest import FIXTURE_CORPUS, make_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("chroma server did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def test_ingest_and_answer_through_chroma_server(tmp_path: Path, chroma_server: int) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_CORPUS, knowledge)
    settings = make_settings(
        tmp_path / "data", knowledge, chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    ctx = build_context(settings)
    report = sync(ctx.index, [knowledge], knowledge, ctx.limits, ChunkingConfig())
    assert not report.failed
    assert not (
        tmp_path / "data" / "chroma"
    ).exists()  # nothing embedded on disk: vectors live in the server
    reply = ctx.engine.reply("s", "Wie hoch ist der Heimat-Scheck?")
    assert reply.answerable
    assert reply.citations[0].path == "knowledge/foerderung/heimat-scheck.md"
    second = sync(ctx.index, [knowledge], knowledge, ctx.limits, ChunkingConfig())
    assert len(second.unchanged) == len(report.added)


def test_chunks_lost_on_the_server_are_found_and_repaired(
    tmp_path: Path, chroma_server: int
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_CORPUS / "kommunikation", knowledge / "kommunikation")
    shutil.copytree(FIXTURE_CORPUS / "vermittlung", knowledge / "vermittlung")
    settings = make_settings(
        tmp_path / "data", knowledge, chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    ctx = build_context(settings)
    sync(ctx.index, [knowledge], knowledge, ctx.limits, ChunkingConfig())
    lost = "knowledge/vermittlung/qr-codes.md"
    other = build_context(settings)  # a second client deletes vectors behind the first one's back
    other.index.collection.delete(ids=other.index.manifest.files[lost].chunk_ids)
    other.close()

    health = ctx.index.verify()
    assert list(health.missing) == [lost]
    with pytest.raises(IndexIncomplete):
        ctx.index.require_complete()
    report = sync(ctx.index, [knowledge], knowledge, ctx.limits, ChunkingConfig())
    assert report.updated == [lost]
    assert ctx.index.verify().ok
    ctx.close()
