"""Command line: ``digitalteam ingest|ask|search|chat|run|doctor`` plus the editors' and slots
commands.

Settings and the application context are built once here and passed down; a command builds only
the services it uses. A new command is a parser in ``_parser`` and a function in ``COMMANDS``.
Exit codes: 0 success, 1 unexpected error, 2 bad configuration or nothing could be done.
Configuration errors (settings, data directory, database, Chroma, manifest, Bot API) end in one
German line naming the setting, ``Konfigurationsfehler: DT_… – …``, never in a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.cli.docs import add_editor_parsers
from bot.cli.doctor import add_doctor_parser
from bot.cli.funding import add_funding_parser
from bot.cli.slots import add_slots_parser
from bot.errors import ConfigurationError
from bot.settings import Settings, describe_error

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger("bot.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digitalteam", description="Digitalteam-Assistent")
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="Dokumente in den Index übernehmen")
    ingest.add_argument(
        "paths", nargs="*", type=Path, help="Dateien oder Ordner (Standard: knowledge/)"
    )
    ingest.add_argument("--json", action="store_true", help="Zusammenfassung als JSON ausgeben")

    ask = sub.add_parser("ask", help="Eine Frage beantworten ('-' liest eine Frage pro Zeile)")
    ask.add_argument("question", nargs="?", default="-")
    ask.add_argument("--json", action="store_true")

    search = sub.add_parser("search", help="Zeigen, was die Suche findet ('-' liest von stdin)")
    search.add_argument("query", nargs="?", default="-")
    search.add_argument("-k", type=int, default=5, help="Anzahl der Treffer (1-50)")
    search.add_argument("--topic", default=None, help="nur dieses Thema")
    search.add_argument("--json", action="store_true")

    sub.add_parser("chat", help="Interaktiver Chat in der Konsole")
    sub.add_parser("run", help="Telegram-Bot starten")
    serve = sub.add_parser(
        "serve", help="Als Dienst starten (Webhook, /healthz, /readyz, /metrics)"
    )
    serve.add_argument(
        "--migrate-only", action="store_true", help="nur die Datenbank migrieren und beenden"
    )

    add_editor_parsers(sub)
    add_slots_parser(sub)
    add_doctor_parser(sub)
    add_funding_parser(sub)
    return parser


def _lines(arg: str) -> Iterator[str]:
    if arg != "-":
        yield arg
        return
    for line in sys.stdin:
        if line.strip():
            yield line.rstrip("\n")


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in (
        "chromadb",
        "httpx",
        "httpcore",
        "urllib3",
        "bm25s",
        "sentence_transformers",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(
            max(logging.WARNING, logging.getLevelName(settings.log_level))
        )


def cmd_ingest(context: AppContext, args: argparse.Namespace) -> int:
    """Sync files into the index and print the summary.

    A corrupt manifest is set aside and the index rebuilt; documents whose vectors are missing in
    Chroma are re-embedded (the sync marks them changed). Chunks still missing afterwards (their
    files were not among the paths) end in exit code 2.
    """
    from ingest.errors import IndexLocked
    from ingest.sync import sync

    settings = context.settings
    paths = list(args.paths) or [settings.knowledge_dir]
    try:
        index = context.ingest_index()
        if index.recovered_from is not None:
            print(
                f"Warnung: {settings.data_dir / 'manifest.json'} war beschädigt und liegt jetzt "
                f"unter {index.recovered_from.name}; der Index wird neu aufgebaut.",
                file=sys.stderr,
            )
        damaged = index.verify().missing
        report = sync(
            index,
            paths,
            settings.knowledge_dir,
            context.limits,
            context.chunking,
            show_progress=sys.stderr.isatty() and not args.json,
        )
    except IndexLocked:
        print("Fehler: Ein anderer Ingest-Lauf schreibt gerade den Index.", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(
            f"Hinzugefügt: {len(report.added)}, aktualisiert: {len(report.updated)}, "
            f"entfernt: {len(report.removed)}, unverändert: {len(report.unchanged)}, "
            f"fehlgeschlagen: {len(report.failed)}"
        )
        for failure in report.failed:
            print(f"  ✗ {failure.path}: {failure.reason}")
    still = index.verify().missing
    if damaged:
        repaired = len(set(damaged) - set(still))
        print(
            f"Repariert: {repaired} von {len(damaged)} Dokumenten, deren Abschnitte in Chroma "
            "fehlten, neu eingelesen.",
            file=sys.stderr,
        )
    if still:
        listed = ", ".join(list(still)[:5]) + (" …" if len(still) > 5 else "")
        print(
            f"Indexfehler: DT_KNOWLEDGE_DIR – Abschnitte von {len(still)} Dokumenten fehlen "
            f"weiterhin in Chroma ({listed}); die Dateien wurden nicht eingelesen. "
            "'digitalteam ingest <Pfad>' oder 'digitalteam docs remove <Dokument>'.",
            file=sys.stderr,
        )
        return 2
    return 2 if report.failed and report.readable == 0 else 0


def cmd_ask(context: AppContext, args: argparse.Namespace) -> int:
    """Answer questions from the argument or stdin."""
    from bot.console import render

    engine = context.engine
    for n, question in enumerate(_lines(args.question)):
        reply = engine.reply(f"cli-{n}", question)
        if args.json:
            print(json.dumps(reply.to_json(), ensure_ascii=False), flush=True)
        else:
            print(render(reply) + "\n", flush=True)
    return 0


def cmd_search(context: AppContext, args: argparse.Namespace) -> int:
    """Show ranked chunks for queries from the argument or stdin."""
    if not 1 <= args.k <= 50:
        print("Fehler: -k muss zwischen 1 und 50 liegen.", file=sys.stderr)
        return 2
    retriever = context.retriever
    for query in _lines(args.query):
        result = retriever.search(query, k=args.k, topic=args.topic)
        if args.json:
            results = [
                {
                    "rank": rank,
                    "path": hit.source,
                    "title": hit.meta("title"),
                    "heading": hit.meta("heading"),
                    "score": round(hit.score, 6),
                }
                for rank, hit in enumerate(result.hits, start=1)
            ]
            print(json.dumps({"query": query, "results": results}, ensure_ascii=False), flush=True)
            continue
        print(
            f"Suche: {query}  (beste Vektor-Ähnlichkeit {result.top_dense:.2f}, "
            f"Abdeckung der Suchbegriffe {result.coverage:.2f})"
        )
        for rank, hit in enumerate(result.hits, start=1):
            excerpt = " ".join(hit.chunk.text.split())[:160]
            print(
                f"{rank:2}. {hit.score:.4f}  {hit.source}\n    {hit.meta('title')} – "
                f"{hit.meta('heading') or '(Anfang)'}\n    {excerpt}…"
            )
        print()
    return 0


def cmd_chat(context: AppContext, args: argparse.Namespace) -> int:
    """Interactive console."""
    from bot.console import run_console

    run_console(context.engine)
    return 0


def cmd_run(context: AppContext, args: argparse.Namespace) -> int:
    """Start the Telegram bot (it builds and opens its own context, with stored conversations)."""
    from bot.telegram import run_bot

    return run_bot(context.settings)


def cmd_serve(context: AppContext, args: argparse.Namespace) -> int:
    """Run the service (webhook and HTTP endpoints), or only migrate the database."""
    from bot.service import migrate_database, run_service

    if args.migrate_only:
        return migrate_database(context.settings)
    return run_service(context.settings)


def cmd_docs(context: AppContext, args: argparse.Namespace) -> int:
    """List, show, add, change or remove knowledge documents."""
    from bot.cli.docs import run_docs

    return run_docs(context, args)


def cmd_report(context: AppContext, args: argparse.Namespace) -> int:
    """Print the knowledge-gap report."""
    from bot.cli.docs import run_report

    return run_report(context, args)


def cmd_audit(context: AppContext, args: argparse.Namespace) -> int:
    """Print the audit log of editor actions."""
    from bot.cli.docs import run_audit

    return run_audit(context, args)


def cmd_doctor(context: AppContext, args: argparse.Namespace) -> int:
    """Check settings, data directory, index, database and knowledge folder."""
    from bot.cli.doctor import run_doctor

    return run_doctor(context, args)


def cmd_funding(context: AppContext, args: argparse.Namespace) -> int:
    """Match programmes to a project or list the coming funding deadlines."""
    from bot.cli.funding import run_funding

    return run_funding(context, args)


def cmd_slots(context: AppContext, args: argparse.Namespace) -> int:
    """Add, list or remove advisors' consultation slots."""
    from bot.cli.slots import run_slots

    return run_slots(context, args)


