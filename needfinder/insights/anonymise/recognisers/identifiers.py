"""Customer, order, contract and other reference numbers; dates of birth."""

from __future__ import annotations

import re
from collections.abc import Iterator

from needfinder.insights.anonymise.lexicon import word_list
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan

# Words that announce an identifier on their own ("Kundennummer 48213").
_STRONG_ID_WORDS = word_list(
    """
    kundennummer kundennr kunden-nr kunden-nummer kd-nr kdnr kundenid kunden-id
    bestellnummer bestellnr bestell-nr auftragsnummer auftragsnr auftrags-nr rechnungsnummer
    rechnungsnr rechnungs-nr re-nr vertragsnummer vertragsnr vertrags-nr vorgangsnummer
    vorgangsnr ticketnummer ticket-nr ticket-nummer sendungsnummer trackingnummer
    tracking-nummer paketnummer mitgliedsnummer mitgliedsnr mitglieds-nr versicherungsnummer
    versichertennummer zählernummer zaehlernummer referenznummer fallnummer aktenzeichen
    personalnummer steuernummer steuer-id steuer-idnr steueridentifikationsnummer ust-idnr
    ust-id kontonummer lieferscheinnummer servicenummer buchungsnummer reservierungsnummer
    nutzer-id user-id benutzer-id ausweisnummer personalausweisnummer reisepassnummer
    führerscheinnummer sozialversicherungsnummer rentenversicherungsnummer
    zvr-zahl zvr zvr-nr uid uid-nr svnr sv-nr ahv-nr ahv
    """
)
_STRONG_ID_PHRASES = (
    "customer number",
    "customer no",
    "customer id",
    "customer #",
    "account number",
    "account no",
    "account id",
    "order number",
    "order no",
    "order id",
    "invoice number",
    "invoice no",
    "contract number",
    "policy number",
    "membership number",
    "member id",
    "member number",
    "reference number",
    "ref no",
    "case number",
    "case id",
    "ticket number",
    "ticket id",
    "tracking number",
    "booking reference",
    "booking number",
    "reservation number",
    "confirmation number",
    "id number",
    "user id",
    "employee id",
    "passport number",
    "tax id",
    "vat number",
    "social security number",
    "national insurance number",
    "ni number",
    "ni no",
    "unique taxpayer reference",
    "utr",
    "tax reference",
    "tax ref",
    "company number",
    "company no",
    "company registration number",
    "registration number",
    "reg no",
    "abn",
    "acn",
    "nzbn",
    "ird number",
    "membership no",
    "member no",
    "policy no",
    "licence number",
    "license number",
)
# Words that need a number-looking value ("ticket 12345", "order #A-99812"), because
# "die Rechnung 2023" or "ticket 3" are not identifiers.
_WEAK_ID_WORDS = word_list(
    """
    ticket order invoice case reference ref auftrag rechnung vertrag vorgang bestellung fall
    account booking konto kunde kd az ssn nr no
    """
)
# Between keyword and value: "-Nr.", "number", ":", "ist", "lautet", an article.
_SEPARATOR = (
    r"(?:\s*(?:-|\s)?(?:nr\.?|no\.?|nummer|number|num\.?|id)(?![\w]))?"
    r"(?:\s*(?:[:=]|ist|is|lautet|was|war|lautete)(?![\w]))?\s*(?:der|die|the)?\s*"
)
_VALUE = (
    r"(?P<hash>#\s?)?(?P<value>\d{2,4}(?: \d{2,4}){2,4}(?![\w])"
    # Two long groups ("UTR 48213 90657").
    r"|\d{4,6} \d{4,6}(?![\w])"
    r"|[A-Za-z]{1,3} \d{2,6}(?: \d{2,6}){1,3}(?![\w])"
    r"|(?:[A-Za-z]{1,4}[-/]?)?\d(?:[\dA-Za-z\-/.]*[\dA-Za-z])?)"
)
_DATE_LIKE = re.compile(r"^\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})?$")


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


