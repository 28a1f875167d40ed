"""Generate the anonymiser's training/development set from templates and Faker data, offline.

Run: ``python scripts/generate_anonymiser_sets.py [--answers 6000] [--seed 7]`` (needs the
``train`` extra: ``pip install -e '.[train]'``). Writes
``needfinder/insights/anonymise/data/train_set.jsonl`` in the evaluation format (see
``needfinder/insights/anonymise/evaluation.py``): split "train" for the part the tagger learns
from and "gen-dev" for generated answers it never sees. Also converts the hand-written
development sets ``scripts/dev_hand_source.txt`` (markup ``[[TYPE|value]]``) into
``data/dev_hand_set.jsonl`` and ``scripts/dev_contact_source.txt`` (contact data and numbers in
every format, written by a helper from the markup brief) into ``data/dev_contact_set.jsonl``,
and ``scripts/dev_traps_source.txt`` (mostly answers without personal data, full of words that
are also names, written the same way) into ``data/dev_traps_set.jsonl``, and
``scripts/dev_firms_source.txt`` (firm names in every kind of context) into
``data/dev_firms_set.jsonl``.

Diversity matters more than size: names, firms and addresses come from five Faker locales
(de_DE, de_AT, de_CH, en_GB, en_US) plus short lists of real towns and ordinary-word surnames;
each class has many templates; answers are randomly lower-cased, get typos outside the labelled
values, and a quarter carry no personal data at all, so that the tagger cannot simply learn the
templates.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from faker import Faker

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "needfinder" / "insights" / "anonymise" / "data"


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a literal."""
    return text.split()


LOCALES_DE = ("de_DE", "de_AT", "de_CH")
LOCALES_EN = ("en_GB", "en_US")

TOWNS = {
    "de_DE": "Berlin Hamburg München Köln Leipzig Dresden Kassel Bremen Hannover Freiburg "
    "Mainz Münster Bielefeld Rostock Erfurt Augsburg Würzburg Kiel Lübeck Trier Ulm Jena",
    "de_AT": "Wien Graz Linz Salzburg Innsbruck Klagenfurt Villach Wels Dornbirn Steyr",
    "de_CH": "Zürich Bern Basel Luzern Winterthur St. Gallen Lugano Biel Thun Aarau Chur",
    "en_GB": "London Leeds Bristol Manchester Glasgow Cardiff York Bath Norwich Brighton "
    "Sheffield Leicester Exeter Oxford Cambridge Derby Belfast Aberdeen",
    "en_US": "Boston Denver Austin Portland Chicago Seattle Phoenix Dayton Omaha Tulsa "
    "Madison Albany Fresno Tampa Raleigh Richmond",
}
# Surnames that are also ordinary words: the hard case for any list.
WORD_SURNAMES_DE = _words(
    "Weiß Lang Hase Engel Herbst Hirsch Fuchs Wolf Klein Koch Bauer Frost Sommer Winter "
    "Vogel Fink Stein Berg Kaiser König Graf Schmied Jäger Fischer Becker Krüger Sauer "
    "Braun Schwarz Roth Lamm Adler Falke Kranich Morgen Abend Blum Busch Dorn Eiche Kuhn "
    "Reich Frei Gut Lieb Ernst Kurz Mond Sonne Storch Strauß Bär Biber"
)
WORD_SURNAMES_EN = _words(
    "Baker Smith Cook Young King Rose Hope Frost Grace Bush Hill Wood Stone Fox Green Brown "
    "White Black Long Short Price Mason Carpenter Fisher Hunter Walker Bird Swan Lamb Bell "
    "Moon Day Knight Page Bishop Marsh Brook Field Lane Street Pool Castle Summers Winter"
)
FOREIGN_FIRST = _words(
    "Deaglan Siobhan Aoife Niamh Oisin Ciaran Saoirse Tadhg Eilidh Ruairi Mairead Ffion "
    "Dafydd Cerys Rhys Zeynep Emre Yusuf Elif Aylin Mehmet Ayşe Kacper Zofia Wojciech "
    "Agnieszka Dragan Milica Jovana Ioana Bogdan Anca Thi Minh Huong Quang Nkechi Chidi "
    "Oluwaseun Amara Kwame Priya Aarav Ishaan Ananya Rohan Yuki Haruto Sakura Ren Mei Jun "
    "Leilani Kalani Anahera Tane Ilse Joost Sven Maja Aksel Birgit Tove Noor Layla Omar"
)
FANTASY_PARTS = _words(
    "Nord Süd Licht Blau Grün Stern Sonnen Wind Wellen Falken Adler Eichen Birken Linden "
    "Kristall Silber Gold Berg Tal See Fluss Feder Funken Flink Pixel Nova Luna Terra Aqua "
    "Vita Prima Alpha Omega Zeno Kairo Orbit Quant Vento Sol Mare Nexus Lumen Polar Alpen"
)
FANTASY_TAILS = _words(
    "licht werk blick stern wind feld punkt kraft form haus bau zeit raum tec net ix io "
    "ora ana ello ino us on a"
)
TRADE_DE = _words(
    "Logistik Medien Catering Events Bau Technik Service Reinigung Design Consulting "
    "Immobilien Elektro Sanitär Transporte Umzüge Druck Verpackung Gastro Pflege Werbung "
    "Software Systeme Solar Garten Holz Metall Textil Kosmetik Reisen Finanz Energie "
    "Floristik Gebäudetechnik Haustechnik Messebau Zweiradtechnik Fotografie Eventtechnik "
    "Gastronomie Dienstleistungen Handwerk Manufaktur Werkstatt Studio Kreativ"
)
TRADE_EN = _words(
    "Logistics Media Catering Events Building Tech Services Cleaning Design Consulting "
    "Removals Roofing Plumbing Electrics Printing Supplies Landscaping Joinery Studio Labs "
    "Solutions Systems Software Motors Travel Foods Crafts Interiors Fitness Coffee "
    "Brothers Bros Haulage Fabrication Renovations Outfitters Provisions Textiles Glazing "
    "Scaffolding Kitchens Bathrooms Couriers Logistics Photography Bakehouse Brewing"
)
SHOP_EN = _words(
    "deli garage bakery cafe diner salon barbers florist bikes kitchen pub hardware "
    "bookshop pharmacy butchers plumbing tailors cleaners laundry"
)
SHOP_DE = _words(
    "Bäckerei Metzgerei Autohaus Friseursalon Blumenladen Apotheke Kanzlei Gärtnerei "
    "Schreinerei Fahrschule Reisebüro Pension Gasthaus Optik Weingut Hofladen Druckerei"
)
LEGAL_DE = (
    "GmbH",
    "gmbh",
    "UG (haftungsbeschränkt)",
    "ug (haftungsbeschränkt)",
    "KG",
    "AG",
    "GmbH & Co. KG",
    "e.K.",
    "OHG",
    "GbR",
    "gbr",
    "UG",
)
LEGAL_EN = ("Ltd", "Ltd.", "ltd", "LLC", "llc", "Inc.", "inc", "PLC", "Limited", "LLP", "Corp.")
NICK_SUFFIX = ("i", "y", "ie", "", "", "")
TITLES_DE = ("Frau", "Herr", "Herrn", "frau", "herr", "Hr.", "Fr.", "Dr.", "Frau Dr.")
TITLES_EN = ("Mr", "Mrs", "Ms", "Mr.", "Dr", "mrs", "miss", "Mx")
JOBS_DE = (
    "Friseurin",
    "Schreiner",
    "Steuerberaterin",
    "Pflegekraft",
    "Lagerleiter",
    "Köchin",
    "Elektriker",
    "Erzieherin",
    "Einkäuferin",
    "selbstständig",
    "Inhaber einer Werkstatt",
    "im Vertrieb",
    "Bäcker",
    "Fotografin",
    "Hausmeister",
)
JOBS_EN = (
    "a plumber",
    "a florist",
    "an accountant",
    "self-employed",
    "running a small shop",
    "in procurement",
    "a nurse",
    "a baker",
    "a teacher",
    "a driver",
    "an electrician",
    "the office manager",
    "a freelance designer",
    "a chef",
)
ID_LABELS_DE = (
    "Kundennummer",
    "kundennummer",
    "Kundennr.",
    "Kd.-Nr.",
    "KdNr",
    "kundenummer",
    "Kundenumer",
    "Bestellnummer",
    "bestellnr",
    "Vertragsnummer",
    "Vertragsnr",
    "Auftragsnummer",
    "Rechnungsnummer",
    "Mitgliedsnummer",
    "Ticketnummer",
    "Vorgangsnummer",
    "Versichertennummer",
)
ID_LABELS_EN = (
    "Account number",
    "account no",
    "Account nmuber",
    "acount number",
    "customer number",
    "Customer ID",
    "order number",
    "order no.",
    "ordr number",
    "policy number",
    "ref",
    "reference",
    "membership no",
    "ticket",
    "case number",
    "invoice no",
    "booking ref",
)
FILLERS_DE = (
    "Die Lieferung kam drei Tage zu spät und keiner hat Bescheid gesagt.",
    "Wir nutzen SAP für die Warenwirtschaft und Excel für alles andere.",
    "Am meisten nervt mich, dass die Rechnungen per Post kommen.",
    "Im Sommer ist bei uns Hochsaison, da bleibt keine Zeit für Papierkram.",
    "Die App stürzt ab, sobald ich ein Foto hochlade.",
    "Ehrlich gesagt ist der Preis okay, aber der Service lässt nach.",
    "Wir bestellen meistens über Amazon oder direkt beim Großhändler.",
    "Der Bäcker um die Ecke macht das besser, der hat einfach Zeit.",
    "Klein aber fein, so würde ich unser Sortiment beschreiben.",
    "Seit dem Frost im Februar sind die Leitungen kaputt.",
    "Sauer bin ich vor allem wegen der Hotline.",
    "Die Schneiderin und der Fischer vom Markt haben dasselbe Problem.",
    "Mit DHL klappt es meistens, mit Hermes selten.",
    "Unser Lager in Kassel ist zu klein geworden.",
    "Die Kunden fragen ständig nach Zoom-Terminen.",
    "Lang ist es her, dass das mal reibungslos lief.",
    "Wir haben drei Filialen und zwölf Mitarbeiter.",
    "Die Schulung war gut, aber zu kurz.",
    "Am Wochenende macht das keiner, also bleibt es bis Montag liegen.",
    "Die Frist ist viel zu knapp, da kommt man nicht hinterher.",
    "Der Hase im Logo ist übrigens von meiner Tochter gemalt.",
    "Weiß nicht genau, vielleicht zweimal im Monat.",
    "Die Engel-Figuren verkaufen sich im Winter am besten.",
    "Der Herbst ist bei uns ruhig, im Dezember brennt die Hütte.",
    "Wir arbeiten viel mit Lexware und DATEV.",
    "Mein Chef will alles schriftlich, per Fax sogar.",
    "Die Koch-Kurse am Samstag sind immer ausgebucht.",
    "Ich finde das Formular unübersichtlich, vor allem Seite zwei.",
    "Das Paket lag beim Nachbarn, das war okay.",
    "Die Preise in Wien sind höher als in Graz.",
    "Die Ware aus Zürich braucht wegen dem Zoll ewig.",
    "Wir verkaufen Honig, Kerzen und ein bisschen Keramik.",
    "Die Stornierung hat zwei Wochen gedauert.",
    "Am liebsten wäre mir ein Ansprechpartner, der sich auskennt.",
    "Der Vertrag läuft noch bis März, dann sehen wir weiter.",
)
FILLERS_EN = (
    "The delivery was three days late and nobody told us.",
    "We use Xero for invoicing and a spreadsheet for everything else.",
    "Frost damage to the pipes cost us a week in January.",
    "There is a grace period of thirty days, which helps.",
    "The app crashes whenever I upload a photo.",
    "Honestly the price is fine but support has got worse.",
    "We mostly order through Amazon or straight from the wholesaler.",
    "The baker round the corner does it better, he just has time.",
    "Summer is our busy season so paperwork piles up.",
    "Royal Mail is slow but at least it turns up.",
    "Our warehouse in Leeds is too small now.",
    "Customers keep asking for Zoom calls.",
    "We have two branches and about ten staff.",
    "The training was good but far too short.",
    "Nobody works weekends so it waits until Monday.",
    "Hope that helps, happy to answer more.",
    "Will it work on Android too? That matters for us.",
    "The hunter green colour sold out in a day.",
    "Our stone and wood products ship from a depot.",
    "I found the form confusing, especially page two.",
    "The parcel was left with a neighbour, which was fine.",
    "Prices in London are higher than in Bristol.",
    "We sell honey, candles and some pottery.",
    "The refund took two weeks to arrive.",
    "I would love one contact person who knows the account.",
    "The contract runs until March, then we will see.",
    "Mark my words, this will get worse before it gets better.",
    "Rose gold is the colour everybody wants this year.",
    "We switched from Sage to QuickBooks last spring.",
    "Amber alerts on the dashboard are too easy to miss.",
    "The king size option is what most people pick.",
)


