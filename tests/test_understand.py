"""Question understanding: what is asked, what is named, which names the knowledge base knows."""

from __future__ import annotations

import pytest

from bot.understand.asks import Ask, analyse_asks, states_unknown
from bot.understand.followup import PreviousTurn, is_follow_up, resolve
from bot.understand.mentions import extract_mentions
from bot.understand.names import NameIndex, squash
from bot.understand.question import understand
from ingest.index import StoredChunk


@pytest.mark.parametrize(
    ("question", "ask"),
    [
        ("was ist der höchstbetrag beim heimat-zeugnis? also wieviel maximal", Ask.MAXIMUM),
        ("wie viel prozent zahlt der lwl bei vitrinen", Ask.RATE),
        ("und der eigenanteil?", Ask.OWN_SHARE),
        ("bis wann muss man den beantragen", Ask.DEADLINE),
        ("wann hat das lwl-museum für kunst und kultur offen?", Ask.HOURS),
        ("haben sie die telefonnummer vom museumsamt?", Ask.PHONE),
        ("wer leitet eigentlich das lwl-museumsamt?", Ask.PERSON),
        ("wie viele fotos braucht man für ein 3d-modell", Ask.COUNT),
        ("wie lange dauert es vom antrag bis zum bescheid", Ask.DURATION),
        ("was kostet der eintritt im freilichtmuseum", Ask.PRICE),
        ("wie hoch ist der heimat-scheck", Ask.AMOUNT),
        ("kann unsere gemeinde den heimat scheck beantragen?", Ask.ELIGIBILITY),
        ("wie kriegen wir von unseren objekten 3d modelle hin?", Ask.HOWTO),
        ("Was ist die GND?", Ask.DEFINITION),
        ("wann lohnt sich ein podcast für uns", Ask.OTHER),
    ],
)
def test_primary_ask(question: str, ask: Ask) -> None:
    assert analyse_asks(question).primary is ask


def test_a_narrower_ask_replaces_the_plain_amount() -> None:
    asks = analyse_asks("wie viele besucher kamen und wie viel kostet das")
    assert Ask.COUNT in asks.all and Ask.AMOUNT not in asks.all


def test_yes_no_questions_are_recognised() -> None:
    assert analyse_asks("Kann unser Verein das beantragen?").yes_no
    assert not analyse_asks("Wer kann das beantragen?").yes_no


@pytest.mark.parametrize(
    ("ask", "sentence", "expected"),
    [
        (Ask.AMOUNT, "Das Land gibt einen Festbetrag von 2.000 Euro.", True),
        (Ask.AMOUNT, "Das Land gibt einen Zuschuss.", False),
        (Ask.MAXIMUM, "Gefördert werden bis zu 2.500 Euro.", True),
        (Ask.MAXIMUM, "Gefördert werden Projekte ab 10.000 Euro.", False),
        (Ask.DEADLINE, "Anträge sind bis zum 31. Dezember einzureichen.", True),
        (Ask.DEADLINE, "Anträge stellen Sie online.", False),
        (Ask.HOURS, "Geöffnet ist dienstags bis sonntags von 10 bis 18 Uhr.", True),
        (Ask.COUNT, "Für ein Modell braucht man rund 90 Fotos.", True),
        (Ask.DURATION, "Die Bewilligung dauert etwa acht Wochen.", True),
        (Ask.OWN_SHARE, "Ein Eigenanteil ist nicht erforderlich.", True),
        (Ask.PHONE, "Schreiben Sie an museumsamt@lwl.org.", False),
        (Ask.EMAIL, "Schreiben Sie an museumsamt@lwl.org.", True),
    ],
)
def test_evidence_recognises_the_asked_kind_of_fact(
    ask: Ask, sentence: str, expected: bool
) -> None:
    assert ask.evidence(sentence) is expected


def test_a_sentence_that_says_a_fact_is_unknown_is_recognised() -> None:
    assert states_unknown("Eine feste Quote wurde nicht gefunden.")
    assert states_unknown("Eine Obergrenze ist nicht genannt.")
    assert not states_unknown("Die Quote beträgt 80 Prozent.")


