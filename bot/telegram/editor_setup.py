"""Registers the editors' handlers (documents, reports, weekly message) on the Application."""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram import editor_docs, editor_reports
from bot.telegram.editor_common import EditorTools


def register(application: Application) -> None:
    """Call before the media and fallback handlers, so that editors' documents win."""
    tools = EditorTools()
    editor_docs.register(application, tools)
    editor_reports.register(application, tools)
