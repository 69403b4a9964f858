"""End to end through the fake Bot API: unanswerable question -> offer -> intake -> advisors'
notification -> two advisors claim at once -> Rückfrage round trip -> slots via /zeiten ->
offer and booking with .ics to both -> reminder at a test-controlled time -> cancellation frees
the slot; plus forged callbacks and the advisors-only commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from bot.booking.berlin import to_berlin
from bot.context import Handoff, build_context
from bot.telegram import build_application, serve, texts
from bot.telegram.jobs import REMINDER_JOB
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import FakeTelegram, Sent
from tests.handoff_fixtures import FakeClock, open_case
from tests.telegram_harness import RunningBot, bot_overrides

USER = 1001
INTRUDER = 1002
ADVISOR_A = 2001
ADVISOR_B = 2002
ADVISOR_CHAT = -100777
UNANSWERABLE = "Wie hoch ist die Grundsteuer für unser Vereinsheim?"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.group_chat(ADVISOR_CHAT, "Beratungsteam")
        for user in (USER, INTRUDER, ADVISOR_A, ADVISOR_B):
            server.private_chat(user)
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


class Inbox:
    """aiosmtpd handler that keeps the messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


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
    clock: FakeClock,
    inbox: tuple[Inbox, int],
) -> AsyncIterator[tuple[RunningBot, Handoff]]:
    settings = settings_factory(
        **bot_overrides(tg),
        advisor_ids=f"{ADVISOR_A},{ADVISOR_B}",
        advisor_chat_id=ADVISOR_CHAT,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_starttls=False,
        smtp_from="assistent@digitalteam.example",
        advisor_emails="team@digitalteam.example",
        # the whole consultation takes the test user seconds, a person many minutes; messages and
        # button presses share the rate limit
        rate_limit_messages=30,
    )
    services = build_context(settings, store_conversations=True, clock=clock)
    handoff = services.handoff
    app = build_application(settings, services)
    tg.release_polls(False)
    async with serve(app):
        try:
            yield RunningBot(tg, app, services), handoff
        finally:
            tg.release_polls()  # let the long poll return so that the bot stops at once


async def wait_text(tg: FakeTelegram, chat: int, needle: str, after: int = 0) -> Sent:
    """The first message in ``chat`` (beyond the first ``after``) whose text contains ``needle``."""

    def find() -> Sent | None:
        return next((m for m in tg.messages(chat)[after:] if needle in m.plain), None)

    return await tg.wait_for(find)


async def press(tg: FakeTelegram, user: int, sent: Sent, data: str) -> dict[str, object]:
    return await tg.wait_callback_answer(tg.press(user, sent, data))


def label_data(sent: Sent, predicate: Callable[[str], bool]) -> str:
    return next(data for label, data in sent.buttons() if predicate(label))


