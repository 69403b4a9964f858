"""Wire everything in one place: ``build_context(settings)`` returns the application's services.

Every service is built once, on first use, so that a command which needs only part of them stays
fast (listing documents loads no model and opens no database). ``open()`` builds them all at once;
the Telegram bot calls it in ``post_init`` and ``aclose()`` in ``post_shutdown``. The database, and
with it the Alembic migrations, is opened once per context.

Modules are imported where a service is built, so that importing this module stays cheap.

Conversation history lives in memory by default (CLI, console, benchmarks). With
``store_conversations=True`` (the Telegram bot) it lives in the database, so that follow-ups
survive a restart, and questions the engine could not answer are recorded as knowledge gaps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError, describe_exception, redact, safe_url, url_password
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.answer.llm import LlmAnswerer
    from bot.answer.logistic import TrustModel
    from bot.booking.bookings import BookingService
    from bot.booking.reminders import ReminderService
    from bot.booking.slots import SlotService
    from bot.conversation import Answer, Conversation
    from bot.editors.audit import AuditLog
    from bot.editors.documents import DocumentService
    from bot.engine.engine import Engine
    from bot.engine.history import HistoryStore
    from bot.funding.catalog import Catalog
    from bot.funding.reminders import DeadlineReminders
    from bot.handoff.advisors import Advisors
    from bot.handoff.cases import CaseService
    from bot.handoff.intake import IntakeService
    from bot.handoff.mail import MailConfig
    from bot.handoff.relay import RelayService
    from bot.privacy import PrivacyService
    from bot.ratelimit import RateLimiter
    from bot.ratelimit_redis import RedisRateLimiter
    from bot.retrieval import RetrievalConfig, Retriever
    from bot.store.database import Database
    from bot.store.feedback import FeedbackStore
    from bot.store.gaps import GapKind, GapRecorder
    from bot.store.turns import Turn
    from bot.store.users import UserStore
    from ingest.chunking import ChunkingConfig
    from ingest.embeddings import Embedder
    from ingest.index import ChromaConfig, KnowledgeIndex
    from ingest.lexical import GermanAnalyzer
    from ingest.loaders import LoaderLimits

log = logging.getLogger(__name__)

BRIEF_TURNS = 8
_SERVICES = (
    "engine",
    "db",
    "users",
    "feedback",
    "gaps",
    "handoff",
    "conversation",
    "documents",
    "limiter",
)


@dataclass
class Handoff:
    """Everything the adapters need for consultations, bookings and a user's data."""

    settings: Settings
    advisors: Advisors
    cases: CaseService
    intake: IntakeService
    relay: RelayService
    slots: SlotService
    bookings: BookingService
    reminders: ReminderService
    privacy: PrivacyService
    mail: MailConfig | None
    clock: Callable[[], datetime]


