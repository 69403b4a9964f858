"""Evidence for an answer: every sentence of the retrieved chunks, described by named features.

The features say how close a sentence is to the question (sentence-vector similarity, shared
terms, its section heading), whether it contains what the question asks for (an amount, a date,
an eligibility rule ...), whether it is about the question's subject or names another programme,
and whether it can stand alone (no dangling "Er ...", no list item without its lead-in). The fitted
sentence ranker turns them into one score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.answer.logistic import LogisticModel
from bot.retrieval import Hit, SearchResult, term_found
from bot.understand.asks import Ask, states_unknown
from bot.understand.names import squash
from bot.understand.question import Question
from ingest.lexical import GermanAnalyzer
from ingest.sentences import Sentence, split_units

SENTENCE_FEATURES = (
    "sim",
    "sim_gap",
    "lex",
    "head",
    "cue",
    "eligible",
    "deciding",
    "states_unknown",
    "year",
    "subject_doc",
    "subject_sentence",
    "other_subject",
    "names_hit_doc",
    "overview",
    "name_in_chunk",
    "binding",
    "dangling",
    "fragment",
    "form",
    "rank",
    "chunk_score",
    "chunk_dense",
    "chunk_start",
)
_URL = re.compile(r"https?://\S+")
_JOINERS = {"für", "und", "der", "des"}
_RULE = re.compile(
    r"antragsberechtigt|berechtigt|erlaubt|zulässig|zulaessig|pflicht|erforderlich|notwendig|"
    r"nötig|noetig|\bmuss\b|\bmüssen\b|\bdarf\b|\bdürfen\b|genügt|reicht|gilt|gelten|"
    r"können|kann|brauch\w*|förderfähig|gefördert|ausgeschlossen",
    re.I,
)
_POLARITY = re.compile(r"\b(?:nicht|kein\w*|nur|ausgeschlossen|auch|ebenfalls|ja|nein)\b", re.I)
_POINTER = re.compile(r"^(?:Mehr (?:im|zum|dazu|unter|in)|Siehe|Weitere Informationen)\b")
_DANGLING = re.compile(
    r"^(?:Er|Ihr|Ihre|Sein|Seine|Dessen|Deren|Dafür|Dazu|Dabei|Damit|Davon|Darauf|Daher|"
    r"Deshalb|Deswegen|Hierfür|Dort|Außerdem|Zudem|Ebenso|Allerdings|Trotzdem|Danach|Beides|"
    r"Letztere[rs]?|Erstere[rs]?|Solche[rmns]?|Diese[rmns]?|Jene[rmns]?)\b|"
    r"^(?:Das|Dies)\s+[a-zäöü]"
)


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved chunk with its features and ranker score."""

    hit_rank: int
    position: int
    unit: Sentence
    features: dict[str, float]
    score: float

    @property
    def text(self) -> str:
        return self.unit.text

    @property
    def full_text(self) -> str:
        """The sentence with the lead-in of its list, as the answer shows it."""
        return f"{self.unit.lead_in} {self.unit.text}" if self.unit.lead_in else self.unit.text


def is_dangling(sentence: str) -> bool:
    """Starts with a reference ("Er ...", "Dafür ...", "Das gilt ...") to something before it."""
    return bool(_DANGLING.match(sentence))


def is_deciding(sentence: str) -> bool:
    """A sentence that decides a yes/no question: a rule with a yes or a no in it."""
    return bool(_RULE.search(sentence) and _POLARITY.search(sentence))


def is_fragment(unit: Sentence) -> bool:
    """A lead-in ("… zum Beispiel:") or a list item that cannot stand without its lead-in."""
    if unit.text.endswith(":"):
        return True
    if not unit.list_item or unit.lead_in is not None:
        return False
    labelled = bool(re.match(r"^[A-ZÄÖÜ0-9][^:]{1,60}:\s", unit.text))
    sentence = unit.text[:1].isupper() and unit.text.endswith((".", "!", "?"))
    return not (labelled or sentence)


def _form(sentence: str) -> float:
    penalties = 0.0
    penalties += sentence.endswith("?") or "http" in sentence
    penalties += sentence.startswith(("„", '"', "Beispiel:", "Zum Beispiel:"))
    penalties += len(sentence) < 30 or len(sentence) > 350
    return penalties


