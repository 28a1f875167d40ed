"""pytest plugin: the ``fake_telegram`` fixture (list "tests.fakes.plugin" in pytest_plugins)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.telegram_api import FakeTelegram


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram for one test; stopped afterwards (any failure dump included)."""
    with FakeTelegram() as tg:
        yield tg
