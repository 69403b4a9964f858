"""Digitalteam-Assistent: the application (settings, retrieval, answers, engine and adapters)."""
