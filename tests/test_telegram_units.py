"""Units of the Telegram adapter that need no server: callback data, rate limit, repositories."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.history import Turn
from bot.ratelimit import RateLimiter, Verdict
from bot.store.database import Database
from bot.store.feedback import FeedbackStore
from bot.store.history import DbHistory
from bot.store.models import utcnow
from bot.store.users import UserStore
from bot.telegram import callbacks


def test_callback_data_round_trips_and_stays_under_64_bytes() -> None:
    big = 10**12 - 1
    encoded = [
        callbacks.feedback(big, 1),
        callbacks.feedback(big, -1),
        callbacks.consultation(big),
        callbacks.consultation(),
        callbacks.example(2),
        callbacks.topic_list(big, 9999),
        callbacks.topic_docs(big, 9999, 9999),
        callbacks.topic_doc(big, 9999, 9999),
    ]
    assert all(1 <= len(data.encode()) < 64 for data in encoded)
    assert callbacks.parse_rating(encoded[0]) == callbacks.Rating(big, 1)
    assert callbacks.parse_rating(encoded[1]) == callbacks.Rating(big, -1)
    assert callbacks.parse_consultation(encoded[2]) == (True, big)
    assert callbacks.parse_consultation(encoded[3]) == (True, None)
    assert callbacks.parse_example(encoded[4]) == 2
    assert callbacks.parse_topic_nav(encoded[7]) == callbacks.TopicNav("tv", big, 9999, 9999)


@given(
    st.one_of(
        st.text(max_size=80),
        st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
        st.from_regex(r"(fb:[+-]:|cs|cs:|ex:|t[ldv]:)[0-9:]{0,20}", fullmatch=True),
    )
)
def test_parsing_arbitrary_callback_data_never_raises(data: str) -> None:
    """Any payload parses without raising, as at most one kind of button, to a value that
    encodes back to a payload with the same meaning."""
    rating = callbacks.parse_rating(data)
    consultation, turn = callbacks.parse_consultation(data)
    example = callbacks.parse_example(data)
    nav = callbacks.parse_topic_nav(data)
    assert [rating is not None, consultation, example is not None, nav is not None].count(True) <= 1
    if rating is not None:
        assert callbacks.parse_rating(callbacks.feedback(rating.turn_id, rating.value)) == rating
    if consultation:
        assert callbacks.parse_consultation(callbacks.consultation(turn)) == (True, turn)
    else:
        assert turn is None
    if example is not None:
        assert callbacks.parse_example(callbacks.example(example)) == example
    if nav is not None:
        encoded = {
            "tl": lambda: callbacks.topic_list(nav.generation, nav.index),
            "td": lambda: callbacks.topic_docs(nav.generation, nav.topic, nav.index),
            "tv": lambda: callbacks.topic_doc(nav.generation, nav.topic, nav.index),
        }[nav.level]()
        assert callbacks.parse_topic_nav(encoded) == nav


@pytest.mark.parametrize(
    "data", ["fb:+:", "fb:x:1", "fb:+:1:2", "fb:+:" + "1" * 13, "cs:", "ex:-1", "tl:1", "", None]
)
def test_malformed_callback_data_is_rejected(data: str | None) -> None:
    assert callbacks.parse_rating(data) is None
    assert callbacks.parse_consultation(data) == (False, None) or data == "cs"
    assert callbacks.parse_topic_nav(data) is None


def test_rate_limit_slides_and_notifies_once_per_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 10.0, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTIFY,
        Verdict.DROP,
    ]
    assert limiter.check(2) is Verdict.ALLOW  # per user
    assert limiter.retry_in(1) == pytest.approx(10.0)
    now[0] = 10.5
    assert limiter.check(1) is Verdict.ALLOW  # the window slid
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(1) is Verdict.NOTIFY  # notified again in the new window


def test_rate_limit_memory_is_bounded() -> None:
    limiter = RateLimiter(1, 60.0, max_users=10)
    for user in range(100):
        limiter.check(user)
    assert len(limiter._windows) == 10


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")


def turn(question: str, sources: tuple[str, ...] = ("knowledge/a.md",)) -> Turn:
    return Turn(question, question, "Antwort", sources, True)


def test_conversation_ids_are_stable_and_renewed_by_neu(db: Database) -> None:
    users = UserStore(db)
    first = users.touch(7, 7)
    assert users.touch(7, 7) == first
    assert UserStore(Database(db.url)).conversation_id(7) == first  # another process sees it
    DbHistory(db).append(first, turn("Frage"))
    renewed = users.new_conversation(7, 7)
    assert renewed != first
    assert DbHistory(db).recent(first, 5) == []


def test_feedback_only_for_own_current_answers_and_rerating_replaces(db: Database) -> None:
    users, feedback = UserStore(db), FeedbackStore(db)
    mine, theirs = users.touch(1, 1), users.touch(2, 2)
    DbHistory(db).append(mine, turn("Meine Frage", ("knowledge/x.md", "knowledge/y.md")))
    DbHistory(db).append(theirs, turn("Ihre Frage"))
    my_turn = feedback.latest_turn_id(mine)
    their_turn = feedback.latest_turn_id(theirs)
    assert my_turn is not None and their_turn is not None
    assert feedback.answer_of(1, their_turn) is None
    answer = feedback.answer_of(1, my_turn)
    assert answer is not None
    assert answer.cited_docs == ("knowledge/x.md", "knowledge/y.md")
    assert feedback.rate(1, answer, 1) is True
    assert feedback.rate(1, answer, 1) is False
    assert feedback.rate(1, answer, -1) is True
    (stored,) = feedback.all_for_user(1)
    assert (stored.question, stored.rating) == ("Meine Frage", -1)


def test_forget_and_retention_purge(db: Database) -> None:
    users, feedback = UserStore(db), FeedbackStore(db)
    conversation = users.touch(3, 3)
    DbHistory(db).append(conversation, turn("Alt"))
    turn_id = feedback.latest_turn_id(conversation)
    answer = feedback.answer_of(3, turn_id or 0)
    assert answer is not None
    feedback.rate(3, answer, 1)
    assert users.purge(30) == 0
    assert users.purge(30, now=utcnow() + timedelta(days=31)) == 2
    assert users.forget(3) is True
    assert users.conversation_id(3) is None
    assert users.forget(3) is False