class Builder:
    """Concatenates pieces into one answer and records the labelled spans."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[dict[str, object]] = []

    def add(self, piece: str, kind: str | None = None) -> None:
        """Append text; when ``kind`` is given, the appended text is one labelled value."""
        if kind is not None and piece:
            self.spans.append(
                {"type": kind, "start": len(self.text), "end": len(self.text) + len(piece)}
            )
        self.text += piece


class Gen:
    """Random values for the templates, from Faker and the lists above."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {}
        for offset, locale in enumerate(LOCALES_DE + LOCALES_EN):
            faker = Faker(locale)
            faker.seed_instance(seed + offset)
            self.fakers[locale] = faker

    def faker(self, lang: str) -> tuple[str, Faker]:
        """A locale of the language and its Faker."""
        locale = self.rng.choice(LOCALES_DE if lang == "de" else LOCALES_EN)
        return locale, self.fakers[locale]

    def case(self, value: str, lower: float = 0.2) -> str:
        """Sometimes lower-case a value, as people do in chat."""
        return value.lower() if self.rng.random() < lower else value

    def pseudo(self) -> str:
        """An invented name in no word list ("Tavrek", "Molinde"): only the context tells."""
        rng = self.rng
        syllables = rng.randint(2, 3)
        word = "".join(
            rng.choice("bdfghklmnprstvwzcj")
            + rng.choice(("a", "e", "i", "o", "u", "ae", "ia", "ou"))
            for _ in range(syllables)
        )
        word += rng.choice(("", "", "n", "k", "l", "s", "rt", "nd", "gh"))
        return word.capitalize()

    def first(self, lang: str) -> str:
        """A first name; sometimes a rare foreign one or an invented one."""
        roll = self.rng.random()
        if roll < 0.12:
            return self.rng.choice(FOREIGN_FIRST)
        if roll < 0.22:
            return self.pseudo()
        return self.faker(lang)[1].first_name().split()[0]

    def last(self, lang: str) -> str:
        """A surname; often one that is also an ordinary word."""
        roll = self.rng.random()
        if roll < 0.1:
            return self.pseudo()
        if roll < 0.3:
            return self.rng.choice(WORD_SURNAMES_DE if lang == "de" else WORD_SURNAMES_EN)
        if roll < 0.38:
            return self.rng.choice(WORD_SURNAMES_EN if lang == "de" else WORD_SURNAMES_DE)
        return self.faker(lang)[1].last_name()

    def nick(self, lang: str) -> str:
        """A nickname made from a first name ("Flo", "Steffi", "Benny")."""
        name = self.faker(lang)[1].first_name().split()[0]
        stem = name[: self.rng.choice((3, 3, 4))]
        return stem + self.rng.choice(NICK_SUFFIX) if len(name) > 4 else name

    def fantasy(self) -> str:
        """An invented brand word ("Nordlicht", "Pixelio")."""
        return self.rng.choice(FANTASY_PARTS) + self.rng.choice(FANTASY_TAILS)

    def org(self, lang: str) -> str:
        """A firm name counted as a whole: fantasy + trade word, or a name with a legal form."""
        roll = self.rng.random()
        trades = TRADE_DE if lang == "de" else TRADE_EN
        if roll < 0.45:
            head = self.fantasy() if self.rng.random() < 0.7 else self.last(lang)
            name = f"{head} {self.rng.choice(trades)}"
        elif roll < 0.7:
            legal = self.rng.choice(LEGAL_DE if lang == "de" else LEGAL_EN)
            base = self.faker(lang)[1].last_name() if self.rng.random() < 0.5 else self.fantasy()
            if self.rng.random() < 0.4:
                base += " " + self.rng.choice(trades)
            name = f"{base} {legal}"
        elif roll < 0.8:
            name = f"{self.last(lang)}-{self.last(lang)}"
        elif roll < 0.9 and lang == "en":
            name = f"{self.last(lang)} and Sons"
        elif lang == "en":
            name = f"The {self.rng.choice(FANTASY_PARTS)} {self.rng.choice(TRADE_EN)}"
        else:
            name = f"{self.last(lang)} & Söhne"
        return self.case(name, 0.35)

    def town(self, locale: str) -> str:
        """A real town of the locale, or a Faker one."""
        if self.rng.random() < 0.6:
            return self.rng.choice(TOWNS[locale].replace("St. Gallen", "St.Gallen").split())
        return self.fakers[locale].city()

    def street(self, locale: str) -> str:
        """A street with house number in the locale's order."""
        faker = self.fakers[locale]
        number = str(self.rng.randint(1, 220)) + self.rng.choice(("", "", "", "a", "b"))
        if locale.startswith("de"):
            name = faker.street_name()
            if self.rng.random() < 0.2:
                name = name.replace("straße", "str.").replace("strasse", "str.")
            return f"{name} {number}"
        return f"{number} {faker.street_name()}"

    def address(self, lang: str, *, with_street: bool = True) -> str:
        """A postal address in one of the locale formats (one labelled value)."""
        locale, faker = self.faker(lang)
        town = self.town(locale)
        if locale == "en_US":
            tail = f"{town}, {faker.state_abbr()} {faker.zipcode()}"
        elif locale == "en_GB":
            tail = f"{town} {faker.postcode()}"
        else:
            tail = f"{faker.postcode()} {town}"
        if not with_street:
            return self.case(tail, 0.3)
        separator = self.rng.choice((", ", ", ", " ", " in ")) if locale != "en_US" else ", "
        return self.case(self.street(locale) + separator + tail, 0.3)

    def ident(self) -> str:
        """A customer or order number in one of many shapes ("V-050178", "AB123456")."""
        rng = self.rng
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(5, 9)))
        letters = "".join(rng.choice("ABCDEFGHKLMNPRSTVXZ") for _ in range(rng.randint(1, 3)))
        shapes = (
            digits,
            f"{letters}{digits}",
            f"{letters}-{digits}",
            f"{letters[:2]}-{digits[:4]}-{digits[4:] or '17'}",
            f"{rng.randint(2019, 2026)}-{digits}",
            f"{letters.lower()}{digits}",
            f"{digits[:3]} {digits[3:]}",
        )
        return rng.choice(shapes)

    def phone(self, lang: str) -> str:
        """A phone number from Faker."""
        return self.faker(lang)[1].phone_number()

    def email(self, first: str, last: str) -> str:
        """An e-mail address built from a name."""
        clean = re.sub(r"[^a-z]", "", (first + "." + last).lower().replace("ß", "ss")) or "info"
        domain = self.rng.choice(("gmx.de", "web.de", "gmail.com", "outlook.com", "posteo.de"))
        return f"{clean}@{domain}"


