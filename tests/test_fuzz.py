"""Fuzzing with hypothesis: the loaders and the Telegram renderer under random and hostile input.

Loaders (Markdown with front matter, text, HTML, DOCX, PDF, and the upload sniffer) either return
a document or raise ``DocumentRejected`` with a short German reason; nothing else escapes. The
renderer turns any reply into parts that are valid Telegram HTML (only allowed tags, balanced,
checked with ``html.parser``) of at most 4,096 UTF-16 units. Time is bounded by hypothesis'
per-example deadline; examples are few and derandomised, so the run is fast and repeatable.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.citations import Citation
from bot.engine.reply import Reply, ReplyKind
from bot.telegram.render import MAX_MESSAGE, escape, render_reply, split_html, utf16_len
from ingest.errors import MAX_REASON_CHARS, DocumentRejected
from ingest.loaders import LoaderLimits, load_bytes
from ingest.sniff import sniff_suffix
from ingest.sources import SourceDate
from tests.samples import make_docx, make_pdf

# The deadline is generous for a busy two-core machine, and still catches the minutes that a
# pathological input costs.
FUZZ = settings(
    max_examples=120,
    derandomize=True,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
FEW = settings(FUZZ, max_examples=40)
LIMITS = LoaderLimits(isolate=False)


def assert_reason(rejection: DocumentRejected) -> None:
    assert rejection.reason.strip()
    assert len(rejection.reason) <= MAX_REASON_CHARS


def loads_or_rejects(data: bytes, name: str) -> None:
    """The loader's contract: a document, or DocumentRejected with a short German reason."""
    try:
        doc = load_bytes(data, f"knowledge/{name}", Path(name), LIMITS)
    except DocumentRejected as exc:
        assert_reason(exc)
        return
    assert doc.body.strip()
    assert len(doc.body) <= LIMITS.max_text_chars
    assert doc.meta.title


# Markdown with YAML front matter

YAML_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "2026-11-26",
            "2026-13-45",
            "26.11.2026",
            "&anker Wert",
            "*anker",
            "!!python/object/apply:os.system ['id']",
            "!!binary aGFsbG8=",
            "[[[[[[[[[[[[]]]]]]]]]]]]",
            "[" * 200,
            "{a: {b: {c: {d: 1}}}}",
            "|\n  mehrzeilig\n  Text",
            "- https://example.org\n  - verschachtelt",
            "\n  - title: T\n    url: https://example.org\n    published: 2025-03",
            "\n  - url: javascript:alert(1)",
            "~",
            "null",
            "1e309",
            "0x1F",
            "'unclosed",
            '"\\uD800"',
            "\t\ttab",
        ]
    ),
)
KEYS = st.sampled_from(
    [
        "title",
        "topic",
        "tags",
        "aliases",
        "audience",
        "sources",
        "stand",
        "valid_until",
        "summary",
        "original_file",
        "? komplex",
        "<<",
        "",
    ]
)
FRONT = st.lists(st.tuples(KEYS, YAML_VALUES), max_size=8).map(
    lambda pairs: "\n".join(f"{key}: {value}" for key, value in pairs)
)
BODY = st.one_of(
    st.text(max_size=400),
    st.lists(
        st.sampled_from(["# Titel", "## Abschnitt", "Text.", "---", "...", "", "- Liste", "\r\n"]),
        max_size=30,
    ).map("\n".join),
)


@FUZZ
@given(front=st.one_of(FRONT, st.text(max_size=300)), body=BODY)
def test_markdown_with_front_matter(front: str, body: str) -> None:
    loads_or_rejects(f"---\n{front}\n---\n{body}".encode(), "fuzz.md")


@FUZZ
@given(data=st.one_of(st.binary(max_size=600), st.text(max_size=600).map(str.encode)))
def test_text_and_markdown_bytes(data: bytes) -> None:
    loads_or_rejects(data, "fuzz.txt")
    loads_or_rejects(data, "fuzz.md")


# HTML

HTML_TOKENS = st.sampled_from(
    [
        "<html>",
        "<body>",
        "<h1>",
        "</h1>",
        "<h2>",
        "<p>",
        "</p>",
        "<li>",
        "<td>",
        "<div>",
        "</div>",
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        "<title>T</title>",
        "<!--",
        "-->",
        "<![CDATA[x]]>",
        "<!DOCTYPE html>",
        "&amp;",
        "&#0;",
        "&#x110000;",
        "&unknown;",
        "<p class='a\"b'>",
        "<",
        ">",
        "Förderung",
        " ",
        "\n",
    ]
)
HTML = st.lists(st.one_of(HTML_TOKENS, st.text(max_size=20)), max_size=80).map("".join)


@FUZZ
@given(markup=HTML)
def test_html(markup: str) -> None:
    loads_or_rejects(markup.encode(), "fuzz.html")


# DOCX (built with python-docx) and PDF (hand-written syntax), whole and damaged

XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=60,
)
PDF_TEXT = st.text(
    st.characters(codec="cp1252", blacklist_categories=("Cs", "Cc")), min_size=0, max_size=60
)


def damage(data: bytes, seed: int, kind: str) -> bytes:
    """Truncate the bytes, or overwrite a few of them, reproducibly."""
    rng = random.Random(seed)
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    raw = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


