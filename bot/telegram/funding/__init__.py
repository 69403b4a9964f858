"""The Förder-Finder in Telegram: /foerderung with buttons for applicant, purpose and budget."""
