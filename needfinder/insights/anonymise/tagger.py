"""A statistical tagger (linear-chain CRF over token features) for names, firms and addresses.

The rule-based recognisers know the phrasings they were written for; the tagger generalises
from a labelled training set (``data/train_set.jsonl`` plus the hand-labelled ``eval_set``)
to the phrasings nobody wrote a rule for: a lower-case "wir sind nordlicht medien", a nickname
after "Bin", a surname that is an ordinary word after "der". Its spans compete with the rules'
in :func:`~needfinder.insights.anonymise.resolve.resolve`; checksums, phone parsing and contact
patterns stay rule-based.

The model (``data/tagger.crfsuite``, a few hundred kB) ships in the package and is loaded on
first use, once per process, from the package files: nothing is downloaded.
``scripts/train_anonymiser.py`` rebuilds it with :func:`train`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from needfinder.insights.anonymise.lexicon import FUNCTION_WORDS, Lexicon, fold, folded_set, lexicon
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan
from needfinder.insights.anonymise.wordfreq import buckets, german_form_zipf, noun_zipf, zipf

MODEL_NAME = "tagger.crfsuite"
# Tag stems of the model and the entity types they stand for.
LABELS: dict[str, EntityType] = {
    "PER": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "ADDR": EntityType.ADDRESS,
    "ID": EntityType.ID,
    "PHONE": EntityType.PHONE,
    "DOB": EntityType.DATE_OF_BIRTH,
}
_STEM = {entity: stem for stem, entity in LABELS.items()}
# Training parameters; fixed so that a rebuild from the same set gives the same model.
TRAIN_PARAMS: dict[str, Any] = {
    "c1": 0.1,
    "c2": 0.01,
    "max_iterations": 200,
    "feature.possible_transitions": True,
    "feature.minfreq": 1,
}

# Words, numbers with inner separators ("V-050178", "12.03.1980"), an English possessive on its
# own (so that "Donnelly's" tags "Donnelly" only), and single punctuation marks.
_TOKEN = re.compile(r"\w+(?:[-./]\w+|['’](?![sS]\b)\w+)*|['’][sS]\b|[^\w\s]")
_SHAPE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ" + "abcdefghijklmnopqrstuvwxyzäöüß" + "0123456789",
    "X" * 29 + "x" * 30 + "d" * 10,
)
_SQUEEZE = re.compile(r"(.)\1+")
_SENTENCE_END = frozenset(".!?\n:;")

# Word features are computed once per distinct word and reused; the cache is bounded.
_CACHE_LIMIT = 60_000
_word_cache: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {}


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every token the tagger looks at."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


@cache
def _trade_words() -> tuple[frozenset[str], tuple[str, ...]]:
    from needfinder.insights.anonymise.recognisers import organisation

    nouns = organisation.SHOP_NOUNS_DE | organisation.SHOP_NOUNS_EN
    return nouns, organisation.SHOP_HEADS_DE


def _not_a_surname(folded: str) -> bool:
    """A lower-case word that goes on the sentence rather than the name ("gekauft", "die")."""
    lex = lexicon()
    return (
        folded in FUNCTION_WORDS
        or lex.is_stopword(folded)
        or folded in lex.common_nouns
        or (folded.endswith(("t", "en")) and folded not in lex.surnames)
    )


def _plain_word(folded: str, lex: Lexicon) -> bool:
    """A frequent word that is no known name (nor a name particle)."""
    return (
        zipf(folded) >= COMMON_WORD_ZIPF + 1
        and not lex.is_name(folded)
        and folded not in _NAME_PARTICLES
        and folded not in _NAME_TAILS
    )


@cache
def _roles() -> frozenset[str]:
    from needfinder.insights.anonymise.recognisers import person

    return person.RELATIONS


def _persons_verb_after(text: str, end: int) -> bool:
    from needfinder.insights.anonymise.recognisers import person

    return person.followed_by_a_persons_verb(text, end)


@cache
def _title_roles() -> frozenset[str]:
    from needfinder.insights.anonymise.recognisers import person

    return person.TITLE_ROLES


def _is_trade_word(folded: str) -> bool:
    """A kind of business ("logistik", "catering", "bäckerei"): firm names end in these."""
    nouns, heads = _trade_words()
    return folded in nouns or (len(folded) > 6 and folded.endswith(heads))


def _word_features(
    word: str, lex: Lexicon
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(own features, as left neighbour, as right neighbour, two left, two right)."""
    cached = _word_cache.get(word)
    if cached is not None:
        return cached
    folded = fold(word)
    shape = _SQUEEZE.sub(r"\1", word.translate(_SHAPE))
    if len(shape) > 6:
        shape = shape[:6]
    own = [
        "w=" + folded,
        "s3=" + folded[-3:],
        "s4=" + folded[-4:],
        "p3=" + folded[:3],
        "sh=" + shape,
    ]
    flags: list[str] = []
    if word[:1].isupper():
        flags.append("cap")
    if word.isupper() and len(word) > 1:
        flags.append("upper")
    digits = sum(ch.isdigit() for ch in word)
    if digits:
        flags.append(f"d{min(digits, 12)}")
        if digits != len(word):
            flags.append("alnum")
    else:
        score = lex.first_names.get(folded)
        if score is not None:
            flags.append("fn" if score >= 5 else "fn_rare")
        if folded in lex.surnames:
            flags.append("sn")
        if folded in FUNCTION_WORDS or lex.is_stopword(folded):
            flags.append("stop")
        elif folded in lex.common_nouns or folded in lex.ambiguous:
            flags.append("noun")
        if folded in lex.brands:
            flags.append("brand")
        if _is_trade_word(folded):
            flags.append("trade")
        if word.isalpha() and (not flags or flags == ["cap"]):
            # In no word list at all: rare names and invented firm words look like this.
            flags.append("oov")
        # How common the word is in each language: a frequent word that is no known name is
        # an ordinary noun far more often than a name, whatever its case or position.
        de, en = buckets(folded)
        flags.append(f"zde{de}")
        flags.append(f"zen{en}")
        if not de and not en and word.isalpha():
            # An unlisted German compound or inflection of a frequent noun ("Zoobedarf").
            flags.append(f"nz{noun_zipf(folded)}")
        if max(de, en) >= COMMON_WORD_ZIPF and folded not in lex.first_names:
            flags.append("common")
        flags.append(f"len{min(len(word), 10)}")
    own.extend(flags)
    short = [f for f in flags if not f.startswith("len")]
    left = ["-1w=" + folded, "-1sh=" + shape] + ["-1" + f for f in short]
    right = ["+1w=" + folded, "+1sh=" + shape] + ["+1" + f for f in short]
    left2 = ["-2w=" + folded]
    right2 = ["+2w=" + folded]
    entry = (own, left, right, left2, right2)
    if len(_word_cache) >= _CACHE_LIMIT:
        _word_cache.clear()
    _word_cache[word] = entry
    return entry


