"""Turn hand-written labelled answers into tagger training data with fresh values, offline.

Run: ``python scripts/refill_anonymiser_contexts.py [--variants 4] [--seed 11]`` (needs the
``train`` extra). Reads every ``scripts/anonymiser_contexts/*.txt`` file (``lang<TAB>text``
lines with ``[[TYPE|value]]`` markup, see ``dev_hand_source.txt``) and the retired first blind
set ``scripts/anonymiser_contexts/retired_blind_set.jsonl``, and writes
``scripts/anonymiser_contexts/refilled.jsonl.gz`` in the evaluation format (split
"train-ctx"), which ``scripts/train_anonymiser.py`` trains on.

Why: a tagger trained on generated templates learns those templates. Hand-written answers by
several independent writers carry the phrasings that matter (who says "Bin Flo" or "we're
fernhollow"), but only a few hundred values, which a model would memorise. So every answer is
kept once as written and repeated ``--variants`` times with each labelled value replaced by a
new value of the same type and shape (a lower-case two-word name by another lower-case
two-word name, "Kiebitz Logistik" by "Wellenfeld Logistik", "V-050178" by "K-913305"), plus
typos outside the values. The model then has to learn the context, not the value.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_anonymiser_sets import (
    DATA,
    FANTASY_PARTS,
    LOCALES_DE,
    LOCALES_EN,
    ROOT,
    SHOP_DE,
    SHOP_EN,
    TOWNS,
    TRADE_DE,
    TRADE_EN,
    Gen,
    convert_hand,
    roughen,
)

from needfinder.insights.anonymise.lexicon import fold, lexicon, word_list

CONTEXTS = ROOT / "scripts" / "anonymiser_contexts"
OUTPUT = CONTEXTS / "refilled.jsonl.gz"
# Sets written by people who never saw the code, whose blind scores are recorded in the README
# and which are now trained on (see "Anonymisation" in the README).
RETIRED_BLIND = ("retired_blind_set.jsonl",)
# The sets that are scored: no training answer may share a memorable value with them.
HELD_OUT = (
    "dev_hand_set.jsonl",
    "dev_contact_set.jsonl",
    "dev_traps_set.jsonl",
    "dev_firms_set.jsonl",
    "blind2_set.jsonl",
    "blind4_set.jsonl",
    "blind6_set.jsonl",
    "blind8_set.jsonl",
    "blind10_set.jsonl",
)

# Words kept as they are inside a firm name: legal forms, connectors, kinship words.
_ORG_KEEP = frozenset(
    word_list(
        """gmbh gmbh. mbh ug (haftungsbeschränkt) haftungsbeschränkt kg ag ohg gbr e.k. ek e.v. ev
    & co. co co.kg kgaa se gesmbh gesbr sàrl sarl sa ltd ltd. llc inc inc. plc limited llp
    corp corp. pty lp l.l.c. and und the der die das den zum zur am im von of sons söhne
    töchter daughters brothers bros brüder partner partners partnerschaft & + -"""
    )
)
_TRADES = frozenset(w.lower() for w in (*TRADE_DE, *TRADE_EN, *SHOP_DE, *SHOP_EN))
_PARTICLES = frozenset(
    word_list("van von de der den da di du le la ten ter zu al el bin ibn mc mac")
)
_ADDRESS_KEEP = frozenset(
    word_list(
        """flat apt apt. apartment unit suite ste floor fl c/o postfach pf hinterhaus vorderhaus
    seitenflügel og eg dg og. stiege stg tür top co. co county am an der die das im in auf
    zum zur bei st st. road rd rd. street str str. lane ln avenue ave ave. drive dr close way
    court ct place pl terrace crescent square sq gardens grove mews walk hill row park
    parkway highway hwy boulevard blvd the of and house cottage farm old new north south east
    west n s e w nw ne sw se upper lower main high business industrial estate centre center
    building block haus hof gasse weg allee platz ring damm ufer straße strasse chaussee
    markt box po p.o. pmb"""
    )
)
_STREET_SUFFIX = re.compile(
    r"(straße|strasse|str\.?|gasse|weg|allee|platz|ring|damm|ufer|chaussee|pfad|markt|graben|"
    r"steig|stieg|zeile|promenade|kai|berg|feld|hof|garten|gässli|gässle)$",
    re.IGNORECASE,
)
_STEMS = word_list(
    "Linden Rosen Bahnhof Schiller Goethe Kirch Mühlen Garten Wiesen Berg Tal Sonnen Eichen "
    "Birken Ahorn Kastanien Markt Schul Post Hafen Brunnen Kloster Burg Feld Wald Dorf See "
    "Fichten Tannen Buchen Mozart Beethoven Kant Lessing Uhland Holunder Flieder Tulpen"
)


def _cased(template: str, word: str) -> str:
    """``word`` in the case style of ``template`` (lower, UPPER or as generated)."""
    if template.islower():
        return word.lower()
    if template.isupper() and len(template) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if template[:1].isupper() else word


def _shape(rng: random.Random, value: str, *, letters: bool = True) -> str:
    """Same shape, new characters: digits by digits, (optionally) letters by letters."""
    out = []
    for index, ch in enumerate(value):
        if ch.isdigit():
            out.append(rng.choice("123456789" if index == 0 or ch != "0" else "0123456789"))
        elif letters and ch.isalpha() and ch.isascii():
            new = rng.choice("abcdefghijklmnopqrstuvwxyz")
            out.append(new.upper() if ch.isupper() else new)
        else:
            out.append(ch)
    return "".join(out)


def _birth_date(rng: random.Random, value: str) -> str:
    """A plausible date of birth in the original's format (day, month and year groups)."""

    def group(match: re.Match[str]) -> str:
        digits = match.group()
        if len(digits) == 4:
            return str(rng.randint(1950, 2004))
        if int(digits) <= 12 and len(digits) <= 2:
            number = rng.randint(1, 12)
        else:
            number = rng.randint(1, 28)
        return f"{number:0{len(digits)}d}"

    return re.sub(r"\d+", group, value)


