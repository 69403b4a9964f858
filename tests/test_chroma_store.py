"""The Chroma handles: a reopen waits for the searches and writes that hold them."""

from __future__ import annotations

import threading
from pathlib import Path

from ingest.chroma import COLLECTION, ChromaConfig, ChromaStore


def test_reopen_waits_until_no_one_uses_the_handles(tmp_path: Path) -> None:
    store = ChromaStore(ChromaConfig(tmp_path / "chroma"))
    first = store.collection(COLLECTION)
    reopened = threading.Event()

    def reopen() -> None:
        store.reopen()
        reopened.set()

    with store.using():
        worker = threading.Thread(target=reopen)
        worker.start()
        assert not reopened.wait(0.2)  # still in use: the handle stays valid
        assert first.count() == 0
    worker.join(10)
    assert reopened.is_set()
    second = store.collection(COLLECTION)
    assert second is not first and second.count() == 0
    store.close()
