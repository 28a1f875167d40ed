"""Person names from context ("Herr Klein", "mein Kollege Jan", "Hope from support") and from a
first-name/surname gazetteer, with guards so that capitalised German nouns survive."""

from __future__ import annotations

import re
from collections.abc import Iterator

from needfinder.insights.anonymise.lexicon import FUNCTION_WORDS, Lexicon, fold, folded_set
from needfinder.insights.anonymise.model import Candidate, EntityType
from needfinder.insights.anonymise.scan import Scan
from needfinder.insights.anonymise.tokens import Token, possessive_base
from needfinder.insights.anonymise.wordfreq import buckets

_TITLES = folded_set(
    "herr herrn frau mr mrs ms miss mister mx fräulein frl madame monsieur signora signor"
)
_ENGLISH_TITLES = frozenset(("mr", "mrs", "ms", "mx", "mister"))
_ABBREVIATED_TITLES = frozenset(("hr", "fr"))  # need a full stop and a capitalised name
_ACADEMIC = frozenset(("dr", "prof", "med", "dipl", "ing", "dr-ing", "phd"))
_ARTICLES = folded_set(
    "die der eine einer als meine meiner seine seiner ihre unsere unserer the a my his her our"
)
_POSSESSIVES = folded_set(
    "my our his her mein meine meiner unser unsere unserer sein seine ihr ihre"
)
# Words that follow a title without being a name ("Frau Doktor", "Herr Ober", "Mr Right").
_TITLE_ROLES = folded_set(
    """kunde kundin kunden doktor professor magister ober pfarrer pastor minister präsidentin
    präsident bürgermeister bürgermeisterin kommissar kommissarin right nobody president mayor
    officer sergeant chairman chair speaker"""
)
TITLE_ROLES = _TITLE_ROLES
# Relationship and job words that introduce a name ("mein Kollege Jan", "my boss Sandra").
_RELATIONS = folded_set(
    """kollege kollegin kollegen chef chefin mann ehemann frau ehefrau partner partnerin freund
    freundin sohn tochter bruder schwester mutter vater mama papa oma opa onkel tante cousin
    cousine neffe nichte schwager schwägerin nachbar nachbarin mitarbeiter mitarbeiterin azubi
    auszubildende auszubildender aushilfe praktikant praktikantin sachbearbeiter
    sachbearbeiterin berater beraterin ansprechpartner ansprechpartnerin techniker technikerin
    monteur fahrer fahrerin betreuer betreuerin kundenbetreuer kundenbetreuerin assistent
    assistentin sekretärin steuerberater steuerberaterin buchhalter buchhalterin inhaber
    inhaberin geschäftsführer geschäftsführerin teamleiter teamleiterin filialleiter
    filialleiterin vorgesetzter vorgesetzte meister hausmeister vertreter vertreterin paketbote
    postbote bote lehrer lehrerin vermieter vermieterin stammkunde stammkundin mitinhaber
    mitinhaberin juniorchef juniorchefin lebensgefährte lebensgefährtin verlobte verlobter
    grandma grandpa granny nan nana gran grandad grandmother grandfather
    colleague coworker co-worker boss manager supervisor wife husband friend son daughter
    brother sister mother father mom mum dad aunt uncle neighbor neighbour assistant accountant
    advisor adviser agent rep representative technician driver guy lady contact owner
    consultant teammate intern apprentice employee clerk cashier temp mechanic landlord
    landlady bookkeeper secretary receptionist courier postman fiancé fiancee girlfriend
    boyfriend nephew niece director ceo founder cofounder co-founder"""
)
RELATIONS = _RELATIONS
# Self-introductions. Strong ones take any word; weak ones ("ich bin", "I'm") only a known
# first name, since "ich bin zufrieden" and "I'm happy" are far more common.
_STRONG_INTROS_RAW = (
    ("ich", "heiße"),
    ("ich", "heisse"),
    ("ich", "heiß"),
    ("ich", "heiss"),
    ("mein", "name", "ist"),
    ("mein", "name", "lautet"),
    ("mein", "vorname", "ist"),
    ("mein", "nachname", "ist"),
    ("my", "name", "is"),
    ("my", "name's"),
    ("my", "name’s"),
    ("call", "me"),
    ("nennt", "mich"),
    ("nenn", "mich"),
    ("nennen", "sie", "mich"),
    ("my", "first", "name", "is"),
    ("my", "last", "name", "is"),
    ("my", "surname", "is"),
    # Nicknames and the real name after one ("alle nennen mich Bubi", "eigentlich heiße ich").
    ("nennen", "mich"),
    ("calls", "me"),
    ("heiße", "ich"),
    ("heisse", "ich"),
    ("known", "as"),
    ("real", "name's"),
    ("real", "name’s"),
    ("real", "name", "is"),
    # "old man hargreaves": the surname of an older man, in any case.
    ("old", "man"),
)
_WEAK_INTROS_RAW = (
    ("ich", "bin", "der"),
    ("ich", "bin", "die"),
    ("ich", "bin"),
    ("i'm",),
    ("i’m",),
    ("i", "am"),
    ("this", "is"),
    ("hier", "ist"),
    ("hier", "schreibt"),
    ("hier", "spricht"),
    ("it's",),
    ("it’s",),
    ("name",),
    ("vorname",),
    ("nachname",),
)
_STRONG_INTROS = tuple(tuple(fold(w) for w in p) for p in _STRONG_INTROS_RAW)
_WEAK_INTROS = tuple(tuple(fold(w) for w in p) for p in _WEAK_INTROS_RAW)
# "Der Herr hieß Brenner", "a lady called Brenda": naming someone else.
_NAMING_VERBS = folded_set("heißt hieß heisst hiess hiessen hießen named called")
_NAMING_FILLERS = folded_set(
    "glaub glaube ich wohl irgendwie so auch doch ja mal eigentlich er sie"
)
_PERSON_NOUNS = folded_set(
    "lady guy man woman girl boy bloke chap gentleman someone somebody person agent colleague"
)
_ACTION_VERBS = folded_set(
    "said told sorted fixed helped called rang emailed promised explained answered replied sent "
    "came"
)
# Patterns indexed by their first word, so each token is checked against a few only.
_INTROS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
for _pattern, _strong in [(p, True) for p in _STRONG_INTROS] + [(p, False) for p in _WEAK_INTROS]:
    _INTROS_BY_FIRST.setdefault(_pattern[0], []).append((_pattern, _strong))
