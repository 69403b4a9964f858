"""Telegram HTML rendering and splitting: unit tests and hypothesis properties.

The oracle is the fake Bot API's own validator (tests/fakes/telegram_limits.py), an independent
implementation of Telegram's rules.
"""

from __future__ import annotations

import html
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.citations import Citation
from bot.engine.reply import Reply, ReplyKind
from bot.telegram.render import MAX_MESSAGE, escape, render_reply, split_html, utf16_len
from ingest.sources import SourceDate
from tests.fakes.telegram_limits import Rejected, check_text, parse_html

HOSTILE = st.lists(
    st.sampled_from(
        [*list("<>&\"' ab\n.;#/="), "\n\n", "&amp;", "<b>", "</a>", "😀", "ä", "\u200b"]
    ),
    max_size=300,
).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=6000), HOSTILE)


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
        n=st.integers(1, 9),
        title=ANY_TEXT,
        heading=HOSTILE,
        url=st.one_of(
            st.none(),
            st.just('https://example.org/a?b=1&c=<2>"x"'),
            st.text(max_size=80).map(lambda s: "https://example.org/" + s),
            st.just("javascript:alert(1)"),
        ),
        expired=st.booleans(),
    ),
    max_size=5,
)


def reply(body: str, citations: list[Citation]) -> Reply:
    return Reply(question="q", kind=ReplyKind.ANSWER, body=body, citations=citations)


def assert_valid_parts(parts: list[str]) -> None:
    for part in parts:
        assert utf16_len(part) <= MAX_MESSAGE
        check_text(part, "HTML")  # raises Rejected when Telegram would


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(ANY_TEXT, st.text(min_size=4000, max_size=20000)), citations=CITATIONS)
def test_rendered_replies_are_valid_telegram_html_under_the_limit(
    body: str, citations: list[Citation]
) -> None:
    parts = render_reply(reply(body, citations), notice="Hinweis <lang> & gekürzt")
    assert_valid_parts(parts)
    shown = "".join(parse_html(p) for p in parts)
    # No visible character of the body is lost (whitespace at cut points may be).
    assert "".join(body.split()) in "".join(shown.split())


TAGS = st.sampled_from(
    [
        ("<b>", "</b>"),
        ("<i>", "</i>"),
        ("<u>", "</u>"),
        ("<s>", "</s>"),
        ("<code>", "</code>"),
        ('<span class="tg-spoiler">', "</span>"),
        ("<blockquote>", "</blockquote>"),
        ('<a href="https://example.org/?q=1&amp;r=2">', "</a>"),
    ]
)


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    """Random well-formed Telegram HTML (escaped text, nested allowed tags)."""
    pieces = []
    for _ in range(draw(st.integers(1, 6))):
        if depth < 3 and draw(st.booleans()):
            open_tag, close_tag = draw(TAGS)
            inner = draw(markup(depth + 1))
            if open_tag.startswith(("<code", "<a")) and "<" in inner:
                inner = escape(html.unescape(_strip_tags(inner)))
            pieces.append(f"{open_tag}{inner}{close_tag}")
        else:
            pieces.append(
                escape(draw(st.text(min_size=1, max_size=draw(st.sampled_from([20, 400, 3000])))))
            )
    return "".join(pieces)


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^<>]*>", "", text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=markup(), limit=st.sampled_from([300, 1000, MAX_MESSAGE]))
def test_split_keeps_markup_valid_and_parts_under_the_limit(source: str, limit: int) -> None:
    parse_html(source)  # the generator produces valid markup
    parts = split_html(source, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        plain = parse_html(part)
        assert plain.strip()
    joined = "".join(parse_html(p) for p in parts)
    assert "".join(joined.split()) == "".join(parse_html(source).split())


def test_escape_and_links() -> None:
    body = 'Fristen <31.08.> & "Eigenanteil"'
    (part,) = render_reply(
        reply(
            body,
            [citation(1, "LWL <Kultur>", "Fristen & Termine", "https://x.org/?a=1&b=2", False)],
        )
    )
    assert 'Fristen &lt;31.08.&gt; &amp; "Eigenanteil"' in part
    assert (
        '<a href="https://x.org/?a=1&amp;b=2">LWL &lt;Kultur&gt; – Fristen &amp; Termine</a>'
        in part
    )
    assert "Stand der Quelle 11/2026, geprüft 01.11.2026" in part
    assert "Stand der Quellen: 11/2026; geprüft am 01.11.2026" in part


def test_expired_sources_are_marked_and_unsafe_urls_are_not_linked() -> None:
    (part,) = render_reply(
        reply("Text [1]", [citation(1, "Altes Programm", "", "javascript:alert(1)", True)])
    )
    assert "⚠ abgelaufen (gültig bis 31.01.2025)" in part
    assert "javascript" not in part
    assert "<a " not in part


def test_split_prefers_paragraph_boundaries() -> None:
    paragraphs = ["<b>Absatz</b> " + "Wort " * 150 for _ in range(8)]
    parts = split_html("\n\n".join(paragraphs), 2000)
    assert len(parts) > 1
    assert all(p.rstrip().endswith("Wort") for p in parts)  # every cut at a paragraph end


def test_split_reopens_tags_across_parts() -> None:
    parts = split_html("<b>" + "fett " * 500 + "</b>", 1000)
    assert len(parts) >= 3
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_validator_rejects_what_telegram_rejects() -> None:
    for bad in ["<b>x", "a < b", "<script>x</script>", "&nbsp;", '<a href="javascript:x">y</a>']:
        try:
            check_text(bad, "HTML")
        except Rejected:
            continue
        raise AssertionError(f"accepted {bad!r}")
    assert check_text("<b>a &amp; b</b>", "HTML") == "a & b"