def _age(rng: random.Random) -> str:
    return str(rng.randint(19, 71))


def person_templates(g: Gen, b: Builder, lang: str) -> None:
    """One sentence that introduces or mentions people."""
    rng = g.rng
    first, last, nick = g.case(g.first(lang)), g.case(g.last(lang)), g.case(g.nick(lang))
    job = rng.choice(JOBS_DE if lang == "de" else JOBS_EN)
    if lang == "de":
        options: list[Callable[[], None]] = [
            lambda: (
                b.add(rng.choice(("ich bin ", "Ich bin ", "Hi, ich bin "))),
                b.add(f"{first} {last}", "PERSON"),
                b.add(f", {_age(rng)}, {job}. "),
            ),
            lambda: (
                b.add(rng.choice(("Ich heiße ", "ich heiße ", "ich heisse "))),
                b.add(first, "PERSON"),
                b.add(f" und bin {job}. "),
            ),
            lambda: (b.add(last, "PERSON"), b.add(" mein Name, ich bin "), b.add(f"{job}. ")),
            lambda: (
                b.add(rng.choice(("Bin ", "bin "))),
                b.add(nick, "PERSON"),
                b.add(f", {_age(rng)}, {job}. "),
            ),
            lambda: (
                b.add("Hier schreibt "),
                b.add(f"{first} {last}", "PERSON"),
                b.add(" ("),
                b.add(nick, "PERSON"),
                b.add(" für Freunde). "),
            ),
            lambda: (
                b.add(f"hab mit {rng.choice(TITLES_DE)} "),
                b.add(last, "PERSON"),
                b.add(" telefoniert, die war nett. "),
            ),
            lambda: (
                b.add(rng.choice(("der ", "die "))),
                b.add(last.lower(), "PERSON"),
                b.add(rng.choice((" aus dem Lager", " aus der Buchhaltung", " vom Empfang"))),
                b.add(" hat das dann geklärt. "),
            ),
            lambda: (
                b.add(rng.choice(("bei der ", "beim "))),
                b.add(last, "PERSON"),
                b.add(" im Büro liegt das noch. "),
            ),
            lambda: (
                b.add(rng.choice(("Meine Kollegin ", "mein Kollege ", "Unsere Chefin "))),
                b.add(first, "PERSON"),
                b.add(" macht die Buchhaltung. "),
            ),
            lambda: (b.add("Am besten ruft ihr "), b.add(first, "PERSON"), b.add(" an. ")),
            lambda: (
                b.add(rng.choice(("Wir sind zu viert (", "Mit dabei waren ", "Das Team: "))),
                b.add(g.case(g.first(lang)), "PERSON"),
                b.add(", "),
                b.add(g.case(g.first(lang)), "PERSON"),
                b.add(rng.choice((" und ", " & ", ", "))),
                b.add(g.case(g.first(lang)), "PERSON"),
                b.add(rng.choice((". ", ", alle aus der Gegend. ", " und ich. "))),
            ),
            lambda: (
                b.add(rng.choice(("Ich bin ", "ich bin ", "Hallo, ich bin "))),
                b.add(f"{first} {last}", "PERSON"),
                b.add(
                    rng.choice(
                        (
                            " und verkaufe Handyhüllen. ",
                            " und mache Hochzeiten. ",
                            ". ",
                            " – kleiner Laden. ",
                            " vom Wochenmarkt. ",
                            " und neu hier. ",
                        )
                    )
                ),
            ),
            lambda: (
                b.add("Wir sind zu dritt ("),
                b.add(g.first(lang), "PERSON"),
                b.add(", "),
                b.add(g.first(lang), "PERSON"),
                b.add(" und ich). "),
            ),
            lambda: (b.add("Mein Name ist "), b.add(f"{first} {last}", "PERSON"), b.add(". ")),
            lambda: (
                b.add("Frau "),
                b.add(last, "PERSON"),
                b.add(" vom Kundendienst hat nie zurückgerufen. "),
            ),
            lambda: (b.add("Hallo, hier ist "), b.add(first, "PERSON"), b.add(" von nebenan. ")),
        ]
    else:
        options = [
            lambda: (
                b.add(rng.choice(("i'm ", "I'm ", "Hi, I am "))),
                b.add(f"{first} {last}", "PERSON"),
                b.add(f", {_age(rng)}, {job}. "),
            ),
            lambda: (
                b.add(rng.choice(("name's ", "Name's ", "my name is "))),
                b.add(first, "PERSON"),
                b.add(f", {job}. "),
            ),
            lambda: None,  # replaced below: "<name> here" starts the sentence
            lambda: (
                b.add("best to call "),
                b.add(first, "PERSON"),
                b.add(" on "),
                b.add(g.phone(lang), "PHONE"),
                b.add(". "),
            ),
            lambda: (
                b.add(f"spoke to {rng.choice(TITLES_EN)} "),
                b.add(last, "PERSON"),
                b.add(" in accounts, no luck. "),
            ),
            lambda: (
                b.add(rng.choice(("Me and my partners (", "There were four of us (", "("))),
                b.add(g.case(g.first(lang)), "PERSON"),
                b.add(", "),
                b.add(g.case(g.first(lang)), "PERSON"),
                b.add(rng.choice((" and ", " & ", ", "))),
                b.add(g.case(g.first(lang)), "PERSON"),
                b.add(rng.choice((") started in 2019. ", " and me) went. ", ") all agree. "))),
            ),
            lambda: (
                b.add(rng.choice(("I'm ", "i am ", "Hi, I'm ", "hello, i'm "))),
                b.add(f"{first} {last}", "PERSON"),
                b.add(
                    rng.choice(
                        (
                            " and I sell phone cases. ",
                            " and we do weddings. ",
                            ". ",
                            " - small shop owner. ",
                            " from the market. ",
                            " and I'm new here. ",
                        )
                    )
                ),
            ),
            lambda: (
                b.add("There are three of us ("),
                b.add(g.first(lang), "PERSON"),
                b.add(", "),
                b.add(g.first(lang), "PERSON"),
                b.add(" and me). "),
            ),
            lambda: (
                b.add(rng.choice(("my colleague ", "My manager ", "our driver "))),
                b.add(first, "PERSON"),
                b.add(" handles the invoices. "),
            ),
            lambda: (
                b.add(f"{first} {last}", "PERSON"),
                b.add(" ("),
                b.add(nick, "PERSON"),
                b.add(" to friends) here. "),
            ),
            lambda: (
                b.add("I was helped by "),
                b.add(f"{first} {last}", "PERSON"),
                b.add(" last week. "),
            ),
            lambda: (b.add("Ask for "), b.add(first, "PERSON"), b.add(" at the front desk. ")),
        ]
    option = rng.choice(options)
    if option is options[2] and lang == "en":
        b.add(first, "PERSON")
        b.add(f" here, {job}. ")
        return
    option()