_HERE = frozenset(("hier", "here", "speaking"))
_GREETINGS = folded_set(
    """gruß grüße grüßen gruss grüsse lg vg mfg cheers regards thanks thank best danke dank bye
    ciao tschüss servus love xoxo sincerely"""
)
_DEPARTMENT_PREPOSITIONS = frozenset(("from", "at", "in", "vom", "von", "aus", "bei", "im", "of"))
_DEPARTMENT_ARTICLES = folded_set(
    "the your our der dem die ihrer ihrem eurer eurem unserer unserem deiner deinem euer"
)
_DEPARTMENTS = folded_set(
    """support sales billing accounts accounting finance reception hotline service team
    warehouse it hr marketing office shop store bank front desk customer purchasing helpdesk
    kundenservice kundendienst vertrieb buchhaltung empfang lager einkauf versand technik büro
    filiale zentrale personal personalabteilung abteilung verwaltung logistik produktion
    kundenbetreuung callcenter innendienst außendienst firma laden dispatch delivery deliveries
    admin administration care operations ops accounts-payable payroll tech engineering
    workshop kitchen head quality qa returns complaints onboarding development"""
)
_SPEECH_VERBS = folded_set(
    """said says told explained promised called emailed mentioned recommended wrote answered
    replied sagte meinte erklärte versprach schrieb rief antwortete empfahl"""
)
_BEFORE_NAME = (
    ("talked", "to"),
    ("talked", "with"),
    ("spoke", "to"),
    ("spoke", "with"),
    ("speak", "to"),
    ("speak", "with"),
    ("asked",),
    ("ask",),
    ("ask", "for"),
    ("emailed",),
    ("called",),
    ("thanks", "to"),
    ("according", "to"),
    ("laut",),
    ("danke", "an"),
    ("dank",),
    ("frag",),
    ("fragen", "sie"),
    ("fragt",),
    ("chatted", "with"),
    ("met", "with"),
    ("met",),
)
_BEFORE_NAME_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
for _before in _BEFORE_NAME:
    _BEFORE_NAME_BY_LAST.setdefault(_before[-1], []).append(_before)
_MIT_VERBS = folded_set(
    """gesprochen telefoniert geschrieben gechattet geredet geklärt besprochen abgesprochen
    ausgemacht vereinbart gemailt"""
)
_NAME_PARTICLES = frozenset(
    ("von", "van", "de", "da", "di", "del", "der", "den", "ter", "ten", "al", "el", "bin")
)
_NOUN_SUFFIXES_RAW = (
    "ung",
    "ungen",
    "heit",
    "heiten",
    "keit",
    "keiten",
    "schaft",
    "schaften",
    "tion",
    "tionen",
    "tät",
    "täten",
    "ment",
    "ments",
    "nis",
    "nisse",
    "chen",
    "lein",
    "ismus",
    "erei",
    "ereien",
    "ität",
    "ware",
    "waren",
    "zeug",
    "gerät",
    "geräte",
    "system",
    "programm",
    "liste",
    "daten",
    "kosten",
    "preis",
    "preise",
    "zeit",
    "zeiten",
    "stelle",
    "stellen",
    "nummer",
    "karte",
    "mail",
    "mails",
    "markt",
)
_NOUN_SUFFIXES = tuple(fold(s) for s in _NOUN_SUFFIXES_RAW)
_VERB_SUFFIXES = (
    "en",
    "ern",
    "eln",
    "t",
    "te",
    "st",
    "ig",
    "lich",
    "isch",
    "bar",
    "los",
    "ed",
    "ing",
    "ly",
    "e",
)


def _base(token: Token, lex: Lexicon) -> tuple[str, int]:
    """Folded name without English possessive or German genitive s, and the end to redact."""
    text, end = possessive_base(token)
    folded = token.folded if end == token.end else token.folded[: len(text)]
    if (
        folded not in lex.first_names
        and folded not in lex.surnames
        and len(folded) > 3
        and folded.endswith("s")
        and lex.is_name(folded[:-1])
    ):
        return folded[:-1], end
    return folded, end


def _is_nounish(folded: str) -> bool:
    return folded.endswith(_NOUN_SUFFIXES)


def _capitalised_name_word(token: Token, lex: Lexicon, *, allow_ambiguous: bool) -> bool:
    """A capitalised word that can be a name in this context."""
    if not token.is_capitalised:
        return False
    folded = token.folded
    if lex.is_name(folded) or lex.is_name(folded.removesuffix("s")):
        return allow_ambiguous or not lex.is_everyday_word(folded)
    return not lex.is_everyday_word(folded) and not _is_nounish(folded)


def _lower_name_word(token: Token, lex: Lexicon) -> bool:
    """A lower-case word that is a name ("frau wolf", "mein kollege jan")."""
    folded = token.folded
    if not token.is_lower or not lex.is_name(folded) or lex.is_everyday_word(folded):
        return False
    # A very frequent word that is only a rare first name is the sentence going on ("my
    # brother run …", "my wife hope …"), not the brother's name.
    rare_first_name = folded not in lex.surnames and lex.first_names.get(folded, 0) < 5
    return not (rare_first_name and max(buckets(folded)) >= 5)


