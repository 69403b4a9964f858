"""Extractive grounded answer: the most relevant sentences of the retrieved chunks, with citations.

No text is generated, so no amount or date can be invented: every sentence is a sentence of a
knowledge document, ordered by source rank and position, each followed by its citation number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.answer.citations import Citation, citation_for, sources_block
from bot.answer.sentences import split_sentences
from bot.cues import answer_cues
from bot.retrieval import Hit
from ingest.lexical import GermanAnalyzer, LexicalIndex


@dataclass(frozen=True)
class Draft:
    """Answer body with citation markers, and the citations it uses (numbered from 1)."""

    body: str
    citations: list[Citation]

    def text(self) -> str:
        return f"{self.body}\n\n{sources_block(self.citations)}"


@dataclass(frozen=True)
class _Candidate:
    hit_rank: int
    position: int
    text: str
    score: float


def _overlap(terms: set[str], sentence_terms: set[str]) -> set[str]:
    found = set()
    for term in terms:
        if term in sentence_terms or any(
            len(p) >= 5 and (term.startswith(p) or p.startswith(term)) for p in sentence_terms
        ):
            found.add(term)
    return found


def _form_factor(sentence: str) -> float:
    """Down-weight sentences that rarely make good answers: questions, links, quoted examples, fragments."""
    factor = 1.0
    if sentence.endswith("?") or "http" in sentence:
        factor *= 0.3
    if sentence.startswith(("„", '"', "Beispiel:", "Zum Beispiel:")):
        factor *= 0.5
    if len(sentence) < 30 or len(sentence) > 350:
        factor *= 0.6
    return factor


class ExtractiveAnswerer:
    """Selects and orders sentences from the top chunks."""

    def __init__(self, analyzer: GermanAnalyzer, max_chars: int, max_sentences: int = 5) -> None:
        self._analyzer = analyzer
        self._max_chars = max_chars
        self._max_sentences = max_sentences

    def compose(self, question: str, hits: list[Hit], lexical: LexicalIndex, today: date) -> Draft:
        """Build the answer for ``question`` from ``hits`` (best first)."""
        terms = set(self._analyzer.terms(question))
        weights = {t: max(lexical.idf(t), 0.5) for t in terms}
        cues = answer_cues(question)
        cue_weight = max(weights.values(), default=1.0)
        candidates: list[_Candidate] = []
        for rank, hit in enumerate(hits):
            heading_terms = set(self._analyzer.terms(hit.meta("heading")))
            in_heading = _overlap(terms, heading_terms)
            for position, sentence in enumerate(split_sentences(hit.chunk.text)):
                found = _overlap(terms, set(self._analyzer.terms(sentence)))
                # A sentence inherits half the weight of question terms its section heading names.
                score = sum(weights[t] for t in found)
                score += 0.5 * sum(weights[t] for t in in_heading - found)
                score += sum(cue_weight for cue in cues if cue.search(sentence))
                score *= _form_factor(sentence) / (1.0 + 0.25 * rank)
                candidates.append(_Candidate(rank, position, sentence, score))
        chosen = self._select(candidates)
        return self._render(chosen, hits, today)

    def _select(self, candidates: list[_Candidate]) -> list[_Candidate]:
        if not candidates:
            return []
        ranked = sorted(candidates, key=lambda c: (-c.score, c.hit_rank, c.position))
        best = ranked[0]
        if best.score <= 0:
            # Dense match without shared words: lead with the opening of the best chunk.
            ranked = sorted(candidates, key=lambda c: (c.hit_rank, c.position))
        threshold = 0.45 * ranked[0].score
        chosen: list[_Candidate] = []
        budget = int(self._max_chars * 0.62)
        used = 0
        per_hit: dict[int, int] = {}
        for cand in ranked:
            if len(chosen) >= self._max_sentences:
                break
            if chosen and cand.score < threshold:
                continue
            if per_hit.get(cand.hit_rank, 0) >= 3:
                continue
            cost = len(cand.text) + 5
            if chosen and used + cost > budget:
                continue
            chosen.append(cand)
            used += cost
            per_hit[cand.hit_rank] = per_hit.get(cand.hit_rank, 0) + 1
        if len(chosen) == 1 and chosen[0].score > 0:
            neighbour = [
                c
                for c in candidates
                if c.hit_rank == chosen[0].hit_rank and c.position == chosen[0].position + 1
            ]
            if neighbour and used + len(neighbour[0].text) <= budget:
                chosen.append(neighbour[0])
        return sorted(chosen, key=lambda c: (c.hit_rank, c.position))

    def _render(self, chosen: list[_Candidate], hits: list[Hit], today: date) -> Draft:
        numbers: dict[tuple[str, str], int] = {}
        citations: list[Citation] = []
        parts: list[str] = []
        for cand in chosen:
            hit = hits[cand.hit_rank]
            key = (hit.source, hit.meta("heading"))
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(citation_for(numbers[key], hit, today))
            text = cand.text.rstrip(",;")
            text = text if text[-1] in ".!?:" else text + "."
            parts.append(f"{text} [{numbers[key]}]")
        return Draft(body=" ".join(parts), citations=citations)
