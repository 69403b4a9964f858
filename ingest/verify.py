"""Does the vector store hold every chunk the manifest lists? (A lost Chroma directory would
otherwise look like an index that simply knows nothing.)

The check compares the collection's count with the manifest and then asks Chroma for the
manifest's chunk ids in batches (ids only, no vectors), so it costs milliseconds for thousands of
chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.manifest import Manifest

BATCH = 500


@dataclass(frozen=True)
class IndexHealth:
    """What the manifest lists against what the vector store holds."""

    listed: int
    stored: int
    missing: dict[str, int] = field(default_factory=dict)  # source -> chunks missing

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def missing_chunks(self) -> int:
        return sum(self.missing.values())


def check_chunks(manifest: Manifest, collection: Any, batch: int = BATCH) -> IndexHealth:
    """Compare the manifest's chunk ids with the ids stored in ``collection``."""
    owner = {cid: source for source, entry in manifest.files.items() for cid in entry.chunk_ids}
    stored = int(collection.count())
    if not owner:
        return IndexHealth(0, stored)
    ids = list(owner)
    present: set[str] = set()
    for i in range(0, len(ids), batch):
        present.update(collection.get(ids=ids[i : i + batch], include=[])["ids"])
    missing: dict[str, int] = {}
    for cid in ids:
        if cid not in present:
            missing[owner[cid]] = missing.get(owner[cid], 0) + 1
    return IndexHealth(len(ids), stored, dict(sorted(missing.items())))