class _People:
    """Runs the name rules over one scan."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        self.text = scan.text
        self.tokens = scan.tokens
        self.lex = scan.lex

    def gap(self, left: int, right: int) -> str:
        return self.text[self.tokens[left].end : self.tokens[right].start]

    def candidate(self, first: int, last: int) -> Candidate:
        """A PERSON candidate from token ``first`` to ``last`` (possessive 's left outside)."""
        keys = []
        end = self.tokens[last].end
        for index in range(first, last + 1):
            key, token_end = _base(self.tokens[index], self.lex)
            if key not in _NAME_PARTICLES:
                keys.append(key)
            if index == last:
                end = token_end
        return Candidate(EntityType.PERSON, self.tokens[first].start, end, " ".join(keys))

    def extend(self, index: int) -> int:
        """Index of the last token of a name starting at ``index`` (adds a surname if present)."""
        tokens, lex = self.tokens, self.lex
        first = tokens[index]
        nxt = index + 1
        if nxt >= len(tokens) or self.gap(index, nxt) != " ":
            return index
        second = tokens[nxt]
        if second.is_placeholder or not second.is_word:
            return index
        # "Ludwig van Beethoven": a particle followed by a capitalised word.
        if (
            second.folded in _NAME_PARTICLES
            and nxt + 1 < len(tokens)
            and self.gap(nxt, nxt + 1) == " "
            and tokens[nxt + 1].is_capitalised
            and lex.is_name(tokens[nxt + 1].folded)
        ):
            return nxt + 1
        folded = second.folded
        if folded in FUNCTION_WORDS or lex.is_stopword(folded) or folded in lex.common_nouns:
            return index
        if folded in lex.brands:
            return index
        if second.is_capitalised:
            if first.is_lower:
                return index
            if folded in lex.surnames or lex.is_first_name(folded):
                return nxt
            first_is_first_name = lex.is_first_name(_base(first, lex)[0])
            if first_is_first_name and not _is_nounish(folded) and not lex.is_everyday_word(folded):
                return nxt
            return index
        # Lower case: only after a lower-case first name ("anna lehmann"), and no frequent word
        # that is no listed surname ("tom helps").
        if first.is_lower and (
            folded in lex.surnames
            or (
                len(folded) >= 3
                and not folded.endswith(_VERB_SUFFIXES)
                and max(buckets(folded)) < 4
            )
        ):
            return nxt
        return index

    # ------------------------------------------------------------------ rules
    def after_titles(self) -> Iterator[Candidate]:
        tokens, lex = self.tokens, self.lex
        for index, token in enumerate(tokens):
            folded = token.folded
            abbreviated = (
                folded in _ABBREVIATED_TITLES and self.text[token.end : token.end + 1] == "."
            )
            academic = folded in ("dr", "prof")
            if folded not in _TITLES and not abbreviated and not academic:
                continue
            position = index + 1
            while position < len(tokens) and tokens[position].folded in _ACADEMIC:
                position += 1
            if position >= len(tokens) or self.gap(position - 1, position).strip(" .") != "":
                continue
            name = tokens[position]
            if name.is_placeholder or not name.is_word or name.folded in FUNCTION_WORDS:
                continue
            if name.is_capitalised:
                base = _base(name, lex)[0]
                # After "Frau"/"Herr" a capitalised word is a surname even when it is also a
                # word ("Frau Herbst", "Herr Sommer"), unless it is a role ("Frau Doktor").
                if not lex.is_name(base) and (
                    name.folded in _RELATIONS
                    or name.folded in _TITLE_ROLES
                    or _is_nounish(name.folded)
                    or lex.is_stopword(name.folded)
                    or name.folded in lex.brands
                ):
                    continue
            else:
                if abbreviated or academic:
                    continue
                after_article = index > 0 and tokens[index - 1].folded in _ARTICLES
                if folded in _ENGLISH_TITLES and not lex.is_stopword(name.folded):
                    # "mr banerjee": after an English title any word but a stop word is a name.
                    yield self.candidate(position, self.extend(position))
                    continue
                if lex.is_name(name.folded):
                    if lex.is_stopword(name.folded) and not lex.is_name(name.folded):
                        continue
                elif (
                    after_article
                    or name.folded in _TITLE_ROLES
                    or name.folded in _RELATIONS
                    or (
                        # "macht frau alt, seit 22 jahren": a word closing the phrase after a title
                        # without an article is its name, even when it is an ordinary word.
                        not self._closes_phrase(position)
                        and (
                            lex.is_stopword(name.folded)
                            or name.folded in lex.common_nouns
                            or name.folded.endswith(_VERB_SUFFIXES)
                        )
                    )
                ):
                    continue
            yield self.candidate(position, self.extend(position))

    def _place_position(self, index: int) -> bool:
        """Is a listed name used as a place ("in Kent", "bei Kassel", "Duke of Edinburgh")?

        After "in"/"near" a capitalised word is a place unless it owns something ("in Anna's
        shop"); before "of" + a capitalised word it is a title or place ("Bay of Plenty").
        """
        tokens = self.tokens
        token = tokens[index]
        if self.text[token.end : token.end + 1] in ("'", "’"):
            return False
        if index > 0 and tokens[index - 1].folded in _PLACE_PREPOSITIONS:
            return self.gap(index - 1, index) == " "
        return (
            index + 2 < len(tokens)
            and tokens[index + 1].folded in ("of", "von")
            and tokens[index + 2].is_capitalised
        )

    def _closes_phrase(self, position: int) -> bool:
        """Is the token followed by a punctuation mark or the end of the text?"""
        rest = self.text[self.tokens[position].end :].lstrip(" ")
        return not rest or rest[0] in ",.;!?)\n"

    def after_relations(self) -> Iterator[Candidate]:
        tokens, lex = self.tokens, self.lex
        for index, token in enumerate(tokens[:-1]):
            if token.folded not in _RELATIONS:
                continue
            position = index + 1
            if self.gap(index, position) not in (" ", ", "):
                continue
            name = tokens[position]
            if name.folded in _TITLES or name.folded in _ACADEMIC:
                continue  # "meine Kollegin Frau Özdemir": the title rule takes it.
            if _capitalised_name_word(name, lex, allow_ambiguous=True) or _lower_name_word(
                name, lex
            ):
                yield self.candidate(position, self.extend(position))
        # Apposition after the name: "Luke, my apprentice, ...", "Jan, mein Kollege, ...".
        for index, token in enumerate(tokens[:-2]):
            owner, relation = tokens[index + 1], tokens[index + 2]
            if (
                owner.folded in _POSSESSIVES
                and relation.folded in _RELATIONS
                and self.gap(index, index + 1) in (" ", ", ")
                and token.folded not in FUNCTION_WORDS
                and _capitalised_name_word(token, lex, allow_ambiguous=True)
                and lex.is_name(_base(token, lex)[0])
            ):
                first = index
                if (
                    index > 0
                    and self.gap(index - 1, index) == " "
                    and lex.is_first_name(tokens[index - 1].folded)
                    and tokens[index - 1].is_capitalised
                ):
                    first = index - 1
                yield self.candidate(first, index)

    def introductions(self) -> Iterator[Candidate]:
        tokens, lex = self.tokens, self.lex
        folded = [t.folded for t in tokens]
        for index in range(len(tokens)):
            for pattern, strong in _INTROS_BY_FIRST.get(folded[index], ()):
                end = index + len(pattern)
                if end >= len(tokens) or tuple(folded[index:end]) != pattern:
                    continue
                if self.gap(end - 1, end).strip() not in ("", ":", ","):
                    continue
                if pattern in (("name",), ("vorname",), ("nachname",)) and ":" not in self.gap(
                    end - 1, end
                ):
                    continue
                name = tokens[end]
                if name.is_placeholder or not name.is_word or name.folded in FUNCTION_WORDS:
                    continue
                if strong:
                    ok = name.is_capitalised or not lex.is_stopword(name.folded)
                    ok = ok and name.folded not in lex.common_nouns
                else:
                    base = _base(name, lex)[0]
                    ok = lex.is_first_name(base) and (
                        name.is_capitalised or not lex.is_everyday_word(base)
                    )
                if ok:
                    last = self.extend(end) if strong or not name.is_lower else end
                    if (
                        strong
                        and last == end
                        and end + 1 < len(tokens)
                        and self.gap(end, end + 1) == " "
                    ):
                        # "ich heiße anna berger": a second lower-case word after a strong intro.
                        second = tokens[end + 1]
                        if (
                            second.is_word
                            and not lex.is_everyday_word(second.folded)
                            and not second.folded.endswith(_VERB_SUFFIXES[:6])
                        ):
                            last = end + 1
                    yield self.candidate(end, last)
                break
        # "Der Herr am Telefon hieß Brenner", "a lovely lady called Brenda".
        for index, token in enumerate(tokens):
            if token.folded not in _NAMING_VERBS:
                continue
            position = index + 1
            while (
                position < len(tokens)
                and position - index <= 2
                and tokens[position].folded in _NAMING_FILLERS
            ):
                position += 1
            if position >= len(tokens):
                continue
            name = tokens[position]
            if name.folded in ("named", "called") or not name.is_capitalised:
                continue
            base = _base(name, lex)[0]
            if token.folded in ("named", "called"):
                before = {t.folded for t in tokens[max(0, index - 3) : index]}
                if not (lex.is_name(base) or before & _PERSON_NOUNS):
                    continue
                if lex.is_everyday_word(name.folded) and not lex.is_name(base):
                    continue
            elif not _capitalised_name_word(name, lex, allow_ambiguous=True):
                continue
            yield self.candidate(position, self.extend(position))
        # "Jürgen Möller hier", "Will here", "Ngozi speaking".
        for index, token in enumerate(tokens):
            if token.folded not in _HERE or index == 0 or self.gap(index - 1, index) != " ":
                continue
            last = index - 1
            first = last
            if (
                first > 0
                and self.gap(first - 1, first) == " "
                and tokens[first - 1].is_capitalised
                and lex.is_first_name(tokens[first - 1].folded)
            ):
                first -= 1
            start_token = tokens[first]
            at_start = start_token.sentence_start or self.text[
                : start_token.start
            ].rstrip().endswith(",")
            if not at_start:
                continue
            if all(
                _capitalised_name_word(tokens[i], lex, allow_ambiguous=True)
                for i in range(first, last + 1)
            ) and (lex.is_name(tokens[first].folded) or lex.is_name(tokens[last].folded)):
                yield self.candidate(first, last)

    def signatures(self) -> Iterator[Candidate]:
        tokens, lex, text = self.tokens, self.lex, self.text
        if len(tokens) < 2:
            return
        # The closing name is the last one or two words of the text after a comma or line break.
        last = len(tokens) - 1
        if text[tokens[last].end :].strip(" .!\n😊🙂👋") != "":
            return
        first = last
        if last > 0 and self.gap(last - 1, last) == " " and tokens[last - 1].is_capitalised:
            first = last - 1
        if first == 0:
            return
        separator = self.gap(first - 1, first)
        on_own_line = "\n" in separator and separator.strip() in ("", ",", "-")
        if not (on_own_line or separator.strip() == ","):
            return
        window = tokens[max(0, first - 6) : first]
        if not any(t.folded in _GREETINGS for t in window):
            return
        if all(
            _capitalised_name_word(tokens[i], lex, allow_ambiguous=True)
            for i in range(first, last + 1)
        ):
            yield self.candidate(first, last)

    def in_passing(self) -> Iterator[Candidate]:
        tokens, lex = self.tokens, self.lex
        count = len(tokens)
        for index, token in enumerate(tokens):
            if not token.is_word or token.is_placeholder:
                continue
            if (
                token.is_lower
                and token.folded not in lex.first_names
                and token.folded not in lex.surnames
            ):
                continue  # every rule below needs a capitalised word or a known name
            base = _base(token, lex)[0]
            named = lex.is_name(base)
            # "Will", "May" are names here: the context below is what makes them one.
            capital_ok = token.is_capitalised
            lower_ok = _lower_name_word(token, lex)
            # "Hope from support", "Stefan aus dem Vertrieb", "Rüdiger Hahn vom Kundendienst".
            if ((named and (capital_ok or lower_ok)) or capital_ok) and index + 1 < count:
                position = index + 1
                if (
                    tokens[position].folded in _DEPARTMENT_PREPOSITIONS
                    and self.gap(index, position) == " "
                ):
                    position += 1
                    while position < count and tokens[position].folded in _DEPARTMENT_ARTICLES:
                        position += 1
                    english_unknown = (
                        not named
                        and self.scan.language == "en"
                        and token.is_capitalised
                        and not lex.is_everyday_word(token.folded)
                        and not _is_nounish(token.folded)
                        and any(
                            t.folded in _ACTION_VERBS for t in tokens[position + 1 : position + 4]
                        )
                    )
                    if (
                        position < count
                        and tokens[position].folded in _DEPARTMENTS
                        and (named or english_unknown)
                    ):
                        first = index
                        if (
                            index > 0
                            and self.gap(index - 1, index) == " "
                            and tokens[index - 1].is_capitalised
                            and lex.is_first_name(tokens[index - 1].folded)
                            and not lex.is_everyday_word(tokens[index - 1].folded)
                        ):
                            first = index - 1
                        yield self.candidate(first, index)
                        continue
                # "Will said", "Mark told me" ("Sie sagte" is a pronoun).
                if (
                    named
                    and capital_ok
                    and token.folded not in FUNCTION_WORDS
                    and tokens[index + 1].folded in _SPEECH_VERBS
                    and self.gap(index, index + 1) == " "
                ):
                    yield self.candidate(index, index)
                    continue
            # "talked to Mark", "Thanks to Isabel", "laut Carina Becker".
            previous_word = tokens[index - 1].folded if index else ""
            for pattern in _BEFORE_NAME_BY_LAST.get(previous_word, ()):
                start = index - len(pattern)
                if start < 0 or tuple(t.folded for t in tokens[start:index]) != pattern:
                    continue
                if self.gap(index - 1, index) != " ":
                    continue
                english_proper = (
                    self.scan.language == "en"
                    and token.is_capitalised
                    and not token.sentence_start
                    and not lex.is_everyday_word(token.folded)
                    and not _is_nounish(token.folded)
                )
                if (named and (capital_ok or lower_ok)) or english_proper:
                    yield self.candidate(index, self.extend(index))
                break
            # "mit Tobias besprochen", "mit Frank geklärt".
            if (
                index > 0
                and tokens[index - 1].folded == "mit"
                and (named and (capital_ok or lower_ok))
            ):
                last = self.extend(index)
                window = tokens[last + 1 : last + 4]
                if any(t.folded in _MIT_VERBS for t in window):
                    yield self.candidate(index, last)

    def gazetteer(self) -> Iterator[Candidate]:
        tokens, lex, text = self.tokens, self.lex, self.text
        for index, token in enumerate(tokens):
            if not token.is_word or token.is_placeholder or len(token.text) < 3:
                continue
            base = _base(token, lex)[0]
            if lex.is_everyday_word(base) or lex.is_everyday_word(token.folded):
                continue
            # Lower case "line", "van", "run" are words, whatever a name list says.
            if token.is_lower and base in lex.name_words:
                continue
            first_name = lex.is_first_name(base, standalone=True, lower_case=token.is_lower)
            surname = token.is_capitalised and base in lex.surnames and len(base) >= 4
            if not (first_name or surname):
                continue
            # "15. Jan 2024", "im Jan. 2023": a month abbreviation, not a name.
            before = text[max(0, token.start - 3) : token.start]
            after = text[token.end : token.end + 6]
            if any(ch.isdigit() for ch in before) or (
                after[:1] == "." and any(ch.isdigit() for ch in after)
            ):
                continue
            if after.lstrip(" .").startswith(("19", "20")) and after.lstrip(" .")[:4].isdigit():
                continue
            if index > 0 and _noun_position(tokens[index - 1], lex):
                continue
            if index + 1 < len(tokens) and tokens[index + 1].folded in _GREETING_NOUNS:
                continue  # "Beste Grüße", "Warm regards"
            if self._place_position(index):
                continue
            yield self.candidate(index, self.extend(index))
        # "Grace Miller", "Hope Adeyemi": an ambiguous first name followed by a surname; in
        # English, where only names are capitalised mid-sentence, by any capitalised word.
        english = self.scan.language == "en"
        for index, token in enumerate(tokens[:-1]):
            if not token.is_capitalised or not lex.is_first_name(token.folded):
                continue
            second = tokens[index + 1]
            if self.gap(index, index + 1) != " " or not second.is_capitalised:
                continue
            if lex.is_everyday_word(second.folded) or _is_nounish(second.folded):
                continue
            if second.folded in lex.surnames or (english and not token.sentence_start):
                yield self.candidate(index, index + 1)


# Words before a noun, never before a name: "einen Weber", "kein Schmied", "frischem Fang".
_INDEFINITES = folded_set(
    """ein eine einen einem einer eines kein keine keinen keinem keiner jeder jede jeden
    jedem manche viele einige mehrere zwei drei vier a an no every each another some many"""
)
_GREETING_NOUNS = folded_set("grüße grüsse gruß gruss wünsche regards wishes greetings")


def _noun_position(before: Token, lex: Lexicon) -> bool:
    """Does the word before make the next one a noun (an indefinite, an inflected adjective)?"""
    from needfinder.insights.anonymise.wordfreq import zipf

    if before.folded in _INDEFINITES:
        return True
    return (
        before.is_lower
        and before.folded.endswith(("em", "en", "er", "es"))
        and zipf(before.folded) >= 3
        and not lex.is_name(before.folded)
        and before.folded not in FUNCTION_WORDS
        and not lex.is_stopword(before.folded)
    )


# "Bin Flo, 34", "i'm kezia, 31": a word (or two) between a self-introduction and an age is a
# name, whatever its case and whether or not any list knows it.
_AGE_INTRO = re.compile(
    r"(?<![\w'’])(?i:ich\s+bin|bin|i['’]m|i\s+am|hier\s+ist|this\s+is|here['’]s|name['’]s)"
    r"\s+(?P<first>[^\W\d_]{2,}(?:-[^\W\d_]{2,})?)(?:\s+(?P<second>[^\W\d_]{2,}))?"
    r"\s*(?:,|\(|\s-)\s*\d{2}(?!\d)"
    # ... an age: followed by a comma, a full stop, a bracket, "Jahre alt" / "years old", "and".
    r"(?=\s*(?:[,.;)]|$|(?i:j\.|jahre\s+alt|years\s+old|y/?o\b|und\b|and\b)))"
)


# "best to call mags on 07700 ...", "ruft einfach anke unter 0171 ... an": a word between a
# verb of calling and a phone number is whom to call.
_CALL_NAME = re.compile(
    r"(?<![\w'’])(?i:call|ring|text|phone|ask\s+for|ruf|ruft|ruft\s+ihr|ruf\s+einfach)\s+"
    r"(?P<name>[^\W\d_]{2,})\s+(?i:on|at|unter|über|auf)\s+(?=[+(\d])"
)
_NOT_CALLED = folded_set(
    """support us me them him her you reception office hotline service team sales shop store
    uns mich ihn sie mir dir die den das einfach mal kurz bitte direkt the"""
)


# "thanks!! jess x", "lg anja": a single word closing the answer after a thank-you or greeting.
_CLOSING_NAME = re.compile(
    r"(?<![\w'’])(?i:thanks|thank\s+you|thx|cheers|ta|danke|lg|vg|mfg|gruß|grüße|gruss|best|love)"
    r"[\s!.,:;-]+(?P<name>[^\W\d_]{2,})(?:\s+x+)?[\s!.]*$"
)
_NOT_CLOSING_NAMES = folded_set(
    """mate mates all everyone everybody guys folks team again much lot lots heaps loads
    zusammen euch allen vielmals sehr schön nochmal again regards wishes"""
)
# "Grace and I started ...", "Jonas und ich": a first name beside "I" is a person.
_NAME_AND_I = re.compile(
    r"(?<![\w'’])(?P<name>[A-ZÄÖÜ][a-zäöüß]+)\s+(?:and|und|&)\s+(?:I|me|ich|mir|mich)(?![\w'’])"
)


def _closing_and_companion_names(scan: Scan) -> Iterator[Candidate]:
    lex = scan.lex
    match = _CLOSING_NAME.search(scan.text)
    if match is not None:
        name = fold(match.group("name"))
        if not (
            lex.is_stopword(name)
            or name in lex.common_nouns
            or name in _NOT_CALLED
            or name in _NOT_CLOSING_NAMES
            or name in _RELATIONS
        ):
            yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))
    for match in _NAME_AND_I.finditer(scan.text):
        if lex.is_first_name(fold(match.group("name"))):
            yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


