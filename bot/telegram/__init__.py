"""Telegram adapter: the only package that imports ``telegram``; thin handlers over the engine."""
