"""Fixed German texts of the engine (formal "Sie")."""

SCOPE = (
    "Ich beantworte Fragen zu digitaler Vermittlung, digitaler Kommunikation und Förderung "
    "für Museen, Gedenkstätten und Heimatvereine in Westfalen-Lippe, dazu Grundlagen zu Recht, "
    "Technik und Organisation digitaler Projekte."
)
GREETING = (
    "Guten Tag! Ich bin der Digitalteam-Assistent. "
    + SCOPE
    + " Stellen Sie mir einfach Ihre Frage."
)
EMPTY = "Bitte schreiben Sie Ihre Frage als Text, zum Beispiel: „Welche Förderung gibt es für einen Audioguide?“"
OUT_OF_SCOPE = "Dazu kann ich Ihnen leider nichts sagen. " + SCOPE
NO_ANSWER = (
    "Dazu habe ich keine verlässliche Information in meiner Wissensbasis, und ich möchte nichts "
    "Falsches sagen."
)
HANDOFF_OFFER = (
    "Für Fragen zu Ihrem konkreten Vorhaben ist eine persönliche Beratung der richtige Weg."
)
HANDOFF_AFTER_ANSWER = (
    "Wenn Sie Ihr konkretes Vorhaben besprechen möchten, vermittle ich Ihnen gern eine "
    "persönliche Beratung."
)
TRUNCATED = "Hinweis: Ihre Nachricht war sehr lang; ich habe nur den Anfang berücksichtigt."
REGION = "meine Quellen betreffen Westfalen-Lippe und Nordrhein-Westfalen"


_NAME_KINDS = {
    "programm": "zum Programm",
    "förderprogramm": "zum Förderprogramm",
    "sonderprogramm": "zum Sonderprogramm",
    "förderlinie": "zur Förderlinie",
    "fonds": "zum Fonds",
    "wettbewerb": "zum Wettbewerb",
    "initiative": "zur Initiative",
}


def _about(name: str) -> str:
    """'Programm Museum-Digital-Plus' -> 'zum Programm „Museum-Digital-Plus“'."""
    first, _, rest = name.partition(" ")
    kind = _NAME_KINDS.get(first.lower())
    return f"{kind} „{rest}“" if kind and rest else f"zu „{name}“"


def unknown_name(names: str, offer: str) -> str:
    """The question names something no source mentions (one or two names, one per line)."""
    about = " und ".join(_about(n) for n in names.split("\n") if n)
    return f"{about[0].upper()}{about[1:]} habe ich keine Angaben in meinen Quellen. {offer}"


def outside_region(place: str, offer: str) -> str:
    """The question is about a place outside the region the sources cover."""
    return f"Zu {place} habe ich keine Angaben; {REGION}. {offer}"


PERSON = "Namen von Ansprechpersonen habe ich nicht; meine Quellen nennen nur Stellen und Rollen."


def missing(noun: str, subject: str, year: str = "") -> str:
    """'Eine Obergrenze nennen meine Quellen zum Heimat-Zeugnis nicht' (the opening of a reply)."""
    about = f" zu „{subject}“" if subject else ""
    when = f" für {year}" if year else ""
    return f"{noun}{when} nennen meine Quellen{about} nicht"


def partial(noun: str, subject: str, year: str, known: str) -> str:
    """A partial answer: what is missing first, then what is known."""
    return f"{missing(noun, subject, year)}; bekannt ist: {known}"


def declined_fact(noun: str, subject: str, offer: str) -> str:
    """A fact about one institution (hours, prices, numbers) that the sources do not keep."""
    return f"{missing(noun, subject)}. {offer}"
