"""Forged and flooding button presses over the fake Bot API, on PostgreSQL.

Ids beyond the 32-bit INTEGER columns used to reach PostgreSQL ('integer out of range', a
traceback in the log and an error message in the chat); presses were not rate-limited at all.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest

from bot.telegram import texts
from tests.conftest import SettingsFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_harness import bot_overrides, running_bot, settle

USER = 1001
ADVISOR = 2001
FORGED = [
    "hc:c:2147483648",
    "hc:x:9999999999",
    "fb:+:2147483648",
    "cs:4294967296",
    "hs:2147483648:1",
    "hs:1:2147483648",
    "hp:2147483648:0",
    "hx:3000000000",
    "hm:3000000000:0",
    "hn:1:3000000000",
    "hz:2147483648",
]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        for user in (USER, ADVISOR):
            server.private_chat(user)
        yield server


async def test_forged_ids_beyond_int32_are_stale_buttons_on_postgresql(
    tg: FakeTelegram,
    settings_factory: SettingsFactory,
    pg_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings_factory(
        **bot_overrides(tg), database_url=pg_url, advisor_ids=str(ADVISOR), rate_limit_messages=100
    )
    caplog.set_level(logging.INFO)
    async with running_bot(settings, tg) as bot:
        tg.message(USER, "/start")
        (start,) = await tg.wait_messages(USER, 1)
        answers = []
        for presser, data in [(USER, d) for d in FORGED] + [(ADVISOR, "hc:c:2147483648")]:
            answers.append(await tg.wait_callback_answer(tg.press(presser, start, data)))
        await settle(bot)
    stale = {texts.STALE_BUTTON_SHORT, texts.STALE_BUTTON}
    assert all(a.get("text") in stale for a in answers)
    assert len(tg.messages(USER)) == 1  # no error message in the chat
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "out of range" not in caplog.text
    assert tg.errors == []


async def test_forty_button_presses_in_a_burst_are_rate_limited(
    tg: FakeTelegram, settings_factory: SettingsFactory
) -> None:
    settings = settings_factory(
        **bot_overrides(tg), rate_limit_messages=10, rate_limit_window_s=600
    )
    async with running_bot(settings, tg) as bot:
        tg.message(USER, "/start")
        (start,) = await tg.wait_messages(USER, 1)
        queries = [tg.press(USER, start, f"hx:{n}") for n in range(1, 41)]
        answers = [await tg.wait_callback_answer(q) for q in queries]
        other = await tg.wait_callback_answer(tg.press(ADVISOR, start, "hx:1"))
        # messages share the limit: the user's next question is refused as well
        tg.message(USER, "Wie hoch ist der Heimat-Scheck?")
        await settle(bot)
    limited = [a for a in answers if a.get("text") == texts.RATE_LIMITED_SHORT]
    # /start used one of the ten messages, a press weighs half a message
    assert len(limited) == 40 - 18
    assert all(a.get("text") != texts.RATE_LIMITED_SHORT for a in answers[:18])
    assert other.get("text") != texts.RATE_LIMITED_SHORT  # another user is not affected
    assert not any("Heimat-Scheck" in m.plain or "2.000" in m.plain for m in tg.messages(USER))
    assert tg.errors == []
