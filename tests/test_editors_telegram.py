"""End to end: editors send documents and manage the knowledge base through the fake Bot API."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import pytest

from bot.editors.catalog import doc_id
from bot.store.gaps import GapKind, GapRecorder
from bot.telegram.editors import render as editor_render
from bot.telegram.jobs import WEEKLY_JOB
from bot.telegram.texts import NOT_EDITOR
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import FakeTelegram, Sent
from tests.samples import encrypt_pdf, make_pdf
from tests.telegram_harness import RunningBot, bot_overrides, running_bot

EDITOR = 4242
OTHER_EDITOR = 4343
USER = 1001
PDF = make_pdf(
    [
        [
            "Kulturrucksack NRW",
            "Der Kulturrucksack fördert Angebote für Kinder und Jugendliche",
            "zwischen 10 und 14 Jahren mit bis zu 8.000 Euro pro Projekt.",
        ]
    ],
    title="Kulturrucksack NRW",
)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram, settings_factory: SettingsFactory) -> AsyncIterator[RunningBot]:
    settings = settings_factory(**bot_overrides(tg, editor_ids=f"{EDITOR},{OTHER_EDITOR}"))
    async with running_bot(settings, tg) as running:
        yield running


def knowledge_files(bot: RunningBot) -> dict[str, str]:
    root = bot.services.settings.knowledge_dir
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def send_document(tg: FakeTelegram, user: int, name: str, data: bytes, caption: str = "") -> None:
    file_id = tg.add_file(name, data)
    extra: dict[str, object] = {
        "document": {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": name,
            "file_size": len(data),
        }
    }
    if caption:
        extra["caption"] = caption
    tg.message(user, extra=extra)


async def next_message(tg: FakeTelegram, user: int) -> Sent:
    before = len(tg.messages(user))
    return (await tg.wait_messages(user, before + 1))[-1]


async def reply_to(tg: FakeTelegram, user: int, text: str) -> Sent:
    before = len(tg.messages(user))
    tg.message(user, text)
    return (await tg.wait_messages(user, before + 1))[-1]


async def press(tg: FakeTelegram, user: int, sent: Sent, data: str) -> dict[str, object]:
    return await tg.wait_callback_answer(tg.press(user, sent, data))


async def test_editor_uploads_a_pdf_and_answers_the_questions(bot: RunningBot) -> None:
    tg = bot.tg
    waiting = asyncio.ensure_future(next_message(tg, EDITOR))
    send_document(tg, EDITOR, "Kulturrucksack.pdf", PDF)
    summary = await waiting
    assert "Dokument übernommen (PDF)" in summary.plain
    assert "Kulturrucksack NRW" in summary.plain
    assert "Abschnitte" in summary.plain
    assert "Zu welchem Thema" in summary.plain
    unsorted_id = doc_id("knowledge/unsortiert/kulturrucksack.md")
    assert f"ed:t:{unsorted_id}:foerderung" in [data for _, data in summary.buttons()]

    answer = await press(tg, EDITOR, summary, f"ed:t:{unsorted_id}:foerderung")
    assert answer["text"] == "Thema: foerderung"
    await tg.wait_for(lambda: summary.edits)
    assert "Bis wann gilt dieses Förderprogramm?" in summary.plain
    filed_id = doc_id("knowledge/foerderung/kulturrucksack.md")
    dated = await reply_to(tg, EDITOR, f"/gueltig {filed_id} 31.12.2027")
    assert "gültig bis 31.12.2027" in dated.plain
    assert "❓" not in dated.plain

    reply = await reply_to(tg, USER, "Wie viel Geld gibt der Kulturrucksack pro Projekt?")
    assert "Kulturrucksack NRW" in reply.plain
    assert tg.errors == []


async def test_caption_names_topic_and_validity(bot: RunningBot) -> None:
    tg = bot.tg
    waiting = asyncio.ensure_future(next_message(tg, EDITOR))
    send_document(tg, EDITOR, "rucksack.pdf", PDF, caption="Förderung bis 30.06.2027")
    summary = await waiting
    assert "foerderung" in summary.plain and "gültig bis 30.06.2027" in summary.plain
    assert summary.buttons() == []


async def test_document_from_non_editor_is_refused_and_not_stored(bot: RunningBot) -> None:
    tg = bot.tg
    before = knowledge_files(bot)
    waiting = asyncio.ensure_future(next_message(tg, USER))
    send_document(tg, USER, "Kulturrucksack.pdf", PDF)
    refusal = await waiting
    assert refusal.plain == NOT_EDITOR
    assert tg.called("getFile") == []
    assert knowledge_files(bot) == before
    refused = await reply_to(tg, USER, "/dokumente")
    assert "nur der Redaktion" in refused.plain


async def test_hostile_upload_gets_a_reason_and_changes_nothing(bot: RunningBot) -> None:
    tg = bot.tg
    before = knowledge_files(bot)
    manifest = (bot.services.settings.data_dir / "manifest.json").read_bytes()
    for name, data, reason in (
        ("geheim.pdf", encrypt_pdf(PDF), "passwortgeschützt"),
        ("leer.txt", b"", "leer"),
        ("foto.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "Bild (PNG)"),
    ):
        waiting = asyncio.ensure_future(next_message(tg, EDITOR))
        send_document(tg, EDITOR, name, data)
        answer = await waiting
        assert answer.plain.startswith("❌ Das Dokument wurde nicht übernommen")
        assert reason in answer.plain
    assert knowledge_files(bot) == before
    assert (bot.services.settings.data_dir / "manifest.json").read_bytes() == manifest


async def test_document_list_details_and_removal(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    tg = bot.tg
    monkeypatch.setattr(editor_render, "PAGE_SIZE", 2)
    first = await reply_to(tg, EDITOR, "/dokumente")
    assert "Seite 1/" in first.plain
    await press(tg, EDITOR, first, first.button("weiter ▶"))
    await tg.wait_for(lambda: first.edits)
    assert "Seite 2/" in first.plain

    qr = doc_id("knowledge/vermittlung/qr-codes.md")
    details = await reply_to(tg, EDITOR, f"/dokument {qr}")
    assert "QR-Codes an Exponaten" in details.plain
    assert "Abschnitte im Index" in details.plain
    unknown = await reply_to(tg, EDITOR, "/dokument 00000000")
    assert "Kein Dokument" in unknown.plain

    question = await reply_to(tg, EDITOR, f"/entfernen {qr}")
    assert "wirklich aus der Wissensbasis entfernt" in question.plain
    forged = await press(tg, USER, question, f"ed:rm:{qr}")
    assert "Redaktion" in str(forged["text"])
    assert "knowledge/vermittlung/qr-codes.md" in bot.services.engine.retriever.index.manifest.files
    await press(tg, EDITOR, question, f"ed:rm:{qr}")
    await tg.wait_for(lambda: question.edits)
    assert "Entfernt: QR-Codes an Exponaten" in question.plain
    index = bot.services.engine.retriever.index
    assert "knowledge/vermittlung/qr-codes.md" not in index.manifest.files
    again = await press(tg, EDITOR, question, f"ed:rm:{qr}")
    assert "Kein Dokument" in str(again["text"])

    instagram = doc_id("knowledge/kommunikation/instagram.md")
    ask = await reply_to(tg, EDITOR, f"/entfernen {instagram}")
    await press(tg, EDITOR, ask, "ed:no")
    await tg.wait_for(lambda: ask.edits)
    assert "abgebrochen" in ask.plain
    assert "knowledge/kommunikation/instagram.md" in index.manifest.files
    stale = await press(tg, EDITOR, ask, "ed:xx:1")
    assert stale["text"] == "Diese Schaltfläche ist nicht mehr aktuell."
    audit = [e.action for e in (await asyncio.to_thread(_audit, bot))]
    assert audit == ["remove"]
    assert tg.errors == []


def _audit(bot: RunningBot) -> list:  # type: ignore[type-arg]
    from bot.editors.audit import AuditLog

    return AuditLog(bot.services.db).entries()


async def test_gaps_command_groups_open_questions(bot: RunningBot) -> None:
    recorder = GapRecorder(bot.services.db)
    for question in (
        "Was kostet ein Audioguide?",
        "Wie teuer ist ein Audioguide für unser Museum?",
        "Wie beantrage ich den Heimat-Scheck?",
    ):
        recorder.record(GapKind.UNANSWERED, question)
    report = await reply_to(bot.tg, EDITOR, "/luecken")
    assert "3 Fragen in 2 Gruppen" in report.plain
    assert "1. 2× „Was kostet ein Audioguide?“" in report.plain
    bad = await reply_to(bot.tg, EDITOR, "/luecken gestern")
    assert "TT.MM.JJJJ" in bad.plain


async def test_weekly_message_reaches_every_editor(bot: RunningBot) -> None:
    tg = bot.tg
    for editor in (EDITOR, OTHER_EDITOR):  # a bot can only write to users who started it
        await reply_to(tg, editor, "/redaktion")
    jobs = bot.app.job_queue.get_jobs_by_name(WEEKLY_JOB)  # type: ignore[union-attr]
    assert len(jobs) == 1
    await jobs[0].run(bot.app)
    for editor in (EDITOR, OTHER_EDITOR):
        _, digest = await tg.wait_messages(editor, 2)
        assert "Wochenüberblick für die Redaktion" in digest.plain
        assert "Sonderprogramm Digitalbonus 2025" in digest.plain
        assert "abgelaufen seit" in digest.plain
    assert tg.messages(USER) == []


def test_editor_commands_stay_out_of_the_public_menu() -> None:
    from telegram.ext import CommandHandler

    from bot.telegram import texts
    from bot.telegram.handlers import handlers

    handled = {
        name
        for _, handler in handlers()
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    editors = {"dokumente", "dokument", "entfernen", "gueltig", "thema", "luecken", "redaktion"}
    menu = {name for name, _ in texts.COMMANDS}
    assert not editors & menu
    assert editors <= handled
    assert menu <= handled  # every command in Telegram's menu has a handler
