"""Typed errors of the handoff and booking services; ``user_message`` is the German text to show.

``HandoffError``        base class (an ``InputRejected``: the adapter shows ``user_message``)
├── ``NotAuthorised``   the acting user is not allowed to do this (logged by the service)
├── ``StaleAction``     the case, slot or step changed since the button was sent
└── ``SlotTaken``       somebody else booked the slot first
"""

from __future__ import annotations

from bot.errors import InputRejected


class HandoffError(InputRejected):
    """A handoff or booking action that cannot be carried out."""


class NotAuthorised(HandoffError):
    """The user may not perform this action."""


class StaleAction(HandoffError):
    """The action refers to something that no longer exists or has changed."""


class SlotTaken(HandoffError):
    """The slot was booked by someone else."""
