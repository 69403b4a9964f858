"""The service's Prometheus metrics, in a registry of their own (never the global one).

One ``ServiceMetrics`` is built per application (``bot.service.app.create_app``), so that two
apps in one process (tests, benchmarks) never share counts. Counters are per process; the
monitoring sums them over the replicas. The index's size and generation are read from the index
when ``/metrics`` is scraped. Labels are bounded sets (reply kinds, Bot API method names, job
names), never user ids or text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from bot.conversation import ERROR_OUTCOME
from bot.engine.reply import ReplyKind

if TYPE_CHECKING:
    from ingest.index import KnowledgeIndex

ANSWER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)

UPDATE_RESULTS = ("accepted", "duplicate", "rejected")


class ServiceMetrics:
    """Every metric of one service instance."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.questions = Counter(
            "digitalteam_questions",
            "Questions the engine handled, by outcome (the reply kind, or error)",
            ["outcome"],
            registry=registry,
        )
        for kind in (*ReplyKind, ERROR_OUTCOME):
            self.questions.labels(str(kind))
        self.answer_seconds = Histogram(
            "digitalteam_answer_seconds",
            "Time the engine took for one question (retrieval, decision, answer, storage)",
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self.handoffs = Counter(
            "digitalteam_handoffs", "Consultation cases opened", registry=registry
        )
        self.bookings = Counter(
            "digitalteam_bookings",
            "Consultation bookings written (a moved booking counts again)",
            registry=registry,
        )
        self.telegram_errors = Counter(
            "digitalteam_telegram_api_errors",
            "Failed Bot API requests, by method and error type (each attempt counts)",
            ["method", "error"],
            registry=registry,
        )
        self.telegram_retries = Counter(
            "digitalteam_telegram_api_retries",
            "Bot API requests repeated after a flood limit or network error, by method",
            ["method"],
            registry=registry,
        )
        self.updates = Counter(
            "digitalteam_webhook_updates",
            "Updates posted to /telegram: accepted, duplicate (redelivered, skipped), rejected",
            ["result"],
            registry=registry,
        )
        for result in UPDATE_RESULTS:
            self.updates.labels(result)
        self.job_runs = Counter(
            "digitalteam_job_runs",
            "Scheduled job runs in this process, by job name",
            ["job"],
            registry=registry,
        )

    def watch_index(self, index: Callable[[], KnowledgeIndex]) -> None:
        """Report the index's size and generation, read at every scrape."""
        self.registry.register(IndexCollector(index))

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class IndexCollector(Collector):
    """Gauges of the live index: documents, chunks and the generation of the manifest."""

    def __init__(self, index: Callable[[], KnowledgeIndex]) -> None:
        self._index = index

    def collect(self) -> Iterator[GaugeMetricFamily]:
        manifest = self._index().manifest
        chunks = sum(len(entry.chunk_ids) for entry in manifest.files.values())
        yield GaugeMetricFamily(
            "digitalteam_index_documents", "Live documents in the index", value=len(manifest.files)
        )
        yield GaugeMetricFamily(
            "digitalteam_index_chunks", "Live chunks in the index", value=chunks
        )
        yield GaugeMetricFamily(
            "digitalteam_index_generation",
            "Generation of the live index (grows with every change)",
            value=manifest.generation,
        )
