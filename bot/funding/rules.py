"""Matching a project against the programmes: one German reason line per condition.

Each condition yields ``passt``, ``prüfen`` (the data cannot decide it) or ``passt nicht``; a
``hinweis`` line informs without deciding. The verdict of a programme is its worst condition.
A fact the document calls unconfirmed (``uncertain``) never rules a programme out on its own:
it turns ``passt nicht`` into ``prüfen``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.funding.catalog import Catalog, Entry
from bot.funding.deadlines import NextDeadline, next_deadline
from bot.funding.model import Applicant, Programme, Rate, SourceRef
from bot.funding.purpose import PurposeEvidence
from bot.funding.regions import part_of_nrw
from ingest.sources import Source


class Verdict(StrEnum):
    PASST = "passt"
    PRUEFEN = "prüfen"
    PASST_NICHT = "passt nicht"


HINWEIS = "hinweis"
_ORDER = {Verdict.PASST: 0, Verdict.PRUEFEN: 1, Verdict.PASST_NICHT: 2}

PLURAL = {
    Applicant.VEREIN: "Vereine",
    Applicant.KOMMUNE: "Kommunen",
    Applicant.KOMMUNALES_MUSEUM: "Kommunale Museen",
    Applicant.PRIVATES_MUSEUM: "Private Museen",
    Applicant.STIFTUNG: "Stiftungen",
    Applicant.GEDENKSTAETTE: "Gedenkstätten",
    Applicant.PRIVATPERSON: "Privatpersonen",
    Applicant.KIRCHENGEMEINDE: "Kirchengemeinden",
}
_THROUGH = {Applicant.KOMMUNE: "ihre Kommune"}


def euro(value: float) -> str:
    """German amount: 2000 -> '2.000 €'."""
    return f"{round(value):,} €".replace(",", ".")


@dataclass(frozen=True)
class Query:
    """What the user asked: who applies, what for, how much it costs, where."""

    applicant: Applicant
    purpose: str
    budget: int | None = None
    region: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "applicant": self.applicant.value,
            "purpose": self.purpose,
            "budget": self.budget,
            "region": self.region,
        }


@dataclass(frozen=True)
class Reason:
    level: str  # a Verdict value or "hinweis"
    text: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Money:
    """What the project could get and what it brings itself."""

    fixed: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    rate: int | None = None
    estimate: int | None = None
    text: str = "nicht belegt"
    own_percent: int | None = None
    own_eur: int | None = None
    own_text: str = "nicht belegt"


@dataclass(frozen=True)
class Match:
    """The verdict on one programme for one query."""

    entry: Entry
    verdict: Verdict
    reasons: tuple[Reason, ...]
    money: Money
    deadline: NextDeadline
    purpose_found: bool = field(default=False)

    def to_json(self) -> dict[str, object]:
        programme = self.entry.programme
        money = self.money
        return {
            "programme": programme.name,
            "programme_id": programme.id,
            "document": self.entry.document,
            "funder": programme.funder.value if programme.funder else None,
            "verdict": self.verdict.value,
            "reasons": [r.text for r in self.reasons],
            "checks": [
                {"level": r.level, "text": r.text, "sources": [s.url for s in r.sources]}
                for r in self.reasons
            ],
            "amount": {
                "fixed": money.fixed,
                "min": money.minimum,
                "max": money.maximum,
                "max_rate": money.rate,
                "estimate": money.estimate,
                "text": money.text,
            },
            "own_share": {
                "percent": money.own_percent,
                "eur": money.own_eur,
                "text": money.own_text,
            },
            "next_deadline": self.deadline.to_json(),
            "sources": [{"title": s.title, "url": s.url} for s in all_sources(self.entry)],
        }


def all_sources(entry: Entry) -> list[Source]:
    """The sources the block cites, each once, in the order of ``sources:``."""
    cited = {s.url for ref in entry.programme.source_refs() for s in entry.resolve(ref)}
    return [s for s in entry.sources if s.url in cited]


class _Checks:
    def __init__(self, entry: Entry) -> None:
        self.entry = entry
        self.reasons: list[Reason] = []

    def add(
        self, level: str, text: str, ref: SourceRef | None = None, *, uncertain: bool = False
    ) -> None:
        if uncertain and level == Verdict.PASST_NICHT:
            level, text = Verdict.PRUEFEN, f"{text} (Angabe nicht bestätigt)"
        sources = tuple(self.entry.resolve(ref)) if ref is not None else ()
        self.reasons.append(Reason(level, text, sources))


def _applicant(checks: _Checks, programme: Programme, who: Applicant) -> None:
    group, applicants = PLURAL[who], programme.applicants
    note = lambda field: f" ({field.note})" if field.note else ""  # noqa: E731
    if applicants.excluded and who in applicants.excluded.value:
        field_ = applicants.excluded
        checks.add(
            Verdict.PASST_NICHT,
            f"{group} sind nicht antragsberechtigt{note(field_)}",
            field_.source,
            uncertain=field_.uncertain,
        )
    elif applicants.via and who in applicants.via.value:
        through = applicants.via.value[who]
        checks.add(
            Verdict.PRUEFEN,
            f"{group} beantragen nicht selbst, sondern über {_THROUGH.get(through, through)}"
            f"{note(applicants.via)}",
            applicants.via.source,
        )
    elif applicants.allowed and who in applicants.allowed.value:
        checks.add(Verdict.PASST, f"{group} sind antragsberechtigt", applicants.allowed.source)
    else:
        checks.add(Verdict.PRUEFEN, f"Ob {group} antragsberechtigt sind: nicht belegt")


def _region(checks: _Checks, programme: Programme, region: str | None) -> None:
    if programme.region is None or not region:
        return
    area, where = programme.region.value, part_of_nrw(region)
    if area in ("Bund", "EU") or (area == "NRW" and where is not None):
        checks.add(Verdict.PASST, f"Fördergebiet {area} umfasst {region}", programme.region.source)
    elif area == "Westfalen-Lippe" and where == "Westfalen-Lippe":
        checks.add(Verdict.PASST, f"{region} liegt in Westfalen-Lippe", programme.region.source)
    elif area == "Westfalen-Lippe" and where == "Rheinland":
        checks.add(
            Verdict.PASST_NICHT,
            f"Nur für Westfalen-Lippe, {region} liegt im Rheinland",
            programme.region.source,
        )
    else:
        checks.add(
            Verdict.PRUEFEN,
            f"Ob {region} im Fördergebiet ({area}) liegt, bitte prüfen",
            programme.region.source,
        )


def _purpose(checks: _Checks, entry: Entry, evidence: PurposeEvidence) -> bool:
    purposes = entry.programme.purposes
    found, tags = evidence.matches(entry.document, purposes.value if purposes else [])
    if tags and purposes:
        checks.add(
            Verdict.PASST, f"Zweck passt zu den Förderzwecken: {', '.join(tags)}", purposes.source
        )
    elif found:
        checks.add(Verdict.PASST, f"Zweck „{evidence.text}“ kommt in der Programmbeschreibung vor")
    else:
        checks.add(
            Verdict.PRUEFEN, f"Zweck „{evidence.text}“ ist nicht unter den belegten Förderzwecken"
        )
    return bool(tags) or found


def _costs(checks: _Checks, programme: Programme, budget: int | None) -> None:
    low, high = programme.project_costs.min, programme.project_costs.max
    if low is not None:
        if budget is None:
            checks.add(
                Verdict.PRUEFEN,
                f"Projektkosten nicht angegeben; nötig sind mindestens {euro(low.value)}",
                low.source,
            )
        elif budget < low.value:
            checks.add(
                Verdict.PASST_NICHT,
                f"Projektkosten unter {euro(low.value)}",
                low.source,
                uncertain=low.uncertain,
            )
        else:
            checks.add(
                Verdict.PASST,
                f"Projektkosten erreichen das Minimum von {euro(low.value)}",
                low.source,
            )
    if high is not None and budget is not None:
        if budget > high.value:
            checks.add(
                Verdict.PASST_NICHT,
                f"Projektkosten über {euro(high.value)}",
                high.source,
                uncertain=high.uncertain,
            )
        else:
            checks.add(
                Verdict.PASST,
                f"Projektkosten innerhalb der Obergrenze von {euro(high.value)}",
                high.source,
            )


def _rate(rate: Rate | None, who: Applicant) -> int | None:
    return rate.for_applicant(who) if rate is not None else None


def money_for(programme: Programme, query: Query) -> Money:
    """The amount the project could get and its own share (only from what the block confirms)."""
    amount, budget, who = programme.amount, query.budget, query.applicant
    fixed = amount.fixed.value if amount.fixed else None
    low = amount.min.value if amount.min else None
    high = amount.max.value if amount.max else None
    rate = _rate(programme.max_rate, who)
    estimate: int | None = None
    if fixed is not None:
        estimate, text = fixed, f"Festbetrag {euro(fixed)}"
    elif rate is not None and budget is not None:
        estimate = round(budget * rate / 100)
        text = f"bis zu {rate} % von {euro(budget)} = {euro(estimate)}"
        if high is not None and estimate > high:
            estimate, text = high, f"höchstens {euro(high)} (Obergrenze)"
    elif high is not None:
        text = f"bis zu {euro(high)}"
    elif rate is not None:
        text = f"bis zu {rate} % der förderfähigen Kosten"
    else:
        text = "nicht belegt"
    if high is not None and fixed is None and "Obergrenze" not in text and estimate is not None:
        text += f" (höchstens {euro(high)})"
    if amount.min is not None and fixed is None:
        note = f" ({amount.min.note})" if amount.min.note else ""
        text += f"; Förderung ab {euro(amount.min.value)}{note}"
    if any(f is not None and f.uncertain for f in (amount.fixed, amount.min, amount.max)):
        text += " (Grenzen nicht bestätigt)"
    own = _rate(programme.own_share, who)
    own_text, own_eur = "nicht belegt", None
    if own is not None:
        own_text = "kein Eigenanteil verlangt" if own == 0 else f"mindestens {own} %"
        if budget is not None and own:
            own_eur = round(budget * own / 100)
            own_text += f" = {euro(own_eur)}"
        if programme.own_share is not None and programme.own_share.note:
            own_text += f" ({programme.own_share.note})"
    elif rate is not None:
        own = 100 - rate
        own_text = f"mindestens {own} % (aus der Förderquote abgeleitet)"
        if budget is not None:
            own_eur = round(budget * own / 100)
            own_text = f"mindestens {own} % = {euro(own_eur)} (aus der Förderquote abgeleitet)"
    if fixed is not None and budget is not None and budget > fixed:
        own_text += f"; die übrigen {euro(budget - fixed)} tragen Sie oder andere Geldgeber"
    return Money(fixed, low, high, rate, estimate, text, own, own_eur, own_text)


def _amount_floor(checks: _Checks, programme: Programme, money: Money, budget: int | None) -> None:
    """A grant minimum is soft (it may refer to the grant or the costs): ``prüfen``."""
    low = programme.amount.min
    basis = money.estimate if money.estimate is not None else budget
    if low is not None and basis is not None and basis < low.value:
        note = f" ({low.note})" if low.note else ""
        checks.add(Verdict.PRUEFEN, f"Förderung erst ab {euro(low.value)}{note}", low.source)


def _deadline(checks: _Checks, next_: NextDeadline) -> None:
    if next_.due is not None:
        level = Verdict.PRUEFEN if next_.due.uncertain else Verdict.PASST
        checks.reasons.append(Reason(level, f"Nächste Frist: {next_.text()}", next_.due.sources))
    elif next_.laufend:
        checks.add(Verdict.PASST, "Anträge sind laufend möglich")
    else:
        checks.add(Verdict.PRUEFEN, f"Antragsfrist: {next_.text()}")


def match_entry(entry: Entry, query: Query, evidence: PurposeEvidence, today: date) -> Match:
    """Check one programme against the query."""
    programme, checks = entry.programme, _Checks(entry)
    _applicant(checks, programme, query.applicant)
    _region(checks, programme, query.region)
    found = _purpose(checks, entry, evidence)
    _costs(checks, programme, query.budget)
    money = money_for(programme, query)
    _amount_floor(checks, programme, money, query.budget)
    deadline = next_deadline(entry, today)
    _deadline(checks, deadline)
    for condition in programme.conditions:
        checks.add(Verdict.PRUEFEN, condition.text, condition.source)
    if programme.advice_required and programme.advice_required.value:
        checks.add(HINWEIS, "Beratung vor dem Antrag ist Pflicht", programme.advice_required.source)
    if programme.may_start_early is not None:
        start = programme.may_start_early
        text = {
            "nein": "Beginn erst nach der Bewilligung",
            "auf Antrag": "Vorzeitiger Beginn nur auf Antrag",
            "ja": "Vorzeitiger Beginn möglich",
        }[start.value]
        checks.add(HINWEIS, text, start.source)
    levels = [Verdict(r.level) for r in checks.reasons if r.level != HINWEIS]
    verdict = max(levels, key=_ORDER.__getitem__, default=Verdict.PRUEFEN)
    return Match(entry, verdict, tuple(checks.reasons), money, deadline, found)


def rank(catalog: Catalog, query: Query, evidence: PurposeEvidence, today: date) -> list[Match]:
    """All programmes, best first: verdict, purpose found, fewer open points, larger amount."""
    matches = [match_entry(entry, query, evidence, today) for entry in catalog.entries]

    def key(m: Match) -> tuple[int, int, int, int]:
        open_points = sum(r.level == Verdict.PRUEFEN for r in m.reasons)
        return (_ORDER[m.verdict], not m.purpose_found, open_points, -(m.money.estimate or 0))

    return sorted(matches, key=key)