def signoff(g: Gen, b: Builder, lang: str) -> None:
    """A sign-off with a nickname or a full name."""
    rng = g.rng
    if rng.random() < 0.5:
        b.add(
            rng.choice(
                (
                    "\nLG ",
                    "\nlg ",
                    " VG ",
                    "\nGruß ",
                    "\nViele Grüße\n",
                    " ta, ",
                    " cheers, ",
                    "\nThanks,\n",
                    " Best, ",
                    "\n- ",
                )
            )
        )
        b.add(g.case(g.nick(lang) if rng.random() < 0.5 else g.first(lang), 0.4), "PERSON")
    else:
        b.add(rng.choice(("\n", "\nBeste Grüße\n", "\nKind regards\n", "\n-- \n")))
        b.add(f"{g.first(lang)} {g.last(lang)}", "PERSON")


def org_templates(g: Gen, b: Builder, lang: str) -> None:
    """One sentence naming a firm or shop."""
    rng = g.rng
    org = g.org(lang)
    if lang == "de":
        choice = rng.randrange(8)
        if choice == 0:
            b.add(rng.choice(("wir sind ", "Wir sind ", "wir heißen ", "Wir heissen ")))
            b.add(org, "ORG")
            b.add(" und machen " + rng.choice(("Umzüge. ", "Events in der Region. ", "alles. ")))
        elif choice == 1:
            b.add("ich bin mit ")
            b.add(org, "ORG")
            b.add(" selbstständig. ")
        elif choice == 2:
            b.add(rng.choice(("Ich arbeite bei ", "ich arbeite für ", "Wir bestellen bei ")))
            b.add(org, "ORG")
            b.add(". ")
        elif choice == 3:
            b.add(rng.choice(SHOP_DE) + " ")
            b.add(g.case(g.last(lang)), "ORG")
            b.add(" hat das auch so gemacht. ")
        elif choice == 4:
            b.add("Die Firma ")
            b.add(org, "ORG")
            b.add(" liefert uns die Teile. ")
        elif choice == 5:
            b.add("Unser Laden heißt ")
            b.add(org, "ORG")
            b.add(", gibt's seit 2009. ")
        elif choice == 6:
            b.add("Früher waren wir bei ")
            b.add(org, "ORG")
            b.add(", jetzt machen wir das selbst. ")
        else:
            b.add("Ich habe die ")
            b.add(org, "ORG")
            b.add(" gegründet. ")
    else:
        choice = rng.randrange(8)
        if choice == 0:
            b.add(rng.choice(("I work at ", "i work for ", "We buy from ", "we order from ")))
            b.add(org, "ORG")
            b.add(". ")
        elif choice == 1:
            b.add(rng.choice(("I run ", "i own ", "We have ")))
            b.add(g.case(g.last(lang)), "ORG")
            b.add(f"'s {rng.choice(SHOP_EN)} on the corner. ")
        elif choice == 2:
            b.add(rng.choice(("we're ", "We are ")))
            b.add(org, "ORG")
            b.add(", a small team. ")
        elif choice == 3:
            b.add("Used to be with ")
            b.add(org, "ORG")
            b.add(" until last year. ")
        elif choice == 4:
            b.add("my company, ")
            b.add(org, "ORG")
            b.add(", does events. ")
        elif choice == 5:
            b.add("I got quotes from ")
            b.add(org, "ORG")
            b.add(" and ")
            b.add(g.org(lang), "ORG")
            b.add(". ")
        elif choice == 6:
            b.add("the guys at ")
            b.add(g.case(g.last(lang)), "ORG")
            b.add(f"'s {rng.choice(SHOP_EN)} recommended you. ")
        else:
            b.add("We trade as ")
            b.add(org, "ORG")
            b.add(". ")


