"""Why a consultation was requested: /termin, the button, a 👎, an unanswered question or a wish."""

from __future__ import annotations

from sqlalchemy import select

from bot.handoff.brief import TurnLike
from bot.store.database import Database
from bot.store.models import Feedback


def classify(
    db: Database,
    conversation_id: str,
    last_turn: TurnLike | None,
    *,
    via_command: bool,
    wants_person: bool,
) -> tuple[str, str]:
    """(trigger, wish): the trigger key of the brief and the user's last question as the wish."""
    if via_command:
        return "termin", ""
    if last_turn is None:
        return "button", ""
    wish = last_turn.question
    with db.session() as session:
        disliked = session.scalar(
            select(Feedback.id).where(
                Feedback.conversation_id == conversation_id,
                Feedback.question == last_turn.question,
                Feedback.rating < 0,
            )
        )
    if disliked is not None:
        return "thumbs_down", wish
    if wants_person:
        return "wish", wish
    if not last_turn.answerable:
        return "unanswered", wish
    return "button", wish
