"""Conversation history in the database, so that follow-ups survive a bot restart."""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from bot.store.database import Database
from bot.store.models import ConversationTurn
from bot.store.turns import Turn


class DbHistory:
    """HistoryStore over the conversation_turns table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def recent(self, conversation_id: str, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        with self._db.session() as session:
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

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._db.session() as session:
            session.add(
                ConversationTurn(
                    conversation_id=conversation_id,
                    question=turn.question,
                    standalone_query=turn.standalone_query,
                    answer=turn.answer,
                    sources=json.dumps(list(turn.sources)),
                    answerable=turn.answerable,
                )
            )

    def reset(self, conversation_id: str) -> None:
        with self._db.session() as session:
            session.execute(
                delete(ConversationTurn).where(ConversationTurn.conversation_id == conversation_id)
            )