def address_templates(g: Gen, b: Builder, lang: str) -> None:
    """One sentence with a postal address or postcode and town."""
    rng = g.rng
    with_street = rng.random() < 0.8
    address = g.address(lang, with_street=with_street)
    if lang == "de":
        b.add(
            rng.choice(
                (
                    "Lieferadresse: ",
                    "bitte an ",
                    "Wir sitzen in der ",
                    "Adresse ist ",
                    "Ich wohne ",
                    "Schickt es an ",
                    "Abholung in der ",
                )
            )
        )
        b.add(address, "ADDRESS")
        b.add(rng.choice((". ", ", danke. ", " bitte. ", ". Klingel geht nicht. ")))
    else:
        b.add(
            rng.choice(
                (
                    "Ship to ",
                    "deliver to ",
                    "We're at ",
                    "Address is ",
                    "I live at ",
                    "Send it to ",
                    "pick up from ",
                )
            )
        )
        b.add(address, "ADDRESS")
        b.add(rng.choice((". ", ", thanks. ", " please. ", ". The bell is broken. ")))


def id_templates(g: Gen, b: Builder, lang: str) -> None:
    """One sentence with a customer, order or contract number."""
    rng = g.rng
    label = rng.choice(ID_LABELS_DE if lang == "de" else ID_LABELS_EN)
    b.add(rng.choice(("", "Meine " if lang == "de" else "My ", "(")))
    b.add(label + rng.choice((" ", ": ", " ist " if lang == "de" else " is ", " #")))
    b.add(g.ident(), "ID")
    b.add(rng.choice((". ", ", ", ") ", "! ")))


def contact_templates(g: Gen, b: Builder, lang: str) -> None:
    """One sentence with an e-mail, phone or date of birth (rule-based types)."""
    rng = g.rng
    choice = rng.randrange(3)
    if choice == 0:
        b.add("Mail: " if lang == "de" else "email: ")
        b.add(g.email(g.first(lang), g.last(lang)), "EMAIL")
        b.add(". ")
    elif choice == 1:
        b.add("Tel. " if lang == "de" else "phone ")
        b.add(g.phone(lang), "PHONE")
        b.add(". ")
    else:
        b.add("geboren am " if lang == "de" else "born on ")
        b.add(
            f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.randint(1950, 2004)}", "DATE_OF_BIRTH"
        )
        b.add(". ")


# Carriers: one slot between a prefix and a suffix, shared by several entity types so that the
# tagger has to look at the value itself, not only at the words around it.
CARRIERS_DE = (
    ("Ich hab gestern mit ", " gesprochen, ohne Ergebnis.", "PO"),
    ("Letzte Woche kam ein Brief von ", ", total unverständlich.", "PO"),
    ("", " hat uns das empfohlen.", "PO"),
    ("Wir arbeiten seit Jahren mit ", " zusammen.", "PO"),
    ("Frag am besten bei ", " nach.", "PO"),
    ("Das Angebot von ", " war günstiger.", "PO"),
    ("Laut ", " dauert das noch.", "PO"),
    ("Hinter dem Projekt steckt ", ".", "PO"),
    ("Wir sind die ", ", hallo!", "O"),
    ("Mein Betrieb läuft unter ", ".", "O"),
    ("Ich bin Inhaberin von ", ", wir haben zwei Angestellte.", "O"),
    ("Unsere Firma ", " gibt es seit 1998.", "O"),
    ("Geliefert hat ", ", pünktlich wie immer.", "O"),
    ("Ich schreibe für ", ", wir sind ein Familienbetrieb.", "O"),
    ("wir, also ", ", machen das so.", "O"),
    ("Ich bin die ", " aus dem Einkauf.", "P"),
    ("Hier ist ", ", ich war auf eurem Workshop.", "P"),
    ("Grüße von ", ", bis bald.", "P"),
    ("Meine Nachbarin ", " hat auch so einen Laden.", "P"),
    ("Ich, ", ", bin seit zehn Jahren Kundin.", "P"),
    ("Hallo zusammen, ", " hier.", "P"),
    ("Der Herr ", " hat mir das erklärt.", "P"),
    ("Ansprechpartner ist ", ", Durchwahl 12.", "P"),
    ("Unser Azubi ", " kümmert sich um Instagram.", "P"),
    ("Mit ", " aus der IT war das schnell erledigt.", "P"),
    ("Unsere Adresse: ", ".", "A"),
    ("Wir sind umgezogen, jetzt ", ".", "A"),
    ("Die Rechnung bitte an ", " schicken.", "A"),
    ("Der Fahrer fand ", " nicht.", "A"),
    ("Neue Anschrift ab Mai: ", ".", "A"),
)
CARRIERS_EN = (
    ("I talked to ", " yesterday, no luck.", "PO"),
    ("Got a letter from ", " last week, total nonsense.", "PO"),
    ("", " recommended you to us.", "PO"),
    ("We've worked with ", " for years.", "PO"),
    ("Best ask ", " about that.", "PO"),
    ("The quote from ", " was cheaper.", "PO"),
    ("According to ", " it takes another week.", "PO"),
    ("I'm with ", ", we're a family business.", "O"),
    ("My business trades as ", ".", "O"),
    ("I own ", ", two staff.", "O"),
    ("Our company ", " has been around since 1998.", "O"),
    ("Delivered by ", ", on time as usual.", "O"),
    ("I handle the books for ", ".", "O"),
    ("we, that is ", ", do it this way.", "O"),
    ("This is ", " from the workshop last month.", "P"),
    ("Greetings from ", ", speak soon.", "P"),
    ("My neighbour ", " runs a shop too.", "P"),
    ("Me, ", ", customer for ten years.", "P"),
    ("Hi all, ", " here.", "P"),
    ("The guy, ", ", explained it to me.", "P"),
    ("Contact person is ", ", extension 12.", "P"),
    ("Our apprentice ", " does the Instagram.", "P"),
    ("With ", " from IT it was sorted quickly.", "P"),
    ("Our address: ", ".", "A"),
    ("We moved, now at ", ".", "A"),
    ("Please send the invoice to ", ".", "A"),
    ("The driver couldn't find ", ".", "A"),
    ("New address from May: ", ".", "A"),
)
SUBJECTS_DE = ("Der Kunde", "Die Kundin", "Unser Team", "Mein Chef", "Die Post", "Der Lieferant")
NOUNS_DE = _words(
    """Lieferung Rechnung Ware Hotline Software Kasse Drucker Kundenkarte Webseite Lager
    Bestellung Mahnung Frist Preisliste Stempelkarte Kassenbuch Termin Werkstatt Messe Zoll
    Steuer Bäcker Lehrer Engel Hase Fuchs Wolf Frost Herbst Sommer Winter Sonne Stein Berg"""
)
VERBS_DE = (
    "ist wieder zu spät",
    "funktioniert nicht",
    "kostet zu viel",
    "war super",
    "nervt total",
    "kam gestern",
    "ist kaputt",
    "braucht ewig",
    "läuft gut",
)
ADJ_DE = _words("klein lang weiß sauer braun schwarz kurz frei lieb reich gut fein hart")
TOWNS_DE = _words("Kassel Wien Graz Zürich Bern Hamburg Köln Leipzig Bremen Linz Basel Ulm")
BRANDS = _words(
    """SAP Excel DATEV Lexware Shopify Zoom Teams WhatsApp DHL Hermes UPS PayPal Amazon eBay
    Etsy Google Instagram Facebook Outlook Sage Xero QuickBooks Stripe Klarna Bosch Makita"""
)
SUBJECTS_EN = ("The customer", "Our team", "My boss", "The postman", "The supplier", "The bank")
NOUNS_EN = _words(
    """delivery invoice stock hotline software till printer card website warehouse order
    reminder deadline pricelist booking appointment workshop fair customs tax baker mason
    fisher cook hunter carpenter smith grace frost hope will mark rose amber summer spring"""
)
VERBS_EN = (
    "is late again",
    "doesn't work",
    "costs too much",
    "was great",
    "is really annoying",
    "came yesterday",
    "is broken",
    "takes ages",
    "works well",
)
TOWNS_EN = _words("Leeds Bristol York Boston Denver Austin Dublin Cardiff Bath Derby Omaha")


