"""Cheap, transparent routing signals from the wording of a message (no model needed)."""

from __future__ import annotations

import re

_HANDOFF = re.compile(
    r"\b(beratung\w*|berater\w*|termin\w*|rückruf\w*|rueckruf\w*|zurückrufen|zurueckrufen|"
    r"ruf\w* (sie |du |ihr )?(mich|uns)\b.{0,30}\b(zurück|zurueck|an)|"
    r"ansprechpart\w*|anrufen|telefonat\w*|persönlich\w*|persoenlich\w*|"
    r"(mit|an) (jemandem|jemanden|einem menschen|einer person|einem mitarbeiter\w*|"
    r"einer mitarbeiterin|ihnen|euch)\b.{0,30}\b(sprechen|reden|telefonieren|wenden)|"
    r"mensch(en)? sprechen|echte[nr]? (person|personen|leute|menschen|mitarbeiter\w*)|"
    r"(gespräch|gespraech|videocall|videokonferenz|videotermin|sprechstunde|telefonisch\w*|"
    r"per telefon|vorbeikommen|besuch vor ort)|"
    r"(melden sie sich|meldet euch|melde dich|kontakt (mit|zu) (ihnen|euch|jemandem)|"
    r"kontaktieren sie)|"
    r"(wann|ob) (hätten|haetten|haben) (sie|ihr) (mal )?zeit|"
    r"(kann|könnte|koennte|können|koennen) (mal |bitte |uns |mir )*(jemand|einer|eine|ihr|sie)\b"
    r".{0,50}\b(drüber ?schauen|drueber ?schauen|draufschauen|drüberlesen|gegenlesen|"
    r"durchsehen|durchlesen|anschauen|ansehen|lesen|prüfen|pruefen|helfen|beraten|unterstützen|"
    r"begleiten|melden|anrufen|zurückrufen|erklären)|"
    r"(einschätzung|einschaetzung|feedback|rückmeldung|rueckmeldung|zweitmeinung)\b.{0,20}"
    r"\b(zu|von|für|fuer|an) (unser|mein)\w*|"
    r"hilfe (bei|mit|für) (unser|mein)\w*\s+(antrag|förderantrag|konzept|projekt|vertrag|vorhaben)"
    r")\b",
    re.IGNORECASE,
)
_REVIEW = re.compile(
    r"\b((unseren?|meinen?|unsere|meine)\s+(antrag|förderantrag|foerderantrag|konzept|entwurf|"
    r"vertrag|projekt\w*|kostenplan|website|webseite|text)\w*\b.{0,60}\b"
    r"(prüfen|pruefen|anschauen|ansehen|durchsehen|checken|bewerten|korrigieren|gegenlesen|"
    r"durchlesen)|"
    r"(prüfen|pruefen|anschauen|ansehen|durchsehen|checken|bewerten|gegenlesen)\s+sie\b.{0,40}"
    r"\b(unser|mein)\w*|"
    r"\b(prüf|pruef|check|schau|lies|les)\w*\s+(sie |ihr |du )?(bitte |mal )*(unser|mein)\w*|"
    r"\b(angehängt|angehaengt|beigefügt|beigefuegt|im anhang|anbei)\b|"
    r"(ist|wäre|waere|sind)\s+(unser|mein)\w*\s+[\w-]+\s+(förderfähig|foerderfaehig|zulässig|zulaessig|"
    r"erlaubt|rechtens)|"
    r"in unserem (konkreten )?fall|"
    r"\bob (unser|mein)\w* (projekt|antrag|förderantrag|vorhaben|konzept|idee)\b.{0,60}"
    r"(durchgeht|durchkommt|förderfähig|gefördert wird|bewilligt|genehmigt|klappt|passt)|"
    r"\b(würdet|würden|würdest) (ihr|sie|du) (das|den|die|ihn|es)\b.{0,30}(einreichen|abschicken|"
    r"so stellen|so machen))",
    re.IGNORECASE,
)
_OFF_TOPIC = re.compile(
    r"\b(wetter\w*|regen morgen|rezept\w*|kochen|backen|kuchen|fußball\w*|fussball\w*|"
    r"bundesliga|schalke|borussia|bvb|lotto\w*|aktie\w*|geldanlage|investier\w*|"
    r"horoskop\w*|witz\w*|aktienkurs\w*|börse|boerse|bitcoin|"
    r"fernsehprogramm|kinoprogramm|hauptstadt von|wie alt ist|wer hat .* erfunden|"
    r"abnehmen|diät|diaet|urlaub\w*|flug\w*|hotel\w*|auto\w* reparieren)\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"(museum|museen|ausstell|exponat|samml|depot|inventar|archiv|gedenk|heimat|verein|ehrenamt|"
    r"förder|foerder|antrag|zuschuss|stiftung|budget|kosten|digital|online|website|webseite|"
    r"homepage|internet|app\b|apps\b|audio|video|podcast|social|instagram|facebook|tiktok|"
    r"newsletter|presse|foto|bild|scan|3d|vr\b|ar\b|virtuell|qr|barriere|leichte sprache|"
    r"vermittl|führung|fuehrung|besucher|publikum|schul|lizenz|urheber|datenschutz|dsgvo|"
    r"impressum|recht|tablet|wlan|software|daten|kultur|lwl|westfal|lippe|beratung|gemälde|"
    r"gemaelde|gemeinfrei|kunstwerk|skulptur|objekt|fotograf|sammlung|exponat|vitrine)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(hallo|hi|hey|moin|servus|guten (morgen|tag|abend)|grüß gott|gruess gott|"
    r"grüezi|liebe grüße|danke\w*|vielen dank|dankeschön|super,? danke|ok danke)\W*$",
    re.IGNORECASE,
)
_FOLLOWUP_START = re.compile(
    r"^\s*(und|aber|also|oder|auch|dazu|dafür|dafuer|da|wie ist es|was ist mit|gilt das|"
    r"geht das|wie hoch|wie lange|wie viel|wieviel|bis wann|ab wann|und wenn)\b",
    re.IGNORECASE,
)
_DEICTIC = {
    "da",
    "dafür",
    "dafuer",
    "dabei",
    "dort",
    "das",
    "dies",
    "diese",
    "dieser",
    "dieses",
    "diesem",
    "davon",
    "darauf",
    "dazu",
    "damit",
    "es",
    "ihn",
    "ihm",
    "deren",
    "dessen",
    "hierfür",
    "hierfuer",
    "hier",
    "dem",
    "den",
    "die",
    "der",
    "sie",
}


def wants_person(text: str) -> bool:
    """The user asks for a consultation, an appointment, a call back or a human."""
    return bool(_HANDOFF.search(text))


def wants_individual_review(text: str) -> bool:
    """The user asks for a review of their own concrete case (application, concept, contract)."""
    return bool(_REVIEW.search(text))


def clearly_off_topic(text: str) -> bool:
    """Weather, recipes, sports and other subjects the assistant does not cover."""
    return bool(_OFF_TOPIC.search(text))


def mentions_domain(text: str) -> bool:
    """The message uses vocabulary of museums, heritage, funding or digital work."""
    return bool(_DOMAIN.search(text))


def is_greeting(text: str) -> bool:
    """A greeting or thanks without a question."""
    return bool(_GREETING.match(text))


def is_follow_up(text: str, content_terms: int) -> bool:
    """A short or deictic question that depends on the previous turn."""
    if _FOLLOWUP_START.match(text):
        return True
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return content_terms <= 3 and bool(words & _DEICTIC)