class AppContext:
    """The application's services, each built once on first use (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        store_conversations: bool = False,
        history: HistoryStore | None = None,
        on_unanswered: Callable[[str], None] | None = None,
        model: TrustModel | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self._store_conversations = store_conversations
        self._history = history
        self._on_unanswered = on_unanswered
        self._model = model
        self._clock = clock

    # Knowledge and answers
    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedding model (the model itself loads on first use)."""
        from ingest.embeddings import make_embedder

        return make_embedder(self.settings.embedding_model)

    @cached_property
    def index(self) -> KnowledgeIndex:
        """The knowledge index: Chroma collection, lexical index and manifest.

        Raises ``ManifestCorrupt`` when the manifest cannot be read (``operator_error`` turns it
        into the operator's message; ``ingest_index`` recovers from it).
        """
        return self._open_index(recover_corrupt=False)

    def _open_index(self, *, recover_corrupt: bool) -> KnowledgeIndex:
        from ingest.index import KnowledgeIndex

        return KnowledgeIndex(
            self.settings.data_dir,
            self.embedder,
            chroma_config(self.settings),
            recover_corrupt=recover_corrupt,
        )

    def ingest_index(self) -> KnowledgeIndex:
        """The index for an ingest: a corrupt manifest is set aside (with a warning), every
        vector dropped, and the index starts empty, so the ingest rebuilds it."""
        from ingest.errors import ManifestCorrupt
        from ingest.sync import index_lock

        try:
            return self.index
        except ManifestCorrupt:
            with index_lock(self.settings.data_dir):
                index = self._open_index(recover_corrupt=True)
            self.__dict__["index"] = index
            return index

    @cached_property
    def retriever(self) -> Retriever:
        """Search over the index; building it verifies that Chroma holds every live chunk
        (``IndexIncomplete`` otherwise)."""
        from bot.retrieval import Retriever

        self.index.require_complete()
        return Retriever(self.index, retrieval_config(self.settings), self._analyzer)

    @cached_property
    def _analyzer(self) -> GermanAnalyzer:
        from ingest.lexical import GermanAnalyzer

        return GermanAnalyzer()

    @cached_property
    def engine(self) -> Engine:
        """The conversation engine over the retriever, the answer models and the history."""
        from bot.answer.evidence import EvidenceFinder
        from bot.answer.extractive import ExtractiveAnswerer
        from bot.engine.engine import Engine
        from bot.operator import Operator
        from bot.understand.prototypes import IntentExamples

        settings = self.settings
        model = self._model or trust_model(settings, self.embedder)
        return Engine(
            self.retriever,
            EvidenceFinder(self._analyzer, model.sentence),
            ExtractiveAnswerer(settings.answer_max_chars),
            model,
            self._conversation_history(),
            IntentExamples(self.index.embedder),
            llm=llm_answerer(settings),
            context_chunks=settings.context_chunks,
            history_turns=settings.history_turns,
            max_question_chars=settings.max_question_chars,
            on_unanswered=self._unanswered_hook(),
            operator=Operator.from_settings(settings),
        )

    def _conversation_history(self) -> HistoryStore:
        if self._history is not None:
            return self._history
        if self._store_conversations:
            from bot.store.history import DbHistory

            return DbHistory(self.db)
        from bot.engine.history import MemoryHistory

        return MemoryHistory(max_turns=max(self.settings.history_turns, 1) * 2)

    def _unanswered_hook(self) -> Callable[[str], None] | None:
        if self._on_unanswered is not None or not self._store_conversations:
            return self._on_unanswered
        from bot.store.gaps import GapKind

        gaps = self.gaps

        def on_unanswered(question: str) -> None:
            record_gap(gaps, GapKind.UNANSWERED, question)

        return on_unanswered

    @cached_property
    def funding(self) -> Catalog:
        """The funding programmes of the knowledge documents (their ``programme:`` blocks)."""
        from bot.funding.catalog import load_catalog

        return load_catalog(self.settings.knowledge_dir)

    @cached_property
    def deadline_reminders(self) -> DeadlineReminders:
        """Remembered funding deadlines ("Frist merken") on the database."""
        from bot.funding.reminders import DeadlineReminders
        from bot.store.models import utcnow

        clock = self._clock or utcnow
        return DeadlineReminders(self.db, lambda: clock().date())

    @property
    def limits(self) -> LoaderLimits:
        return loader_limits(self.settings)

    @property
    def chunking(self) -> ChunkingConfig:
        from ingest.chunking import ChunkingConfig

        return ChunkingConfig(self.settings.chunk_size, self.settings.chunk_overlap)

    # Database and the services on it
    @cached_property
    def db(self) -> Database:
        """The database; opening it runs the migrations.

        Raises:
            ConfigurationError: the database cannot be reached or migrated (names
                DT_DATABASE_URL, or DT_DATA_DIR for the default SQLite file).
        """
        from alembic.util.exc import CommandError
        from sqlalchemy.exc import SQLAlchemyError

        from bot.store.database import Database

        url = self.settings.resolved_database_url
        try:
            return Database(url)
        except (SQLAlchemyError, CommandError, ImportError, OSError) as exc:
            setting = "DT_DATABASE_URL" if self.settings.database_url else "DT_DATA_DIR"
            detail = describe_exception(exc)
            raise ConfigurationError(
                redact(
                    f"Datenbank nicht erreichbar ({safe_url(url)}: {detail})", url_password(url)
                ),
                setting,
            ) from exc

    @cached_property
    def users(self) -> UserStore:
        from bot.store.users import UserStore

        return UserStore(self.db)

    @cached_property
    def feedback(self) -> FeedbackStore:
        from bot.store.feedback import FeedbackStore

        return FeedbackStore(self.db)

    @cached_property
    def gaps(self) -> GapRecorder:
        from bot.store.gaps import GapRecorder

        return GapRecorder(self.db)

    @cached_property
    def audit(self) -> AuditLog:
        from bot.editors.audit import AuditLog

        return AuditLog(self.db)

    @cached_property
    def mail(self) -> MailConfig | None:
        """SMTP settings for new cases, None when no mail server is configured."""
        from bot.handoff.mail import MailConfig

        return MailConfig.from_settings(self.settings)

    @cached_property
    def handoff(self) -> Handoff:
        """Consultations, bookings and privacy on the one database and clock."""
        from bot.booking.bookings import BookingService
        from bot.booking.reminders import ReminderService
        from bot.booking.slots import SlotService
        from bot.handoff.advisors import Advisors
        from bot.handoff.cases import CaseService
        from bot.handoff.intake import IntakeService
        from bot.handoff.relay import RelayService
        from bot.privacy import PrivacyService
        from bot.store.models import utcnow

        settings, db, clock = self.settings, self.db, self._clock or utcnow
        advisors = Advisors.of(settings.advisor_ids, settings.advisor_chat_id)
        cases = CaseService(db, advisors, clock)
        return Handoff(
            settings=settings,
            advisors=advisors,
            cases=cases,
            intake=IntakeService(db, cases, self._recent_turns, settings.retention_days, clock),
            relay=RelayService(db, cases, clock),
            slots=SlotService(db, clock),
            bookings=BookingService(db, clock),
            reminders=ReminderService(db, clock),
            privacy=PrivacyService(db, settings.retention_days, clock),
            mail=self.mail,
            clock=clock,
        )

    @cached_property
    def conversation(self) -> Conversation:
        """Routes each user text to a Rückfrage, an intake step or the engine."""
        from bot.conversation import Conversation

        handoff = self.handoff
        return Conversation(
            self.users,
            lambda: self.engine,
            handoff.intake,
            handoff.relay,
            self.db,
            observe=self.observe_answer,
        )

    def observe_answer(self, outcome: str, seconds: float) -> None:
        """Called after every question with its outcome and time (the service counts them)."""

    def _recent_turns(self, conversation_id: str) -> list[Turn]:
        """The turns that feed a case brief (the engine is only built when a brief is)."""
        return self.engine.history.recent(conversation_id, BRIEF_TURNS)

    @cached_property
    def documents(self) -> DocumentService:
        """The editors' document service over the index and the audit log."""
        return self.document_service()

    def document_service(self, today: Callable[[], date] = date.today) -> DocumentService:
        """A document service with its own clock (tests pass a fixed day)."""
        from bot.editors.documents import DocumentService

        settings = self.settings
        self.index.collection  # noqa: B018 - an unreachable Chroma stops before any change
        return DocumentService(
            self.index, settings.knowledge_dir, self.limits, self.chunking, self.audit, today
        )

    @cached_property
    def limiter(self) -> RateLimiter | RedisRateLimiter:
        """The per-user rate limit: shared in Redis when DT_REDIS_URL is set, else in memory."""
        settings = self.settings
        if settings.redis_url:
            from bot.ratelimit_redis import RedisRateLimiter

            return RedisRateLimiter.from_url(
                settings.redis_url, settings.rate_limit_messages, settings.rate_limit_window_s
            )
        from bot.ratelimit import RateLimiter

        return RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_s)

    def opened_database(self) -> Database | None:
        """The database if a service has opened it already (health checks reuse it)."""
        db: Database | None = self.__dict__.get("db")
        return db

    # Use
    def answer(self, telegram_user_id: int, chat_id: int, text: str) -> Answer:
        """Answer one question in the user's conversation (blocking: run it in a thread)."""
        return self.conversation.ask(telegram_user_id, chat_id, text)

    def record_gap(self, kind: GapKind, question: str) -> None:
        """Record a knowledge gap (failures are logged, not raised)."""
        record_gap(self.gaps, kind, question)

    # Life cycle
    def open(self) -> None:
        """Build every service now (blocking: the bot runs it in a thread before polling)."""
        for name in _SERVICES:
            getattr(self, name)

    def close(self) -> None:
        """Release what was opened: the database connections and the Chroma client
        (idempotent)."""
        db = self.__dict__.get("db")
        if db is not None:
            db.dispose()
        index = self.__dict__.get("index")
        if index is not None:
            index.close()

    async def aclose(self) -> None:
        """``close()`` without blocking the event loop."""
        await asyncio.to_thread(self.close)


