"""Optional language model: polish digest theme labels through an OpenAI-compatible endpoint.

Needfinder never needs a language model. When one is configured, it only ever receives
anonymised text (theme labels built from the concept lexicon and quotes taken from anonymised
answers) and its answer only replaces a label. Any failure (no connection, timeout, an error
status, a malformed answer) gives ``None`` and the caller keeps the default.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from needfinder.app.settings import Settings
from needfinder.insights.themes.model import DigestDraft, Theme, ThemeLabel

log = logging.getLogger(__name__)

#: The fixed instruction sent with every label request (no customer text in it).
LABEL_INSTRUCTION = (
    "You name themes for a digest of customer feedback. You get a draft label in German and "
    "English and a few anonymised customer quotes. Reply with JSON only: "
    '{"de": "<German label>", "en": "<English label>"}; each label at most 6 words, '
    "neutral, no names, no placeholders."
)
MAX_LABEL_CHARS = 80


@dataclass(frozen=True, slots=True)
class LlmConfig:
    """Where the model is and how long to wait for it."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 20.0
    max_tokens: int = 200
    temperature: float = 0.2

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmConfig | None:
        """Return the configured model; ``None`` unless base URL and model are both set."""
        if not settings.llm_base_url or not settings.llm_model:
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(settings.llm_base_url, settings.llm_model, key, settings.llm_timeout_seconds)


class LlmClient:
    """A minimal chat-completions client that answers ``None`` instead of raising."""

    def __init__(
        self, config: LlmConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self._transport = transport

    def request_body(self, system: str, user: str) -> dict[str, Any]:
        """The JSON body sent for one exchange: the model, both messages, and sampling knobs."""
        return {
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }

    async def chat(self, system: str, user: str) -> str | None:
        """Send one system and one user message; the reply's text, or ``None`` on any failure."""
        url = self.config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        try:
            async with httpx.AsyncClient(
                timeout=self.config.timeout, transport=self._transport
            ) as client:
                response = await client.post(
                    url, json=self.request_body(system, user), headers=headers
                )
                response.raise_for_status()
                content = response.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
            # Log the kind of failure only: the texts involved stay out of the logs.
            log.warning("language model unavailable", extra={"error": type(error).__name__})
            return None
        return content if isinstance(content, str) and content.strip() else None

    async def polish_label(self, label: ThemeLabel, quotes: Sequence[str]) -> ThemeLabel | None:
        """A better German and English label for a theme, or ``None`` to keep the draft's."""
        reply = await self.chat(LABEL_INSTRUCTION, label_prompt(label, quotes))
        return parse_label(reply) if reply is not None else None


def label_prompt(label: ThemeLabel, quotes: Sequence[str]) -> str:
    """The user message for a label request: the draft label and the (anonymised) quotes."""
    lines = [f"German draft: {label.de}", f"English draft: {label.en}", "Quotes:"]
    lines += [f"- {quote}" for quote in quotes]
    return "\n".join(lines)


def parse_label(reply: str) -> ThemeLabel | None:
    """Read ``{"de": …, "en": …}`` from a reply (tolerating a code fence); else ``None``."""
    text = reply.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    de, en = value.get("de"), value.get("en")
    if not all(isinstance(v, str) and 0 < len(v.strip()) <= MAX_LABEL_CHARS for v in (de, en)):
        return None
    assert isinstance(de, str) and isinstance(en, str)
    if "\n" in de + en or "[" in de + en:
        return None
    return ThemeLabel(de.strip(), en.strip())


async def polish_draft(draft: DigestDraft, client: LlmClient) -> DigestDraft:
    """The draft with each theme's label polished where the model answered well."""
    themes: list[Theme] = []
    for theme in draft.themes:
        better = await client.polish_label(theme.label, [q.text for q in theme.quotes])
        themes.append(dataclasses.replace(theme, label=better) if better else theme)
    return dataclasses.replace(draft, themes=tuple(themes))
