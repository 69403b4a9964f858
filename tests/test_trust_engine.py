"""Answer trust on the whole knowledge base: decline the unknown, answer the known, follow topics.

These run the fitted model over the real index (built once per session, see conftest.kb_context).
The questions here are written for the tests; the evaluation set's held-out part is checked at the
end against floors below the figures reported in the README.
"""

from __future__ import annotations

import re

import pytest

from benchmarks.trust.data import load_part
from benchmarks.trust.evaluate import evaluate
from bot.answer.evidence import is_dangling
from bot.context import AppContext
from bot.engine.reply import ReplyKind

HEIMAT_SCHECK = "knowledge/foerderung/heimat-scheck.md"
KULTURSTIFTUNG = "knowledge/foerderung/lwl-kulturstiftung.md"


def _sentences(body: str) -> list[str]:
    return [s.strip() for s in re.split(r"\[\d+\]", body) if s.strip()]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        (
            "Wie hoch ist die Förderung im Programm Museum-Digital-Plus der Kulturstiftung "
            "Schleswig-Holstein?",
            "Zum Programm „Museum-Digital-Plus der Kulturstiftung Schleswig-Holstein“",
        ),
        ("Gibt es beim LWL-Digitalfonds Plus noch Geld für Tablets?", "LWL-Digitalfonds"),
    ],
)
def test_unknown_programme_is_declined_by_name(
    kb_context: AppContext, question: str, named: str
) -> None:
    reply = kb_context.engine.reply("u", question)
    assert reply.kind == ReplyKind.NO_ANSWER and not reply.citations
    assert named in reply.body and "keine Angaben" in reply.body
    assert reply.handoff_suggested and "Euro" not in reply.body


@pytest.mark.parametrize(
    "question",
    [
        "Was kostet der Eintritt im LWL-Freilichtmuseum Detmold?",
        "Welche Öffnungszeiten hat das LWL-Museum für Kunst und Kultur?",
        "wer leitet eigentlich das lwl-museumsamt, wie heißt die person?",
        "gibt es sowas wie den heimat-scheck auch in bayern?",
    ],
)
def test_facts_the_sources_do_not_keep_are_declined(kb_context: AppContext, question: str) -> None:
    reply = kb_context.engine.reply("n", question)
    assert reply.kind == ReplyKind.NO_ANSWER, reply.body
    assert not reply.citations and not re.search(r"\d+[.,]?\d*\s?(€|Euro|Uhr)", reply.body)


def test_missing_part_is_named_and_the_known_part_given(kb_context: AppContext) -> None:
    reply = kb_context.engine.reply("p", "Gibt es bei der LWL-Kulturstiftung einen Höchstbetrag?")
    assert reply.kind == ReplyKind.PARTIAL
    assert reply.body.startswith(
        "Eine Obergrenze nennen meine Quellen zu „LWL-Kulturstiftung“ nicht"
    )
    assert "bekannt ist:" in reply.body and reply.citations[0].path == KULTURSTIFTUNG


def test_yes_no_question_leads_with_the_deciding_sentence(kb_context: AppContext) -> None:
    reply = kb_context.engine.reply("y", "kann unsere gemeinde den heimat scheck beantragen?")
    assert reply.kind == ReplyKind.ANSWER and reply.citations[0].path == HEIMAT_SCHECK
    first = _sentences(reply.body)[0]
    assert "nicht" in first and ("antragsberechtigt" in first or "beantragen" in first)


def test_answer_is_one_section_without_dangling_openings(kb_context: AppContext) -> None:
    for question in (
        "Wie hoch ist der Heimat-Scheck?",
        "was muss man beim heimat-scheck beachten",
        "Was fördert die LWL-Kulturstiftung?",
        "wie lang sollen die texte bei einem audioguide sein",
    ):
        reply = kb_context.engine.reply("s", question)
        assert reply.kind == ReplyKind.ANSWER, question
        assert len({c.path for c in reply.citations}) == 1, question
        sentences = _sentences(reply.body)
        assert 1 <= len(sentences) <= 5
        assert not is_dangling(sentences[0]), sentences[0]
        assert not sentences[0].endswith(":")


def test_amount_answer_names_no_other_programme(kb_context: AppContext) -> None:
    reply = kb_context.engine.reply("a", "wie viel geld gibts beim heimatscheck")
    assert reply.kind == ReplyKind.ANSWER and "2.000 Euro" in reply.body
    for other in ("Kulturstiftung", "DSEE", "Heimat-Fonds", "Regionalbudget", "10.000"):
        assert other not in reply.body


def test_conversation_follows_its_topic_and_switches_cleanly(kb_context: AppContext) -> None:
    engine = kb_context.engine
    first = engine.reply("c", "Was ist der Heimat-Scheck?")
    assert first.citations[0].path == HEIMAT_SCHECK
    follow = engine.reply("c", "bis wann muss man den beantragen")
    assert follow.citations and follow.citations[0].path == HEIMAT_SCHECK
    assert "Heimat-Scheck" in follow.standalone_query
    switch = engine.reply("c", "Was fördert die LWL-Kulturstiftung?")
    assert switch.citations and {c.path for c in switch.citations} == {KULTURSTIFTUNG}
    assert switch.standalone_query == "Was fördert die LWL-Kulturstiftung?"
    again = engine.reply("c", "und die fristen?")
    assert again.citations[0].path == KULTURSTIFTUNG
    assert "28. Februar" in again.body or "31. August" in again.body
    # the query never grows: only the current subject is added
    assert again.standalone_query == "und die fristen? LWL-Kulturstiftung"


def test_declined_follow_up_keeps_the_subject_for_the_next_one(kb_context: AppContext) -> None:
    engine = kb_context.engine
    engine.reply("d", "Was ist der Heimat-Scheck?")
    outside = engine.reply("d", "und gibts das auch in niedersachsen?")
    assert outside.kind == ReplyKind.NO_ANSWER and "Niedersachsen" in outside.body
    back = engine.reply("d", "und wer darf den beantragen?")
    assert back.citations and back.citations[0].path == HEIMAT_SCHECK


@pytest.mark.parametrize(
    ("part", "floors"),
    [
        # Regression guards a little below the measured figures (README, "Measurements"), not the
        # issue's targets, which are not reached: accuracy, unknown declined, false refusals,
        # consultation wishes, off-topic messages.
        ("heldout", (0.42, 0.50, 0.22, 0.80, 0.75)),
        ("fresh", (0.42, 0.55, 0.22, 0.80, 0.50)),
    ],
)
def test_evaluation_parts_stay_above_their_floors(
    kb_context: AppContext, part: str, floors: tuple[float, float, float, float, float]
) -> None:
    accuracy, declined, refusals, consultation, offtopic = floors
    result = evaluate(kb_context.engine, load_part(part))
    assert result.switch_to_previous_topic == 0
    assert (result.answer_accuracy.value or 0) >= accuracy
    assert (result.unknown_declined.value or 0) >= declined
    assert (result.false_refusals.value or 1) <= refusals
    assert (result.consultation.value or 0) >= consultation
    assert (result.offtopic.value or 0) >= offtopic
