"""Questions and answers in Telegram: commands, questions, 👍/👎, /themen, media hints.

Outside this package only the menu of commands is used (``bot_commands``, set in ``post_init``);
``bot.telegram.handlers`` registers the handlers of its modules.
"""

from bot.telegram.chat.commands import bot_commands

__all__ = ["bot_commands"]