def features(text: str, tokens: Sequence[tuple[int, int, str]]) -> list[list[str]]:
    """The feature strings of every token (words, shapes, word-list flags, neighbours)."""
    lex = lexicon()
    entries = [_word_features(word, lex) for _, _, word in tokens]
    out: list[list[str]] = []
    last = len(tokens) - 1
    for index, (start, _, _) in enumerate(tokens):
        entry = entries[index]
        row = ["b", *entry[0]]
        if index == 0:
            row.append("BOS")
        else:
            previous = tokens[index - 1]
            row.extend(entries[index - 1][1])
            between = text[previous[1] : start]
            if "\n" in between:
                row.append("nl")
            if previous[2] in _SENTENCE_END or "\n" in between:
                row.append("sstart")
            if index > 1:
                row.extend(entries[index - 2][3])
                row.append("-1|0=" + entries[index - 1][0][0][2:] + "|" + entry[0][0][2:])
                # The two words before: "ich heiße", "wir sind", "name is", "work at".
                row.append(
                    "-2|-1=" + entries[index - 2][0][0][2:] + "|" + entries[index - 1][0][0][2:]
                )
        if index == last:
            row.append("EOS")
        else:
            row.extend(entries[index + 1][2])
            if index + 1 < last:
                row.extend(entries[index + 2][4])
                # The two words after: "mein Name", "to friends", "und ich".
                row.append(
                    "+1|+2=" + entries[index + 1][0][0][2:] + "|" + entries[index + 2][0][0][2:]
                )
        out.append(row)
    return out


