"""Organisation and shop names: legal suffixes, shop-type nouns, "Firma X", employers."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from needfinder.insights.anonymise.lexicon import (
    FUNCTION_WORDS,
    Lexicon,
    fold,
    folded_set,
    word_list,
)
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.recognisers.contact import PUBLIC_DOMAINS
from needfinder.insights.anonymise.scan import Scan
from needfinder.insights.anonymise.tokens import Token, possessive_base

# Legal forms, possibly chained ("GmbH & Co. KG"). Short upper-case forms are matched
# case-sensitively so that "ag" or "se" in running text are never taken for one.
_LEGAL = re.compile(
    r"(?<![\w&])(?:(?i:g?gmbh|mbh|kgaa|ohg|gbr|ltd\.?|limited|inc\.?|llc|llp|plc|corp\.?|"
    r"corporation|e\.\s?k\.|e\.\s?v\.|ug\s?\(haftungsbeschränkt\))|AG|KG|UG|SE|kg|ug|"
    r"&\s?(?:Co\.?|Partner|Söhne|Sohn|Sons|Son|Töchter)|und Partner)"
    r"(?:\s?(?:&\s?Co\.?|KG|OHG|AG|mbH)(?![\w]))*(?![\w])"
)
_QUANTITY_WORDS = folded_set(
    "paar paar viele wenige ein zwei drei vier fünf zehn hundert tausend halbes halbe pro je"
)
# Nouns for kinds of shops and practices, followed by the shop's name ("Bäckerei Müller").
_SHOP_NOUNS_DE = folded_set(
    """bäckerei baeckerei backstube metzgerei fleischerei konditorei autohaus autowerkstatt
    werkstatt kfz-werkstatt apotheke kanzlei anwaltskanzlei steuerkanzlei friseur friseursalon
    frisörsalon salon blumenladen blumenhaus buchhandlung getränkemarkt elektro sanitär
    haustechnik malerbetrieb schreinerei tischlerei gärtnerei fahrschule reisebüro café cafe
    restaurant gasthaus gasthof hotel pension pizzeria imbiss kiosk optik optiker brauerei
    weingut hofladen bioladen modehaus boutique studio fitnessstudio yogastudio tanzschule
    musikschule agentur werbeagentur druckerei baufirma dachdeckerei spedition reinigung
    textilreinigung schlüsseldienst verlag immobilien hausverwaltung pflegedienst
    physiotherapie ergotherapie sanitätshaus schuhhaus juwelier goldschmiede fotostudio
    copyshop metallbau holzbau gartenbau firma fa laden geschäft betrieb"""
)
# Kinds of business that end a firm name ("Nordlicht Medien"); the tagger uses them as a feature.
SHOP_NOUNS_DE = _SHOP_NOUNS_DE | folded_set(
    """logistik medien catering events bau technik service reinigung design consulting
    immobilien transporte umzüge druck gastro pflege werbung software systeme solar energie"""
)
# Heads of German compound shop nouns: "Wäscherei", "Pflegedienst", "Fotostudio".
_SHOP_HEADS_DE = tuple(
    fold(w)
    for w in word_list("""
    erei laden studio salon praxis werkstatt handlung handel dienst kanzlei apotheke agentur
    betrieb schule büro service
    """)
)
SHOP_HEADS_DE = _SHOP_HEADS_DE
# English shop nouns come after the name ("Smith's Hardware", "Riverside Dental").
_SHOP_NOUNS_EN = folded_set(
    """hardware bakery bakehouse pizza pizzeria diner café cafe coffee garage auto autos motors
    books bookshop bookstore shop store market deli pharmacy salon barbershop barbers kitchen
    grill bar pub inn bistro plumbing electric electrical electricals flowers florist bikes
    cycles tailoring tailors cleaners laundry fitness gym studio hair nails dental clinic
    butcher butchers gallery boutique catering landscaping roofing construction repairs tires
    tyres optics opticians travel removals printing media design consulting solutions services
    logistics supplies trading furniture yoga crafts foods farm dairy brewery winery mill
    works workshop depot emporium outlet centre center nursery kennels vets surgery practice
    studios joinery carpentry plumbers electricians builders decorators motors"""
)
SHOP_NOUNS_EN = _SHOP_NOUNS_EN | folded_set(
    "events tech labs removals interiors haulage brothers bros fabrication renovations glazing"
)
# Professional firms are named like shops ("Wright-Okonkwo Architects", "Dunne Solicitors").
_PROFESSIONS_EN = folded_set(
    "architects solicitors accountants surveyors engineers associates consultants agency"
)
# Verbs of employment: "ich arbeite bei X", "I work at X".
_EMPLOYER = re.compile(
    r"(?i:\b(?:arbeite|arbeiten|arbeitet|tätig|angestellt|beschäftigt)\s+(?:bei|für)"
    r"(?:\s+(?:der|dem|einer|einem))?|\b(?:work|works|working|worked|employed)\s+(?:at|for|by))"
    r"\s+(?P<name>[A-ZÄÖÜ][\w&'’-]*(?:\s+[A-ZÄÖÜ][\w&'’-]*){0,2})"
)


def _name_word(token: Token, lex: Lexicon, *, allow_lower: bool) -> bool:
    """Could this token be part of a company or shop name?"""
    if not token.is_word or token.folded in FUNCTION_WORDS:
        return False
    if token.is_capitalised:
        return True
    return allow_lower and not lex.is_stopword(token.folded)


def _legal_names(scan: Scan) -> Iterator[Candidate]:
    text, tokens, lex = scan.text, scan.tokens, scan.lex
    ends = [t.end for t in tokens]
    for match in _LEGAL.finditer(text):
        # Walk back over the name words before the legal form ("Krüger Haustechnik GmbH").
        before = tokens[: bisect_right(ends, match.start())]
        allow_lower = match.group()[0].islower()
        name_tokens: list[Token] = []
        for token in reversed(before):
            between = text[token.end : (name_tokens[0].start if name_tokens else match.start())]
            if between.strip() not in ("", "&", "-", "+") or len(name_tokens) == 4:
                break
            if token.folded in _SHOP_NOUNS_DE and token.folded in ("firma", "fa"):
                break
            if not _name_word(token, lex, allow_lower=allow_lower):
                break
            name_tokens.insert(0, token)
            if token.sentence_start:
                break
        if not name_tokens or all(t.folded in lex.brands for t in name_tokens):
            continue
        # Lower-case "kg"/"ug" is also a unit or a typo: only after a name-like word.
        if match.group() in ("kg", "ug") and any(
            lex.is_everyday_word(t.folded) or t.folded in _QUANTITY_WORDS for t in name_tokens
        ):
            continue
        yield Candidate(EntityType.ORG, name_tokens[0].start, match.end())


def _name_after_shop_noun(scan: Scan, index: int) -> Candidate | None:
    """German order: shop noun, then the name ("Bäckerei Müller", "Fa. Kraus Metallbau")."""
    tokens, lex, text = scan.tokens, scan.lex, scan.text
    token = tokens[index]
    if index + 1 >= len(tokens):
        return None
    first = tokens[index + 1]
    if text[token.end : first.start].strip() not in ("", "."):
        return None
    if not first.is_word or first.is_placeholder:
        return None
    if first.folded in lex.common_nouns or first.folded in lex.brands:
        return None
    if first.folded in FUNCTION_WORDS or (first.is_lower and not lex.is_name(first.folded)):
        return None
    if first.folded in ("dr", "prof"):
        return None  # "Praxis Dr. Weber" is a person; the title rule takes it.
    end = first.end
    if token.folded in ("firma", "fa") and index + 2 < len(tokens):
        second = tokens[index + 2]
        if (
            text[first.end : second.start] == " "
            and second.is_capitalised
            and second.folded not in lex.common_nouns
            and second.folded not in FUNCTION_WORDS
        ):
            end = second.end
    return Candidate(EntityType.ORG, first.start, end)


def _name_before_shop_noun(scan: Scan, index: int) -> Candidate | None:
    """English order: name, then shop noun ("Smith's Hardware", "Blue Door Café")."""
    tokens, lex, text = scan.tokens, scan.lex, scan.text
    token = tokens[index]
    name_tokens: list[Token] = []
    for previous in reversed(tokens[:index]):
        right = name_tokens[0] if name_tokens else token
        if text[previous.end : right.start] != " " or len(name_tokens) == 3:
            break
        if not previous.is_capitalised or previous.folded in FUNCTION_WORDS:
            break
        if (
            previous.folded in lex.brands
            or previous.folded in _SHOP_NOUNS_EN
            or previous.folded in lex.common_nouns
        ):
            break
        name_tokens.insert(0, previous)
        if previous.sentence_start:
            break
    if not name_tokens:
        return None
    lone = name_tokens[0]
    if len(name_tokens) == 1 and lone.sentence_start and lex.is_stopword(lone.folded):
        return None
    _, end = possessive_base(name_tokens[-1])
    # "Smith's Hardware": a capitalised shop noun after a possessive is part of the firm's
    # name, as the markup brief labels it ("Tully's Garage"); "Smith's hardware" stays a shop.
    if end < name_tokens[-1].end and token.is_capitalised:
        end = token.end
    return Candidate(EntityType.ORG, name_tokens[0].start, end)


def _shop_names(scan: Scan) -> Iterator[Candidate]:
    for index, token in enumerate(scan.tokens):
        found: list[Candidate | None] = []
        folded = token.folded
        if folded in _SHOP_NOUNS_DE or (
            token.is_word and len(folded) > 6 and folded.endswith(_SHOP_HEADS_DE)
        ):
            found.append(_name_after_shop_noun(scan, index))
        singular = folded[:-1] if folded.endswith("s") else folded
        # Name-then-noun is English word order; German puts the noun first ("Social Media").
        if (
            scan.language == "en"
            and (folded in _SHOP_NOUNS_EN or singular in _SHOP_NOUNS_EN)
            and token.is_capitalised
            and index > 0
        ):
            found.append(_name_before_shop_noun(scan, index))
        yield from (c for c in found if c is not None)


def _employers(scan: Scan) -> Iterator[Candidate]:
    lex = scan.lex
    for match in _EMPLOYER.finditer(scan.text):
        words = match.group("name").split()
        kept: list[str] = []
        for word in words:
            folded = fold(word)
            if folded in lex.brands or folded in lex.common_nouns or folded in FUNCTION_WORDS:
                break
            if folded in _SHOP_NOUNS_EN or folded in _SHOP_NOUNS_DE:
                break
            kept.append(word)
        if not kept:
            continue
        start = match.start("name")
        end = start + len(" ".join(kept))
        yield Candidate(EntityType.ORG, start, end)


# "works at the blue anchor": a lower-case "the X Y" after a verb of employment or trade.
_LOWER_THE_NAME = re.compile(
    r"\b(?:work|works|working|worked|job|shift|shifts|eat|ate|drink|order|ordered|buy|bought)"
    r"\s+(?:at|for|from)\s+(?P<name>the\s+[a-z]{3,}\s+[a-z]{3,})\b"
)
# "Marston-Webb", "Ashworth-Pryce": two capitalised names joined by a hyphen.
_DOUBLE_NAME = re.compile(r"(?<![\w-])[A-ZÄÖÜ][a-zäöüß']{2,}-[A-ZÄÖÜ][a-zäöüß']{2,}(?![\w-])")


def _lower_the_names(scan: Scan) -> Iterator[Candidate]:
    lex = scan.lex
    for match in _LOWER_THE_NAME.finditer(scan.text):
        words = match.group("name").split()[1:]
        if any(
            lex.is_everyday_word(w)
            or w in _SHOP_NOUNS_EN
            or w.endswith(("al", "ic", "ive", "ous", "ern", "ing", "est", "ly"))
            for w in words
        ):
            continue
        yield Candidate(EntityType.ORG, match.start("name"), match.end("name"))


_TRADE_AFTER = re.compile(r"\s(?P<trade>[A-ZÄÖÜ][^\W\d_]+)(?![\w'’-])")


def _double_names(scan: Scan) -> Iterator[Candidate]:
    """Hyphenated double names: a firm or a person, never an everyday compound."""
    lex = scan.lex
    for match in _DOUBLE_NAME.finditer(scan.text):
        # "Wright-Okonkwo Architects", "Berger-Lutz Haustechnik": a trade word makes it a firm.
        trade = _TRADE_AFTER.match(scan.text, match.end())
        if trade is not None and is_business_noun(fold(trade.group("trade"))):
            yield Candidate(EntityType.ORG, match.start(), trade.end())
            continue
        parts = [fold(p) for p in match.group().split("-")]
        named = [lex.is_name(p) and not lex.is_everyday_word(p) for p in parts]
        if scan.language == "de":
            # German joins nouns with hyphens all the time ("Zoom-Termine"): both must be names.
            if not all(named):
                continue
        elif any(lex.is_everyday_word(p) or p in lex.brands for p in parts):
            continue
        kind = EntityType.PERSON if all(named) else EntityType.ORG
        yield Candidate(kind, match.start(), match.end())


# Generic words that come before a trade word without naming a firm ("web design", "social
# media", "home services"): the lower-case firm rule below never takes them for a name.
_GENERIC_MODIFIERS = folded_set(
    """web home print event events car auto food mobile online pet dog garden house office it
    hair nail nails beauty tech bike photo video music art wedding party fitness yoga dental
    street kitchen shop store family small big local new old good best cheap quick fast
    full part self private public city town village farm country sea lake river corner mass
    news press stock data cloud software hardware app game sport sports team sales
    marketing design ihre unsere meine deine seine eure kleine große neue alte gute"""
)
_ADJECTIVE_ENDINGS = (
    "al",
    "ic",
    "ive",
    "ous",
    "ern",
    "ing",
    "ed",
    "ly",
    "ful",
    "less",
    "able",
    "ig",
    "lich",
    "isch",
    "ische",
    "ischen",
    "liche",
    "lichen",
)
# Trade words that end a firm's name far more often than they are used on their own.
_FIRM_HEADS = folded_set(
    """logistik medien catering events technik reinigung consulting immobilien transporte
    umzüge gastro pflege werbung systeme floristik gebäudetechnik haustechnik messebau
    logistics media consulting solutions services supplies plumbing roofing removals
    landscaping electrics electrical catering brothers bros haulage joinery builders
    decorators motors interiors printing cleaning fabrication renovations glazing couriers
    scaffolding outfitters provisions textiles service bau elektro developments construction"""
)
# "rao electrics", "okafor brothers", "blackthorn media": lower-case name + trade word.
_LOWER_FIRM = re.compile(  # a lookahead, so that every pair of neighbouring words is tried
    r"(?<![\w'’-])(?=(?P<name>[a-zäöüß]{3,})\s+(?P<trade>[a-zäöüß]{3,})(?![\w'’-]))"
)
_INDEFINITE = re.compile(r"(?i)(?<![\w])(?:a|an|ein|eine|einen|einer|einem|some|any)\s+$")
# "hunt's hardware", "pellow's garage": a lower-case possessor before a shop noun.
_LOWER_POSSESSIVE = re.compile(r"(?<![\w-])(?P<name>[a-zäöüß]{3,})['’]s\s+(?P<shop>[a-z]{3,})\b")


_PREPOSITION_BEFORE = re.compile(r"(?i)(?<![\w'’])(?:from|at|to|with|near|for|bei|von|vom)\s+$")
_DETERMINER_BEFORE = re.compile(r"(?i)(?<![\w'’])(?:the|a|an|my|our|your|his|her|their)\s+$")
_GENERIC_SHOPS = folded_set("market markets fair stall")
# Shop nouns that follow a possessive in ordinary speech ("the king's head", "mum's kitchen").
_NOT_SHOPS = folded_set("head kitchen works bar shop store centre center practice studio")


def _lower_case_firms(scan: Scan) -> Iterator[Candidate]:
    lex = scan.lex

    from needfinder.insights.anonymise.recognisers.person import RELATIONS

    def name_like(word: str) -> bool:
        folded = fold(word)
        return not (
            lex.is_everyday_word(folded)
            or folded in RELATIONS
            or folded in _GENERIC_MODIFIERS
            or folded in _SHOP_NOUNS_EN
            or folded in SHOP_NOUNS_DE
            or folded.endswith(_ADJECTIVE_ENDINGS)
        )

    for match in _LOWER_FIRM.finditer(scan.text):
        trade = fold(match.group("trade"))
        before = scan.text[max(0, match.start() - 8) : match.start()]
        if _INDEFINITE.search(before):
            continue  # "a tiffin service", "eine kleine Reinigung": a kind of firm, not its name
        if trade in _FIRM_HEADS and name_like(match.group("name")):
            yield Candidate(EntityType.ORG, match.start("name"), match.end("trade"))
    if "'" in scan.text or "’" in scan.text:
        for match in _LOWER_POSSESSIVE.finditer(scan.text):
            shop = fold(match.group("shop"))
            if shop not in SHOP_NOUNS_EN or shop in _NOT_SHOPS:
                continue
            name = match.group("name")
            # "from hunt's hardware": straight after a preposition, without "the" or "my", an
            # ordinary word before a shop noun is the owner's name ("the farmer's market" is not).
            after_preposition = _PREPOSITION_BEFORE.search(scan.text, 0, match.start())
            owner_word = (
                after_preposition is not None
                and fold(name) not in RELATIONS
                and not name.endswith("s")
                and shop not in _GENERIC_SHOPS
            )
            if _DETERMINER_BEFORE.search(scan.text, 0, match.start()):
                continue  # "the farmer's market", "my mum's kitchen": whose, not a shop's name
            if name_like(name) or owner_word:
                yield Candidate(EntityType.ORG, match.start("name"), match.end("name"))


# A "Firma: …" / "Company: …" line of a signature block names the firm (to the line's end).
_FIRM_LABEL = re.compile(
    r"(?im)^[ \t]*(?:firma|unternehmen|betrieb|company|business|firm)[ \t]*:[ \t]*"
    r"(?P<name>[^\n,;]*[^\W\d_][^\n,;]*?)[ \t.]*$"
)


def _labelled_firms(scan: Scan) -> Iterator[Candidate]:
    """The value of a firm label line, unless it is only ordinary words ("siehe oben")."""
    from needfinder.insights.anonymise.wordfreq import zipf

    lex = scan.lex
    for match in _FIRM_LABEL.finditer(scan.text):
        words = [fold(w) for w in re.findall(r"[^\W\d_]+", match.group("name"))]
        if not words or len(words) > 6:
            continue
        if all(
            zipf(w) >= 3 and not lex.is_name(w) and w not in lex.brands for w in words
        ) and not any(w[:1].isupper() for w in re.findall(r"[^\W\d_]+", match.group("name"))[1:]):
            continue
        yield Candidate(EntityType.ORG, match.start("name"), match.end("name"))


# Inns by their sign: "Gasthof Zur Linde", "Wirtshaus zum Ochsen", "Zum Goldenen Hirsch".
_INN = re.compile(
    r"(?<![\w-])(?:(?:Gasthof|Gasthaus|Wirtshaus|Landgasthof|Hotel|Pension|Brauerei|Restaurant|"
    r"Weinstube|Bierstube|Schänke|Café|Cafe)\s+(?i:zum|zur|zu\s+den|am|an\s+der)\s+"
    r"(?:[A-ZÄÖÜ][a-zäöüß]+e[nmrs]?\s+)?[A-ZÄÖÜ][\wäöüß-]+"
    r"|(?<=\s)Zu(?:m|r)\s+[A-ZÄÖÜ][a-zäöüß]+en\s+[A-ZÄÖÜ][\wäöüß-]+)"
)
# "crumb & co", "Tidy & Co.": a name before "& co".
_AND_CO = re.compile(
    r"(?<![\w&])(?P<name>[^\W\d_][\w'’-]*(?:\s[^\W\d_][\w'’-]*)?)\s?&\s?(?i:co)\b\.?"
)


# English pub signs: "The Rose and Crown", "the Fox & Hounds", "The Plough and Harrow".
_PUB_SIGN = re.compile(
    r"(?<![\w'’])(?:The|the)\s+(?:[A-Z][a-z]+\s+)?[A-Z][a-z]{2,}\s+(?:and|&)\s+[A-Z][a-z]{2,}(?![\w'’])"
)


def _mostly_lower_case(text: str) -> bool:
    """Are fewer than three in five words capitalised (no heading, no shouting)?"""
    words = text.split()
    return sum(w[:1].isupper() for w in words) * 5 < len(words) * 3


def _inns_and_co(scan: Scan) -> Iterator[Candidate]:
    """Inn names by their sign and names before "& co"."""
    text = scan.text
    for match in _INN.finditer(text):
        yield Candidate(EntityType.ORG, match.start(), match.end())
    # Where most words are capitalised (a heading, shouting) the capitals say nothing.
    if scan.language == "en" and _mostly_lower_case(text):
        for match in _PUB_SIGN.finditer(text):
            yield Candidate(EntityType.ORG, match.start(), match.end())
    if "&" in text:
        for match in _AND_CO.finditer(text):
            words = match.group("name").split()
            while words and (
                fold(words[0]) in FUNCTION_WORDS or scan.lex.is_stopword(fold(words[0]))
            ):
                words.pop(0)
            # "use Smith & Co.": a lower-case word before a capitalised name is the sentence.
            if len(words) == 2 and words[0].islower() and words[1][:1].isupper():
                words.pop(0)
            if not words:
                continue
            start = match.end("name") - len(" ".join(words))
            yield Candidate(EntityType.ORG, start, match.end())


# The label before the top-level domain of an e-mail address or web site.
_DOMAIN_LABEL = re.compile(
    r"(?:@|(?<![\w.])www\.|https?://(?:www\.)?)(?P<label>[\w-]{4,})\.[a-z]{2,}", re.IGNORECASE
)
_ADDRESS_LIKE = re.compile(r"\S*(?:@|www\.|https?://)\S*", re.IGNORECASE)
_JOINERS = frozenset((" ", "-", " & ", " and ", " + "))
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _domain_echoes(scan: Scan) -> Iterator[Candidate]:
    """Words that spell a firm's own domain in the same answer ("Harbourmaster Smokehouse …
    accounts@harbourmastersmokehouse.ie"): the address names the business behind the words."""
    from needfinder.insights.anonymise.wordfreq import zipf

    text = scan.text
    labels = {
        fold(m.group("label")).replace("-", "").replace("_", "")
        for m in _DOMAIN_LABEL.finditer(text)
    }
    labels = {label for label in labels - PUBLIC_DOMAINS if len(label) >= 5}
    if not labels:
        return
    blocked = [(m.start(), m.end()) for m in _ADDRESS_LIKE.finditer(text)]
    words = [t for t in scan.tokens if t.is_word and not any(s <= t.start < e for s, e in blocked)]
    for first in range(len(words)):
        spelled = {"", "the"} if words[first].folded != "the" else {""}
        for last in range(first, min(first + 5, len(words))):
            if (
                last > first
                and text[words[last - 1].end : words[last].start].lower() not in _JOINERS
            ):
                break
            word = words[last].text.lower()
            parts = {word.replace("'", "").replace("’", ""), word.translate(_UMLAUTS)}
            spelled = {s + fold(p) for s in spelled for p in parts}
            if not spelled & labels:
                continue
            only = words[first]
            if last == first and (zipf(only.folded) >= 3.5 or only.folded in scan.lex.brands):
                break  # "shop" in "shop.de", a brand: one ordinary word is no firm name
            # "Anna Berger … anna@berger.de": a person's own domain spells a name, not a firm.
            if (last == first and scan.lex.is_name(only.folded)) or (
                last > first
                and scan.lex.is_first_name(words[first].folded)
                and words[last].folded in scan.lex.surnames
            ):
                break
            start = words[first].start
            if (
                first > 0
                and words[first - 1].folded == "the"
                and spelled & {"the" + label for label in labels}
            ):
                start = words[first - 1].start
            yield Candidate(EntityType.ORG, start, words[last].end)
            break


