"""Consultations in Telegram: the request and intake, advisors, booking, a user's data.

Other parts of the adapter use only the names below: the entry to the intake (/start's deep link),
the rendering of a text that continued a consultation (the question handler),
safe delivery to another person's chat and the one-line form of a booking (the reminder job).
"""

from bot.telegram.handoff.delivery import deliver
from bot.telegram.handoff.intake import continue_consultation, start_intake
from bot.telegram.handoff.render import booking_line

__all__ = ["booking_line", "continue_consultation", "deliver", "start_intake"]