def bio_labels(
    tokens: Sequence[tuple[int, int, str]], spans: Iterable[tuple[EntityType, int, int]]
) -> list[str]:
    """BIO tags of the tokens for labelled spans (types the tagger does not learn are O)."""
    labels = ["O"] * len(tokens)
    for entity, start, end in spans:
        stem = _STEM.get(entity)
        if stem is None:
            continue
        inside = False
        for index, (token_start, token_end, _) in enumerate(tokens):
            if token_start >= start and token_end <= end:
                labels[index] = ("I-" if inside else "B-") + stem
                inside = True
    return labels


def spans_from_labels(
    tokens: Sequence[tuple[int, int, str]], labels: Sequence[str]
) -> list[tuple[EntityType, int, int]]:
    """Turn BIO tags back into (type, start, end) spans."""
    spans: list[tuple[EntityType, int, int]] = []
    current: list[Any] | None = None
    for (start, end, _), label in zip(tokens, labels, strict=True):
        if label == "O":
            current = None
            continue
        stem = label[2:]
        if label.startswith("I-") and current is not None and current[0] == stem:
            current[2] = end
            spans[-1] = (LABELS[stem], current[1], end)
            continue
        current = [stem, start, end]
        spans.append((LABELS[stem], start, end))
    return spans


def train(
    examples: Iterable[tuple[str, Sequence[tuple[EntityType, int, int]]]],
    path: Path,
    params: dict[str, Any] | None = None,
) -> Path:
    """Train a model on (text, labelled spans) pairs and write it to ``path``.

    The algorithm (L-BFGS) is deterministic: the same examples give the same model.
    """
    import pycrfsuite  # imported here so that importing the anonymiser stays cheap

    trainer = pycrfsuite.Trainer(verbose=False)
    for text, spans in examples:
        tokens = tokenize(text)
        if tokens:
            trainer.append(features(text, tokens), bio_labels(tokens, spans))
    trainer.set_params(params or TRAIN_PARAMS)
    trainer.train(str(path))
    return path


def shipped_model_path() -> Path:
    """Where the shipped model lives inside the installed package."""
    return Path(
        str(resources.files("needfinder.insights.anonymise").joinpath("data").joinpath(MODEL_NAME))
    )