# Lower-case English words that are also first names ("line", "mark", "will"): in a control
# sentence they are words, which the tagger must learn as well as names.
NAME_WORDS = _words(
    """line mark will may june art bill rob pat sue don jack guy grant chase dean rich earl
    page sky lane drew gene hunter carol ray faith joy hope grace rose amber ivy penny dawn
    summer april august bob ben sandy rusty dusty frank honey candy crystal ginger pearl
    ruby jade holly daisy iris lily olive violet max wade pierce pat rod nick sol"""
)


# Capitalised words that are not names, for the tagger to see in name-like positions: abstract
# nouns, roles and professions, seasons and months, food, products and machine makers,
# greetings and sentence-initial adjectives (the commonest false names on unseen text).
PLAIN_NOUNS_DE = _words(
    """Ehrlichkeit Pünktlichkeit Qualität Geduld Vertrauen Erfahrung Zukunft Nachfrage Umsatz
    Gewinn Personal Kundschaft Stammkunden Nachwuchs Bürokratie Ordnung Sauberkeit Freundlichkeit
    Konditorin Meisterin Geselle Gesellen Azubis Lehrlinge Aushilfe Bürokraft Fahrer Monteur
    Verkäuferin Inhaberin Chefin Kellner Koch Köchin Friseurin Schreiner Tischler Schmied
    Metzger Bäcker Müller Weber Schneider Fischer Gärtner Maler Maurer Dachdecker Elektriker
    Frühling Sommer Herbst Winter Januar Februar März April Mai Juni Juli August Dezember
    Weihnachten Ostern Fasching Brötchen Brezeln Kuchen Torte Zwetschgenkuchen Spargel Kaffee
    Espresso Bier Wein Käse Wurst Honig Eier Gemüse Obst Kartoffeln Catering Hofladen Café
    Gastro Imbiss Kiosk Kasse Kassensystem Spülmaschine Backofen Kühlschrank Transporter
    Sprinter Anhänger Gabelstapler Vectron Winterhalter Rational Hobart Miele Stihl Kärcher
    Festool Hilti Gott Glück Grüße Dank Hallo Servus Moin Ruhe Stress Ärger Freude Hoffnung
    Regen Sonne Schnee Hitze Kälte Frost Sturm Ehrlich Geschäftlich Eigentlich Leider
    Grundsätzlich Momentan Insgesamt Preise Kosten Miete Strom Steuern Versicherung"""
)
PLAIN_NOUNS_EN = _words(
    """Honesty Quality Patience Trust Experience Demand Turnover Staff Regulars Paperwork
    Apprentices Drivers Baker Butcher Carpenter Plumber Electrician Mason Cook Chef Manager
    Owner Cleaner Spring Summer Autumn Winter January February March April June July August
    Christmas Easter Bread Scones Pies Coffee Tea Cheese Honey Eggs Veg Catering Takeaway
    Cafe Deli Till Oven Dishwasher Fridge Van Lightspeed Rational Hobart Winterhalter Makita
    Lovely Honestly Basically Sadly Luckily Cheers Thanks Regards Weather Rain Prices Rent
    Rates Insurance Energy Hope Grace Joy Faith"""
)
# Surnames that are professions, used as professions.
PROFESSION_SENTENCES_DE = (
    "Beim Müller um die Ecke holen wir das Mehl.",
    "mein mann ist schneider von beruf.",
    "Einen Weber findet man heute kaum noch.",
    "Früher hatte jedes Dorf einen Schmied.",
    "Freitags kommt der Fischer mit frischem Fang.",
    "Unser Koch geht im Sommer in Rente.",
    "Seit der Metzger weg ist, fahren alle in die Stadt.",
    "Zweimal im Monat schaut ein Gärtner vorbei.",
)
PROFESSION_SENTENCES_EN = (
    "Since the butcher shut, people drive into town.",
    "My husband works as a mason.",
    "We're still after a cook for Saturdays.",
    "A plumber comes round every couple of months.",
    "Our carpenter retired, so we use agencies now.",
)


def noun_sentence(g: Gen, lang: str) -> str:
    """A sentence without personal data whose capitalised words are ordinary nouns."""
    rng = g.rng
    if lang == "de":
        a, b = rng.choice(PLAIN_NOUNS_DE), rng.choice(PLAIN_NOUNS_DE)
        parts = (
            f"{a} zählt für uns, {b} genauso.",
            f"{a} und {b} sind das Problem.",
            f"Im {a} läuft es besser als im {b}.",
            f"Unsere {a} macht das, der {b} hilft.",
            f"Bei uns sind {rng.randint(2, 12)} {a} und {rng.randint(1, 5)} {b}.",
            f"Bis zum {a} sind es {rng.randint(5, 90)} km.",
            f"Das Lager misst {rng.randint(40, 900)} qm.",
            f"Geöffnet {rng.choice(('Mo–Fr', 'Di–Sa', 'Mo-Sa'))} {rng.randint(6, 10)} bis "
            f"{rng.randint(16, 20)} Uhr.",
            f"Den Laden gibt es seit dem {rng.randint(1, 28)}. "
            f"{rng.choice(('März', 'Mai', 'Juli', 'Oktober'))} {rng.randint(1950, 2020)}.",
            f"{rng.choice(('Liebe', 'Beste', 'Sonnige'))} {rng.choice(('Grüße', 'Grüsse'))} "
            f"in den {b}!",
            f"Grüß Gott aus dem Laden, {a} gibt es bei uns reichlich.",
            f"{a}, {b} und so weiter.",
            f"Wir arbeiten mit {a}-Geräten, beim {b} mit {rng.choice(PLAIN_NOUNS_DE)}.",
            rng.choice(PROFESSION_SENTENCES_DE),
            f"{a.lower()} ist halt {b.lower()}.",
        )
    else:
        a, b = rng.choice(PLAIN_NOUNS_EN), rng.choice(PLAIN_NOUNS_EN)
        parts = (
            f"For us {a.lower()} counts, {b.lower()} as well.",
            f"{a} and {b} are the problem.",
            f"There are {rng.randint(2, 12)} {a.lower()} on the books, plus a van.",
            f"It's {rng.randint(5, 90)} miles to the nearest {b.lower()} supplier.",
            f"Open since {rng.randint(1, 28)} {rng.choice(('May', 'June', 'October'))} "
            f"{rng.randint(1950, 2020)}, still in the family.",
            f"Warm regards, and enjoy the {b.lower()}.",
            f"We run {a} kit in the kitchen and {b} out front.",
            f"{a}, {b}, that sort of thing.",
            rng.choice(PROFESSION_SENTENCES_EN),
        )
    return rng.choice(parts)


