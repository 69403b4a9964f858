"""Helpers for the editors' tests: a document service over a private copy of the fixture index."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.context import AppContext, build_context
from bot.editors.audit import AuditLog
from bot.editors.documents import DocumentService
from bot.settings import Settings
from bot.store.database import Database
from tests.conftest import SettingsFactory

TODAY = date(2026, 11, 26)


@dataclass
class EditorEnv:
    """Settings, app context, database and the document service of one test."""

    settings: Settings
    ctx: AppContext
    db: Database
    service: DocumentService

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.db)

    def snapshot(self) -> dict[str, str]:
        """Hashes of every file under the knowledge directory plus the manifest on disk."""
        files = {
            str(p.relative_to(self.settings.knowledge_dir)): hashlib.sha256(
                p.read_bytes()
            ).hexdigest()
            for p in sorted(self.settings.knowledge_dir.rglob("*"))
            if p.is_file()
        }
        manifest = self.settings.data_dir / "manifest.json"
        files["<manifest>"] = hashlib.sha256(manifest.read_bytes()).hexdigest()
        return files

    def chroma_ids(self) -> set[str]:
        return set(self.ctx.index.collection.get(include=[])["ids"])


def make_editor_env(settings_factory: SettingsFactory, tmp_path: Path) -> EditorEnv:
    """Declare a fixture ``editor_env`` with this in each test module that needs one."""
    settings = settings_factory(
        database_url=f"sqlite:///{tmp_path / 'editors.sqlite3'}", editor_ids="[42]"
    )
    ctx = build_context(settings)
    service = ctx.document_service(today=lambda: TODAY)
    return EditorEnv(settings, ctx, ctx.db, service)