class Tagger:
    """A loaded model; :meth:`spans` tags one text. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        import pycrfsuite

        if not path.is_file():
            raise FileNotFoundError(f"anonymiser model missing: {path}")
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self._lock = threading.Lock()
        self.labels: tuple[str, ...] = tuple(self._tagger.labels())

    def entity_probabilities(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, probability that the token is part of any entity) per token."""
        tokens = tokenize(text)
        if not tokens:
            return []
        xseq = features(text, tokens)
        with self._lock:
            self._tagger.tag(xseq)
            outside = [self._tagger.marginal("O", index) for index in range(len(tokens))]
        return [(start, end, 1.0 - p) for (start, end, _), p in zip(tokens, outside, strict=True)]

    def spans(self, text: str) -> list[tuple[EntityType, int, int]]:
        """Tagged (type, start, end) spans of ``text``."""
        return [(entity, start, end) for entity, start, end, _ in self.scored_spans(text)]

    def scored_spans(self, text: str) -> list[tuple[EntityType, int, int, float]]:
        """Tagged spans with the model's confidence (lowest marginal of their tokens)."""
        tokens = tokenize(text)
        if not tokens:
            return []
        xseq = features(text, tokens)
        all_lower = text.islower()
        with self._lock:  # a crfsuite tagger keeps per-call state
            labels = self._tagger.tag(xseq)
            if all(label == "O" for label in labels):
                return []
            marginals = [
                self._tagger.marginal(label, index) if label != "O" else 1.0
                for index, label in enumerate(labels)
            ]
        scored = []
        for entity, start, end in spans_from_labels(tokens, labels):
            inside = [
                (s, e, word, m)
                for (s, e, word), m in zip(tokens, marginals, strict=True)
                if s >= start and e <= end
            ]
            # Trim unsure edge tokens and, for people, a leading title ("Herrn").
            while len(inside) > 1 and (
                inside[0][3] < EDGE_CONFIDENCE
                or (entity is EntityType.PERSON and fold(inside[0][2]) in TITLE_WORDS)
                or not inside[0][2][0].isalnum()
            ):
                inside.pop(0)
            while len(inside) > 1 and (
                inside[-1][3] < EDGE_CONFIDENCE or not inside[-1][2][-1].isalnum()
            ):
                inside.pop()
            if entity is EntityType.PERSON:
                # Roles are never part of a name ("Inhaber", "Kollege", "Fahrer").
                roles = _roles()
                while inside and fold(inside[0][2]) in roles:
                    inside.pop(0)
                while inside and fold(inside[-1][2]) in roles:
                    inside.pop()
                # A frequent word that is no name at either end is the sentence going on
                # ("marias Tipp", "Jan ruft").
                lex = lexicon()
                # Two capitalised words stay together ("Aleksander Sonne").
                while (
                    len(inside) > 1
                    and _plain_word(fold(inside[-1][2]), lex)
                    and not (inside[-1][2][:1].isupper() and inside[-2][2][:1].isupper())
                ):
                    inside.pop()
                while (
                    len(inside) > 1
                    and _plain_word(fold(inside[0][2]), lex)
                    and not (inside[0][2][:1].isupper() and inside[1][2][:1].isupper())
                ):
                    inside.pop(0)
                if not inside or fold(inside[0][2]) in TITLE_WORDS:
                    continue
            if entity in (EntityType.PERSON, EntityType.ORG) and not all_lower:
                # In a text that uses capitals, a lower-case tail after a capitalised name is
                # the sentence going on ("bei Vergölst gekauft"), unless it is a legal form.
                while (
                    len(inside) > 1
                    and inside[-1][2].islower()
                    and inside[-2][2][:1].isupper()
                    and fold(inside[-1][2]) not in _NAME_TAILS
                    # "Mark schwab": a lower-case surname may follow; a verb or noun may not.
                    and (entity is EntityType.ORG or _not_a_surname(fold(inside[-1][2])))
                ):
                    inside.pop()
                # ... and so is a lower-case word before it ("hilft Kiebitzhof Logistik").
                while (
                    len(inside) > 1
                    and inside[0][2].islower()
                    and inside[1][2][:1].isupper()
                    and fold(inside[0][2]) not in _NAME_PARTICLES
                    and (entity is EntityType.ORG or _not_a_surname(fold(inside[0][2])))
                ):
                    inside.pop(0)
            confidence = min(token[3] for token in inside)
            scored.append((entity, inside[0][0], inside[-1][1], confidence))
        return scored


@cache
def shipped_tagger() -> Tagger:
    """The shipped model, loaded on first use and kept for the process."""
    return Tagger(shipped_model_path())


_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
# A tagged span this confident may replace shorter rule spans inside it; the candidate carries
# this marker as its key until the Anonymiser has decided (see anonymiser._fill_gaps).
TAGGER_OVERRIDE_CONFIDENCE = "\x00confident"
OVERRIDE_CONFIDENCE = 0.9
# A likely span (at least this sure) may still lengthen a rule's span of the same type.
TAGGER_LIKELY_CONFIDENCE = "\x00likely"
LIKELY_CONFIDENCE = 0.5
# Edge tokens less sure than this are trimmed off a tagged span ("Herrn Klein" -> "Klein").
EDGE_CONFIDENCE = 0.6
TITLE_WORDS = folded_set(
    "herr herrn frau hr fr dr prof mr mrs ms miss mx mister sir madam dear liebe lieber hallo "
    "hi hey hello servus moin grüezi gruezi griaß grüß ciao salut"
)
# Dates of birth are years a customer can have been born in.
_BIRTH_YEAR = re.compile(r"(?<!\d)(19[2-9]\d|200\d|201[0-2]|[2-9]\d)(?!\d)\s*$")
# Lower-case words that may end a capitalised firm name ("Krüger gmbh", "Hartley and sons").
_NAME_TAILS = folded_set("gmbh kg ug ag ohg gbr mbh llc ltd inc plc llp limited sons söhne co")
_CALENDAR = folded_set(
    """january february march april may june july august september october november december
    januar februar märz juni juli oktober dezember monday tuesday wednesday thursday friday
    saturday sunday montag dienstag mittwoch donnerstag freitag samstag sonntag"""
)
# Lower-case words that may open a name ("van Dijk", "von Bülow").
_NAME_PARTICLES = folded_set("van von de der den da di du le la ten ter zu al el bin ibn")
_NOT_A_NAME = re.compile(r"[@/]|\w\.[a-z]{2,4}\b|\d")
# Confidence a one-word name needs when the word also has an everyday reading or is lower-case.
EVERYDAY_WORD_CONFIDENCE = 0.7


