"""What a question asks for, and how to recognise a sentence that says it.

A question that asks for a specific fact (an amount, a maximum, a rate, a deadline, opening hours,
a count, a duration, a person, a telephone number ...) is only answered by a sentence that contains
such a fact. ``Ask.evidence`` is that test; ``Ask.noun`` names the fact in the German reply when the
sources do not contain it ("Eine Obergrenze nennen meine Quellen nicht").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_NUMBER_WORDS = (
    r"(?:ein|eine|einen|zwei|drei|vier|fünf|fuenf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwoelf|"
    r"fünfzehn|zwanzig|dreißig|vierzig|fünfzig|sechzig|hundert|tausend|einige|wenige|mehrere)"
)
_NUMBER = rf"(?:\d[\d.,]*|{_NUMBER_WORDS})"
_MONTHS = (
    r"(?:januar|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|"
    r"dezember)"
)
_AMOUNT = re.compile(
    r"\d[\d.,]*\s?(?:€|euro\b|eur\b|prozent|%)|\b(?:kostenlos|kostenfrei|gratis|"
    r"ohne eigenanteil|kein eigenanteil|festbetrag)",
    re.I,
)
_MONEY = re.compile(r"\d[\d.,]*\s?(?:€|euro\b|eur\b)", re.I)
_MAXIMUM = re.compile(
    r"(?:bis zu|höchstens|hoechstens|maximal|max\.|obergrenze|höchstbetrag|hoechstbetrag|"
    r"höchstförder\w*|deckel)",
    re.I,
)
_RATE = re.compile(r"\d[\d.,]*\s?(?:%|prozent)|förderquote|foerderquote|vollfinanzierung", re.I)
_OWN_SHARE = re.compile(r"eigenanteil|eigenmittel|eigenleistung|selbst (?:zahlen|tragen)", re.I)
_DATE = re.compile(
    rf"\b\d{{1,2}}\.\s?{_MONTHS}|\b\d{{1,2}}\.\d{{1,2}}\.(?:\d{{2,4}})?|\b{_MONTHS}\b|"
    r"\b(?:jährlich|jaehrlich|jederzeit|laufend|ganzjährig|stichtag\w*|frist\w*|"
    r"jahresende|quartal|vor projektbeginn|vor beginn)",
    re.I,
)
_HOURS = re.compile(
    r"\b\d{1,2}(?:[.:]\d{2})?\s?(?:bis|–|-)\s?\d{1,2}(?:[.:]\d{2})?\s?uhr|"
    r"\b(?:montags|dienstags|mittwochs|donnerstags|freitags|samstags|sonntags)\b.{0,40}\buhr\b|"
    r"\bgeöffnet\b|\böffnungszeiten\s+(?:sind|:)",
    re.I,
)
_COUNT = re.compile(
    rf"\b{_NUMBER}\s+(?:\w+\s+)?(?:besucher\w*|gäste|gaeste|menschen|personen|teilnehm\w*|"
    r"nutzer\w*|follower\w*|fotos|aufnahmen|bilder|objekte|projekte|museen|häuser|"
    r"mitglieder\w*|scans|aufrufe|abonnent\w*|stationen|kapitel|seiten|anträge|antraege)\b",
    re.I,
)
_DURATION = re.compile(
    rf"\b{_NUMBER}(?:\s?(?:bis|–|-)\s?{_NUMBER})?\s+(?:\w+\s+)?"
    r"(?:sekunden|minuten|stunden|tage[n]?|wochen|monate[n]?|jahre[n]?)\b",
    re.I,
)
_PERSON = re.compile(r"\b(?:frau|herr|dr\.|prof\.)\s+[A-ZÄÖÜ][\wäöüß-]+")
_PHONE = re.compile(r"(?:\+49|\b0)\d[\d /-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_ADDRESS = re.compile(r"\b\w+(?:straße|strasse|str\.|platz|weg|allee)\s+\d+", re.I)
_ELIGIBLE = re.compile(
    r"antragsberechtigt|berechtigt|beantragen|können .{0,40}(?:stellen|bewerben|beantragen)|"
    r"dürfen|darf|ausgeschlossen|nicht gefördert|gefördert werden|richtet sich an|"
    r"zielgruppe|förderfähig|foerderfaehig|kommen in frage|zugelassen",
    re.I,
)
_NO = re.compile(r"\b(?:kein|keine|keinen|ohne|nicht)\b", re.I)
# A sentence that itself says the fact is unknown does not answer a question for that fact.
NOT_STATED = re.compile(
    r"nicht (?:genannt|gefunden|belegt|bekannt|bestätigt|dokumentiert|beziffert|veröffentlicht|"
    r"angegeben|ermittelt|festgelegt)|keine (?:angaben?|feste|verlässlich\w*|belastbar\w*)|"
    r"\b(?:nennt|nennen|enthält|enthalten|geben|gibt)\b.{0,140}\bkeine?n?\s+(?:förderquote|"
    r"eigenanteil|obergrenze|höchstbetrag|frist|angabe|zahl|betrag|beträge|quote)|"
    r"unbekannt|unklar|liegt nicht vor|(?:ist|bleibt) offen",
    re.I,
)


class Ask(StrEnum):
    """The kind of fact a question asks for."""

    AMOUNT = "amount"
    MAXIMUM = "maximum"
    RATE = "rate"
    OWN_SHARE = "own_share"
    DEADLINE = "deadline"
    DURATION = "duration"
    HOURS = "opening_hours"
    PRICE = "price"
    COUNT = "count"
    PERSON = "person"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    ELIGIBILITY = "eligibility"
    HOWTO = "howto"
    DEFINITION = "definition"
    OTHER = "other"

    @property
    def specific(self) -> bool:
        """True when only a sentence with this kind of fact answers the question."""
        return self in _EVIDENCE

    @property
    def institutional(self) -> bool:
        """Facts about one institution that the knowledge base does not keep (hours, prices, names)."""
        return self in {Ask.HOURS, Ask.PRICE, Ask.PERSON, Ask.PHONE, Ask.ADDRESS}

    @property
    def noun(self) -> str:
        """German noun phrase for the reply: 'Eine Obergrenze', 'Öffnungszeiten' ..."""
        return _NOUNS.get(self, "Eine Antwort darauf")

    def evidence(self, sentence: str) -> bool:
        """True when the sentence contains the kind of fact asked for."""
        pattern = _EVIDENCE.get(self)
        if pattern is None:
            return self is not Ask.ELIGIBILITY or bool(_ELIGIBLE.search(sentence))
        if self is Ask.MAXIMUM:
            return bool(_MAXIMUM.search(sentence) and _MONEY.search(sentence))
        if self is Ask.OWN_SHARE:
            return bool(
                _OWN_SHARE.search(sentence)
                and (_AMOUNT.search(sentence) or _RATE.search(sentence) or _NO.search(sentence))
            )
        return bool(pattern.search(sentence))


_EVIDENCE: dict[Ask, re.Pattern[str]] = {
    Ask.AMOUNT: _AMOUNT,
    Ask.MAXIMUM: _MAXIMUM,
    Ask.RATE: _RATE,
    Ask.OWN_SHARE: _OWN_SHARE,
    Ask.DEADLINE: _DATE,
    Ask.DURATION: _DURATION,
    Ask.HOURS: _HOURS,
    Ask.PRICE: _AMOUNT,
    Ask.COUNT: _COUNT,
    Ask.PERSON: _PERSON,
    Ask.PHONE: _PHONE,
    Ask.EMAIL: _EMAIL,
    Ask.ADDRESS: _ADDRESS,
}
_NOUNS = {
    Ask.AMOUNT: "Einen Betrag",
    Ask.MAXIMUM: "Eine Obergrenze",
    Ask.RATE: "Eine Förderquote",
    Ask.OWN_SHARE: "Einen Eigenanteil",
    Ask.DEADLINE: "Eine Frist oder einen Termin",
    Ask.DURATION: "Eine Dauer",
    Ask.HOURS: "Öffnungs- oder Sprechzeiten",
    Ask.PRICE: "Preise",
    Ask.COUNT: "Zahlen dazu",
    Ask.PERSON: "Namen von Personen",
    Ask.PHONE: "Eine Telefonnummer",
    Ask.EMAIL: "Eine E-Mail-Adresse",
    Ask.ADDRESS: "Eine Anschrift",
}

# Most specific first: the first pattern that matches the question is its primary ask.
_ASK_PATTERNS: tuple[tuple[Ask, re.Pattern[str]], ...] = (
    (
        Ask.PERSON,
        re.compile(
            r"\bwer (?:leitet|ist (?:der|die|da) (?:leiter\w*|chef\w*|direktor\w*|ansprechpart\w*|"
            r"zuständige\w*))|\bwie hei(?:ß|ss)t (?:der|die)\b|\bname[n]? (?:des|der|vom|von)\b|"
            r"\bmit name[n]?\b|\b(?:frau|herr|dr\.?)\s+[a-zäöü]",
            re.I,
        ),
    ),
    (
        Ask.HOURS,
        re.compile(
            r"öffnungszeit\w*|oeffnungszeit\w*|geöffnet|geoeffnet|\boffen\b|sprechzeit\w*|"
            r"telefonisch erreichbar|wann .{0,30}erreichbar",
            re.I,
        ),
    ),
    (Ask.PHONE, re.compile(r"telefonnummer|\bnummer\b|\bhandynummer|\bdurchwahl", re.I)),
    (Ask.EMAIL, re.compile(r"e-?mail-?adresse|\bmailadresse|\bemail\b|\be-mail\b", re.I)),
    (
        Ask.ADDRESS,
        re.compile(
            r"\b(?:die|ihre|deren|seine|eine) (?:post)?(?:adresse|anschrift)\b(?! als)|"
            r"\b(?:adresse|anschrift) (?:von|vom|des|der)\b|\bwo sitzt\b",
            re.I,
        ),
    ),
    (Ask.PRICE, re.compile(r"\beintritt\w*|ticketpreis\w*|\bticket\w* kost", re.I)),
    (
        Ask.RATE,
        re.compile(
            r"förderquote|foerderquote|förders[aä]tz|wie viel prozent|wieviel prozent|\bprozent\b|"
            r"\bquote\b|\b%",
            re.I,
        ),
    ),
    (
        Ask.OWN_SHARE,
        re.compile(
            r"eigenanteil|eigenmittel|(?:selbst|selber) (?:dazu )?(?:zahlen|bezahlen|tragen|"
            r"zuzahlen|beisteuern|geben|dazugeben|aufbringen|beitragen)|zuzahlen|dazugeben|"
            r"zuschießen",
            re.I,
        ),
    ),
    (
        Ask.MAXIMUM,
        re.compile(
            r"höchstbetrag|hoechstbetrag|obergrenze|maximal|\bmax\b|höchstens|hoechstens|"
            r"höchstförder|deckel|wie viel .{0,30}(?:höchstens|maximal)",
            re.I,
        ),
    ),
    (
        Ask.COUNT,
        re.compile(
            r"wie ?viele\b|anzahl|besucherzahl\w*|\bfollower\b|wie oft (?:wurde|wurden)", re.I
        ),
    ),
    (
        Ask.DURATION,
        re.compile(
            r"wie lange (?:dauert|braucht|läuft|laeuft|geht|muss|sollte|sollten|darf)|\bdauer\b|"
            r"wie ?viele?n? (?:jahre|jahren|monate|monaten|wochen|tage|tagen|stunden|minuten)\b|"
            r"wie viel zeit|wieviel zeit|wie schnell",
            re.I,
        ),
    ),
    (
        Ask.DEADLINE,
        re.compile(
            r"\b(?:bis|ab|seit) wann\b|\bwann (?:muss|müssen|muessen|endet|enden|beginnt|beginnen|"
            r"startet|starten|läuft|laeuft|kommt|gibt es|gab es|geht .{0,15}los|öffnet|oeffnet|"
            r"(?:kann|können|koennen|darf|dürfen) (?:man|wir|ich) .{0,40}(?:beantragen|einreichen|"
            r"stellen|anfangen|beginnen|starten|abgeben))|\bfrist\w*|stichtag\w*|deadline|"
            r"antragsschluss|einsendeschluss|antragsfenster|bewerbungsschluss|"
            r"\b(?:ab|bis zu|an|zu) welchem (?:datum|tag|zeitpunkt|termin|monat)\b|welches datum",
            re.I,
        ),
    ),
    (
        Ask.AMOUNT,
        re.compile(
            r"wie ?viel|wie hoch|\bhöhe\b|\bhoehe\b|\bbetrag\b|beträge|\bkostet\b|was kosten|"
            r"wie teuer|\bpreise?\b|\bsumme\b|was (?:zahlt|zahlen|bekommt man|bekommen wir|"
            r"kriegt man|kriegen wir)\b",
            re.I,
        ),
    ),
    (
        Ask.ELIGIBILITY,
        re.compile(
            r"\bwer (?:kann|darf|ist)\b|antragsberechtigt|berechtigt|\b(?:können|koennen|kann|dürfen|"
            r"duerfen|darf) (?:wir|unsere?|ein|eine|man|ich|auch|kommunen|vereine)\b.{0,60}"
            r"(?:beantragen|bekommen|bewerben|antrag|mitmachen|teilnehmen|kriegen|gefördert|nutzen)|"
            r"gilt das (?:auch )?für|kommen .{0,20}in frage|förderfähig|foerderfaehig",
            re.I,
        ),
    ),
    (
        Ask.HOWTO,
        re.compile(
            r"\bwie (?:kriegen|bekommen|machen|mache|macht|geht|gehen|fange|fangen|starte|starten|"
            r"erstelle|erstellen|baue|bauen|finde|finden|kann|können|koennen|sollte|sollten|"
            r"schaffen|organisieren|prüfen|pruefen|funktioniert)\b|\bwo fang\w*|\banleitung\b|"
            r"\btipps?\b|\bschritte?\b|\bworauf\b|\bwas (?:muss|müssen|sollte|sollten) (?:man|wir)\b",
            re.I,
        ),
    ),
    (
        Ask.DEFINITION,
        re.compile(
            r"\bwas (?:ist|sind|bedeutet|heißt|heisst|meint|versteht)\b|\bwofür steht\b", re.I
        ),
    ),
)
_REQUIREMENT = re.compile(
    r"^\s*(?:\w+,\s*)?(?:brauchen|braucht|muss|müssen|muessen|reicht|genügt|darf|dürfen|gehört|"
    r"gehören|ist|sind|soll|sollte|sollten)\b",
    re.I,
)
_NARROWER_THAN_AMOUNT = {Ask.MAXIMUM, Ask.RATE, Ask.OWN_SHARE, Ask.COUNT, Ask.DURATION, Ask.PRICE}
_YES_NO = re.compile(
    r"^\s*(?:\w+,\s*)?(?:kann|können|koennen|darf|dürfen|duerfen|muss|müssen|muessen|ist|sind|"
    r"gibt|gibts|brauchen|braucht|lohnt|sollten|sollen|reicht|geht|gilt|hat|haben|wird|werden|"
    r"bekommen|bekommt|zählt|fällt|fallen|funktioniert|macht|stimmt)\b",
    re.I,
)


@dataclass(frozen=True)
class Asks:
    """What a question asks: its primary kind, every kind found, and whether it is a yes/no question."""

    primary: Ask
    all: tuple[Ask, ...]
    yes_no: bool

    @property
    def specific(self) -> tuple[Ask, ...]:
        """The asked kinds that only a matching sentence can answer."""
        return tuple(a for a in self.all if a.specific)


def analyse_asks(question: str) -> Asks:
    """Classify what the question asks for (most specific kind first)."""
    yes_no = bool(_YES_NO.match(question))
    found = tuple(ask for ask, pattern in _ASK_PATTERNS if pattern.search(question))
    if _REQUIREMENT.match(question):
        # "Brauchen wir eine Telefonnummer im Impressum?" asks what is required, not for a number.
        found = tuple(a for a in found if a not in (Ask.PHONE, Ask.EMAIL, Ask.ADDRESS))
    if set(found) & _NARROWER_THAN_AMOUNT:
        # "wie viel gibt das Land maximal" asks for the maximum, not for any amount.
        found = tuple(a for a in found if a is not Ask.AMOUNT)
    primary = found[0] if found else Ask.OTHER
    return Asks(primary=primary, all=found or (Ask.OTHER,), yes_no=yes_no)


def states_unknown(sentence: str) -> bool:
    """True for a sentence that says a fact is not known ("Eine feste Quote wurde nicht gefunden")."""
    return bool(NOT_STATED.search(sentence))


def lift_patterns(ask: Ask) -> tuple[re.Pattern[str], ...]:
    """Patterns that lift a chunk in retrieval for this kind of question (an amount, a date)."""
    if ask in (Ask.AMOUNT, Ask.MAXIMUM, Ask.RATE, Ask.OWN_SHARE, Ask.PRICE):
        return (_AMOUNT,)
    if ask is Ask.DEADLINE:
        return (_DATE,)
    return ()
