"""``digitalteam doctor``: is this installation ready to serve? One line per check, or JSON.

The checks are ``bot.health.check_readiness`` (settings, data directory, manifest, Chroma against
the manifest, database and migrations, knowledge folder). Exit code 0 when every check passed,
2 when one failed (the line names the setting to look at).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

    from bot.context import AppContext
    from bot.health import Check


def add_doctor_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``doctor`` on the main parser's subcommands."""
    doctor = sub.add_parser(
        "doctor", help="Betriebsbereitschaft prüfen (Einstellungen, Index, Datenbank, Ordner)"
    )
    doctor.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")


def run_doctor(context: AppContext, args: argparse.Namespace) -> int:
    """Run every readiness check and print them."""
    from bot.health import check_readiness

    return _report(check_readiness(context), args.json)


def report_settings_failure(exc: ValidationError, args: argparse.Namespace) -> int:
    """Print the failed settings check (nothing else can be checked without settings)."""
    from bot.health import settings_failed

    return _report([settings_failed(exc)], args.json)


def _report(checks: list[Check], as_json: bool) -> int:
    ok = all(check.ok for check in checks)
    if as_json:
        print(json.dumps({"ok": ok, "checks": [c.to_json() for c in checks]}, ensure_ascii=False))
    else:
        for check in checks:
            print(check.line())
    return 0 if ok else 2
