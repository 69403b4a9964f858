"""The Förder-Finder over the whole knowledge base: purpose found by retrieval, CLI in process."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.context import AppContext
from bot.funding import Applicant, Query, Verdict, find_purpose, rank
from tests.cli_harness import run_cli
from tests.conftest import KNOWLEDGE

TODAY = "2026-12-01"


@pytest.fixture(scope="module")
def kb_root(kb_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with ``data`` (the session's knowledge-base index) and ``knowledge`` for the CLI."""
    root = tmp_path_factory.mktemp("funding-root")
    (root / "data").symlink_to(kb_data_dir, target_is_directory=True)
    (root / "knowledge").symlink_to(KNOWLEDGE, target_is_directory=True)
    return root


def match(monkeypatch: pytest.MonkeyPatch, root: Path, *args: str) -> dict[str, object]:
    run = run_cli(monkeypatch, root, "funding", "match", *args, "--json", "--today", TODAY)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def results(payload: dict[str, object]) -> dict[str, dict[str, object]]:
    return {r["programme_id"]: r for r in payload["results"]}  # type: ignore[attr-defined,index]


def test_retrieval_finds_the_purpose_in_the_knowledge_base(kb_context: AppContext) -> None:
    evidence = find_purpose(
        kb_context.retriever, "Inventarisierung und Onlinestellung der Sammlung"
    )
    assert "knowledge/foerderung/lwl-kleine-museen-und-sammlungen.md" in evidence.documents
    matches = {
        m.entry.programme.id: m
        for m in rank(
            kb_context.funding,
            Query(Applicant.VEREIN, evidence.text, 4000, "Kreis Coesfeld"),
            evidence,
            date(2026, 12, 1),
        )
    }
    small = matches["lwl-kleine-museen"]
    assert small.purpose_found
    assert small.verdict is Verdict.PRUEFEN  # rates and deadlines are not confirmed
    assert any(r.text.startswith("Zweck passt") for r in small.reasons)
    audio = find_purpose(kb_context.retriever, "Audioguide für die Dauerausstellung")
    assert {"audioguide", "medienguide"} <= audio.tags  # tags of the topical documents


def test_match_json_shape_and_the_heimat_scheck_rules(
    monkeypatch: pytest.MonkeyPatch, kb_root: Path
) -> None:
    payload = match(
        monkeypatch,
        kb_root,
        "--applicant",
        "Kommune",
        "--purpose",
        "Audioguide",
        "--budget",
        "6000",
    )
    assert payload["query"] == {
        "applicant": "Kommune",
        "purpose": "Audioguide",
        "budget": 6000,
        "region": None,
        "today": TODAY,
    }
    for result in payload["results"]:  # type: ignore[attr-defined]
        assert set(result) >= {
            "programme",
            "document",
            "verdict",
            "reasons",
            "amount",
            "own_share",
            "next_deadline",
            "sources",
        }
        assert result["verdict"] in ("passt", "prüfen", "passt nicht")
        assert result["sources"] and all(s["url"].startswith("http") for s in result["sources"])
    scheck = results(payload)["heimat-scheck"]
    assert scheck["verdict"] == "passt nicht"
    assert any(r.startswith("Kommunen sind nicht antragsberechtigt") for r in scheck["reasons"])  # type: ignore[union-attr]
    small = match(
        monkeypatch,
        kb_root,
        "--applicant",
        "Heimatverein",
        "--purpose",
        "Audioguide",
        "--budget",
        "1500",
    )
    scheck = results(small)["heimat-scheck"]
    assert scheck["verdict"] == "passt nicht"
    assert "Projektkosten unter 2.000 €" in scheck["reasons"]  # type: ignore[operator]
    assert scheck["amount"]["fixed"] == 2000  # type: ignore[index]


def test_an_association_is_sent_to_the_heimat_fonds_through_its_municipality(
    monkeypatch: pytest.MonkeyPatch, kb_root: Path
) -> None:
    payload = match(
        monkeypatch,
        kb_root,
        "--applicant",
        "Verein",
        "--purpose",
        "Medienstation im Heimatmuseum",
        "--budget",
        "12000",
        "--region",
        "Münster",
    )
    fonds = results(payload)["heimat-fonds"]
    assert fonds["verdict"] == "prüfen"
    assert fonds["reasons"][0].startswith(
        "Vereine beantragen nicht selbst, sondern über ihre Kommune"
    )  # type: ignore[index]
    assert fonds["next_deadline"]["laufend"] is True  # type: ignore[index]


def test_match_text_output_and_bad_input(monkeypatch: pytest.MonkeyPatch, kb_root: Path) -> None:
    run = run_cli(
        monkeypatch,
        kb_root,
        "funding",
        "match",
        "--applicant",
        "Kommune",
        "--purpose",
        "Website",
        "--budget",
        "3000",
        "--today",
        TODAY,
    )
    assert run.returncode == 0, run.stderr
    assert "[passt nicht] Heimat-Scheck" in run.stdout
    assert "✗ Kommunen sind nicht antragsberechtigt" in run.stdout
    assert "nicht belegt" in run.stdout
    bad = run_cli(
        monkeypatch, kb_root, "funding", "match", "--applicant", "Firma", "--purpose", "x"
    )
    assert bad.returncode == 2 and "unbekannte Antragsteller-Art" in bad.stderr


def test_deadlines_cli_lists_only_coming_deadlines_and_writes_ics(
    monkeypatch: pytest.MonkeyPatch, kb_root: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "fristen.ics"
    run = run_cli(
        monkeypatch,
        kb_root,
        "funding",
        "deadlines",
        "--days",
        "365",
        "--json",
        "--ics",
        str(ics),
        "--today",
        TODAY,
    )
    assert run.returncode == 0, run.stderr
    listed = json.loads(run.stdout)["deadlines"]
    days = [d["date"] for d in listed]
    assert days == sorted(days) and all(day >= TODAY for day in days)
    assert not {"heimat-scheck", "heimat-zeugnis", "dsee-mikrofoerderung"} & {
        d["programme_id"] for d in listed
    }
    assert all(d["programme"] and d["sources"] for d in listed)
    events = list(Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    assert len(events) == len(listed)
    text = run_cli(monkeypatch, kb_root, "funding", "deadlines", "--days", "120", "--today", TODAY)
    assert "28.02.2027  LWL-Kulturstiftung" in text.stdout
    assert "31.10.2025" not in text.stdout
