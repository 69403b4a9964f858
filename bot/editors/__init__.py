"""Editors' tools: authorisation, document upload and retirement, freshness, gap report, audit.

Messenger-independent: the Telegram handlers and the CLI both call these services.
"""