async def test_consultation_from_question_to_cancelled_appointment(
    bot: tuple[RunningBot, Handoff], clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    running, handoff = bot
    tg = running.tg

    # 1. an unanswerable question; the bot offers a consultation (it does not push one)
    tg.message(USER, UNANSWERABLE)
    answer = await wait_text(tg, USER, "keine verlässliche Information")
    consult = answer.button(texts.BUTTON_CONSULT)
    assert tg.messages(ADVISOR_CHAT) == []

    # 2. the intake
    await press(tg, USER, answer, consult)
    question = await wait_text(tg, USER, "Wie heißt Ihre Einrichtung?")
    assert "/abbrechen" in question.plain
    tg.message(USER, "Heimatverein Musterdorf")
    kind = await wait_text(tg, USER, "Art von Einrichtung")
    await press(tg, USER, kind, kind.button("Heimatverein"))
    await wait_text(tg, USER, "In welchem Ort")
    tg.message(USER, "Musterdorf")
    topic = await wait_text(tg, USER, "Um welches Thema")
    await press(tg, USER, topic, topic.button("Förderung"))
    await wait_text(tg, USER, "Beschreiben Sie Ihr Anliegen")
    tg.message(USER, "Wir wollen wissen, welche Steuern für unser Vereinsheim anfallen.")
    contact = await wait_text(tg, USER, "Wie möchten Sie kontaktiert werden?")
    await press(tg, USER, contact, contact.button("E-Mail"))
    await wait_text(tg, USER, "E-Mail-Adresse")
    seen = len(tg.messages(USER))
    tg.message(USER, "kein mail")
    hint = await wait_text(tg, USER, "nicht wie eine E-Mail-Adresse", after=seen)
    assert "name@museum-beispiel.de" in hint.plain
    tg.message(USER, "vorstand@heimatverein-musterdorf.de")
    consent = await wait_text(tg, USER, "Dürfen wir diese Angaben")
    assert "vorstand@heimatverein-musterdorf.de" in consent.plain
    await press(tg, USER, consent, consent.button("Ja, speichern"))
    done = await wait_text(tg, USER, "ist beim Beratungsteam angekommen")
    assert "Bescheid" in done.plain

    # 3. the advisors' notification with the case brief and buttons
    note = await wait_text(tg, ADVISOR_CHAT, "Beratungsanfrage #1 – offen")
    assert "Heimatverein Musterdorf (Heimatverein), Musterdorf" in note.plain
    assert "E-Mail: vorstand@heimatverein-musterdorf.de" in note.plain
    assert "Anlass: Frage ohne verlässliche Antwort" in note.plain
    assert UNANSWERABLE in note.plain.split("Konnte der Assistent nicht beantworten:")[1]
    assert [label for label, _ in note.buttons()] == ["Übernehmen", "Rückfrage", "Abschließen"]
    claim = note.button("Übernehmen")
    mail = await tg.wait_for(lambda: inbox[0].messages)
    assert mail[0]["Subject"] == "Neue Beratungsanfrage #1: Heimatverein Musterdorf (Förderung)"
    assert UNANSWERABLE in mail[0].get_body().get_content()  # type: ignore[union-attr]

    # a non-advisor's forged press is refused and changes nothing
    refused = await press(tg, INTRUDER, note, claim)
    assert "Beratungsteam vorbehalten" in str(refused["text"])
    assert handoff.cases.get(1).status.value == "open"  # type: ignore[union-attr]

    # 4. two advisors press "Übernehmen" at the same moment: exactly one wins
    first, second = tg.press(ADVISOR_A, note, claim), tg.press(ADVISOR_B, note, claim)
    answers = [await tg.wait_callback_answer(q) for q in (first, second)]
    texts_ = sorted(str(a["text"]) for a in answers)
    assert sum("Sie haben Fall #1 übernommen" in t for t in texts_) == 1
    assert sum("hat bereits" in t for t in texts_) == 1
    case = handoff.cases.get(1)
    assert case is not None and case.claimed_by in (ADVISOR_A, ADVISOR_B)
    winner = case.claimed_by
    loser = ADVISOR_B if winner == ADVISOR_A else ADVISOR_A
    loser_text = next(str(a["text"]) for a in answers if "hat bereits" in str(a["text"]))
    assert f"Nutzer {winner}" in loser_text
    await tg.wait_for(lambda: f"übernommen von Nutzer {winner}" in note.plain)
    assert [label for label, _ in note.buttons()] == ["Rückfrage", "Termin anbieten", "Abschließen"]
    await wait_text(tg, USER, f"Nutzer {winner} vom Beratungsteam hat Ihre Anfrage #1 übernommen")

    # the other advisor cannot offer dates for the case
    refused = await press(tg, loser, note, note.button("Termin anbieten"))
    assert f"von Nutzer {winner} betreut" in str(refused["text"])

    # 5. Rückfrage round trip through the bot
    await press(tg, winner, note, note.button("Rückfrage"))
    await wait_text(tg, winner, "Rückfrage zu Fall #1")
    tg.message(winner, "Hat Ihr Verein eine Gemeinnützigkeitsbescheinigung?")
    relayed = await wait_text(tg, USER, "Rückfrage von Nutzer")
    assert "Gemeinnützigkeitsbescheinigung" in relayed.plain
    await wait_text(tg, winner, "weitergeleitet")
    tg.message(USER, "Ja, seit 2019.")
    back = await wait_text(tg, winner, "Antwort zu Fall #1")
    assert "Ja, seit 2019." in back.plain

    # 6. the winner publishes two slots with /zeiten (Berlin time)
    day = (to_berlin(clock.now) + timedelta(days=3)).date()
    tg.message(winner, f"/zeiten {day.isoformat()}T10:00 45 video")
    tg.message(winner, f"/zeiten {day.isoformat()}T14:00 30 telefon")
    await wait_text(tg, winner, "14:00–14:30 Uhr, Telefon")
    tg.message(INTRUDER, f"/zeiten {day.isoformat()}T10:00 45 video")
    await wait_text(tg, INTRUDER, "Beratungsteam vorbehalten")

    # 7. Termin anbieten -> the user sees free slots in Berlin time and books one
    await press(tg, winner, note, note.button("Termin anbieten"))
    offer = await wait_text(tg, USER, "Terminvorschläge zu Ihrer Anfrage #1")
    labels = [label for label, _ in offer.buttons()]
    assert labels == [
        f"{_weekday(day)} {day:%d.%m.} 10:00 · Video",
        f"{_weekday(day)} {day:%d.%m.} 14:00 · Telefon",
    ]
    morning = offer.button(labels[0])

    # a forged booking by another user is refused; the slot stays free
    refused = await press(tg, INTRUDER, offer, morning)
    assert "gehört nicht zu Ihrer Anfrage" in str(refused["text"])
    slot_id = int(morning.rsplit(":", 1)[1])
    assert handoff.slots.get(slot_id).booked is False  # type: ignore[union-attr]

    booked = await press(tg, USER, offer, morning)
    assert booked["text"] == "Gebucht!"
    await wait_text(tg, USER, "Ihr Beratungstermin ist gebucht")
    await wait_text(tg, winner, "Termin gebucht zu Fall #1")
    user_ics = await tg.wait_for(lambda: _ics(tg, USER))
    advisor_ics = await tg.wait_for(lambda: _ics(tg, winner))
    for raw in (user_ics, advisor_ics):
        event = Calendar.from_ical(raw).walk("VEVENT")[0]
        assert to_berlin(event.decoded("dtstart")).strftime("%H:%M") == "10:00"
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)

    # 8. the reminder fires when the test moves the clock to one hour before
    start = handoff.slots.get(slot_id).starts_at  # type: ignore[union-attr]
    clock.now = start - timedelta(minutes=59)
    (sweep,) = running.app.job_queue.get_jobs_by_name(REMINDER_JOB)  # type: ignore[union-attr]
    await sweep.run(running.app)
    reminder = await wait_text(tg, USER, "Erinnerung")
    assert "in einer Stunde" in reminder.plain and "10:00–10:45 Uhr" in reminder.plain
    await wait_text(tg, winner, "Erinnerung")
    await sweep.run(running.app)  # sent once only
    assert sum("Erinnerung" in m.plain for m in tg.messages(USER)) == 1

    # 9. the user cancels via /termine: the slot is free again and the advisor is told
    seen = len(tg.messages(USER))
    tg.message(USER, "/termine")
    listed = await wait_text(tg, USER, "Termin zu Anfrage #1", after=seen)
    await press(tg, USER, listed, listed.button("Absagen"))
    told = await wait_text(tg, winner, "den Termin abgesagt")
    assert "10:00–10:45 Uhr" in told.plain
    assert handoff.slots.get(slot_id).booked is False  # type: ignore[union-attr]
    await tg.wait_for(lambda: len([m for m in tg.messages(winner) if m.document]) == 2)
    assert tg.errors == []