# A firm's name given by a naming verb: "wir heißen zweiradwerk", "our shop is called the
# copper pot", "trading as bright sparks". The name runs to a comma, a full stop or "und/and".
_CALLED_FIRM = re.compile(
    r"(?<![\w'’])(?i:wir\s+hei(?:ß|ss)en|(?:firma|laden|betrieb|geschäft|unternehmen|verein|"
    r"hof|café|cafe|shop|store|business|company|firm|bakery|pub|salon|studio|practice|"
    r"charity)\s+(?:hei(?:ß|ss)t|is\s+called|(?:is\s+)?named)|we(?:'re|’re|\s+are)\s+called|"
    r"trading\s+as|läuft\s+unter)\s+[„\"'‚]?(?P<name>[^\W\d_][\w'’&.+-]*"
    r"(?:[ \t]+(?!(?i:und|and|aber|but|seit|since|aus|from|in|im|mit|with)\b)[\w'’&.+-]+){0,3})"
)


_ARTICLES = folded_set("the der die das den dem")


def _called_firms(scan: Scan) -> Iterator[Candidate]:
    """The name after "wir heißen" / "we're called", unless it starts with an ordinary word of
    the sentence ("wir heißen Sie willkommen", "we're called out at night")."""
    for match in _CALLED_FIRM.finditer(scan.text):
        name = match.group("name").rstrip(".'’\"“”")
        start = match.start("name")
        words = name.split()
        if len(words) > 1 and fold(words[0]) in _ARTICLES:
            start += len(words[0]) + 1
            name = name[len(words[0]) + 1 :].lstrip()
            words = words[1:]
        first = fold(words[0])
        if first in FUNCTION_WORDS or scan.lex.is_stopword(first):
            continue
        if "willkommen" in fold(scan.text[match.end() : match.end() + 40]) or "willkommen" in fold(
            name
        ):
            continue  # "wir heißen die Gäste willkommen"
        yield Candidate(EntityType.ORG, start, start + len(name))