class Refiller:
    """New values of the same type and shape, consistent within one answer."""

    def __init__(self, seed: int) -> None:
        self.g = Gen(seed)
        self.rng = self.g.rng
        self.memory: dict[str, str] = {}

    def reset(self) -> None:
        """Start a new answer (values are consistent within an answer only)."""
        self.memory = {}

    def value(self, kind: str, value: str, lang: str) -> str:
        """A replacement for ``value`` of type ``kind``."""
        if kind == "PERSON":
            return self._person(value, lang)
        if kind == "ORG":
            return self._org(value, lang)
        if kind == "ADDRESS":
            return self._address(value, lang)
        if kind == "DATE_OF_BIRTH":
            return _birth_date(self.rng, value)
        if kind == "PHONE":
            # The prefix ("+44 7", "017") keeps the number a phone number of its country.
            return value[:3] + _shape(self.rng, value[3:], letters=False)
        if kind == "ID":
            return _shape(self.rng, value, letters=self.rng.random() < 0.7)
        # Contact data, IBANs and card numbers are the rules' business: kept as written.
        return value

    def _remember(self, original: str, make: object) -> str:
        key = original.lower()
        if key not in self.memory:
            self.memory[key] = make()  # type: ignore[operator]
        return _cased(original, self.memory[key])

    def _person(self, value: str, lang: str) -> str:
        tokens = re.split(r"(\s+|-)", value)
        words = [i for i, t in enumerate(tokens) if t.strip() and t != "-"]
        g = self.g
        for position, index in enumerate(words):
            token = tokens[index]
            if token.lower().strip(".") in _PARTICLES and position < len(words) - 1:
                continue
            if not token[:1].isalpha():
                continue
            if len(words) == 1:
                roll = self.rng.random()
                maker = (
                    (lambda: g.first(lang))
                    if roll < 0.45
                    else (lambda: g.nick(lang))
                    if roll < 0.65
                    else (lambda: g.last(lang))
                )
            elif position == len(words) - 1 or (
                # "Kowalczyk-Brandt": both parts of a hyphenated surname are surnames.
                index > 0 and tokens[index - 1] == "-" and position == len(words) - 1
            ):
                maker = lambda: g.last(lang)  # noqa: E731
            else:
                maker = lambda: g.first(lang)  # noqa: E731
            tokens[index] = self._remember(token.rstrip("."), maker) + (
                "." if token.endswith(".") and len(token) <= 3 else ""
            )
        return "".join(tokens)

    def _org(self, value: str, lang: str) -> str:
        tokens = re.split(r"(\s+|-)", value)
        g, rng = self.g, self.rng
        trades = TRADE_DE if lang == "de" else TRADE_EN
        for index, token in enumerate(tokens):
            folded = token.lower()
            if not token.strip() or token == "-" or folded in _ORG_KEEP:
                continue
            if not any(ch.isalpha() for ch in token):
                tokens[index] = _shape(rng, token)
                continue
            if folded in _TRADES:
                if rng.random() < 0.5:
                    tokens[index] = _cased(token, rng.choice(trades))
                continue
            if token.isupper() and len(token) <= 4:
                tokens[index] = _shape(rng, token)
                continue

            def maker() -> str:
                roll = rng.random()
                if roll < 0.35:
                    return g.fantasy()
                if roll < 0.65:
                    return g.last(lang)
                if roll < 0.85:
                    return g.pseudo()
                return rng.choice(FANTASY_PARTS)

            tokens[index] = self._remember(token, maker)
        return "".join(tokens)

    def _address(self, value: str, lang: str) -> str:
        rng = self.rng
        locales = LOCALES_DE if lang == "de" else LOCALES_EN
        tokens = re.split(r"(\s+|,|/)", value)
        for index, token in enumerate(tokens):
            folded = token.lower()
            if not token.strip() or token in (",", "/") or folded in _ADDRESS_KEEP:
                continue
            if any(ch.isdigit() for ch in token):
                tokens[index] = _shape(rng, token)
                continue
            if len(token) == 2 and token.isupper():  # US states, "NY"
                continue
            suffix = _STREET_SUFFIX.search(token)
            if suffix and suffix.start() >= 3:
                stem = rng.choice(_STEMS)
                tokens[index] = _cased(token, stem + token[suffix.start() :].lower())
                continue
            following = next((t for t in tokens[index + 1 :] if t.strip()), "")
            if following.lower() in _ADDRESS_KEEP and following.lower() not in (
                "in",
                "and",
                "of",
            ):
                # A street name before its type word ("Orchard Lane"): a surname or a stem.
                new = self.g.last(lang) if rng.random() < 0.5 else rng.choice(_STEMS)
            else:
                locale = rng.choice(locales)
                new = rng.choice(TOWNS[locale].replace("St. Gallen", "St.Gallen").split())
            tokens[index] = self._remember(token, lambda new=new: new)
        return "".join(tokens)


