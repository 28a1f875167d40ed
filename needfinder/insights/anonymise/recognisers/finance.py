"""IBANs (mod-97), card numbers (Luhn), bank details; a bad checksum needs a bank word near."""

from __future__ import annotations

import re
from collections.abc import Iterator

from needfinder.insights.anonymise.checksums import IBAN_LENGTHS, iban_is_valid, luhn_is_valid
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan

# Country code, check digits, then groups of letters/digits with optional single spaces. The
# match may run into the next word; the country's IBAN length tells where the IBAN really ends.
# People also type a space after the country ("DE 89 …"), group with dashes ("DE89-3704-…")
# and paste IBANs broken over two lines.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ -]?\d{2}(?:(?:[ -]?\n?|\n ?)[A-Za-z0-9]){10,32}")
# Words near an IBAN with a typo (a wrong check digit, a character too many or too few) that
# say it is one all the same: "IBAN: …", "meine iban lautet …", "Geschäftskonto …", "pay into".
_IBAN_CUE = re.compile(
    r"(?i)iban|konto|kontoverbindung|bankverbindung|\baccount|\bbank\b|überweis|\bbic\b|"
    r"\bswift\b|\bsepa\b|lastschrift|pay\s+(?:in)?to|transfer"
)
# Right before the number the word "IBAN" also vouches for a lower-case, spaced country code.
_IBAN_WORD_BEFORE = re.compile(r"(?i)\biban\b\W{0,12}$")
# How far a typed IBAN may be off its country's length and still count when a cue is near.
_LENGTH_SLACK = 3
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def _cut_to_length(text: str, start: int, end: int, wanted: int) -> int | None:
    """End offset after ``wanted`` alphanumerics from ``start``, or None if there are fewer."""
    count = 0
    for index in range(start, end):
        if text[index].isalnum():
            count += 1
            if count == wanted:
                return index + 1
    return None


def find_ibans(scan: Scan) -> Iterator[Candidate]:
    """IBANs of their country's length with a valid mod-97 checksum, or with a typo near a cue."""
    if scan.digit_count < 12:
        return
    text = scan.text
    for match in _IBAN.finditer(text):
        wanted = IBAN_LENGTHS.get(match.group()[:2].upper())
        if wanted is None:
            continue
        start = match.start()
        end = _cut_to_length(text, start, match.end(), wanted)
        if (
            end is not None
            and not _runs_on(text, end)
            and iban_is_valid(_compact(text, start, end))
        ):
            yield Candidate(EntityType.IBAN, start, end, _compact(text, start, end))
            continue
        mistyped = _mistyped_iban(text, start, match.end(), wanted)
        if mistyped is not None:
            yield mistyped


def _compact(text: str, start: int, end: int) -> str:
    """The IBAN between the offsets without its spaces and dashes, upper-cased."""
    return re.sub(r"[\s-]", "", text[start:end]).upper()


def _runs_on(text: str, end: int) -> bool:
    """Do the characters run on without a break (part of a longer token)?"""
    return end < len(text) and text[end].isalnum()


def _mistyped_iban(text: str, start: int, end: int, wanted: int) -> Candidate | None:
    """An IBAN typed a few characters long or short or with a wrong check digit, next to a word
    that says it is one; without such a word ("Vorgang DE89 …") it may be any reference."""
    said_iban = _IBAN_WORD_BEFORE.search(text, max(0, start - 20), start)
    if not (said_iban or text[start : start + 2].isupper() or text[start + 2].isdigit()):
        return None  # "no 40-11-62 …": a word before a number, not Norway's country code
    # The match may run on into the next words ("… 0130 00 bitte"): groups without a digit go.
    groups = list(re.finditer(r"[A-Za-z0-9]+", text[start:end]))
    while groups and not any(ch.isdigit() for ch in groups[-1].group()):
        groups.pop()
    if not groups:
        return None
    end = start + groups[-1].end()
    compact = _compact(text, start, end)
    if _runs_on(text, end) or abs(len(compact) - wanted) > _LENGTH_SLACK:
        return None
    if sum(ch.isdigit() for ch in compact) < 12:
        return None
    window = text[max(0, start - 40) : start] + " " + text[end : end + 25]
    if not _IBAN_CUE.search(window):
        return None
    return Candidate(EntityType.IBAN, start, end, compact)


