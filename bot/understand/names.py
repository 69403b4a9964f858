"""Which names the knowledge base knows, and which document each programme or tool name belongs to.

Built from the live chunks (with title, heading and the front matter's ``aliases``) whenever the
corpus changes. Names are compared "squashed": lower case, umlauts spelled out, everything but
letters and digits removed, so "Heimat-Scheck", "heimat scheck" and "Heimatscheck" meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.index import StoredChunk
from ingest.lexical import normalise

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ENDINGS = ("es", "en", "er", "s", "n", "e")
_GENERIC = {
    "programm",
    "programms",
    "museum",
    "museums",
    "stiftung",
    "fonds",
    "amt",
    "verband",
    "archiv",
    "portal",
    "digital",
    "lwl",
    "nrw",
}


def squash(text: str) -> str:
    """'Heimat-Scheck' -> 'heimatscheck'."""
    return _NON_ALNUM.sub("", normalise(text))


def _variants(unit: str) -> list[str]:
    variants = [unit]
    for ending in _ENDINGS:
        if len(unit) > len(ending) + 4 and unit.endswith(ending):
            variants.append(unit[: -len(ending)])
    return variants


def title_head(title: str) -> str:
    """The part of a title before ':' or ' – ' ("Heimat-Scheck: 2.000 Euro …" -> "Heimat-Scheck")."""
    return re.split(r":| – ", title, maxsplit=1)[0].strip()


@dataclass
class NameIndex:
    """Squashed text of every chunk, and the subject names of every document."""

    texts: list[str] = field(default_factory=list)
    doc_texts: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    _breadth: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, chunks: Iterable[StoredChunk]) -> NameIndex:
        index = cls()
        for chunk in chunks:
            meta = chunk.metadata
            aliases = [a for a in str(meta.get("aliases", "") or "").split("\n") if a.strip()]
            text = (
                squash(f"{meta.get('title', '')} {meta.get('heading', '')} {' '.join(aliases)}")
                + " "
                + squash(chunk.text)
            )
            index.texts.append(text)
            source = str(meta.get("source", ""))
            index.doc_texts[source] = index.doc_texts.get(source, "") + " " + text
            if source and source not in index.subjects:
                # A document's own names are its aliases (programmes, tools, laws users name).
                index.subjects[source] = sorted(
                    {squash(a) for a in aliases if len(squash(a)) >= 4}, key=len, reverse=True
                )
                index.labels[source] = (
                    aliases[0] if aliases else title_head(str(meta.get("title", "")))
                )
        return index

    def known(self, name: str) -> bool:
        """True when some chunk contains every word of the name (in any inflection we try)."""
        units = [squash(w) for w in name.split()]
        units = [u for u in units if u]
        if not units:
            return True
        options = [_variants(u) for u in units]
        return any(all(any(v in text for v in opts) for opts in options) for text in self.texts)

    def unknown(self, names: Iterable[str]) -> list[str]:
        """The names no chunk knows, ignoring names made only of generic words and names that
        start with a document's own name ("heimat-scheck beachten" is about the Heimat-Scheck)."""
        aliases = {a for names_of in self.subjects.values() for a in names_of}
        return [
            n
            for n in names
            if any(squash(w) not in _GENERIC for w in n.split())
            and not any(squash(n).startswith(a) for a in aliases)
            and not self.known(n)
        ]

    def docs_named(self, text: str) -> list[str]:
        """Documents whose own name (title or alias) the text mentions, longest name first."""
        squashed = squash(text)
        hits: list[tuple[int, str]] = []
        for source, names in self.subjects.items():
            for name in names:
                if name in squashed:
                    hits.append((len(name), source))
                    break
        return [source for _, source in sorted(hits, reverse=True)]

    def mentions_other_subject(self, sentence: str, sources: set[str]) -> bool:
        """True when a sentence names the subject of a document outside ``sources``."""
        squashed = squash(sentence)
        return any(
            any(n in squashed for n in names)
            for source, names in self.subjects.items()
            if source not in sources
        )

    def doc_mentions(self, source: str, phrase: str) -> bool:
        """True when the document's text contains the phrase (squashed)."""
        return squash(phrase) in self.doc_texts.get(source, "")

    def breadth(self, source: str) -> float:
        """How much of an overview a document is: other documents' names it mentions (0-1, 5+ = 1)."""
        if source not in self._breadth:
            text = self.doc_texts.get(source, "")
            others = sum(
                any(n in text for n in names)
                for other, names in self.subjects.items()
                if other != source and names
            )
            self._breadth[source] = min(others, 5) / 5
        return self._breadth[source]

    def label(self, source: str) -> str:
        """Short display name of a document's subject ("Heimat-Scheck")."""
        return self.labels.get(source, source.rsplit("/", 1)[-1].removesuffix(".md"))
