"""Personal data outside the tables it belongs in: masked knowledge gaps, their retention and
deletion, inactive users, CSV injection in the gap report, and what a failed INSERT on
PostgreSQL can put into the logs.
"""

from __future__ import annotations

import csv
import io
import logging
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.editors.gaps import GapGroup, render_report
from bot.handoff.advisors import Advisors
from bot.handoff.cases import CaseService
from bot.privacy import PrivacyService
from bot.store.database import Database
from bot.store.gaps import GapKind, GapRecorder, pseudonymise
from bot.store.handoff_models import Case
from bot.store.models import ConversationTurn, KnowledgeGap, User
from bot.store.users import UserStore
from tests.handoff_fixtures import ADVISOR_A, OTHER_USER, USER, FakeClock, open_case

FIRST = ["Erika", "Jürgen", "Anne-Marie", "Özlem", "Hans Peter", "Björn"]
LAST = ["Mustermann", "Lüdenscheidt", "Schäfer", "Yılmaz-Berg", "Wagner", "von Hohenfeld"]
STREETS = ["Hauptstraße", "Bahnhofstr.", "Lindenweg", "Kirchplatz", "Am Markt", "An der Mühle"]


def _samples(seed: int) -> list[tuple[str, list[str]]]:
    """Hostile questions (text, secrets that must not survive), generated."""
    rng = random.Random(seed)
    out = []
    for _ in range(40):
        first = rng.choice([f for f in FIRST if " " not in f])
        last = rng.choice([n for n in LAST if " " not in n])
        street, number = rng.choice(STREETS), rng.randint(1, 199)
        digits = "".join(str(rng.randint(0, 9)) for _ in range(18))
        iban = f"DE{rng.randint(10, 99)} " + " ".join(digits[i : i + 4] for i in range(0, 18, 4))
        phone = f"0{rng.randint(200, 999)} {rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        mail = f"{first.lower()}.{last.lower()}@heimatverein-{rng.randint(1, 99)}.de"
        account = f"Kontonummer {rng.randint(1000, 9999)} {rng.randint(100, 999)}"
        greeting = rng.choice(["Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße", "LG"])
        out += [
            (f"Wie fördern wir das Archiv? {greeting}, {first} {last}", [first, last]),
            (f"Hallo, ich bin {first} {last} und frage nach dem Heimat-Scheck", [first, last]),
            (f"Mein Name ist {first} {last}. Gibt es Geld für Vitrinen?", [first, last]),
            (f"Frau {last} hat gesagt, ich soll hier fragen", [last]),
            (f"Wir sitzen in der {street} {number}, 48143 Münster", [f"{number}", "48143"]),
            (f"Bitte an {iban} überweisen", [digits[:4], digits[4:8], digits[-2:]]),
            (f"Unsere {account} bei der Sparkasse", [account.split()[1]]),
            (f"Rufen Sie mich an unter {phone} oder schreiben Sie an {mail}", [phone, mail]),
        ]
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gap_texts_lose_names_addresses_bank_and_contact_data(seed: int) -> None:
    for text, secrets in _samples(seed):
        masked = pseudonymise(text)
        for secret in secrets:
            assert secret not in masked, (text, masked)


@pytest.mark.parametrize(
    "question",
    [
        "Wie hoch ist der Heimat-Scheck?",
        "Im Jahr 2019 haben wir 10000 Euro bekommen, was nun?",
        "Förderung für 3D-Scans bei der LWL-Kulturstiftung 2025?",
        "Konto bei der Sparkasse eröffnen – was braucht der Verein?",
        "Öffnungszeiten ab 12 Uhr: wie bewerben wir die?",
    ],
)
def test_ordinary_questions_stay_readable(question: str) -> None:
    assert pseudonymise(question) == question


def test_gap_csv_cells_are_never_formulas() -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    groups = [GapGroup(example=text, count=1) for text in hostile]
    rows = list(csv.reader(io.StringIO(render_report(groups, "csv", None), newline="")))
    cells = [row[2] for row in rows[1:]]
    assert cells == [f"'{text}" for text in hostile]
    assert (
        render_report([GapGroup(example="Wie geht das?", count=1)], "csv", None)
        .splitlines()[1]
        .endswith("Wie geht das?,,,")
    )