def _weekday(day: object) -> str:
    return ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")[day.weekday()]  # type: ignore[attr-defined]


def _ics(tg: FakeTelegram, chat: int) -> bytes | None:
    for sent in tg.messages(chat):
        if sent.document and sent.document["file_name"].endswith(".ics"):
            return tg.files[sent.document["file_id"]][1]
    return None


async def test_cancel_intake_and_privacy_commands(
    bot: tuple[RunningBot, Handoff], clock: FakeClock
) -> None:
    running, handoff = bot
    tg = running.tg
    tg.message(USER, "/termin")
    await wait_text(tg, USER, "Wie heißt Ihre Einrichtung?")
    tg.message(USER, "Museum am Markt")
    await wait_text(tg, USER, "Art von Einrichtung")
    tg.message(USER, "/abbrechen")
    await wait_text(tg, USER, "abgebrochen")
    assert handoff.intake.current(USER) is None
    # after /abbrechen a text is a question to the assistant again
    seen = len(tg.messages(USER))
    tg.message(USER, "Wie hoch ist der Heimat-Scheck?")
    await wait_text(tg, USER, "Quellen", after=seen)

    tg.message(USER, "/meine_daten")
    data = await wait_text(tg, USER, "Das ist über Sie gespeichert")
    assert "Gesprächsverlauf: 1 Fragen und Antworten" in data.plain
    tg.message(USER, "/daten_loeschen")
    confirm = await wait_text(tg, USER, "wirklich alle Ihre Daten löschen")
    await press(tg, USER, confirm, confirm.button("Ja, alles löschen"))
    await tg.wait_for(lambda: "sind gelöscht" in confirm.plain)
    seen = len(tg.messages(USER))
    tg.message(USER, "/meine_daten")
    await wait_text(tg, USER, "nichts gespeichert", after=seen)

    tg.message(INTRUDER, "/faelle")
    await wait_text(tg, INTRUDER, "Beratungsteam vorbehalten")
    tg.message(ADVISOR_A, "/faelle")
    await wait_text(tg, ADVISOR_A, "keine offenen")
    forged = tg.press(INTRUDER, confirm, "hc:c:999999")
    assert "vorbehalten" in str((await tg.wait_callback_answer(forged))["text"])
    garbage = tg.press(INTRUDER, confirm, "hs:1:<script>")
    await tg.wait_callback_answer(garbage)
    await asyncio.sleep(0)
    assert tg.errors == []


