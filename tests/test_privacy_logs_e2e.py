"""The whole consultation on PostgreSQL with every log captured: nothing personal in the logs,
and /daten_loeschen leaves no trace in the gaps or in the advisors' chat.

Two test users with names, e-mail address and phone number go through question -> intake ->
Rückfrage -> booking; one deletes their data; a failing INSERT with the other's data is forced.
Logs are captured at DEBUG for the bot and for SQLAlchemy (engine, pool, ORM) and at INFO for
everything else (PTB's and httpx's own DEBUG traces print raw Bot API traffic by design, see the
README: never run DT_LOG_LEVEL=DEBUG in production).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.booking.berlin import to_berlin
from bot.context import Handoff, build_context
from bot.store.handoff_models import Case
from bot.store.models import KnowledgeGap
from bot.telegram import build_application, serve
from bot.telegram.handoff.notify import DELETED_ON_REQUEST
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.handoff_fixtures import FakeClock, _truncate
from tests.telegram_harness import RunningBot, bot_overrides
from tests.test_handoff_e2e import Inbox, press, wait_text

ERIKA, JUERGEN, ADVISOR, ADVISOR_CHAT = 1101, 1102, 2101, -100778
NAMES = {
    ERIKA: ("Erika", "Mustermann"),
    JUERGEN: ("Jürgen", "Beispielmann"),
    ADVISOR: ("Anna", "Rat"),
}
ERIKA_MAIL = "erika.mustermann@heimatverein-musterdorf.de"
JUERGEN_PHONE = "0251 591-4711"
SECRETS = [
    "Erika",
    "Mustermann",
    "Jürgen",
    "Beispielmann",
    ERIKA_MAIL,
    "erika.mustermann",
    JUERGEN_PHONE,
    "591-4711",
    "5914711",
]
GRUNDSTEUER = "Hallo, ich bin Erika Mustermann. Wie hoch ist die Grundsteuer für unser Vereinsheim?"


class NamedTelegram(FakeTelegram):
    """The fake Bot API with real-looking first and last names."""

    def user(self, user_id: int) -> dict[str, Any]:
        first, last = NAMES.get(user_id, (f"Nutzer {user_id}", ""))
        return {**super().user(user_id), "first_name": first, "last_name": last}

    def private_chat(self, user_id: int) -> dict[str, Any]:
        chat = super().private_chat(user_id)
        chat["first_name"] = NAMES.get(user_id, ("x", ""))[0]
        return chat


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with NamedTelegram() as server:
        server.group_chat(ADVISOR_CHAT, "Beratungsteam")
        for user in (ERIKA, JUERGEN, ADVISOR):
            server.private_chat(user)
        yield server


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def bot(
    tg: FakeTelegram,
    settings_factory: SettingsFactory,
    pg_url: str,
    inbox: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[tuple[RunningBot, Handoff]]:
    caplog.set_level(logging.INFO)
    for name in ("bot", "tests", "sqlalchemy", "alembic"):
        caplog.set_level(logging.DEBUG, logger=name)
    settings = settings_factory(
        **bot_overrides(tg),
        database_url=pg_url,
        advisor_ids=str(ADVISOR),
        advisor_chat_id=ADVISOR_CHAT,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_starttls=False,
        smtp_from="assistent@digitalteam.example",
        advisor_emails="team@digitalteam.example",
        rate_limit_messages=100,
    )
    clock = FakeClock(datetime.now(UTC).replace(microsecond=0))
    services = build_context(settings, store_conversations=True, clock=clock)
    _truncate(services.db)
    app = build_application(settings, services)
    tg.release_polls(False)
    async with serve(app):
        try:
            yield RunningBot(tg, app, services), services.handoff
        finally:
            tg.release_polls()


async def _intake(tg: FakeTelegram, user: int, describe: str, method: str, contact: str) -> None:
    tg.message(user, "/termin")
    await wait_text(tg, user, "Wie heißt Ihre Einrichtung?")
    tg.message(user, "Heimatverein Musterdorf")
    kind = await wait_text(tg, user, "Art von Einrichtung")
    await press(tg, user, kind, kind.button("Heimatverein"))
    await wait_text(tg, user, "In welchem Ort")
    tg.message(user, "Musterdorf")
    topic = await wait_text(tg, user, "Um welches Thema")
    await press(tg, user, topic, topic.button("Förderung"))
    await wait_text(tg, user, "Beschreiben Sie Ihr Anliegen")
    tg.message(user, describe)
    choice = await wait_text(tg, user, "Wie möchten Sie kontaktiert werden?")
    await press(tg, user, choice, choice.button(method))
    tg.message(user, contact)
    consent = await wait_text(tg, user, "Dürfen wir diese Angaben")
    await press(tg, user, consent, consent.button("Ja, speichern"))
    await wait_text(tg, user, "ist beim Beratungsteam angekommen")


async def test_nothing_personal_in_the_logs_and_nothing_left_after_deletion(
    bot: tuple[RunningBot, Handoff], inbox: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    running, handoff = bot
    tg = running.tg
    db = running.services.db

    # a question the bot cannot answer, with a name in it: becomes a (masked) knowledge gap
    tg.message(ERIKA, GRUNDSTEUER)
    await wait_text(tg, ERIKA, "Beratung")
    tg.message(JUERGEN, "Wie hoch ist die Grundsteuer für unser Vereinsheim? Gruß Jürgen")
    await wait_text(tg, JUERGEN, "Beratung")
    with db.session() as session:
        gaps = list(session.scalars(select(KnowledgeGap.question)))
    assert len(gaps) == 2 and all("Erika" not in g and "Jürgen" not in g for g in gaps), gaps

    # both users request a consultation: name in the description, e-mail and phone as contact
    await _intake(
        tg,
        ERIKA,
        "Ich bin Erika Mustermann und wir suchen Geld für das Dorfarchiv.",
        "E-Mail",
        ERIKA_MAIL,
    )
    await _intake(
        tg,
        JUERGEN,
        "Mein Name ist Jürgen Beispielmann, es geht um die Grundsteuer.",
        "Telefon",
        JUERGEN_PHONE,
    )
    note = await wait_text(tg, ADVISOR_CHAT, "Beratungsanfrage #1 – offen")
    assert ERIKA_MAIL in note.plain
    await tg.wait_for(lambda: len(inbox[0].messages) == 2)

    # the advisor claims Erika's case, asks back, Erika answers with her name
    await press(tg, ADVISOR, note, note.button("Übernehmen"))
    await tg.wait_for(lambda: "übernommen" in note.plain)
    await press(tg, ADVISOR, note, note.button("Rückfrage"))
    await wait_text(tg, ADVISOR, "Rückfrage zu Fall #1")
    tg.message(ADVISOR, "Wie groß ist das Archiv?")
    await wait_text(tg, ERIKA, "Rückfrage von")
    tg.message(ERIKA, "Etwa 40 Regalmeter. Viele Grüße, Erika Mustermann")
    relayed = await wait_text(tg, ADVISOR, "Antwort zu Fall #1")
    tg.message(ADVISOR, "/faelle")
    listed = await wait_text(tg, ADVISOR, "Beratungsanfrage #1 – übernommen")

    # a slot, offered and booked
    day = (to_berlin(handoff.clock()) + timedelta(days=3)).date()
    tg.message(ADVISOR, f"/zeiten {day.isoformat()}T10:00 45 video")
    await wait_text(tg, ADVISOR, "Zeit angelegt")
    await press(tg, ADVISOR, note, note.button("Termin anbieten"))
    offer = await wait_text(tg, ERIKA, "Terminvorschläge")
    assert (await press(tg, ERIKA, offer, offer.buttons()[0][1]))["text"] == "Gebucht!"
    await wait_text(tg, ADVISOR, "Termin gebucht zu Fall #1")

    # Erika deletes her data
    tg.message(ERIKA, "/daten_loeschen")
    confirm = await wait_text(tg, ERIKA, "wirklich alle Ihre Daten löschen")
    assert "E-Mail" in confirm.plain and "nicht zurückholen" in confirm.plain
    await press(tg, ERIKA, confirm, confirm.button("Ja, alles löschen"))
    await wait_text(tg, ADVISOR, "(Daten gelöscht)")
    for message in (note, listed, relayed):
        await tg.wait_for(lambda m=message: m.plain == DELETED_ON_REQUEST)
        assert message.buttons() == []
    with db.session() as session:
        remaining = list(session.scalars(select(KnowledgeGap.question)))
        cases = list(session.scalars(select(Case.telegram_user_id)))
    assert len(remaining) == 1 and "Gruß" in remaining[0]  # Jürgen's gap stays
    assert cases == [JUERGEN]

    # a failing INSERT on PostgreSQL with Jürgen's data, logged like any unexpected error
    with pytest.raises(IntegrityError) as caught, db.session() as session:
        session.add(
            Case(
                telegram_user_id=JUERGEN,
                chat_id=JUERGEN,
                conversation_id="x",
                status="open",
                institution="Jürgen Beispielmann",
                institution_type="verein",
                town="Musterdorf",
                topic="foerderung",
                description=f"Jürgen Beispielmann {JUERGEN_PHONE} {ERIKA_MAIL}",
                contact_method="telefon",
                contact_value=JUERGEN_PHONE,
                trigger="command",
                wish="",
                brief=None,
                created_at=handoff.clock(),
            )
        )
    logging.getLogger("bot.test").exception("insert failed", exc_info=caught.value)
    assert tg.errors == []

    # every captured log line, with tracebacks
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "INSERT INTO handoff_cases" in logged  # SQLAlchemy's statements were captured
    assert "not-null constraint" in logged
    found = [secret for secret in SECRETS if secret in logged]
    lines = [line for line in logged.splitlines() if any(s in line for s in SECRETS)]
    assert found == [], lines[:10]
