"""One block per recogniser: what it must find, and what it must leave alone."""

from __future__ import annotations

import pytest

from needfinder.insights.anonymise import Anonymiser, EntityType
from needfinder.insights.anonymise.checksums import iban_is_valid, luhn_is_valid

anonymiser = Anonymiser()


def found(text: str, language: str = "de") -> list[tuple[EntityType, str]]:
    return [(f.type, f.text) for f in anonymiser.find(text, language)]  # type: ignore[arg-type]


def redact(text: str, language: str = "de") -> str:
    return anonymiser.anonymise(text, language).text  # type: ignore[arg-type]


# ---------------------------------------------------------------- checksums
def test_iban_checksum() -> None:
    assert iban_is_valid("DE89370400440532013000")
    assert iban_is_valid("GB82WEST12345698765432")
    assert not iban_is_valid("DE89370400440532013001")  # one digit off
    assert not iban_is_valid("DE8937040044053201300")  # too short for DE


def test_luhn_checksum() -> None:
    assert luhn_is_valid("4111111111111111")
    assert not luhn_is_valid("4111111111111112")


# ---------------------------------------------------------------- finance
def test_valid_iban_is_redacted_with_spaces_or_lower_case() -> None:
    assert redact("Konto: DE89 3704 0044 0532 0130 00, danke") == "Konto: [IBAN_1], danke"
    assert redact("iban de89370400440532013000 bitte") == "iban [IBAN_1] bitte"


def test_invalid_iban_stays_unless_called_an_iban() -> None:
    text = "Vorgang DE89 3704 0044 0532 0130 01 ist erledigt."
    assert (EntityType.IBAN, "DE89 3704 0044 0532 0130 01") not in found(text)
    assert "DE89 3704 0044 0532 0130 01" in redact(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A digit short, a wrong check digit, a digit too many: a bank word says what it is.
        ("meine iban lautet DE89 3704 0044 0532 0130 0 danke", "meine iban lautet [IBAN_1] danke"),
        ("Kontoverbindung: DE12 5001 0517 5407 3249 31 bitte", "Kontoverbindung: [IBAN_1] bitte"),
        ("pay into GB33 BUKB 2020 1555 5555 5551 thanks", "pay into [IBAN_1] thanks"),
        ("bank: de893704004405320130001", "bank: [IBAN_1]"),
    ],
)
def test_mistyped_iban_next_to_a_bank_word_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_mistyped_iban_needs_a_bank_word_and_a_country_code() -> None:
    for text in (
        "Bestellung DE12 5001 0517 5407 3249 31 ist raus",  # any reference number
        "bank sagt no 40 1162 8812 0456 7",  # "no" is a word here, not Norway
        "Konto DE89 3704 0044 0532 01",  # far too short for a German IBAN
    ):
        assert not any(kind is EntityType.IBAN for kind, _ in found(text)), text


def test_card_numbers_need_luhn() -> None:
    assert redact("Karte 4111 1111 1111 1111 abgelehnt") == "Karte [CARD_1] abgelehnt"
    assert redact("Karte 4111-1111-1111-1111") == "Karte [CARD_1]"
    text = "meine Karte 4111 1111 1111 1112 wurde abgelehnt"
    assert redact(text) == text


# ---------------------------------------------------------------- contact
@pytest.mark.parametrize(
    "text",
    [
        "Schreiben Sie an anna.berger@web.de bitte",
        "mail: Info@Blumen-Kasper.DE",
        "jens (at) hartmann-bau (dot) de",
    ],
)
def test_emails(text: str) -> None:
    assert [t for t, _ in found(text)] == [EntityType.EMAIL]


@pytest.mark.parametrize(
    "number",
    [
        "0171 2345678",
        "030/12345678",
        "+49 (0)30 1234567",
        "0049 89 12345678",
        "0176-12 34 56 78",
        "+44 7911 123456",
        "(212) 555-0147",
        "+1 415 555 0199",
    ],
)
def test_phone_formats(number: str) -> None:
    assert found(f"Ruf mich an: {number}, danke") == [(EntityType.PHONE, number)]


def test_numbers_that_are_not_phones_stay() -> None:
    text = "Rechnung vom 12.03.2024 über 25.000 Euro, Version 2.3.1, seit 2015."
    assert redact(text) == text


def test_urls_and_public_sites() -> None:
    assert redact("Unser Shop: www.blumen-sonnenschein.de") == "Unser Shop: [URL_1]"
    assert redact("siehe https://example-shop.com/kontakt.") == "siehe [URL_1]."
    # Naming a public provider identifies nobody.
    assert redact("ich habe ein Konto bei web.de") == "ich habe ein Konto bei web.de"
    assert redact("z.B. Version 2.0 usw.") == "z.B. Version 2.0 usw."


def test_telegram_handles_and_links() -> None:
    assert redact("Schreib mir: @moni_blumen") == "Schreib mir: [HANDLE_1]"
    assert redact("Gruppe: t.me/nina_naeht und https://t.me/nina_naeht") == (
        "Gruppe: [HANDLE_1] und [HANDLE_1]"
    )


