"""Editors' command line: ``digitalteam docs …``, ``digitalteam report`` and ``digitalteam audit``.

Only argparse is imported at module level; services come from the context when a command runs.
Exit codes: 0 success, 2 refused input (German reason on stderr).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.editors.catalog import DocumentInfo
    from bot.editors.documents import UploadResult


def add_editor_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``docs``, ``report`` and ``audit`` on the main parser's subcommands."""
    docs = sub.add_parser("docs", help="Wissensdokumente auflisten, zeigen, hinzufügen, entfernen")
    actions = docs.add_subparsers(dest="docs_command", required=True)
    listing = actions.add_parser("list", help="Alle Dokumente mit Thema, Stand und Gültigkeit")
    listing.add_argument("--topic", default=None, help="nur dieses Thema")
    show = actions.add_parser("show", help="Details eines Dokuments")
    show.add_argument("id", help="Kennung, Pfad oder Dateiname")
    remove = actions.add_parser("remove", help="Dokument zurückziehen (samt Abschnitten im Index)")
    remove.add_argument("id")
    remove.add_argument("--yes", action="store_true", help="ohne Rückfrage entfernen")
    expiring = actions.add_parser("expiring", help="Abgelaufene und bald ablaufende Dokumente")
    expiring.add_argument("--days", type=int, default=None, help="Vorlauf in Tagen (Standard 30)")
    check = actions.add_parser(
        "check", help="Prüfhilfe: Quellen, Prüfdaten, Spiegel-Links, Beträge ohne Quelle"
    )
    check.add_argument("--only-findings", action="store_true", help="nur Dokumente mit Befunden")
    add = actions.add_parser("add", help="Datei prüfen, ablegen und in den Index übernehmen")
    add.add_argument("file", type=Path)
    add.add_argument("--topic", default=None)
    add.add_argument("--valid-until", default=None, help="TT.MM.JJJJ oder JJJJ-MM-TT")
    change = actions.add_parser("set", help="Thema oder Gültigkeit eines Dokuments ändern")
    change.add_argument("id")
    change.add_argument("--topic", default=None)
    change.add_argument("--valid-until", default=None, help="TT.MM.JJJJ oder JJJJ-MM-TT")
    for parser in (listing, show, remove, expiring, check, add, change):
        parser.add_argument("--json", action="store_true", help="Ausgabe als JSON")

    report = sub.add_parser("report", help="Wissenslücken: ähnliche offene Fragen, gruppiert")
    report.add_argument("--since", default=None, help="ab Datum (JJJJ-MM-TT oder TT.MM.JJJJ)")
    report.add_argument("--format", choices=["md", "csv", "json"], default="md")
    report.add_argument("--limit", type=int, default=50, help="höchstens so viele Gruppen")

    audit = sub.add_parser("audit", help="Protokoll der Redaktionsaktionen")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:80]
    except (OSError, KeyError):
        return "cli"


def _fail(message: str) -> int:
    print(f"Fehler: {message}", file=sys.stderr)
    return 2


def _date_arg(value: str | None) -> date | None:
    from bot.editors.dates import parse_user_date
    from bot.errors import InputRejected

    if value is None:
        return None
    parsed = parse_user_date(value)
    if parsed is None:
        raise InputRejected(f"'{value}' ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).")
    return parsed


def _print_doc(doc: DocumentInfo, today: date, days: int) -> None:
    from bot.answer.citations import german_date

    until = german_date(doc.valid_until) if doc.valid_until else "–"
    stand = german_date(doc.stand) if doc.stand else "–"
    state = {"expired": " ⚠ abgelaufen", "expiring": " (läuft bald ab)"}.get(
        doc.freshness(today, days).value, ""
    )
    print(
        f"{doc.id}  {doc.topic or '–':<14} {doc.title[:60]:<60}  Stand {stand:<10}  "
        f"gültig bis {until}{state}  {doc.chunks} Abschnitte"
    )


def _print_result(result: UploadResult, as_json: bool, today: date, days: int) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "document": result.document.to_json(today, days),
                    "replaced": result.replaced.source if result.replaced else None,
                    "detected": result.detected,
                    "missing": list(result.missing),
                    "inherited": list(result.inherited),
                },
                ensure_ascii=False,
            )
        )
        return
    verb = {"add": "Hinzugefügt", "replace": "Ersetzt"}.get(result.action, "Aktualisiert")
    print(f"{verb} ({result.detected}): {result.document.source}")
    _print_doc(result.document, today, days)
    for field in result.missing:
        option = "--topic THEMA" if field == "topic" else "--valid-until TT.MM.JJJJ"
        print(
            f"Fehlt noch: {field} – nachtragen mit: digitalteam docs set {result.document.id} {option}"
        )


def run_docs(context: AppContext, args: argparse.Namespace) -> int:
    """Dispatch ``docs`` subcommands."""
    from bot.errors import InputRejected

    try:
        return _docs(context, args)
    except InputRejected as exc:
        return _fail(exc.user_message)