# Any German compound on "-nummer"/"-nr" is a number label, misspelled ones too ("kundenummer").
_COMPOUND_ID_WORD = r"[^\W\d_]{3,}-?(?:nummer|nr)(?![^\W\d_])"
_ID = re.compile(
    rf"(?<![\w-])(?P<kw>{_alternation(list(_STRONG_ID_WORDS) + list(_STRONG_ID_PHRASES))}"
    rf"|{_COMPOUND_ID_WORD}"
    rf"|(?P<weak>{_alternation(_WEAK_ID_WORDS)}))\.?{_SEPARATOR}{_VALUE}",
    re.IGNORECASE,
)
# A strong keyword, a few words about whose number it is, then "ist"/"is"/":" and a long number:
# "Kundennummer bei der Telekom ist 5551 8872 04". Six digits at least, so counts never match.
_GAPPED_ID = re.compile(
    rf"(?<![\w-])(?:{_alternation(list(_STRONG_ID_WORDS) + list(_STRONG_ID_PHRASES))})"
    r"(?:\s+[^\W\d_]+){1,4}?\s*(?:[:=]|\s(?:ist|is|lautet|was|war))\s*"
    r"(?P<value>\d(?:[ -]?\d){5,15})(?![\w-])",
    re.IGNORECASE,
)
# Reference shapes that need no keyword: a letter prefix and a long number ("HRB 45872",
# "XY-1188", "RG 2025/3391", "cu-558210"), courier numbers ("JJD0001234567") and UK National
# Insurance numbers ("QQ 12 34 56 C").
_PREFIXED_ID = re.compile(
    r"(?<![\w/.-])(?P<prefix>[A-Za-z]{2,4})(?P<sep>[- ]?)"
    r"(?P<number>\d{4,}(?:/\d{2,})?|\d{4}/\d{2,})(?![\w/.,-]?\d)"
)
_COURIER_ID = re.compile(r"(?<![\w-])[A-Z]{2,4}\d{9,20}(?![\w])")
# Long mixed codes of capitals and digits ("1Z999AA10123456784", "AB12345CD"): references of
# some kind whatever word stands before them.
_MIXED_CODE = re.compile(
    r"(?<![\w-])(?=[A-Z0-9]{8,24}(?![\w-]))(?=(?:[A-Z]*\d){4})(?=(?:\d*[A-Z]){2})[A-Z0-9]+"
)
_NI_NUMBER = re.compile(r"(?<![\w])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])")
# Prefixes that are words, units or labels of something else ("Tel 0431 ...", "PLZ 12345",
# "ca 2000", "KW 1234"), and country prefixes of postcodes.
_NOT_ID_PREFIXES = frozenset(
    """al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj
    nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc
    tel fax fon mob mobil handy plz ca cca rd kw km qm kg std min mio tsd eur usd gbp chf
    bis ab von vom um ca jan feb mar apr mai may jun jul aug sep sept okt oct nov dez dec
    ch at de uk us eu gb dk nl fr it es pl se no nr jahr year seit since bj mo di mi do fr sa
    so mon tue wed thu fri sat sun und and the der die das ist bei per pro je nach the for
    zip post code box pf uhr tag tage days top iso din en ps fy mwst ust vat""".split()  # noqa: SIM905
)
_HASH_ID = re.compile(r"(?<![\w&#])#(?P<value>[A-Za-z]{0,3}-?\d{4,}[\w-]*)")


def _spaced_digits_ok(value: str) -> bool:
    # "48 213 977" or a letter prefix before digit groups ("H 1234 5678 90").
    if " " not in value:
        return True
    parts = value.split(" ")
    return all(part.isdigit() for part in parts[1:]) and (parts[0].isdigit() or len(parts) > 2)


