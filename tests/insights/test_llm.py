"""The optional language-model client against a fake OpenAI-compatible endpoint on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from needfinder.app.llm import (
    LABEL_INSTRUCTION,
    LlmClient,
    LlmConfig,
    label_prompt,
    parse_label,
    polish_draft,
)
from needfinder.app.settings import Settings
from needfinder.insights.themes.model import DigestDraft, Quote, Theme, ThemeLabel

LABEL = ThemeLabel("Personal und Personalsuche", "Staff and recruiting")
QUOTES = ["Wir finden keine Leute für [ORG_1].", "Nobody answers our job ads."]


@dataclass
class FakeEndpoint:
    """What the fake server answers, and every request it received."""

    mode: str = "ok"
    reply: str = '{"de": "Fachkräfte finden", "en": "Finding skilled staff"}'
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def endpoint() -> Iterator[FakeEndpoint]:
    fake = FakeEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            fake.requests.append(
                {
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "body": self.rfile.read(length).decode("utf-8"),
                }
            )
            if fake.mode == "slow":
                time.sleep(1.0)
            if fake.mode == "error":
                self._send(500, b'{"error": "boom"}')
            elif fake.mode == "malformed":
                self._send(200, b'{"choices": [{"message": ')
            elif fake.mode == "no_choices":
                self._send(200, b'{"choices": []}')
            else:
                answer = {"choices": [{"message": {"role": "assistant", "content": fake.reply}}]}
                self._send(200, json.dumps(answer).encode())

        def _send(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def client(endpoint: FakeEndpoint, timeout: float = 5.0) -> LlmClient:
    return LlmClient(LlmConfig(endpoint.url, "test-model", "secret-key", timeout))


async def test_success_returns_the_polished_label(endpoint: FakeEndpoint) -> None:
    result = await client(endpoint).polish_label(LABEL, QUOTES)
    assert result == ThemeLabel("Fachkräfte finden", "Finding skilled staff")
    assert endpoint.requests[0]["path"] == "/v1/chat/completions"
    assert endpoint.requests[0]["auth"] == "Bearer secret-key"


async def test_the_request_carries_only_what_was_passed_in(endpoint: FakeEndpoint) -> None:
    await client(endpoint).polish_label(LABEL, QUOTES)
    body = json.loads(endpoint.requests[0]["body"])
    assert set(body) == {"model", "messages", "temperature", "max_tokens"}
    assert body["model"] == "test-model"
    assert body["messages"] == [
        {"role": "system", "content": LABEL_INSTRUCTION},
        {"role": "user", "content": label_prompt(LABEL, QUOTES)},
    ]
    # The user message is the labels and the quotes and nothing else but fixed field names.
    user = body["messages"][1]["content"]
    rest = user
    for text in (LABEL.de, LABEL.en, *QUOTES):
        assert text in rest
        rest = rest.replace(text, "", 1)
    assert rest == "German draft: \nEnglish draft: \nQuotes:\n- \n- "


async def test_timeout_gives_none(endpoint: FakeEndpoint) -> None:
    endpoint.mode = "slow"
    started = time.perf_counter()
    assert await client(endpoint, timeout=0.2).chat("system", "user") is None
    assert time.perf_counter() - started < 0.9


@pytest.mark.parametrize("mode", ["error", "malformed", "no_choices"])
async def test_server_failures_give_none(endpoint: FakeEndpoint, mode: str) -> None:
    endpoint.mode = mode
    assert await client(endpoint).chat("system", "user") is None
    assert await client(endpoint).polish_label(LABEL, QUOTES) is None


@pytest.mark.parametrize(
    "reply",
    ["not json", '["de", "en"]', '{"de": "Nur Deutsch"}', '{"de": "[PERSON_1]", "en": "x"}', " "],
)
async def test_unusable_replies_give_none(endpoint: FakeEndpoint, reply: str) -> None:
    endpoint.reply = reply
    assert await client(endpoint).polish_label(LABEL, QUOTES) is None


async def test_no_server_at_all_gives_none() -> None:
    config = LlmConfig("http://127.0.0.1:9/v1", "m", timeout=1.0)
    assert await LlmClient(config).chat("system", "user") is None


def _draft() -> DigestDraft:
    quote = Quote("d1", "needs", "en", "Nobody answers our job ads.", 0, 27)
    theme = Theme("staff", LABEL, ("d1", "d2"), (quote,), ("staff",), {"en": 2})
    other = Theme("prices", ThemeLabel("Preise", "Prices"), ("d3", "d4"), (), ("prices",), {})
    return DigestDraft((theme, other), 4, (), "concept-lexicon-v1")


async def test_polish_draft_replaces_labels_and_falls_back(endpoint: FakeEndpoint) -> None:
    polished = await polish_draft(_draft(), client(endpoint))
    assert polished.themes[0].label.en == "Finding skilled staff"
    assert polished.themes[0].dialogue_ids == ("d1", "d2")
    endpoint.mode = "error"
    unchanged = await polish_draft(_draft(), client(endpoint))
    assert unchanged == _draft()


def test_parse_label_accepts_a_code_fence() -> None:
    assert parse_label('```json\n{"de": "A", "en": "B"}\n```') == ThemeLabel("A", "B")


def test_config_from_settings() -> None:
    assert LlmConfig.from_settings(Settings(_env_file=None)) is None  # type: ignore[call-arg]
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        llm_base_url="http://127.0.0.1:8000/v1",
        llm_model="small",
        llm_timeout_seconds=3.5,
        llm_api_key="sk-test",
    )
    assert LlmConfig.from_settings(settings) == LlmConfig(
        "http://127.0.0.1:8000/v1", "small", "sk-test", 3.5
    )
