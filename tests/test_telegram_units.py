"""Units of the Telegram adapter that need no server: callback data, rate limit, repositories."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.history import Turn
from bot.handoff.cases import CaseAction
from bot.ratelimit import RateLimiter, Verdict
from bot.store.database import Database
from bot.store.feedback import FeedbackStore
from bot.store.history import DbHistory
from bot.store.models import utcnow
from bot.store.users import UserStore
from bot.telegram import callbacks


def test_callback_data_round_trips_and_stays_under_64_bytes() -> None:
    big, top = 10**12 - 1, callbacks.MAX_ID
    encoded = [
        callbacks.feedback(top, 1),
        callbacks.feedback(top, -1),
        callbacks.consultation(top),
        callbacks.consultation(),
        callbacks.example(2),
        callbacks.topic_list(big, 9999),
        callbacks.topic_docs(big, 9999, 9999),
        callbacks.topic_doc(big, 9999, 9999),
    ]
    assert all(1 <= len(data.encode()) < 64 for data in encoded)
    assert callbacks.parse_rating(encoded[0]) == callbacks.Rating(top, 1)
    assert callbacks.parse_rating(encoded[1]) == callbacks.Rating(top, -1)
    assert callbacks.parse_consultation(encoded[2]) == (True, top)
    assert callbacks.parse_consultation(encoded[3]) == (True, None)
    assert callbacks.parse_example(encoded[4]) == 2
    assert callbacks.parse_topic_nav(encoded[7]) == callbacks.TopicNav("tv", big, 9999, 9999)


def test_every_button_kind_round_trips_through_the_one_codec() -> None:
    big = callbacks.MAX_ID
    encoded = {
        callbacks.intake_choice("contact", "video-call"): ("hi", ("contact", "video-call")),
        callbacks.case_action(CaseAction.CLOSE, big): ("hc", ("x", str(big))),
        callbacks.book(big, big): ("hs", (str(big), str(big))),
        callbacks.offer_page(big, 9999): ("hp", (str(big), "9999")),
        callbacks.cancel(big): ("hx", (str(big),)),
        callbacks.move_page(big, 0): ("hm", (str(big), "0")),
        callbacks.move_to(big, 1): ("hn", (str(big), "1")),
        callbacks.remove_slot(7): ("hz", ("7",)),
        callbacks.delete_data(False): ("hd", ("n",)),
        callbacks.list_page(12): ("ed:l", ("12",)),
        callbacks.topic_choice("0123abcd", "foerderung"): ("ed:t", ("0123abcd", "foerderung")),
        callbacks.remove_confirm("0123abcd"): ("ed:rm", ("0123abcd",)),
        callbacks.remove_cancel(): ("ed:no", ()),
        callbacks.consultation(): ("cs", ()),
        callbacks.NOOP: ("noop", ()),
    }
    for data, (kind, fields) in encoded.items():
        assert len(data.encode()) <= callbacks.MAX_BYTES
        assert callbacks.parse(data) == callbacks.Parsed(kind, fields)
        assert callbacks.kind_of(data) == kind
    ask = callbacks.parse(callbacks.case_action(CaseAction.ASK, 1), "hc")
    assert ask is not None
    assert callbacks.action_of(ask) == CaseAction.ASK
    assert callbacks.parse(callbacks.cancel(1), "hs", "hn") is None  # only the kinds asked for
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.topic_choice("0123abcd", "x" * 60)


@pytest.mark.parametrize(
    "forged",
    [
        "fb:+:2147483648",
        "cs:99999999999",
        "hc:c:2147483648",
        "hs:1:4294967296",
        "hs:9999999999:1",
        "hp:2147483648:0",
        "hx:2147483648",
        "hm:2147483648:0",
        "hn:1:2147483648",
        "hz:9999999999",
        "hx:99999999999",
    ],
)
def test_ids_beyond_the_database_range_are_stale_buttons(forged: str) -> None:
    """PostgreSQL raised 'integer out of range' for these; the codec now refuses them."""
    assert callbacks.parse(forged) is None
    assert callbacks.kind_of(forged) is None


@pytest.mark.parametrize(
    ("pattern", "accepted", "refused"),
    [
        (callbacks.route("fb"), ["fb:+:1", "fb:junk"], ["fb", "xfb:+:1"]),
        (callbacks.route("hp", "hm"), ["hp:1:0", "hm:1:0"], ["hx:1", "hpm:1"]),
        (callbacks.route("cs", bare=True), ["cs", "cs:5"], ["csx", "xcs"]),
        (callbacks.route("ed"), ["ed:no", "ed:xx:1"], ["ed", "edl:1"]),
        (callbacks.NOOP_ROUTE, ["noop"], ["noop:1", "noops"]),
    ],
)
def test_routes_look_at_the_prefix_only(
    pattern: str, accepted: list[str], refused: list[str]
) -> None:
    assert all(re.match(pattern, data) for data in accepted)
    assert not any(re.match(pattern, data) for data in refused)


@given(st.one_of(st.text(max_size=80), st.binary(max_size=64).map(lambda b: b.decode("latin-1"))))
def test_parsing_arbitrary_callback_data_never_raises(data: str) -> None:
    parsed = callbacks.parse(data)
    # Whatever is accepted is exactly what the encoder would have written.
    assert parsed is None or callbacks.encode(parsed.kind, *parsed.fields) == data
    rating = callbacks.parse_rating(data)
    assert rating is None or rating.value in (1, -1)
    callbacks.parse_consultation(data)
    callbacks.parse_example(data)
    callbacks.parse_topic_nav(data)


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


def test_button_presses_weigh_half_a_message_in_the_same_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.check(1, 0.5) for _ in range(4)] == [Verdict.ALLOW] * 4
    assert limiter.check(1) is Verdict.ALLOW  # 2 + 1 = 3
    assert limiter.check(1, 0.5) is Verdict.NOTIFY
    assert limiter.check(1) is Verdict.DROP
    assert limiter.retry_in(1) == 60
    now[0] = 60.0
    assert limiter.check(1) is Verdict.ALLOW
