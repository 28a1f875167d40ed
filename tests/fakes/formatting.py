"""Parse Telegram message markup (HTML, MarkdownV2, legacy Markdown) like the Bot API does.

The fake uses this to answer with the visible text plus ``entities`` (as Telegram does) and to
reject malformed markup with Telegram's ``400 Bad Request: can't parse entities: ...``.

HTML checking is deliberately *stricter* than Telegram by default: Telegram tolerates a lone
``>`` or an ``&`` that starts no entity, but a bot that sends them has an escaping bug that will
bite with the next ``<``. ``strict=False`` reproduces Telegram's leniency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "parse_text",
    "utf16_len",
]

JSONDict = dict[str, Any]


class EntityParseError(ValueError):
    """Markup Telegram would refuse; ``str(exc)`` is the text after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    """Visible text and its entities (offsets and lengths in UTF-16 code units, like Telegram)."""

    text: str
    entities: list[JSONDict]


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of Telegram's entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    # Telegram reports positions in UTF-8 bytes of the original markup.
    return len(src[:index].encode("utf-8"))


def parse_text(text: str, parse_mode: str | None, *, strict: bool = True) -> ParsedText:
    """Parse ``text`` according to ``parse_mode`` (case-insensitive; None/"" means plain text)."""
    mode = (parse_mode or "").lower()
    if mode == "":
        return ParsedText(text, [])
    if mode == "html":
        return _parse_html(text, strict=strict)
    if mode == "markdownv2":
        return _parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_markdown_legacy(text)
    raise EntityParseError(f'Unsupported parse_mode "{parse_mode}"')


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_SIMPLE_TAGS: dict[str, str] = {
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
    "code": "code",
    "pre": "pre",
}
_ALLOWED_TAGS = frozenset([*_SIMPLE_TAGS, "span", "a", "blockquote", "tg-emoji", "tg-time"])
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_LENIENT_ENTITY_RE = re.compile(r"&([a-zA-Z]+|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_PLAIN_RUN_RE = re.compile(r"[^<>&]+")
_ATTR_NAME_RE = re.compile(r"[^\s=>]+")


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the visible text
    byte_offset: int
    language: str | None = None


def _decode_entity(match: re.Match[str]) -> str:
    named, dec, hexa = match.group(1), match.group(2), match.group(3)
    if named:
        return _NAMED_ENTITIES[named]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def _unescape_attr(value: str) -> str:
    return _ENTITY_RE.sub(_decode_entity, value)


def _parse_attrs(src: str, i: int, tag: str, tag_offset: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``src[i:]`` up to and including ``>``; return (attrs, next index)."""
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while i < n and src[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        if src[i] == ">":
            return attrs, i + 1
        if src[i] == "/" and i + 1 < n and src[i + 1] == ">":
            # A self-closing start tag is no tag Telegram knows.
            raise EntityParseError(f'Unsupported start tag "{tag}/" at byte offset {tag_offset}')
        m = _ATTR_NAME_RE.match(src, i)
        if m is None:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {tag_offset}'
            )
        name = m.group(0).lower()
        i = m.end()
        while i < n and src[i].isspace():
            i += 1
        if i < n and src[i] == "=":
            i += 1
            while i < n and src[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
            quote = src[i]
            if quote in "\"'":
                end = src.find(quote, i + 1)
                if end == -1:
                    raise EntityParseError(
                        f'Unclosed start tag "{tag}" at byte offset {tag_offset}: '
                        f"unterminated attribute value"
                    )
                value = src[i + 1 : end]
                i = end + 1
            else:
                start = i
                while i < n and not src[i].isspace() and src[i] != ">":
                    i += 1
                value = src[start:i]
            attrs[name] = _unescape_attr(value)
        else:
            attrs[name] = ""


def _parse_html(src: str, *, strict: bool) -> ParsedText:
    out: list[str] = []
    pos = 0  # UTF-16 length of what is in ``out``
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0
    n = len(src)

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += utf16_len(chunk) if not chunk.isascii() else len(chunk)

    while i < n:
        run = _PLAIN_RUN_RE.match(src, i)
        if run is not None:
            emit(run.group(0))
            i = run.end()
            continue
        c = src[i]
        if c == "&":
            m = _ENTITY_RE.match(src, i)
            if m is not None:
                emit(_decode_entity(m))
                i = m.end()
                continue
            if strict:
                raise EntityParseError(
                    f'Character "&" at byte offset {_byte_offset(src, i)} is not part of an '
                    f"HTML entity and must be escaped as &amp; (strict check of the fake; "
                    f"supported named entities: &lt; &gt; &amp; &quot;)"
                )
            lenient = _LENIENT_ENTITY_RE.match(src, i)
            # Telegram keeps unknown entities such as "&nbsp;" verbatim.
            chunk = lenient.group(0) if lenient else "&"
            emit(chunk)
            i += len(chunk)
            continue
        if c == ">":
            if strict:
                raise EntityParseError(
                    f'Character ">" at byte offset {_byte_offset(src, i)} must be escaped as '
                    f"&gt; (strict check of the fake)"
                )
            emit(">")
            i += 1
            continue
        # c == "<"
        tag_offset = _byte_offset(src, i)
        if src.startswith("</", i):
            end = src.find(">", i)
            if end == -1:
                raise EntityParseError(f"Unclosed end tag at byte offset {tag_offset}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {tag_offset}")
            top = stack.pop()
            if top.name != name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {tag_offset}, expected "</{top.name}>", '
                    f'found "</{name}>"'
                )
            _close_html_tag(top, stack, pos, entities)
            i = end + 1
            continue
        j = i + 1
        while j < n and not src[j].isspace() and src[j] not in "<>":
            j += 1
        name = src[i + 1 : j].lower()
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        if name not in _ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {tag_offset}')
        attrs, i = _parse_attrs(src, j, name, tag_offset)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {tag_offset}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {tag_offset}'
            )
        if name == "tg-time" and not attrs.get("unix", "").lstrip("-").isdigit():
            raise EntityParseError(
                f'Tag "tg-time" must have attribute "unix" at byte offset {tag_offset}'
            )
        stack.append(_OpenTag(name, attrs, pos, tag_offset))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def _close_html_tag(
    tag: _OpenTag, stack: list[_OpenTag], pos: int, entities: list[JSONDict]
) -> None:
    length = pos - tag.start
    name = tag.name
    if name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> gives the pre entity a language; no code entity.
        cls = tag.attrs.get("class", "")
        if cls.startswith("language-"):
            stack[-1].language = cls[len("language-") :]
        return
    if length <= 0:
        return  # Telegram drops empty entities
    entity: JSONDict = {"offset": tag.start, "length": length}
    if name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[name]
        if name == "pre" and tag.language:
            entity["language"] = tag.language
    elif name == "span":
        entity["type"] = "spoiler"
    elif name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return  # Telegram ignores <a> without a link
        entity["type"] = "text_link"
        entity["url"] = href
    elif name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif name == "tg-time":
        entity["type"] = "date_time"
        entity["unix_time"] = int(tag.attrs["unix"])
        if tag.attrs.get("format"):
            entity["date_time_format"] = tag.attrs["format"]
    entities.append(entity)


# --------------------------------------------------------------------------------------------
# MarkdownV2
# --------------------------------------------------------------------------------------------

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_TOGGLES: tuple[tuple[str, str], ...] = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


@dataclass
class _MdOpen:
    kind: str
    marker: str
    start: int
    byte_offset: int


def _parse_markdown_v2(src: str) -> ParsedText:
    out: list[str] = []
    pos = 0
    stack: list[_MdOpen] = []
    entities: list[JSONDict] = []
    n = len(src)
    i = 0
    line_start = True
    quote: _MdOpen | None = None

    def emit(chunk: str) -> None:
        nonlocal pos
        out.append(chunk)
        pos += utf16_len(chunk)

    def reserved(ch: str, at: int) -> EntityParseError:
        return EntityParseError(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            f" (byte offset {_byte_offset(src, at)})"
        )

    while i < n:
        c = src[i]
        if line_start:
            line_start = False
            if c == ">":
                if quote is None:
                    quote = _MdOpen("blockquote", ">", pos, _byte_offset(src, i))
                i += 1
                continue
            if quote is not None:
                _md_close(quote, pos, entities)
                quote = None
        if c == "\n":
            emit("\n")
            i += 1
            line_start = True
            if quote is not None:
                # The quote ends before the newline that starts a non-quoted line.
                nxt = src[i] if i < n else ""
                if nxt != ">":
                    _md_close(quote, pos - 1, entities)
                    quote = None
            continue
        if c == "\\":
            if i + 1 < n and 1 <= ord(src[i + 1]) <= 126:
                emit(src[i + 1])
                i += 2
                continue
            raise reserved("\\", i)
        if c == "`":
            is_pre = src.startswith("```", i)
            marker = "```" if is_pre else "`"
            start_off = _byte_offset(src, i)
            j = i + len(marker)
            language = None
            if is_pre:
                nl = src.find("\n", j)
                first = src[j:nl] if nl != -1 else ""
                if nl != -1 and first and " " not in first and "`" not in first:
                    language = first
                    j = nl + 1
            body: list[str] = []
            while True:
                if j >= n:
                    kind = "pre" if is_pre else "code"
                    raise EntityParseError(
                        f"Can't find end of {kind} entity at byte offset {start_off}"
                    )
                if src[j] == "\\" and j + 1 < n:
                    body.append(src[j + 1])
                    j += 2
                    continue
                if src.startswith(marker, j):
                    break
                body.append(src[j])
                j += 1
            text = "".join(body)
            start = pos
            emit(text)
            if pos > start:
                ent: JSONDict = {"type": "pre" if is_pre else "code", "offset": start}
                ent["length"] = pos - start
                if language:
                    ent["language"] = language
                entities.append(ent)
            i = j + len(marker)
            continue
        if c == "[" or (c == "!" and src.startswith("![", i)):
            kind = "custom_emoji" if c == "!" else "text_link"
            stack.append(_MdOpen(kind, "[", pos, _byte_offset(src, i)))
            i += 2 if c == "!" else 1
            continue
        if c == "]":
            if not stack or stack[-1].marker != "[":
                raise reserved("]", i)
            link = stack.pop()
            if not src.startswith("(", i + 1):
                raise EntityParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(src, i + 1)}"
                )
            j = i + 2
            url: list[str] = []
            while True:
                if j >= n:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(src, i + 1)}"
                    )
                if src[j] == "\\" and j + 1 < n:
                    url.append(src[j + 1])
                    j += 2
                    continue
                if src[j] == ")":
                    break
                url.append(src[j])
                j += 1
            if pos > link.start:
                ent = {"type": link.kind, "offset": link.start, "length": pos - link.start}
                target = "".join(url)
                if link.kind == "custom_emoji":
                    ent["custom_emoji_id"] = target.rsplit("id=", 1)[-1]
                else:
                    ent["url"] = target
                entities.append(ent)
            i = j + 1
            continue
        toggled = False
        for marker, kind in _MDV2_TOGGLES:
            if src.startswith(marker, i):
                if stack and stack[-1].marker == marker:
                    _md_close(stack.pop(), pos, entities)
                elif any(o.marker == marker for o in stack):
                    inner = stack[-1]
                    raise EntityParseError(
                        f"Can't find end of {inner.kind} entity at byte offset {inner.byte_offset}"
                    )
                else:
                    stack.append(_MdOpen(kind, marker, pos, _byte_offset(src, i)))
                i += len(marker)
                toggled = True
                break
        if toggled:
            continue
        if c in _MDV2_RESERVED:
            raise reserved(c, i)
        emit(c)
        i += 1

    if stack:
        raise EntityParseError(
            f"Can't find end of {stack[-1].kind} entity at byte offset {stack[-1].byte_offset}"
        )
    if quote is not None:
        _md_close(quote, pos, entities)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def _md_close(opened: _MdOpen, pos: int, entities: list[JSONDict]) -> None:
    if pos > opened.start:
        entities.append({"type": opened.kind, "offset": opened.start, "length": pos - opened.start})


# --------------------------------------------------------------------------------------------
# Legacy Markdown
# --------------------------------------------------------------------------------------------

_LEGACY_RE = re.compile(
    r"\\([_*`\[])"  # escaped markup character
    r"|```(?:([^\s`]+)\n)?(.*?)```"  # pre, optional language
    r"|`([^`]*)`"  # code
    r"|\*([^*]*)\*"  # bold
    r"|_([^_]*)_"  # italic
    r"|\[([^\]]*)\]\(([^)]*)\)",  # link
    re.DOTALL,
)


def _parse_markdown_legacy(src: str) -> ParsedText:
    out: list[str] = []
    pos = 0
    entities: list[JSONDict] = []
    i = 0

    def emit(chunk: str) -> int:
        nonlocal pos
        start = pos
        out.append(chunk)
        pos += utf16_len(chunk)
        return start

    while i < len(src):
        m = _LEGACY_RE.search(src, i)
        if m is None:
            tail = src[i:]
            for ch in "*_`[":
                if ch in tail:
                    at = i + tail.index(ch)
                    raise EntityParseError(
                        "Can't find end of the entity starting at byte offset "
                        f"{_byte_offset(src, at)}"
                    )
            emit(tail)
            break
        before = src[i : m.start()]
        for ch in "*_`[":
            if ch in before:
                at = i + before.index(ch)
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, at)}"
                )
        emit(before)
        if m.group(1):
            emit(m.group(1))
        elif m.group(3) is not None:
            start = emit(m.group(3))
            ent: JSONDict = {"type": "pre", "offset": start, "length": pos - start}
            if m.group(2):
                ent["language"] = m.group(2)
            if pos > start:
                entities.append(ent)
        else:
            kinds = ((4, "code"), (5, "bold"), (6, "italic"), (7, "text_link"))
            for group, kind in kinds:
                if m.group(group) is not None:
                    start = emit(m.group(group))
                    if pos > start:
                        ent = {"type": kind, "offset": start, "length": pos - start}
                        if kind == "text_link":
                            ent["url"] = m.group(8)
                        entities.append(ent)
                    break
        i = m.end()
    return ParsedText("".join(out), entities)
