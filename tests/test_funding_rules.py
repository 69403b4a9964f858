"""Matching rules, amounts and deadlines on the real programme catalog (no index needed).

The purpose evidence is given by hand here; ``tests/test_funding_kb.py`` finds it through the
retriever over the whole knowledge base.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.funding import Applicant, PurposeEvidence, Query, Verdict, load_catalog, rank, upcoming
from bot.funding.deadlines import next_deadline
from bot.funding.ics import deadlines_calendar
from bot.funding.model import parse_applicant
from bot.funding.purpose import text_tags
from bot.funding.regions import part_of_nrw
from bot.funding.rules import Match

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
CATALOG = load_catalog(KNOWLEDGE)
TODAY = date(2026, 12, 1)


def evidence(text: str, *tags: str, documents: tuple[str, ...] = ()) -> PurposeEvidence:
    return PurposeEvidence(text, frozenset(documents), frozenset(text_tags(text) | set(tags)))


def by_id(matches: list[Match]) -> dict[str, Match]:
    return {m.entry.programme.id: m for m in matches}


AUDIOGUIDE = evidence("Audioguide", "audioguide", "medienguide", "app")


@pytest.mark.parametrize("applicant", [Applicant.KOMMUNE, Applicant.KOMMUNALES_MUSEUM])
@pytest.mark.parametrize("budget", [None, 500, 2000, 6000, 250_000])
def test_a_municipality_is_never_offered_the_heimat_scheck(
    applicant: Applicant, budget: int | None
) -> None:
    scheck = by_id(rank(CATALOG, Query(applicant, "Audioguide", budget), AUDIOGUIDE, TODAY))[
        "heimat-scheck"
    ]
    assert scheck.verdict is Verdict.PASST_NICHT
    assert any(
        "nicht antragsberechtigt" in r.text and r.level == "passt nicht" for r in scheck.reasons
    )
    if applicant is Applicant.KOMMUNE:
        assert "Kommunen sind nicht antragsberechtigt" in [
            r.text.split(" (")[0] for r in scheck.reasons
        ]


def test_a_project_under_the_heimat_scheck_minimum_does_not_fit_and_says_why() -> None:
    scheck = by_id(rank(CATALOG, Query(Applicant.VEREIN, "Audioguide", 1500), AUDIOGUIDE, TODAY))[
        "heimat-scheck"
    ]
    assert scheck.verdict is Verdict.PASST_NICHT
    assert [r.text for r in scheck.reasons if r.level == "passt nicht"] == [
        "Projektkosten unter 2.000 €"
    ]
    assert scheck.reasons[0].text == "Vereine sind antragsberechtigt"


def test_an_association_is_pointed_to_the_heimat_fonds_through_its_municipality() -> None:
    fonds = by_id(rank(CATALOG, Query(Applicant.VEREIN, "Audioguide", 6000), AUDIOGUIDE, TODAY))[
        "heimat-fonds"
    ]
    assert fonds.verdict is Verdict.PRUEFEN
    assert fonds.reasons[0].level == "prüfen"
    assert fonds.reasons[0].text.startswith(
        "Vereine beantragen nicht selbst, sondern über ihre Kommune"
    )
    assert fonds.reasons[0].sources  # with the source it comes from


def test_unconfirmed_limits_never_rule_a_programme_out() -> None:
    fonds = by_id(
        rank(
            CATALOG, Query(Applicant.KOMMUNE, "Heimatmuseum", 1000), evidence("Heimatmuseum"), TODAY
        )
    )["heimat-fonds"]
    assert fonds.verdict is Verdict.PRUEFEN
    assert "Projektkosten unter 5.000 € (Angabe nicht bestätigt)" in [r.text for r in fonds.reasons]
    assert "Grenzen nicht bestätigt" in fonds.money.text


def test_amount_and_own_share_follow_the_confirmed_data_only() -> None:
    matches = by_id(
        rank(
            CATALOG,
            Query(Applicant.VEREIN, "Vereinswebseite", 2500),
            evidence("Vereinswebseite"),
            TODAY,
        )
    )
    dsee = matches["dsee-mikrofoerderung"].money
    assert (dsee.estimate, dsee.own_percent, dsee.own_eur) == (2250, 10, 250)
    scheck = matches["heimat-scheck"].money
    assert (scheck.fixed, scheck.estimate, scheck.own_percent) == (2000, 2000, 0)
    stiftung = matches["nrw-stiftung"].money
    assert (stiftung.estimate, stiftung.text, stiftung.own_text) == (
        None,
        "nicht belegt",
        "nicht belegt",
    )
    zeugnis = by_id(
        rank(CATALOG, Query(Applicant.KOMMUNE, "Museum", 200_000), evidence("Museum"), TODAY)
    )["heimat-zeugnis"].money
    assert (zeugnis.rate, zeugnis.estimate, zeugnis.own_eur) == (80, 160_000, 40_000)


def test_results_are_ranked_verdict_first_and_every_result_has_sources() -> None:
    matches = rank(
        CATALOG, Query(Applicant.VEREIN, "Audioguide", 6000, "Kreis Steinfurt"), AUDIOGUIDE, TODAY
    )
    order = {"passt": 0, "prüfen": 1, "passt nicht": 2}
    assert [order[m.verdict] for m in matches] == sorted(order[m.verdict] for m in matches)
    assert len(matches) == len(CATALOG)
    for m in matches:
        data = m.to_json()
        assert data["sources"] and data["reasons"]
        assert set(data) >= {
            "programme",
            "document",
            "verdict",
            "reasons",
            "amount",
            "own_share",
            "next_deadline",
            "sources",
        }


def test_a_programme_only_for_westfalen_lippe_does_not_fit_the_rhineland() -> None:
    matches = by_id(
        rank(
            CATALOG,
            Query(Applicant.VEREIN, "Ausstellung", 20_000, "Köln"),
            evidence("Ausstellung"),
            TODAY,
        )
    )
    assert matches["lwl-kulturstiftung"].verdict is Verdict.PASST_NICHT
    assert matches["heimat-scheck"].verdict is not Verdict.PASST_NICHT
    assert part_of_nrw("Kreis Steinfurt") == "Westfalen-Lippe"
    assert part_of_nrw("Atlantis") is None


@pytest.mark.parametrize("offset", range(0, 800, 17))
def test_a_deadline_in_the_past_is_never_listed(offset: int) -> None:
    today = date(2024, 6, 1) + timedelta(days=offset)
    listed = upcoming(CATALOG, today, 400)
    assert all(today <= due.day <= today + timedelta(days=400) for due in listed)
    assert [d.day for d in listed] == sorted(d.day for d in listed)
    for entry in CATALOG.entries:
        nxt = next_deadline(entry, today)
        assert nxt.due is None or nxt.due.day >= today


def test_expired_windows_are_gone_and_yearly_dates_roll_over() -> None:
    listed = upcoming(CATALOG, TODAY, 365)
    ids = {d.programme_id for d in listed}
    assert (
        "heimat-scheck" not in ids and "heimat-zeugnis" not in ids and "regionalbudget" not in ids
    )
    lwl = [d.day for d in listed if d.programme_id == "lwl-kulturstiftung"]
    assert lwl == [date(2027, 2, 28), date(2027, 8, 31)]
    before = upcoming(CATALOG, date(2025, 10, 1), 60)
    assert date(2025, 10, 31) in [d.day for d in before if d.programme_id == "heimat-scheck"]
    scheck = next_deadline(CATALOG.get("heimat-scheck"), TODAY)  # type: ignore[arg-type]
    assert scheck.due is None and "zuletzt bis 31.10.2025" in scheck.text()


def test_the_ics_file_parses_and_has_one_all_day_event_per_deadline() -> None:
    listed = upcoming(CATALOG, TODAY, 365)
    calendar = Calendar.from_ical(deadlines_calendar(listed))
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == len(listed) > 0
    assert len({str(e["UID"]) for e in events}) == len(events)
    for event, due in zip(events, listed, strict=True):
        assert event.decoded("DTSTART") == due.day
        assert due.programme in str(event["SUMMARY"])
        assert str(event["URL"]).startswith("https://")


def test_applicant_words_are_understood() -> None:
    assert parse_applicant("Heimatverein") is Applicant.VEREIN
    assert parse_applicant("kommunales-museum") is Applicant.KOMMUNALES_MUSEUM
    assert parse_applicant("Gedenkstätte") is Applicant.GEDENKSTAETTE
    assert parse_applicant("Firma") is None
