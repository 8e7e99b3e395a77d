"""Telegram's text formatting: validate HTML / MarkdownV2 / Markdown and extract visible text.

The parsers follow Telegram's (TDLib's) rules closely enough that text Telegram would reject is
rejected here too, with the same kind of message. They return the visible text and the
entities (offsets and lengths in UTF-16 code units, as in the Bot API), which is also what the
4096 / 1024 length limits are measured on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]


class MarkupError(ValueError):
    """The text cannot be parsed; the message is what follows "can't parse entities: "."""


@dataclass
class ParsedText:
    text: str
    entities: list[Entity] = field(default_factory=list)

    @property
    def length(self) -> int:
        return utf16_len(self.text)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP take two code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def parse_text(text: str, parse_mode: str | None) -> ParsedText:
    """Parse ``text`` according to ``parse_mode`` and trim it like Telegram does."""
    mode = (parse_mode or "").strip().lower()
    if mode == "":
        parsed = ParsedText(text)
    elif mode == "html":
        parsed = parse_html(text)
    elif mode == "markdownv2":
        parsed = parse_markdown_v2(text)
    elif mode == "markdown":
        parsed = parse_markdown(text)
    else:
        raise ValueError(f"unsupported parse_mode {parse_mode!r}")
    return _trim(parsed)


# --------------------------------------------------------------------------------------------
# Shared building blocks


class _Builder:
    """Accumulates visible text while tracking the UTF-16 offset entities need."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.offset = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self._parts.append(text)
        self.offset += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        """Close an entity that began at UTF-16 offset ``start``; empty ones are dropped."""
        length = self.offset - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> ParsedText:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self._parts), entities)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _trim(parsed: ParsedText) -> ParsedText:
    """Telegram strips leading/trailing whitespace from messages; entities are clipped."""
    stripped = parsed.text.strip()
    if stripped == parsed.text:
        return parsed
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    end = lead + utf16_len(stripped)
    entities: list[Entity] = []
    for entity in parsed.entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            entities.append({**entity, "offset": start - lead, "length": stop - start})
    return ParsedText(stripped, entities)


def is_valid_url(url: str, *, allow_tg: bool = True) -> bool:
    """http(s) URLs with a host, or tg:// links, which is what Telegram accepts in buttons."""
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://([^\s/?#]*)", url.strip())
    if match is None:
        # Telegram also accepts bare domains such as "example.com/path".
        return re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", url.strip()) is not None
    scheme, host = match.group(1).lower(), match.group(2)
    if scheme in {"http", "https"}:
        return host != "" and not any(ch.isspace() for ch in url.strip())
    return allow_tg and scheme == "tg" and host != ""


# --------------------------------------------------------------------------------------------
# HTML

_HTML_ENTITY_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]*")
_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]+));")


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the visible text
    attrs: dict[str, str]
    language: str | None = None  # set by a nested <code class="language-x"> inside <pre>


def parse_html(source: str) -> ParsedText:
    out = _Builder()
    stack: list[_OpenTag] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            if source.startswith("</", i):
                i = _html_end_tag(source, i, stack, out)
            else:
                i = _html_start_tag(source, i, stack, out)
        elif ch == "&":
            decoded, i = _html_entity(source, i)
            out.add(decoded)
        else:
            stop = _next_special(source, i)
            out.add(source[i:stop])
            i = stop
    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return out.result()


def _next_special(source: str, start: int) -> int:
    positions = [p for p in (source.find("<", start), source.find("&", start)) if p != -1]
    return min(positions) if positions else len(source)


