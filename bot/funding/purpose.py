"""What a project is for, read through the knowledge base: retrieval plus the documents' tags.

The purpose text ("Audioguide für das Heimatmuseum") is searched with the existing retriever.
Documents the search finds count as purpose matches for the programmes they describe; the tags of
the topical (non-funding) documents among the first hits, and tags named in the text itself,
are compared with each programme's ``purposes`` tags. No hand list per programme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.funding.catalog import FUNDING_TOPIC

if TYPE_CHECKING:
    from bot.retrieval import Retriever

SEARCH_HITS = 10
TAG_HITS = 4


@dataclass(frozen=True)
class PurposeEvidence:
    """The documents retrieval found for a purpose text and the tags that describe it."""

    text: str
    documents: frozenset[str]
    tags: frozenset[str]

    def matches(self, document: str, purposes: list[str]) -> tuple[bool, list[str]]:
        """(the programme's document was found, the programme's purpose tags that match)."""
        return document in self.documents, [tag for tag in purposes if tag in self.tags]


def text_tags(text: str) -> set[str]:
    """Words of the text written as tags ("Audio-Guide" -> "audio-guide", "audioguide")."""
    words = re.findall(r"[\wäöüß-]+", text.lower())
    tags = set(words)
    tags.update(word.replace("-", "") for word in words)
    return tags


def find_purpose(retriever: Retriever, text: str) -> PurposeEvidence:
    """Search the knowledge base for the purpose text and collect documents and tags."""
    result = retriever.search(text, k=SEARCH_HITS)
    documents = frozenset(hit.source for hit in result.hits)
    tags = text_tags(text)
    topical = [hit for hit in result.hits if hit.meta("topic") != FUNDING_TOPIC][:TAG_HITS]
    for hit in topical:
        tags.update(tag for tag in hit.meta("tags").split(",") if tag)
    return PurposeEvidence(text, documents, frozenset(tags))
