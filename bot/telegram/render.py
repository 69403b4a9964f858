"""Telegram HTML: escape every piece of text, render replies, split safely under 4,096 characters.

``split_html`` cuts at paragraph, line or word boundaries (in that order of preference), never
inside a tag or an entity, closes the tags open at the cut and reopens them in the next part.
Lengths are counted in UTF-16 code units of the raw HTML, which is never less than what Telegram
counts after parsing, so every part is accepted.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from bot.answer.citations import Citation, currency_line, german_date
from bot.engine.reply import Reply

MAX_MESSAGE = 4096
MAX_URL = 512
_WORD_PIECE = 64

_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def escape(text: str) -> str:
    """Escape text for Telegram HTML (<, > and &)."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def link(url: str | None, label: str) -> str:
    """``<a href>`` for http(s) URLs of sane length; the escaped label otherwise."""
    if url and url.startswith(("http://", "https://")) and len(url) <= MAX_URL:
        return f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>'
    return escape(label)


def sources_html(citations: list[Citation], today: date | None = None) -> str:
    """Numbered sources (links where a URL exists), their dates, 'abgelaufen' markers and a
    line on how current the sources are."""
    lines = ["<b>Quellen</b>"]
    for c in citations:
        label = f"{c.title} – {c.heading}" if c.heading and c.heading != c.title else c.title
        line = f"[{c.n}] {link(c.url, label)}, {escape(c.dates_label())}"
        if c.expired:
            until = f" (gültig bis {german_date(c.valid_until)})" if c.valid_until else ""
            line += escape(f" ⚠ abgelaufen{until} – bitte prüfen Sie die aktuellen Angaben")
        lines.append(line)
    lines.append(f"<i>{escape(currency_line(citations, today or date.today()))}</i>")
    return "\n".join(lines)


def render_reply(reply: Reply, notice: str | None = None) -> list[str]:
    """The reply as one or more Telegram HTML messages."""
    blocks = []
    if notice:
        blocks.append(f"<i>{escape(notice)}</i>")
    blocks.append(escape(reply.body))
    if reply.citations:
        blocks.append(sources_html(reply.citations))
    return split_html("\n\n".join(blocks))


@dataclass(frozen=True)
class _Atom:
    raw: str
    kind: str  # "open", "close", "text"
    name: str = ""

    @property
    def size(self) -> int:
        return utf16_len(self.raw)


def _atoms(markup: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for token in _TOKEN.findall(markup):
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            match = _TAG_NAME.match(token)
            name = match.group(1).lower() if match else ""
            atoms.append(_Atom(token, "close" if token.startswith("</") else "open", name))
        elif token.startswith("&") and token.endswith(";"):
            atoms.append(_Atom(token, "text"))
        else:
            # Words with their trailing whitespace; long words in pieces.
            for word in re.findall(r"\S+\s*|\s+", token):
                atoms.extend(_Atom(piece, "text") for piece in _pieces(word))
    return atoms


def _pieces(word: str) -> list[str]:
    """The word cut into pieces of at most _WORD_PIECE UTF-16 units, never inside a character."""
    if utf16_len(word) == len(word):  # no characters outside the BMP
        return [word[i : i + _WORD_PIECE] for i in range(0, len(word), _WORD_PIECE)]
    pieces: list[str] = []
    start = units = 0
    for i, char in enumerate(word):
        size = 2 if ord(char) > 0xFFFF else 1
        if units + size > _WORD_PIECE:
            pieces.append(word[start:i])
            start, units = i, 0
        units += size
    pieces.append(word[start:])
    return pieces


def _closers(stack: tuple[_Atom, ...]) -> str:
    return "".join(f"</{tag.name}>" for tag in reversed(stack))


def _break_rank(raw: str) -> int:
    if raw.endswith("\n\n"):
        return 3
    if raw.endswith("\n"):
        return 2
    if raw[-1:].isspace():
        return 1
    return 0


class _Packer:
    """Greedy packing of atoms into parts, cutting at the best boundary."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.atoms: list[_Atom] = []
        self.stacks: list[tuple[_Atom, ...]] = []  # open tags after each atom
        self.stack: tuple[_Atom, ...] = ()
        self.prefix = 0  # reopened tags at the start of the current part
        self.size = 0

    def add(self, atom: _Atom) -> None:
        after = self._after(atom)
        while self.size + atom.size + utf16_len(_closers(after)) > self.limit and self._visible(
            len(self.atoms)
        ):
            self._cut()
            after = self._after(atom)
        self.atoms.append(atom)
        self.stack = after
        self.stacks.append(after)
        self.size += atom.size

    def _after(self, atom: _Atom) -> tuple[_Atom, ...]:
        if atom.kind == "open":
            return (*self.stack, atom)
        if atom.kind == "close":
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i].name == atom.name:
                    return self.stack[:i] + self.stack[i + 1 :]
        return self.stack

    def _visible(self, end: int) -> bool:
        return any(
            a.kind == "text" and html.unescape(a.raw).strip() for a in self.atoms[self.prefix : end]
        )

    def _cut(self) -> None:
        floor = self.limit // 3
        running = sum(a.size for a in self.atoms[: self.prefix])
        seen_text = False
        late: tuple[int, int] | None = None  # (rank, end) of the best cut past the floor
        early = len(self.atoms)  # latest cut before the floor
        early_found = False
        for i in range(self.prefix, len(self.atoms)):
            atom = self.atoms[i]
            running += atom.size
            seen_text = seen_text or (atom.kind == "text" and bool(html.unescape(atom.raw).strip()))
            rank = _break_rank(atom.raw) if atom.kind == "text" else 0
            if not (rank and seen_text):
                continue
            if running + utf16_len(_closers(self.stacks[i])) > self.limit:
                break
            if running >= floor:
                if late is None or rank >= late[0]:
                    late = (rank, i + 1)
            else:
                early, early_found = i + 1, True
        if late is not None:
            best = late[1]
        elif early_found:
            best = early
        else:
            best = len(self.atoms)
        stack = self.stacks[best - 1] if best > 0 else ()
        self.parts.append("".join(a.raw for a in self.atoms[:best]) + _closers(stack))
        rest = self.atoms[best:]
        self.atoms, self.stacks, self.stack, self.size = [], [], (), 0
        for tag in stack:
            self.atoms.append(tag)
            self.stack = (*self.stack, tag)
            self.stacks.append(self.stack)
            self.size += tag.size
        self.prefix = len(self.atoms)
        for atom in rest:
            self.atoms.append(atom)
            self.stack = self._after(atom)
            self.stacks.append(self.stack)
            self.size += atom.size

    def finish(self) -> list[str]:
        if self._visible(len(self.atoms)):
            self.parts.append("".join(a.raw for a in self.atoms))
        return [p for p in self.parts if html.unescape(re.sub(r"<[^<>]*>", "", p)).strip()]


def split_html(markup: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split well-formed Telegram HTML into parts of at most ``limit`` UTF-16 units.

    Tags must be shorter than a quarter of the limit (render guarantees this for links).
    """
    if limit < 64:
        raise ValueError("limit must be at least 64")
    if utf16_len(markup) <= limit:
        return [markup] if html.unescape(re.sub(r"<[^<>]*>", "", markup)).strip() else []
    packer = _Packer(limit)
    for atom in _atoms(markup):
        if atom.kind == "open" and atom.size > limit // 4:
            raise ValueError("tag too long to split safely")
        packer.add(atom)
    return packer.finish()
