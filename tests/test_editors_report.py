"""Knowledge-gap report (grouping by embedding similarity), freshness texts and the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.editors.audit import AuditAction, AuditLog
from bot.editors.catalog import Freshness, expiring_documents, list_documents
from bot.editors.freshness import expiring_text, weekly_digest
from bot.editors.gaps import count_gaps, group_gaps, load_gaps, render_report
from bot.store.database import Database
from bot.store.gaps import GapKind, GapRecorder
from bot.store.models import KnowledgeGap
from ingest.embeddings import Embedder
from tests.conftest import SettingsFactory
from tests.editor_fixtures import TODAY, EditorEnv, make_editor_env

QUESTIONS = [
    (GapKind.UNANSWERED, "Wie beantrage ich den Heimat-Scheck?", "foerderung"),
    (GapKind.UNANSWERED, "Heimat-Scheck Antrag wie?", None),
    (GapKind.THUMBS_DOWN, "Wo stelle ich einen Antrag für den Heimatscheck?", None),
    (GapKind.UNANSWERED, "wie beantrage ich den heimat-scheck", None),
    (GapKind.HANDOFF, "Was kostet ein Audioguide?", "vermittlung"),
    (GapKind.UNANSWERED, "Wie teuer ist ein Audioguide für unser Museum?", None),
    (GapKind.UNANSWERED, "Darf ich Fotos von Besuchern auf Instagram posten? Mail: a@b.de", None),
]


@pytest.fixture
def editor_env(settings_factory: SettingsFactory, tmp_path: Path) -> EditorEnv:
    return make_editor_env(settings_factory, tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'gaps.sqlite3'}")
    recorder = GapRecorder(database)
    for kind, question, topic in QUESTIONS:
        recorder.record(kind, question, topic)
    return database


def test_similar_questions_are_grouped_and_ranked(db: Database, embedder: Embedder) -> None:
    groups = group_gaps(load_gaps(db), embedder, threshold=0.88)
    assert [g.count for g in groups] == [4, 2, 1]
    top = groups[0]
    assert top.example == "Wie beantrage ich den Heimat-Scheck?"
    assert top.kinds == {"unanswered": 3, "thumbs_down": 1}
    assert top.topics == {"foerderung": 1}
    assert "Audioguide" in groups[1].example
    assert groups[1].kinds == {"handoff": 1, "unanswered": 1}
    # Pseudonymised on the way in: the e-mail address never reaches the report.
    assert "[E-Mail]" in groups[2].example and "a@b.de" not in groups[2].example


def test_report_formats(db: Database, embedder: Embedder) -> None:
    groups = group_gaps(load_gaps(db), embedder, threshold=0.88)
    markdown = render_report(groups, "md", None)
    assert markdown.startswith("# Wissenslücken")
    assert "| 1 | 4 | Wie beantrage ich den Heimat-Scheck? |" in markdown
    rows = list(csv.reader(io.StringIO(render_report(groups, "csv", None))))
    assert rows[0] == ["rang", "anzahl", "beispielfrage", "arten", "themen", "zuletzt"]
    assert rows[1][:3] == ["1", "4", "Wie beantrage ich den Heimat-Scheck?"]
    data = json.loads(render_report(groups, "json", date(2026, 1, 1), limit=2))
    assert data["since"] == "2026-01-01"
    assert data["total_questions"] == 7
    assert [g["count"] for g in data["groups"]] == [4, 2]
    assert render_report([], "md", date(2026, 1, 1)).endswith("Keine offenen Fragen erfasst.")


def test_since_filters_old_gaps(db: Database, embedder: Embedder) -> None:
    old = datetime(2025, 1, 1, tzinfo=UTC)
    with db.session() as session:
        session.execute(
            update(KnowledgeGap)
            .where(KnowledgeGap.question.like("%Audioguide%"))
            .values(created_at=old)
        )
    recent = load_gaps(db, since=date(2026, 1, 1))
    assert len(recent) == 5
    assert all("Audioguide" not in g.question for g in recent)
    assert count_gaps(db, datetime.now(UTC) - timedelta(days=7)) == 5
    assert group_gaps([], embedder, 0.88) == []


def test_freshness_lists_expired_and_expiring(editor_env: EditorEnv) -> None:
    manifest = editor_env.ctx.index.manifest
    expired, soon = expiring_documents(manifest, TODAY, 30)
    assert "Sonderprogramm Digitalbonus 2025" in [d.title for d in expired]
    assert all(d.valid_until < "2026-11-26" for d in expired)
    assert all("2026-11-26" <= d.valid_until <= "2026-12-26" for d in soon)
    _, later = expiring_documents(manifest, TODAY, 500)
    assert "Heimat-Scheck" in [d.title for d in later]
    assert [d.valid_until for d in later] == sorted(d.valid_until for d in later)
    states = {d.title: d.freshness(TODAY, 30) for d in list_documents(manifest)}
    assert states["Heimat-Scheck"] == Freshness.CURRENT
    assert states["Instagram für kleine Museen"] == Freshness.UNDATED
    heimat = [d for d in later if d.title == "Heimat-Scheck"]
    text = expiring_text(expired, heimat, TODAY, 500)
    assert "abgelaufen seit 391 Tagen" in text
    assert "gültig bis 31.12.2027 (noch 400 Tage" in text
    assert weekly_digest([], [], TODAY, 30) is None
    digest = weekly_digest(expired, [], TODAY, 30, new_gaps=3)
    assert digest is not None
    assert "Sonderprogramm Digitalbonus 2025" in digest
    assert "3 Fragen nicht gut beantworten" in digest


def test_document_set_to_expire_is_cited_as_abgelaufen(editor_env: EditorEnv) -> None:
    question = "Wie hoch ist der Heimat-Scheck?"
    assert "abgelaufen" not in editor_env.ctx.engine.reply("f1", question).text
    editor_env.service.set_valid_until("heimat-scheck", date(2026, 1, 31), "telegram:42")
    reply = editor_env.ctx.engine.reply("f2", question)
    assert "⚠ abgelaufen (gültig bis 31.01.2026" in reply.text
    assert "Stand" in reply.text


def test_audit_log_orders_newest_first(tmp_path: Path) -> None:
    log = AuditLog(Database(f"sqlite:///{tmp_path / 'audit.sqlite3'}"))
    log.record("telegram:1", AuditAction.ADD, "knowledge/a.md", {"title": "A"})
    log.record("x" * 200, AuditAction.REMOVE, "knowledge/a.md")
    entries = log.entries()
    assert [e.action for e in entries] == ["remove", "add"]
    assert entries[0].actor == "x" * 80
    assert entries[1].details == {"title": "A"}
    assert entries[1].when.tzinfo is not None
    assert log.entries(limit=1)[0].action == "remove"
