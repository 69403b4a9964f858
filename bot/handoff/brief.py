"""The case brief: who and what, the conversation excerpt, answered and unanswered questions, wish.

Generated once when the case is created, as plain German text (the adapter escapes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

MAX_BRIEF_CHARS = 3000
_EXCERPT_CHARS = 220

TRIGGER_LABELS = {
    "termin": "Befehl /termin",
    "button": "Schaltfläche „Beratung anfragen“",
    "thumbs_down": "Antwort als nicht hilfreich (👎) bewertet",
    "unanswered": "Frage ohne verlässliche Antwort",
    "wish": "Wunsch nach persönlicher Beratung oder Prüfung",
}
CONTACT_LABELS = {"telegram": "Telegram", "telefon": "Telefon", "email": "E-Mail"}


class TurnLike(Protocol):
    """What the brief needs from a conversation turn (bot.engine.history.Turn fits)."""

    @property
    def question(self) -> str: ...

    @property
    def answer(self) -> str: ...

    @property
    def sources(self) -> tuple[str, ...]: ...

    @property
    def answerable(self) -> bool: ...


@dataclass(frozen=True)
class IntakeAnswers:
    """The validated answers of the intake."""

    institution: str
    institution_type: str
    town: str
    topic: str
    description: str
    contact_method: str
    contact_value: str
    trigger: str
    wish: str


def _cut(text: str, limit: int = _EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def contact_line(method: str, value: str) -> str:
    """'Telefon: 0251 …' or 'Telegram (über den Bot)'."""
    if method == "telegram":
        return "Telegram (über den Bot)"
    return f"{CONTACT_LABELS.get(method, method)}: {value}"


def build_brief(answers: IntakeAnswers, turns: Sequence[TurnLike]) -> str:
    """The brief an advisor reads before taking the case."""
    lines = [
        f"Einrichtung: {answers.institution} ({answers.institution_type}), {answers.town}",
        f"Thema: {answers.topic}",
        f"Anliegen: {answers.description}",
        f"Kontakt: {contact_line(answers.contact_method, answers.contact_value)}",
        f"Anlass: {TRIGGER_LABELS.get(answers.trigger, answers.trigger)}",
    ]
    if answers.wish:
        lines.append(f"Wunsch: {_cut(answers.wish, 400)}")
    answered = [t for t in turns if t.answerable]
    unanswered = [t for t in turns if not t.answerable]
    if turns:
        lines += ["", "Gesprächsauszug:"]
        for turn in turns:
            lines.append(f"• Frage: {_cut(turn.question)}")
            lines.append(f"  Antwort: {_cut(turn.answer)}")
    lines += ["", "Bereits beantwortet (mit Quellen):"]
    if answered:
        for turn in answered:
            sources = ", ".join(turn.sources) or "ohne Quellenangabe"
            lines.append(f"• {_cut(turn.question, 120)} – Quellen: {sources}")
    else:
        lines.append("• nichts")
    lines += ["", "Konnte der Assistent nicht beantworten:"]
    if unanswered:
        lines += [f"• {_cut(turn.question, 160)}" for turn in unanswered]
    else:
        lines.append("• nichts")
    text = "\n".join(lines)
    if len(text) > MAX_BRIEF_CHARS:
        text = text[: MAX_BRIEF_CHARS - 1].rstrip() + "…"
    return text
