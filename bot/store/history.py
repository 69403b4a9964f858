"""Conversation history in the database, so that follow-ups survive a bot restart."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.database import Database
from bot.store.models import ConversationTurn
from bot.store.turns import Turn


def recent_turns(session: Session, conversation_id: str, limit: int) -> list[Turn]:
    """The last ``limit`` turns of a conversation, oldest first, read in ``session``."""
    if limit <= 0:
        return []
    rows = session.scalars(
        select(ConversationTurn)
        .where(ConversationTurn.conversation_id == conversation_id)
        .order_by(ConversationTurn.id.desc())
        .limit(limit)
    ).all()
    return [
        Turn(
            question=row.question,
            standalone_query=row.standalone_query,
            answer=row.answer,
            sources=tuple(json.loads(row.sources or "[]")),
            answerable=row.answerable,
        )
        for row in reversed(rows)
    ]


class DbHistory:
    """HistoryStore over the conversation_turns table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def recent(self, conversation_id: str, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        with self._db.session() as session:
            return recent_turns(session, conversation_id, limit)

    def append(self, conversation_id: str, turn: Turn) -> int | None:
        with self._db.session() as session:
            row = ConversationTurn(
                conversation_id=conversation_id,
                question=turn.question,
                standalone_query=turn.standalone_query,
                answer=turn.answer,
                sources=json.dumps(list(turn.sources)),
                answerable=turn.answerable,
            )
            session.add(row)
            session.flush()  # assigns the id inside the same transaction
            return int(row.id)

    def reset(self, conversation_id: str) -> None:
        with self._db.session() as session:
            session.execute(
                delete(ConversationTurn).where(ConversationTurn.conversation_id == conversation_id)
            )
