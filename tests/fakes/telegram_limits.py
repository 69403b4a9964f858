"""Telegram's rules for what a bot may send, as the fake Bot API enforces them.

An independent implementation (not the bot's own ``render`` module), so that tests catch the
bot producing HTML or keyboards the real Telegram would reject.
"""

from __future__ import annotations

import html
import re
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200

# Tag -> attributes it may carry.
ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"<>]*\"|='[^'<>]*')?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:=(\"[^\"<>]*\"|'[^'<>]*'))?")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class Rejected(ValueError):
    """A request Telegram would answer with 400 Bad Request; the message is Telegram's wording."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """Validate Telegram HTML; return the plain text Telegram would show."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            match = _TAG.match(text, i)
            if match is None:
                raise Rejected(f"Can't parse entities: unclosed start tag at byte offset {i}")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise Rejected(f'Can\'t parse entities: unsupported start tag "{name}"')
            if closing:
                if attrs.strip():
                    raise Rejected("Can't parse entities: end tag with attributes")
                if not stack or stack[-1] != name:
                    raise Rejected(f'Can\'t parse entities: unmatched end tag "{name}"')
                stack.pop()
            else:
                _check_attrs(name, attrs)
                if name == "a" and "a" in stack:
                    raise Rejected("Can't parse entities: nested links")
                if (
                    stack
                    and stack[-1] in ("code", "pre")
                    and not (stack[-1] == "pre" and name == "code")
                ):
                    raise Rejected("Can't parse entities: entities inside code")
                stack.append(name)
            i = match.end()
        elif ch == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise Rejected(f"Can't parse entities: unsupported entity at byte offset {i}")
            out.append(html.unescape(match.group(0)))
            i = match.end()
        elif ch == ">":
            raise Rejected(f"Can't parse entities: unexpected '>' at byte offset {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise Rejected(f"Can't parse entities: can't find end tag corresponding to \"{stack[-1]}\"")
    return "".join(out)


def _check_attrs(name: str, attrs: str) -> None:
    found = {m.group(1).lower(): (m.group(2) or "")[1:-1] for m in _ATTR.finditer(attrs)}
    unknown = set(found) - ALLOWED_TAGS[name]
    if unknown:
        raise Rejected(f"Can't parse entities: unsupported attribute {sorted(unknown)[0]}")
    if name == "a":
        href = html.unescape(found.get("href", ""))
        if not href.startswith(("http://", "https://", "tg://", "mailto:")):
            raise Rejected("Can't parse entities: invalid URL in a link")
    if name == "span" and found.get("class") != "tg-spoiler":
        raise Rejected("Can't parse entities: span without tg-spoiler class")


def check_text(text: Any, parse_mode: Any, limit: int = MAX_TEXT, *, required: bool = True) -> str:
    """The visible text of a message; Rejected when empty, too long or malformed."""
    if text is None:
        if required:
            raise Rejected("Bad Request: message text is empty")
        return ""
    plain = parse_html(str(text)) if parse_mode == "HTML" else str(text)
    if parse_mode not in (None, "", "HTML"):
        raise Rejected(f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
    if required and not plain.strip():
        raise Rejected("Bad Request: message text is empty")
    if utf16_len(plain) > limit:
        raise Rejected("Bad Request: message is too long")
    return plain


def check_markup(markup: Any) -> None:
    """Inline keyboards: button texts, exactly one action, callback_data of 1-64 bytes."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise Rejected("Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or sum(len(r) for r in rows) > 100:
        raise Rejected("Bad Request: too many inline keyboard buttons")
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise Rejected("Bad Request: inline keyboard button text is empty")
            actions = [k for k in button if k != "text"]
            if len(actions) != 1:
                raise Rejected("Bad Request: inline keyboard button must have exactly one action")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA:
                    raise Rejected("Bad Request: BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(("http", "tg://")):
                raise Rejected("Bad Request: BUTTON_URL_INVALID")
