"""A question as the engine understands it: what it asks, what it names, which documents it names."""

from __future__ import annotations

from dataclasses import dataclass

from bot.understand.asks import Asks, analyse_asks
from bot.understand.mentions import Mentions, extract_mentions
from bot.understand.names import NameIndex


@dataclass(frozen=True)
class Question:
    """The analysis of one message (before follow-up resolution)."""

    text: str
    asks: Asks
    mentions: Mentions
    named_docs: tuple[str, ...]
    unknown_names: tuple[str, ...]

    @property
    def has_own_subject(self) -> bool:
        """The question names a programme, tool or other subject of its own."""
        return bool(self.named_docs or self.unknown_names)


def understand(text: str, names: NameIndex) -> Question:
    """Analyse a message against the names the knowledge base knows."""
    mentions = extract_mentions(text)
    return Question(
        text=text,
        asks=analyse_asks(text),
        mentions=mentions,
        named_docs=tuple(names.docs_named(text)),
        unknown_names=tuple(names.unknown(mentions.names)),
    )