def test_gaps_and_inactive_users_are_purged(db: Database, clock: FakeClock) -> None:
    gaps, users = GapRecorder(db), UserStore(db)
    old = clock.now - timedelta(days=100)
    with db.session() as session:
        session.add(KnowledgeGap(kind="unanswered", question="alt", created_at=old))
        session.add(KnowledgeGap(kind="unanswered", question="neu", created_at=clock.now))
        for user, seen in ((USER, old), (OTHER_USER, clock.now - timedelta(days=10))):
            session.add(
                User(
                    telegram_user_id=user,
                    chat_id=user,
                    conversation_id=f"conv-{user}",
                    first_seen=seen,
                    last_seen=seen,
                )
            )
            session.add(
                ConversationTurn(
                    conversation_id=f"conv-{user}",
                    question="?",
                    standalone_query="?",
                    answer="!",
                    created_at=seen,
                )
            )
    assert gaps.purge(90, now=clock.now) == 1
    assert users.purge_inactive(90, now=clock.now) == 1
    with db.session() as session:
        assert list(session.scalars(select(KnowledgeGap.question))) == ["neu"]
        assert list(session.scalars(select(User.telegram_user_id))) == [OTHER_USER]
        assert list(session.scalars(select(ConversationTurn.conversation_id))) == [
            f"conv-{OTHER_USER}"
        ]


def test_deletion_removes_the_users_gaps_and_returns_advisor_messages(
    db: Database, clock: FakeClock, advisors: Advisors
) -> None:
    gaps = GapRecorder(db)
    case_id = open_case(db, clock, advisors, USER)
    cases = CaseService(db, advisors, clock)
    cases.record_notice(case_id, -100123, 7)
    cases.record_notice(case_id, ADVISOR_A, 8, "relay")
    mine = "Wie hoch ist die Grundsteuer? Viele Grüße, Erika Mustermann"
    theirs = "Wie hoch ist die Grundsteuer für Kirchen?"
    with db.session() as session:
        session.add(User(telegram_user_id=USER, chat_id=USER, conversation_id="conv-mine"))
        for conversation, question in (("conv-mine", mine), ("conv-theirs", theirs)):
            session.add(
                ConversationTurn(
                    conversation_id=conversation,
                    question=question,
                    standalone_query=question,
                    answer="",
                )
            )
    gaps.record(GapKind.UNANSWERED, mine)
    gaps.record(GapKind.THUMBS_DOWN, mine)
    gaps.record(GapKind.UNANSWERED, theirs)
    assert cases.notices(case_id) == [(-100123, 7)]  # relays are not refreshed as notices
    deletion = PrivacyService(db, 180, clock).delete_everything(USER)
    assert deletion.gaps == 2
    assert sorted(deletion.notices) == [(-100123, 7), (ADVISOR_A, 8)]
    with db.session() as session:
        assert list(session.scalars(select(KnowledgeGap.question))) == [theirs]
        assert session.scalar(select(func.count(Case.id))) == 0


def test_failed_insert_on_postgresql_logs_no_row_data(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL's 'Failing row contains (...)' and the parameters never reach a log line."""
    db = Database(pg_url)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    secret = "Erika Mustermann, erika@example.org, 0251 591-4711"
    try:
        with pytest.raises(IntegrityError) as caught, db.session() as session:
            session.add(
                Case(
                    telegram_user_id=USER,
                    chat_id=USER,
                    conversation_id="conv",
                    status="open",
                    institution=secret,
                    institution_type="museum",
                    town="Münster",
                    topic="foerderung",
                    description=secret,
                    contact_method="email",
                    contact_value="erika@example.org",
                    trigger="command",
                    wish="",
                    brief=None,  # NOT NULL: PostgreSQL refuses the row
                    created_at=datetime.now(UTC),
                )
            )
        logging.getLogger("bot.test").error("insert failed", exc_info=caught.value)
        with db.session() as session:  # rows read back are not logged either
            session.execute(select(User)).all()
    finally:
        db.dispose()
    text = caplog.text + str(caught.value) + repr(caught.value.orig)
    assert "not-null constraint" in text and "[SQL" in text
    for needle in ("Erika", "Mustermann", "erika@example.org", "591-4711", "Failing row"):
        assert needle not in text