# ---------------------------------------------------------------- identifiers
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Kundennummer 48213", "48213"),
        ("My order #A-99812 never came", "A-99812"),
        ("Vertragsnummer: VN-883412", "VN-883412"),
        ("ticket 12345 is open", "12345"),
        ("Steuer-ID ist 12 345 678 901", "12 345 678 901"),
    ],
)
def test_ids(text: str, value: str) -> None:
    assert (EntityType.ID, value) in found(text, "en" if "order" in text else "de")


def test_weak_id_words_need_an_id_like_value() -> None:
    for text in (
        "Die Rechnung 2023 war falsch.",
        "Ticket 3 von 4",
        "Rechnung Nr. 2023 kam per Post",
    ):
        assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Ich bin am 3.4.1985 geboren.", "3.4.1985"),
        ("geboren am 3.4.1985 in Köln", "3.4.1985"),
        ("I was born 12/05/1990.", "12/05/1990"),
        ("Geburtsdatum: 14. Februar 1979", "14. Februar 1979"),
        ("Ich wurde 15.07.49 geboren", "15.07.49"),
        ("Jahrgang 1961, also nicht digital", "1961"),
    ],
)
def test_dates_of_birth(text: str, date: str) -> None:
    assert (EntityType.DATE_OF_BIRTH, date) in found(text)


def test_dates_without_birth_context_stay() -> None:
    text = "Am 3.4. hatte ich den Termin, die Lieferung kam am 12.05.2023."
    assert redact(text) == text


# ---------------------------------------------------------------- addresses
@pytest.mark.parametrize(
    "address",
    [
        "Lindenstraße 14, 49074 Osnabrück",
        "Karl-Marx-Straße 112, 12043 Berlin",
        "Hauptstr. 5a",
        "Am Markt 3, 06108 Halle",
        "Zur alten Mühle 4",
        "42 Elm Street, Springfield, IL 62704",
        "221B Baker Street, London NW1 6XE",
    ],
)
def test_addresses(address: str) -> None:
    assert found(f"Lieferung an {address}, danke.") == [(EntityType.ADDRESS, address)]


def test_counts_are_not_addresses() -> None:
    for text in (
        "Wir haben 25000 Kunden und 12000 Mitarbeiter.",
        "Am Arbeitsplatz 2 Bildschirme, im Jahr 2023 neu.",
        "Auf dem Postweg 2 Tage unterwegs.",
    ):
        assert redact(text) == text


# ---------------------------------------------------------------- organisations
@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("Wir sind die Krüger Haustechnik GmbH aus dem Emsland.", "Krüger Haustechnik GmbH"),
        (
            "Wir liefern an die Gastro Service Rhein GmbH & Co. KG.",
            "Gastro Service Rhein GmbH & Co. KG",
        ),
        ("Bei der Bäckerei Müller kaufen wir Brötchen.", "Müller"),
        ("bei der metzgerei schulte", "schulte"),
        ("I buy my tools at Smith's Hardware.", "Smith's Hardware"),  # the whole firm name
        ("We work with Northwind Traders Inc. for supplies.", "Northwind Traders Inc."),
        ("Die Wäscherei Blitzblank holt montags ab.", "Blitzblank"),
    ],
)
def test_organisations(text: str, org: str) -> None:
    assert (EntityType.ORG, org) in found(text, "en" if "We " in text or "I " in text else "de")


def test_brands_and_products_survive() -> None:
    text = "Wir nutzen SAP, Excel, Zoom und Teams; Pakete kommen mit DHL, bezahlt wird per PayPal."
    assert redact(text) == text


# ---------------------------------------------------------------- people
@pytest.mark.parametrize(
    ("text", "name", "language"),
    [
        ("Ich habe mit Herrn Klein telefoniert.", "Klein", "de"),
        ("hab mit frau wolf gesprochen", "wolf", "de"),
        ("Mein Kollege Jan macht die Buchhaltung.", "Jan", "de"),
        ("mein chef bernd will alles in SAP", "bernd", "de"),
        ("Hope from support said it takes five days.", "Hope", "en"),
        ("I talked to Mark in billing.", "Mark", "en"),
        ("Ich heiße Thomas Bergmann und bin Maler.", "Thomas Bergmann", "de"),
        ("My name is Grace O'Neill.", "Grace O'Neill", "en"),
        ("Stefan aus dem Vertrieb hat angerufen.", "Stefan", "de"),
        ("Liebe Grüße, Monika", "Monika", "de"),
        ("Der Herr am Telefon hieß Brenner.", "Brenner", "de"),
    ],
)
def test_people_in_context(text: str, name: str, language: str) -> None:
    assert (EntityType.PERSON, name) in found(text, language)


def test_possessive_s_is_kept_outside_the_placeholder() -> None:
    assert redact("Sophie's team handles returns.", "en") == "[PERSON_1]'s team handles returns."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Rechnung kam am Mittwoch mit dem Lieferschein, nicht per Post.", "de"),
        ("Klein aber fein, so würde ich unseren Laden beschreiben.", "de"),
        ("Frank und frei gesagt: die Hotline ist eine Katastrophe.", "de"),
        ("Im Winter ist weniger los, im Mai dann Hochsaison.", "de"),
        ("I hope you will mark this as urgent.", "en"),
        ("The brown packaging looks cheap, to be honest.", "en"),
        ("Herr und Frau Kunde wollen heute alles online.", "de"),
        ("Die Frau am Telefon war sehr freundlich.", "de"),
    ],
)
def test_capitalised_nouns_and_word_names_survive(text: str, language: str) -> None:
    assert redact(text, language) == text


