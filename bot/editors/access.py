"""Who may edit the knowledge base: the Telegram user ids of ``DT_EDITOR_IDS``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Editors:
    """The configured editors; everyone else is refused editor actions."""

    ids: frozenset[int]

    @classmethod
    def of(cls, ids: Iterable[int]) -> Editors:
        return cls(frozenset(ids))

    def allows(self, user_id: int | None) -> bool:
        """True if ``user_id`` belongs to an editor."""
        return user_id is not None and user_id in self.ids


def actor_name(user_id: int, username: str | None = None) -> str:
    """Audit-log name of a Telegram editor: 'telegram:<id>' plus '@username' when known."""
    name = f"telegram:{user_id}"
    if username:
        name += f" (@{username[:32]})"
    return name
