"""Consultations in Telegram: the request and intake, advisors, booking, a user's data."""
