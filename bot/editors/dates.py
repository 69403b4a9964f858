"""Dates as editors type them: '31.12.2027', '31.12.27' or '2027-12-31'."""

from __future__ import annotations

import re
from datetime import date

_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")


def parse_user_date(text: str) -> date | None:
    """The date in ``text`` or None if it is not a valid date in one of the accepted forms."""
    text = text.strip()
    match = _GERMAN.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year + 2000 if year < 100 else year, month, day)
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None