async def test_move_close_and_deletion_tell_the_other_side(
    bot: tuple[RunningBot, Handoff], clock: FakeClock
) -> None:
    running, handoff = bot
    tg = running.tg
    case_id = open_case(running.services.db, clock, handoff.advisors, USER)
    assert handoff.cases.claim(case_id, ADVISOR_A, "Anna").won
    first = clock.now + timedelta(days=2)
    slots = [
        handoff.slots.add(ADVISOR_A, first + timedelta(hours=h), 30, "telefon") for h in (0, 2)
    ]
    tg.message(ADVISOR_A, "/faelle")
    listed = await wait_text(tg, ADVISOR_A, f"Beratungsanfrage #{case_id} – übernommen von Anna")
    await press(tg, ADVISOR_A, listed, listed.button("Termin anbieten"))
    offer = await wait_text(tg, USER, "Terminvorschläge")
    await press(tg, USER, offer, offer.buttons()[0][1])
    confirmation = await wait_text(tg, USER, "Ihr Beratungstermin ist gebucht")

    # the user moves the appointment to the other slot
    await press(tg, USER, confirmation, confirmation.button("Verschieben"))
    choice = await wait_text(tg, USER, "Auf welche Zeit möchten Sie verschieben?")
    assert len(choice.buttons()) == 1  # only the free slot is offered
    await press(tg, USER, choice, choice.buttons()[0][1])
    await wait_text(tg, USER, "Ihr Beratungstermin ist verschoben auf")
    await wait_text(tg, ADVISOR_A, "den Termin abgesagt (verschoben)")
    await wait_text(tg, ADVISOR_A, "Termin verschoben auf zu Fall")
    assert handoff.slots.get(slots[0].id).booked is False  # type: ignore[union-attr]
    assert handoff.slots.get(slots[1].id).booked is True  # type: ignore[union-attr]

    # /daten_loeschen cancels the appointment and tells the advisor
    tg.message(USER, "/daten_loeschen")
    confirm = await wait_text(tg, USER, "wirklich alle Ihre Daten löschen")
    await press(tg, USER, confirm, confirm.button("Ja, alles löschen"))
    told = await wait_text(tg, ADVISOR_A, "(Daten gelöscht)")
    assert "abgesagt" in told.plain
    assert handoff.slots.get(slots[1].id).booked is False  # type: ignore[union-attr]
    assert handoff.cases.get(case_id) is None
    assert tg.errors == []
