"""Short-term conversation memory: the last few turns per conversation id."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

from bot.store.turns import Turn

__all__ = ["HistoryStore", "MemoryHistory", "Turn"]


class HistoryStore(Protocol):
    """Where turns are kept; in memory here, in the database for the Telegram bot."""

    def recent(self, conversation_id: str, limit: int) -> list[Turn]:
        """The last ``limit`` turns, oldest first."""
        ...

    def append(self, conversation_id: str, turn: Turn) -> int | None:
        """Record a turn; return its id where the store gives turns ids."""
        ...

    def reset(self, conversation_id: str) -> None:
        """Forget the conversation."""
        ...


class MemoryHistory:
    """Bounded in-process history (least recently used conversations are dropped first)."""

    def __init__(self, max_turns: int = 6, max_conversations: int = 10_000) -> None:
        self._turns: OrderedDict[str, list[Turn]] = OrderedDict()
        self._max_turns = max_turns
        self._max_conversations = max_conversations
        self._lock = threading.Lock()

    def recent(self, conversation_id: str, limit: int) -> list[Turn]:
        with self._lock:
            turns = self._turns.get(conversation_id, [])
            return list(turns[-limit:]) if limit > 0 else []

    def append(self, conversation_id: str, turn: Turn) -> int | None:
        with self._lock:
            turns = self._turns.setdefault(conversation_id, [])
            turns.append(turn)
            del turns[: -self._max_turns]
            self._turns.move_to_end(conversation_id)
            while len(self._turns) > self._max_conversations:
                self._turns.popitem(last=False)
        return None

    def reset(self, conversation_id: str) -> None:
        with self._lock:
            self._turns.pop(conversation_id, None)
