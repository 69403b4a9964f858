"""Who runs the assistant: named by the operator's settings, never by the knowledge documents.

``DT_OPERATOR_NAME``, ``DT_OPERATOR_CONTACT`` and ``DT_OPERATOR_CONSULTATION`` (what kind of
consultation is offered) appear in /start, the privacy note and every consultation offer. Left
empty, the texts stay neutral instead of claiming an organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class OperatorSettings(Protocol):
    operator_name: str
    operator_contact: str
    operator_consultation: str


@dataclass(frozen=True)
class Operator:
    """The organisation that runs this assistant."""

    name: str = ""
    contact: str = ""
    consultation: str = ""  # e.g. "per Video oder Telefon"

    @classmethod
    def from_settings(cls, settings: OperatorSettings) -> Operator:
        return cls(
            name=settings.operator_name.strip(),
            contact=settings.operator_contact.strip(),
            consultation=settings.operator_consultation.strip(),
        )

    @property
    def team(self) -> str:
        """Who advises, as the object of a sentence: 'das Team von X' or a neutral phrase."""
        return f"das Beratungsteam von {self.name}" if self.name else "unser Beratungsteam"

    def consultation_offer(self) -> str:
        """'Gern vermittle ich Ihnen eine persönliche Beratung (per Video) durch …'."""
        kind = f" ({self.consultation})" if self.consultation else ""
        by = f" durch {self.team}" if self.name else ""
        return f"Gern vermittle ich Ihnen eine persönliche Beratung{kind}{by}."

    def signature(self) -> str:
        """'Betrieben von X. Kontakt: Y' – the parts that are configured ('' when none is)."""
        parts = []
        if self.name:
            parts.append(f"Dieser Assistent wird betrieben von {self.name}.")
        if self.contact:
            parts.append(f"Kontakt: {self.contact}")
        return " ".join(parts)