# A word at least this frequent (Zipf bucket, German or English) reads as an ordinary word.
COMMON_WORD_ZIPF = 3
# ... unless the model is at least this sure (nicknames in a "(X to friends)" frame).
COMMON_WORD_CONFIDENCE = 0.9
_PREVIOUS_WORD = re.compile(r"(\w+)\W*$")


def _frequent_words_only(
    words: Sequence[str], lex: Lexicon, text: str, start: int, confidence: float
) -> bool:
    """Are all words frequent non-names, with no title or role right before them?

    Frequent words that are also names stay the model's call: a known first name always, a
    surname that is a word ("Sauer", "Klein") when the model is sure.
    """
    for word in words:
        if word in _NAME_PARTICLES:
            continue
        # An inflected form or compound of frequent words ("Hausärzten", "Zoobedarf") counts.
        if noun_zipf(word) < COMMON_WORD_ZIPF or word in lex.first_names:
            return False
        # A possessive without its apostrophe ("sallys salon") is the name's, not a plural.
        if word.endswith("s") and word[:-1] in lex.first_names:
            return False
        if word in lex.surnames and confidence >= EVERYDAY_WORD_CONFIDENCE:
            return False
    previous = _PREVIOUS_WORD.search(text, max(0, start - 30), start)
    if previous is not None:
        before = fold(previous.group(1))
        if before in TITLE_WORDS or before in _roles():
            return False
    return True


# Greetings in other languages and dialects, and the words that follow them ("Grüezi mitenand",
# "Servus beinand", "Moin Lüüt", "Selam"): never names on their own, though they start answers
# in the place a name often stands.
_GREETING_WORDS = folded_set(
    """selam merhaba salam salaam chào xin chao hola ola olá ciao salut bonjour hej hejsa hoi
    hoj sali moin moinsen servus grüezi gruezi griaß griass grüß gruß gott mitenand mitanand
    mitnand beinand beianand zäme zamm allerseits lüüt lüt leit leute abig obend morge mörgeli
    tach tagchen howdy folks y'all yall cheers mia san mir sind wir händ hend
    """
)
# Idioms whose second word is also a first name ("im Ernst"): the word after them is no name.
_CODE_MARKS = frozenset("=<>{}[]/\\_@|")
_IDIOM_BEFORE = re.compile(r"\b(?:im|ins)\s*$", re.IGNORECASE)


# A tagged date near a founding or hiring word is no date of birth ("gegründet am 3. Mai 1987").
_NOT_BIRTH_CUE = re.compile(
    r"gegründet|gründung|founded|established|eröffnet|opened|seit|since|eingestellt|hired|"
    r"übernommen|took over|angefangen|started|meister|ernannt|appointed",
    re.IGNORECASE,
)
_BIRTH_CUE = re.compile(r"geb|born|birth|d\.?o\.?b", re.IGNORECASE)
# An address has a street word, a postcode (four or five digits) or a UK/Irish postcode shape.
_ADDRESS_SHAPE = re.compile(
    r"\d{4,5}|[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}\b"
    r"|(?:stra(?:ß|ss)e|str\.?|gasse|allee|platz|ring|damm|ufer|chaussee|pfad|markt|graben|"
    r"hof|zeile|promenade|park|garten|feld|berg|kai|hafen|heide|winkel)\b"
    r"|\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|"
    r"pl|terrace|close|crescent|square|parkway|highway|row|gardens|grove|mews|walk|hill)\b",
    re.IGNORECASE,
)
# Numbers that count something ("60 km", "80 qm", "30 miles") are no house numbers.
_COUNT = re.compile(
    r"\d+\s*(?:km|m|qm|m²|m2|kg|t|l|h|std|min|%|€|euro|miles?|mi|sq|ft|stunden|hours?|"
    r"leute|people|minuten|minutes|uhr)(?!\w)",
    re.IGNORECASE,
)
_NUMBER_THEN_WORD = re.compile(r"\d+\s+([^\W\d_]+)")


