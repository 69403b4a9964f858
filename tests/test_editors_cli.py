"""``digitalteam docs|report|audit`` in process (``bot.cli.main``) over a copy of the fixture index."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store.database import Database
from bot.store.gaps import GapKind, GapRecorder
from tests.cli_harness import CliRun, run_cli
from tests.conftest import SettingsFactory
from tests.samples import make_pdf

Run = Callable[..., CliRun]


@pytest.fixture
def digitalteam(monkeypatch: pytest.MonkeyPatch) -> Run:
    def run(root: Path, *args: str, stdin: str = "") -> CliRun:
        return run_cli(monkeypatch, root, *args, stdin=stdin, env={"DT_LOG_LEVEL": "WARNING"})

    return run


@pytest.fixture
def root(settings_factory: SettingsFactory) -> Path:
    return settings_factory().data_dir.parent


def ok(done: CliRun) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_docs_list_show_expiring(digitalteam: Run, root: Path) -> None:
    docs = json.loads(ok(digitalteam(root, "docs", "list", "--json")))
    by_title = {d["title"]: d for d in docs}
    heimat = by_title["Heimat-Scheck"]
    assert heimat["topic"] == "foerderung"
    assert heimat["stand"] == "2026-11-01"
    assert heimat["valid_until"] == "2027-12-31"
    assert heimat["chunks"] >= 1
    assert by_title["Sonderprogramm Digitalbonus 2025"]["freshness"] == "expired"
    text = ok(digitalteam(root, "docs", "list"))
    assert f"{heimat['id']}  foerderung" in text and "⚠ abgelaufen" in text

    shown = json.loads(ok(digitalteam(root, "docs", "show", heimat["id"], "--json")))
    assert shown["source"] == heimat["source"]
    assert "title        Heimat-Scheck" in ok(digitalteam(root, "docs", "show", "heimat-scheck"))

    expiring = json.loads(ok(digitalteam(root, "docs", "expiring", "--days", "30", "--json")))
    assert "Sonderprogramm Digitalbonus 2025" in [d["title"] for d in expiring["expired"]]
    assert "Heimat-Scheck" not in [d["title"] for d in expiring["expiring"]]
    due = [d["title"] for d in expiring["review_due"]]
    assert "QR-Codes an Exponaten" in due  # old source format: never checked
    assert "Sonderprogramm Digitalbonus 2025" in due  # checked 2025-03-01, over a year ago
    assert "Heimat-Scheck" not in due  # checked 2026-11-01
    plain = ok(digitalteam(root, "docs", "expiring", "--days", "30"))
    assert plain.startswith("Abgelaufen")
    assert "Quellen seit mehr als 365 Tagen nicht geprüft:" in plain
    assert "QR-Codes an Exponaten" in plain and "mindestens eine Quelle ohne Prüfdatum" in plain

    missing = digitalteam(root, "docs", "show", "gibtsnicht")
    assert missing.returncode == 2
    assert "Kein Dokument mit der Kennung 'gibtsnicht'" in missing.stderr


def test_docs_add_set_remove_and_audit(digitalteam: Run, root: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "Kulturrucksack.pdf"
    pdf.write_bytes(make_pdf([["Kulturrucksack NRW", "Bis zu 8.000 Euro pro Projekt."]]))
    added = json.loads(ok(digitalteam(root, "docs", "add", str(pdf), "--json")))
    assert added["detected"] == "PDF"
    assert added["missing"] == ["topic"]
    doc_id = added["document"]["id"]
    changed = json.loads(
        ok(
            digitalteam(
                root,
                "docs",
                "set",
                doc_id,
                "--topic",
                "foerderung",
                "--valid-until",
                "30.06.2027",
                "--json",
            )
        )
    )
    assert changed["document"]["source"] == "knowledge/foerderung/kulturrucksack.md"
    assert changed["document"]["valid_until"] == "2027-06-30"
    assert changed["missing"] == []

    refused = digitalteam(root, "docs", "remove", "kulturrucksack")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    removed = json.loads(
        ok(digitalteam(root, "docs", "remove", "kulturrucksack", "--yes", "--json"))
    )
    assert removed["removed"]["source"] == "knowledge/foerderung/kulturrucksack.md"
    titles = [d["title"] for d in json.loads(ok(digitalteam(root, "docs", "list", "--json")))]
    assert "Kulturrucksack NRW" not in titles

    audit = json.loads(ok(digitalteam(root, "audit", "--json")))
    assert [e["action"] for e in audit] == ["remove", "update_meta", "update_meta", "add"]
    assert all(e["actor"].startswith("cli") for e in audit)
    assert "remove" in ok(digitalteam(root, "audit"))

    bad = digitalteam(root, "docs", "add", str(tmp_path / "fehlt.pdf"))
    assert bad.returncode == 2 and "kann nicht gelesen werden" in bad.stderr
    bad_date = digitalteam(root, "docs", "set", "heimat-scheck", "--valid-until", "morgen")
    assert bad_date.returncode == 2 and "kein Datum" in bad_date.stderr


def test_report_formats_and_since(digitalteam: Run, root: Path) -> None:
    db = Database(f"sqlite:///{(root / 'data' / 'assistant.sqlite3').resolve()}")
    recorder = GapRecorder(db)
    for question in ("Was kostet ein Audioguide?", "Wie teuer ist ein Audioguide für uns?"):
        recorder.record(GapKind.UNANSWERED, question)
    recorder.record(GapKind.THUMBS_DOWN, "Wie beantrage ich den Heimat-Scheck?")
    db.dispose()
    data = json.loads(ok(digitalteam(root, "report", "--format", "json")))
    assert [g["count"] for g in data["groups"]] == [2, 1]
    assert ok(digitalteam(root, "report")).startswith("# Wissenslücken")
    assert ok(digitalteam(root, "report", "--format", "csv")).startswith("rang,anzahl")
    future = json.loads(
        ok(digitalteam(root, "report", "--since", "2999-01-01", "--format", "json"))
    )
    assert future["groups"] == []
    bad = digitalteam(root, "report", "--since", "gestern")
    assert bad.returncode == 2 and "kein Datum" in bad.stderr


REVIEWED = """---
title: Testprogramm
topic: foerderung
sources:
  - title: "Portal (Test)"
    url: https://test.antragsportal-heimat.foerderung.nrw/programm
    published: 2024-10
    checked: 2026-11-26
  - title: Spiegel
    url: https://www.readkong.com/page/programm
    checked: 2023-01-10
