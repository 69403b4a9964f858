"""Validation of intake answers with German hints for the user."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,}$"
)
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()/.-]+$")

PHONE_HINT = (
    "Das sieht nicht wie eine Telefonnummer aus. Bitte geben Sie die Nummer mit Vorwahl an, "
    "zum Beispiel 0251 591-0 oder +49 251 5910."
)
EMAIL_HINT = (
    "Das sieht nicht wie eine E-Mail-Adresse aus. Bitte geben Sie sie vollständig an, "
    "zum Beispiel name@museum-beispiel.de."
)


@dataclass(frozen=True)
class Checked:
    """A cleaned value, or a German hint why the input was not accepted."""

    value: str = ""
    hint: str | None = None

    @property
    def ok(self) -> bool:
        return self.hint is None


def clean_text(text: str) -> str:
    """Collapse whitespace and drop control characters."""
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


def check_free_text(text: str, *, label: str, min_chars: int, max_chars: int) -> Checked:
    """A free-text answer within length bounds."""
    value = clean_text(text)
    if len(value) < min_chars or not any(ch.isalnum() for ch in value):
        return Checked(hint=f"Bitte geben Sie {label} an (mindestens {min_chars} Zeichen).")
    if len(value) > max_chars:
        return Checked(
            hint=f"Das ist leider zu lang. Bitte fassen Sie {label} in höchstens "
            f"{max_chars} Zeichen zusammen."
        )
    return Checked(value=value)


def check_phone(text: str) -> Checked:
    """A German or international phone number: 6 to 15 digits, with optional +, spaces, / and -."""
    value = clean_text(text)
    digits = re.sub(r"\D", "", value)
    if not value or not _PHONE_CHARS.match(value) or not 6 <= len(digits) <= 15:
        return Checked(hint=PHONE_HINT)
    if not (value.startswith("+") or value.startswith("0") or value.startswith("(0")):
        return Checked(hint=PHONE_HINT)
    return Checked(value=value)


def check_email(text: str) -> Checked:
    """An e-mail address of plausible shape (no spaces, one @, a domain with a dot)."""
    value = clean_text(text)
    if len(value) > 254 or not _EMAIL.match(value):
        return Checked(hint=EMAIL_HINT)
    return Checked(value=value)
