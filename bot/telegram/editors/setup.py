"""Registers the editors' handlers (documents, reports, weekly message) on the Application."""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram.editors import documents, reports
from bot.telegram.editors.access import EditorTools


def register(application: Application) -> None:
    """Call before the media and fallback handlers, so that editors' documents win."""
    tools = EditorTools()
    documents.register(application, tools)
    reports.register(application, tools)
