"""Postal addresses: German street + house number, PLZ + town, English street addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from needfinder.insights.anonymise.lexicon import Lexicon, fold, folded_set
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan
from needfinder.insights.anonymise.wordfreq import zipf

_STREET_SUFFIX = (
    r"stra(?:ß|ss)e|str\.?|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|pfad|stieg|"
    r"twiete|kamp|markt|graben|wall|berg|hof|anger|zeile|promenade|park|garten|feld|brücke|"
    r"höhe|grund|tal|winkel|hang|busch|deich|koppel|redder|siedlung|passage|tor|gürtel|"
    r"kai|hafen|heide|aue|wiese|bogen|blick|terrasse|acker"
)
# "12", "5a", "12-14", and Austrian stair and door numbers ("120/3/14").
_HOUSE_NUMBER = r"\d{1,4}(?: ?[a-zA-Z](?![\w]))?(?: ?[-/] ?\d{1,4}[a-zA-Z]?){0,2}"
# "Lindenstraße 14", "Karl-Marx-Straße 112", "hauptstr. 5a": one word ending in a street suffix.
_DE_STREET = re.compile(
    rf"(?<![\w-])(?P<name>[^\W\d_][\w-]*?(?:{_STREET_SUFFIX}))\s?(?P<number>{_HOUSE_NUMBER})(?![\w,.]\d)",
    re.IGNORECASE,
)
# "Mariahilfer Straße 77", "lerchenfelder str. 120/3/14": a place adjective before the street word.
_DE_STREET_TWO_WORDS = re.compile(
    r"(?<![\w-])[^\W\d_][\w-]*er\s(?:stra(?:ß|ss)e|str\.|gasse|weg|platz|allee|ring|damm)"
    rf"\s?{_HOUSE_NUMBER}(?![\w,.]\d)",
    re.IGNORECASE,
)
# "Am Markt 3", "Auf dem Kamp 5", "Straße des 17. Juni" is rare enough to leave out.
_DE_STREET_PHRASE = re.compile(
    r"(?<![\w-])(?P<name>(?:Am|An der|An den|Auf dem|Auf der|Im|In der|In den|Zum|Zur|Unter den|"
    r"Hinter der|Hinter dem|Vor dem|Alte|Alter|Neue|Neuer|Große|Kleine|Obere|Untere)\s+"
    # An optional adjective: "Zur alten Mühle 4", "Am kleinen Feld 2".
    r"(?:[a-zäöü]+e[nmrs]?\s+)?"
    rf"[A-ZÄÖÜ][\wäöüß-]+)\s(?P<number>{_HOUSE_NUMBER})(?![\w,.]\d)"
)
# "Gewerbepark Nord 12": a street word with a compass suffix.
_DE_STREET_DIRECTION = re.compile(
    rf"(?<![\w-])[A-ZÄÖÜ][\wäöüß-]*(?:{_STREET_SUFFIX})\s(?:Nord|Süd|Ost|West|Mitte|I|II|III)"
    rf"\s{_HOUSE_NUMBER}(?![\w,.]\d)",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"(?<![\w])(?:Postfach|P\.?\s?O\.?\s?Box|PO Box)\s?\d{1,6}(?![\w])", re.IGNORECASE
)
# Compound nouns that end like a street but are not ("Arbeitsplatz 3", "auf dem Postweg 2 Tage").
_NOT_STREETS = folded_set(
    """arbeitsplatz parkplatz stellplatz sitzplatz speicherplatz lagerplatz spielplatz
    zahlungsweg rückweg heimweg lieferweg umweg ausweg versandweg dienstweg postweg
    kommunikationsweg arbeitsweg lösungsweg rechtsweg weg supermarkt getränkemarkt baumarkt
    wochenmarkt flohmarkt arbeitsmarkt markt bauernhof friedhof bahnhof innenhof hinterhof
    hof eingabefeld datenfeld textfeld umfeld spielfeld arbeitsfeld feld kindergarten garten
    schlüsselring ring fuhrpark freizeitpark park hintergrund untergrund grund berg platz
    anhang zugang eingang ausgang tor tal kai hafen str straße strasse"""
)
# After "Am"/"Im" a bare word is fine ("Am Markt 3", "Im Hof 2"), a known compound is not.
_NOT_STREET_COMPOUNDS = _NOT_STREETS - folded_set(
    "weg markt hof feld garten ring park grund berg platz tor tal kai hafen str straße strasse"
)
# "Am Ende 2 Stunden", "Im Lager 3 Paletten": a preposition phrase that is no street.
_NOT_PLACES = folded_set(
    """ende anfang beginn schluss moment jahr monat woche wochenende tag abend morgen mittag
    montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar märz april mai
    juni juli august september oktober november dezember lager büro laden telefon computer
    durchschnitt schnitt prinzip grunde ganzen großen allgemeinen voraus vergleich vorfeld
    rahmen system programm internet netz shop team sommer winter herbst frühling urlaub"""
)
# What follows a house number and shows it was a count instead ("Parkplatz 3 Autos").
_UNITS_AFTER = re.compile(
    r"\s*(?:%|€|\$|£|euro|eur|cent|stunden|std|tage|tagen|wochen|monate|monaten|jahre|jahren|"
    r"minuten|min|mal|stück|prozent|leute|mitarbeiter|kunden|uhr|x|mio|tsd|kg|km|m|liter|"
    r"hours|days|weeks|months|years|minutes|times|people|items|pieces)(?![\w])",
    re.IGNORECASE,
)
_PLZ_CITY = re.compile(
    r"(?<![\w.,/-])(?:D-\s?)?(?P<plz>\d{5})\s+(?P<city>[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*"
    r"(?:\s(?:am|an der|im|in der|ob der|vor der|bei)\s[A-ZÄÖÜ][a-zäöüß]+"
    r"|\s?\([A-ZÄÖÜ][a-zäöüß]+\))?)"
)
_EN_STREET_TYPES = (
    r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Court|Ct\.?|"
    r"Way|Place|Pl\.?|Terrace|Close|Crescent|Square|Parkway|Pkwy\.?|Highway|Hwy\.?|Row|Gardens|"
    r"Grove|Mews|Walk|Hill"
)
_EN_STREET = re.compile(
    rf"(?<![\w])\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][a-z']+\s+){{1,3}}(?:{_EN_STREET_TYPES})(?![\w])"
    r"(?:,?\s+(?:Apt\.?|Apartment|Suite|Unit|Flat)\s+\w+)?"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|"
    "NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_US_CITY_ZIP = re.compile(
    rf"(?<![\w])[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s(?:{_US_STATES})\s\d{{5}}(?:-\d{{4}})?(?![\w])"
)
_UK_POSTCODE = re.compile(
    r"(?<![\w])(?:[A-Z][a-z]+\s)?[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}(?![\w])"
)
# The same typed in lower case ("m40 7qb"): only with the space, so that "a4" or "b2b" never
# come close.
_UK_POSTCODE_LOWER = re.compile(r"(?<![\w])[a-z]{1,2}\d[a-z\d]?\s\d[abd-hjlnp-uw-z]{2}(?![\w])")
# Irish Eircodes: a routing key ("A94", "D6W") and a four-character unique identifier.
_EIRCODE = re.compile(
    r"(?<![\w])(?:[ACDEFHKNPRTVWXY]\d{2}|D6W)\s?(?=[0-9ACDEFHKNPRTVWXY]{4}(?![\w]))"
    r"(?=\S*\d)(?=\S*[A-Z])[0-9ACDEFHKNPRTVWXY]{4}(?![\w])",
    re.IGNORECASE,
)


# What may follow a street and number as its town: ", 6020 Innsbruck", " CH-8645 Jona",
# ", 50667 köln" (Austrian and Swiss postcodes have four digits), or " in Passau".
_TOWN_AFTER_STREET = re.compile(
    r"(?:,\s*|\s+)(?:(?:CH|A|D|AT|DE)-\s?)?\d{4,5}\s+[^\W\d_]{2,}(?:[ -][A-ZÄÖÜ][^\W\d_]+)?"
    r"|\s+in\s+(?:der\s+|dem\s+)?[A-ZÄÖÜ][^\W\d_]+(?:-[A-ZÄÖÜ][^\W\d_]+)*"
)
# A Swiss or Austrian postcode with its country prefix, and its town ("CH-8645 Jona").
_PREFIXED_POSTCODE = re.compile(r"(?<![\w-])(?:CH|A|AT)-\s?\d{4}\s+[A-ZÄÖÜ][^\W\d_]+")
_CANTONS = "AG|AI|AR|BE|BL|BS|FR|GE|GL|GR|JU|LU|NE|NW|OW|SG|SH|SO|SZ|TG|TI|UR|VD|VS|ZG|ZH"
# A Swiss postcode, town and canton ("9450 Altstätten SG"): the canton vouches for the rest.
_SWISS_POSTCODE_CANTON = re.compile(
    rf"(?<![\w.,/-])\d{{4}}\s+[^\W\d_]{{2,}}(?:[ -][A-ZÄÖÜ][^\W\d_]+)?\s(?:{_CANTONS})(?![\w])"
)
# How frequent the singular of a word ending in -n must be for the word to read as a plural.
_PLURAL_STEM_ZIPF = 4
# A four-digit postcode and town after "in"/"aus"/"nach"/"from" or a comma ("aus 6850 Dornbirn");
# years and counts ("in 2024 Umsatz", "aus 1500 Metern") are ruled out below.
_SHORT_PLZ_CITY = re.compile(
    r"(?:(?<![\w])(?:in|aus|us|nach|bei|from|to|,)\s+|,\s*)(?P<plz>\d{4})\s+"
    r"(?P<city>[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*)(?![\w])",
    re.IGNORECASE,
)


def _with_town(text: str, lex: Lexicon, start: int, end: int) -> Candidate:
    """The street candidate, extended over a town that follows it."""
    match = _TOWN_AFTER_STREET.match(text, end)
    if match is not None:
        town = fold(re.findall(r"[^\W\d_]+", match.group())[-1])
        if not (lex.is_stopword(town) or town in lex.common_nouns or _is_count(text, end)):
            end = match.end()
    return Candidate(EntityType.ADDRESS, start, end)


def _looks_like_plural_noun(folded: str) -> bool:
    """True for a frequent noun's dative plural ("Metern", "Kunden"): a count, not a town."""
    if not folded.endswith("n"):
        return False
    stems = (folded[:-1], folded[:-2])
    return any(len(stem) >= 3 and zipf(stem) >= _PLURAL_STEM_ZIPF for stem in stems)