def test_german_and_english_texts_with_auto_language() -> None:
    assert anonymiser.anonymise("Ich habe mit Herrn Klein gesprochen").text == (
        "Ich habe mit Herrn [PERSON_1] gesprochen"
    )
    assert anonymiser.anonymise("I spoke with Jessica Moore on the phone").text == (
        "I spoke with [PERSON_1] on the phone"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Kundennummer K-20931, bitte prüfen.",
        "kundennummer KL449812",
        "Versicherungsnummer H 1234 5678 90 steht drauf.",
        "Kundennummer 48 213 977",
    ],
)
def test_lettered_and_spaced_ids(text: str) -> None:
    out = redact(text)
    assert "[ID_1]" in out and not any(ch.isdigit() for ch in out.replace("[ID_1]", ""))


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("i'm kezia, 31, i make candles", "en", "i'm [PERSON_1], 31, i make candles"),
        (
            "Bin Flo, 34, mache Fahrradreparaturen",
            "de",
            "Bin [PERSON_1], 34, mache Fahrradreparaturen",
        ),
        ("ich bin 34, und müde", "de", "ich bin 34, und müde"),
        ("Ich bin froh, 20 Jahre im Geschäft", "de", "Ich bin froh, 20 Jahre im Geschäft"),
        ("I'm happy, 100% sure", "en", "I'm happy, 100% sure"),
    ],
)
def test_a_name_between_introduction_and_age(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Used Marston-Webb for the fit-out.", "en", "Used [ORG_1] for the fit-out."),
        ("Schulte-Bräuning mein Name", "de", "[PERSON_1] mein Name"),
        ("Die Koch-Kurse am Samstag", "de", "Die Koch-Kurse am Samstag"),
        ("she works at the blue anchor now", "en", "she works at [ORG_1] now"),
        ("I work at the local shop", "en", "I work at the local shop"),
    ],
)
def test_double_names_and_lower_case_the_names(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("we run okafor brothers in peckham", "en", "we run [ORG_1] in peckham"),
        ("bought it from hunt's hardware", "en", "bought it from [ORG_1]"),  # the whole firm name
        ("we do social media and web design", "en", "we do social media and web design"),
        ("my sister works late", "en", "my sister works late"),
        # A pub that is someone's local names a place they go: the whole name goes.
        ("the red lion is our local", "en", "[ORG_1] is our local"),
        pytest.param(
            "the king's head is our local",
            "en",
            "[ORG_1] is our local",
            # Known miss since round 7 ("The King's Head" capitalised still goes): the model
            # retrained without the answers that share a value with blind8 lost it; strict, so
            # the day it passes again this marker has to go. See issue 10.
            marks=pytest.mark.xfail(strict=True, reason="round-7 model misses this lower-case pub"),
        ),
    ],
)
def test_lower_case_firms(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("i spoke to mr banerjee about it", "en", "i spoke to mr [PERSON_1] about it"),
        ("i miss the old app", "en", "i miss the old app"),
        ("best to call mags on 07700 900123", "en", "best to call [PERSON_1] on [PHONE_1]"),
        ("call us on 0800 123456", "en", "call us on [PHONE_1]"),
    ],
)
def test_lower_case_names_after_titles_and_calls(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("thanks!! jess x", "en", "thanks!! [PERSON_1] x"),
        ("cheers mate", "en", "cheers mate"),
        ("We stock Bosch and Makita tools.", "en", "We stock Bosch and Makita tools."),
        ("Grace and I started the shop.", "en", "[PERSON_1] and I started the shop."),
        ("There is a grace period.", "en", "There is a grace period."),
    ],
)
def test_closing_names_and_companions(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


# ---------------------------------------------------------------- rules added in round 4
rules_only = Anonymiser(tagger=None)


def rule_redact(text: str, language: str = "de") -> str:
    return rules_only.anonymise(text, language).text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("mail dave at brookfarm dot co dot uk", "en", "mail [EMAIL_1]"),
        (
            "email hello at thebramblepantry dot co dot uk or pop in",
            "en",
            "email [EMAIL_1] or pop in",
        ),
        ("schreib an anna punkt berg ät web punkt de", "de", "schreib an [EMAIL_1]"),
        ("oder jens (at) hof-berger (punkt) de", "de", "oder [EMAIL_1]"),
    ],
)
def test_spelled_out_email_addresses(text: str, language: str, expected: str) -> None:
    assert rule_redact(text, language) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we meet at noon dot",  # no top-level domain at the end
        "look at the bbc dot com site",  # "the" starts no address without a mail cue
        "read it at news dot com/today",  # a path follows: a site, not an address
    ],
)
def test_at_and_dot_in_ordinary_sentences_stay(text: str) -> None:
    assert not any(t is EntityType.EMAIL for t, _ in found(text, "en"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my UTR 48213 90657, accountant asked", "my UTR [ID_1], accountant asked"),
        ("NI number QQ 12 34 56 C", "NI number [ID_1]"),
        ("company reg no 09876543 if needed", "company reg no [ID_1] if needed"),
        ("membership no 4471-22", "membership no [ID_1]"),
    ],
)
def test_tax_and_registration_numbers(text: str, expected: str) -> None:
    assert rule_redact(text, "en") == expected


