"""The starter knowledge base: schema of every document, length bounds, ingest and retrieval quality."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from benchmarks.domain import evaluate_answered, evaluate_flags, evaluate_retrieval, load_questions
from bot.context import AppContext
from tests.conftest import REPO_ROOT

KNOWLEDGE = REPO_ROOT / "knowledge"
TOPICS = {
    "vermittlung",
    "kommunikation",
    "foerderung",
    "recht",
    "technik",
    "organisation",
    "beratung",
}
AUDIENCES = {"museum", "gedenkstaette", "heimatverein"}
REQUIRED = {"title", "topic", "tags", "audience", "sources", "stand", "summary"}
DOCS = sorted(KNOWLEDGE.rglob("*.md"))
FUNDING = [
    "lwl-museumsfoerderung",
    "lwl-kleine-museen-und-sammlungen",
    "lwl-kulturstiftung",
    "heimat-scheck",
    "heimat-werkstatt",
    "heimat-fonds",
    "heimat-zeugnis",
    "regionales-kultur-programm",
    "dritte-orte",
    "leader-und-regionalbudget",
    "nrw-stiftung",
    "dsee-mikrofoerderung",
    "sparkassen-stiftungen",
    "kulturstiftung-der-laender",
    "beendete-programme",
    "welches-foerderprogramm-passt",
    "foerderantrag-schritt-fuer-schritt",
]


def split(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path}: no front matter"
    _, front, body = text.split("---\n", 2)
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data, body


def body_words(body: str) -> int:
    main = re.split(r"^## Quellen", body, maxsplit=1, flags=re.MULTILINE)[0]
    return len(re.findall(r"\w+", main))


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_size_and_folders() -> None:
    assert {p.parent.name for p in DOCS} == TOPICS
    assert len(DOCS) >= 40
    total = sum(body_words(split(p)[1]) for p in DOCS)
    assert total >= 33_000, total


@pytest.mark.parametrize("path", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_document_schema(path: Path) -> None:
    data, body = split(path)
    assert set(data) >= REQUIRED, REQUIRED - set(data)
    assert isinstance(data["title"], str) and data["title"].strip()
    assert data["topic"] == path.parent.name
    assert isinstance(data["tags"], list) and data["tags"]
    assert all(isinstance(t, str) and t == t.lower() for t in data["tags"])
    assert (
        isinstance(data["audience"], list)
        and set(data["audience"]) <= AUDIENCES
        and data["audience"]
    )
    assert isinstance(data["summary"], str) and 20 <= len(data["summary"]) <= 600
    sources = data["sources"]
    assert isinstance(sources, list) and sources
    for url in sources:
        parsed = urlparse(str(url))
        assert (
            parsed.scheme in ("http", "https") and "." in parsed.netloc and " " not in str(url)
        ), url
    stand = as_date(data["stand"])
    assert date(2024, 1, 1) <= stand <= date.today()
    if data.get("valid_until") is not None:
        assert as_date(data["valid_until"]) > stand
    assert 300 <= body_words(body) <= 1500, body_words(body)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_empty_sections(path: Path) -> None:
    _, body = split(path)
    lines = [line for line in body.splitlines() if line.strip()]
    for current, following in zip(lines, [*lines[1:], ""], strict=True):
        if current.startswith("#"):
            level = len(current) - len(current.lstrip("#"))
            assert following and not (
                following.startswith("#") and len(following) - len(following.lstrip("#")) <= level
            ), f"empty section: {current}"


def test_every_funding_programme_has_a_document() -> None:
    names = {p.stem for p in (KNOWLEDGE / "foerderung").glob("*.md")}
    assert set(FUNDING) <= names


def test_faq_has_thirty_questions() -> None:
    _, body = split(KNOWLEDGE / "beratung" / "faq.md")
    questions = [
        line
        for line in body.splitlines()
        if line.startswith("### ") and line.rstrip().endswith("?")
    ]
    assert len(questions) >= 30


def test_legal_documents_say_they_are_not_legal_advice() -> None:
    for path in (KNOWLEDGE / "recht").glob("*.md"):
        assert "keine Rechtsberatung" in path.read_text(encoding="utf-8"), path


def test_domain_question_file() -> None:
    questions = load_questions()
    positives = [q for q in questions if q.doc]
    negatives = [q for q in questions if q.flag]
    assert len(positives) >= 60
    assert len(negatives) >= 10
    for q in positives:
        assert (REPO_ROOT / str(q.doc)).is_file(), q.doc
    assert {q.flag for q in negatives} == {"out_of_scope", "handoff_suggested"}


def test_retrieval_puts_expected_document_in_top3(kb_context: AppContext) -> None:
    result = evaluate_retrieval(kb_context.retriever, load_questions())
    assert result.hit3 >= 0.90, result.misses
    answered = evaluate_answered(kb_context.engine, load_questions(), result)
    assert answered.answerable_rate >= 0.85


def test_knowledge_base_does_not_pretend_to_answer(kb_context: AppContext) -> None:
    questions = load_questions()
    result = evaluate_flags(
        kb_context.engine, questions, evaluate_retrieval(kb_context.retriever, [])
    )
    assert result.negatives_correct == result.negatives, result.negative_failures


def test_every_document_is_ingested(kb_context: AppContext) -> None:
    indexed = set(kb_context.index.manifest.files)
    assert indexed == {f"knowledge/{p.relative_to(KNOWLEDGE).as_posix()}" for p in DOCS}
