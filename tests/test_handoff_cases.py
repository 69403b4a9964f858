"""Cases: claiming under concurrency, authorisation, closing, /faelle, Rückfrage relay."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseAction, CaseService, CaseStatus, notification_for
from bot.handoff.errors import NotAuthorised, StaleAction
from bot.handoff.relay import ADVISOR, RelayService
from bot.handoff.relay import USER as USER_ROLE
from bot.store.database import Database
from tests.handoff_fixtures import ADVISOR_A, ADVISOR_B, OTHER_USER, USER, FakeClock, open_case


def test_notification_is_data_with_buttons(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    cases = CaseService(db, advisors, clock)
    case_id = open_case(db, clock, advisors)
    note = notification_for(cases.get(case_id))  # type: ignore[arg-type]
    assert note.case_id == case_id
    assert note.text.startswith(f"Beratungsanfrage #{case_id} – offen")
    assert note.actions == (CaseAction.CLAIM, CaseAction.ASK, CaseAction.CLOSE)


@pytest.mark.parametrize("contenders", [2, 8])
def test_exactly_one_advisor_wins_a_concurrent_claim(
    db: Database, clock: FakeClock, contenders: int
) -> None:
    ids = list(range(9100, 9100 + contenders))
    team = Advisors.of(ids)
    cases = CaseService(db, team, clock)
    case_id = open_case(db, clock, team)
    barrier = threading.Barrier(contenders)

    def claim(advisor: int):  # type: ignore[no-untyped-def]
        barrier.wait()
        return cases.claim(case_id, advisor, f"Berater {advisor}")

    with ThreadPoolExecutor(contenders) as pool:
        results = list(pool.map(claim, ids))
    winners = [r for r in results if r.won]
    assert len(winners) == 1
    holder = winners[0].case.claimed_by
    assert all(r.case.claimed_by == holder for r in results)
    assert all(r.case.claimer_label == f"Berater {holder}" for r in results)
    assert cases.get(case_id).status == CaseStatus.CLAIMED  # type: ignore[union-attr]


def test_non_advisor_cannot_claim_close_or_list(
    db: Database, clock: FakeClock, advisors: Advisors, caplog: pytest.LogCaptureFixture
) -> None:
    cases = CaseService(db, advisors, clock)
    case_id = open_case(db, clock, advisors)
    with pytest.raises(NotAuthorised) as refused:
        cases.claim(case_id, USER, "Neugierig")
    assert "Beratungsteam vorbehalten" in refused.value.user_message
    with pytest.raises(NotAuthorised):
        cases.close(case_id, OTHER_USER)
    with pytest.raises(NotAuthorised):
        cases.active(None)
    assert cases.get(case_id).status == CaseStatus.OPEN  # type: ignore[union-attr]
    assert "advisor action refused for user 4711" in caplog.text


def test_claim_of_unknown_or_closed_case(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    cases = CaseService(db, advisors, clock)
    with pytest.raises(StaleAction):
        cases.claim(999, ADVISOR_A, "A")
    case_id = open_case(db, clock, advisors)
    cases.close(case_id, ADVISOR_A)
    late = cases.claim(case_id, ADVISOR_B, "B")
    assert late.won is False and late.case.status == CaseStatus.CLOSED


def test_only_holder_closes_and_faelle_lists_active(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    cases = CaseService(db, advisors, clock)
    first = open_case(db, clock, advisors, USER)
    second = open_case(db, clock, advisors, OTHER_USER)
    cases.claim(first, ADVISOR_A, "Anna")
    with pytest.raises(NotAuthorised):
        cases.close(first, ADVISOR_B)
    assert [c.id for c in cases.active(ADVISOR_B)] == [first, second]
    closed = cases.close(first, ADVISOR_A)
    assert closed.status == CaseStatus.CLOSED
    assert notification_for(closed).actions == ()
    with pytest.raises(StaleAction):
        cases.close(first, ADVISOR_A)
    assert [c.id for c in cases.active(ADVISOR_A)] == [second]


def test_rueckfrage_round_trip(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    cases = CaseService(db, advisors, clock)
    relay = RelayService(db, cases, clock)
    case_id = open_case(db, clock, advisors)
    with pytest.raises(StaleAction):  # must be claimed first
        relay.open_question(case_id, ADVISOR_A)
    cases.claim(case_id, ADVISOR_A, "Anna")
    with pytest.raises(NotAuthorised):
        relay.open_question(case_id, ADVISOR_B)
    assert relay.submit(ADVISOR_A, "nichts offen") is None
    relay.open_question(case_id, ADVISOR_A)
    assert relay.pending_role(ADVISOR_A) == ADVISOR
    question = relay.submit(ADVISOR_A, "Wie viele Objekte umfasst Ihr Archiv?")
    assert question is not None and question.chat_id == USER and question.sender == ADVISOR
    assert relay.pending_role(USER) == USER_ROLE and relay.pending_role(ADVISOR_A) is None
    answer = relay.submit(USER, "Etwa 3.000 Fotos und 200 Akten.")
    assert answer is not None and answer.chat_id == ADVISOR_A and answer.advisor_name == "Anna"
    assert relay.pending_role(USER) is None
    assert relay.messages(case_id) == [
        (ADVISOR, "Wie viele Objekte umfasst Ihr Archiv?"),
        (USER_ROLE, "Etwa 3.000 Fotos und 200 Akten."),
    ]


def test_relay_to_closed_case_is_refused_and_cleared(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    cases = CaseService(db, advisors, clock)
    relay = RelayService(db, cases, clock)
    case_id = open_case(db, clock, advisors)
    cases.claim(case_id, ADVISOR_A, "Anna")
    relay.open_question(case_id, ADVISOR_A)
    relay.submit(ADVISOR_A, "Noch eine Frage?")
    cases.close(case_id, ADVISOR_A)
    with pytest.raises(StaleAction):
        relay.submit(USER, "Antwort")
    assert relay.pending_role(USER) is None
    assert relay.cancel(USER) is False


def test_notices_are_remembered(db: Database, clock: FakeClock, advisors: Advisors) -> None:
    cases = CaseService(db, advisors, clock)
    case_id = open_case(db, clock, advisors)
    cases.record_notice(case_id, -100123, 55)
    cases.record_notice(case_id, ADVISOR_A, 56)
    assert sorted(cases.notices(case_id)) == [(-100123, 55), (ADVISOR_A, 56)]
    assert cases.latest_for_user(USER).id == case_id  # type: ignore[union-attr]
