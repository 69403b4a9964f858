"""The fixture index answers a grounded question with a citation."""

from bot.context import AppContext


def test_fixture_corpus_answers_with_citation(app_context: AppContext) -> None:
    reply = app_context.engine.reply("t", "Wie hoch ist der Heimat-Scheck?")
    assert reply.answerable
    assert "2.000 Euro" in reply.body
    assert reply.citations[0].path == "knowledge/foerderung/heimat-scheck.md"
