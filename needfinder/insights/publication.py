"""Render a digest for people: Telegram HTML messages, Markdown, a standalone HTML page.

Pure: the digest's stored content (themes, labels, quotes, the team's note) in, text out.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, Literal

Language = Literal["de", "en"]
Format = Literal["telegram", "md", "html", "text"]

#: Telegram allows 4,096 characters per message; blocks are packed below this.
MESSAGE_LIMIT = 3800

_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Was wir gehört haben", "What we heard"),
    "conversations": ("{n} Gespräche", "{n} conversations"),
    "conversation": ("1 Gespräch", "1 conversation"),
    "continue": ("Darüber weiterreden", "Talk about this"),
    "note": ("Was wir daraus machen", "What we will do about it"),
    "needs": ("Was Kundinnen und Kunden brauchen", "What customers need"),
    "struggles": ("Womit Kundinnen und Kunden kämpfen", "What customers are struggling with"),
    "struggles_intro": (
        "Das betrifft uns nicht direkt, aber es prägt den Alltag vieler, die mit uns gesprochen "
        "haben:",
        "Not something we can solve directly, but it shapes the days of many who talked to us:",
    ),
    "intro": (
        "Danke an alle, die uns erzählt haben, was sie beschäftigt! Hier ist, was wir gehört "
        "haben – in Ihren Worten, ohne Namen.",
        "Thank you to everyone who told us what occupies them! Here is what we heard – in your "
        "words, without names.",
    ),
    "unsubscribe": (
        "Sie bekommen diese Zusammenfassung, weil Sie darum gebeten haben. Abbestellen: "
        "/unsubscribe",
        "You get this summary because you asked for it. Unsubscribe: /unsubscribe",
    ),
}


def text(key: str, language: Language, **values: object) -> str:
    """Return a fixed digest text in ``language``."""
    german, english = _TEXTS[key]
    return (german if language == "de" else english).format(**values)


def visible_themes(content: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Return ``(number, theme)`` for the themes staff kept, numbered from 1 as published."""
    kept = [t for t in content.get("themes", []) if not t.get("dropped") and t.get("dialogue_ids")]
    return list(enumerate(kept, start=1))


def visible_struggles(content: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Return ``(number, struggle)`` for the struggles staff kept, numbered from 1."""
    kept = [
        t for t in content.get("struggles", []) if not t.get("dropped") and t.get("dialogue_ids")
    ]
    return list(enumerate(kept, start=1))


def quote_text(quote: dict[str, Any]) -> str:
    """Return a quote as shown: verbatim, with an ellipsis where it was cut."""
    return str(quote["text"]) + (" …" if quote.get("shortened") else "")


def render(
    content: dict[str, Any],
    *,
    language: Language,
    fmt: Format,
    link_for: Callable[[int], str] | None = None,
    unsubscribe: bool = False,
) -> list[str]:
    """Render the digest; Telegram gives several messages, the other formats one text."""
    blocks = _blocks(content, language, fmt, link_for, unsubscribe)
    if fmt != "telegram":
        body = "\n\n".join(blocks)
        if fmt == "html":
            title = html.escape(text("title", language))
            body = (
                f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
                f"<title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
            )
        return [body]
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) > MESSAGE_LIMIT and current:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def _blocks(
    content: dict[str, Any],
    language: Language,
    fmt: Format,
    link_for: Callable[[int], str] | None,
    unsubscribe: bool,
) -> list[str]:
    esc = (lambda s: html.escape(s, quote=fmt == "html")) if fmt in ("telegram", "html") else str
    bold = {"telegram": "<b>{}</b>", "html": "<h2>{}</h2>", "md": "### {}", "text": "{}"}[fmt]
    heading = {"telegram": "<b>{}</b>", "html": "<h1>{}</h1>", "md": "## {}", "text": "{}"}[fmt]
    italic = {
        "telegram": "<i>{}</i>",
        "html": "<blockquote>{}</blockquote>",
        "md": "> {}",
        "text": "{}",
    }[fmt]
    paragraph = "<p>{}</p>" if fmt == "html" else "{}"
    themes = visible_themes(content)
    blocks = [
        heading.format(esc(text("title", language)))
        + "\n"
        + paragraph.format(esc(text("intro", language)))
    ]
    for number, theme in themes:
        label = theme["label"].get(language) or theme["label"].get("de") or ""
        n = len(theme["dialogue_ids"])
        size = text("conversation", language) if n == 1 else text("conversations", language, n=n)
        if fmt == "html":
            lines = [bold.format(esc(f"{number}. {label}")) + paragraph.format(esc(size))]
        else:
            lines = [bold.format(esc(f"{number}. {label}")) + esc(f" · {size}")]
        for quote in theme.get("quotes", []):
            lines.append(italic.format(esc(f"„{quote_text(quote)}“")))
        if link_for is not None:
            link = link_for(number)
            label_text = text("continue", language)
            if fmt == "telegram":
                lines.append(f'<a href="{html.escape(link)}">{esc(label_text)}</a>')
            elif fmt == "html":
                lines.append(f'<p><a href="{html.escape(link)}">{esc(label_text)}</a></p>')
            elif fmt == "md":
                lines.append(f"[{label_text}]({link})")
            else:
                lines.append(f"{label_text}: {link}")
        blocks.append("\n".join(lines))
    struggles = visible_struggles(content)
    if struggles and themes:
        # Needs and struggles are told apart: the themes above are what customers need.
        blocks.insert(1, bold.format(esc(text("needs", language))))
    if struggles:
        lines = [
            bold.format(esc(text("struggles", language)))
            + "\n"
            + paragraph.format(esc(text("struggles_intro", language)))
        ]
        for _number, struggle in struggles:
            label = struggle["label"].get(language) or struggle["label"].get("de") or ""
            n = len(struggle["dialogue_ids"])
            size = (
                text("conversation", language) if n == 1 else text("conversations", language, n=n)
            )
            item = {"telegram": "• {}", "html": "<p>{}</p>", "md": "- {}", "text": "- {}"}[fmt]
            lines.append(item.format(esc(f"{label} · {size}")))
            for quote in struggle.get("quotes", [])[:1]:
                lines.append(italic.format(esc(f"„{quote_text(quote)}“")))
        blocks.append("\n".join(lines))
    note = (content.get("note") or {}).get(language, "").strip()
    if note:
        blocks.append(bold.format(esc(text("note", language))) + "\n" + paragraph.format(esc(note)))
    if unsubscribe:
        blocks.append(esc(text("unsubscribe", language)))
    return blocks
