"""Parsing of list settings: Telegram user ids and e-mail addresses, comma-separated or JSON."""

from __future__ import annotations

import json
import re
from typing import Any

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def _items(value: Any) -> list[Any]:
    """A JSON list, a comma-separated string or a list as it is."""
    if value is None:
        return []
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"invalid JSON list: {exc.msg}") from None
            if not isinstance(parsed, list):
                raise ValueError("expected a JSON list")
            return parsed
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, list | tuple | set):
        return list(value)
    raise ValueError("expected a comma-separated list or a JSON list")


def parse_id_list(value: Any) -> list[int]:
    """Telegram user ids from '1,2', '[1, 2]' or a list; raises ValueError naming the bad item."""
    ids: list[int] = []
    for item in _items(value):
        if isinstance(item, bool):
            raise ValueError(f"not a Telegram user id: {item!r}")
        try:
            number = int(str(item).strip())
        except ValueError:
            raise ValueError(f"not a Telegram user id: {item!r}") from None
        if number <= 0:
            raise ValueError(f"not a Telegram user id: {item!r}")
        if number not in ids:
            ids.append(number)
    return ids


def parse_email_list(value: Any) -> list[str]:
    """E-mail addresses from a comma-separated or JSON list."""
    emails = [str(item).strip() for item in _items(value)]
    for email in emails:
        if not _EMAIL.match(email):
            raise ValueError(f"not an e-mail address: {email!r}")
    return emails