def find_ids(scan: Scan) -> Iterator[Candidate]:
    """Identifiers announced by a keyword, and "#A-99812"-style references."""
    if scan.digit_count < 2:  # two for short booking codes ("QX7T2M")
        return
    text = scan.text
    for match in _ID.finditer(text):
        value = match.group("value").rstrip(".-/")
        digits = sum(ch.isdigit() for ch in value)
        weak = match.group("weak") is not None
        # A strong keyword also announces short mixed codes ("Booking reference QX7T2M").
        short_code = (
            not weak and digits == 2 and len(value) >= 5 and sum(ch.isalpha() for ch in value) >= 2
        )
        if (
            (digits < 3 and not short_code)
            or not _spaced_digits_ok(value)
            or _DATE_LIKE.match(value)
        ):
            continue
        # A weak keyword needs a value that cannot be a year or a count: 5+ digits, a "#",
        # or letters and digits mixed ("A-99812", "INV-2024-0815").
        mixed = any(ch.isalpha() for ch in value)
        if weak and not (digits >= 5 or match.group("hash") or (mixed and digits >= 3)):
            continue
        start = match.start("value")
        yield Candidate(
            EntityType.ID, start, start + len(value), re.sub(r"[\s\-/.]", "", value).upper()
        )
    for match in _GAPPED_ID.finditer(text):
        value = match.group("value")
        yield Candidate(
            EntityType.ID, match.start("value"), match.end("value"), re.sub(r"\D", "", value)
        )
    for match in _PREFIXED_ID.finditer(text):
        prefix, number = match.group("prefix"), match.group("number")
        # Lower-case prefixes only with a dash ("cu-558210"): "in 2019", "seit 2020" are dates.
        if prefix.lower() in _NOT_ID_PREFIXES or not (
            prefix.isupper() or match.group("sep") == "-"
        ):
            continue
        if text[max(0, match.start() - 2) : match.start()] == ", " and len(number) == 5:
            continue  # "Seattle, WA 98101" and other ZIP codes after a town
        if not match.group("sep") and len(number) < 5:
            continue  # product names ("RTX4090", "A4000")
        if re.fullmatch(r"(?:19|20)\d\d", number) and match.group("sep") != "-":
            continue  # "WM 2024"
        value = match.group()
        yield Candidate(
            EntityType.ID, match.start(), match.end(), re.sub(r"[\s\-/.]", "", value).upper()
        )
    for pattern in (_COURIER_ID, _NI_NUMBER, _MIXED_CODE):
        for match in pattern.finditer(text):
            value = match.group()
            yield Candidate(EntityType.ID, match.start(), match.end(), re.sub(r"\s", "", value))
    if "#" in text:
        for match in _HASH_ID.finditer(text):
            value = match.group("value")
            yield Candidate(
                EntityType.ID,
                match.start("value"),
                match.end("value"),
                re.sub(r"[\s\-/.]", "", value).upper(),
            )


_MONTHS = (
    "januar|jan|februar|feb|märz|maerz|mär|mrz|april|apr|mai|juni|jun|juli|jul|august|aug|"
    "september|sept|sep|oktober|okt|november|nov|dezember|dez|january|february|march|mar|may|"
    "june|july|october|oct|december|dec"
)
_DATE = re.compile(
    r"(?<![\d.])\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})(?![\d])"
    rf"|(?<![\d])\d{{1,2}}(?:\.|st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(?:\d{{4}}|\d{{2}})(?![\d])"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}(?![\d])"
    r"|(?<![\d/.-])\d{1,2}[/\-]\d{1,2}[/\-](?:\d{4}|\d{2})(?![\d/])"
    rf"|(?<![\d])\d{{1,2}}[-/](?:{_MONTHS})[-/](?:\d{{4}}|\d{{2}})(?![\d])"
    r"|(?<![\d])\d{4}-\d{2}-\d{2}(?![\d])"
    r"|(?<![\d.])\d{1,2}\.\s?\d{1,2}\.(?![\d])",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    r"(?<![\w])(?:geboren|geb\.?[\s-]?datum|geb\.|geburtsdatum|geburtstag|geburtsjahr|jahrgang|born|birthday|"
    r"date\s+of\s+birth|birth\s*date|d\.?o\.?b\.?)(?![\w])",
    re.IGNORECASE,
)
_YEAR_ONLY = re.compile(r"(?<![\d.])(?:19|20)\d{2}(?!\d|[.,]\d)")
_YEAR_WORDS = ("jahrgang", "geburtsjahr", "born")


def find_dates_of_birth(scan: Scan) -> Iterator[Candidate]:
    """A date near a birth word ("geboren am 3.4.1985", "born 12/05/1990", "Geburtsdatum")."""
    if scan.digit_count < 2:
        return
    text = scan.text
    for keyword in _BIRTH.finditer(text):
        # The date usually follows within a few words; German also puts it first
        # ("ich wurde 15.07.49 geboren").
        after = _DATE.search(text, keyword.end(), min(len(text), keyword.end() + 40))
        if after is not None:
            yield Candidate(EntityType.DATE_OF_BIRTH, after.start(), after.end())
            continue
        window_start = max(0, keyword.start() - 30)
        before = [m for m in _DATE.finditer(text, window_start, keyword.start())]
        if before:
            last = before[-1]
            yield Candidate(EntityType.DATE_OF_BIRTH, last.start(), last.end())
            continue
        if keyword.group().lower().startswith(_YEAR_WORDS):
            year = _YEAR_ONLY.search(text, keyword.end(), min(len(text), keyword.end() + 15))
            if year is not None:
                yield Candidate(EntityType.DATE_OF_BIRTH, year.start(), year.end())