def test_date_of_birth_after_a_shortened_label() -> None:
    for label in ("Geb.datum", "Geb.-Datum", "Geb. Datum"):
        assert redact(f"{label} 1979-04-30, Klasse B") == f"{label} [DATE_OF_BIRTH_1], Klasse B"


def test_dates_of_birth_with_month_abbreviations() -> None:
    assert (
        rule_redact("cardholder, d.o.b. 11-Nov-1979", "en")
        == "cardholder, d.o.b. [DATE_OF_BIRTH_1]"
    )
    assert "1979" in rule_redact("we opened 11-Nov-1979", "en")  # a date without a birth word


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "everyone calls him Spike, he does the van",
            "en",
            "everyone calls him [PERSON_1], he does the van",
        ),
        ("goes by Bex at work", "en", "goes by [PERSON_1] at work"),
        (
            "wir nennen sie Mausi, sie macht die Kasse",
            "de",
            "wir nennen sie [PERSON_1], sie macht die Kasse",
        ),
    ],
)
def test_names_people_are_called(text: str, language: str, expected: str) -> None:
    assert rule_redact(text, language) == expected


def test_what_things_are_called_stays() -> None:
    assert rule_redact("we call it the morning rush", "en") == "we call it the morning rush"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "please email accounts@harbourmastersmokehouse.ie. Harbourmaster Smokehouse, Howth",
            "please email [EMAIL_1]. [ORG_1], Howth",
        ),
        (
            "pop into The Bramble Pantry or www.thebramblepantry.co.uk",
            "pop into [ORG_1] or [URL_1]",
        ),
        ("riverside family dental\no.adeyemi@riversidefamilydental.co.uk", "[ORG_1]\n[EMAIL_1]"),
    ],
)
def test_words_that_spell_the_firms_domain_are_its_name(text: str, expected: str) -> None:
    assert rule_redact(text, "en") == expected


def test_public_domains_and_ordinary_words_are_no_firm() -> None:
    # "etsy" is a public site; "shop" alone is an ordinary word.
    assert rule_redact("I sell on Etsy, see etsy.com/shop/x", "en").startswith("I sell on Etsy")
    assert rule_redact("the shop is at mail@shop.co.uk", "en").startswith("the shop is at")


def test_phone_typed_digit_by_digit() -> None:
    assert rule_redact("ring me on 0 7 9 1 1  4 0 2  3 3 8 after six", "en") == (
        "ring me on [PHONE_1] after six"
    )
    assert rule_redact("Noten 1 2 3 2 1 2 3 2 1 im Takt", "de") == "Noten 1 2 3 2 1 2 3 2 1 im Takt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wir heißen zweiradwerk und reparieren", "wir heißen [ORG_1] und reparieren"),
        ("die Firma heißt „Kiebitz Logistik“ und fährt", "die Firma heißt „[ORG_1]“ und fährt"),
        ("our shop is called the copper pot, in town", "our shop is called the [ORG_1], in town"),
        ("trading as bright sparks since 2019", "trading as [ORG_1] since 2019"),
        ("wir heißen Sie herzlich willkommen", "wir heißen Sie herzlich willkommen"),
        ("wir heißen die Gäste willkommen", "wir heißen die Gäste willkommen"),
        ("we are called out at night a lot", "we are called out at night a lot"),
    ],
)
def test_firm_names_given_by_a_naming_verb(text: str, expected: str) -> None:
    assert rule_redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bought it from hunt's hardware", "bought it from [ORG_1]'s hardware"),
        ("we sell at the farmer's market", "we sell at the farmer's market"),
        ("eggs from mum's kitchen", "eggs from mum's kitchen"),
        ("we run a tiffin service in Leicester", "we run a tiffin service in Leicester"),
        ("worst was kestrel developments, never again", "worst was [ORG_1], never again"),
    ],
)
def test_lower_case_owner_and_trade_names(text: str, expected: str) -> None:
    assert rule_redact(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "koch, beata koch, mir gehört der laden.",
            "[PERSON_1], [PERSON_1], mir gehört der laden.",
        ),
        ("Parsons, Danny Parsons, I do the books", "[PERSON_1], [PERSON_1], I do the books"),
        ("dog walker, cat sitter, house sitter", "dog walker, cat sitter, house sitter"),
    ],
)
def test_surname_said_first_and_repeated(text: str, expected: str) -> None:
    assert rule_redact(text) == expected


def test_big_platforms_are_no_personal_site() -> None:
    assert (
        redact("Booking.com bringt 60 % der Buchungen") == "Booking.com bringt 60 % der Buchungen"
    )
    # A page of one's own on such a platform still points at the person.
    assert redact("see booking.com/hotel/de/lindenhof.html", "en") == "see [URL_1]"