def _address_shaped(value: str, lex: Lexicon) -> bool:
    """Does a tagged address look like one (street word, postcode or a street-like name)?"""
    if _COUNT.search(value):
        return False
    if _ADDRESS_SHAPE.search(value):
        return True
    # "5 Gesellen, 2 Azubis": a number before a frequent word that is no name counts things.
    for match in _NUMBER_THEN_WORD.finditer(value):
        word = fold(match.group(1))
        if zipf(word) >= COMMON_WORD_ZIPF and not lex.is_name(word):
            return False
    return len(re.findall(r"[^\W\d_]{2,}", value)) >= 2


_INNER_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def _split_at_verbs(
    spans: Iterable[tuple[EntityType, int, int, float]], text: str
) -> Iterator[tuple[EntityType, int, int, float]]:
    """Split a name span at a frequent lower-case word between capitalised names.

    "Sturmwerk Medien hilft Kiebitzhof Logistik" is two firms and a verb, whatever the model
    says; connectors ("und", "of", "von") stay inside ("Harper and Sons").
    """
    for entity, start, end, confidence in spans:
        if entity not in (EntityType.PERSON, EntityType.ORG):
            yield entity, start, end, confidence
            continue
        words = list(_INNER_WORD.finditer(text, start, end))
        piece_start = start
        for index, word in enumerate(words[1:-1], start=1):
            value = word.group()
            if (
                value.islower()
                and fold(value) not in FUNCTION_WORDS
                and zipf(fold(value)) >= COMMON_WORD_ZIPF
                and any(w.group()[0].isupper() for w in words[:index] if w.start() >= piece_start)
                and any(w.group()[0].isupper() for w in words[index + 1 :])
            ):
                yield entity, piece_start, words[index - 1].end(), confidence
                piece_start = words[index + 1].start()
        yield entity, piece_start, end, confidence


def find_tagged(scan: Scan) -> Iterator[Candidate]:
    """Recogniser: the spans the shipped model tags, with a few sanity checks."""
    yield from tagged_candidates(scan, shipped_tagger())


# A name from the word lists alone ("Kent", "Major", "Victoria") is kept only where the model
# gives its words at least this probability of being part of a name or firm: the lists know
# words, the model knows the sentence ("in Kent", "Major issue", "Victoria sponge").
LISTED_NAME_PROBABILITY = 0.2


def vouched_listed_names(
    scan: Scan, listed: Sequence[Candidate], tagged: Sequence[Candidate]
) -> Iterator[Candidate]:
    """The list-only name candidates that the shipped model does not contradict."""
    probabilities: list[tuple[int, int, float]] | None = None
    for candidate in listed:
        words = re.findall(r"[^\W\d_]+", scan.text[candidate.start : candidate.end])
        if words and _place_holiday_or_role(
            words, scan.text, candidate.start, candidate.end, scan.lex
        ):
            continue
        if any(t.start < candidate.end and candidate.start < t.end for t in tagged):
            yield candidate
            continue
        # "when Andy retired": what follows says it is a person, whatever the model thinks.
        if scan.language == "en" and _persons_verb_after(scan.text, candidate.end):
            yield candidate
            continue
        if probabilities is None:
            probabilities = shipped_tagger().entity_probabilities(scan.text)
        inside = [p for s, e, p in probabilities if s < candidate.end and candidate.start < e]
        if inside and max(inside) >= LISTED_NAME_PROBABILITY:
            yield candidate