def _called_people(scan: Scan) -> Iterator[Candidate]:
    lex = scan.lex
    for match in _CALL_NAME.finditer(scan.text):
        name = fold(match.group("name"))
        if name in _NOT_CALLED or name in _RELATIONS or lex.is_stopword(name):
            continue
        if name in lex.common_nouns or name in lex.brands:
            continue
        yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


# "Servus! Bin der Basti", "i bin die Vroni": southern German introduces a first name with its
# article. Roles ("der Neue", "die Chefin") are frequent words or relations and stay.
_ARTICLE_INTRO = re.compile(
    r"(?<![\w'’])(?i:ich\s+bin|bin|i\s+bin|i\s+bins)\s+(?i:der|die)\s+"
    r"(?P<name>[^\W\d_]{2,})(?![\w'’-])"
)


def _article_introductions(scan: Scan) -> Iterator[Candidate]:
    """A first name after "bin der/die" ("Bin der Basti"), unless it is a role or a word."""
    from needfinder.insights.anonymise.wordfreq import zipf

    lex = scan.lex
    for match in _ARTICLE_INTRO.finditer(scan.text):
        name = match.group("name")
        folded = fold(name)
        if (
            folded in _RELATIONS
            or folded in _TITLE_ROLES
            or lex.is_stopword(folded)
            or _is_nounish(folded)
            or (zipf(folded) >= 4 and not lex.is_first_name(folded))
            or (name.islower() and not lex.is_first_name(folded))
        ):
            continue
        yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


