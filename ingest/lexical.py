"""German lexical index: BM25 (bm25s) over Snowball-stemmed tokens with German stop words."""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TOKEN = re.compile(r"\w\w+", flags=re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case and spell umlauts out, so 'Förderung' and 'foerderung' meet."""
    return text.lower().translate(_UMLAUTS)


class GermanAnalyzer:
    """Tokenise, drop stop words, stem; shared by the index and by sentence scoring."""

    def __init__(self) -> None:
        import Stemmer
        from bm25s.stopwords import STOPWORDS_GERMAN

        self._stemmer = Stemmer.Stemmer("german")
        self._stop = {normalise(w) for w in STOPWORDS_GERMAN}

    def stem(self, word: str) -> str:
        """The stem of one normalised word."""
        return str(self._stemmer.stemWord(word))

    def terms(self, text: str) -> list[str]:
        """Stemmed content terms of a text, in order."""
        words = [w for w in _TOKEN.findall(normalise(text)) if w not in self._stop]
        return list(self._stemmer.stemWords(words))


class LexicalIndex:
    """In-memory BM25 over a fixed list of chunk texts; rebuilt whenever the chunk set changes."""

    def __init__(self, ids: list[str], texts: list[str], analyzer: GermanAnalyzer) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG when imported; keep the library quiet.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._ids = ids
        self._analyzer = analyzer
        self._bm25: Any = None
        self._doc_freq: dict[str, int] = {}
        corpus = [analyzer.terms(t) for t in texts]
        for terms in corpus:
            for term in set(terms):
                self._doc_freq[term] = self._doc_freq.get(term, 0) + 1
        if ids:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def __len__(self) -> int:
        return len(self._ids)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of a stemmed term (0 for unknown terms)."""
        df = self._doc_freq.get(term, 0)
        if df == 0:
            return 0.0
        return float(np.log(1.0 + (len(self._ids) - df + 0.5) / (df + 0.5)))

    def vocabulary(self) -> list[str]:
        """Every stemmed term of the index."""
        return list(self._doc_freq)

    def document_frequency(self, term: str) -> int:
        """In how many chunks a stemmed term occurs."""
        return self._doc_freq.get(term, 0)

    def known(self, term: str) -> bool:
        """True if the term occurs in at least one chunk."""
        return term in self._doc_freq

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) pairs with a positive score."""
        terms = [t for t in self._analyzer.terms(query) if t in self._doc_freq]
        if self._bm25 is None or not terms:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._bm25.retrieve([terms], k=k, show_progress=False, n_threads=1)
        return [
            (self._ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]