# "in Kent", "near Chester", "nahe Kassel": after these a capitalised word is a place, not a
# person ("in Anna's shop" keeps its possessive, so it stays a name).
_PLACE_BEFORE = re.compile(r"(?<![\w'’])(?i:in|near|around|across|outside|nahe|rund\s+um)\s+$")
# "Valentine's Day", "St Patrick's Day", "Mother's Day", "King's Birthday": days named after
# people are dates.
_DAY_AFTER = re.compile(
    r"(?:['’]?s)?\s+(?i:day|eve|night|birthday|weekend)\b|['’]s\s+(?:and|&)\s+\w+['’]s\s+(?i:day)\b"
)
# "General Manager", "Finance Manager", "Head Chef": a job title, whoever holds it.
_ROLE_HEADS = folded_set(
    """manager managerin director direktor officer assistant coordinator supervisor consultant
    chef engineer executive team service department leiter leiterin"""
)


def _place_holiday_or_role(
    raw: Sequence[str], text: str, start: int, end: int, lex: Lexicon
) -> bool:
    """Is a tagged name a place after "in", a holiday, or a job title?"""
    if _DAY_AFTER.match(text, end) or fold(raw[-1]) in ("day", "tag"):
        return True
    if len(raw) >= 2 and fold(raw[-1]) in _ROLE_HEADS:
        return True
    return (
        len(raw) <= 2
        and _PLACE_BEFORE.search(text, max(0, start - 12), start) is not None
        and text[end : end + 1] not in ("'", "’")
        and not (len(raw) == 2 and lex.is_first_name(fold(raw[0])))
    )


_POSSESSIVE_NOUN = re.compile(r"['’]s\s([^\W\d_]+)")
# What a person or firm has rather than what a firm is called ("Efua's email", "Kim's van");
# people ("Kim's wife", "Kim's driver") are the relation words of the name rules.
_OWNED = folded_set(
    "email e-mail mail phone number mobile website site page account address van car team staff"
)


def _with_possessive_noun(text: str, end: int, lex: Lexicon) -> int:
    """A firm tagged up to its "'s" ends after the noun that follows ("sally['s salon]")."""
    match = _POSSESSIVE_NOUN.match(text, end)
    if match is None:
        return end
    word = fold(match.group(1))
    if (
        word in FUNCTION_WORDS
        or lex.is_stopword(word)
        or word in _CALENDAR
        or word in _OWNED
        or word in _roles()
    ):
        return end
    return match.end()


def _too_few_digits_for_a_phone(value: str) -> bool:
    """Too short for a phone, a few digit pairs ("mon 10 12 14") or rising sizes ("8 10 12 14")."""
    groups = _DIGITS.findall(value)
    digits = sum(len(g) for g in groups)
    if digits < 6:
        return True
    if max(len(g) for g in groups) > 2:
        return False
    rising = not groups[0].startswith("0") and all(int(a) < int(b) for a, b in pairwise(groups))
    return digits < 8 or (len(groups) > 2 and rising)


def _after_title(text: str, start: int) -> bool:
    """Whether a title ("Frau", "Herrn", "Mr") comes right before ``start``."""
    previous = _PREVIOUS_WORD.search(text, max(0, start - 12), start)
    return previous is not None and fold(previous.group(1)) in TITLE_WORDS