def _docs(context: AppContext, args: argparse.Namespace) -> int:
    from bot.editors.catalog import (
        expiring_documents,
        find_document,
        list_documents,
        review_due_documents,
    )
    from bot.editors.freshness import expiring_text

    settings = context.settings
    today = date.today()
    days = settings.expiry_warning_days
    command = args.docs_command
    if command == "list":
        docs = list_documents(context.index.manifest, args.topic)
        if args.json:
            print(json.dumps([d.to_json(today, days) for d in docs], ensure_ascii=False))
        else:
            for doc in docs:
                _print_doc(doc, today, days)
            print(f"{len(docs)} Dokumente")
        return 0
    if command == "show":
        doc = find_document(context.index.manifest, args.id)
        if args.json:
            print(json.dumps(doc.to_json(today, days), ensure_ascii=False))
        else:
            for key, value in doc.to_json(today, days).items():
                print(f"{key:12} {value}")
        return 0
    if command == "expiring":
        window = days if args.days is None else args.days
        if not 0 <= window <= 3650:
            return _fail("--days muss zwischen 0 und 3650 liegen.")
        manifest = context.index.manifest
        expired, soon = expiring_documents(manifest, today, window)
        review = review_due_documents(manifest, today, settings.review_after_days)
        if args.json:
            print(
                json.dumps(
                    {
                        "expired": [d.to_json(today, window) for d in expired],
                        "expiring": [d.to_json(today, window) for d in soon],
                        "review_due": [d.to_json(today, window) for d in review],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(expiring_text(expired, soon, today, window, review, settings.review_after_days))
        return 0
    if command == "check":
        return _check(context, args, today)
    service = context.documents
    if command == "remove":
        doc = service.find(args.id)
        if not args.yes:
            if not sys.stdin.isatty():
                return _fail("Bitte das Entfernen mit --yes bestätigen.")
            answer = input(f"'{doc.title}' ({doc.source}) wirklich entfernen? [j/N] ")
            if answer.strip().lower() not in ("j", "ja", "y", "yes"):
                print("Abgebrochen.")
                return 0
        removed = service.remove(doc.id, _actor())
        if args.json:
            print(json.dumps({"removed": removed.to_json()}, ensure_ascii=False))
        else:
            print(f"Entfernt: {removed.title} ({removed.source}, {removed.chunks} Abschnitte)")
        return 0
    if command == "add":
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            return _fail(f"{args.file} kann nicht gelesen werden ({exc.strerror}).")
        added = service.add(data, args.file.name, _actor(), args.topic, _date_arg(args.valid_until))
        _print_result(added, args.json, today, days)
        return 0
    if command == "set":
        if not args.topic and not args.valid_until:
            return _fail("Bitte --topic oder --valid-until angeben.")
        until = _date_arg(args.valid_until)
        result: UploadResult | None = None
        if args.topic:
            result = service.set_topic(args.id, args.topic, _actor())
        if until is not None:
            key = result.document.id if result else args.id
            result = service.set_valid_until(key, until, _actor())
        assert result is not None
        _print_result(result, args.json, today, days)
        return 0
    return _fail(f"Unbekannter Befehl: {command}")


def _check(context: AppContext, args: argparse.Namespace, today: date) -> int:
    from bot.editors.review import render_review, review_folder

    settings = context.settings
    if not settings.knowledge_dir.is_dir():
        return _fail(f"Der Wissensordner {settings.knowledge_dir} existiert nicht.")
    reviews = review_folder(
        settings.knowledge_dir, today, settings.review_after_days, context.limits
    )
    if args.json:
        shown = [r for r in reviews if r.findings or not args.only_findings]
        print(json.dumps([r.to_json() for r in shown], ensure_ascii=False))
    else:
        print(render_review(reviews, args.only_findings))
    return 0


def run_report(context: AppContext, args: argparse.Namespace) -> int:
    """``digitalteam report``: grouped knowledge gaps as Markdown, CSV or JSON."""
    from bot.editors.gaps import group_gaps, load_gaps, render_report
    from bot.errors import InputRejected

    try:
        since = _date_arg(args.since)
    except InputRejected as exc:
        return _fail(exc.user_message)
    if not 1 <= args.limit <= 1000:
        return _fail("--limit muss zwischen 1 und 1000 liegen.")
    items = load_gaps(context.db, since)
    groups = group_gaps(items, context.embedder, context.settings.gap_similarity)
    print(render_report(groups, args.format, since, args.limit))
    return 0


def run_audit(context: AppContext, args: argparse.Namespace) -> int:
    """``digitalteam audit``: the newest editor actions first."""
    if not 1 <= args.limit <= 10_000:
        return _fail("--limit muss zwischen 1 und 10000 liegen.")
    entries = context.audit.entries(args.limit)
    if args.json:
        print(json.dumps([e.to_json() for e in entries], ensure_ascii=False))
        return 0
    if not entries:
        print("Noch keine Redaktionsaktionen protokolliert.")
    for e in entries:
        when = e.when.astimezone().strftime("%d.%m.%Y %H:%M")
        title = e.details.get("title", "")
        print(f"{when}  {e.actor:<28} {e.action:<12} {e.document}  {title}")
    return 0
