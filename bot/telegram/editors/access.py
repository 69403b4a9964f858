"""Shared pieces of the editors' handlers: the access check and the editors' services."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from bot.editors.access import Editors, actor_name
from bot.editors.audit import AuditLog
from bot.editors.documents import DocumentService
from bot.telegram.services import BotContext

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
