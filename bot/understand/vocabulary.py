"""Words the knowledge base never uses: a question about "Spendenquittung" or "Schimmel" is about
something the sources do not cover, unless the word is a typo of a known word ("Fotogrametrie")
or a compound of known words ("Vereinsnewsletter").
"""

from __future__ import annotations

from collections import defaultdict
from difflib import SequenceMatcher

from ingest.lexical import GermanAnalyzer, LexicalIndex

_MIN_LENGTH = 6
_TYPO_RATIO = 0.8
# Messenger spellings of function words that the documents write differently ("wie viel").
_COLLOQUIAL = {"wieviel", "irgendwi", "eigent", "uberhaupt", "sowieso", "gibts", "nochmal"}


class Vocabulary:
    """The stemmed vocabulary of one corpus, grouped for fuzzy look-ups."""

    def __init__(self, lexical: LexicalIndex, analyzer: GermanAnalyzer) -> None:
        self._lexical = lexical
        self._analyzer = analyzer
        self._by_start: dict[str, list[str]] = defaultdict(list)
        for term in lexical.vocabulary():
            self._by_start[term[:2]].append(term)

    def _typo_of_known(self, term: str) -> bool:
        candidates = self._by_start.get(term[:2], [])
        return any(
            abs(len(c) - len(term)) <= 2 and SequenceMatcher(None, term, c).ratio() >= _TYPO_RATIO
            for c in candidates
        )

    def _compound_of_known(self, term: str) -> bool:
        for cut in range(4, len(term) - 3):
            head, tail = term[:cut], term[cut:]
            heads = {head, head[:-1] if head.endswith("s") else head}
            if self._lexical.known(tail) and any(
                self._lexical.known(self._analyzer.stem(h)) or self._lexical.known(h) for h in heads
            ):
                return True
        return False

    def salient_unknown(self, terms: list[str]) -> list[str]:
        """Long content terms that are not known, not a typo of a known term, not a compound."""
        return [
            t
            for t in dict.fromkeys(terms)
            if len(t) >= _MIN_LENGTH
            and t not in _COLLOQUIAL
            and not self._lexical.known(t)
            and not self._typo_of_known(t)
            and not self._compound_of_known(t)
        ]