def refill(case: dict[str, object], refiller: Refiller) -> dict[str, object]:
    """A copy of ``case`` with every labelled value replaced and a little chat noise."""
    refiller.reset()
    text = str(case["text"])
    lang = str(case["language"])
    spans = sorted(case["spans"], key=lambda s: int(s["start"]))  # type: ignore[arg-type]
    out, new_spans, position = "", [], 0
    for span in spans:
        start, end = int(span["start"]), int(span["end"])
        if start < position:  # overlapping labels: keep the first
            continue
        out += text[position:start]
        value = refiller.value(str(span["type"]), text[start:end], lang)
        new_spans.append({"type": span["type"], "start": len(out), "end": len(out) + len(value)})
        out += value
        position = end
    out += text[position:]
    out, new_spans = roughen(refiller.rng, out, new_spans)
    for span in new_spans:
        span["value"] = out[int(span["start"]) : int(span["end"])]
    return {"language": lang, "text": out, "spans": new_spans}


def sources(held_out: frozenset[str] | None = None) -> list[dict[str, object]]:
    """The hand-written answers to refill: the context files and the retired blind sets.

    ``held_out`` is :func:`held_out_values`, passed in by a caller that already has it.
    """
    cases: list[dict[str, object]] = []
    for path in sorted(CONTEXTS.glob("*.txt")):
        for case in convert_hand(path):
            case["origin"] = f"context:{path.stem}"
            cases.append(case)
    for name in RETIRED_BLIND:
        with open(CONTEXTS / name, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    case = json.loads(line)
                    case["origin"] = f"retired:{name}"
                    cases.append(case)
    if held_out is None:
        held_out = held_out_values()
    texts = held_out_word_sets()
    return [
        case
        for case in cases
        if not shares_held_out_value(case, held_out) and not near_held_out_text(case, texts)
    ]


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def held_out_word_sets() -> list[frozenset[str]]:
    """The word sets of every answer of the scored sets."""
    sets: list[frozenset[str]] = []
    for name in HELD_OUT:
        path = DATA / name
        if path.is_file():
            with open(path, encoding="utf-8") as handle:
                sets.extend(_words(json.loads(line)["text"]) for line in handle if line.strip())
    return sets


def near_held_out_text(case: dict[str, object], held_out: list[frozenset[str]]) -> bool:
    """Is a training answer nearly the same text (half its words or more) as a scored one?"""
    words = _words(str(case["text"]))
    if not words:
        return False
    return any(other and len(words & other) >= 0.5 * len(words | other) for other in held_out)


def _memorable(kind: str, value: str) -> bool:
    """Could a model remember this value? Lone listed first names ("Kerstin") are everywhere."""
    if kind != "PERSON" or len(value.split()) > 1:
        return len(value) >= 4
    return fold(value) not in lexicon().first_names and len(value) >= 4


def held_out_values() -> frozenset[str]:
    """Folded labelled values of the sets that are scored, not trained on."""
    values: set[str] = set()
    for name in HELD_OUT:
        path = DATA / name
        if not path.is_file():
            continue
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                case = json.loads(line)
                for span in case["spans"]:
                    value = case["text"][span["start"] : span["end"]]
                    if _memorable(span["type"], value):
                        values.add(fold(value))
    return frozenset(values)


def shares_held_out_value(
    case: dict[str, object], held_out: frozenset[str], *, lone_surnames: bool = True
) -> bool:
    """Does a training answer carry a value that a scored set also has?

    Writers working in parallel came up with the same invented firms ("Ironbark Fencing"); a
    model trained on one would find them in the other for the wrong reason. Without
    ``lone_surnames`` a one-word PERSON value does not count.
    """
    text = str(case["text"])
    for span in case["spans"]:  # type: ignore[attr-defined]
        kind = str(span["type"])
        value = text[int(span["start"]) : int(span["end"])]
        if not lone_surnames and kind == "PERSON" and len(value.split()) == 1:
            continue
        if _memorable(kind, value) and fold(value) in held_out:
            return True
    return False


def build(variants: int = 4, seed: int = 11) -> tuple[bytes, int, int]:
    """The refilled training file's bytes, its number of rows and of source answers."""
    refiller = Refiller(seed)
    rows = []
    held_out = held_out_values()
    cases = sources(held_out)
    for number, case in enumerate(cases):
        base = {"language": case["language"], "text": case["text"], "spans": case["spans"]}
        copies = [base]
        # Answers without personal data once more with noise; the others with new values.
        for _ in range(variants if case["spans"] else 1):
            copy = refill(case, refiller)
            # An invented firm or full name can be a scored one (a fantasy word and a trade a
            # writer also thought of): such a copy would teach the model a scored value, so it
            # is left out. A lone surname drawn from Faker's lists ("Weber") is everybody's.
            if not shares_held_out_value(copy, held_out, lone_surnames=False):
                copies.append(copy)
        for variant, copy in enumerate(copies):
            row = {
                "id": f"ctx-{number:05d}-{variant}",
                "split": "train-ctx",
                "origin": case["origin"],
                **copy,
            }
            if not copy["spans"]:
                row["tags"] = ["control"]
            rows.append(row)
    raw = io.BytesIO()
    # mtime=0: the same sources give a byte-identical file.
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    return raw.getvalue(), len(rows), len(cases)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=4, help="new-value copies per answer")
    parser.add_argument("--seed", type=int, default=11, help="random seed (fixed: reproducible)")
    args = parser.parse_args()
    data, rows, sources_read = build(args.variants, args.seed)
    OUTPUT.write_bytes(data)
    print(f"{rows} training answers from {sources_read} sources -> {OUTPUT}")


if __name__ == "__main__":
    main()
