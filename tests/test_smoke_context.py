"""The fixture index answers a grounded question with a citation; a context does not start over
an index whose vectors are gone."""

import shutil

import pytest

from bot.context import AppContext, build_context
from ingest.errors import IndexIncomplete
from tests.conftest import SettingsFactory


def test_fixture_corpus_answers_with_citation(app_context: AppContext) -> None:
    reply = app_context.engine.reply("t", "Wie hoch ist der Heimat-Scheck?")
    assert reply.answerable
    assert "2.000 Euro" in reply.body
    assert reply.citations[0].path == "knowledge/foerderung/heimat-scheck.md"


def test_an_answered_question_costs_two_database_transactions(
    settings_factory: SettingsFactory,
) -> None:
    from sqlalchemy import event

    from bot.engine.reply import ReplyKind

    ctx = build_context(settings_factory(), store_conversations=True)
    try:
        ctx.answer(7, 70, "Wie hoch ist der Heimat-Scheck?")  # first contact creates the user
        transactions: list[object] = []
        event.listen(ctx.db.engine, "begin", lambda connection: transactions.append(connection))
        answer = ctx.answer(7, 70, "und muss man da was selbst zuzahlen?")
        assert answer.reply.kind == ReplyKind.ANSWER
        assert len(transactions) == 2  # user + recent turns read together, the new turn written
        conversation = ctx.users.conversation_id(7)
        assert conversation is not None
        assert answer.turn_id == ctx.feedback.latest_turn_id(conversation)  # id from the append
        turns = ctx.engine.history.recent(conversation, 5)
        assert [t.question for t in turns][-1] == "und muss man da was selbst zuzahlen?"
        # the follow-up was read with the previous turn: it stays with the Heimat-Scheck
        assert answer.reply.citations[0].path == "knowledge/foerderung/heimat-scheck.md"
    finally:
        ctx.close()


def test_search_does_not_start_over_an_index_whose_vectors_are_gone(
    settings_factory: SettingsFactory,
) -> None:
    settings = settings_factory()
    shutil.rmtree(settings.chroma_path)
    ctx = build_context(settings)
    with pytest.raises(IndexIncomplete) as raised:
        ctx.open()
    assert (raised.value.missing, raised.value.total) == (19, 19)
    ctx.close()
