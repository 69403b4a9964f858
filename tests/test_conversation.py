"""The conversation routes each text: a Rückfrage answer, an intake step, or a question."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from bot.context import AppContext, build_context
from bot.conversation import Answer, Route, Step
from bot.engine.reply import ReplyKind
from bot.handoff.intake import Outcome
from tests.conftest import SettingsFactory
from tests.handoff_fixtures import STANDARD_ANSWERS

USER = 4711
ADVISOR = 9001


@pytest.fixture
def ctx(settings_factory: SettingsFactory) -> Iterator[AppContext]:
    context = build_context(
        settings_factory(advisor_ids=str(ADVISOR), advisor_chat_id=-100),
        store_conversations=True,
    )
    yield context
    context.close()


def test_a_question_is_answered_in_two_transactions_with_the_routing_read(
    ctx: AppContext,
) -> None:
    conversation = ctx.conversation
    first = conversation.handle(USER, USER, "Wie hoch ist der Heimat-Scheck?")
    assert isinstance(first, Answer) and first.reply.kind == ReplyKind.ANSWER
    transactions: list[object] = []
    event.listen(ctx.db.engine, "begin", lambda connection: transactions.append(connection))
    follow_up = conversation.handle(USER, USER, "und muss man da was selbst zuzahlen?")
    assert isinstance(follow_up, Answer)
    assert follow_up.reply.kind == ReplyKind.ANSWER
    # routing, user and recent turns in one read; the new turn in one write
    assert len(transactions) == 2
    assert follow_up.reply.citations[0].path == "knowledge/foerderung/heimat-scheck.md"


def test_intake_answers_are_intake_steps_until_the_case_exists(ctx: AppContext) -> None:
    conversation = ctx.conversation
    conversation.handle(USER, USER, "Wie hoch ist der Heimat-Scheck?")
    started = conversation.start_consultation(USER, USER, via_command=True)
    assert started.outcome == Outcome.ASK
    assert conversation.receive(USER, USER).waiting == Route.INTAKE
    step: Answer | Step | None = None
    for text in STANDARD_ANSWERS:
        step = conversation.handle(USER, USER, text)
        assert isinstance(step, Step) and step.route is Route.INTAKE
    assert isinstance(step, Step) and step.intake is not None
    assert step.intake.outcome == Outcome.DONE and step.intake.case is not None
    # the case brief records the question the consultation followed
    assert "Wie hoch ist der Heimat-Scheck?" in step.intake.case.brief
    # after the intake, text is a question again
    after = conversation.handle(USER, USER, "Was ist der Heimat-Scheck?")
    assert isinstance(after, Answer)


def test_a_cancelled_intake_no_longer_takes_the_text(ctx: AppContext) -> None:
    conversation = ctx.conversation
    conversation.start_consultation(USER, USER, via_command=True)
    assert ctx.handoff.intake.cancel(USER)
    opened = conversation.receive(USER, USER)
    assert opened.waiting is None and opened.conversation_id is not None


def test_a_pending_rueckfrage_takes_the_next_text_before_an_intake(ctx: AppContext) -> None:
    conversation = ctx.conversation
    conversation.start_consultation(USER, USER, via_command=True)
    step: Answer | Step | None = None
    for text in STANDARD_ANSWERS:
        step = conversation.handle(USER, USER, text)
    assert isinstance(step, Step) and step.intake is not None and step.intake.case is not None
    case_id = step.intake.case.id
    ctx.handoff.cases.claim(case_id, ADVISOR, "Beraterin A")
    ctx.handoff.relay.open_question(case_id, ADVISOR)
    # the advisor's next text is the question to the user, not a question for the engine
    assert conversation.receive(ADVISOR, ADVISOR).waiting == Route.RELAY
    asked = conversation.handle(ADVISOR, ADVISOR, "Wann ist das Archiv geöffnet?")
    assert isinstance(asked, Step) and asked.relay is not None
    assert asked.relay.chat_id == USER
    # the user's answer goes back to the advisor
    answered = conversation.handle(USER, USER, "Dienstags von 10 bis 12 Uhr.")
    assert isinstance(answered, Step) and answered.route is Route.RELAY
    assert answered.relay is not None and answered.relay.text == "Dienstags von 10 bis 12 Uhr."
    # nothing pending any more: the next text is a question
    assert isinstance(conversation.handle(USER, USER, "Was ist der Heimat-Scheck?"), Answer)
