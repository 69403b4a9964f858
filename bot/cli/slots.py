"""``digitalteam slots add|list|remove``: advisors' availability on the command line (Berlin time)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.context import AppContext


def add_slots_parser(sub: Any) -> None:
    """Register the ``slots`` subcommand on the CLI's subparsers."""
    slots = sub.add_parser("slots", help="Beratungstermine (Zeiten der Berater) verwalten")
    actions = slots.add_subparsers(dest="slots_command", required=True)
    add = actions.add_parser("add", help="Termin anlegen (Zeit in Europe/Berlin)")
    add.add_argument(
        "--advisor", type=int, required=True, help="Telegram-ID der Beraterin/des Beraters"
    )
    add.add_argument("--start", required=True, help="z. B. 2026-12-03T10:00 (Berliner Zeit)")
    add.add_argument("--minutes", type=int, default=45, help="Dauer in Minuten (10-480)")
    add.add_argument(
        "--format", dest="slot_format", required=True, choices=["video", "telefon", "vor-ort"]
    )
    listing = actions.add_parser("list", help="Künftige Termine anzeigen")
    listing.add_argument("--json", action="store_true")
    listing.add_argument(
        "--advisor", type=int, default=None, help="nur diese Beraterin/dieser Berater"
    )
    remove = actions.add_parser("remove", help="Freien Termin löschen")
    remove.add_argument("slot_id", type=int)


def run_slots(context: AppContext, args: argparse.Namespace) -> int:
    """Carry out one ``slots`` action; 0 on success, 2 on bad input."""
    from bot.booking.berlin import TimeInputError, format_slot, parse_local
    from bot.handoff.errors import HandoffError

    settings = context.settings
    slots = context.handoff.slots
    try:
        if args.slots_command == "add":
            if args.advisor not in settings.advisor_ids:
                print(
                    f"Fehler: {args.advisor} ist keine Beraterin/kein Berater (DT_ADVISOR_IDS).",
                    file=sys.stderr,
                )
                return 2
            slot = slots.add(args.advisor, parse_local(args.start), args.minutes, args.slot_format)
            print(
                f"Termin {slot.id} angelegt: {format_slot(slot.starts_at, slot.ends_at)}, {slot.format_label}"
            )
        elif args.slots_command == "list":
            listed = slots.listing(args.advisor)
            if args.json:
                print(json.dumps([slot.to_json() for slot in listed], ensure_ascii=False))
            elif not listed:
                print("Keine künftigen Termine.")
            for slot in [] if args.json else listed:
                state = "gebucht" if slot.booked else "frei"
                print(
                    f"{slot.id:>5}  {format_slot(slot.starts_at, slot.ends_at)}  "
                    f"{slot.format_label:<8} Berater {slot.advisor_id}  {state}"
                )
        else:
            slot = slots.remove(args.slot_id)
            print(f"Termin {slot.id} gelöscht ({format_slot(slot.starts_at, slot.ends_at)}).")
    except (TimeInputError, HandoffError) as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    return 0
