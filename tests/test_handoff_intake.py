"""Intake: the steps, validation hints, consent, /abbrechen and resuming after a restart."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.engine.history import Turn
from bot.handoff.advisors import Advisors
from bot.handoff.errors import StaleAction
from bot.handoff.intake import Outcome, Step
from bot.handoff.validation import EMAIL_HINT, PHONE_HINT, check_email, check_phone
from bot.store.database import Database
from bot.store.handoff_models import Case, Intake
from tests.handoff_fixtures import STANDARD_ANSWERS, USER, FakeClock, services

TURNS = [
    Turn(
        "Welche Förderung gibt es für Audioguides?",
        "audioguide förderung",
        "Das Programm X fördert Audioguides bis 5.000 Euro.",
        ("foerderung/x.md",),
        True,
    ),
    Turn(
        "Ist unser Antrag förderfähig?",
        "antrag förderfähig",
        "Dazu habe ich keine verlässliche Information.",
        (),
        False,
    ),
]


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_full_intake_creates_case_with_brief(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    _cases, intake = services(db, clock, advisors, TURNS)
    first = intake.start(USER, 77, "conv-1", "wish", "Bitte prüfen Sie unseren Antrag")
    assert first.step == Step.INSTITUTION and "/abbrechen" in first.text
    steps = []
    reply = first
    for answer in STANDARD_ANSWERS:
        steps.append(reply.step)
        reply = intake.answer(USER, answer)
        assert reply is not None
    assert steps == list(Step)
    assert reply.outcome == Outcome.DONE and reply.case is not None
    assert f"#{reply.case.id}" in reply.text
    brief = reply.case.brief
    assert "Heimatverein Musterdorf e. V. (Heimatverein), Musterdorf" in brief
    assert "Thema: Förderung" in brief
    assert "Telefon: 0251 591-4711" in brief
    assert "Wunsch: Bitte prüfen Sie unseren Antrag" in brief
    assert "Welche Förderung gibt es für Audioguides? – Quellen: foerderung/x.md" in brief
    unanswered = brief.split("Konnte der Assistent nicht beantworten:")[1]
    assert "Ist unser Antrag förderfähig?" in unanswered
    assert _count(db, Intake) == 0
    assert _count(db, Case) == 1


def test_telegram_contact_skips_the_number(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    for answer in STANDARD_ANSWERS[:5]:
        intake.answer(USER, answer)
    reply = intake.answer(USER, "Telegram")
    assert reply is not None and reply.step == Step.CONSENT
    assert "Kontakt: Telegram" in reply.text
    assert intake.answer(USER, "Ja, speichern").outcome == Outcome.DONE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("method", "bad", "hint", "good"),
    [
        ("telefon", "ruf mich an", PHONE_HINT, "+49 251 591 4711"),
        ("telefon", "12", PHONE_HINT, "(0251) 59 14 71"),
        ("email", "name@beispiel", EMAIL_HINT, "name@museum-beispiel.de"),
        ("email", "a b@c.de", EMAIL_HINT, "info@heimatverein.example.org"),
    ],
)
def test_contact_validation_gives_german_hint(
    db: Database, clock: FakeClock, advisors: Advisors, method: str, bad: str, hint: str, good: str
) -> None:
    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    for answer in [*STANDARD_ANSWERS[:5], method]:
        intake.answer(USER, answer)
    again = intake.answer(USER, bad)
    assert again is not None and again.step == Step.CONTACT_VALUE and again.hint == hint
    assert again.text.startswith(hint)
    assert intake.answer(USER, good).step == Step.CONSENT  # type: ignore[union-attr]


def test_free_text_and_choice_validation(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    assert intake.answer(USER, "  ").hint  # type: ignore[union-attr]
    assert intake.answer(USER, "x" * 500).hint  # type: ignore[union-attr]
    intake.answer(USER, "Museum am Markt")
    wrong = intake.answer(USER, "Zoo")
    assert wrong is not None and wrong.step == Step.TYPE and "Museum" in (wrong.hint or "")
    assert intake.answer(USER, "2").step == Step.TOWN  # type: ignore[union-attr]  (2 = Gedenkstätte)


def test_declined_consent_stores_nothing(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    for answer in STANDARD_ANSWERS[:-1]:
        intake.answer(USER, answer)
    reply = intake.answer(USER, "nein")
    assert reply is not None and reply.outcome == Outcome.DECLINED
    assert "nicht gespeichert" in reply.text
    assert _count(db, Intake) == 0 and _count(db, Case) == 0


def test_cancel_at_any_step(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    _cases, intake = services(db, clock, advisors)
    assert intake.cancel(USER) is False
    intake.start(USER, USER, "c", "termin")
    intake.answer(USER, "Museum am Markt")
    assert intake.cancel(USER) is True
    assert intake.current(USER) is None and intake.answer(USER, "museum") is None
    assert _count(db, Intake) == 0


def test_resumes_after_restart(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    intake.answer(USER, "Museum am Markt")
    intake.answer(USER, "museum")
    restarted = Database(db.url)
    try:
        _cases2, fresh = services(restarted, clock, advisors)
        current = fresh.current(USER)
        assert current is not None and current.step == Step.TOWN
        assert fresh.start(USER, USER, "c", "termin").step == Step.TOWN  # no second draft
        assert fresh.answer(USER, "Detmold").step == Step.TOPIC  # type: ignore[union-attr]
    finally:
        restarted.dispose()


def test_stale_button_of_earlier_step(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    intake.answer(USER, "Museum am Markt")
    intake.answer(USER, "museum", step="type")
    with pytest.raises(StaleAction):
        intake.answer(USER, "andere", step="type")
    assert intake.current(USER).step == Step.TOWN  # type: ignore[union-attr]


def test_expired_draft_is_dropped(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    from datetime import timedelta

    _cases, intake = services(db, clock, advisors)
    intake.start(USER, USER, "c", "termin")
    clock.advance(timedelta(days=3))
    assert intake.current(USER) is None
    assert _count(db, Intake) == 0


def test_validators_directly() -> None:
    assert check_phone("0521 12 34 56").ok
    assert check_phone("+49 (0)521 123456").ok
    assert not check_phone("0800").ok
    assert not check_phone("123456789").ok  # no leading 0 or +
    assert check_email("vorname.nachname@lwl.org").ok
    assert not check_email("@lwl.org").ok
    assert not check_email("x" * 250 + "@a.de").ok


def test_trigger_classification(db: Database) -> None:
    from bot.handoff.triggers import classify
    from bot.store.models import Feedback

    answered, unanswered = TURNS
    assert classify(db, "c", answered, via_command=True, wants_person=False) == ("termin", "")
    assert classify(db, "c", None, via_command=False, wants_person=False) == ("button", "")
    assert classify(db, "c", unanswered, via_command=False, wants_person=False)[0] == "unanswered"
    assert classify(db, "c", unanswered, via_command=False, wants_person=True)[0] == "wish"
    assert classify(db, "c", answered, via_command=False, wants_person=False) == (
        "button",
        answered.question,
    )
    with db.session() as session:
        session.add(
            Feedback(
                conversation_id="c",
                telegram_user_id=USER,
                question=answered.question,
                cited_docs="[]",
                rating=-1,
            )
        )
    assert classify(db, "c", answered, via_command=False, wants_person=False)[0] == "thumbs_down"