_NAME_WORDS = r"[A-ZÄÖÜ][\w'’&.+-]*(?:[ \t]+(?:und|and|&|[A-ZÄÖÜ][\w'’&.+-]*)){0,3}"
# "Gelbe Gießkanne heißt unser Blumenladen", "Wolle und Wal ist unser Strickcafé": a name
# opening the sentence, then what kind of business of ours it is.
_NAME_IS_OURS = re.compile(
    rf"(?:^|(?<=[.!?\n])|(?<=[.!?]\s))\s*(?P<name>{_NAME_WORDS})\s+"
    r"(?i:heißt|heisst|ist|is|was|war)\s+(?i:unser|unsere|unserer|our|my|mein|meine)\s+"
    r"(?:[a-zäöüß]+\s+)?(?P<noun>[^\W\d_]+)"
)
# "die Kupferkanne, ein kleines café", "Brightwater, a small bakery": a name, then in apposition
# the kind of business it is.
_NAME_APPOSITION = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAME_WORDS}),\s+(?i:ein|eine|einen|einem|a|an)\s+"
    r"(?:[a-zäöüß-]+\s+){0,2}(?P<noun>[^\W\d_]+)"
)


_BUSINESS_HEADS = (*_SHOP_HEADS_DE, "café", "cafe", "bistro")


