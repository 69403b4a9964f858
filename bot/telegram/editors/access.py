"""Who may use the editors' tools, and the name an editor's changes are audited under."""

from __future__ import annotations

from telegram import Update

from bot.editors.access import Editors, actor_name
from bot.telegram import texts
from bot.telegram.services import BotContext


def is_editor(update: Update, context: BotContext) -> bool:
    """True if the update comes from a configured editor."""
    user = update.effective_user
    editors = Editors.of(context.services.settings.editor_ids)
    return user is not None and editors.allows(user.id)


async def editor_or_refuse(update: Update, context: BotContext) -> bool:
    """True for an editor; anyone else is told that the command is the editors' only."""
    if is_editor(update, context):
        return True
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.EDITORS_ONLY)
    return False


def actor(update: Update) -> str:
    """Audit name of the editor behind an update."""
    user = update.effective_user
    return actor_name(user.id, user.username) if user is not None else "telegram:?"
