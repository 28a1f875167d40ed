"""Rendering a digest: needs and struggles apart, in every format, and what staff dropped."""

from __future__ import annotations

from typing import Any

import pytest

from needfinder.insights.publication import render, visible_struggles, visible_themes


def _content() -> dict[str, Any]:
    def theme(theme_id: str, de: str, en: str, quote: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": theme_id,
            "label": {"de": de, "en": en},
            "dialogue_ids": ["d1", "d2"],
            "quotes": [{"dialogue_id": "d1", "text": quote, "shortened": False}],
            **extra,
        }

    return {
        "themes": [
            theme("delivery", "Lieferzeit", "Delivery speed", "Faster deliveries, please."),
            theme("contact", "Ansprechpartner", "A contact person", "Someone who knows us."),
        ],
        "struggles": [
            theme("struggle-staff", "Personal", "Staff", "We cannot find staff."),
            theme("struggle-rent", "Miete", "Rent", "The rent went up.", dropped=True),
        ],
        "note": {"de": "", "en": ""},
    }


@pytest.mark.parametrize("fmt", ["md", "html", "telegram", "text"])
def test_needs_and_struggles_are_shown_apart_in_every_format(fmt: str) -> None:
    text = "\n".join(
        render(_content(), language="en", fmt=fmt, link_for=lambda n: f"https://t.me/b?start=t-{n}")  # type: ignore[arg-type]
    )
    needs_at = text.index("What customers need")
    struggles_at = text.index("What customers are struggling with")
    assert needs_at < text.index("Delivery speed") < text.index("A contact person") < struggles_at
    assert text.index("Staff") > struggles_at and "We cannot find staff." in text
    assert "Rent" not in text  # dropped by staff
    # Follow-up links belong to the need themes only.
    assert text.count("t.me/b?start=t-") == 2


def test_german_headings_and_numbering() -> None:
    content = _content()
    text = render(content, language="de", fmt="md")[0]
    assert "Was Kundinnen und Kunden brauchen" in text
    assert "Womit Kundinnen und Kunden kämpfen" in text
    assert [n for n, _t in visible_themes(content)] == [1, 2]
    assert [t["id"] for _n, t in visible_struggles(content)] == ["struggle-staff"]


def test_a_digest_without_struggles_has_no_struggles_section() -> None:
    content = {**_content(), "struggles": []}
    text = render(content, language="en", fmt="md")[0]
    assert "struggling" not in text and "What customers need" not in text
    assert "Delivery speed" in text
