"""/meine_daten, /daten_loeschen and the retention purge."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.booking.bookings import BookingService
from bot.booking.slots import SlotService
from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.handoff.relay import RelayService
from bot.privacy import PrivacyService, render_my_data
from bot.store.database import Database
from bot.store.handoff_models import Booking, Case, CaseMessage, PendingInput, Slot
from bot.store.models import ConversationTurn, Feedback, User
from tests.handoff_fixtures import ADVISOR_A, OTHER_USER, USER, FakeClock, open_case


def _seed_user(db: Database, user: int, clock: FakeClock) -> None:
    with db.session() as session:
        session.add(
            User(
                telegram_user_id=user,
                chat_id=user,
                conversation_id=f"conv-{user}",
                first_seen=clock.now,
                last_seen=clock.now,
            )
        )
        for n in range(3):
            session.add(
                ConversationTurn(
                    conversation_id=f"conv-{user}",
                    question=f"Frage {n}",
                    standalone_query=f"Frage {n}",
                    answer="Antwort",
                    sources="[]",
                    answerable=True,
                    created_at=clock.now,
                )
            )
        session.add(
            Feedback(
                conversation_id=f"conv-{user}",
                telegram_user_id=user,
                question="Frage 0",
                cited_docs="[]",
                rating=-1,
                created_at=clock.now,
            )
        )


def _count(db: Database, model: type, **where: object) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int(session.scalar(query) or 0)


def test_my_data_lists_everything(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    privacy = PrivacyService(db, 30, clock)
    assert render_my_data(privacy.summary(USER), 30) == "Über Sie ist derzeit nichts gespeichert."
    _seed_user(db, USER, clock)
    case_id = open_case(db, clock, advisors)
    data = privacy.summary(USER)
    assert (data.turns, data.feedback, [c[0] for c in data.cases]) == (3, 1, [case_id])
    text = render_my_data(data, 30)
    assert "Gesprächsverlauf: 3 Fragen und Antworten" in text
    assert f"Beratungsanfrage #{case_id} (Förderung), offen" in text
    assert "/daten_loeschen" in text and "30 Tagen" in text


def test_delete_everything_cancels_appointments(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    _seed_user(db, USER, clock)
    _seed_user(db, OTHER_USER, clock)
    cases = CaseService(db, advisors, clock)
    case_id = open_case(db, clock, advisors)
    other_case = open_case(db, clock, advisors, OTHER_USER)
    cases.claim(case_id, ADVISOR_A, "Anna")
    relay = RelayService(db, cases, clock)
    relay.open_question(case_id, ADVISOR_A)
    relay.submit(ADVISOR_A, "Eine Rückfrage")
    slot = SlotService(db, clock).add(ADVISOR_A, clock.now + timedelta(days=2), 45, "video")
    booking = BookingService(db, clock).book(slot.id, case_id, USER)

    deletion = PrivacyService(db, 30, clock).delete_everything(USER)

    assert [b.id for b in deletion.cancelled] == [booking.id]
    assert deletion.cancelled[0].advisor_id == ADVISOR_A
    assert (deletion.cases, deletion.turns, deletion.feedback) == (1, 3, 1)
    assert _count(db, Case, telegram_user_id=USER) == 0
    assert _count(db, Booking) == 0 and _count(db, CaseMessage) == 0
    assert _count(db, PendingInput) == 0
    assert _count(db, ConversationTurn, conversation_id=f"conv-{USER}") == 0
    assert _count(db, Feedback, telegram_user_id=USER) == 0
    assert _count(db, User, telegram_user_id=USER) == 0
    assert _count(db, Slot) == 1  # the advisor's slot is free again
    # the other user's data is untouched
    assert _count(db, Case, id=other_case) == 1
    assert _count(db, ConversationTurn, conversation_id=f"conv-{OTHER_USER}") == 3
    assert _count(db, User, telegram_user_id=OTHER_USER) == 1


def test_purge_closed_cases_after_retention(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    cases = CaseService(db, advisors, clock)
    privacy = PrivacyService(db, 30, clock)
    closed = open_case(db, clock, advisors)
    still_open = open_case(db, clock, advisors, OTHER_USER)
    cases.close(closed, ADVISOR_A)
    clock.advance(timedelta(days=29))
    assert privacy.purge().cases == 0
    clock.advance(timedelta(days=2))
    assert privacy.purge().cases == 1
    assert cases.get(closed) is None and cases.get(still_open) is not None