def _age_introductions(scan: Scan) -> Iterator[Candidate]:
    lex = scan.lex
    for match in _AGE_INTRO.finditer(scan.text):
        first = fold(match.group("first"))
        if first in FUNCTION_WORDS or lex.is_stopword(first) or first in lex.common_nouns:
            continue
        end = match.end("first")
        second = match.group("second")
        if second is not None:
            folded = fold(second)
            if not (folded in FUNCTION_WORDS or lex.is_stopword(folded)):
                end = match.end("second")
        yield Candidate(EntityType.PERSON, match.start("first"), end)


# "the Whites", "the strongs": a family by its surname in the plural.
_FAMILY = re.compile(r"(?<![\w-])(?:the|die)\s+(?P<name>[A-Za-zÄÖÜäöüß]{3,}?)(?:s)(?![\w'’-])")


def _families(scan: Scan) -> Iterator[Candidate]:
    """A known surname in the plural after "the" (not a word's plural: "the bakers")."""
    lex = scan.lex
    for match in _FAMILY.finditer(scan.text):
        base = fold(match.group("name"))
        # A lower-case plural that is also a word ("the strongs") stays a word.
        if base in lex.surnames and (
            match.group("name")[:1].isupper() or not lex.is_everyday_word(base)
        ):
            yield Candidate(EntityType.PERSON, match.start("name"), match.end())