def is_business_noun(folded: str) -> bool:
    """A word for a kind of business ("Blumenladen", "Strickcafé", "bakery", "Betrieb")."""
    return (
        folded in SHOP_NOUNS_DE
        or folded in SHOP_NOUNS_EN
        or folded in _PROFESSIONS_EN
        or (folded.endswith("s") and folded[:-1] in SHOP_NOUNS_EN)
        or (len(folded) > 6 and folded.endswith(_BUSINESS_HEADS))
    )


def _names_of_businesses(scan: Scan) -> Iterator[Candidate]:
    """A name said to be our business, or followed by the kind of business it is."""
    from needfinder.insights.anonymise.wordfreq import zipf

    lex = scan.lex
    for pattern in (_NAME_IS_OURS, _NAME_APPOSITION):
        for match in pattern.finditer(scan.text):
            if not is_business_noun(fold(match.group("noun"))):
                continue
            words = match.group("name").split()
            while words and (fold(words[0]) in FUNCTION_WORDS or lex.is_stopword(fold(words[0]))):
                words.pop(0)
            folded = [fold(w) for w in words if fold(w) not in ("und", "and", "&")]
            # "Die Bäckerei, ein kleiner Betrieb": only ordinary nouns is no name.
            if not folded or all(
                w in lex.common_nouns
                or w in lex.brands
                or is_business_noun(w)
                or (zipf(w) >= 4 and not lex.is_name(w))
                for w in folded
            ):
                continue
            if len(folded) == 1 and lex.is_first_name(folded[0]):
                continue  # "Anna, eine Kollegin aus dem Laden"
            start = match.end("name") - len(" ".join(words))
            # "Lavendel & Leinen, Wohnaccessoires, ein Laden": an item after a comma describes
            # the name before it.
            if pattern is _NAME_APPOSITION and scan.text[:start].rstrip().endswith(","):
                continue
            yield Candidate(EntityType.ORG, start, match.end("name"))


