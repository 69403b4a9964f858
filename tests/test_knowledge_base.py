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
SHARED_PASSAGE_WORDS = 16  # no two documents may share a run of this many words
MAX_DOCUMENTS_PER_EXAMPLE = 3  # one example house may appear in at most three documents
# A named example house: "Kettenschmiedemuseum Fröndenberg", "Heimatverein Gescher",
# "Museum der Stadt Marsberg", "RELíGIO Telgte", "Besucherbergwerk Ramsbeck"; the place counts.
EXAMPLE_HOUSE = re.compile(
    r"\b[A-ZÄÖÜ][\wäöüßí-]*(?:museum|Museum|museen|Museen|gedenkstätte|Gedenkstätte|verein|Verein"
    r"|bergwerk|Kapelle|RELíGIO)\s+(?:in\s+|der Stadt\s+)?([A-ZÄÖÜ][\wäöüßí-]+)"
)
NOT_PLACES = {"Westfalen", "Westfalen-Lippe", "NRW", "Nordrhein-Westfalen", "Deutschland"}
# The funder's own web presence, per funding document (overviews accept any public funder).
PUBLIC_FUNDERS = (
    "lwl.org",
    "lwl-museumsamt.de",
    "lwl-kulturstiftung.de",
    ".nrw",
    "nrw.de",
    "nrw-stiftung.de",
    "deutsche-stiftung-engagement-und-ehrenamt.de",
    "kulturstiftung.de",
    "kulturstiftung-des-bundes.de",
    "bundesregierung.de",
    "kulturstaatsministerin.de",
    "europa.eu",
    "deutschland-nederland.eu",
    "kulturgutverluste.de",
)
FUNDER_HOSTS = {
    "lwl-museumsfoerderung": ("lwl-museumsamt.de", "lwl.org"),
    "lwl-kleine-museen-und-sammlungen": ("lwl-museumsamt.de", "lwl.org"),
    "lwl-kulturstiftung": ("lwl-kulturstiftung.de",),
    "heimat-scheck": ("mhkbd.nrw", "bezreg-muenster.de", "nordrhein-westfalen-foerdert.nrw"),
    "heimat-werkstatt": ("mhkbd.nrw", "bezreg-muenster.de", "nordrhein-westfalen-foerdert.nrw"),
    "heimat-fonds": ("mhkbd.nrw", "mhkbg.nrw", "bezreg-muenster.de"),
    "heimat-zeugnis": ("mhkbd.nrw", "bezreg-muenster.de", "nordrhein-westfalen-foerdert.nrw"),
    "regionales-kultur-programm": ("mkw.nrw", "regionaleskulturprogrammnrw.de"),
    "dritte-orte": ("mkw.nrw", "dritteorte.nrw"),
    "leader-und-regionalbudget": ("leader-", "kreis-steinfurt.de"),
    "nrw-stiftung": ("nrw-stiftung.de",),
    "dsee-mikrofoerderung": ("deutsche-stiftung-engagement-und-ehrenamt.de",),
    "kulturstiftung-der-laender": ("kulturstiftung.de",),
    "eu-foerderung": ("europa.eu", "deutschland-nederland.eu", "creative-europe-desk.de"),
    "bundesfoerderung-kultur": (
        "kulturstiftung-des-bundes.de",
        "bundesregierung.de",
        "kulturstaatsministerin.de",
    ),
}
# Known gap, reported in the source review: no Sparkasse foundation's own page is among the
# stored copies; the document says that it rests on dated press reports of their decisions.
WITHOUT_FUNDER_PAGE = {"sparkassen-stiftungen"}
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


def main_text(body: str) -> str:
    return re.split(r"^## Quellen", body, maxsplit=1, flags=re.MULTILINE)[0]


def test_folders() -> None:
    assert {p.parent.name for p in DOCS} == TOPICS
    assert len(DOCS) >= 40


def test_no_two_documents_share_a_long_passage() -> None:
    n = SHARED_PASSAGE_WORDS
    owner: dict[tuple[str, ...], Path] = {}
    shared: list[str] = []
    for path in DOCS:
        words = re.findall(r"\w+", main_text(split(path)[1]).lower())
        for gram in {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}:
            first = owner.setdefault(gram, path)
            if first != path:
                shared.append(f"{first.name} / {path.name}: {' '.join(gram)}")
    assert not shared, shared[:5]


def test_no_example_house_in_more_than_three_documents() -> None:
    places: dict[str, set[str]] = {}
    for path in DOCS:
        for place in EXAMPLE_HOUSE.findall(main_text(split(path)[1])):
            if place not in NOT_PLACES:
                places.setdefault(place, set()).add(path.name)
    crowded = {p: sorted(d) for p, d in places.items() if len(d) > MAX_DOCUMENTS_PER_EXAMPLE}
    assert not crowded, crowded
    assert len(places) >= 5  # the check does see the pilot houses


def test_funding_documents_have_a_window_and_a_source_from_the_funder() -> None:
    for path in sorted((KNOWLEDGE / "foerderung").glob("*.md")):
        data, _ = split(path)
        assert data.get("valid_until"), f"{path.name}: valid_until fehlt"
        hosts = [urlparse(str(s["url"])).hostname or "" for s in data["sources"]]
        if path.stem in WITHOUT_FUNDER_PAGE:
            continue
        wanted = FUNDER_HOSTS.get(path.stem, PUBLIC_FUNDERS)
        assert any(w in host for host in hosts for w in wanted), (path.name, hosts)


def test_no_test_systems_or_mirrors_among_the_sources() -> None:
    from bot.editors.review import host_problem

    bad = [
        f"{path.name}: {s['url']} ({problem})"
        for path in DOCS
        for s in split(path)[0]["sources"]
        if (problem := host_problem(str(s["url"])))
    ]
    assert not bad, bad


def test_documents_do_not_describe_the_assistants_own_service() -> None:
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for phrase in ("Digitalteam-Assistent", "/termin", "dieser Assistent", "der Assistent "):
            assert phrase not in text, (path.name, phrase)
        assert "Stand der Recherche: 26.11.2026" not in text, path.name


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
    for source in sources:
        assert isinstance(source, dict) and set(source) <= {"title", "url", "published", "checked"}
        assert isinstance(source["title"], str) and source["title"].strip(), source
        parsed = urlparse(str(source["url"]))
        assert parsed.scheme in ("http", "https") and "." in parsed.netloc, source
        assert date(2024, 1, 1) <= as_date(source["checked"]) <= date.today(), source
        if "published" in source:
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(source["published"])), source
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
