"""Förder-Finder: structured programme data from the funding documents, matching and deadlines."""

from bot.funding.catalog import Catalog, Entry, FundingDataError, load_catalog
from bot.funding.deadlines import Due, NextDeadline, next_deadline, upcoming
from bot.funding.model import Applicant, Programme
from bot.funding.purpose import PurposeEvidence, find_purpose
from bot.funding.rules import Match, Query, Verdict, rank

__all__ = [
    "Applicant",
    "Catalog",
    "Due",
    "Entry",
    "FundingDataError",
    "Match",
    "NextDeadline",
    "Programme",
    "PurposeEvidence",
    "Query",
    "Verdict",
    "find_purpose",
    "load_catalog",
    "next_deadline",
    "rank",
    "upcoming",
]