# "ich hab pixelherz design 2020 gegründet", "wir haben Feldkind 2019 eröffnet": what someone
# founded or opened is a business.
_FOUNDED = re.compile(
    r"(?<![\w'’])(?i:hab|habe|haben|hat|hatte|hatten)\s+(?:(?i:\d{4}|damals|zusammen|selbst)\s+)?"
    r"(?:(?i:die|den|das|meine|meinen|unsere|unseren)\s+)?"
    r"(?P<name>[^\W\d_][\w'’&-]*(?:[ \t]+[^\W\d_][\w'’&-]*){0,2})\s+"
    r"(?:(?i:im\s+\w+\s+)?\d{4}\s+|(?i:vor\s+\d+\s+jahren|damals|zusammen|selbst)\s+)?"
    r"(?i:gegründet|eröffnet|aufgemacht|aufgebaut|übernommen)(?![\w])"
)


def _only_ordinary_words(words: list[str], lex: Lexicon) -> bool:
    """Are all (folded) words nouns, kinds of business or frequent non-names ("den Laden")?"""
    from needfinder.insights.anonymise.wordfreq import form_zipf

    return all(
        w in lex.common_nouns or is_business_noun(w) or (form_zipf(w) >= 3 and not lex.is_name(w))
        for w in words
    )


