"""Which messages are meant for the bot: all in private chats, in groups only mentions and replies."""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.constants import ChatType
from telegram.ext import filters


def _mentions(message: Message, username: str) -> bool:
    target = f"@{username}".casefold()
    entities = message.parse_entities([MessageEntity.MENTION]) or message.parse_caption_entities(
        [MessageEntity.MENTION]
    )
    return any(text.casefold() == target for text in entities.values())


def is_addressed(message: Message) -> bool:
    """True in private chats; in groups when the bot is mentioned or replied to."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    bot = message.get_bot()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    return bool(bot.username) and _mentions(message, bot.username)


def question_text(message: Message) -> str:
    """The message text without mentions of the bot."""
    text = message.text or ""
    username = message.get_bot().username
    if message.chat.type == ChatType.PRIVATE or not username:
        return text
    target = f"@{username}".casefold()
    for _entity, value in sorted(
        message.parse_entities([MessageEntity.MENTION]).items(),
        key=lambda item: item[0].offset,
        reverse=True,
    ):
        if value.casefold() == target:
            # Entity offsets are UTF-16; parse_entities already gave us the exact substring.
            index = text.rfind(value)
            if index >= 0:
                text = text[:index] + text[index + len(value) :]
    return " ".join(text.split())


class _Addressed(filters.MessageFilter):
    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return is_addressed(message)


ADDRESSED = _Addressed(name="ADDRESSED")
"""Filter: the message is meant for the bot."""