COMMANDS = {
    "ingest": cmd_ingest,
    "ask": cmd_ask,
    "search": cmd_search,
    "chat": cmd_chat,
    "run": cmd_run,
    "serve": cmd_serve,
    "slots": cmd_slots,
    "docs": cmd_docs,
    "report": cmd_report,
    "audit": cmd_audit,
    "doctor": cmd_doctor,
    "funding": cmd_funding,
}
# Commands that report an unusable data directory themselves instead of stopping at it.
OWN_CHECKS = frozenset({"doctor"})


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``digitalteam`` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        if args.command == "doctor":
            from bot.cli.doctor import report_settings_failure

            return report_settings_failure(exc, args)
        for line in describe_error(exc).splitlines():
            print("Konfigurationsfehler: " + line.replace(": ", " – ", 1), file=sys.stderr)
        return 2
    _configure_logging(settings)
    from bot.context import build_context  # nothing is built until a command uses it

    context = build_context(settings)
    try:
        return run_command(context, args)
    finally:
        context.close()


def run_command(context: AppContext, args: argparse.Namespace) -> int:
    """Run one command; configuration and index errors become one line and exit code 2."""
    from bot.errors import operator_error
    from bot.health import require_writable_data_dir
    from ingest.errors import IngestError

    try:
        if args.command not in OWN_CHECKS:
            require_writable_data_dir(context)
        return COMMANDS[args.command](context, args)
    except (ConfigurationError, IngestError) as exc:
        error = operator_error(exc, context.settings)
        if error is None:
            raise
        print(error.operator_message(), file=sys.stderr)
        return 2