def tagged_candidates(scan: Scan, tagger: Tagger) -> Iterator[Candidate]:
    """Candidates from ``tagger`` for the scan's text (shape checks per type)."""
    text, lex = scan.text, scan.lex
    for entity, start, end, confidence in _split_at_verbs(tagger.scored_spans(text), text):
        if entity is EntityType.PHONE:
            # A number ends with its last digit; words after it are the sentence ("… till five").
            last_digit = max((m.end() for m in _DIGIT.finditer(text, start, end)), default=start)
            end = last_digit
        if entity is EntityType.ORG:
            end = _with_possessive_noun(text, end, lex)
        value = text[start:end]
        digits = len(_DIGIT.findall(value))
        if entity is EntityType.ID and digits < 3:
            continue
        if entity is EntityType.PHONE and _too_few_digits_for_a_phone(value):
            continue
        if entity is EntityType.ADDRESS and (not digits or not _address_shaped(value, lex)):
            continue
        if entity is EntityType.DATE_OF_BIRTH and (
            not _BIRTH_YEAR.search(value)
            or (
                _NOT_BIRTH_CUE.search(text, max(0, start - 40), end + 30)
                and not _BIRTH_CUE.search(text, max(0, start - 40), end + 30)
            )
        ):
            continue
        if entity in (EntityType.PERSON, EntityType.ORG):
            # Domains, addresses and paths are the contact recognisers' business ("web.de").
            if _NOT_A_NAME.search(value):
                continue
            # Glued to markup or code ("onerror=", "<b>", "x_y"): a token of a program, no name.
            if text[end : end + 1] in _CODE_MARKS or text[start - 1 : start] in _CODE_MARKS:
                continue
            raw = re.findall(r"[^\W\d_]+", value)
            words = [fold(w) for w in raw]
            if (
                not words
                or words[0] in lex.brands  # "Amazon Business", "Google Sheets": products
                or all(w in FUNCTION_WORDS or lex.is_stopword(w) for w in words)
            ):
                continue
            if entity is EntityType.PERSON and all(w in _GREETING_WORDS for w in words):
                continue
            # "im Ernst", "ins Engel…": after a contracted preposition a one-word name is a noun.
            # However sure the model is: "Im Ernst" is an idiom, not Mr Ernst.
            if (
                entity is EntityType.PERSON
                and len(words) == 1
                and _IDIOM_BEFORE.search(text, max(0, start - 6), start)
            ):
                continue
            # Months and weekdays are names only in rare cases; a model guess is not enough.
            if len(words) == 1 and words[0] in _CALENDAR:
                continue
            # Frequent ordinary words ("Grüße", "Gesellen", "Sommer") are the tagger's commonest
            # false names; without a title or role before them they are kept. Rules still
            # remove "Frau Koch", "ich heiße Lang" and known identities.
            if (
                (entity is EntityType.PERSON or len(words) == 1)
                and confidence < COMMON_WORD_CONFIDENCE
                and _frequent_words_only(words, lex, text, start, confidence)
            ):
                continue
            # An unsure one-word name that is a listed word and no known name ("Sourdough").
            if (
                len(words) == 1
                and confidence < LIKELY_CONFIDENCE
                and noun_zipf(words[0]) >= 2
                and not lex.is_name(words[0])
            ):
                continue
            # A long German word that is a frequent noun or its inflected form ("Großhändlern")
            # is that noun, however sure the model is; names are rarely inflected.
            if (
                entity is EntityType.PERSON
                and len(words) == 1
                and scan.language == "de"
                and len(words[0]) >= 8
                and german_form_zipf(words[0]) >= 3
                and buckets(words[0])[1] < 3  # "Carpenter" is English and a surname
                and not lex.is_name(words[0])
                and not _after_title(text, start)
            ):
                continue
            if entity is EntityType.PERSON and _place_holiday_or_role(raw, text, start, end, lex):
                continue
            # "Herr Doktor", "Frau Bürgermeisterin": a form of address, nobody's name.
            if entity is EntityType.PERSON and all(w in _title_roles() for w in words):
                continue
            # Acronyms ("IBAN", "BIC", "SAP") in a text that is not in capitals are no names.
            if len(raw) == 1 and raw[0].isupper() and len(raw[0]) <= 5 and not text.isupper():
                continue
            # A very frequent lower-case word ("mate", "love"), even one that is also a first
            # name, needs a sure model; the sign-off and introduction rules still find names.
            if (
                len(words) == 1
                and raw[0].islower()
                and confidence < COMMON_WORD_CONFIDENCE
                and zipf(words[0]) >= COMMON_WORD_ZIPF + 1
            ):
                continue
            # A lone everyday word ("line", "April", "fine") needs a confident model.
            if (
                len(words) == 1
                and confidence < EVERYDAY_WORD_CONFIDENCE
                and (
                    lex.is_everyday_word(words[0]) or words[0] in lex.name_words or raw[0].islower()
                )
            ):
                continue
        marker = (
            TAGGER_OVERRIDE_CONFIDENCE
            if confidence >= OVERRIDE_CONFIDENCE
            else TAGGER_LIKELY_CONFIDENCE
            if confidence >= LIKELY_CONFIDENCE
            else None
        )
        yield Candidate(entity, start, end, marker)