@FEW
@given(
    title=XML_TEXT,
    sections=st.lists(st.tuples(XML_TEXT, XML_TEXT), max_size=5),
    seed=st.integers(0, 2**32),
    kind=st.sampled_from(["whole", "truncate", "flip"]),
)
def test_docx(title: str, sections: list[tuple[str, str]], seed: int, kind: str) -> None:
    data = make_docx(title, sections)
    loads_or_rejects(data if kind == "whole" else damage(data, seed, kind), "fuzz.docx")


@FUZZ
@given(
    pages=st.lists(st.lists(PDF_TEXT, max_size=5), min_size=1, max_size=4),
    title=st.one_of(st.none(), PDF_TEXT),
    seed=st.integers(0, 2**32),
    kind=st.sampled_from(["whole", "truncate", "flip"]),
)
def test_pdf(pages: list[list[str]], title: str | None, seed: int, kind: str) -> None:
    data = make_pdf(pages, title)
    loads_or_rejects(data if kind == "whole" else damage(data, seed, kind), "fuzz.pdf")


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), HTML.map(str.encode)))
def test_upload_sniffing(data: bytes) -> None:
    try:
        suffix = sniff_suffix(data)
    except DocumentRejected as exc:
        assert_reason(exc)
        return
    assert suffix in {".pdf", ".docx", ".html", ".md", ".txt"}
    loads_or_rejects(data, f"fuzz{suffix}")


def test_damaged_samples_are_really_damaged() -> None:
    pdf = make_pdf([["Text"]])
    truncated = damage(pdf, 1, "truncate")
    assert len(truncated) < len(pdf) and pdf.startswith(truncated)
    assert damage(pdf, 1, "flip") != pdf


# The Telegram renderer and splitter

ALLOWED = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "tg-emoji", "code", "pre", "blockquote",
}  # fmt: skip


class TelegramHTML(HTMLParser):
    """Checks what Telegram checks: allowed tags only, every tag closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        if tag == "a":
            assert [name for name, _ in attrs] == ["href"]
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError("comment")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError("declaration")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError("declaration")


def visible(part: str) -> str:
    """Parse one part strictly; its visible text."""
    assert utf16_len(part) <= MAX_MESSAGE
    parser = TelegramHTML()
    parser.feed(part)
    parser.close()
    assert parser.stack == [], parser.stack
    assert parser.rawdata == "", "unparsed markup left"
    return "".join(parser.text)


ADVERSARIAL = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<",
                ">",
                "&",
                "&amp;",
                "&#x1F600;",
                "<b>",
                "</b>",
                "<a href='x'>",
                "<!--",
                "]]>",
                "\n\n",
                "\n",
                " ",
                "😀",
                "\u200b",
                "\u0301",
                "ß",
                "x" * 5000,
                "😀" * 2100,
                "&" * 1500,
            ]
        ),
        st.text(max_size=50),
    ),
    max_size=40,
).map("".join)
URLS = st.one_of(
    st.none(),
    st.just('https://example.org/?a=1&b=<2>"x"'),
    st.just("https://example.org/" + "a" * 600),
    st.just("javascript:alert(1)"),
    st.text(max_size=80).map(lambda s: "https://example.org/" + s),
)


def citation(n: int, title: str, heading: str, url: str | None, expired: bool) -> Citation:
    return Citation(
        n=n,
        title=title or "T",
        path=f"knowledge/x/{n}.md",
        heading=heading,
        url=url,
        source_published=SourceDate(2026, 11),
        source_checked=date(2026, 11, 1),
        newest=SourceDate(2026, 11),
        checked=date(2026, 11, 1),
        stand="2026-11-01",
        valid_until="2025-01-31" if expired else None,
        expired=expired,
    )


CITATIONS = st.lists(
    st.builds(
        citation,
        n=st.integers(1, 99),
        title=ADVERSARIAL,
        heading=ADVERSARIAL,
        url=URLS,
        expired=st.booleans(),
    ),
    max_size=6,
)


@FUZZ
@given(body=ADVERSARIAL, citations=CITATIONS, notice=st.one_of(st.none(), ADVERSARIAL))
def test_rendered_replies_are_valid_html_in_parts_under_the_limit(
    body: str, citations: list[Citation], notice: str | None
) -> None:
    reply = Reply(question="q", kind=ReplyKind.ANSWER, body=body, citations=citations)
    parts = render_reply(reply, notice=notice)
    shown = "".join(visible(part) for part in parts)
    assert "".join(body.split()) in "".join(shown.split())


@FUZZ
@given(
    text=ADVERSARIAL,
    tags=st.lists(
        st.sampled_from(["b", "i", "u", "s", "code", "blockquote", "tg-spoiler"]), max_size=4
    ),
    limit=st.sampled_from([64, 300, 1000, MAX_MESSAGE]),
)
def test_split_of_escaped_text_in_nested_tags(text: str, tags: list[str], limit: int) -> None:
    if limit == 64:
        tags = []  # the smallest limit leaves no room for reopened tags
    markup = (
        "".join(f"<{t}>" for t in tags) + escape(text) + "".join(f"</{t}>" for t in reversed(tags))
    )
    parts = split_html(markup, limit)  # tags here are short: no refusal
    for part in parts:
        assert utf16_len(part) <= limit
        visible(part)
    joined = "".join(visible(part) for part in parts)
    assert "".join(joined.split()) == "".join(text.split())


def test_split_refuses_limits_too_small_to_hold_a_tag() -> None:
    with pytest.raises(ValueError, match="at least 64"):
        split_html("<b>x</b>", 10)
