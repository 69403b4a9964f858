"""Extractive grounded answer: sentences of one section of the knowledge base, with citations.

No text is generated, so no amount or date can be invented. The first sentence is the one that
answers what was asked (for a question about an amount or a deadline, the best sentence that
contains one; for a yes/no question, the deciding sentence, phrased as in the source). Then follow
at most ``max_support`` supporting sentences of the same section, in document order. A sentence that
refers back ("Er ist ...", "Dafür ...") comes with the sentence before it, a list item with the
lead-in of its list; sentences that name another programme are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.answer.citations import Citation, citation_for, sources_block
from bot.answer.evidence import Candidate
from bot.retrieval import Hit


@dataclass(frozen=True)
class Draft:
    """Answer body with citation markers, and the citations it uses (numbered from 1)."""

    body: str
    citations: list[Citation]

    def text(self) -> str:
        return f"{self.body}\n\n{sources_block(self.citations)}"


class ExtractiveAnswerer:
    """Chooses and orders sentences from the evidence of one document section."""

    def __init__(self, max_chars: int, max_support: int = 3, support_margin: float = 5.0) -> None:
        self._budget = int(max_chars * 0.62)
        self._max_support = max_support
        self._margin = support_margin

    def compose(
        self, candidates: list[Candidate], hits: list[Hit], today: date, prefer_cue: bool
    ) -> Draft:
        """Build the answer from ranked candidates (best first).

        Args:
            candidates: scored sentences of the hits, best first.
            hits: the search hits the candidates come from.
            today: for marking expired sources.
            prefer_cue: lead with the best sentence that contains the asked kind of fact.
        """
        if not candidates:
            return Draft(body="", citations=[])
        first = self._first(candidates, hits, prefer_cue)
        source = hits[first.hit_rank].source
        heading = hits[first.hit_rank].meta("heading")
        chosen = [first]
        antecedent = self._antecedent(first, candidates)
        if antecedent is not None:
            chosen.insert(0, antecedent)
        used = sum(len(c.full_text) + 5 for c in chosen)
        section = [
            c
            for c in candidates
            if c not in chosen
            and hits[c.hit_rank].source == source
            and (c.hit_rank == first.hit_rank or hits[c.hit_rank].meta("heading") == heading)
        ]
        support: list[Candidate] = []
        for cand in section:
            if len(support) >= self._max_support or cand.score < first.score - self._margin:
                break
            if cand.features["other_subject"] or cand.features["fragment"]:
                continue
            if cand.features["dangling"] and not self._follows(cand, chosen + support):
                continue
            cost = len(cand.text) + 5
            if used + cost > self._budget:
                continue
            support.append(cand)
            used += cost
        ordered = chosen + sorted(support, key=lambda c: (c.hit_rank, c.position))
        return self._render(ordered, hits, today)

    def _first(self, candidates: list[Candidate], hits: list[Hit], prefer_cue: bool) -> Candidate:
        best_source = hits[candidates[0].hit_rank].source
        pool = [c for c in candidates if hits[c.hit_rank].source == best_source]
        if prefer_cue:
            cued = [c for c in pool if c.features["cue"] and not c.features["other_subject"]]
            pool = cued or pool
        else:
            # A yes/no question leads with the sentence that decides it, if one ranks close.
            top = pool[0].score
            deciding = [
                c for c in pool if c.features["deciding"] and c.score >= top - self._margin / 2
            ]
            pool = deciding or pool
        # A sentence that refers back needs the sentence before it in its chunk.
        standalone = [c for c in pool if not (c.features["dangling"] and c.position == 0)]
        return (standalone or pool)[0]

    @staticmethod
    def _antecedent(first: Candidate, candidates: list[Candidate]) -> Candidate | None:
        if not first.features["dangling"] or first.position == 0:
            return None
        for cand in candidates:
            if cand.hit_rank == first.hit_rank and cand.position == first.position - 1:
                return cand
        return None

    @staticmethod
    def _follows(cand: Candidate, chosen: list[Candidate]) -> bool:
        return any(c.hit_rank == cand.hit_rank and c.position == cand.position - 1 for c in chosen)

    @staticmethod
    def _render(chosen: list[Candidate], hits: list[Hit], today: date) -> Draft:
        numbers: dict[tuple[str, str], int] = {}
        citations: list[Citation] = []
        parts: list[str] = []
        lead_ins: set[str] = set()
        for n, cand in enumerate(chosen):
            hit = hits[cand.hit_rank]
            key = (hit.source, hit.meta("heading"))
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(citation_for(numbers[key], hit, today))
            text = cand.text.rstrip(",;. ")
            if cand.unit.lead_in and cand.unit.lead_in not in lead_ins:
                lead_ins.add(cand.unit.lead_in)
                if not any(c.text == cand.unit.lead_in for c in chosen):
                    text = f"{cand.unit.lead_in} {text}"
            following = chosen[n + 1] if n + 1 < len(chosen) else None
            if following is not None and _same_list(cand, following):
                parts.append(f"{text};")  # items of one list read as one sentence
                continue
            text = text if text[-1] in ".!?:" else text + "."
            parts.append(f"{text} [{numbers[key]}]")
        return Draft(body=" ".join(parts), citations=citations)


def _same_list(a: Candidate, b: Candidate) -> bool:
    """Two items of the same list, one right after the other."""
    return (
        a.unit.list_item
        and b.unit.list_item
        and a.unit.lead_in is not None
        and a.unit.lead_in == b.unit.lead_in
        and a.hit_rank == b.hit_rank
        and b.position == a.position + 1
    )