def _html_entity(source: str, i: int) -> tuple[str, int]:
    match = _ENTITY.match(source, i)
    if match is None:
        raise MarkupError(
            f"Character '&' must be escaped as &amp; at byte offset {_byte_offset(source, i)}"
        )
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise MarkupError(
                f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(source, i)}'
            )
        return _NAMED_ENTITIES[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise MarkupError(f"Invalid HTML entity at byte offset {_byte_offset(source, i)}")
    return chr(code), match.end()


def _decode_attribute(value: str) -> str:
    """Attribute values may contain entities; unknown ones are kept literally."""

    def replace(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            return _NAMED_ENTITIES.get(name, match.group(0))
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""

    return _ENTITY.sub(replace, value)


def _html_start_tag(source: str, i: int, stack: list[_OpenTag], out: _Builder) -> int:
    offset = _byte_offset(source, i)
    name_match = _TAG_NAME.match(source, i + 1)
    if name_match is None:
        raise MarkupError(f"Unsupported start tag at byte offset {offset}")
    name = name_match.group(0).lower()
    if name not in _HTML_ENTITY_KINDS:
        raise MarkupError(f'Unsupported start tag "{name}" at byte offset {offset}')
    attrs, end = _html_attributes(source, name_match.end(), offset)
    _check_tag_attributes(name, attrs, offset)
    tag = _OpenTag(name, out.offset, attrs)
    if name == "code" and stack and stack[-1].name == "pre" and stack[-1].start == out.offset:
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
    stack.append(tag)
    return end


def _html_attributes(source: str, i: int, tag_offset: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    while True:
        while i < len(source) and source[i].isspace():
            i += 1
        if i >= len(source):
            raise MarkupError(f"Unclosed start tag at byte offset {tag_offset}")
        if source[i] == ">":
            return attrs, i + 1
        name_match = _ATTR_NAME.match(source, i)
        if name_match is None:
            raise MarkupError(
                f"Expected equal sign in declaration of an attribute of the start tag at byte "
                f"offset {tag_offset}"
            )
        name = name_match.group(0).lower()
        i = name_match.end()
        if i < len(source) and source[i] == "=":
            value, i = _html_attribute_value(source, i + 1, tag_offset)
        else:
            value = ""
        attrs[name] = _decode_attribute(value)


def _html_attribute_value(source: str, i: int, tag_offset: int) -> tuple[str, int]:
    if i < len(source) and source[i] in "\"'":
        quote = source[i]
        close = source.find(quote, i + 1)
        if close == -1:
            raise MarkupError(f"Unclosed start tag at byte offset {tag_offset}")
        return source[i + 1 : close], close + 1
    match = re.compile(r"[^\s>]*").match(source, i)
    assert match is not None  # the pattern matches the empty string
    return match.group(0), match.end()


def _check_tag_attributes(name: str, attrs: dict[str, str], offset: int) -> None:
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise MarkupError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise MarkupError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')


def _html_end_tag(source: str, i: int, stack: list[_OpenTag], out: _Builder) -> int:
    offset = _byte_offset(source, i)
    match = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>").match(source, i)
    if match is None:
        raise MarkupError(f"Unexpected end tag at byte offset {offset}")
    name = match.group(1).lower()
    if not stack:
        raise MarkupError(f'Unexpected end tag "{name}" at byte offset {offset}')
    if stack[-1].name != name:
        raise MarkupError(
            f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1].name}>", '
            f'found "</{name}>"'
        )
    tag = stack.pop()
    _emit_html_entity(tag, stack, out)
    return match.end()


def _emit_html_entity(tag: _OpenTag, stack: list[_OpenTag], out: _Builder) -> None:
    kind = _HTML_ENTITY_KINDS[tag.name]
    if kind == "code" and stack and stack[-1].name == "pre" and stack[-1].language is not None:
        return  # <pre><code class="language-x"> is one pre entity with a language
    if kind == "text_link":
        href = tag.attrs.get("href", "").strip()
        if href and is_valid_url(href):
            out.entity("text_link", tag.start, url=href)
        return  # Telegram silently drops links with a missing or invalid URL
    if kind == "pre":
        extra = {"language": tag.language} if tag.language else {}
        out.entity("pre", tag.start, **extra)
        return
    if kind == "blockquote" and "expandable" in tag.attrs:
        out.entity("expandable_blockquote", tag.start)
        return
    if kind == "custom_emoji":
        out.entity("custom_emoji", tag.start, custom_emoji_id=tag.attrs["emoji-id"])
        return
    out.entity(kind, tag.start)


# --------------------------------------------------------------------------------------------
# MarkdownV2

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


@dataclass
class _OpenMark:
    kind: str
    start: int  # UTF-16 offset in the visible text
    byte_offset: int
    language: str | None = None


@dataclass
class _Quote:
    start: int
    expandable: bool


class _MarkdownV2Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.out = _Builder()
        self.stack: list[_OpenMark] = []
        self.quote: _Quote | None = None
        self.i = 0

    def parse(self) -> ParsedText:
        source = self.source
        while self.i < len(source):
            if self._at_line_start() and not self._in_code():
                self._line_start()
                if self.i >= len(source):
                    break
            ch = source[self.i]
            if ch == "\\" and self.i + 1 < len(source) and 0 < ord(source[self.i + 1]) <= 126:
                self.out.add(source[self.i + 1])
                self.i += 2
            elif ch == "\n":
                self._newline()
            elif ch not in ("`" if self._in_code() else _MDV2_RESERVED):
                self.out.add(ch)
                self.i += 1
            elif not self._close_entity() and not self._close_expandable_quote():
                self._open_entity()
        if self.stack:
            top = self.stack[-1]
            raise MarkupError(
                f"Can't find end of {_MDV2_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
            )
        self._end_quote()
        return self.out.result()

    # -- helpers ---------------------------------------------------------------------------

    def _at_line_start(self) -> bool:
        return self.i == 0 or self.source[self.i - 1] == "\n"

    def _in_code(self) -> bool:
        return bool(self.stack) and self.stack[-1].kind in {"code", "pre"}

    def _peek(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.source[index] if index < len(self.source) else ""

    def _reserved_error(self, ch: str) -> MarkupError:
        return MarkupError(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        )

    # -- block quotes ----------------------------------------------------------------------

    def _line_start(self) -> None:
        if self.source.startswith("**>", self.i):
            if self.quote is None:
                self.quote = _Quote(self.out.offset, expandable=True)
            self.i += 3
        elif self._peek() == ">":
            if self.quote is None:
                self.quote = _Quote(self.out.offset, expandable=False)
            self.i += 1

    def _newline(self) -> None:
        following = self.source[self.i + 1 :]
        if (
            self.quote is not None
            and not self._in_code()
            and not following.startswith((">", "**>"))
        ):
            self._end_quote()
        self.out.add("\n")
        self.i += 1

    def _end_quote(self) -> None:
        if self.quote is not None:
            kind = "expandable_blockquote" if self.quote.expandable else "blockquote"
            self.out.entity(kind, self.quote.start)
            self.quote = None

    def _close_expandable_quote(self) -> bool:
        """``||`` at the end of a line closes an expandable block quote."""
        if self.quote is None or not self.quote.expandable:
            return False
        if not self.source.startswith("||", self.i) or self._peek(2) not in {"", "\n"}:
            return False
        self.i += 2
        self._end_quote()
        return True

    # -- inline entities -------------------------------------------------------------------

    def _close_entity(self) -> bool:
        if not self.stack:
            return False
        top = self.stack[-1]
        ch, nxt = self._peek(), self._peek(1)
        marker_length = {
            "bold": 1 if ch == "*" else 0,
            "italic": 1 if ch == "_" and nxt != "_" else 0,
            "underline": 2 if ch == "_" and nxt == "_" else 0,
            "strikethrough": 1 if ch == "~" else 0,
            "spoiler": 2 if ch == "|" and nxt == "|" else 0,
            "code": 1 if ch == "`" else 0,
            "pre": 3 if self.source.startswith("```", self.i) else 0,
            "text_link": 1 if ch == "]" else 0,
            "custom_emoji": 1 if ch == "]" else 0,
        }[top.kind]
        if marker_length == 0:
            return False
        self.stack.pop()
        self.i += marker_length
        if top.kind in {"text_link", "custom_emoji"}:
            self._close_link(top)
        elif top.kind == "pre":
            extra = {"language": top.language} if top.language else {}
            self.out.entity("pre", top.start, **extra)
        else:
            self.out.entity(top.kind, top.start)
        return True

    def _close_link(self, top: _OpenMark) -> None:
        url = self._read_url(top) if self._peek() == "(" else ""
        if top.kind == "custom_emoji":
            match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
            if match is None:
                raise MarkupError(
                    f"Custom emoji entity must have a valid URL at byte offset {top.byte_offset}"
                )
            self.out.entity("custom_emoji", top.start, custom_emoji_id=match.group(1))
        elif url and is_valid_url(url):
            self.out.entity("text_link", top.start, url=url)

    def _read_url(self, top: _OpenMark) -> str:
        self.i += 1  # "("
        chars: list[str] = []
        while self.i < len(self.source):
            ch = self.source[self.i]
            if ch == "\\" and self._peek(1) in {")", "\\"}:
                chars.append(self._peek(1))
                self.i += 2
            elif ch == ")":
                self.i += 1
                return "".join(chars)
            else:
                chars.append(ch)
                self.i += 1
        raise MarkupError(f"Can't find end of a URL at byte offset {top.byte_offset}")

    def _open_entity(self) -> None:
        ch, nxt = self._peek(), self._peek(1)
        byte_offset = _byte_offset(self.source, self.i)
        if self._in_code():
            raise self._reserved_error(ch)  # a lone "`" inside pre
        if ch == "_" and nxt == "_":
            kind, length = "underline", 2
        elif ch == "|" and nxt == "|":
            kind, length = "spoiler", 2
        elif ch == "!" and nxt == "[":
            kind, length = "custom_emoji", 2
        elif self.source.startswith("```", self.i):
            kind, length = "pre", 3
        else:
            simple = {
                "_": "italic",
                "*": "bold",
                "~": "strikethrough",
                "`": "code",
                "[": "text_link",
            }
            if ch not in simple:
                raise self._reserved_error(ch)
            kind, length = simple[ch], 1
        self.i += length
        mark = _OpenMark(kind, self.out.offset, byte_offset)
        if kind == "pre":
            mark.language = self._read_pre_language()
            mark.start = self.out.offset
        self.stack.append(mark)

    def _read_pre_language(self) -> str | None:
        """```python\\n...``` : the first line names the language; one leading newline is eaten."""
        end = self.i
        while (
            end < len(self.source) and not self.source[end].isspace() and (self.source[end] != "`")
        ):
            end += 1
        language = None
        if end != self.i and end < len(self.source) and self.source[end] != "`":
            language = self.source[self.i : end]
            self.i = end
        if self._peek() in {"\n", "\r"}:
            self.i += 2 if self._peek(1) in {"\n", "\r"} and self._peek(1) != self._peek() else 1
        return language


def parse_markdown_v2(source: str) -> ParsedText:
    return _MarkdownV2Parser(source).parse()


# --------------------------------------------------------------------------------------------
# Legacy Markdown (kept for bots that still use it)


def parse_markdown(source: str) -> ParsedText:
    out = _Builder()
    i = 0
    markers = {"*": "bold", "_": "italic", "`": "code"}
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source) and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
        elif source.startswith("```", i):
            close = source.find("```", i + 3)
            if close == -1:
                raise _legacy_unclosed(source, i)
            start = out.offset
            out.add(source[i + 3 : close])
            out.entity("pre", start)
            i = close + 3
        elif ch in markers:
            close = source.find(ch, i + 1)
            if close == -1:
                raise _legacy_unclosed(source, i)
            start = out.offset
            out.add(source[i + 1 : close])
            out.entity(markers[ch], start)
            i = close + 1
        elif ch == "[":
            i = _legacy_link(source, i, out)
        else:
            out.add(ch)
            i += 1
    return out.result()


def _legacy_link(source: str, i: int, out: _Builder) -> int:
    match = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(source, i)
    if match is None:
        raise _legacy_unclosed(source, i)
    start = out.offset
    out.add(match.group(1))
    if is_valid_url(match.group(2)):
        out.entity("text_link", start, url=match.group(2))
    return match.end()


def _legacy_unclosed(source: str, i: int) -> MarkupError:
    return MarkupError(
        f"Can't find end of the entity starting at byte offset {_byte_offset(source, i)}"
    )
