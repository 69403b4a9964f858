"""Shared pieces of the editors' handlers: access check, the editors' services, callback_data.

callback_data of the editors' buttons (ASCII, at most 53 bytes, parsed strictly):

    ed:l:<page>               /dokumente: a page of the list
    ed:t:<doc id>:<topic>     file an uploaded document under a topic
    ed:rm:<doc id>            confirm /entfernen
    ed:no                     cancel /entfernen
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Update

from bot.editors.access import Editors, actor_name
from bot.editors.audit import AuditLog
from bot.editors.documents import DocumentService
from bot.telegram.services import BotContext

EDITOR_PREFIX = r"^ed:"
_LIST = re.compile(r"ed:l:(\d{1,4})")
_TOPIC = re.compile(r"ed:t:([0-9a-f]{8}):([a-z0-9][a-z0-9-]{1,39})")
_REMOVE = re.compile(r"ed:rm:([0-9a-f]{8})")
CANCEL = "ed:no"

NOT_EDITOR = (
    "Dokumente für die Wissensbasis können nur Mitglieder der Redaktion hinzufügen oder "
    "ändern. Ihre Datei wurde nicht gespeichert. Fragen stellen Sie bitte einfach als Text."
)
STALE = "Diese Schaltfläche ist nicht mehr aktuell."


@dataclass
class EditorTools:
    """The editors' access check and services, taken from the bot's services."""

    def editors(self, context: BotContext) -> Editors:
        return Editors.of(context.services.settings.editor_ids)

    def is_editor(self, update: Update, context: BotContext) -> bool:
        """True if the update comes from a configured editor."""
        user = update.effective_user
        return user is not None and self.editors(context).allows(user.id)

    def documents(self, context: BotContext) -> DocumentService:
        """The document service over the engine's index and the bot's database."""
        return context.services.documents

    def audit(self, context: BotContext) -> AuditLog:
        return context.services.audit


def actor(update: Update) -> str:
    """Audit name of the editor behind an update."""
    user = update.effective_user
    return actor_name(user.id, user.username) if user is not None else "telegram:?"


def list_page(page: int) -> str:
    return f"ed:l:{page}"


def topic_choice(doc_id: str, topic: str) -> str:
    data = f"ed:t:{doc_id}:{topic}"
    if len(data.encode()) > 64:
        raise ValueError("topic name too long for callback_data")
    return data


def remove_confirm(doc_id: str) -> str:
    return f"ed:rm:{doc_id}"


def parse_list_page(data: str | None) -> int | None:
    match = _LIST.fullmatch(data or "")
    return int(match.group(1)) if match else None


def parse_topic_choice(data: str | None) -> tuple[str, str] | None:
    match = _TOPIC.fullmatch(data or "")
    return (match.group(1), match.group(2)) if match else None


def parse_remove(data: str | None) -> str | None:
    match = _REMOVE.fullmatch(data or "")
    return match.group(1) if match else None
