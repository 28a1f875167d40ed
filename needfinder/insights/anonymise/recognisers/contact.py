"""E-mail addresses, URLs, Telegram handles and phone numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from needfinder.insights.anonymise.lexicon import fold, folded_set
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan

_EMAIL = re.compile(
    # A space slips in after the "@" now and then ("k.brandt@ t-online.de").
    r"(?<![\w.+-])[\w.+-]+@ ?[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}(?![\w-])"
    # Spelled-out forms people use against spam bots: "anna (at) web (dot) de".
    r"|(?<![\w.+-])[\w.+-]+\s?[(\[{]at[)\]}]\s?[\w-]+(?:\s?(?:[(\[{]dot[)\]}]|\.)\s?[\w-]+)+",
    re.IGNORECASE,
)
# Fully spelled-out addresses: "dave at brookfarm dot co dot uk", "anna punkt berg ät web punkt
# de". Only with a known top-level domain at the end and not followed by a path, so that
# "meet at noon dot" or "look at bbc dot com/news" stay text.
_SPELLED_TLDS = r"de|com|net|org|eu|at|ch|info|io|uk|ie|us|biz|me|nl|fr|it|es|pl|shop|online"
_SPELLED_DOT = r"(?:\s*\.\s*|\s+(?:dot|punkt)\s+|\s*[(\[{](?:dot|punkt)[)\]}]\s*)"
# "tom underscore fry at …", "anna bindestrich berg ät …": the other characters of a local part.
_SPELLED_JOINER = r"(?:\s+(?:underscore|unterstrich|dash|hyphen|bindestrich|minus)\s+)"
_DOT_WORD = re.compile(_SPELLED_DOT, re.IGNORECASE)
_JOINER_WORD = re.compile(_SPELLED_JOINER, re.IGNORECASE)
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[\w+-]+(?:(?:{_SPELLED_DOT}|{_SPELLED_JOINER})[\w+-]+)*)"
    r"\s*(?:\s(?:at|ät)\s|[(\[{](?:at|ät)[)\]}])\s*"
    rf"(?P<domain>[\w-]+(?:{_SPELLED_DOT}[\w-]+)*{_SPELLED_DOT}(?:{_SPELLED_TLDS}))"
    # A full stop may end the sentence after it, but no path or further label may follow.
    r"(?![\w/-])(?!\.\w)",
    re.IGNORECASE,
)
# "tom.fry@gmail": an address whose top-level domain was left off, at a big mail provider.
_MAIL_WITHOUT_TLD = re.compile(
    r"(?<![\w.+-])[\w.+-]+@(?:gmail|googlemail|gmx|web|yahoo|hotmail|outlook|icloud|posteo|"
    r"t-online|aol|proton|protonmail|live|me|mailbox|freenet|bluewin|gmx-topmail)(?![\w.@-])",
    re.IGNORECASE,
)
# "site is fry-plumbing dot com": a domain spelled out without "www", after a word for a site.
_SPELLED_SITE = re.compile(
    r"(?i:\b(?:site|website|web|webseite|homepage|seite|url|online\s+unter|page)\b)\W{0,3}"
    r"(?:(?i:is|ist|heißt|heisst|unter|at|:)\W{1,2})?"
    rf"(?P<domain>[\w-]{{3,}}(?:{_SPELLED_DOT}[\w-]+)*\s+(?i:dot|punkt)\s+(?i:{_SPELLED_TLDS}))\b"
)
_MAIL_CUE = re.compile(
    r"(?:e-?mail|mail|kontakt|contact|schreib\w*|write)"
    r"(?:\W+(?:an|to|me|us|uns|mir|at|unter|is|ist|lautet|address|adresse))*\W*$",
    re.IGNORECASE,
)
# Top-level domains we accept for a bare "name.tld" without scheme or "www.": common ones only,
# so that "z.B." or "Version 2.3" never look like a domain.
_TLDS = (
    "de|com|net|org|eu|at|ch|info|biz|io|co\\.uk|org\\.uk|uk|shop|online|store|app|dev|me"
    "|berlin|hamburg|koeln|nrw|bayern|wien|tirol|swiss|us|nl|fr|it|es|pl|tv|blog|site|website"
    # The other English-speaking countries our customers write from.
    "|ie|co\\.nz|org\\.nz|nz|com\\.au|net\\.au|org\\.au|au|ca|scot|wales|cymru|london"
)
# Second-level labels under which the registrable name is one further left ("x.co.nz").
_SECOND_LEVEL = ("co", "org", "com", "net")
_URL = re.compile(
    r"\bhttps?://[^\s<>\"']+"
    r"|\bwww\.[^\s<>\"']+"
    rf"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})(?:/[^\s<>\"']*)?(?![\w-])"
    # Any other top-level domain only with a path ("linktr.ee/lina", "bio.link/x"): a path
    # makes it a link, and "z.B." or "Version 2.3" never have one.
    r"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,6}/[\w~%.-]*[\w~%-](?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
# Spelled out against link filters: "www dot petalandpine dot com", "www punkt x punkt de".
_SPELLED_URL = re.compile(
    rf"\bwww{_SPELLED_DOT}[\w-]+(?:{_SPELLED_DOT}[\w-]+)*{_SPELLED_DOT}(?:{_SPELLED_TLDS})\b",
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}'\""
_TELEGRAM_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:joinchat/|\+)?[A-Za-z0-9_+-]{3,}", re.IGNORECASE
)
# Telegram allows letters, digits and "_"; Instagram-style handles also have inner dots.
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z][A-Za-z0-9_]{2,31}(?:\.[A-Za-z0-9_]+)*(?![\w@])")
# A handle typed without its "@" after the platform's name: "insta: anna_naeht". Only names
# with "_", "." or a digit count, so that "Instagram: we post daily" stays text.
_PLATFORM_HANDLE = re.compile(
    r"\b(?:insta(?:gram)?|ig|tiktok|twitter|threads|telegram|tg|snap(?:chat)?|fb|facebook)"
    r"(?:\s*\([^)\n]{1,20}\))?\s*[:=]\s*@?(?P<name>[A-Za-z0-9][A-Za-z0-9_.]{2,29}[A-Za-z0-9_])",
    re.IGNORECASE,
)
# Well-known public sites: naming them identifies nobody ("ich bestelle bei amazon.de").
PUBLIC_DOMAINS = folded_set(
    """
    web gmx gmail googlemail t-online outlook hotmail live yahoo posteo icloud freenet aol
    mail proton protonmail google amazon ebay paypal facebook instagram youtube linkedin
    xing wikipedia zoom microsoft apple etsy shopify dhl check24 idealo otto zalando
    booking airbnb tripadvisor kleinanzeigen lieferando deliveroo justeat ubereats doctolib
    treatwell fiverr upwork wix squarespace wordpress canva trustpilot
    """
)

# Phone numbers that python-phonenumbers does not validate (typos, fictional ranges) but that
# are unmistakably phone-shaped: "+" or "00" country prefix, or a leading-zero national number
# with at least 8 digits, or the North-American (xxx) xxx-xxxx layout.
_PHONE_FALLBACK = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}[ \-/.]?(?:\(0\)[ \-/.]?)?(?:\(?\d{1,5}\)?[ \-/.]?){1,5}\d{2,}"
    r"|(?<![\w])\(?0\d{2,5}\)?(?: ?/ ?| |-)?\d(?:[ \-]?\d){4,11}(?![\w])"
    r"|(?<![\w])\(\d{3}\) ?\d{3}[ .\-]\d{4}(?![\w])|(?<![\w])\d{3}[.\-]\d{3}[.\-]\d{4}(?![\w])"
    # Digit by digit, as some type it on a phone keypad: "0 7 9 1 1  4 0 2  3 3 8".
    r"|(?<![\w+])(?:\+ ?[1-9]|0)(?: {1,2}\d){8,14}(?![\w])"
    # A one-digit area code, as in Ireland and Australia: "01 872 4419", "03 8555 0143".
    r"|(?<![\w+])0\d \d{3,4} \d{4}(?![\w])"
)
# Vanity numbers spelled with letters: "0800 FLOWERZ", "1-800-GET-TACO".
_VANITY_PHONE = re.compile(
    r"(?<![\w+-])(?:\+?1[ -])?(?:0800|0808|1800|800|888|877|866|855|844|833)[ -]"
    r"(?:[A-Z0-9]{2,4}[ -])?[A-Z][A-Z0-9]{2,7}(?![\w-])"
)
# Numbers said in words, as some write them to get past filters:
# "null eins sieben drei, vier vier fünf …", "oh seven seven double oh, nine …".
_DIGIT_WORDS = {
    **dict.fromkeys(("null", "zero", "oh", "o"), 1),
    **dict.fromkeys(
        (
            *("eins", "zwei", "zwo", "drei", "vier", "fünf", "fuenf", "sechs", "sieben", "acht"),
            *("neun", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
        ),
        1,
    ),
}
_SPOKEN_DIGIT = (
    r"(?:double |triple )?(?:" + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + ")"
)
_SPOKEN_PHONE = re.compile(
    rf"(?<![\w])(?:plus |\+ ?\d{{1,3}} )?{_SPOKEN_DIGIT}"
    rf"(?:[ ,-]{{1,2}}{_SPOKEN_DIGIT}){{6,}}(?![\w])",
    re.IGNORECASE,
)


def _spoken_digits(value: str) -> int:
    """How many digits a number said in words stands for ("double oh" is two)."""
    count = 0
    for word in re.findall(r"[^\W\d_]+", value.lower()):
        if word == "double":
            count += 1
        elif word == "triple":
            count += 2
        elif word in _DIGIT_WORDS:
            count += 1
    return count


# python-phonenumbers resolves national numbers ("0171 …") for one home region; numbers with a
# country code parse whatever the region, and the fallback pattern above catches other national
# layouts. One region per language keeps this the cheapest recogniser it can be.
_PHONE_REGION = {"de": "DE", "en": "GB"}
# Digit groups inside an IBAN ("DE89 3704 0044 ...") look like "0044 ..." (+44): not phones.
_IBAN_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?"
)


def _strip_trailing(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING_PUNCT:
        # Keep a closing bracket that belongs to the URL ("...(foo)").
        if text[end - 1] == ")" and "(" in text[start:end]:
            break
        end -= 1
    return end


def find_emails(scan: Scan) -> Iterator[Candidate]:
    """E-mail addresses, including "(at)"/"[dot]" spellings."""
    lowered = scan.text.lower()
    if "@" not in lowered and "at" not in lowered and "ät" not in lowered:
        return
    for match in _EMAIL.finditer(scan.text):
        key = re.sub(r"\s*(?:[(\[{]at[)\]}]|@)\s*", "@", match.group(), flags=re.IGNORECASE)
        key = re.sub(r"\s*(?:[(\[{]dot[)\]}]|\.)\s*", ".", key, flags=re.IGNORECASE)
        yield Candidate(EntityType.EMAIL, match.start(), match.end(), fold(key))
    for match in _SPELLED_EMAIL.finditer(scan.text):
        local = match.group("local")
        first_word = re.split(r"\W", local, maxsplit=1)[0]
        # "meet at the cafe dot com" is no address, but "email hello at x dot co dot uk" is.
        cued = _MAIL_CUE.search(scan.text[max(0, match.start() - 16) : match.start()])
        if first_word.isdigit() or (scan.lex.is_stopword(fold(first_word)) and not cued):
            continue
        key = _JOINER_WORD.sub("_", _DOT_WORD.sub(".", local)) + "@"
        key += _DOT_WORD.sub(".", match.group("domain"))
        yield Candidate(EntityType.EMAIL, match.start(), match.end(), fold(key))
    if "@" in lowered:
        for match in _MAIL_WITHOUT_TLD.finditer(scan.text):
            yield Candidate(EntityType.EMAIL, match.start(), match.end(), fold(match.group()))


def find_handles(scan: Scan) -> Iterator[Candidate]:
    """Telegram ``@handles`` and ``t.me/...`` links."""
    text = scan.text
    if "@" in text:
        for match in _HANDLE.finditer(text):
            yield Candidate(EntityType.HANDLE, match.start(), match.end(), fold(match.group()[1:]))
    lowered = text.lower()
    for match in _PLATFORM_HANDLE.finditer(text):
        name = match.group("name")
        if (
            re.search(r"[_.\d]", name)
            and "@" not in text[match.start("name") - 1 : match.start("name")]
        ):
            yield Candidate(EntityType.HANDLE, match.start("name"), match.end("name"), fold(name))
    if "t.me/" in lowered or "telegram.me/" in lowered:
        for match in _TELEGRAM_LINK.finditer(text):
            name = match.group().rsplit("/", 1)[-1].lstrip("+")
            yield Candidate(EntityType.HANDLE, match.start(), match.end(), fold(name))


def find_urls(scan: Scan) -> Iterator[Candidate]:
    """Web addresses, except Telegram links (handles) and bare well-known public sites."""
    text = scan.text
    for match in _URL.finditer(text) if "." in text else ():
        start = match.start()
        end = _strip_trailing(text, start, match.end())
        value = text[start:end]
        lowered = value.lower()
        if "t.me/" in lowered or "telegram.me/" in lowered or "@" in value:
            continue
        host = re.sub(r"^https?://", "", lowered).removeprefix("www.")
        host, _, path = host.partition("/")
        labels = host.split(".")
        nested = len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2
        registrable = labels[-3] if nested else labels[-2]
        if registrable in PUBLIC_DOMAINS and not path.strip("/"):
            continue
        # "ASP.NET", "VB.NET": technology names; people type their domains in lower case.
        if value.isupper() and not text.isupper() and "/" not in value:
            continue
        yield Candidate(EntityType.URL, start, end, (host + "/" + path).rstrip("/"))
    lowered = text.lower()
    if " dot " in lowered or " punkt " in lowered:
        for match in _SPELLED_SITE.finditer(text):
            host = _DOT_WORD.sub(".", match.group("domain")).lower()
            yield Candidate(EntityType.URL, match.start("domain"), match.end("domain"), host)
    if "www" in lowered:
        for match in _SPELLED_URL.finditer(text):
            host = _DOT_WORD.sub(".", match.group()).lower().removeprefix("www.")
            yield Candidate(EntityType.URL, match.start(), match.end(), host)


def _phone_key(raw: str) -> str:
    """E.164 form, so "0171 2345678" and "+49 171 2345678" share a placeholder."""
    try:
        number = phonenumbers.parse(raw, "DE")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", raw)


def find_phones(scan: Scan) -> Iterator[Candidate]:
    """Phone numbers: python-phonenumbers (valid numbers) plus phone-shaped fallbacks."""
    text = scan.text
    for spoken in _SPOKEN_PHONE.finditer(text):
        if _spoken_digits(spoken.group()) >= 8:
            yield Candidate(EntityType.PHONE, spoken.start(), spoken.end(), fold(spoken.group()))
    for vanity in _VANITY_PHONE.finditer(text):
        yield Candidate(EntityType.PHONE, vanity.start(), vanity.end(), fold(vanity.group()))
    if scan.digit_count < 6:
        return
    ibans = [(m.start(), m.end()) for m in _IBAN_SHAPE.finditer(text)]
    seen: set[tuple[int, int]] = set()

    def inside_iban(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e in ibans)

    region = _PHONE_REGION[scan.language]
    for match in phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID
    ):
        if (match.start, match.end) not in seen and not inside_iban(match.start, match.end):
            seen.add((match.start, match.end))
            yield Candidate(EntityType.PHONE, match.start, match.end, _phone_key(match.raw_string))
    for fallback in _PHONE_FALLBACK.finditer(text):
        raw = fallback.group().rstrip(" -/.")
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 7 or digits > 15:
            continue
        end = fallback.start() + len(raw)
        if (fallback.start(), end) not in seen and not inside_iban(fallback.start(), end):
            yield Candidate(EntityType.PHONE, fallback.start(), end, _phone_key(raw))