def _is_count(text: str, end: int) -> bool:
    return _UNITS_AFTER.match(text, end) is not None


def find_addresses(scan: Scan) -> Iterator[Candidate]:
    """Street + number (German and English), PLZ + town, US city + ZIP, UK postcodes."""
    if scan.digit_count == 0:
        return
    text = scan.text
    lex = scan.lex
    for match in _DE_STREET.finditer(text):
        name = match.group("name")
        folded = fold(name)
        if folded in _NOT_STREETS or folded in lex.common_nouns or _is_count(text, match.end()):
            continue
        # The compound needs a real first part: "Weg 3" or "Str. 5" alone is no street name.
        if len(name) < 5 and not name[0].isupper():
            continue
        yield _with_town(text, lex, match.start(), match.end())
    for match in _DE_STREET_TWO_WORDS.finditer(text):
        if not _is_count(text, match.end()):
            yield _with_town(text, lex, match.start(), match.end())
    for match in _DE_STREET_PHRASE.finditer(text):
        last_word = match.group("name").rsplit(" ", 1)[-1]
        number = match.group("number")
        if (
            fold(last_word) in _NOT_PLACES
            or fold(last_word) in _NOT_STREET_COMPOUNDS
            or fold(last_word) in lex.stopwords_de
            or _is_count(text, match.end())
            or (len(number) == 4 and number.isdigit())  # "Im Jahr 2023"
        ):
            continue
        yield _with_town(text, lex, match.start(), match.end())
    for match in _PLZ_CITY.finditer(text):
        city = match.group("city")
        first = fold(city.split()[0].split("-")[0])
        if first in lex.common_nouns or first in lex.brands or lex.is_stopword(first):
            continue
        yield Candidate(EntityType.ADDRESS, match.start(), match.end())
    for match in _PREFIXED_POSTCODE.finditer(text):
        yield Candidate(EntityType.ADDRESS, match.start(), match.end())
    for match in _SWISS_POSTCODE_CANTON.finditer(text):
        yield Candidate(EntityType.ADDRESS, match.start(), match.end())
    for match in _SHORT_PLZ_CITY.finditer(text):
        city = match.group("city")
        first = fold(city.split("-")[0])
        if (
            1900 <= int(match.group("plz")) <= 2039
            or not city[0].isupper()
            or first in lex.common_nouns
            or first in lex.brands
            or lex.is_stopword(first)
            or _is_count(text, match.start("city") - 1)
            or _looks_like_plural_noun(first)
        ):
            continue
        yield Candidate(EntityType.ADDRESS, match.start("plz"), match.end())
    patterns: tuple[re.Pattern[str], ...] = (
        _EN_STREET,
        _US_CITY_ZIP,
        _UK_POSTCODE,
        _DE_STREET_DIRECTION,
        _PO_BOX,
        _EIRCODE,
    )
    if text.islower() or any(ch.isdigit() for ch in text):
        patterns += (_UK_POSTCODE_LOWER,)
    for pattern in patterns:
        for match in pattern.finditer(text):
            yield Candidate(EntityType.ADDRESS, match.start(), match.end())