def test_a_persons_own_domain_is_no_firm() -> None:
    assert rule_redact("my name is Anna Berger; anna@berger.de", "en") == (
        "my name is [PERSON_1]; [EMAIL_1]"
    )


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "pay to sort code 20-45-77 acc 43112098 pls",
            "en",
            "pay to sort code [IBAN_1] acc [IBAN_2] pls",
        ),
        ("sort code 204577 43112098", "en", "sort code [IBAN_1] [IBAN_2]"),
        ("BSB 062-000 account 1234 5678", "en", "BSB [IBAN_1] account [IBAN_2]"),
        ("Kontonummer 532013000, BLZ 370 400 44", "de", "Kontonummer [IBAN_1], BLZ [IBAN_2]"),
        # No "sort code", but a bank word and the dashed shape of one, then the account.
        ("bank details 40-11-62 / 71234567", "en", "bank details [IBAN_1] / [IBAN_2]"),
        ("acct 12345678 sort 30 94 57", "en", "acct [IBAN_1] sort [IBAN_2]"),
        ("we sort 200 parcels a day", "en", "we sort 200 parcels a day"),
        ("the 12-03-24 delivery, 40 boxes", "en", "the 12-03-24 delivery, 40 boxes"),
        # A supplier's account number without any bank word is a customer number, no bank's.
        (
            "our account number with them is 3 years old",
            "en",
            "our account number with them is 3 years old",
        ),
        ("Konto 2 bei der Kasse hat 1200 Euro", "de", "Konto 2 bei der Kasse hat 1200 Euro"),
    ],
)
def test_domestic_bank_details(text: str, language: str, expected: str) -> None:
    assert rule_redact(text, language) == expected


# ---------------------------------------------------------------- contact data in odd shapes
def test_iban_with_a_space_after_the_country_or_broken_over_two_lines() -> None:
    assert redact("IBAN DE 89 3704 0044 0532 0130 00 bitte") == "IBAN [IBAN_1] bitte"
    assert redact("Konto:\nDE89 3704 0044\n0532 0130 00") == "Konto:\n[IBAN_1]"
    assert redact("IBAN DE89-3704-0044-0532-0130-00") == "IBAN [IBAN_1]"
    # A typo breaks the checksum, but after the word "IBAN" it is still the customer's account.
    assert redact("IBAN DE 89 3704 0044 0532 0130 01 bitte") == "IBAN [IBAN_1] bitte"
    # Without that word the checksum decides: a number one digit off stays.
    assert "[IBAN" not in redact("Vorgang DE89 3704 0044 0532 0130 01 erledigt")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("booking form on tuiroa-plumbing.co.nz", "en", "booking form on [URL_1]"),
        ("see marlowgardens.com.au for prices", "en", "see [URL_1] for prices"),
        ("we're at fennelandfig.ie.", "en", "we're at [URL_1]."),
        ("Homepage: www punkt tischlerei-wendt punkt de", "de", "Homepage: [URL_1]"),
        ("site is www dot ravenmoor dot co dot uk", "en", "site is [URL_1]"),
    ],
)
def test_more_country_domains_and_spelled_out_web_addresses(
    text: str, language: str, expected: str
) -> None:
    assert redact(text, language) == expected


def test_technology_names_and_big_sites_are_no_web_address() -> None:
    text = "Der Shop läuft auf ASP.NET, verkauft wird auch über amazon.com.au"
    assert redact(text) == text


def test_mail_address_with_a_stray_space_after_the_at() -> None:
    assert redact("schreib an r.lindner@ posteo.de bitte") == "schreib an [EMAIL_1] bitte"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("insta: haselnuss_keramik, da sind die Termine", "de", "insta: [HANDLE_1], da sind"),
        ("TikTok (shop): moss.and.mortar", "en", "TikTok (shop): [HANDLE_1]"),
    ],
)
def test_handles_typed_without_the_at_after_the_platform(
    text: str, language: str, expected: str
) -> None:
    assert redact(text, language).startswith(expected)


def test_a_platform_word_before_ordinary_text_stays() -> None:
    text = "Instagram: we post every day but nobody buys"
    assert redact(text, "en") == text


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("office is 01 654 3321 till five", "en", "office is [PHONE_1] till five"),
        ("ring 07 3555 0198 for the depot", "en", "ring [PHONE_1] for the depot"),
        ("Call 1-800-FIX-ROOF any time", "en", "Call [PHONE_1] any time"),
        ("free on 0800 KOMPOST", "de", "free on [PHONE_1]"),
        (
            "meine nummer: null eins fünf zwei, drei drei acht, neun null eins",
            "de",
            "meine nummer: [PHONE_1]",
        ),
        ("it's oh seven nine double four, six one two eight three", "en", "it's [PHONE_1]"),
    ],
)
def test_phones_with_short_area_codes_letters_or_words(
    text: str, language: str, expected: str
) -> None:
    assert redact(text, language) == expected


def test_a_few_number_words_and_dates_are_no_phone() -> None:
    for text in (
        "one two three, go!",
        "Wir sind zu zweit oder zu dritt, eins zwei drei",
        "am 01-12-2024",
    ):
        assert "[PHONE" not in redact(text, "de"), text