valid_until: 2025-10-31
---
# Testprogramm

Das Programm gibt bis zu 5.000 Euro für kleine Projekte.

Laut Ministerium beträgt der Eigenanteil 10 Prozent.

Anträge sind bis zum 31.10.2025 möglich.

Das Antragsfenster 2023 endete am 30.09.2023.
"""


def test_docs_check_lists_what_to_review(digitalteam: Run, root: Path) -> None:
    folder = root / "knowledge" / "foerderung"
    (folder / "testprogramm.md").write_text(REVIEWED, encoding="utf-8")
    (folder / "kaputt.md").write_text("---\ntitle: [x\n---\nText", encoding="utf-8")
    secret = root / "geheim.md"  # outside the knowledge folder, linked into it
    secret.write_text("# Geheim\n\nDT_TELEGRAM_TOKEN=123:geheim\n", encoding="utf-8")
    (folder / "link.md").symlink_to(secret)
    output = ok(digitalteam(root, "docs", "check", "--json"))
    assert "123:geheim" not in output and str(root) not in output
    reviews = {r["source"]: r for r in json.loads(output)}
    assert "außerhalb" in reviews["knowledge/foerderung/link.md"]["problems"][0]
    review = reviews["knowledge/foerderung/testprogramm.md"]
    problems = {s["url"]: s["problems"] for s in review["sources"]}
    assert problems["https://test.antragsportal-heimat.foerderung.nrw/programm"] == [
        "Testsystem statt Produktivseite"
    ]
    assert problems["https://www.readkong.com/page/programm"] == [
        "Spiegel oder Aggregator statt Herausgeberseite",
        "zuletzt vor mehr als 365 Tagen geprüft",
    ]
    assert review["sources"][0]["published"] == "2024-10"
    assert review["unsourced"] == [
        "Das Programm gibt bis zu 5.000 Euro für kleine Projekte.",
        "Anträge sind bis zum 31.10.2025 möglich.",
        "Das Antragsfenster 2023 endete am 30.09.2023.",
    ]  # "Laut Ministerium …" names its source
    # the ended window says that it ended; the open-sounding one is flagged
    assert review["passed"] == ["Anträge sind bis zum 31.10.2025 möglich."]
    assert review["problems"] == ["abgelaufen: gültig bis 31.10.2025"]
    assert "wird nicht übernommen" in reviews["knowledge/foerderung/kaputt.md"]["problems"][0]
    assert any(
        "alten Format" in p for p in reviews["knowledge/vermittlung/qr-codes.md"]["problems"]
    )
    text = ok(digitalteam(root, "docs", "check", "--only-findings"))
    assert "== knowledge/foerderung/testprogramm.md – Testprogramm" in text
    assert "⚠ Testsystem statt Produktivseite" in text
    assert "Datum vorbei, nicht als vergangen markiert: Anträge sind bis zum 31.10.2025" in text
