"""Who the advisors are (DT_ADVISOR_IDS, DT_ADVISOR_CHAT_ID)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Advisors:
    """The configured advisors and the chat where case notifications go."""

    ids: frozenset[int]
    chat_id: int | None = None

    @classmethod
    def of(cls, ids: Iterable[int], chat_id: int | None = None) -> Advisors:
        return cls(frozenset(ids), chat_id)

    def is_advisor(self, user_id: int | None) -> bool:
        """True for a configured advisor; logs refused attempts."""
        allowed = user_id is not None and user_id in self.ids
        if not allowed:
            log.warning("advisor action refused for user %s", user_id)
        return allowed

    def notification_targets(self) -> list[int]:
        """The advisors' chat if configured, otherwise every advisor's private chat."""
        if self.chat_id is not None:
            return [self.chat_id]
        return sorted(self.ids)