def test_id_keyword_a_few_words_before_its_number() -> None:
    assert redact("Die Kundennummer beim Stromanbieter ist 4417 2290 31, bitte") == (
        "Die Kundennummer beim Stromanbieter ist [ID_1], bitte"
    )
    assert redact("our account number with them is 88213094", "en") == (
        "our account number with them is [ID_1]"
    )
    # A count after the same words stays.
    text = "Die Kundennummer steht nicht drauf, es sind 3 Pakete"
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A frequent word that is only a rare first name goes on with the sentence.
        ("me and my brother run a garage", "me and my brother run a garage"),
        ("my wife hope to retire soon", "my wife hope to retire soon"),
        # A lower-case first name after a relation is still one.
        ("my brother tom helps out", "my brother [PERSON_1] helps out"),
        ("my sister sam does the books", "my sister [PERSON_1] does the books"),
    ],
)
def test_lower_case_name_after_a_relation(text: str, expected: str) -> None:
    assert rule_redact(text, "en") == expected


# ---------------------------------------------------------------- round 8: context rules
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "wir sitzen us 8733 Eschenbach SG, ganz am rand",
            "wir sitzen us [ADDRESS_1], ganz am rand",
        ),
        (
            "Der Hof liegt in 3812 Wilderswil und hat Ferienwohnungen.",
            "Der Hof liegt in [ADDRESS_1] und hat Ferienwohnungen.",
        ),
        ("Post bitte an Moosweg 2, 6410 Goldau", "Post bitte an [ADDRESS_1]"),
    ],
)
def test_four_digit_postcodes_with_a_town(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Wir kommen aus 2024 mit einem Plus raus.",
        "in 3000 Jahren gibt es das noch",
        "nach 2500 Kilometern ist der Reifen durch",
        "wir haben 4000 Kunden in der Kartei",
    ],
)
def test_years_and_counts_are_no_postcodes(text: str) -> None:
    assert not any(t is EntityType.ADDRESS for t, _ in found(text))


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Ware bitte z. Hd. Quandt abgeben", "de", "Ware bitte z. Hd. [PERSON_1] abgeben"),
        ("zu Händen von Frau Tieck, danke", "de", "zu Händen von Frau [PERSON_1], danke"),
        ("attn: Wiremu Tane, goods in", "en", "attn: [PERSON_1], goods in"),
        ("z.Hd. Buchhaltung bitte", "de", "z.Hd. Buchhaltung bitte"),
    ],
)
def test_for_the_attention_of(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Im Team: Xiadani, Petra, Ugochukwu und ich.",
            "de",
            "Im Team: [PERSON_1], [PERSON_2], [PERSON_3] und ich.",
        ),
        (
            "on shift are Margaret, Tavita, Kwabena and Sean",
            "en",
            "on shift are [PERSON_1], [PERSON_2], [PERSON_3] and [PERSON_4]",
        ),
        (
            "heute da: lena, ioana und yaretzi",
            "de",
            "heute da: [PERSON_1], [PERSON_2] und [PERSON_3]",
        ),
    ],
)
def test_unusual_names_among_names_in_a_list(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wir nutzen Excel, Word, Outlook und Teams.", "de"),
        ("wir verkaufen äpfel, birnen, quitten und kiwis", "de"),
        ("Anna, Tom, Marketing und Vertrieb sitzen zusammen.", "de"),
    ],
)
def test_lists_keep_their_ordinary_words(text: str, language: str) -> None:
    kept = "Marketing" if "Marketing" in text else text.split()[-1].strip(".")
    assert kept in redact(text, language)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lang mein Name, ich mache Polsterei.", "[PERSON_1] mein Name, ich mache Polsterei."),
        ("Wetter sagt nix. Pichler mein Name.", "Wetter sagt nix. [PERSON_1] mein Name."),
        ("Hallo mein Name ist Ruth", "Hallo mein Name ist [PERSON_1]"),
        ("Das ist mein Name.", "Das ist mein Name."),
    ],
)
def test_surname_said_before_mein_name(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ruf die schmiedlechner aus dem vertrieb an", "ruf die [PERSON_1] aus dem vertrieb an"),
        ("frag nach der bauer aus dem lager", "frag nach der [PERSON_1] aus dem lager"),
        ("der Fahrer aus dem Lager kam zu spät", "der Fahrer aus dem Lager kam zu spät"),
        ("die Kaffeemaschine im Büro ist kaputt", "die Kaffeemaschine im Büro ist kaputt"),
        ("die Paletten im Lager stehen schief", "die Paletten im Lager stehen schief"),
    ],
)
def test_surnames_with_an_article_in_a_department(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("die kasse macht frau jung, seit jahren", "die kasse macht frau [PERSON_1], seit jahren"),
        ("hallo herr doktor, wie gehts", "hallo herr doktor, wie gehts"),
        ("die frau ist alt.", "die frau ist alt."),
    ],
)
def test_ordinary_word_closing_a_title_phrase_is_a_name(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Blaue Tulpe heißt unser Blumenladen.", "de", "[ORG_1] heißt unser Blumenladen."),
        ("Nadel und Faden ist unser Nähcafé.", "de", "[ORG_1] ist unser Nähcafé."),
        (
            "seit 2020 die Zuckerdose, ein kleines café",
            "de",
            "seit 2020 die [ORG_1], ein kleines café",
        ),
        ("Saltmarsh, a tiny bakery on the coast", "en", "[ORG_1], a tiny bakery on the coast"),
        (
            "Die Bäckerei, ein kleiner Betrieb, läuft.",
            "de",
            "Die Bäckerei, ein kleiner Betrieb, läuft.",
        ),
        ("Der Umsatz ist unser Problem.", "de", "Der Umsatz ist unser Problem."),
        ("Montag ist unser Ruhetag.", "de", "Montag ist unser Ruhetag."),
    ],
)
def test_a_name_said_to_be_our_business(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("proben an c/o druckwerk nordend, bitte", "de", "proben an c/o [ORG_1], bitte"),
        ("send it c/o Marsh Pottery, please", "en", "send it c/o [ORG_1], please"),
        ("c/o Anton Vogl bitte", "de", "c/o [PERSON_1] bitte"),
    ],
)
def test_the_name_after_care_of(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


def test_surname_comma_first_name_on_its_own_line() -> None:
    assert redact("Igel, Martina. Ich bin Schneiderin.") == "[PERSON_1]. Ich bin Schneiderin."
    assert redact("Lager, Versand. Alles voll.") == "Lager, Versand. Alles voll."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We can't find enough carers in Kent.", "en"),
        ("Major issue for us is recruitment.", "en"),
        ("Valentine's Day and Mother's Day are our busiest days.", "en"),
        ("I am the General Manager of a small hotel.", "en"),
    ],
)
def test_listed_names_need_the_models_consent(text: str, language: str) -> None:
    # "Kent", "Major", "Valentine" are in the name lists; the sentence says they are no names.
    assert not any(t is EntityType.PERSON for t, _ in found(text, language))