def blind_class_templates(g: Gen, b: Builder, lang: str) -> None:
    """Nicknames, lone sign-offs, lower-case surnames after articles, plural families,
    surname-first introductions, firms without a legal form, signature blocks."""
    rng = g.rng
    first, last = g.first(lang), g.last(lang)
    choice = rng.randrange(9)
    if lang == "de":
        if choice == 0:
            b.add(rng.choice(("Im Dorf heiße ich nur ", "alle sagen ", "Für Freunde bin ich ")))
            b.add(g.nick(lang), "PERSON")
            b.add(rng.choice((", im Pass steht ", ", offiziell ")))
            b.add(f"{first} {last}", "PERSON")
            b.add(". ")
        elif choice == 1:
            b.add(rng.choice(("ruf die ", "bei der ", "Die Löhne macht die frau ", "der ")))
            b.add(last.lower(), "PERSON")
            b.add(rng.choice((" im lager an. ", " aus dem einkauf. ", " hinten am empfang. ")))
        elif choice == 2:
            b.add(last, "PERSON")
            b.add(", ")
            b.add(f"{first} {last}", "PERSON")
            b.add(rng.choice((", mir gehört der Laden. ", ", Geschäftsführer. ")))
        elif choice == 3:
            b.add(rng.choice(("Wir essen oft im ", "Das Bier kommt vom ", "Wir kaufen beim ")))
            b.add(
                rng.choice(("Gasthof ", "Zum ", "Hof ", ""))
                + rng.choice(("Goldenen ", "Alten ", "Roten ", "", "Grünen "))
                + rng.choice(("Hirsch", "Ochsen", "Drachen", "Löwen", "Anker", g.fantasy())),
                "ORG",
            )
            b.add(". ")
        elif choice == 4:
            b.add(rng.choice(("Viele Grüße\n", "Freundliche Grüße\n", "Gruß\n")))
            b.add(f"{first} {last}", "PERSON")
            b.add("\nFirma: ")
            b.add(f"{last} {rng.choice(TRADE_DE)}", "ORG")
            b.add("\n")
        elif choice == 5:
            b.add(rng.choice(("Unsere Leute: ", "In der Schicht sind ")))
            names = [rng.choice(FOREIGN_FIRST) for _ in range(3)]
            b.add(names[0], "PERSON")
            b.add(", ")
            b.add(names[1], "PERSON")
            b.add(" und ")
            b.add(names[2], "PERSON")
            b.add(". ")
        elif choice == 6:
            b.add(rng.choice(("So, genug geschrieben.\n", "Mehr fällt mir nicht ein\n")))
            b.add(g.case(g.nick(lang), 0.5), "PERSON")
            b.add(rng.choice((" :)", " x", "", " 😊")))
        elif choice == 7:
            b.add(f"{rng.choice(PLAIN_NOUNS_DE)} ist ok, sagt ")
            b.add(rng.choice(("Frau ", "Herr ")))
            b.add(rng.choice(PLAIN_NOUNS_DE[:60]), "PERSON")
            b.add(". ")
        else:
            b.add(last, "PERSON")
            b.add(" mein Name, ")
            b.add(rng.choice(("ich habe eine Werkstatt. ", "Inhaber. ")))
    else:
        if choice == 0:
            b.add(rng.choice(("round here i'm just ", "People know me as ", "mates call me ")))
            b.add(g.nick(lang), "PERSON")
            b.add(rng.choice((", though my passport says ", ", officially ")))
            b.add(f"{first} {last}", "PERSON")
            b.add(". ")
        elif choice == 1:
            b.add(rng.choice(("old man ", "ring old ", "check with mrs ")))
            b.add(last.lower(), "PERSON")
            b.add(rng.choice((" knows the field. ", " about the lease. ")))
        elif choice == 2:
            b.add(last, "PERSON")
            b.add(", ")
            b.add(f"{first} {last}", "PERSON")
            b.add(rng.choice((", owner of the garage. ", ", I do the books here. ")))
        elif choice == 3:
            b.add(rng.choice(("we cater for ", "our eggs go to ", "saturdays we're at ")))
            b.add(
                rng.choice(("the ", "The ", ""))
                + rng.choice(("golden ", "jade ", "red ", "old ", ""))
                + rng.choice(("wok", "garden", "lion", "drovers arms", "fox and hounds"))
                if rng.random() < 0.6
                else f"{g.fantasy().lower()} & co",
                "ORG",
            )
            b.add(rng.choice((" by the station. ", ", lovely people. ", ". ")))
        elif choice == 4:
            b.add(rng.choice(("Best wishes\n", "All the best\n", "Regards,\n")))
            b.add(f"{first} {last}", "PERSON")
            b.add("\nCompany: ")
            b.add(f"{last} {rng.choice(TRADE_EN)}", "ORG")
            b.add("\n")
        elif choice == 5:
            names = [rng.choice(FOREIGN_FIRST) for _ in range(2)]
            b.add(names[0], "PERSON")
            b.add(" and ")
            b.add(names[1], "PERSON")
            b.add(rng.choice((" cover the late shift. ", " run the market stall. ")))
        elif choice == 6:
            b.add(rng.choice(("right, that's me done\n", "hope that helps\n")))
            b.add(g.case(g.nick(lang), 0.5), "PERSON")
            b.add(rng.choice((" xx", " x", "", " 😘")))
        elif choice == 7:
            b.add("we went halves with the ")
            b.add(last, "PERSON")
            b.add("s on the new fence. ")
        else:
            b.add(rng.choice(("Hope ", "Grace ", "Will ")), "PERSON")
            b.add("from the office said it's fine. ")


def control_sentence(g: Gen, lang: str) -> str:
    """A sentence without personal data built from parts (nouns, brands, towns, name-words)."""
    rng = g.rng
    if rng.random() < 0.45:
        return noun_sentence(g, lang)
    if lang == "de":
        parts = (
            f"{rng.choice(SUBJECTS_DE)} sagt, die {rng.choice(NOUNS_DE)} {rng.choice(VERBS_DE)}.",
            f"Mit {rng.choice(BRANDS)} und {rng.choice(BRANDS)} klappt das in "
            f"{rng.choice(TOWNS_DE)} ganz gut.",
            f"{rng.choice(ADJ_DE).capitalize()} ist das nicht, aber der "
            f"{rng.choice(NOUNS_DE)} sieht das anders.",
            f"Die {rng.choice(NOUNS_DE)} in {rng.choice(TOWNS_DE)} {rng.choice(VERBS_DE)}.",
            f"ehrlich gesagt {rng.choice(VERBS_DE)}, {rng.choice(NAME_WORDS)} und so.",
            f"Die {rng.choice(NOUNS_DE)} kam am {rng.randint(1, 28)}.{rng.randint(1, 12)}."
            f"{rng.randint(2015, 2026)}, viel zu spät.",
            f"Am {rng.randint(1, 28)}.{rng.randint(1, 12)}. hatte ich den Termin.",
            f"Wir zahlen {rng.randint(2, 90)} Euro im Monat für {rng.choice(BRANDS)}.",
            f"Am {rng.choice(('Montag', 'Dienstag', 'Freitag', 'Samstag'))} kommt der "
            f"{rng.choice(NOUNS_DE)}, dann die {rng.choice(NOUNS_DE)}.",
        )
    else:
        parts = (
            f"{rng.choice(SUBJECTS_EN)} says the {rng.choice(NOUNS_EN)} {rng.choice(VERBS_EN)}.",
            f"With {rng.choice(BRANDS)} and {rng.choice(BRANDS)} it works fine in "
            f"{rng.choice(TOWNS_EN)}.",
            f"{rng.choice(NOUNS_EN).capitalize()} is the big issue, the "
            f"{rng.choice(NOUNS_EN)} {rng.choice(VERBS_EN)}.",
            f"The {rng.choice(NOUNS_EN)} in {rng.choice(TOWNS_EN)} {rng.choice(VERBS_EN)}.",
            f"the {rng.choice(NAME_WORDS)} {rng.choice(VERBS_EN)}, {rng.choice(NAME_WORDS)} too.",
            f"i {rng.choice(('think', 'guess', 'said'))} it will {rng.choice(NAME_WORDS)} "
            f"the {rng.choice(NOUNS_EN)}.",
            f"{rng.choice(('a plain', 'the new', 'one more', 'that old'))} "
            f"{rng.choice(NAME_WORDS)} from {rng.choice(('the shop', 'Frau Meyer', 'them'))}.",
            f"The {rng.choice(NOUNS_EN)} came on {rng.randint(1, 28)}.{rng.randint(1, 12)}."
            f"{rng.randint(2015, 2026)}, late.",
            f"We pay {rng.randint(2, 90)} pounds a month for {rng.choice(BRANDS)}.",
            f"On {rng.choice(('Monday', 'Tuesday', 'Friday', 'Saturday'))} the "
            f"{rng.choice(NOUNS_EN)} comes, then the {rng.choice(NOUNS_EN)}.",
        )
    return rng.choice(parts)


