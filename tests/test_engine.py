"""Retrieval and answers over the fixture corpus: grounding, citations, flags, follow-ups."""

from __future__ import annotations

from datetime import date

import pytest

import bot.engine.engine as engine_module
from bot.context import AppContext, build_context
from bot.engine.reply import ReplyKind
from tests.conftest import SettingsFactory


def test_answer_is_grounded_cited_and_dated(app_context: AppContext) -> None:
    reply = app_context.engine.reply(
        "c", "Welche Förderung gibt es für einen Audioguide in unserem ehrenamtlichen Heimatmuseum?"
    )
    assert reply.kind == ReplyKind.ANSWER and reply.answerable
    assert reply.citations[0].path == "knowledge/foerderung/heimat-scheck.md"
    assert "[1]" in reply.body
    assert reply.citations[0].stand == "2026-11-01"
    assert "Quellen:" in reply.text
    assert "Stand der Quelle 03/2025, geprüft 01.11.2026" in reply.text
    assert reply.citations[0].url == "https://www.mhkbd.nrw/foerderprogramme/heimat-scheck"
    assert len(reply.text) <= 1300


def test_every_answer_sentence_comes_from_a_cited_chunk(app_context: AppContext) -> None:
    reply = app_context.engine.reply(
        "c", "Bis wann kann man bei der LWL-Kulturstiftung Anträge stellen?"
    )
    corpus = " ".join(c.text for c in app_context.index.live_chunks())
    corpus = " ".join(corpus.split())
    for sentence in reply.body.split(" ["):
        text = sentence.split("] ", 1)[-1].strip()
        if text and not text[0].isdigit():
            assert text.rstrip(".") in corpus
    assert "28. Februar" in reply.body


def test_follow_up_is_understood_in_context(app_context: AppContext) -> None:
    engine = app_context.engine
    engine.reply("f", "Welche Förderung gibt es für einen Audioguide?")
    follow = engine.reply("f", "Und wie hoch ist da der Eigenanteil?")
    assert follow.answerable
    assert follow.citations[0].path == "knowledge/foerderung/heimat-scheck.md"
    assert "Eigenanteil ist nicht erforderlich" in follow.body
    alone = engine.reply("other", "Und wie hoch ist da der Eigenanteil?")
    assert alone.standalone_query == "Und wie hoch ist da der Eigenanteil?"


def test_reset_forgets_the_conversation(app_context: AppContext) -> None:
    engine = app_context.engine
    engine.reply("r", "Welche Förderung gibt es für einen Audioguide?")
    engine.reset("r")
    assert engine.reply("r", "Und da?").standalone_query == "Und da?"


@pytest.mark.parametrize(
    "question",
    [
        "Wie wird das Wetter morgen in Münster?",
        "Haben Sie ein Rezept für Apfelkuchen?",
        "Wer gewinnt die Bundesliga?",
    ],
)
def test_off_topic_questions_are_out_of_scope(app_context: AppContext, question: str) -> None:
    reply = app_context.engine.reply("o", question)
    assert reply.out_of_scope and not reply.answerable and not reply.citations
    assert reply.kind == ReplyKind.OUT_OF_SCOPE
    assert "Vermittlung" in reply.body


def test_uncovered_domain_question_says_so_and_suggests_handoff(app_context: AppContext) -> None:
    reply = app_context.engine.reply(
        "n", "Wie digitalisiere ich Glasplattennegative mit einem Durchlichtscanner?"
    )
    assert reply.kind == ReplyKind.NO_ANSWER
    assert not reply.answerable and reply.handoff_suggested and not reply.out_of_scope
    assert "keine verlässliche Information" in reply.body
    assert not reply.citations


@pytest.mark.parametrize(
    "question",
    [
        "Ich hätte gern einen Termin für eine Beratung.",
        "Kann mich jemand zurückrufen?",
        "Ich möchte mit einem Menschen sprechen.",
        "Können Sie unseren Förderantrag prüfen, bevor wir ihn abschicken?",
    ],
)
def test_wish_for_a_person_or_review_suggests_handoff(
    app_context: AppContext, question: str
) -> None:
    reply = app_context.engine.reply("h", question)
    assert reply.handoff_suggested
    assert not reply.out_of_scope


def test_empty_and_greeting_messages(app_context: AppContext) -> None:
    assert app_context.engine.reply("e", "   ").kind == ReplyKind.EMPTY
    assert app_context.engine.reply("e", "?!…").kind == ReplyKind.EMPTY
    assert app_context.engine.reply("e", "Hallo!").kind == ReplyKind.GREETING


def test_huge_question_is_truncated_not_crashing(app_context: AppContext) -> None:
    reply = app_context.engine.reply("x", "Heimat-Scheck " * 5000)
    assert reply.truncated
    assert len(reply.question) <= 2000


def test_expired_source_is_cited_with_warning(
    settings_factory: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = build_context(settings_factory())
    reply = ctx.engine.reply("d", "Bis wann konnte man den Digitalbonus für Tablets beantragen?")
    cited = [c for c in reply.citations if c.path.endswith("abgelaufenes-programm.md")]
    assert cited and cited[0].expired
    assert "abgelaufen" in reply.text
    monkeypatch.setattr(engine_module, "date", date)  # the engine's clock is injectable
    fresh = build_context(settings_factory())
    fresh.engine._today = lambda: date(2025, 6, 1)
    again = fresh.engine.reply("d", "Bis wann konnte man den Digitalbonus für Tablets beantragen?")
    assert "abgelaufen" not in again.text


def test_topic_filter_and_per_document_cap(app_context: AppContext) -> None:
    result = app_context.retriever.search("Förderung Eigenanteil Antrag", k=10, topic="foerderung")
    assert result.hits and all(h.meta("topic") == "foerderung" for h in result.hits)
    sources = [h.source for h in result.hits]
    assert max(sources.count(s) for s in sources) <= 2


def test_long_message_is_answered_from_its_question(app_context: AppContext) -> None:
    background = " ".join(f"Unser Projekt hat den Baustein Nummer {n}." for n in range(40))
    reply = app_context.engine.reply("long", f"{background} Wie hoch ist der Heimat-Scheck?")
    assert reply.kind == ReplyKind.ANSWER and "2.000 Euro" in reply.body
    assert reply.question.startswith("Unser Projekt")  # the whole message is kept in the turn


def test_repeated_sentences_count_once(app_context: AppContext) -> None:
    reply = app_context.engine.reply(
        "rep", "Wie hoch ist der Heimat-Scheck? " + "Bitte schnell. " * 50
    )
    assert reply.question == "Wie hoch ist der Heimat-Scheck? Bitte schnell."
    assert not reply.truncated and "2.000 Euro" in reply.body
