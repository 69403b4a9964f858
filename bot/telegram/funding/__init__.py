"""The Förder-Finder in Telegram: /foerderung with buttons for applicant, purpose and budget."""

from bot.telegram.funding.reminders import send_deadline_reminders

__all__ = ["send_deadline_reminders"]
