"""Interactive console chat over the engine (German prompts, /neu resets, Ctrl-D exits)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from bot.engine.engine import Engine
from bot.engine.reply import Reply

WELCOME = (
    "Digitalteam-Assistent – Konsole. Stellen Sie Ihre Frage.\n"
    "/neu beginnt ein neues Gespräch, /ende oder Strg-D beendet."
)


def render(reply: Reply) -> str:
    """Plain-text rendering of a reply for the terminal."""
    lines = [reply.text]
    if reply.handoff_suggested:
        lines.append("→ Persönliche Beratung: Im Telegram-Bot mit /termin anfragen.")
    return "\n".join(lines)


def run_console(
    engine: Engine,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Read questions until EOF and print the answers."""
    conversation = f"console-{uuid.uuid4().hex[:8]}"
    write(WELCOME)
    while True:
        try:
            line = read("\nSie: ")
        except (EOFError, KeyboardInterrupt):
            write("\nAuf Wiedersehen!")
            return
        command = line.strip().lower()
        if command in ("/ende", "/exit", "/quit"):
            write("Auf Wiedersehen!")
            return
        if command == "/neu":
            engine.reset(conversation)
            write("Neues Gespräch begonnen.")
            continue
        if not command:
            continue
        write("\nAssistent: " + render(engine.reply(conversation, line)))
