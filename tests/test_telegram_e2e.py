"""End to end: the real PTB Application polls the fake Bot API over HTTP and answers from the index."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.retrieval import Retriever, SearchResult
from bot.store.database import Database
from bot.store.feedback import FeedbackStore
from bot.store.models import KnowledgeGap
from bot.store.users import UserStore
from bot.telegram import texts
from tests.conftest import SettingsFactory
from tests.fakes.llm_server import running_fake_llm
from tests.fakes.telegram_server import FakeTelegram, Sent
from tests.telegram_harness import RunningBot, bot_overrides, running_bot, settle

USER = 1001
QUESTION = "Wie hoch ist der Heimat-Scheck?"
LONG_QUESTION = "Was ist bei der Langzeitarchivierung von Digitalisaten wichtig?"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram, settings_factory: SettingsFactory) -> AsyncIterator[RunningBot]:
    settings = settings_factory(**bot_overrides(tg))
    async with running_bot(settings, tg) as running:
        yield running


async def ask(tg: FakeTelegram, text: str, user: int = USER) -> Sent:
    """Send a question and return the (last part of the) answer."""
    before = len(tg.messages(user))
    tg.message(user, text)
    messages = await tg.wait_messages(user, before + 1)
    await asyncio.sleep(0)  # let a multi-part answer finish before we look at it
    return messages[-1]


async def test_start_sets_commands_and_greets_with_examples(bot: RunningBot) -> None:
    tg = bot.tg
    assert [c["command"] for c in tg.commands] == [
        "start",
        "hilfe",
        "themen",
        "foerderung",
        "fristen",
        "neu",
        "termin",
        "termine",
        "abbrechen",
        "datenschutz",
        "meine_daten",
        "daten_loeschen",
    ]
    tg.message(USER, "/start")
    (welcome,) = await tg.wait_messages(USER, 1)
    assert "Willkommen" in welcome.plain
    assert "Was ich nicht kann" in welcome.plain
    assert "/datenschutz" in welcome.plain
    assert [data for _, data in welcome.buttons()] == ["ex:0", "ex:1", "ex:2"]
    assert tg.errors == []


async def test_start_deep_link_payload_opens_the_topic(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "/start foerderung")
    messages = await tg.wait_messages(USER, 2)
    assert messages[1].plain.startswith("Förderung")
    titles = [label for label, _ in messages[1].buttons()]
    assert "Heimat-Scheck" in titles
    tg.message(USER, "/start <script>")  # malformed payload: welcome only
    tg.message(USER, "/hilfe")
    messages = await tg.wait_messages(USER, 4)
    assert "Willkommen" in messages[2].plain
    assert "So nutzen Sie den Assistenten" in messages[3].plain
    assert tg.errors == []


async def test_question_gets_typing_then_html_answer_with_sources(bot: RunningBot) -> None:
    tg = bot.tg
    answer = await ask(tg, QUESTION)
    assert answer.parse_mode == "HTML"
    assert "2.000 Euro" in answer.plain
    assert '<a href="https://www.mhkbd.nrw/foerderprogramme/heimat-scheck">' in answer.text
    assert "Quellen" in answer.plain
    assert "Stand der Quelle 03/2025, geprüft 01.11.2026" in answer.plain
    assert "Stand der Quellen: " in answer.plain or "älter als zwei Jahre" in answer.plain
    typing = [seq for chat, action, seq in tg.chat_actions if chat == USER and action == "typing"]
    assert typing and typing[0] < answer.seq
    labels = [label for label, _ in answer.buttons()]
    assert labels == ["👍", "👎"]
    assert all(len(data.encode()) < 64 for _, data in answer.buttons())
    assert tg.errors == []


async def test_thumbs_up_is_stored_with_question_and_sources_and_survives_restart(
    tg: FakeTelegram, settings_factory: SettingsFactory
) -> None:
    settings = settings_factory(**bot_overrides(tg))
    async with running_bot(settings, tg):
        answer = await ask(tg, QUESTION)
        query = tg.press(USER, answer, answer.button("👍"))
        reply = await tg.wait_callback_answer(query)
        assert "Danke" in reply["text"]
        await tg.wait_for(lambda: answer.reply_markup is None)
        conversation = UserStore(Database(settings.resolved_database_url)).conversation_id(USER)

    # A new process on the same database: the rating and the conversation are still there.
    db = Database(settings.resolved_database_url)
    (stored,) = FeedbackStore(db).all_for_user(USER)
    assert stored.rating == 1
    assert stored.question == QUESTION
    assert stored.cited_docs[0] == "knowledge/foerderung/heimat-scheck.md"
    assert UserStore(db).conversation_id(USER) == conversation

    async with running_bot(settings, tg):
        follow_up = await ask(tg, "Und wer darf ihn beantragen?")
        assert "Heimat-Scheck" in follow_up.plain  # the follow-up used the history from before
    assert tg.errors == []


async def test_thumbs_down_offers_a_consultation_and_records_a_gap(bot: RunningBot) -> None:
    tg = bot.tg
    answer = await ask(tg, QUESTION)
    query = tg.press(USER, answer, answer.button("👎"))
    await tg.wait_callback_answer(query)
    messages = await tg.wait_messages(USER, 2)
    offer = messages[-1]
    assert "Berater" in offer.plain
    assert offer.button(texts.BUTTON_CONSULT).startswith("cs:")
    (stored,) = bot.services.feedback.all_for_user(USER)
    assert stored.rating == -1
    with bot.services.db.session() as session:
        gaps = session.scalars(select(KnowledgeGap)).all()
        assert [(g.kind, g.question) for g in gaps] == [("thumbs_down", QUESTION)]

    press = tg.press(USER, offer, offer.button(texts.BUTTON_CONSULT))
    await tg.wait_callback_answer(press)
    messages = await tg.wait_messages(USER, 3)
    assert "Persönliche Beratung" in messages[-1].plain
    assert tg.errors == []


async def test_long_answer_is_split_with_buttons_under_the_last_part(
    tg: FakeTelegram, settings_factory: SettingsFactory
) -> None:
    # Extractive answers are a few sentences; a model's answer can be long. The fake model writes
    # one that passes the grounding check (no figures, cites the first passage).
    with running_fake_llm() as llm:
        llm.reply = " ".join(
            f"Punkt {word}: Für die Langzeitarchivierung gelten offene Formate und Kopien [1]."
            for word in ("eins", "zwei", "drei", "vier", "fünf") * 16
        )
        settings = settings_factory(
            **bot_overrides(tg), llm_base_url=llm.base_url, llm_model="fake-model"
        )
        async with running_bot(settings, tg):
            tg.message(USER, LONG_QUESTION)
            first, second = await tg.wait_messages(USER, 2)
            await tg.wait_for(lambda: second.reply_markup is not None)
    assert first.reply_markup is None
    assert [label for label, _ in second.buttons()] == ["👍", "👎"]
    whole = first.plain + second.plain
    assert len(whole) > 4096
    assert "Langzeitarchivierung" in first.plain
    assert "⚠ abgelaufen (gültig bis 30.06.2025)" in whole
    assert "Stand der Quelle 03/2024, geprüft 01.03.2024" in whole
    assert "von 03/2024 sind älter als zwei Jahre" in whole  # the source is older than two years
    assert tg.errors == []


async def test_rate_limit_answers_then_warns_once(
    tg: FakeTelegram, settings_factory: SettingsFactory
) -> None:
    settings = settings_factory(**bot_overrides(tg), rate_limit_messages=2, rate_limit_window_s=600)
    async with running_bot(settings, tg) as bot:
        for _ in range(5):
            tg.message(USER, QUESTION)
        tg.message(USER, "/hilfe")
        tg.message(USER + 1, QUESTION)  # another user is not affected
        await tg.wait_messages(USER + 1, 1)
        await settle(bot)
        messages = tg.messages(USER)
    assert ["2.000 Euro" in m.plain for m in messages[:2]] == [True, True]
    assert "sehr viele Nachrichten" in messages[2].plain
    assert len(tg.messages(USER)) == 3  # over the limit: one notice, no further replies
    assert tg.errors == []


@pytest.mark.parametrize(
    "extra",
    [
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}},
        {"location": {"latitude": 51.96, "longitude": 7.62}},
    ],
    ids=["sticker", "photo", "voice", "location"],
)
async def test_non_text_messages_get_a_hint(bot: RunningBot, extra: dict[str, Any]) -> None:
    tg = bot.tg
    tg.message(USER, None, extra=extra)
    (hint,) = await tg.wait_messages(USER, 1)
    assert "als Text" in hint.plain
    assert tg.errors == []


async def test_stale_and_forged_buttons_get_a_polite_answer(bot: RunningBot) -> None:
    tg = bot.tg
    answer = await ask(tg, QUESTION)
    generation = bot.services.engine.retriever.index.manifest.generation
    forged = [
        "fb:+:999999",  # no such turn
        "fb:+:abc",  # malformed
        "xx:1",  # unknown kind
        "ex:99",  # no such example
        f"td:{generation}:99:0",  # no such topic
        f"tv:{generation}:0:99",  # no such document
        "cs:" + "9" * 40,  # too long a number
        "tv:0:0:0",  # topics of another index generation (shows the current list)
    ]
    # Someone else's valid-looking button: rejected, nothing stored for them.
    other = tg.press(USER + 5, answer, answer.button("👍"))
    assert (await tg.wait_callback_answer(other))["text"] == texts.STALE_BUTTON
    assert bot.services.feedback.all_for_user(USER + 5) == []
    queries = [tg.press(USER, answer, data) for data in forged]
    answers = [await tg.wait_callback_answer(q) for q in queries]
    assert all(a.get("text") for a in answers)
    # The bot still works.
    assert "2.000 Euro" in (await ask(tg, QUESTION)).plain
    assert tg.errors == []


class BrokenRetriever(Retriever):
    """A retriever whose search fails like a broken index would."""

    def search(self, query: str, *args: Any, **kwargs: Any) -> SearchResult:
        raise RuntimeError("index unavailable")


async def test_engine_error_is_reported_and_the_bot_keeps_running(bot: RunningBot) -> None:
    tg = bot.tg
    engine = bot.services.engine
    working = engine.retriever
    engine.retriever = BrokenRetriever(working.index, working.config, working.analyzer)
    sorry = await ask(tg, QUESTION)
    assert "Fehler" in sorry.plain
    engine.retriever = working
    assert "2.000 Euro" in (await ask(tg, QUESTION)).plain
    assert tg.errors == []


async def test_example_button_asks_the_question(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "/start")
    (welcome,) = await tg.wait_messages(USER, 1)
    query = tg.press(USER, welcome, "ex:0")
    await tg.wait_callback_answer(query)
    messages = await tg.wait_messages(USER, 3)
    assert texts.EXAMPLE_QUESTIONS[0] in messages[1].plain
    assert "2.000 Euro" in messages[2].plain
    assert tg.errors == []


async def test_topics_are_browsed_with_pages_and_back_buttons(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "/themen")
    (menu,) = await tg.wait_messages(USER, 1)
    files = bot.services.engine.retriever.index.manifest.files.values()
    funding = sum(1 for entry in files if entry.topic == "foerderung")
    labels = [label for label, _ in menu.buttons()]
    assert f"Förderung ({funding})" in labels
    assert labels == sorted(labels, key=str.casefold)
    await _press_and_wait(tg, menu, menu.button(f"Förderung ({funding})"))
    assert menu.plain.startswith("Förderung")
    await _press_and_wait(tg, menu, menu.button("Heimat-Scheck"))
    assert "Heimat-Scheck" in menu.plain
    assert "Stand: 01.11.2026" in menu.plain
    assert "Wie hoch ist die Förderung?" in menu.plain  # section list
    await _press_and_wait(tg, menu, menu.button(texts.BUTTON_BACK))
    assert menu.plain.startswith("Förderung")
    await _press_and_wait(tg, menu, menu.button(texts.BUTTON_TOPICS))
    assert menu.plain.startswith("Themen")
    assert len(tg.messages(USER)) == 1  # everything happened in one edited message
    assert tg.errors == []


async def _press_and_wait(tg: FakeTelegram, sent: Sent, data: str) -> None:
    edits = len(sent.edits)
    query = tg.press(USER, sent, data)
    await tg.wait_callback_answer(query)
    await tg.wait_for(lambda: len(sent.edits) > edits)


async def test_neu_forgets_the_conversation(bot: RunningBot) -> None:
    tg = bot.tg
    answer = await ask(tg, QUESTION)
    before = bot.services.users.conversation_id(USER)
    tg.message(USER, "/neu")
    messages = await tg.wait_messages(USER, 2)
    assert "Neues Gespräch" in messages[-1].plain
    assert bot.services.users.conversation_id(USER) != before
    assert bot.services.engine.history.recent(str(before), 5) == []
    query = tg.press(USER, answer, answer.button("👍"))  # button of the forgotten conversation
    assert (await tg.wait_callback_answer(query))["text"] == texts.STALE_BUTTON
    assert tg.errors == []


async def test_in_groups_only_mentions_and_replies_are_answered(bot: RunningBot) -> None:
    tg = bot.tg
    group = tg.group_chat(-100123)
    tg.message(USER, QUESTION, chat=group)  # neither mention nor reply: ignored
    tg.message(USER, f"@DigitalteamTestBot {QUESTION}", chat=group)
    (first,) = await tg.wait_messages(group["id"], 1)
    assert "2.000 Euro" in first.plain
    assert first.reply_to is not None  # quotes the question in the group
    tg.message(USER + 1, "Und wer darf ihn beantragen?", chat=group, reply_to=first)
    messages = await tg.wait_messages(group["id"], 2)
    assert "Heimat-Scheck" in messages[1].plain
    tg.message(USER, "/datenschutz", chat=group)
    messages = await tg.wait_messages(group["id"], 3)
    assert "Was gespeichert wird" in messages[2].plain
    assert len(tg.messages(group["id"])) == 3
    assert tg.errors == []


async def test_edited_messages_are_ignored(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "Wie hoch ist der Heimat-Scheck? (bearbeitet)", edited=True)
    tg.message(USER, "/hilfe")
    await settle(bot)
    (first,) = tg.messages(USER)
    assert "So nutzen Sie den Assistenten" in first.plain
    assert tg.errors == []


async def test_retry_after_and_network_errors_are_retried(bot: RunningBot) -> None:
    tg = bot.tg
    tg.fail_next("sendMessage", "retry_after", retry_after=1)
    tg.fail_next("sendMessage", "drop")
    answer = await ask(tg, QUESTION)
    assert "2.000 Euro" in answer.plain
    failed = [name for name, _ in tg.requests if name.startswith("sendMessage!")]
    assert failed == ["sendMessage!retry_after", "sendMessage!drop"]
    assert len(tg.messages(USER)) == 1  # delivered exactly once
    assert tg.errors == []


async def test_overlong_message_is_cut_with_a_notice(bot: RunningBot) -> None:
    tg = bot.tg
    filler = " ".join(f"Hinweis {n}: bitte ausführlich." for n in range(300))
    answer = await ask(tg, f"{QUESTION} {filler}")
    assert answer.plain.startswith("Ihre Nachricht war sehr lang")
    assert "2.000 Euro" in answer.plain
    assert tg.errors == []


async def test_many_users_at_once_each_get_exactly_their_answer(bot: RunningBot) -> None:
    tg = bot.tg
    questions = {
        2000 + n: [QUESTION, "Wie viel Zeit braucht Instagram pro Woche?"][n % 2] for n in range(24)
    }
    for user, question in questions.items():
        tg.message(user, question)
    for user, question in questions.items():
        (reply,) = await tg.wait_messages(user, 1, within=60)
        expected = "2.000 Euro" if "Heimat" in question else "Stunden"
        assert expected in reply.plain
    await settle(bot)
    assert all(len(tg.messages(user)) == 1 for user in questions)
    assert tg.errors == []


async def test_termin_and_datenschutz(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "/termin")
    tg.message(USER, "/datenschutz")
    tg.message(USER, "/gibtsnicht")
    termin, privacy, unknown = await tg.wait_messages(USER, 3)
    assert "Persönliche Beratung" in termin.plain
    assert "30 Tagen" in privacy.plain
    assert "/hilfe" in unknown.plain
    assert tg.errors == []


async def test_files_use_the_configured_api_and_file_base_urls(bot: RunningBot) -> None:
    tg = bot.tg
    tg.private_chat(USER)
    file_id = tg.add_file("leitfaden.pdf", b"%PDF-1.4 test")
    telegram_file = await bot.app.bot.get_file(file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == b"%PDF-1.4 test"
    await bot.app.bot.send_document(
        USER, b"Inhalt", filename="notiz.txt", caption="<b>Notiz</b>", parse_mode="HTML"
    )
    (sent,) = tg.messages(USER)
    assert sent.document is not None and sent.document["file_name"].endswith("notiz.txt")
    assert tg.errors == []


async def test_operator_settings_name_who_runs_the_service(
    tg: FakeTelegram, settings_factory: SettingsFactory
) -> None:
    settings = settings_factory(
        **bot_overrides(tg),
        operator_name="Museumsberatung <Musterkreis>",
        operator_contact="beratung@example.org",
        operator_consultation="per Video oder Telefon",
    )
    async with running_bot(settings, tg):
        tg.message(USER, "/start")
        tg.message(USER, "/datenschutz")
        welcome, privacy = await tg.wait_messages(USER, 2)
        tg.message(USER, "Wie hoch ist die Förderung im Programm Museum-Digital-Plus?")
        declined = (await tg.wait_messages(USER, 3))[-1]
    assert "Betrieben von: Museumsberatung <Musterkreis> – Kontakt: beratung@example.org" in (
        welcome.plain
    )
    assert "persönliche Beratung (per Video oder Telefon)" in welcome.plain
    assert "Verantwortlich: Museumsberatung <Musterkreis> (beratung@example.org)" in privacy.plain
    assert "Museum-Digital-Plus" in declined.plain
    assert (
        "persönliche Beratung (per Video oder Telefon) durch das Beratungsteam von "
        "Museumsberatung <Musterkreis>" in declined.plain
    )
    assert tg.errors == []


async def test_without_operator_settings_no_organisation_is_claimed(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "/start")
    tg.message(USER, "/datenschutz")
    welcome, privacy = await tg.wait_messages(USER, 2)
    for text in (welcome.plain, privacy.plain):
        assert "Betrieben von" not in text and "Verantwortlich" not in text
        assert "Digitalteam der" not in text and "LWL" not in text
