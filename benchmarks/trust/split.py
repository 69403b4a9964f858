"""Assign the fixed tuning/held-out split once (by SHA-1 of the question) and write it to the files.

Records that already carry a split keep it: the split is frozen the first time it is assigned, so
editing a question later does not move it to the other part. Run: ``python -m benchmarks.trust.split``.
"""

from __future__ import annotations

import hashlib
import json
import sys

from benchmarks.trust.data import DATA_DIR


def split_for(text: str) -> str:
    """'heldout' for half of the questions, decided by the hash of the normalised text."""
    key = " ".join(text.lower().split()).encode("utf-8")
    return "heldout" if int(hashlib.sha1(key).hexdigest(), 16) % 2 else "tuning"


def main() -> int:
    assigned = 0
    for path in sorted(DATA_DIR.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        for row in rows:
            if "split" not in row:
                first = row["turns"][0]["question"] if "turns" in row else row["question"]
                row["split"] = split_for(first)
                assigned += 1
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    print(f"assigned {assigned} splits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