def build_context(
    settings: Settings,
    history: HistoryStore | None = None,
    on_unanswered: Callable[[str], None] | None = None,
    model: TrustModel | None = None,
    *,
    store_conversations: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> AppContext:
    """The application's services over ``settings``; nothing is built until it is used.

    Args:
        history: replaces the conversation history (in memory unless ``store_conversations``).
        on_unanswered: called with each question the engine could not answer.
        model: replaces the fitted answer models (only the fitting script passes one).
        store_conversations: history and knowledge gaps in the database (the Telegram bot).
        clock: the handoff services' clock, UTC now by default (tests move it).
    """
    return AppContext(
        settings,
        store_conversations=store_conversations,
        history=history,
        on_unanswered=on_unanswered,
        model=model,
        clock=clock,
    )


def chroma_config(settings: Settings) -> ChromaConfig:
    """Where the index's vectors live: embedded under DT_DATA_DIR or a Chroma server."""
    from ingest.index import ChromaConfig

    return ChromaConfig(
        path=settings.chroma_path, host=settings.chroma_host, port=settings.chroma_port
    )


def loader_limits(settings: Settings) -> LoaderLimits:
    """Loader bounds from the settings."""
    from ingest.loaders import LoaderLimits

    return LoaderLimits(
        max_bytes=settings.max_document_bytes,
        max_pdf_pages=settings.max_pdf_pages,
        max_text_chars=settings.max_document_chars,
        max_chunks=settings.max_chunks_per_file,
        max_seconds=settings.loader_timeout_s,
        max_memory_bytes=settings.loader_memory_mb * 1024 * 1024,
    )


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """Retrieval weights and thresholds from the settings."""
    from bot.retrieval import RetrievalConfig

    return RetrievalConfig(
        rrf_k=settings.rrf_k,
        dense_weight=settings.rrf_dense_weight,
        lexical_weight=settings.rrf_lexical_weight,
        document_weight=settings.rrf_document_weight,
        candidates=settings.retrieval_candidates,
        max_chunks_per_doc=settings.max_chunks_per_doc,
    )


def llm_answerer(settings: Settings) -> LlmAnswerer | None:
    """The LLM answerer when a base URL and a model are configured."""
    from bot.answer.llm import LlmAnswerer, LlmConfig
    from bot.answer.prompts import PromptLibrary

    if not (settings.llm_base_url and settings.llm_model):
        return None
    return LlmAnswerer(
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


def trust_model(settings: Settings, embedder: Embedder | None = None) -> TrustModel:
    """The fitted answer models (bundled with the package unless DT_ANSWER_MODEL names a file)."""
    from bot.answer.logistic import DEFAULT_MODEL, load_trust_model
    from ingest.embeddings import make_embedder

    model = load_trust_model(settings.answer_model or DEFAULT_MODEL)
    used = (embedder or make_embedder(settings.embedding_model)).name
    if model.embedding_model and model.embedding_model != used:
        log.warning(
            "the answer model was fitted with %s, the index uses %s: refit it "
            "(python -m benchmarks.trust.fit) for reliable decisions",
            model.embedding_model,
            settings.embedding_model,
        )
    return model


def record_gap(gaps: GapRecorder, kind: GapKind, question: str) -> None:
    """Record a knowledge gap; a database failure is logged, never shown to the user."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        gaps.record(kind, question)
    except SQLAlchemyError:
        log.exception("could not record a %s knowledge gap", kind.value)
