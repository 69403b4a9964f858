"""The editors in Telegram: documents, reports and their rendering."""
