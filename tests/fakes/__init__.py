"""Fakes at the edges: local HTTP servers standing in for Telegram and an OpenAI-compatible LLM."""