def test_listed_names_stay_where_the_sentence_makes_them_names() -> None:
    assert redact("I spoke to Kent yesterday about the invoice.", "en") == (
        "I spoke to [PERSON_1] yesterday about the invoice."
    )
    assert redact("Ich habe mit Major telefoniert.") == "Ich habe mit [PERSON_1] telefoniert."


@pytest.mark.parametrize(
    ("text", "language", "kept"),
    [
        ("Hirsch, Reh und Wildschwein verarbeiten wir selbst.", "de", "Hirsch"),
        ("Arsenal, Chelsea, Spurs shirts printed for fans", "en", "Chelsea"),
    ],
)
def test_a_name_among_ordinary_things_in_a_list_is_a_thing(
    text: str, language: str, kept: str
) -> None:
    assert kept in redact(text, language)


def test_names_in_lists_of_names_or_beside_a_brand_stay_names() -> None:
    assert "Precious" not in redact("Tayo set up the Shopify and Precious does support", "en")
    assert "Georg" not in redact("Bin Schorsch, eigentlich Georg, und mach Dachrinnen")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("email me on kit underscore vane at gmail dot com", "en", "email me on [EMAIL_1]"),
        ("schreib an lotte.kamp@gmx oder ruf an", "de", "schreib an [EMAIL_1] oder ruf an"),
        ("our site is harbour-kilns dot co dot uk", "en", "our site is [URL_1]"),
        ("meet me at noon dot", "en", "meet me at noon dot"),
    ],
)
def test_spelled_and_shortened_contact_data(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ich hab wolkenfuchs media 2021 gegründet", "ich hab [ORG_1] 2021 gegründet"),
        ("Wir haben Kleeblatt Naturkost 2017 eröffnet.", "Wir haben [ORG_1] 2017 eröffnet."),
        ("ich habe den Laden 2020 gegründet", "ich habe den Laden 2020 gegründet"),
        (
            "Wir haben das Geschäft vor 3 Jahren übernommen",
            "Wir haben das Geschäft vor 3 Jahren übernommen",
        ),
        ("wir haben 2019 einen Verein gegründet", "wir haben 2019 einen Verein gegründet"),
    ],
)
def test_what_someone_founded_is_a_business(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Abgebucht vom Firmenkonto AT48 3200 0000 1234 5679 gestern",
            "de",
            "Abgebucht vom Firmenkonto [IBAN_1] gestern",
        ),
        (
            "Bank details for the refund, when you get a chance: 30-94-57 17720431",
            "en",
            "Bank details for the refund, when you get a chance: [IBAN_1] [IBAN_2]",
        ),
        (
            "Mail bitte an post at hofladen-ried dot at. Danke",
            "de",
            "Mail bitte an [EMAIL_1]. Danke",
        ),
        ("email is orders at tidewater dot ie, ta", "en", "email is [EMAIL_1], ta"),
        ("look at bbc dot com/news", "en", "look at bbc dot com/news"),
    ],
)
def test_bank_details_and_spelled_addresses_in_longer_sentences(
    text: str, language: str, expected: str
) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Servus, bin der Wastl und mach Fliesen", "Servus, bin der [PERSON_1] und mach Fliesen"),
        ("Ich bin der Inhaber, seit 2011", "Ich bin der Inhaber, seit 2011"),
        ("Bin der Meinung, dass das reicht", "Bin der Meinung, dass das reicht"),
        (
            "Vanessa Graf (Nessi für Fründe), Floristin",
            "[PERSON_1] ([PERSON_2] für Fründe), Floristin",
        ),
        ("Kurz mein Name, Polsterei in Wels.", "[PERSON_1] mein Name, Polsterei in Wels."),
        ("Nur mein Name fehlt noch.", "Nur mein Name fehlt noch."),
        ("Verein Lauftreff Ost, ZVR-Zahl 193 554 207.", "Verein [ORG_1], ZVR-Zahl [ID_1]."),
    ],
)
def test_southern_introductions_nicknames_and_register_numbers(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chidera handles the bookings, I do the cooking",
            "[PERSON_1] handles the bookings, I do the cooking",
        ),
        ("Okonjo is the name, roofing in Luton", "[PERSON_1] is the name, roofing in Luton"),
        ("Xero does the invoicing for us", "Xero does the invoicing for us"),
        ("Rent is our biggest cost", "Rent is our biggest cost"),
    ],
)
def test_a_rare_word_as_the_subject_of_a_persons_verb(text: str, expected: str) -> None:
    assert redact(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Plough and Harrow is our best customer.", "[ORG_1] is our best customer."),
        ("we deliver to the Fox & Hounds on Fridays", "we deliver to [ORG_1] on Fridays"),
        ("Pride and Prejudice is my favourite book", "Pride and Prejudice is my favourite book"),
    ],
)
def test_english_pub_signs(text: str, expected: str) -> None:
    assert redact(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Xiuying's dad does our deliveries", "en", "[PERSON_1]'s dad does our deliveries"),
        ("the customer's wife rang again", "en", "the customer's wife rang again"),
        (
            "Früher haben wir bei Krautwickel eingekauft",
            "de",
            "Früher haben wir bei [ORG_1] eingekauft",
        ),
        ("wir haben bei Amazon bestellt", "de", "wir haben bei Amazon bestellt"),
        ("bei Bedarf bestellt", "de", "bei Bedarf bestellt"),
    ],
)
def test_family_possessors_and_where_one_bought(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # German venue words before their name, even an ordinary one.
        (
            "Wir liefern an den Gasthof Post und an Kunden.",
            "de",
            "Wir liefern an den Gasthof [ORG_1] und an Kunden.",
        ),
        ("Die Metzgerei zur Glocke gibt es seit 1911", "de", "Die [ORG_1] gibt es seit 1911"),
        (
            "Wir haben ein Spielcafé, Wuselnest, für Familien.",
            "de",
            "Wir haben ein Spielcafé, [ORG_1], für Familien.",
        ),
        # ... but not where it is ("Café am See", "Bäckerei im Allgäu").
        (
            "Wir sind eine kleine Bäckerei im Allgäu.",
            "de",
            "Wir sind eine kleine Bäckerei im Allgäu.",
        ),
        # Quoted and bracketed names after a business or naming word.
        ('die Werkstatt "Speichenglück" in Linz', "de", 'die Werkstatt "[ORG_1]" in Linz'),
        (
            "wir sind eine band (Kupferkessel) und spielen",
            "de",
            "wir sind eine band ([ORG_1]) und spielen",
        ),
        ('Sie sagte "danke" und ging.', "de", 'Sie sagte "danke" und ging.'),
        (
            "Kurse unter dem Namen Fadenlauf, seit 2022",
            "de",
            "Kurse unter dem Namen [ORG_1], seit 2022",
        ),
        # A name or initials before a trade compound.
        ("Hier KMT Elektroanlagen, wir brauchen Geld", "de", "Hier [ORG_1], wir brauchen Geld"),
        ("vor allem Brandl Wohnbau zahlt spät", "de", "vor allem [ORG_1] zahlt spät"),
        ("Unser Schwerpunkt Fliesen läuft gut", "de", "Unser Schwerpunkt Fliesen läuft gut"),
        ("ich bin Trainer beim TSV Grün-Weiß Aigen", "de", "ich bin Trainer beim [ORG_1]"),
    ],
)
def test_german_firm_names_by_their_context(text: str, language: str, expected: str) -> None:
    assert redact(text, language) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "now doing supper clubs as Salt and Smoke. need help",
            "now doing supper clubs as [ORG_1]. need help",
        ),
        ("i play bass in Velvet Orchard and teach", "i play bass in [ORG_1] and teach"),
        ("we play in Leeds on Fridays", "we play in Leeds on Fridays"),
        ("we run the tin whistle in Cobh", "we run [ORG_1] in Cobh"),
        ("we run the local pub in Leeds", "we run the local pub in Leeds"),
        ("I work as a chef", "I work as a chef"),
        (
            "our biggest competitor Quick Skips is cheaper",
            "our biggest competitor [ORG_1] is cheaper",
        ),
        ("a roadie for The Night Owls for years", "a roadie for [ORG_1] for years"),
        ("we moved to the North East", "we moved to the North East"),
    ],
)
def test_english_firm_names_by_their_context(text: str, expected: str) -> None:
    assert redact(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "we lost the contract with Thornbury Housing Association",
            "en",
            "we lost the contract with [ORG_1]",
        ),
        (
            "we joined the Chamber of Commerce Group",
            "en",
            "we joined the Chamber of Commerce Group",
        ),
        (
            "mein Betrieb ist KL Dachprofi. Ich brauche Hilfe",
            "de",
            "mein Betrieb ist [ORG_1]. Ich brauche Hilfe",
        ),
        ("unser Betrieb ist klein", "de", "unser Betrieb ist klein"),
        (
            "Wir zelten auf dem Campingplatz Birkenried.",
            "de",
            "Wir zelten auf dem Campingplatz [ORG_1].",
        ),
    ],
)
def test_organisations_by_their_kind_and_our_business_is(
    text: str, language: str, expected: str
) -> None:
    assert redact(text, language) == expected