# "Tel to most people", "Tess to her friends": a nickname before whom it is used by; "ask
# for the Manni", "frag nach dem Manni": a capitalised word after asking for someone.
_NICKNAME_FOR = re.compile(
    r"(?<![\w'’])(?P<name>[A-ZÄÖÜ][^\W\d_]+)\s+(?i:to|for)\s+(?i:her|his|my|their|our|most|all|the)?\s*"
    r"(?i:friends|mates|people|everyone|everybody|family|colleagues|customers|regulars)\b"
    # "(Coco für Fründe)", "Sigi für alle": the same in German and Swiss German.
    r"|(?<![\w'’])(?P<name_de>[A-ZÄÖÜ][^\W\d_]+)\s+(?i:für|fuer|bei)\s+"
    r"(?i:meine\s+|unsere\s+|die\s+)?(?i:freunde|fründe|freind|kumpels|kollegen|alle|familie|"
    r"stammkunden|kunden|kundschaft|leute|meisten)\b"
)
_ASKED_FOR = re.compile(
    r"(?<![\w'’])(?i:ask\s+for\s+the|frag(?:t)?\s+nach\s+(?:dem|der))\s+(?P<name>[A-ZÄÖÜ][^\W\d_]+)"
)

# "everyone calls him Jonno", "wir nennen sie Biggi", "alle sagen Schorsch zu mir", "goes by Mo":
# the word a naming verb gives someone.
_CALLED_AS = re.compile(
    r"(?<![\w'’])(?i:(?:we|everyone|everybody|people|they|all|friends|folks)(?:\s+(?:all|just|always))*"
    r"\s+call(?:s|ed)?\s+(?:him|her|me|them|us)(?:\s+(?:all|just|always))*|(?:wir|alle|man|die\s+leute|viele|freunde)\s+nenn(?:en|t)"
    r"\s+(?:ihn|sie|mich|uns)(?:\s+(?:alle|nur|immer|einfach))*|nennt\s+mich|call\s+me|"
    r"alle\s+sagen(?:\s+nur)?|"
    r"known\s+as|goes\s+by|genannt)\s+(?:(?:the|der|die|den)\s+)?(?P<name>[^\W\d_]{2,})"
)


def _nicknames_and_asked_for(scan: Scan) -> Iterator[Candidate]:
    """Nicknames by whom they are used ("Tel to most people") and names one asks for."""
    lex = scan.lex
    for pattern in (_NICKNAME_FOR, _ASKED_FOR, _CALLED_AS):
        for match in pattern.finditer(scan.text):
            group = "name" if match.group("name") is not None else "name_de"
            word = fold(match.group(group))
            if word in FUNCTION_WORDS or lex.is_stopword(word):
                continue
            if _frequent_non_name(word, lex, 3 if pattern is _ASKED_FOR else 4):
                continue  # "ask for the Manager"
            yield Candidate(EntityType.PERSON, match.start(group), match.end(group))


# "z. Hd. Renner", "zu Händen von Frau Lutz", "attn: Ola Brekke", "FAO Mr Pike", "c/o Jansen":
# who a delivery or letter is for; one or two words after an optional title.
_ATTENTION_OF = re.compile(
    r"(?<![\w'’])(?:z\.\s?Hd\.?|zu\s+H(?:ä|ae)nden(?:\s+von)?|(?i:attn|fao|c/o|for\s+the\s+attention\s+of))"
    r"[:\s]\s*(?:(?i:herrn?|frau|hr\.|fr\.|mr|mrs|ms|dr)\.?\s+)?"
    r"(?P<name>[A-ZÄÖÜ][^\W\d_]+(?:-[A-ZÄÖÜ][^\W\d_]+)?(?:\s+[A-ZÄÖÜ][^\W\d_]+(?:-[A-ZÄÖÜ][^\W\d_]+)?)?)"
)


