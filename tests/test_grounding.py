"""The grounding check of generated answers: amounts, percentages, dates, years and links."""

from __future__ import annotations

from bot.answer.grounding import facts, links, ungrounded

PASSAGE = (
    "Der Heimat-Scheck ist ein Festbetrag von 2.000 Euro ohne Eigenanteil. Anträge bis zum "
    "31. Dezember; die Förderperiode läuft bis 2027, Quote 80 %. Mehr unter https://www.mhkbd.nrw/x."
)


def test_spellings_of_one_amount_are_the_same_fact() -> None:
    assert facts("2.000 Euro") == facts("2000 €") == facts("2.000 EUR") == {("euro", 2000.0, 0.0)}
    assert facts("80 %") == facts("80 Prozent")
    assert facts("31. Dezember") == facts("31.12.") == {("date", 31.0, 12.0)}
    assert facts("im Jahr 2027") == {("year", 2027.0, 0.0)}


def test_an_answer_with_only_sourced_facts_is_grounded() -> None:
    answer = "Sie erhalten 2000 € [1], Frist ist der 31.12. [1], bis 2027 mit 80 Prozent [1]."
    assert ungrounded(answer, [PASSAGE], ["https://www.mhkbd.nrw/x"]) == []


def test_invented_amounts_dates_and_links_are_reported() -> None:
    answer = (
        "Sie erhalten 50.000 Euro [1] bis zum 30. Juni 2029, Quote 90 %; "
        "Antrag unter https://evil.example/antrag [1]."
    )
    missing = ungrounded(answer, [PASSAGE], ["https://www.mhkbd.nrw/x"])
    assert "50000 euro" in missing and "90 percent" in missing
    assert "30.6." in missing and "2029 year" in missing
    assert "https://evil.example/antrag" in missing


def test_links_of_the_sources_and_passages_are_allowed() -> None:
    assert links("siehe https://www.mhkbd.nrw/x.") == {"https://www.mhkbd.nrw/x"}
    assert ungrounded("Siehe https://www.mhkbd.nrw/x [1].", [PASSAGE], []) == []
    assert ungrounded("Siehe https://a.example/ [1].", ["ohne Link"], ["https://a.example"]) == []
