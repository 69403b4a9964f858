"""Wire everything in one place: build_context(settings) returns the application's services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.evidence import EvidenceFinder
from bot.answer.extractive import ExtractiveAnswerer
from bot.answer.llm import LlmAnswerer, LlmConfig
from bot.answer.logistic import DEFAULT_MODEL, TrustModel, load_trust_model
from bot.answer.prompts import PromptLibrary
from bot.engine.engine import Engine
from bot.engine.history import HistoryStore, MemoryHistory
from bot.operator import Operator
from bot.retrieval import RetrievalConfig, Retriever
from bot.settings import Settings
from bot.understand.prototypes import IntentExamples
from ingest.chunking import ChunkingConfig
from ingest.embeddings import make_embedder
from ingest.index import ChromaConfig, KnowledgeIndex
from ingest.lexical import GermanAnalyzer
from ingest.loaders import LoaderLimits

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """Everything the adapters need, built once from Settings."""

    settings: Settings
    index: KnowledgeIndex
    retriever: Retriever
    engine: Engine

    @property
    def limits(self) -> LoaderLimits:
        return loader_limits(self.settings)

    @property
    def chunking(self) -> ChunkingConfig:
        return ChunkingConfig(self.settings.chunk_size, self.settings.chunk_overlap)


def loader_limits(settings: Settings) -> LoaderLimits:
    """Loader bounds from the settings."""
    return LoaderLimits(max_bytes=settings.max_document_bytes, max_pdf_pages=settings.max_pdf_pages)


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """Retrieval weights and thresholds from the settings."""
    return RetrievalConfig(
        rrf_k=settings.rrf_k,
        dense_weight=settings.rrf_dense_weight,
        lexical_weight=settings.rrf_lexical_weight,
        document_weight=settings.rrf_document_weight,
        candidates=settings.retrieval_candidates,
        max_chunks_per_doc=settings.max_chunks_per_doc,
    )


def trust_model(settings: Settings) -> TrustModel:
    """The fitted answer models (bundled with the package unless DT_ANSWER_MODEL names a file)."""
    model = load_trust_model(settings.answer_model or DEFAULT_MODEL)
    if (
        model.embedding_model
        and model.embedding_model != make_embedder(settings.embedding_model).name
    ):
        log.warning(
            "the answer model was fitted with %s, the index uses %s: refit it "
            "(python -m benchmarks.trust.fit) for reliable decisions",
            model.embedding_model,
            settings.embedding_model,
        )
    return model


def open_index(settings: Settings) -> KnowledgeIndex:
    """The knowledge index with the configured embedder (the model itself loads lazily)."""
    chroma = ChromaConfig(
        path=settings.chroma_path, host=settings.chroma_host, port=settings.chroma_port
    )
    return KnowledgeIndex(settings.data_dir, make_embedder(settings.embedding_model), chroma)


def build_context(
    settings: Settings,
    history: HistoryStore | None = None,
    on_unanswered: Callable[[str], None] | None = None,
    model: TrustModel | None = None,
) -> AppContext:
    """Build index, retriever, answerers and engine from the settings.

    ``model`` replaces the fitted answer models (only the fitting script passes one).
    """
    index = open_index(settings)
    analyzer = GermanAnalyzer()
    retriever = Retriever(index, retrieval_config(settings), analyzer)
    llm = None
    if settings.llm_base_url and settings.llm_model:
        llm = LlmAnswerer(
            LlmConfig(
                base_url=str(settings.llm_base_url),
                model=settings.llm_model,
                api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
                timeout_s=settings.llm_timeout_s,
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
            ),
            PromptLibrary(settings.prompts_dir),
        )
    model = model or trust_model(settings)
    engine = Engine(
        retriever,
        EvidenceFinder(analyzer, model.sentence),
        ExtractiveAnswerer(settings.answer_max_chars),
        model,
        history or MemoryHistory(max_turns=max(settings.history_turns, 1) * 2),
        IntentExamples(index.embedder),
        llm=llm,
        context_chunks=settings.context_chunks,
        history_turns=settings.history_turns,
        max_question_chars=settings.max_question_chars,
        on_unanswered=on_unanswered,
        operator=Operator.from_settings(settings),
    )
    return AppContext(settings=settings, index=index, retriever=retriever, engine=engine)