def _attention_of(scan: Scan) -> Iterator[Candidate]:
    """The person a letter or delivery is addressed to ("z. Hd. Renner", "attn: Ola Brekke")."""
    lex = scan.lex
    for match in _ATTENTION_OF.finditer(scan.text):
        words = match.group("name").split()
        keep = 0
        for word in words:
            folded = fold(word)
            if lex.is_stopword(folded) or folded in _DEPARTMENTS or folded in lex.common_nouns:
                break
            keep += 1
        if keep:
            end = match.start("name") + len(" ".join(words[:keep]))
            yield Candidate(EntityType.PERSON, match.start("name"), end)


# "Lang mein Name, ...", "Steuer, mein Name.", "Okafor is my name": a surname said first. The name
# opens the answer or a sentence; "mein Name ist ..." (the name follows) is the introduction rule's.
_NAME_FIRST = re.compile(
    r"(?:^|(?<=[.!?\n])|(?<=[.!?]\s))\s*(?P<name>[^\W\d_]{2,}(?:-[^\W\d_]{2,})?"
    r"(?:\s[A-ZÄÖÜ][^\W\d_]+)?)(?:,?\s+(?i:(?:ist|is|wäre)\s+)?(?i:mein\s+name|my\s+name)"
    # "Okafor is the name", "Dunne's the name".
    r"|\s+is\s+the\s+name|['’]s\s+the\s+name)"
    r"(?!\s*(?i:ist|is|lautet|:|was|war|of|for))"
)


# "die unterweger aus dem einkauf", "beim wohlgemut im büro", "der fritsch im lager": a surname
# with an article, placed in a department. Job words ("der Fahrer aus dem Lager") are frequent
# nouns and stay; so do surnames that are ordinary words, which this context cannot tell apart.
_ARTICLE_IN_DEPARTMENT = re.compile(
    r"(?<![\w'’])(?i:der|die|dem|den|beim|bei\s+der|bei\s+dem|vom|von\s+der|zur|zum)\s+"
    r"(?P<name>[^\W\d_]{2,}(?:-[^\W\d_]{2,})?(?:\s[^\W\d_]{2,}(?:-[^\W\d_]{2,})?)?)\s+"
    r"(?i:(?:hinten|vorne|oben|unten|drüben)\s+)?(?i:aus|im|in|vom|von|am|an|bei)\s+"
    r"(?i:(?:dem|der|den|unserem|unserer|eurem|eurer)\s+)?(?P<department>[^\W\d_]+)"
)


def _people_in_departments(scan: Scan) -> Iterator[Candidate]:
    """A rare word with an article before a department ("die unterweger aus dem einkauf")."""
    from needfinder.insights.anonymise.wordfreq import form_zipf

    lex = scan.lex
    for match in _ARTICLE_IN_DEPARTMENT.finditer(scan.text):
        if fold(match.group("department")) not in _DEPARTMENTS:
            continue
        words = [fold(w) for w in match.group("name").split()]
        if all(_surname_not_role(w, lex) for w in words) or all(
            not lex.is_everyday_word(w)
            and form_zipf(w) < _RARE_WORD_ZIPF
            and not _is_nounish(w)
            and not _has_noun_head(w)
            for w in words
        ):
            yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


def _surname_not_role(folded: str, lex: Lexicon) -> bool:
    """A known surname that is no job or role ("bauer" yes, "meister" or "chef" no)."""
    return (
        folded in lex.surnames
        and folded not in _TITLE_ROLES
        and folded not in _PERSON_NOUNS
        and folded not in _RELATIONS
        and folded not in FUNCTION_WORDS
    )


def _has_noun_head(folded: str) -> bool:
    """A compound ending in a frequent noun of five letters or more ("Kaffee|maschine")."""
    from needfinder.insights.anonymise.wordfreq import german_form_zipf

    return any(
        german_form_zipf(folded[cut:]) >= _RARE_WORD_ZIPF for cut in range(3, len(folded) - 4)
    )


# A word below this Zipf bucket is rare enough to be a name where the context says so.
_RARE_WORD_ZIPF = 3

# "Dachs, Benedikt." opening an answer or a line: surname, comma, first name, as on a form.
_SURNAME_COMMA_FIRST = re.compile(
    r"(?m)^[ \t]*(?P<surname>[A-ZÄÖÜ][^\W\d_]+(?:-[A-ZÄÖÜ][^\W\d_]+)?),[ \t]+"
    r"(?P<first>[A-ZÄÖÜ][^\W\d_]+)[ \t]*(?=[.;\n]|$)"
)


def _surname_comma_first(scan: Scan) -> Iterator[Candidate]:
    """A form-style "Surname, First name" line; the first name must be a known one."""
    lex = scan.lex
    for match in _SURNAME_COMMA_FIRST.finditer(scan.text):
        surname = fold(match.group("surname"))
        if surname in _GREETINGS or surname in _NAME_FIRST_NOT or lex.is_stopword(surname):
            continue
        if not lex.is_first_name(fold(match.group("first"))):
            continue
        yield Candidate(EntityType.PERSON, match.start("surname"), match.end("first"))


_PLACE_PREPOSITIONS = folded_set("in near around across outside nahe um")

_NAME_FIRST_NOT = folded_set(
    """hallo hello hi hey moin servus übrigens btw also und and but aber nur auch hier da so
    jetzt dann noch eben halt ja nein doch schon leider zwar sogar only also just even here
    yes no so then"""
)


# What a person does, after its subject in English: "Emeka wants", "Andy retired".
_PERSON_VERBS = (
    r"(?:does|did|do|wants|wanted|runs|ran|handles|handled|set|sets|said|says|told|helps|helped|"
    r"looks|looked|takes|took|makes|made|works|worked|manages|managed|owns|owned|started|joined|"
    r"left|came|comes|went|goes|knows|thinks|reckons|suggested|recommended|sorted|fixed|drives|"
    r"cooks|bakes|built|designed|answers|picks|keeps|brings|cancelled|canceled|booked|ordered|"
    r"rang|called|emailed|paid|pays|owes|is\s+(?:my|our|the)|was\s+(?:my|our|the)|"
    r"has\s+been|will|can|can't|won't|doesn't|didn't|isn't|wasn't|retired|quit|resigned|"
    r"died|passed\s+away|moved|emigrated)\b"
)
# "Tayo set up the shop", "Emeka wants a food truck": a rare capitalised word opening an
# English sentence, followed by what a person does, is a person (or a firm: removed either way).
_ENGLISH_SUBJECT = re.compile(
    r"(?:^|(?<=[.!?\n])|(?<=[.!?]\s)|(?<=\bso\s)|(?<=\band\s)|(?<=\bbut\s))\s*"
    r"(?P<name>[A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)\s+" + _PERSON_VERBS
)
_PERSON_VERB_AFTER = re.compile(r"\s+" + _PERSON_VERBS)


