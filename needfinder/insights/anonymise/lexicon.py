"""Word lists the recognisers consult, loaded lazily once per process from package data.

First names come from the name dictionary shipped inside the ``gender-guesser`` wheel
(Jörg Michael's ``nam_dict.txt``, GFDL; read in place, not redistributed): about 45,000 names
with a popularity figure per country. Everything else is a small curated list under ``data/``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Column index of a country in nam_dict.txt (0 = Great Britain ... 54 = other countries).
# Customers of a German or English-speaking organisation carry names from all of these.
_NAME_COUNTRIES = {
    "great_britain": 0,
    "ireland": 1,
    "usa": 2,
    "italy": 3,
    "portugal": 5,
    "spain": 6,
    "france": 7,
    "the_netherlands": 10,
    "germany": 12,
    "austria": 13,
    "swiss": 14,
    "denmark": 16,
    "sweden": 18,
    "poland": 23,
    "czech_republic": 24,
    "hungary": 26,
    "romania": 27,
    "bulgaria": 28,
    "bosnia": 29,
    "croatia": 30,
    "kosovo": 31,
    "serbia": 34,
    "albania": 36,
    "greece": 37,
    "russia": 38,
    "ukraine": 41,
    "turkey": 46,
    "arabia": 47,
    "israel": 48,
    "china": 49,
    "india": 50,
    "vietnam": 53,
    "other_countries": 54,
}
# A first name standing alone (no "Herr", no "my colleague") is taken as a person only if it is
# at least this common in one of the countries above (nam_dict scale 1 = rare ... 13 = very common).
# Lower-case words collide with rare names far more often ("run", "can"), so they need more.
STANDALONE_NAME_FREQUENCY = 3
LOWERCASE_NAME_FREQUENCY = 5


def fold(word: str) -> str:
    """Lower-case and strip accents so that "Yılmaz", "YILMAZ" and "yilmaz" compare equal."""
    if word.isascii():
        return word.lower()
    lowered = word.casefold().replace("ı", "i").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def word_list(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a literal (keeps long word lists readable)."""
    return tuple(text.split())


def folded_set(words: str) -> frozenset[str]:
    """A set of whitespace-separated words in the folded form tokens are compared in."""
    return frozenset(fold(word) for word in words.split())


# Closed-class words (articles, pronouns, prepositions, conjunctions, auxiliaries). A name never
# is one of these, whatever its case ("Frau Die" does not happen; "Frau Lange" does).
FUNCTION_WORDS = folded_set(
    """
    der die das den dem des ein eine einer einem einen eines kein keine und oder aber sondern
    denn doch mit von vom zu zum zur im in ins am an ans auf aus bei beim für über unter vor
    nach seit bis durch gegen ohne um als wie wenn weil dass ob ist war sind waren hat hatte
    haben hatten wird wurde werden bin bist sein seine seiner seinem seinen ihr ihre ihrer
    ihrem ihren ihnen ihm ihn sie er es wir ich du mir mich dir dich uns euch euer eure mein
    meine meiner meinem meinen dein deine unser unsere unserem unseren unserer dies diese
    dieser dieses diesem diesen jener man auch nicht noch schon sehr nur so da hier dort
    the a an and or but nor of to in on at by for with from into onto about as than then
    is was are were be been being has have had do does did will would shall should can
    could may might must i you he she it we they me him her us them my your his its our
    their this that these those who whom whose which what when where why how not no yes
    """
)


def _read_list(name: str) -> frozenset[str]:
    text = (
        resources.files("needfinder.insights.anonymise")
        .joinpath("data")
        .joinpath(name)
        .read_text("utf-8")
    )
    words: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.casefold())
            words.add(fold(line))
    return frozenset(words)


def _frequency(char: str) -> int:
    if char == " ":
        return 0
    try:
        return int(char, 16)
    except ValueError:
        return 0


def _read_first_names() -> dict[str, int]:
    """Parse nam_dict.txt into {folded first name: highest popularity in our countries}."""
    data = resources.files("gender_guesser").joinpath("data").joinpath("nam_dict.txt")
    names: dict[str, int] = {}
    columns = tuple(_NAME_COUNTRIES.values())
    with data.open("r", encoding="utf-8") as handle:
        for line in handle:
            # "#" comments, "=" equivalences; a "+" in column 30 marks a duplicate line that
            # only differs in umlaut sorting (see the file's header).
            if not line or line[0] in "#=" or len(line) < 31 or line[29] == "+":
                continue
            raw = line[3:29].strip()
            frequencies = line[30:]
            score = max(
                (_frequency(frequencies[i]) for i in columns if i < len(frequencies)),
                default=0,
            )
            # "Jun+Wei" stands for "Jun-Wei", "Jun Wei" and "Junwei"; keep the one-token forms.
            variants = (raw.replace("+", ""), raw.replace("+", "-")) if "+" in raw else (raw,)
            for variant in variants:
                if " " in variant:
                    continue
                key = fold(variant)
                if score > names.get(key, -1):
                    names[key] = score
    return names


@dataclass(frozen=True, slots=True)
class Lexicon:
    """All word lists, folded (see :func:`fold`) for lookup."""

    first_names: dict[str, int]
    surnames: frozenset[str]
    ambiguous: frozenset[str]
    stopwords_de: frozenset[str]
    stopwords_en: frozenset[str]
    common_nouns: frozenset[str]
    brands: frozenset[str]
    # First names that are also lower-case dictionary words ("line", "van", "run").
    name_words: frozenset[str]

    def is_first_name(
        self, folded: str, *, standalone: bool = False, lower_case: bool = False
    ) -> bool:
        """Return True if ``folded`` is a first name (common enough to stand alone if asked)."""
        score = self.first_names.get(folded)
        if score is None:
            return False
        if not standalone:
            return True
        return score >= (LOWERCASE_NAME_FREQUENCY if lower_case else STANDALONE_NAME_FREQUENCY)

    def is_name(self, folded: str) -> bool:
        """Return True for a known first name or surname."""
        return folded in self.first_names or folded in self.surnames

    def is_stopword(self, folded: str) -> bool:
        """Return True for a German or English stop word."""
        return folded in self.stopwords_de or folded in self.stopwords_en

    def is_everyday_word(self, folded: str) -> bool:
        """Return True if the word has a common non-name reading (stop word, noun, brand...)."""
        return (
            folded in self.ambiguous
            or folded in FUNCTION_WORDS
            or self.is_stopword(folded)
            or folded in self.common_nouns
            or folded in self.brands
        )


@cache
def lexicon() -> Lexicon:
    """Load the lexicon on first use; later calls return the same object."""
    return Lexicon(
        first_names=_read_first_names(),
        surnames=_read_list("surnames.txt"),
        ambiguous=_read_list("ambiguous_names.txt") | _read_list("ambiguous_words.txt"),
        stopwords_de=_read_list("stopwords_de.txt"),
        stopwords_en=_read_list("stopwords_en.txt"),
        common_nouns=_read_list("common_nouns.txt"),
        brands=_read_list("brands.txt"),
        name_words=_read_list("name_words_lower.txt"),
    )
