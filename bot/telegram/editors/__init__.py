"""The editors in Telegram: document upload and upkeep, the gap report, their rendering.

Nothing here is used by other packages; ``bot.telegram.handlers`` registers the handlers of
``documents`` and ``reports``, and the weekly message is a job in ``bot.telegram.jobs``.
"""
