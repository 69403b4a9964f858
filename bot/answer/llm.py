"""LLM answers through any OpenAI-compatible chat model (Ollama, vLLM, hosted) via langchain.

Passages and the conversation history are delimited as data (<quelle nr="…">…</quelle>,
<verlauf>…</verlauf>, with delimiter look-alikes inside them escaped), so that instructions inside a
document or an earlier answer are not obeyed. The reply must cite at least one given passage, and
every amount, percentage, date and link in it must occur in a passage it cites (bot.answer.grounding);
otherwise, and on any error or timeout, the caller falls back to the extractive answer.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.answer.citations import Citation, citation_for
from bot.answer.extractive import Draft
from bot.answer.grounding import ungrounded
from bot.answer.prompts import PromptLibrary
from bot.errors import AnswerUnavailable
from bot.retrieval import Hit
from ingest.sources import sources_from_metadata

log = logging.getLogger(__name__)

NO_INFORMATION = "Dazu habe ich keine verlässliche Information."
_CITE = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class LlmConfig:
    """Connection to an OpenAI-compatible endpoint."""

    base_url: str
    model: str
    api_key: str | None
    timeout_s: float
    temperature: float = 0.0
    max_tokens: int = 600


def _escape_passage(text: str) -> str:
    # Escaping < and > keeps a document from closing its own <quelle> block.
    return html.escape(text, quote=False)


def format_passages(hits: list[Hit]) -> str:
    """Number the passages and wrap each in a data block."""
    blocks = []
    for n, hit in enumerate(hits, start=1):
        title = html.escape(hit.meta("title"), quote=True)
        heading = html.escape(hit.meta("heading"), quote=True)
        blocks.append(
            f'<quelle nr="{n}" titel="{title}" abschnitt="{heading}">\n'
            f"{_escape_passage(hit.chunk.text)}\n</quelle>"
        )
    return "\n\n".join(blocks)


class LlmAnswerer:
    """Asks the chat model for a cited answer from numbered passages."""

    def __init__(self, config: LlmConfig, prompts: PromptLibrary) -> None:
        self._config = config
        self._prompts = prompts
        self._model: Any = None

    def _chat_model(self) -> Any:
        if self._model is None:
            from langchain_openai import ChatOpenAI

            self._model = ChatOpenAI(
                base_url=self._config.base_url,
                model=self._config.model,
                api_key=self._config.api_key or "not-needed",
                timeout=self._config.timeout_s,
                max_retries=0,
                temperature=self._config.temperature,
                max_tokens=self._config.max_tokens,
            )
        return self._model

    def messages(self, question: str, hits: list[Hit], history: str) -> list[tuple[str, str]]:
        """The chat messages sent to the model."""
        user = self._prompts.get("answer_user").format(
            history=f"<verlauf>\n{_escape_passage(history)}\n</verlauf>" if history else "(kein)",
            passages=format_passages(hits),
            question=_escape_passage(question),
        )
        return [("system", self._prompts.get("answer_system")), ("user", user)]

    def compose(self, question: str, hits: list[Hit], history: str, today: date) -> Draft:
        """Answer from the model; raises AnswerUnavailable when it fails or does not cite."""
        try:
            result = self._chat_model().invoke(self.messages(question, hits, history))
        except Exception as exc:  # network, timeout, HTTP and parsing errors of any client version
            raise AnswerUnavailable(f"LLM request failed: {type(exc).__name__}: {exc}") from exc
        text = str(getattr(result, "content", "") or "").strip()
        if not text:
            raise AnswerUnavailable("LLM returned an empty answer")
        if NO_INFORMATION.rstrip(".") in text:
            return Draft(body=NO_INFORMATION, citations=[])
        cited = sorted({int(n) for n in _CITE.findall(text) if 1 <= int(n) <= len(hits)})
        if not cited:
            raise AnswerUnavailable("LLM answer cites none of the passages")
        missing = ungrounded(
            text,
            [hits[n - 1].chunk.text for n in cited],
            [s.url for n in cited for s in sources_from_metadata(hits[n - 1].meta("sources"))],
        )
        if missing:
            raise AnswerUnavailable(
                "LLM answer states facts its cited passages do not contain: " + ", ".join(missing)
            )
        renumber = {old: new for new, old in enumerate(cited, start=1)}
        body = _CITE.sub(
            lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "",
            text,
        )
        citations: list[Citation] = [
            citation_for(renumber[old], hits[old - 1], today) for old in cited
        ]
        return Draft(body=body, citations=citations)
