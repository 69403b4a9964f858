"""Audit log of editor actions over the ``audit_log`` table: who added, replaced or removed what."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from bot.store.database import Database
from bot.store.models import AuditEntry


class AuditAction(StrEnum):
    """Editor actions that change the knowledge base."""

    ADD = "add"
    REPLACE = "replace"
    REMOVE = "remove"
    UPDATE_META = "update_meta"


@dataclass(frozen=True)
class AuditRecord:
    """One audit entry as read back."""

    when: datetime
    actor: str
    action: str
    document: str
    details: dict[str, Any]

    def to_json(self) -> dict[str, object]:
        return {
            "when": self.when.isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action,
            "document": self.document,
            "details": self.details,
        }


def _details(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return {"text": raw}
    return data if isinstance(data, dict) else {"value": data}


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; the store writes UTC only."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class AuditLog:
    """Append and read editor actions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self, actor: str, action: AuditAction, document: str, details: dict[str, Any] | None = None
    ) -> None:
        """Append one entry (actor and document are cut to their column sizes)."""
        with self._db.session() as session:
            session.add(
                AuditEntry(
                    actor=actor[:80],
                    action=action.value,
                    document=document[:500],
                    details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
                )
            )

    def entries(self, limit: int = 50, since: datetime | None = None) -> list[AuditRecord]:
        """The newest entries first."""
        query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        if since is not None:
            query = query.where(AuditEntry.created_at >= since)
        with self._db.session() as session:
            rows = session.scalars(query.limit(limit)).all()
        return [
            AuditRecord(
                when=_aware(row.created_at),
                actor=row.actor,
                action=row.action,
                document=row.document,
                details=_details(row.details),
            )
            for row in rows
        ]