def carrier_templates(g: Gen, b: Builder, lang: str) -> None:
    """One carrier sentence with a person, firm or address in its slot."""
    rng = g.rng
    prefix, suffix, kinds = rng.choice(CARRIERS_DE if lang == "de" else CARRIERS_EN)
    kind = rng.choice(kinds)
    if kind == "P":
        roll = rng.random()
        value = (
            g.first(lang)
            if roll < 0.35
            else g.last(lang)
            if roll < 0.5
            else g.nick(lang)
            if roll < 0.6
            else f"{g.first(lang)} {g.last(lang)}"
        )
        b.add(prefix)
        b.add(g.case(value, 0.3), "PERSON")
    elif kind == "O":
        b.add(prefix)
        b.add(g.org(lang), "ORG")
    else:
        b.add(prefix)
        b.add(g.address(lang, with_street=rng.random() < 0.85), "ADDRESS")
    b.add(suffix + " ")


TYPO_KEYS = "qwertzuiopasdfghjklyxcvbnm"


def typo(rng: random.Random, word: str) -> str:
    """One keyboard slip in a word (swap, drop or double a letter)."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def roughen(rng: random.Random, text: str, spans: list[dict[str, object]]) -> tuple[str, list]:
    """Random chat noise: typos outside labelled values and whole-answer lower-casing."""
    lower_all = rng.random() < 0.25
    out = ""
    new_spans = []
    position = 0
    for span in sorted(spans, key=lambda s: int(s["start"])):  # type: ignore[call-overload]
        start, end = int(span["start"]), int(span["end"])  # type: ignore[call-overload]
        out += _noisy(rng, text[position:start], lower_all)
        value = text[start:end].lower() if lower_all else text[start:end]
        new_spans.append({"type": span["type"], "start": len(out), "end": len(out) + len(value)})
        out += value
        position = end
    out += _noisy(rng, text[position:], lower_all)
    return out, new_spans


def _noisy(rng: random.Random, text: str, lower: bool) -> str:
    words = re.split(r"(\s+)", text)
    words = [typo(rng, w) if rng.random() < 0.025 else w for w in words]
    joined = "".join(words)
    return joined.lower() if lower else joined


def generate(count: int, seed: int) -> list[dict[str, object]]:
    """``count`` labelled answers; about one in four without personal data."""
    g = Gen(seed)
    rng = g.rng
    makers = (
        person_templates,
        person_templates,
        org_templates,
        org_templates,
        address_templates,
        id_templates,
        contact_templates,
        carrier_templates,
        carrier_templates,
        carrier_templates,
        blind_class_templates,
        blind_class_templates,
    )
    cases = []
    for number in range(count):
        lang = "de" if rng.random() < 0.5 else "en"
        fixed = FILLERS_DE if lang == "de" else FILLERS_EN
        b = Builder()

        def filler(fixed: tuple[str, ...] = fixed, lang: str = lang) -> str:
            return rng.choice(fixed) if rng.random() < 0.4 else control_sentence(g, lang)

        control = rng.random() < 0.25
        parts = 0 if control else rng.choice((1, 1, 2, 2, 3))
        if rng.random() < 0.5:
            b.add(filler() + " ")
        for _ in range(parts):
            rng.choice(makers)(g, b, lang)
            if rng.random() < 0.4:
                b.add(filler() + " ")
        if control or rng.random() < 0.3:
            b.add(filler() + " ")
        if not control and rng.random() < 0.15:
            signoff(g, b, lang)
        text = b.text.strip()
        spans = [s for s in b.spans if int(s["end"]) <= len(text)]  # type: ignore[call-overload]
        text, spans = roughen(rng, text, spans)
        for span in spans:
            span["value"] = text[int(span["start"]) : int(span["end"])]  # type: ignore[call-overload]
        split = "gen-dev" if number % 6 == 5 else "train"
        case: dict[str, object] = {
            "id": f"gen-{number:05d}",
            "language": lang,
            "split": split,
            "text": text,
            "spans": spans,
            "origin": "generated",
        }
        if not spans:
            case["tags"] = ["control"]
        cases.append(case)
    return cases


_MARKUP = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]", re.S)


def convert_hand(
    source: Path, split: str = "dev-hand", prefix: str = "hand"
) -> list[dict[str, object]]:
    """Parse ``lang<TAB>text`` lines with ``[[TYPE|value]]`` markup into evaluation cases."""
    cases = []
    for number, line in enumerate(source.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        lang, tab, raw = line.partition("\t")
        if not tab or lang not in ("de", "en"):
            raise ValueError(f"{source}:{number}: expected 'de' or 'en', a TAB, then the text")
        raw = raw.replace("\\n", "\n")
        text, spans, position = "", [], 0
        for match in _MARKUP.finditer(raw):
            text += raw[position : match.start()]
            value = match.group(2)
            spans.append(
                {
                    "type": match.group(1),
                    "start": len(text),
                    "end": len(text) + len(value),
                    "value": value,
                }
            )
            text += value
            position = match.end()
        text += raw[position:]
        case: dict[str, object] = {
            "id": f"{prefix}-{number:03d}",
            "language": lang,
            "split": split,
            "text": text,
            "spans": spans,
            "origin": "hand",
        }
        if not spans:
            case["tags"] = ["control"]
        cases.append(case)
    return cases


def write(path: Path, cases: list[dict[str, object]]) -> None:
    """Write cases as JSONL."""
    with open(path, "w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case, ensure_ascii=False) + "\n")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(DATA / "train_set.jsonl", generate(args.answers, args.seed))
    hand = ROOT / "scripts" / "dev_hand_source.txt"
    if hand.exists():
        write(DATA / "dev_hand_set.jsonl", convert_hand(hand))
    contact = ROOT / "scripts" / "dev_contact_source.txt"
    if contact.exists():
        write(DATA / "dev_contact_set.jsonl", convert_hand(contact, "dev-contact", "contact"))
    traps = ROOT / "scripts" / "dev_traps_source.txt"
    if traps.exists():
        write(DATA / "dev_traps_set.jsonl", convert_hand(traps, "dev-traps", "traps"))
    firms = ROOT / "scripts" / "dev_firms_source.txt"
    if firms.exists():
        write(DATA / "dev_firms_set.jsonl", convert_hand(firms, "dev-firms", "firms"))


if __name__ == "__main__":
    main()
