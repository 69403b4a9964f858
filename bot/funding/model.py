"""The ``programme:`` block of a funding document, validated by pydantic.

Every fact carries the source it comes from: ``source`` is the 1-based position of an entry in
the document's ``sources:`` list (or a list of positions, or the entry's URL). A fact nobody could
confirm is simply left out; it is shown as "nicht belegt", never guessed. ``uncertain: true``
marks a fact the document itself calls unconfirmed (it then never decides a verdict alone).

Example::

    programme:
      id: heimat-scheck
      name: Heimat-Scheck
      funder: {value: "Land NRW (Heimatministerium)", source: 1}
      region: {value: NRW, source: 2}
      applicants:
        allowed: {value: [Verein, Privatperson], source: 2}
        excluded: {value: [Kommune, kommunales Museum], source: 2}
      purposes: {value: [heimatfoerderung, website, video], source: 1}
      amount:
        fixed: {value: 2000, source: 1}
      own_share: {value: 0, source: 2}
      project_costs:
        min: {value: 2000, source: 2}
      deadlines:
        - {from: 2024-11-01, until: 2025-10-31, label: "Antragsfenster 2024/25", source: 2}
      may_start_early: {value: nein, source: 2}
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

T = TypeVar("T")


class Applicant(StrEnum):
    """Who applies: the fixed vocabulary of applicant types."""

    VEREIN = "Verein"
    KOMMUNE = "Kommune"
    KOMMUNALES_MUSEUM = "kommunales Museum"
    PRIVATES_MUSEUM = "privates Museum"
    STIFTUNG = "Stiftung"
    GEDENKSTAETTE = "Gedenkstätte"
    PRIVATPERSON = "Privatperson"
    KIRCHENGEMEINDE = "Kirchengemeinde"


Region = Literal["NRW", "Westfalen-Lippe", "LEADER-Region", "Kreis", "Bund", "EU"]
StartEarly = Literal["ja", "nein", "auf Antrag"]
SourceRef = int | str | list[int]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Sourced(_Strict, Generic[T]):
    """One fact and where it comes from."""

    value: T
    source: SourceRef
    uncertain: bool = False
    note: str = ""


class Rate(_Strict):
    """A percentage (maximum rate or own share), optionally different per applicant type."""

    value: int = Field(ge=0, le=100)
    source: SourceRef
    by_applicant: dict[Applicant, int] = Field(default_factory=dict)
    uncertain: bool = False
    note: str = ""

    def for_applicant(self, applicant: Applicant) -> int:
        return self.by_applicant.get(applicant, self.value)


class Applicants(_Strict):
    """Who may apply, who may not, and who may use the programme through someone else."""

    allowed: Sourced[list[Applicant]] | None = None
    excluded: Sourced[list[Applicant]] | None = None
    via: Sourced[dict[Applicant, Applicant]] | None = None

    @model_validator(mode="after")
    def _disjoint(self) -> Applicants:
        allowed = set(self.allowed.value if self.allowed else ())
        excluded = set(self.excluded.value if self.excluded else ())
        if allowed & excluded:
            raise ValueError(f"zugleich erlaubt und ausgeschlossen: {sorted(allowed & excluded)}")
        return self


class Amount(_Strict):
    """What the programme pays: a fixed sum, or a range."""

    fixed: Sourced[int] | None = None
    min: Sourced[int] | None = None
    max: Sourced[int] | None = None


class CostLimits(_Strict):
    """Limits on the project's eligible costs."""

    min: Sourced[int] | None = None
    max: Sourced[int] | None = None


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class Deadline(_Strict):
    """One deadline: a dated window, a yearly date (``yearly: "08-31"``) or ``laufend``."""

    start: date | None = Field(default=None, alias="from")
    until: date | None = None
    yearly: str | None = None
    laufend: bool = False
    label: str = ""
    source: SourceRef
    uncertain: bool = False

    @field_validator("yearly")
    @classmethod
    def _month_day(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _MONTH_DAY.match(value)
        if not match:
            raise ValueError("yearly muss MM-TT sein, z. B. 08-31")
        date(2024, int(match.group(1)), int(match.group(2)))  # raises on 02-30 and the like
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Deadline:
        kinds = [self.until is not None, self.yearly is not None, self.laufend]
        if sum(kinds) != 1:
            raise ValueError("eine Frist ist genau eins von: until (mit from), yearly, laufend")
        if self.start and (self.until is None or self.start > self.until):
            raise ValueError("from braucht ein späteres until")
        return self


class Condition(_Strict):
    """A requirement the data cannot decide (the user has to check it): always ``prüfen``."""

    text: str
    source: SourceRef


class Programme(_Strict):
    """A funding programme as described by one knowledge document."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: str = Field(min_length=2, max_length=80)
    funder: Sourced[str] | None = None
    region: Sourced[Region] | None = None
    applicants: Applicants = Applicants()
    purposes: Sourced[list[str]] | None = None
    amount: Amount = Amount()
    financing: Sourced[str] | None = None
    max_rate: Rate | None = None
    own_share: Rate | None = None
    project_costs: CostLimits = CostLimits()
    deadlines: list[Deadline] = Field(default_factory=list)
    may_start_early: Sourced[StartEarly] | None = None
    advice_required: Sourced[bool] | None = None
    conditions: list[Condition] = Field(default_factory=list)

    @field_validator("purposes")
    @classmethod
    def _tags(cls, value: Sourced[list[str]] | None) -> Sourced[list[str]] | None:
        if value is not None:
            bad = [t for t in value.value if not re.fullmatch(r"[a-z0-9äöüß-]+", t)]
            if bad:
                raise ValueError(f"Zwecke sind Tags in Kleinbuchstaben: {bad}")
        return value

    def source_refs(self) -> list[SourceRef]:
        """Every ``source`` reference in the block (for validation against ``sources:``)."""
        refs: list[SourceRef] = []

        def walk(node: object) -> None:
            if isinstance(node, BaseModel):
                if "source" in type(node).model_fields:
                    refs.append(node.source)  # type: ignore[attr-defined]
                for name in type(node).model_fields:
                    walk(getattr(node, name))
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self)
        return refs


_ALIASES = {
    "verein": Applicant.VEREIN,
    "heimatverein": Applicant.VEREIN,
    "museumsverein": Applicant.VEREIN,
    "förderverein": Applicant.VEREIN,
    "foerderverein": Applicant.VEREIN,
    "kommune": Applicant.KOMMUNE,
    "stadt": Applicant.KOMMUNE,
    "gemeinde": Applicant.KOMMUNE,
    "kreis": Applicant.KOMMUNE,
    "kommunales museum": Applicant.KOMMUNALES_MUSEUM,
    "städtisches museum": Applicant.KOMMUNALES_MUSEUM,
    "privates museum": Applicant.PRIVATES_MUSEUM,
    "stiftung": Applicant.STIFTUNG,
    "gedenkstätte": Applicant.GEDENKSTAETTE,
    "gedenkstaette": Applicant.GEDENKSTAETTE,
    "privatperson": Applicant.PRIVATPERSON,
    "kirchengemeinde": Applicant.KIRCHENGEMEINDE,
}


def parse_applicant(text: str) -> Applicant | None:
    """An applicant type from user text ("Heimatverein", "kommunales-museum"), None if unknown."""
    key = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    return _ALIASES.get(key)
