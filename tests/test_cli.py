"""The command line: ask, search, chat and configuration errors, plus the real entry points.

Commands run in process through ``bot.cli.main`` (``tests/cli_harness.py``); two tests start a
real interpreter, through ``python -m bot.cli`` and through the installed ``digitalteam`` script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_harness import REPO, CliRun, run_cli
from tests.conftest import SettingsFactory

Run = Callable[..., CliRun]


@pytest.fixture
def root(settings_factory: SettingsFactory) -> Path:
    return settings_factory().data_dir.parent


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    def run(
        root: Path, *args: str, stdin: str = "", extra_env: dict[str, str] | None = None
    ) -> CliRun:
        return run_cli(monkeypatch, root, *args, stdin=stdin, env=extra_env)

    return run


def subprocess_env(root: Path) -> dict[str, str]:
    """A clean environment for a real process; PYTHONPATH makes it run this checkout's code."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(root),
        "PYTHONPATH": str(REPO),
        "DT_DATA_DIR": str(root / "data"),
        "DT_KNOWLEDGE_DIR": str(root / "knowledge"),
        "DT_LOG_LEVEL": "WARNING",
    }


@pytest.mark.slow
def test_python_m_bot_cli_answers_in_a_new_process(root: Path, run: Run) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "Wie hoch ist der Heimat-Scheck?"],
        env=subprocess_env(root),
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["answerable"]
    assert reply["citations"][0]["path"] == "knowledge/foerderung/heimat-scheck.md"


@pytest.mark.slow
def test_installed_digitalteam_script_runs_commands(root: Path, run: Run) -> None:
    script = Path(sys.executable).parent / "digitalteam"
    assert script.exists(), "the console script is missing: pip install -e ."
    env = subprocess_env(root)
    done = subprocess.run(
        [str(script), "docs", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Heimat-Scheck" in [d["title"] for d in json.loads(done.stdout)]
    bad = subprocess.run(
        [str(script), "ask", "x"],
        env={**env, "DT_CHUNK_SIZE": "zehn"},
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
        timeout=120,
    )
    assert bad.returncode == 2 and "DT_CHUNK_SIZE" in bad.stderr


def test_ask_json_reads_questions_from_stdin_in_order(root: Path, run: Run) -> None:
    questions = (
        "Wie hoch ist der Heimat-Scheck?\n\nWie wird das Wetter morgen?\nIch möchte einen Termin.\n"
    )
    done = run(root, "ask", "--json", "-", stdin=questions)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["question"] for d in lines] == [
        "Wie hoch ist der Heimat-Scheck?",
        "Wie wird das Wetter morgen?",
        "Ich möchte einen Termin.",
    ]
    first = lines[0]
    assert set(first) == {
        "question",
        "answer",
        "citations",
        "confidence",
        "answerable",
        "handoff_suggested",
        "out_of_scope",
    }
    assert (
        first["answerable"]
        and first["citations"][0]["path"] == "knowledge/foerderung/heimat-scheck.md"
    )
    assert set(first["citations"][0]) == {
        "n",
        "title",
        "path",
        "heading",
        "url",
        "published",
        "checked",
        "stand",
    }
    assert lines[1]["out_of_scope"] and not lines[1]["answerable"]
    assert lines[2]["handoff_suggested"]


def test_ask_single_question_plain_text(root: Path, run: Run) -> None:
    done = run(root, "ask", "Bis wann kann man bei der LWL-Kulturstiftung einreichen?")
    assert done.returncode == 0, done.stderr
    assert "28. Februar" in done.stdout and "Quellen:" in done.stdout and "Stand" in done.stdout


def test_search_json(root: Path, run: Run) -> None:
    done = run(root, "search", "--json", "-k", "3", "-", stdin="Instagram Aufwand\nHeimat-Scheck\n")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results[0]["query"] == "Instagram Aufwand"
    top = results[0]["results"][0]
    assert set(top) == {"rank", "path", "title", "heading", "score"}
    assert top["rank"] == 1 and top["path"] == "knowledge/kommunikation/instagram.md"
    assert len(results[1]["results"]) <= 3


def test_search_rejects_bad_k(root: Path, run: Run) -> None:
    done = run(root, "search", "-k", "0", "x")
    assert done.returncode == 2 and "-k" in done.stderr


def test_chat_console_reset_and_eof(root: Path, run: Run) -> None:
    done = run(root, "chat", stdin="Wie hoch ist der Heimat-Scheck?\n/neu\nUnd da?\n")
    assert done.returncode == 0, done.stderr
    assert "2.000 Euro" in done.stdout
    assert "Neues Gespräch begonnen." in done.stdout
    assert done.stdout.rstrip().endswith("Auf Wiedersehen!")


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DT_CHUNK_SIZE": "zehn"}, "DT_CHUNK_SIZE"),
        ({"DT_EMBEDDING_MODEL": "word2vec"}, "DT_EMBEDDING_MODEL"),
        ({"DT_LLM_BASE_URL": "kein-url"}, "DT_LLM_BASE_URL"),
        ({"DT_LLM_TIMEOUT_S": "-1"}, "DT_LLM_TIMEOUT_S"),
    ],
)
def test_wrong_setting_fails_at_start_naming_it(
    root: Path, run: Run, env: dict[str, str], name: str
) -> None:
    done = run(root, "ask", "x", extra_env=env)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Konfigurationsfehler: {name} – ")


def test_llm_url_without_model_is_explained(root: Path, run: Run) -> None:
    done = run(root, "ask", "x", extra_env={"DT_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert done.returncode == 2 and "DT_LLM_MODEL" in done.stderr