def followed_by_a_persons_verb(text: str, end: int) -> bool:
    """Does an English verb of what people do follow this offset ("Andy| retired")?"""
    return _PERSON_VERB_AFTER.match(text, end) is not None


# "Meiling's dad", "kev's missus": whoever has a family member is a person.
_POSSESSOR_OF_KIN = re.compile(
    r"(?<![\w'’])(?P<name>[A-Za-z][a-z]{2,}(?:-[A-Za-z][a-z]+)?)['’]s\s+"
    r"(?i:dad|mum|mom|mother|father|wife|husband|missus|partner|brother|sister|son|daughter|"
    r"nan|nana|gran|granny|grandad|grandpa|grandma|uncle|aunt|auntie|cousin|girlfriend|"
    r"boyfriend|fiancé|fiancée|fiance|kids|children|in-laws|stepdad|stepmum)\b"
)


def _possessors_of_kin(scan: Scan) -> Iterator[Candidate]:
    """A name before "'s dad", "'s wife" and other family words, unless it is a word."""
    lex = scan.lex
    for match in _POSSESSOR_OF_KIN.finditer(scan.text):
        name = match.group("name")
        folded = fold(name)
        if lex.is_stopword(folded) or folded in FUNCTION_WORDS or folded in _RELATIONS:
            continue
        # "the customer's wife", "my mate's dad": a noun owns them, no name.
        if lex.is_everyday_word(folded) and not (name[0].isupper() and lex.is_name(folded)):
            continue
        yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


def _english_subjects(scan: Scan) -> Iterator[Candidate]:
    """A rare capitalised word as the subject of a person's verb, in English text."""
    from needfinder.insights.anonymise.wordfreq import zipf

    lex = scan.lex
    for match in _ENGLISH_SUBJECT.finditer(scan.text):
        folded = fold(match.group("name"))
        if (
            zipf(folded) >= _RARE_WORD_ZIPF - 1
            or lex.is_everyday_word(folded)
            or folded in lex.brands
            or _is_nounish(folded)
        ):
            continue
        yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


def _name_first(scan: Scan) -> Iterator[Candidate]:
    """A name said before "mein Name" / "is my name"."""
    lex = scan.lex
    for match in _NAME_FIRST.finditer(scan.text):
        words = [fold(w) for w in match.group("name").split()]
        # A stop word that is also a surname ("Lang", "Kurz") counts only when capitalised.
        if any(
            w in FUNCTION_WORDS
            or w in _GREETINGS
            or w in _NAME_FIRST_NOT
            or (lex.is_stopword(w) and not match.group("name")[0].isupper())
            for w in words
        ):
            continue
        yield Candidate(EntityType.PERSON, match.start("name"), match.end("name"))


def _frequent_non_name(word: str, lex: Lexicon, bucket: int) -> bool:
    """A word at least this frequent (Zipf bucket) that no name list knows."""
    from needfinder.insights.anonymise.wordfreq import zipf

    return zipf(word) >= bucket and not lex.is_name(word)


# "koch, beata koch, mir gehört der laden", "Parsons, Danny Parsons": a surname said first and
# then again at the end of the full name. The repetition is the evidence, so it holds for
# ordinary words ("Hope", "Schüler") too.
_SURNAME_REPEATED = re.compile(
    r"(?<![\w'’-])(?P<surname>[^\W\d_]{2,}(?:-[^\W\d_]{2,})?),[ \t]+"
    r"(?P<full>[^\W\d_]{2,}(?:-[^\W\d_]+)?(?:[ \t]+[^\W\d_]+)?[ \t]+(?P=surname))(?![\w'’-])",
    re.IGNORECASE,
)


def _repeated_surnames(scan: Scan) -> Iterator[Candidate]:
    """A surname said first and repeated at the end of the full name that follows it."""
    from needfinder.insights.anonymise.wordfreq import zipf

    for match in _SURNAME_REPEATED.finditer(scan.text):
        first = fold(match.group("full").split()[0])
        if first in FUNCTION_WORDS or scan.lex.is_stopword(first):
            continue
        # "cat sitter, house sitter": the word before the surname must be able to be a name.
        if zipf(first) >= 4 and not scan.lex.is_first_name(first, standalone=True):
            continue
        yield Candidate(EntityType.PERSON, match.start("surname"), match.end("surname"))
        yield Candidate(EntityType.PERSON, match.start("full"), match.end("full"))


def find_people(scan: Scan) -> Iterator[Candidate]:
    """Person names from titles, relations, introductions, signatures, context and gazetteer."""
    if not scan.tokens:
        return
    people = _People(scan)
    yield from _age_introductions(scan)
    yield from _article_introductions(scan)
    yield from _closing_and_companion_names(scan)
    yield from _nicknames_and_asked_for(scan)
    yield from _attention_of(scan)
    yield from _people_in_departments(scan)
    if scan.language == "en":
        yield from _english_subjects(scan)
        if "'s " in scan.text or "’s " in scan.text:
            yield from _possessors_of_kin(scan)
    if "," in scan.text:
        yield from _surname_comma_first(scan)
    if "name" in scan.text.lower():
        yield from _name_first(scan)
    if "," in scan.text:
        yield from _repeated_surnames(scan)
    if scan.digit_count >= 5:
        yield from _called_people(scan)
    yield from people.after_titles()
    yield from people.after_relations()
    yield from people.introductions()
    yield from people.signatures()
    yield from people.in_passing()
    if "the " in scan.text or "The " in scan.text:
        yield from _families(scan)


def find_listed_names(scan: Scan) -> Iterator[Candidate]:
    """Words the name lists know, in no context that makes them names (see the Anonymiser)."""
    if not scan.tokens:
        return
    yield from _People(scan).gazetteer()


def find_introduced_people(scan: Scan) -> Iterator[Candidate]:
    """Only the high-confidence rules (introductions, signatures, titles, relations).

    Used to learn names for later answers, where a wrong guess would be repeated everywhere.
    """
    if not scan.tokens:
        return
    people = _People(scan)
    yield from _age_introductions(scan)
    yield from people.introductions()
    yield from people.signatures()
    yield from people.after_titles()
    yield from people.after_relations()
