"""Strictly shaped values of the blind-set failure classes: IDs, postcodes, birthdays, links."""

from __future__ import annotations

import pytest

from needfinder.insights.anonymise import Anonymiser


@pytest.fixture(scope="module")
def anonymiser() -> Anonymiser:
    """One anonymiser for the module (the tagger loads once)."""
    return Anonymiser()


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("Handelsregister: HRB 45872, Amtsgericht Köln", "de", "HRB 45872"),
        ("Rechnung RG 2025/3391 bitte angeben", "de", "RG 2025/3391"),
        ("kundenummer kd-771204 (falls ihr die braucht)", "de", "kd-771204"),
        ("ref no: cu-558210", "en", "cu-558210"),
        ("my NI number is QQ 12 34 56 C if you need it", "en", "QQ 12 34 56 C"),
        ("Sendung JJD0001234567 ist unterwegs", "de", "JJD0001234567"),
        ("Booking reference QX7T2M, flight to Dublin.", "en", "QX7T2M"),
        ("Deliver to D02 X285 please", "en", "D02 X285"),
        ("postcode is ls6 2ab", "en", "ls6 2ab"),
        ("Wir wohnen in der lerchenfelder str. 120/3/14, 1160 wien.", "de", "120/3/14"),
        ("hab am 4. Juli 79 Geburtstag, also bald", "de", "4. Juli 79"),
        ("Mehr Infos auf linktr.ee/hofcafe_lina", "de", "linktr.ee/hofcafe_lina"),
    ],
)
def test_shaped_value_removed(anonymiser: Anonymiser, text: str, language: str, value: str) -> None:
    """Each value is gone from the output."""
    assert value not in anonymiser.anonymise(text, language).text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Seit 2019 läuft es besser, in 2020 kam Corona.", "de"),
        ("Wir haben 4 Gesellen und 3 Lehrlinge.", "de"),
        ("Der Großhändler ist 45 km weg.", "de"),
        ("Die Halle hat 120 qm.", "de"),
        ("We use the A1 and the M6 a lot, mostly b2b sales.", "en"),
        ("Das steht z.B. in Version 2.3 der Anleitung.", "de"),
    ],
)
def test_counts_and_words_kept(anonymiser: Anonymiser, text: str, language: str) -> None:
    """Counts, roads, years and abbreviations are no personal data."""
    assert anonymiser.anonymise(text, language).text == text  # type: ignore[arg-type]


def test_signature_firm_line_and_plural_family(anonymiser: Anonymiser) -> None:
    """A 'Firma:' line names the firm unless it is ordinary words; 'the Smiths' is a family."""
    text = anonymiser.anonymise("Viele Grüße\nJörn Ahlers\nFirma: Ahlers Kältetechnik", "de").text
    assert "Kältetechnik" not in text
    assert anonymiser.anonymise("Firma: siehe oben", "de").text == "Firma: siehe oben"
    text = anonymiser.anonymise("the bakers and the Smiths came round", "en").text
    assert text.startswith("the bakers") and "Smith" not in text


def test_long_mixed_codes_are_ids_product_names_are_not(anonymiser: Anonymiser) -> None:
    """A courier code is removed whatever its label; a graphics card model is kept."""
    assert "1Z999AA10123456784" not in anonymiser.anonymise("parcel 1Z999AA10123456784", "en").text
    text = "Die RTX4090 läuft gut."
    assert anonymiser.anonymise(text, "de").text == text


def test_inn_signs_and_and_co_names(anonymiser: Anonymiser) -> None:
    """'Gasthof Zur Linde' and 'tidy & co' are firms; 'Zum Glück' is no inn."""
    assert "Linde" not in anonymiser.anonymise("Wir essen oft im Gasthof Zur Linde.", "de").text
    assert "tidy" not in anonymiser.anonymise("the van is from tidy & co", "en").text
    text = anonymiser.anonymise("We use Smith & Co. for printing", "en").text
    assert text.startswith("We use ") and "Smith" not in text
    assert anonymiser.anonymise("Zum Glück war es ruhig.", "de").text == "Zum Glück war es ruhig."