def find_cards(scan: Scan) -> Iterator[Candidate]:
    """Card numbers: 13-19 digits (spaces or dashes allowed), issuer prefix 2-6, Luhn-valid."""
    if scan.digit_count < 13:
        return
    for match in _CARD.finditer(scan.text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_is_valid(digits):
            yield Candidate(EntityType.CARD, match.start(), match.end(), digits)


# Domestic bank details that are no IBAN: a UK sort code ("20-45-77"), an Australian BSB
# ("062-000"), a US routing number, a German BLZ, and the account number that goes with them.
# Without a checksum to go by, a bank word must stand shortly before the number.
_SORT_CODE = re.compile(
    r"(?i)(?<![\w-])(?:sort(?:\s*code)?|sortcode|s/c|bsb|blz|bankleitzahl|"
    r"routing(?:\s+(?:no|number|#))?|"
    r"aba)\W{0,3}(?:(?:no|nr|number|is|ist)\W{1,3})?"
    r"(?P<number>\d{9}|\d{3} ?\d{3} ?\d{2}|\d{3}[- ]?\d{3}|\d{2}[- ]?\d{2}[- ]?\d{2})(?![\d-])"
)
_ACCOUNT = re.compile(
    r"(?i)(?<![\w-])(?:acc(?:oun)?t?|acct|a/c|account|konto(?:nummer|nr)?|kto(?:-?nr)?)\.?\W{0,3}"
    r"(?:(?:no|nr|number|num|#|is|ist)\W{1,3})?(?P<number>\d(?:[ -]?\d){5,11})(?![\d-])"
)
_BANK_CUE = re.compile(
    r"(?i)\bsort\b|sortcode|\bbsb\b|\bblz\b|bankleitzahl|routing|\bbank|überweis|"
    r"transfer|pay\s+(?:in)?to|bacs|\bsepa\b|\bbic\b|swift"
)
# "bank details 40-11-62 / 71234567": a dashed sort code and an account, a bank word nearby.
_DASHED_SORT_CODE = re.compile(r"(?<![\w-])\d{2}-\d{2}-\d{2}(?![\w-])")
# "20-45-77 43112098": an account number right after a sort code.
_AFTER_SORT_CODE = re.compile(r"[ ,/]{1,3}(?P<number>\d{6,10})(?![\d-])")


def find_bank_accounts(scan: Scan) -> Iterator[Candidate]:
    """Sort codes, BSBs, routing numbers and account numbers after a bank word."""
    if scan.digit_count < 6:
        return
    text = scan.text
    sort_codes = [(m.start("number"), m.end("number")) for m in _SORT_CODE.finditer(text)]
    for match in _DASHED_SORT_CODE.finditer(text):
        # The pair's shape is telling; the bank word may open a longer sentence before it.
        window = text[max(0, match.start() - 60) : match.end() + 40]
        if _AFTER_SORT_CODE.match(text, match.end()) and _BANK_CUE.search(window):
            sort_codes.append((match.start(), match.end()))
    for start, end in sort_codes:
        yield Candidate(EntityType.IBAN, start, end, re.sub(r"\D", "", text[start:end]))
        account = _AFTER_SORT_CODE.match(text, end)
        if account is not None:
            number = account.group("number")
            yield Candidate(EntityType.IBAN, account.start("number"), account.end("number"), number)
    for match in _ACCOUNT.finditer(text):
        # A supplier's "account no" is a customer number (an ID); a bank word makes it a bank's.
        window = text[max(0, match.start() - 60) : match.end() + 60]
        if not _BANK_CUE.search(window):
            continue
        number = match.group("number")
        yield Candidate(
            EntityType.IBAN, match.start("number"), match.end("number"), re.sub(r"\D", "", number)
        )
