"""Human handoff: consultation intake, case briefs, advisor notification, claiming and privacy.

Messenger-independent: the Telegram adapter renders the data these services return.
"""
