"""The command line as a subprocess: ask, search, chat and configuration errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SettingsFactory


def run(
    settings_dir: Path, *args: str, stdin: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(settings_dir),
        "DT_DATA_DIR": str(settings_dir / "data"),
        "DT_KNOWLEDGE_DIR": str(settings_dir / "knowledge"),
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )


@pytest.fixture
def root(settings_factory: SettingsFactory) -> Path:
    return settings_factory().data_dir.parent


def test_ask_json_reads_questions_from_stdin_in_order(root: Path) -> None:
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


def test_ask_single_question_plain_text(root: Path) -> None:
    done = run(root, "ask", "Bis wann kann man bei der LWL-Kulturstiftung einreichen?")
    assert done.returncode == 0, done.stderr
    assert "28. Februar" in done.stdout and "Quellen:" in done.stdout and "Stand" in done.stdout


def test_search_json(root: Path) -> None:
    done = run(root, "search", "--json", "-k", "3", "-", stdin="Instagram Aufwand\nHeimat-Scheck\n")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert results[0]["query"] == "Instagram Aufwand"
    top = results[0]["results"][0]
    assert set(top) == {"rank", "path", "title", "heading", "score"}
    assert top["rank"] == 1 and top["path"] == "knowledge/kommunikation/instagram.md"
    assert len(results[1]["results"]) <= 3


def test_search_rejects_bad_k(root: Path) -> None:
    done = run(root, "search", "-k", "0", "x")
    assert done.returncode == 2 and "-k" in done.stderr


def test_chat_console_reset_and_eof(root: Path) -> None:
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
def test_wrong_setting_fails_at_start_naming_it(root: Path, env: dict[str, str], name: str) -> None:
    done = run(root, "ask", "x", extra_env=env)
    assert done.returncode == 2
    assert name in done.stderr


def test_llm_url_without_model_is_explained(root: Path) -> None:
    done = run(root, "ask", "x", extra_env={"DT_LLM_BASE_URL": "http://127.0.0.1:9/v1"})
    assert done.returncode == 2 and "DT_LLM_MODEL" in done.stderr
