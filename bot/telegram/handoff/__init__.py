"""Consultations in Telegram: the request and intake, advisors, booking, a user's data.

Other parts of the adapter use only the names below: the entry to the intake (/start's deep link),
the rendering of a text that continued a consultation (the question handler), safe delivery to
another person's chat, and what the jobs module schedules: the reminder sweep and planner, and
withdrawing the advisors' messages about purged cases.
"""

from bot.telegram.handoff.delivery import deliver
from bot.telegram.handoff.intake import continue_consultation, start_intake
from bot.telegram.handoff.notify import DELETED_AFTER_RETENTION, withdraw_notices
from bot.telegram.handoff.reminders import schedule_reminders, send_reminders

__all__ = [
    "DELETED_AFTER_RETENTION",
    "continue_consultation",
    "deliver",
    "schedule_reminders",
    "send_reminders",
    "start_intake",
    "withdraw_notices",
]