class EvidenceFinder:
    """Scores the sentences of a search result against an understood question."""

    def __init__(self, analyzer: GermanAnalyzer, ranker: LogisticModel) -> None:
        self._analyzer = analyzer
        self._ranker = ranker

    def gather(
        self, question: Question, search_text: str, result: SearchResult, subjects: set[str]
    ) -> list[Candidate]:
        """Every sentence of the hits, scored; best first.

        Args:
            question: the analysed message.
            search_text: what was searched (the message, or a resolved follow-up).
            result: the search result with its corpus snapshot and query vector.
            subjects: documents the question is about (named by it or inherited).
        """
        if not result.hits:
            return []
        lexical = result.corpus.lexical
        # Sorted, so that sums of weights do not depend on the process's hash seed.
        terms = sorted(set(self._analyzer.terms(search_text)))
        weights = {t: max(lexical.idf(t), 0.5) for t in terms}
        total = sum(weights.values()) or 1.0
        names = result.corpus.names
        known_names = [
            squash(n) for n in question.mentions.names if n not in question.unknown_names
        ]
        # What a sentence with the asked fact must also be about: names the question gives that
        # are not a document's own subject ("Kunstmuseum Gelsenkirchen").
        aliases = {a for d in question.named_docs for a in names.subjects.get(d, [])}
        bound_names = [
            [squash(w) for w in n.split() if squash(w) and w.lower() not in _JOINERS]
            for n in question.mentions.names
            if n not in question.unknown_names
            and not any(a in squash(n) or squash(n) in a for a in aliases)
        ]
        top_score = result.hits[0].score or 1.0
        hit_docs = {h.source for h in result.hits}
        rows: list[tuple[int, int, Sentence, dict[str, float]]] = []
        for rank, hit in enumerate(result.hits):
            units = split_units(hit.chunk.text)
            sims = self._similarities(hit, units, result)
            heading_terms = set(self._analyzer.terms(f"{hit.meta('title')} {hit.meta('heading')}"))
            chunk_squashed = squash(f"{hit.meta('title')} {hit.meta('heading')} {hit.chunk.text}")
            name_share = (
                sum(n in chunk_squashed for n in known_names) / len(known_names)
                if known_names
                else 0.0
            )
            for position, unit in enumerate(units):
                if len(_URL.sub("", unit.text).strip()) < 15 or _POINTER.match(unit.text):
                    continue  # a bare link, a pointer or a stray fragment is never an answer
                text = f"{unit.lead_in} {unit.text}" if unit.lead_in else unit.text
                before = units[position - 1].text if position else ""
                near = squash(f"{hit.meta('title')} {hit.meta('heading')} {before} {text}")
                present = set(self._analyzer.terms(text))
                found = [t for t in terms if term_found(t, present)]
                in_heading = [t for t in terms if t not in found and term_found(t, heading_terms)]
                named_here = set(names.docs_named(unit.text))
                features = {
                    "sim": float(sims[position]),
                    "lex": sum(weights[t] for t in found) / total,
                    "head": sum(weights[t] for t in in_heading) / total,
                    "cue": float(self._cue(question, unit.text)),
                    "eligible": float(
                        (question.asks.yes_no or Ask.ELIGIBILITY in question.asks.all)
                        and Ask.ELIGIBILITY.evidence(unit.text)
                    ),
                    "deciding": float(question.asks.yes_no and is_deciding(unit.text)),
                    "states_unknown": float(states_unknown(unit.text)),
                    "year": float(any(y in unit.text for y in question.mentions.years)),
                    "subject_doc": float(hit.source in subjects),
                    "subject_sentence": float(bool(named_here & subjects)),
                    "other_subject": float(bool(named_here - subjects - {hit.source})),
                    "names_hit_doc": float(bool(named_here & (hit_docs - {hit.source}))),
                    "overview": names.breadth(hit.source),
                    "name_in_chunk": name_share,
                    "binding": float(self._binds(bound_names, near)),
                    "dangling": float(is_dangling(unit.text)),
                    "fragment": float(is_fragment(unit)),
                    "form": _form(unit.text),
                    "rank": float(rank),
                    "chunk_score": hit.score / top_score,
                    "chunk_dense": float(hit.dense or 0.0),
                    "chunk_start": float(position == 0),
                }
                rows.append((rank, position, unit, features))
        if not rows:
            return []
        best_sim = max(f["sim"] for *_, f in rows)
        candidates = []
        for rank, position, unit, features in rows:
            features["sim_gap"] = features["sim"] - best_sim
            candidates.append(
                Candidate(rank, position, unit, features, self._ranker.logit(features))
            )
        ranked = sorted(candidates, key=lambda c: (-c.score, c.hit_rank, c.position))
        # The question's own subjects come first: an answer is about what was asked.
        return sorted(ranked, key=lambda c: result.hits[c.hit_rank].source not in subjects)

    @staticmethod
    def _binds(bound: list[list[str]], near: str) -> bool:
        """The sentence (with the one before it, its heading and its document's title) contains
        every word of one of the names the question gives that are not a document's subject."""
        return not bound or any(all(w in near for w in words) for words in bound)

    @staticmethod
    def _cue(question: Question, sentence: str) -> bool:
        ask = question.asks.primary
        if not ask.specific or states_unknown(sentence):
            return False
        return ask.evidence(sentence)

    @staticmethod
    def _similarities(hit: Hit, units: list[Sentence], result: SearchResult) -> np.ndarray:
        vectors = result.corpus.sentence_vectors.get(hit.chunk.id)
        if result.query_vector is None or vectors is None or len(vectors) != len(units):
            # Without sentence vectors (another index version) every sentence gets the chunk's.
            return np.full(len(units), float(hit.dense or 0.0), dtype=np.float32)
        return vectors @ np.asarray(result.query_vector, dtype=np.float32)