def test_mentions_find_names_places_persons_and_years() -> None:
    m = extract_mentions(
        "Wie hoch ist die Förderung im Programm Museum-Digital-Plus der Kulturstiftung "
        "Schleswig-Holstein 2027?"
    )
    # a genitive joins the programme and its funder into one name
    assert m.names == ("Programm Museum-Digital-Plus der Kulturstiftung Schleswig-Holstein",)
    assert extract_mentions(
        "Welche Öffnungszeiten hat das LWL-Museum für Kunst und Kultur?"
    ).names == ("LWL-Museum für Kunst und Kultur",)
    assert m.outside_places == ("schleswig-holstein",)
    assert m.years == ("2027",)
    lower = extract_mentions("kann man beim kulturfonds westfalen-süd geld kriegen")
    assert lower.names == ("kulturfonds westfalen-süd",)
    assert extract_mentions("wie erreiche ich frau dr. müller").persons
    assert extract_mentions("und gibts sowas auch in niedersachsen?").outside_places


def test_ordinary_nouns_are_not_names() -> None:
    assert (
        extract_mentions("Welche Kamera eignet sich zum Digitalisieren von Objekten?").names == ()
    )


def _names() -> NameIndex:
    chunks = [
        StoredChunk(
            "a",
            "Der Heimat-Scheck gibt 2.000 Euro. Das Glockenmuseum in Gescher hat einen Medienguide.",
            {
                "source": "knowledge/foerderung/heimat-scheck.md",
                "title": "Heimat-Scheck: 2.000 Euro",
                "heading": "Betrag",
                "aliases": "Heimat-Scheck\nHeimatscheck",
            },
        ),
        StoredChunk(
            "b",
            "Die LWL-Kulturstiftung fördert überörtliche Projekte.",
            {
                "source": "knowledge/foerderung/lwl-kulturstiftung.md",
                "title": "LWL-Kulturstiftung",
                "heading": "",
                "aliases": "LWL-Kulturstiftung",
            },
        ),
    ]
    return NameIndex.build(chunks)


def test_squash_makes_spellings_meet() -> None:
    assert squash("Heimat-Scheck") == squash("heimat scheck") == squash("Heimatscheck")


def test_name_index_knows_names_in_any_spelling_and_inflection() -> None:
    names = _names()
    assert names.known("Glockenmuseum Gescher")
    assert names.known("LWL-Kulturstiftungen")
    assert not names.known("Kulturstiftung Schleswig-Holstein")
    assert names.unknown(["Programm Museum-Digital-Plus", "Programm"]) == [
        "Programm Museum-Digital-Plus"
    ]
    assert names.docs_named("kann unsere gemeinde den heimat scheck beantragen?") == [
        "knowledge/foerderung/heimat-scheck.md"
    ]
    assert names.label("knowledge/foerderung/heimat-scheck.md") == "Heimat-Scheck"
    assert names.doc_mentions("knowledge/foerderung/heimat-scheck.md", "2.000")


def test_follow_ups_inherit_the_previous_subject_and_switches_do_not() -> None:
    names = _names()
    previous = PreviousTurn("Was ist der Heimat-Scheck?", "knowledge/foerderung/heimat-scheck.md")
    follow = resolve(understand("und der eigenanteil?", names), 1, previous, names)
    assert follow.follow_up and follow.subject == "knowledge/foerderung/heimat-scheck.md"
    assert follow.query == "und der eigenanteil? Heimat-Scheck"
    switch = resolve(understand("Was fördert die LWL-Kulturstiftung?", names), 2, previous, names)
    assert not switch.follow_up and switch.query == "Was fördert die LWL-Kulturstiftung?"
    other = understand("ganz anderes thema: wie viel zeit brauchen wir für instagram", names)
    assert not is_follow_up(other, 3)
    assert resolve(understand("bis wann?", names), 0, None, names).query == "bis wann?"


def test_ordinary_compounds_and_the_users_own_house_are_not_names() -> None:
    assert (
        extract_mentions("wir sind ein kleines bergbaumuseum, wie machen wir einen podcast?").names
        == ()
    )
    assert extract_mentions("Wir sind das Stadtmuseum Lünen und planen einen Podcast.").names == ()
    assert extract_mentions("Brauchen wir im Heimatmuseum ein Gast-Netz?").names == ()
    assert extract_mentions("Was zahlt die Stiftung Kulturerbe Nord?").names == (
        "Stiftung Kulturerbe Nord",
    )
