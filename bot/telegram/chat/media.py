"""Stickers, photos, voice, locations and other non-text messages: a short hint what works."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from bot.telegram import texts
from bot.telegram.services import BotContext

MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.LOCATION
    | filters.VENUE
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
    | filters.Document.ALL
)


async def hint(update: Update, context: BotContext) -> None:
    """Explain that the bot understands text questions."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.MEDIA_HINT)
