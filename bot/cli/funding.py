"""``digitalteam funding match|deadlines``: the Förder-Finder on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.funding.rules import Match

APPLICANTS = (
    "Verein, Kommune, 'kommunales Museum', 'privates Museum', Stiftung, Gedenkstätte, "
    "Privatperson, Kirchengemeinde"
)
MARKS = {"passt": "✓", "prüfen": "?", "passt nicht": "✗", "hinweis": "i"}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"kein Datum im Format JJJJ-MM-TT: {text}") from exc


def add_funding_parser(sub: Any) -> None:
    """Register the ``funding`` subcommand on the CLI's subparsers."""
    funding = sub.add_parser("funding", help="Förder-Finder: passende Programme und Fristen")
    actions = funding.add_subparsers(dest="funding_command", required=True)
    match = actions.add_parser("match", help="Programme für ein Vorhaben bewerten")
    match.add_argument("--applicant", required=True, help=f"Wer beantragt: {APPLICANTS}")
    match.add_argument("--purpose", required=True, help="Wofür, z. B. 'Audioguide'")
    match.add_argument("--budget", type=int, default=None, help="Projektkosten in Euro")
    match.add_argument("--region", default=None, help="Ort, Kreis oder Region")
    match.add_argument("--json", action="store_true")
    match.add_argument("--today", type=_day, default=None, help=argparse.SUPPRESS)
    deadlines = actions.add_parser("deadlines", help="Kommende Antragsfristen")
    deadlines.add_argument("--days", type=int, default=365, help="Zeitraum in Tagen (1-1000)")
    deadlines.add_argument("--json", action="store_true")
    deadlines.add_argument("--ics", type=Path, default=None, help="iCalendar-Datei schreiben")
    deadlines.add_argument("--today", type=_day, default=None, help=argparse.SUPPRESS)


def run_funding(context: AppContext, args: argparse.Namespace) -> int:
    """Carry out one ``funding`` action; 0 on success, 2 on bad input or bad programme data."""
    from bot.funding.catalog import FundingDataError

    try:
        if args.funding_command == "match":
            return _match(context, args)
        return _deadlines(context, args)
    except FundingDataError as exc:
        print(f"Fehler in den Programmdaten: {exc}", file=sys.stderr)
        return 2


def _match(context: AppContext, args: argparse.Namespace) -> int:
    from bot.funding.model import parse_applicant
    from bot.funding.purpose import find_purpose
    from bot.funding.rules import Query, rank

    applicant = parse_applicant(args.applicant)
    if applicant is None:
        print(
            f"Fehler: unbekannte Antragsteller-Art '{args.applicant}'. Möglich: {APPLICANTS}.",
            file=sys.stderr,
        )
        return 2
    if args.budget is not None and not 0 < args.budget <= 100_000_000:
        print("Fehler: --budget muss eine positive Zahl in Euro sein.", file=sys.stderr)
        return 2
    purpose = " ".join(args.purpose.split())
    if not purpose:
        print("Fehler: --purpose darf nicht leer sein.", file=sys.stderr)
        return 2
    today = args.today or date.today()
    query = Query(applicant, purpose, args.budget, args.region)
    catalog = context.funding
    matches = rank(catalog, query, find_purpose(context.retriever, purpose), today)
    if args.json:
        payload = {
            "query": {**query.to_json(), "today": today.isoformat()},
            "results": [m.to_json() for m in matches],
        }
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    budget = f" · {args.budget:,} €".replace(",", ".") if args.budget else ""
    region = f" · {args.region}" if args.region else ""
    print(
        f"Förder-Finder: {applicant.value} · „{purpose}“{budget}{region} "
        f"(Stand {today.strftime('%d.%m.%Y')})\n"
    )
    for n, found in enumerate(matches, start=1):
        print(render_match(n, found))
    print(
        "Angaben ohne Beleg sind als „nicht belegt“ markiert. Bitte vor dem Antrag beim "
        "Fördergeber prüfen."
    )
    return 0


def render_match(n: int, match: Match) -> str:
    """One programme as a text block, verdict first."""
    money, entry = match.money, match.entry
    lines = [
        f"{n}. [{match.verdict.value}] {entry.programme.name}",
        f"   Förderung: {money.text}",
        f"   Eigenanteil: {money.own_text}",
        f"   Nächste Frist: {match.deadline.text()}",
    ]
    lines += [f"   {MARKS[r.level]} {r.text}" for r in match.reasons]
    from bot.funding.rules import all_sources

    urls = [source.url for source in all_sources(entry)]
    more = f" (+{len(urls) - 2} weitere)" if len(urls) > 2 else ""
    lines.append(f"   Quelle: {entry.document}; {', '.join(urls[:2])}{more}")
    return "\n".join(lines) + "\n"


def _deadlines(context: AppContext, args: argparse.Namespace) -> int:
    from bot.funding.deadlines import upcoming
    from bot.funding.ics import deadlines_calendar

    if not 1 <= args.days <= 1000:
        print("Fehler: --days muss zwischen 1 und 1000 liegen.", file=sys.stderr)
        return 2
    today = args.today or date.today()
    due = upcoming(context.funding, today, args.days)
    if args.ics is not None:
        try:
            args.ics.write_bytes(deadlines_calendar(due))
        except OSError as exc:
            print(
                f"Fehler: {args.ics} kann nicht geschrieben werden ({exc.strerror}).",
                file=sys.stderr,
            )
            return 2
    if args.json:
        print(
            json.dumps(
                {
                    "today": today.isoformat(),
                    "days": args.days,
                    "deadlines": [d.to_json() for d in due],
                },
                ensure_ascii=False,
            )
        )
        return 0
    print(f"Kommende Förderfristen ab {today.strftime('%d.%m.%Y')} ({args.days} Tage):")
    if not due:
        print("  Keine bekannten Fristen in diesem Zeitraum.")
    for item in due:
        label = f" – {item.label}" if item.label else ""
        flag = " (nicht bestätigt)" if item.uncertain else ""
        source = item.sources[0].url if item.sources else item.document
        print(
            f"  {item.day.strftime('%d.%m.%Y')}  {item.programme}{label}{flag}\n"
            f"              Quelle: {source}"
        )
    if args.ics is not None:
        print(f"\niCalendar-Datei geschrieben: {args.ics} ({len(due)} Termine)")
    return 0