def _founded_firms(scan: Scan) -> Iterator[Candidate]:
    """The business someone founded or opened, unless it is only ordinary words."""
    lex = scan.lex
    for match in _FOUNDED.finditer(scan.text):
        words = [fold(w) for w in match.group("name").split()]
        if any(w in FUNCTION_WORDS or lex.is_stopword(w) for w in words):
            continue
        # "den Laden 2020 gegründet", "eine Firma übernommen": a kind of business, no name.
        if _only_ordinary_words(words, lex):
            continue
        yield Candidate(EntityType.ORG, match.start("name"), match.end("name"))


# "haben wir bei Pfefferkorn eingekauft", "bei Sonnenhof Reisen gebucht": where one buys, books
# or works is a business.
_BOUGHT_AT = re.compile(
    r"(?<![\w'’])(?i:bei|von)\s+(?P<name>[A-ZÄÖÜ][\w'’&-]+(?:\s+[A-ZÄÖÜ][\w'’&-]+)?)\s+"
    r"(?:[^\W\d_]+\s+){0,2}?"
    r"(?i:eingekauft|gekauft|bestellt|bezogen|geordert|gearbeitet|gelernt|gebucht|"
    r"reserviert|abgeholt|geliefert|beliefert)(?![\w])"
)


def _bought_at(scan: Scan) -> Iterator[Candidate]:
    """The business one bought from, booked with or worked at, unless it is a word or brand."""
    lex = scan.lex
    for match in _BOUGHT_AT.finditer(scan.text):
        words = [fold(w) for w in match.group("name").split()]
        if any(
            w in FUNCTION_WORDS or lex.is_stopword(w) or w in lex.brands for w in words
        ) or _only_ordinary_words(words, lex):
            continue
        # "bei Anna bestellt": a first name alone is a person, the person rules take it.
        if len(words) == 1 and lex.is_first_name(words[0]):
            continue
        yield Candidate(EntityType.ORG, match.start("name"), match.end("name"))


