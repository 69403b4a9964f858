"""/foerderung end to end: the real PTB Application against the fake Bot API.

The bot runs on the fixture corpus; the real funding documents (with their programme blocks) are
copied into its knowledge folder, so the Förder-Finder works on the real programme data.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.telegram.funding.screens import STALE
from tests.conftest import KNOWLEDGE, SettingsFactory
from tests.fakes.telegram_server import FakeTelegram, Sent
from tests.telegram_harness import RunningBot, bot_overrides, running_bot

USER = 2002


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram, settings_factory: SettingsFactory) -> AsyncIterator[RunningBot]:
    settings = settings_factory(**bot_overrides(tg))
    names = ("heimat-scheck.md", "heimat-fonds.md", "heimat-werkstatt.md", "nrw-stiftung.md")
    for name in (*names, "lwl-kulturstiftung.md"):
        shutil.copy(KNOWLEDGE / "foerderung" / name, settings.knowledge_dir / "foerderung" / name)
    async with running_bot(settings, tg) as running:
        yield running


async def press(tg: FakeTelegram, sent: Sent, label: str) -> None:
    edits = len(sent.edits)
    query = tg.press(USER, sent, sent.button(label))
    await tg.wait_callback_answer(query)
    await tg.wait_for(lambda: len(sent.edits) > edits)


async def test_a_municipality_walks_through_the_finder_and_never_gets_the_heimat_scheck(
    bot: RunningBot,
) -> None:
    tg = bot.tg
    tg.message(USER, "/foerderung")
    (finder,) = await tg.wait_messages(USER, 1)
    assert "Wer stellt den Antrag?" in finder.plain
    assert [data for _, data in finder.buttons()] == [f"fo:a:{n}" for n in range(8)]
    await press(tg, finder, "Kommune")
    assert "Wofür brauchen Sie die Förderung?" in finder.plain
    await press(tg, finder, "Audio- oder Medienguide")
    assert "Was kostet das Vorhaben" in finder.plain
    await press(tg, finder, "2.500 bis 10.000 €")
    results = finder.plain
    fitting, _, ruled_out = results.partition("Passt nicht")
    assert "Heimat-Werkstatt" in fitting
    assert "Heimat-Scheck" not in fitting
    assert "Heimat-Scheck: Kommunen sind nicht antragsberechtigt" in ruled_out
    assert "NRW-Stiftung" in ruled_out  # Kommunen are excluded there as well
    assert any(
        line.endswith("· Heimat-Werkstatt") and line.startswith(("✅ passt", "🔎 prüfen"))
        for line in results.splitlines()
    )  # one block per programme, verdict first
    labels = [label for label, _ in finder.buttons()]
    assert "Details: Heimat-Werkstatt" in labels and "Beratung anfragen" in labels
    assert len(tg.messages(USER)) == 1  # every step edited the one message

    query = tg.press(USER, finder, finder.button("Details: Heimat-Werkstatt"))
    await tg.wait_callback_answer(query)
    details = (await tg.wait_messages(USER, 2))[-1]
    assert details.plain.startswith("Heimat-Werkstatt")
    assert "Antragsberechtigt: Vereine, Stiftungen, Kommunen, Kommunale Museen" in details.plain
    assert "Projektkosten: nicht belegt" in details.plain
    assert "Fristen: laufend" in details.plain
    assert tg.errors == []


async def test_an_association_is_pointed_to_the_heimat_fonds_and_forged_buttons_are_refused(
    bot: RunningBot,
) -> None:
    tg = bot.tg
    tg.message(USER, "/foerderung")
    (finder,) = await tg.wait_messages(USER, 1)
    await press(tg, finder, "Verein")
    await press(tg, finder, "Medienstation")
    await press(tg, finder, "10.000 bis 50.000 €")
    assert "Vereine beantragen nicht selbst, sondern über ihre Kommune" in finder.plain
    assert "Heimat-Scheck" in finder.plain.partition("Passt nicht")[0]  # offered to a Verein
    for forged in ("fo:a:9", "fo:b:0:99:1", "fo:d:gibt-es-nicht"):
        query = tg.press(USER, finder, forged)
        assert (await tg.wait_callback_answer(query))["text"] == STALE
    assert tg.errors == []


async def test_a_deadline_is_remembered_listed_under_fristen_and_removed(bot: RunningBot) -> None:
    tg = bot.tg
    tg.message(USER, "/foerderung")
    (finder,) = await tg.wait_messages(USER, 1)
    await press(tg, finder, "Verein")
    await press(tg, finder, "Ausstellung")
    await press(tg, finder, "10.000 bis 50.000 €")
    query = tg.press(USER, finder, finder.button("Details: LWL-Kulturstiftung (Projektförderung)"))
    await tg.wait_callback_answer(query)
    details = (await tg.wait_messages(USER, 2))[-1]
    query = tg.press(USER, details, details.button("Frist merken"))
    assert "Gemerkt" in (await tg.wait_callback_answer(query))["text"]
    query = tg.press(USER, details, details.button("Frist merken"))
    assert "schon gemerkt" in (await tg.wait_callback_answer(query))["text"]
    tg.message(USER, "/fristen")
    listing = (await tg.wait_messages(USER, 3))[-1]
    mine = listing.plain.partition("Die nächsten Fristen")[0]
    assert "LWL-Kulturstiftung (Projektförderung)" in mine
    (label, data) = next((lb, d) for lb, d in listing.buttons() if lb.startswith("Entfernen"))
    assert data.startswith("fo:x:")
    stored = bot.services.deadline_reminders.listing(USER)
    assert len(stored) == 1 and stored[0].deadline >= date.today()
    await press(tg, listing, label)
    assert "noch keine Frist gemerkt" in listing.plain
    assert bot.services.deadline_reminders.listing(USER) == []
    assert tg.errors == []
