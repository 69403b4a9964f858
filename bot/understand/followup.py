"""Follow-ups: a question that needs the previous turn is resolved from what that turn was about.

The previous turn's subject is the document its answer came from. A follow-up ("und der
Eigenanteil?", "bis wann?", "gilt das auch für Kommunen?") is searched together with that subject's
name; a question that names a subject of its own, or says it changes the topic, starts afresh. The
query never grows from turn to turn: only the previous turn is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understand.names import NameIndex
from bot.understand.question import Question

_CONTINUES = re.compile(
    r"^\s*(?:und|aber|also|oder|auch|dazu|dafür|dafuer|da|dann|wie ist es|wie sieht es|"
    r"was ist mit|gilt das|geht das|klappt das|reicht das|muss das|darf das|kann das|"
    r"ist das|sind die|und wenn|wenn ja|falls ja|ok,? und|okay,? und)\b",
    re.I,
)
_DEICTIC = re.compile(
    r"\b(?:dafür|dafuer|dabei|davon|dazu|damit|darauf|darüber|dort|dorthin|hierfür|hierfuer|"
    r"sowas|so was|so etwas|diese[mnrs]?|dies|denen|deren|dessen)\b|"
    r"\b(?:den|die|das|es|ihn)\s+(?:beantragen|stellen|einreichen|bekommen|nutzen|machen|"
    r"nehmen|kaufen|finden|holen|kriegen)\b",
    re.I,
)
_NEW_TOPIC = re.compile(
    r"\b(?:ander(?:e|es) (?:frage|thema)|themawechsel|neue frage|ganz was anderes|"
    r"noch (?:was|etwas) anderes|unabhängig davon|unabhaengig davon)\b",
    re.I,
)


_NEW_TOPIC_OPENING = re.compile(
    r"^\s*(?:ok(?:ay)?,?\s*)?(?:ganz\s+)?(?:ander(?:e|es) (?:frage|thema)|themawechsel|neue frage|"
    r"noch (?:was|etwas) anderes)\s*[:,.!-]*\s*",
    re.I,
)


@dataclass(frozen=True)
class PreviousTurn:
    """What a follow-up may inherit: the last question and the document its answer came from."""

    question: str
    subject: str | None


@dataclass(frozen=True)
class Resolved:
    """What to search for a message, and the subject it inherited (a document), if any."""

    query: str
    follow_up: bool = False
    subject: str | None = None


def is_follow_up(question: Question, content_terms: int, distinctive: bool = False) -> bool:
    """A message that depends on the previous turn to be understood.

    Args:
        question: the analysed message.
        content_terms: how many content words it has (a short message likely continues).
        distinctive: it contains a word few documents use ("GND"), so it can stand alone.
    """
    text = question.text
    if _NEW_TOPIC.search(text):
        return False
    if question.named_docs:
        return False
    if _CONTINUES.match(text) or _DEICTIC.search(text):
        return True
    return content_terms <= 2 and not question.unknown_names and not distinctive


def resolve(
    question: Question,
    content_terms: int,
    previous: PreviousTurn | None,
    names: NameIndex,
    distinctive: bool = False,
) -> Resolved:
    """Resolve a message against the last turn of its conversation."""
    if previous is None or not is_follow_up(question, content_terms, distinctive):
        # "ganz anderes thema: ..." is said to the assistant, not asked of the documents.
        text = _NEW_TOPIC_OPENING.sub("", question.text).strip() or question.text
        return Resolved(query=text)
    subject = previous.subject
    if subject is not None:
        return Resolved(f"{question.text} {names.label(subject)}", True, subject)
    # The previous turn was not answered: its question is the only context there is.
    return Resolved(f"{question.text} {previous.question}", True, None)