# "c/o werkhof kreuzberg, gneisenaustr. 44": whoever receives the post for the addressee.
_CARE_OF = re.compile(
    r"(?<![\w/])(?i:c/o|c\.o\.)[:\s]\s*"
    r"(?P<name>[^\W\d_][\w'’&.-]*(?:[ \t]+[^\W\d_][\w'’&.-]*){0,3})"
)
_CARE_OF_TITLES = folded_set("herr herrn frau mr mrs ms dr prof familie family")


def _cared_for(scan: Scan) -> Iterator[Candidate]:
    """The name after "c/o": a person for a first and last name, else a firm."""
    lex = scan.lex
    for match in _CARE_OF.finditer(scan.text):
        words = match.group("name").split()
        if fold(words[0].rstrip(".")) in _CARE_OF_TITLES:
            continue  # "c/o Frau Lutz": the title rule takes the person
        kept: list[str] = []
        for word in words:
            folded = fold(word.rstrip("."))
            if folded in FUNCTION_WORDS or lex.is_stopword(folded):
                break
            kept.append(word)
        if not kept:
            continue
        start = match.start("name")
        end = start + len(" ".join(kept))
        person = len(kept) == 2 and lex.is_first_name(fold(kept[0])) and kept[1][:1].isupper()
        yield Candidate(EntityType.PERSON if person else EntityType.ORG, start, end)


