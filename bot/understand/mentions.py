"""What a question names: programmes and institutions, places outside the region, persons, years.

These are the question's constraints. An answer has to be about the programme the question names,
for the region and year it names; a name the knowledge base does not know at all means the question
is about something the assistant has no sources for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understand import wordlists as words
from ingest.lexical import normalise

# Words that make the next or surrounding words a name: "Programm X", "Kulturfonds X", "X-Stiftung".
_OUTSIDE_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(normalise(p)) for p in words.OUTSIDE) + r")(?![\w-])"
)
_PERSON = re.compile(
    r"\b(?:frau|herr[n]?)\s+(?:dr\.?\s+|prof\.?\s+)?[a-zäöüß][\w-]{1,}|\b(?:dr|prof)\.\s*[a-zäöüß]{2,}",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_QUOTED = re.compile(r"[„\"»]([^“\"«]{3,60})[“\"«]")
_CLAUSE = re.compile(r"[,;:!?()]|\.(?=\s|$)|\s[–-]\s")
_TOKEN = re.compile(r"[\wäöüÄÖÜß][\w.äöüÄÖÜß+-]*[\wäöüÄÖÜß]|\w")


@dataclass(frozen=True)
class Mentions:
    """Names, outside places, persons and years found in a question."""

    names: tuple[str, ...] = ()
    outside_places: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    years: tuple[str, ...] = ()


def _acronym(token: str) -> bool:
    """LWL, DSEE, RELíGIO, LWL-Digitalpakt, DDBstudio: two capitals in a row."""
    return bool(re.search(r"[A-ZÄÖÜ]{2}", token))


def _name_part(token: str, mixed_case: bool, after_determiner: bool) -> bool:
    """A token that can continue a name after a trigger word."""
    low = token.lower()
    if (
        low in words.STOP
        or low in words.VERBS
        or low in words.QUESTION_WORDS
        or _YEAR.fullmatch(token)
    ):
        return False  # years are constraints of their own
    if _acronym(token) or re.search(r"\d|\w\.\w|\w-\w", token):
        return True  # NRW, Heimat.Digital, westfalen-süd
    if mixed_case:
        return token[:1].isupper()
    # In a lower-case message a plain word continues a name only in "beim programm X".
    return after_determiner


def _joins(trigger: str, word: str, after: list[str]) -> bool:
    """May ``word`` continue the name that starts with ``trigger``?

    A genitive ("der Kulturstiftung") continues any name; "für" only an institution's
    ("Museum für Kunst"), not a programme's purpose ("Digitalbonus für Tablets"); "und" only
    inside such a "für" phrase.
    """
    institution = any(trigger.lower().endswith(t) for t in words.INSTITUTION_TRIGGERS)
    if word in ("der", "des"):
        return True
    if word == "für":
        return institution
    return word == "und" and "für" in (a.lower() for a in after)


def _trigger(token: str) -> bool:
    low = token.lower()
    return any(low.endswith(t) for t in words.TRIGGERS)


def _names(text: str) -> list[str]:
    """Candidate names: quoted phrases, acronyms, and phrases around a trigger word."""
    found = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    mixed_case = any(c.isupper() for c in text[1:])
    for clause in _CLAUSE.split(text):
        found += _clause_names(_TOKEN.findall(clause), mixed_case)
    unique: list[str] = []
    for name in found:
        if name.lower() not in {u.lower() for u in unique}:
            unique.append(name)
    return unique


def _clause_names(tokens: list[str], mixed_case: bool) -> list[str]:
    """Names within one clause (a name never runs across a comma or a sentence end)."""
    found: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not (_trigger(token) or _acronym(token)):
            i += 1
            continue
        after_determiner = i > 0 and tokens[i - 1].lower() in words.DETERMINERS
        compound = _trigger(token) and len(token) > 9
        # In a lower-case message only "beim programm X" or a compound ("kulturfonds X") opens a name.
        opens = _trigger(token) and (mixed_case or after_determiner or compound)
        end = i + 1
        while opens and end < len(tokens) and end - i < 6:
            if _name_part(tokens[end], mixed_case, after_determiner):
                end += 1
            elif (
                mixed_case
                and _joins(token, tokens[end].lower(), tokens[i + 1 : end])
                and end + 1 < len(tokens)
                and tokens[end + 1][:1].isupper()
            ):
                end += 2  # "LWL-Museum für Kunst und Kultur", "Programm X der Stiftung Y"
            else:
                break
        own = any(t.lower() in words.SELF for t in tokens[max(0, i - 3) : i])
        # A bare trigger word ("Heimatmuseum") is an ordinary noun, and the user's own house
        # ("wir sind das Stadtmuseum Lünen") is context, not what the question is about.
        programme = any(token.lower().endswith(t) for t in words.PROGRAMME_TRIGGERS)
        if not own and (end - i > 1 or _acronym(token) or "-" in token or (programme and compound)):
            found.append(" ".join(tokens[i:end]))
        i = end
    return found


def extract_mentions(text: str) -> Mentions:
    """Find what the question names (see module docstring)."""
    folded = normalise(text)
    places = tuple(dict.fromkeys(m.group(1) for m in _OUTSIDE_PATTERN.finditer(folded)))
    return Mentions(
        names=tuple(_names(text)),
        outside_places=places,
        persons=tuple(m.group(0) for m in _PERSON.finditer(text)),
        years=tuple(dict.fromkeys(_YEAR.findall(text))),
    )
