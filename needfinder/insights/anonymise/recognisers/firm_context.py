"""Firm names by the words around them: quotes, "namens", a venue word, a trade word, a club.

German firm names were the anonymiser's weakest spot in round 8's development sets: the
radio repair shop "Kettenblatt" in quotes, the "Jazzkeller Blaue Stunde", "Gerlach Wohnbau",
"H&P Gerüstbau", "TSV Eintracht Holzkirchen". Each rule here reads one kind of context that
says a name follows or precedes; the words themselves may be ordinary ("Alte Mühle", "Post").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from needfinder.insights.anonymise.lexicon import FUNCTION_WORDS, fold, folded_set, word_list
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan

# Kinds of venue and business that come before their name in German ("Gasthof Post",
# "Kulturhaus Alte Mühle", "Almhütte Bärenfalle", "Geburtshaus Lichtblick").
_VENUES = folded_set(
    """gasthof gasthaus wirtshaus landgasthof hotel pension restaurant café cafe bistro bar
    kneipe jazzkeller weinkeller keller kulturhaus geburtshaus autohaus modehaus almhütte hütte
    theater kino mühle metzgerei bäckerei konditorei apotheke praxis kanzlei kita kindergarten
    pflegeheim seniorenheim hof weingut brauerei hofladen buchhandlung galerie atelier studio
    salon werkstatt radwerkstatt druckerei gärtnerei schreinerei tischlerei verlag agentur
    theatergruppe chor band verein förderverein sportverein musikverein club campingplatz
    reitstall ferienhof gästehaus"""
)
_VENUE_HEADS = tuple(
    word_list("""
    haus hof hütte keller stube laden werkstatt studio salon praxis erei verein gruppe club
    café cafe bistro kneipe manufaktur atelier galerie
    """)
)
# "Gasthaus zur Sonne", "Theater im Fuchsbau", "Metzgerei zur Waage".
_CONTRACTIONS = r"(?:zur|zum|im|am|an\s+der|am\s+der|zu\s+den|in\s+der|unterm|beim)"
_NAME_WORD = r"[A-ZÄÖÜ][\w'’&-]*"
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w-]*")
_AFTER_VENUE = re.compile(
    rf"\s+(?P<name>(?i:{_CONTRACTIONS})\s+{_NAME_WORD}"
    rf"|{_NAME_WORD}(?:\s+{_NAME_WORD})?|[a-zäöüß][\w-]{{3,}})(?![\w'’-])"
)
# Adjectives that begin names ("Blaue Stunde", "Alte Mühle", "Goldener Hirsch").
_ADJECTIVE_ENDINGS = ("e", "er", "es", "en")

# Quoted names: "Kettenblatt", 'blütezeit', „Volt & Vision“.
_QUOTED = re.compile(
    r"(?<![\w])(?P<open>[\"“„'‚«»(])(?P<name>[^\W_][^\"“”„'‘’‚«»()\n]{1,38}?)(?:[\"“”'‘’«»)])(?![\w])"
)
# "ein Spielcafé, Wolkenkuckucksheim, für Eltern", "eine kleine schneiderei, nadelöhr, und":
# a rare word set off by commas right after a venue word.
_COMMA_NAME = re.compile(r",\s*(?P<name>[^\W\d_][\w'’-]{3,}),")
# What makes a quoted phrase a firm's name: a business word or a naming word shortly before.
_QUOTE_CUE = re.compile(
    r"(?i:namens|name|heißt|heisst|heißen|heissen|sind|bin|mit|als|unter|firma|laden|geschäft|"
    r"betrieb|band|kollektiv|duo|trio|verein|called|named|trading\s+as|as|we're|we\s+are|brand)"
    r"\W{0,3}$"
)

# "unter dem Namen Stichwerk", "einen hundesalon namens Fellfein", "under the name Loop".
_NAMED = re.compile(
    r"(?<![\w'’])(?i:namens|unter\s+dem\s+namen|unterm\s+namen|under\s+the\s+name|"
    r"mit\s+dem\s+namen|with\s+the\s+name|trading\s+under)\s+[\"“„'‚]?"
    r"(?P<name>[^\W\d_][\w'’&.-]*(?:[ \t]+(?!(?i:und|and|aber|but|seit|since|in|im|aus|from|"
    r"für|for|mit|with)\b)[\w'’&.-]+){0,3})"
)

# "Gerlach Wohnbau", "H&P Gerüstbau", "BKS Elektroanlagen", "4Pfoten Tierbedarf": a name
# and a trade compound.
_TRADE_HEADS = (
    "bau",
    "technik",
    "anlagen",
    "bedarf",
    "transporte",
    "logistik",
    "medien",
    "design",
    "elektro",
    "sanitär",
    "service",
    "handel",
    "catering",
    "reinigung",
    "gastro",
    "systeme",
    "immobilien",
    "consulting",
    "montage",
    "fliesen",
    "druck",
    "nachhilfe",
    "feinkost",
    "textil",
)
_NAME_BEFORE_TRADE = re.compile(
    r"(?:(?<![\w'’-])(?P<name>[A-ZÄÖÜ][\w'’-]+|[A-Z0-9]{1,4}(?:&[A-Z0-9]{1,4})?|\d+[A-ZÄÖÜ][\w-]+))"
    r"\s+$"
)
_CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[A-ZÄÖÜ][\wäöüß-]+(?![\w'’-])")

# German sports and other clubs by their abbreviation: "TSV Eintracht Holzkirchen", "FC Wacker".
_CLUB = re.compile(
    r"(?<![\w'’.-])(?:\d\.\s)?(?:TSV|SV|FC|SC|TSG|VfB|VfL|VfR|TuS|SpVgg|DJK|ESV|FSV|SG|TV|TSC|"
    r"ASV|SSV|USV|ATSV|ASKÖ|SK|SKV|FK|SU)\s+(?:[A-ZÄÖÜ][\w'’-]+|\d{2,4})(?:\s+[A-ZÄÖÜ][\w'’-]+){0,2}"
)


def _is_venue(folded: str) -> bool:
    return folded in _VENUES or (len(folded) > 6 and folded.endswith(_VENUE_HEADS))


def _venue_names(scan: Scan) -> Iterator[Candidate]:
    """German order: a venue word, then its name, even an ordinary one ("Gasthof Post")."""
    from needfinder.insights.anonymise.wordfreq import form_zipf

    lex, text = scan.lex, scan.text
    lower_text = sum(ch.isupper() for ch in text) * 20 < sum(ch.isalpha() for ch in text)
    for venue in _WORD.finditer(text):
        if not _is_venue(fold(venue.group())):
            continue
        comma = _COMMA_NAME.match(text, venue.end())
        if comma is not None:
            folded = fold(comma.group("name"))
            if not (lex.is_everyday_word(folded) or _is_venue(folded) or form_zipf(folded) >= 3):
                yield Candidate(EntityType.ORG, comma.start("name"), comma.end("name"))
            continue
        match = _AFTER_VENUE.match(text, venue.end())
        if match is None:
            continue
        name = match.group("name")
        words = name.split()
        first = fold(words[0])
        # "Gasthaus zur Sonne" names; "Café am See", "Bäckerei im Allgäu" say where it is.
        contracted = re.match(r"(?i:zur|zum|zu\s+den)\s", name) is not None
        if contracted:
            yield Candidate(EntityType.ORG, venue.start(), match.end())
            continue  # "Theater im Fuchsbau": the venue word belongs to the name
        # A lower-case name only where nothing is capitalised, and no ordinary word ("einen
        # verein gegründet").
        if name[0].islower() and not (
            lower_text and first not in lex.common_nouns and form_zipf(first) < 3
        ):
            continue
        if first in FUNCTION_WORDS or lex.is_stopword(first) or re.match(_CONTRACTIONS, name):
            continue
        if first in lex.brands or _is_venue(first):
            continue
        # Two capitalised words: the first must be an adjective or both must stay out of the
        # sentence ("Hotel Frühstück inklusive" is rare; "Kulturhaus Alte Mühle" is a name).
        if len(words) == 2 and not (
            first.endswith(_ADJECTIVE_ENDINGS) or fold(words[1]) not in lex.common_nouns
        ):
            words = words[:1]
        start = match.start("name")
        yield Candidate(EntityType.ORG, start, start + len(" ".join(words)))


def _quoted_names(scan: Scan) -> Iterator[Candidate]:
    """A short quoted phrase after a business or naming word ("die Radwerkstatt "Kettenblatt"")."""
    text = scan.text
    for match in _QUOTED.finditer(text):
        name = match.group("name").strip()
        if len(name.split()) > 5 or name.endswith(("?", "!")):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if not (_QUOTE_CUE.search(before) or _ends_with_venue(before)):
            continue
        start = match.start("name")
        yield Candidate(EntityType.ORG, start, start + len(name))


def _ends_with_venue(before: str) -> bool:
    words = re.findall(r"[^\W\d_][\w-]*", before)
    return bool(words) and _is_venue(fold(words[-1]))


def _named_firms(scan: Scan) -> Iterator[Candidate]:
    """The name after "namens" / "unter dem Namen" / "under the name"."""
    lex = scan.lex
    for match in _NAMED.finditer(scan.text):
        words = match.group("name").rstrip(".,;:!?\"“”'’").split()
        if not words or lex.is_stopword(fold(words[0])):
            continue
        start = match.start("name")
        yield Candidate(EntityType.ORG, start, start + len(" ".join(words)))


def _names_with_trades(scan: Scan) -> Iterator[Candidate]:
    """A name or initials before a trade compound ("Gerlach Wohnbau", "H&P Gerüstbau")."""
    from needfinder.insights.anonymise.wordfreq import form_zipf

    lex, text = scan.lex, scan.text
    for trade_match in _CAPITALISED_WORD.finditer(text):
        trade = fold(trade_match.group())
        if not (trade.endswith(_TRADE_HEADS) and len(trade) > 3):
            continue
        match = _NAME_BEFORE_TRADE.search(
            text, max(0, trade_match.start() - 30), trade_match.start()
        )
        if match is None:
            continue
        name = match.group("name")
        folded = fold(name)
        if lex.is_stopword(folded) or folded in FUNCTION_WORDS or folded in lex.brands:
            continue
        # "Der Hochbau", "Schwerpunkt Fliesen": an ordinary word or adjective before the trade.
        if (
            name.isalpha()
            and not lex.is_name(folded)
            and (
                folded in lex.common_nouns
                or folded.endswith(("er", "e", "es"))
                or form_zipf(folded) >= 3
            )
        ):
            continue
        yield Candidate(EntityType.ORG, match.start(), trade_match.end())


# English: "doing private dining as Table for Ten", "trading as Loop", "we play in Static
# Harbour", "drummer for The Gravel Saints", "we run the cosy cup in Whakatāne".
_EN_AS_NAME = re.compile(
    r"(?<![\w'’])(?:trading|trade|operating|operate|working|work|doing|do|running|run|go|going)"
    r"\s+(?:[a-z]+\s+){0,3}?as\s+(?P<name>[A-Z][\w'’&-]*(?:\s+(?:[A-Z][\w'’&-]*|for|of|and|&|on|"
    r"the)){0,4})"
)
_EN_BAND = re.compile(
    r"(?<![\w'’])(?:play|plays|played|playing|sing|sings|sang|singing|drum|drums|drummer|"
    r"guitarist|bassist|singer|gig|gigs|gigging)\s+(?:[a-z]+\s+)?(?:in|for|with)\s+"
    r"(?P<name>(?:The\s+)?[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*){0,3})"
)
_EN_WE_RUN = re.compile(
    r"(?<![\w'’])(?i:i|we)\s+(?:run|own|have|opened|manage|took\s+over|bought)\s+"
    r"(?P<name>the\s+[a-z][\w'’-]+(?:\s+[a-z][\w'’-]+){1,2})(?=\s*(?:in|at|on|near|,|\.|$))"
)
_EN_GENERIC = folded_set(
    """local front back main whole family old new little small big same other only first
    last next own kitchen shop business books place show company farm bar office desk till
    door store website site social accounts admin marketing side day night"""
)


def _english_firms(scan: Scan) -> Iterator[Candidate]:
    """English names after "as", after playing in or for, after "we run the"."""
    lex = scan.lex
    for pattern in (_EN_AS_NAME, _EN_BAND):
        for match in pattern.finditer(scan.text):
            words = match.group("name").split()
            while words and fold(words[-1]) in ("for", "of", "and", "&", "on", "the"):
                words.pop()
            if not words or fold(words[-1]) in lex.brands or fold(words[0]) in lex.brands:
                continue
            if len(words) == 1 and lex.is_first_name(fold(words[0])):
                continue  # "as Jenny", "with Sam": people
            # "we play in Leeds": one word after playing somewhere is as likely a town.
            if pattern is _EN_BAND and len(words) == 1:
                continue
            start = match.start("name")
            yield Candidate(EntityType.ORG, start, start + len(" ".join(words)))
    for match in _EN_WE_RUN.finditer(scan.text):
        words = [fold(w) for w in match.group("name").split()[1:]]
        if any(w in _EN_GENERIC or lex.is_stopword(w) for w in words):
            continue
        yield Candidate(EntityType.ORG, match.start("name"), match.end("name"))


# "Greystone Housing Association", "Riverside Allotment Society", "Hatchlands Business Park":
# capitalised words before the kind of organisation they name.
_EN_ORG_KIND = re.compile(
    r"(?<![\w'’-])(?P<name>[A-Z][\w'’&-]*(?:\s+(?:[A-Z][\w'’&-]*|&|and|of)){0,3})\s+"
    r"(?P<kind>Association|Society|Trust|Club|Park|Group|Centre|Center|Partnership|Foundation|"
    r"Collective|Co-op|Cooperative|Academy|Alliance|Network|Federation|Institute)(?![\w'’-])"
)
# "mein Betrieb ist DK Fassadenprofi", "our business is Flat White Rabbit", "my shop's called".
_OURS_IS = re.compile(
    r"(?<![\w'’])(?i:mein|meine|unser|unsere|my|our)\s+(?i:betrieb|firma|laden|geschäft|"
    r"unternehmen|business|company|shop|firm|brand|marke|cart|van|truck|stall)\s+"
    r"(?i:ist|is|heißt|heisst|hei[sß]t\s+jetzt)\s+[\"“„'‚]?"
    r"(?P<name>[A-ZÄÖÜ0-9][\w'’&.-]*(?:[ \t]+[A-ZÄÖÜ0-9][\w'’&.-]*){0,3})"
)


def _kinds_and_ours(scan: Scan) -> Iterator[Candidate]:
    """Organisations by their kind ("… Housing Association") and "our business is X"."""
    from needfinder.insights.anonymise.wordfreq import zipf

    lex = scan.lex
    if scan.language == "en":
        for match in _EN_ORG_KIND.finditer(scan.text):
            words = [fold(w) for w in match.group("name").split()]
            # "the Lake District Park", "our Youth Club": ordinary words before the kind.
            if all(
                lex.is_everyday_word(w) or w in ("&", "and", "of") or zipf(w) >= 3
                for w in words
                if not lex.is_name(w)
            ):
                continue
            if words[0] in lex.brands or words[0] in ("the", "our", "my", "a"):
                continue
            yield Candidate(EntityType.ORG, match.start(), match.end())
    for match in _OURS_IS.finditer(scan.text):
        # The name ends with its sentence ("… DK Fassadenprofi. Ich bräuchte").
        words = re.split(r"[.!?]\s", match.group("name"), maxsplit=1)[0].rstrip(".").split()
        if not words:
            continue
        if lex.is_stopword(fold(words[0])) or fold(words[0]) in lex.brands:
            continue
        start = match.start("name")
        yield Candidate(EntityType.ORG, start, start + len(" ".join(words)))


def find_firms_in_context(scan: Scan) -> Iterator[Candidate]:
    """Firm names from quotes, naming words, venue words, trade compounds and club prefixes."""
    if scan.language == "de":
        yield from _venue_names(scan)
        yield from _names_with_trades(scan)
        for match in _CLUB.finditer(scan.text):
            yield Candidate(EntityType.ORG, match.start(), match.end())
    yield from _kinds_and_ours(scan)
    if scan.language == "en":
        yield from _english_firms(scan)
    if any(q in scan.text for q in "\"“„'‚«»("):
        yield from _quoted_names(scan)
    lowered = scan.text.lower()
    if "namen" in lowered or "name " in lowered or "trading under" in lowered:
        yield from _named_firms(scan)