# "our biggest competitor Speedy Skips", "Kunde von uns ist Brotzeit Meyer", "supplier Ace
# Fixings": the business partner named right after the word for it.
_PARTNER_FIRM = re.compile(
    r"(?<![\w'’])(?i:competitor|competitors|competition|client|customer|supplier|wholesaler|"
    r"distributor|stockist|subcontract(?:ed|ing)?\s+for|konkurrent|konkurrenz|mitbewerber|"
    r"lieferant|lieferanten|großhändler|grosshändler|kunde|kundin|auftraggeber)\s+"
    r"(?:(?i:is|are|ist|sind|was|war)\s+)?"
    r"(?P<name>[A-ZÄÖÜ][\w'’&.-]*(?:\s+(?:[A-ZÄÖÜ][\w'’&.-]*|&|and|und|of)){0,3})"
)
# A capital "The" inside a sentence opens a name: "a roadie for The Gravel Saints", "stock in
# The Makers' Loft". Regions and seas ("The Hague", "the North East") are left out.
_INNER_THE = re.compile(r"(?<=[a-z,] )The\s+(?P<rest>[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*){0,3})")
_NOT_AFTER_THE = folded_set(
    """north south east west northern southern eastern western midlands highlands lake lakes
    hague netherlands uk us usa states city council government internet weekend morning"""
)


def _partner_firms(scan: Scan) -> Iterator[Candidate]:
    """Names after "competitor"/"Kunde"/"supplier", and names after an inner capital "The"."""
    lex = scan.lex
    for match in _PARTNER_FIRM.finditer(scan.text):
        words = match.group("name").split()
        while words and fold(words[-1]) in ("&", "and", "und", "of"):
            words.pop()
        folded = [fold(w) for w in words]
        if not folded or folded[0] in lex.brands or folded[0] in FUNCTION_WORDS:
            continue
        if lex.is_stopword(folded[0]) or all(w in lex.common_nouns for w in folded):
            continue
        person = len(folded) == 2 and lex.is_first_name(folded[0]) and folded[1] in lex.surnames
        kind = EntityType.PERSON if person else EntityType.ORG
        start = match.start("name")
        yield Candidate(kind, start, start + len(" ".join(words)))
    if scan.language == "en":
        for match in _INNER_THE.finditer(scan.text):
            words = match.group("rest").split()
            if fold(words[0]) in _NOT_AFTER_THE or fold(words[0]) in lex.brands:
                continue
            yield Candidate(EntityType.ORG, match.start(), match.end())


def find_organisations(scan: Scan) -> Iterator[Candidate]:
    """Company and shop names found by legal form, shop noun or employment verb."""
    yield from _lower_case_firms(scan)
    yield from _called_firms(scan)
    yield from _names_of_businesses(scan)
    yield from _founded_firms(scan)
    yield from _partner_firms(scan)
    if scan.language == "de":
        yield from _bought_at(scan)
    if "c/o" in scan.text.lower() or "c.o." in scan.text.lower():
        yield from _cared_for(scan)
    yield from _inns_and_co(scan)
    if ":" in scan.text:
        yield from _labelled_firms(scan)
    yield from _legal_names(scan)
    yield from _shop_names(scan)
    yield from _employers(scan)
    if "-" in scan.text:
        yield from _double_names(scan)
    if "the " in scan.text:
        yield from _lower_the_names(scan)
    if "@" in scan.text or "www." in scan.text or "://" in scan.text:
        yield from _domain_echoes(scan)
