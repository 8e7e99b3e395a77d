"""Telegram formatting rules, tested directly on the parsers (no server needed)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.helpers import escape_markdown

from sandbox.markup import MarkupError, parse_text, utf16_len

visible_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def spans(text: str, mode: str) -> list[tuple[str, int, int]]:
    return [(e["type"], e["offset"], e["length"]) for e in parse_text(text, mode).entities]


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("ไทย") == 3


def test_html_entities_offsets_are_utf16() -> None:
    parsed = parse_text("😀 <b>ok</b> &#128512;<i>x</i>", "HTML")
    assert parsed.text == "😀 ok 😀x"
    assert spans("😀 <b>ok</b> &#128512;<i>x</i>", "HTML") == [("bold", 3, 2), ("italic", 8, 1)]


def test_html_nested_and_special_tags() -> None:
    source = (
        "<b>bold <i>both</i></b> <tg-spoiler>hidden</tg-spoiler> "
        '<pre><code class="language-python">x = 1</code></pre> '
        '<blockquote expandable>long</blockquote> <tg-emoji emoji-id="5368324170671202286">👍'
        "</tg-emoji> <u>u</u><s>s</s><code>c</code>"
    )
    parsed = parse_text(source, "html")
    assert parsed.text == "bold both hidden x = 1 long 👍 usc"
    types = [e["type"] for e in parsed.entities]
    assert types == [
        "bold", "italic", "spoiler", "pre", "expandable_blockquote", "custom_emoji",
        "underline", "strikethrough", "code",
    ]  # fmt: skip
    assert parsed.entities[3]["language"] == "python"
    assert parsed.entities[5]["custom_emoji_id"] == "5368324170671202286"


def test_leading_and_trailing_whitespace_is_trimmed_with_entities() -> None:
    parsed = parse_text("\n  <b> hi </b>  \n", "HTML")
    assert parsed.text == "hi"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_links_with_invalid_urls_are_dropped_silently() -> None:
    assert parse_text('<a href="javascript:x">t</a>', "HTML").entities == []
    assert spans('<a href="tg://user?id=1">t</a>', "HTML") == [("text_link", 0, 1)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1 < 2", "Unsupported start tag"),
        ("R&D", "must be escaped"),
        ("&nbsp;", "Unsupported HTML entity"),
        ("<b>x</i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("<i>open", "Can't find end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ('<span class="x">s</span>', "tg-spoiler"),
        ('<a href="x', "Unclosed start tag"),
    ],
)
def test_html_errors(source: str, message: str) -> None:
    with pytest.raises(MarkupError, match=message):
        parse_text(source, "HTML")


def test_markdown_v2_entities_and_escapes() -> None:
    source = r"*b* _i_ __u__ ~s~ ||p|| `c\`` [l](https://x.org/a\)b) \*not bold\*"
    parsed = parse_text(source, "MarkdownV2")
    assert parsed.text == "b i u s p c` l *not bold*"
    assert [e["type"] for e in parsed.entities] == [
        "bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link",
    ]  # fmt: skip
    assert parsed.entities[-1]["url"] == "https://x.org/a)b"


def test_markdown_v2_pre_quote_and_nesting() -> None:
    pre = parse_text("```python\nprint('hi')\n```", "MarkdownV2")
    assert pre.text == "print('hi')"
    assert pre.entities[0]["language"] == "python"
    quote = parse_text(">first\n>second\nafter", "MarkdownV2")
    assert quote.text == "first\nsecond\nafter"
    assert spans(">first\n>second\nafter", "MarkdownV2") == [("blockquote", 0, 12)]
    assert spans("*bold _both_*", "MarkdownV2") == [("bold", 0, 9), ("italic", 5, 4)]
    # Inside code only ` and \ are special.
    assert parse_text("`a.b-c!`", "MarkdownV2").text == "a.b-c!"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Hello!", "Character '!' is reserved"),
        ("a-b", "Character '-' is reserved"),
        ("*open", "Can't find end of Bold entity"),
        ("_open", "Can't find end of Italic entity"),
        ("[text](https://x.org", "Can't find end of a URL"),
        ("|single|", "Character '|' is reserved"),
        ("```never closed", "Can't find end of Pre entity"),
    ],
)
def test_markdown_v2_errors(source: str, message: str) -> None:
    with pytest.raises(MarkupError, match=message):
        parse_text(source, "MarkdownV2")


def test_legacy_markdown_and_unknown_modes() -> None:
    assert parse_text("*b* [t](https://x.org)", "Markdown").text == "b t"
    with pytest.raises(MarkupError):
        parse_text("*open", "Markdown")
    with pytest.raises(ValueError, match="unsupported"):
        parse_text("x", "BBCode")


@given(visible_text)
def test_html_escaped_text_round_trips(text: str) -> None:
    assert parse_text(html.escape(text), "HTML").text == text.strip()
    assert parse_text(html.escape(text, quote=False), "HTML").text == text.strip()


@given(visible_text)
def test_ptb_markdown_v2_escaping_round_trips(text: str) -> None:
    assert parse_text(escape_markdown(text, version=2), "MarkdownV2").text == text.strip()


@given(visible_text)
def test_plain_text_length_is_utf16_of_the_trimmed_text(text: str) -> None:
    parsed = parse_text(text, None)
    assert parsed.length == len(text.strip().encode("utf-16-le")) // 2
