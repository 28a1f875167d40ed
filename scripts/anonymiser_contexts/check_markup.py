"""Check a labelled-answer file and print its counts: python3 check_markup.py FILE."""

from __future__ import annotations

import re
import sys
from collections import Counter

TYPES = frozenset(
    "PERSON ORG ADDRESS ID EMAIL PHONE URL IBAN HANDLE DATE_OF_BIRTH CARD".split()  # noqa: SIM905
)
MARK = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]")


def check(path: str) -> int:
    """Print every malformed line (file:line: problem) and the counts; return the error count."""
    errors: list[str] = []
    types: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    controls = 0
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            language, tab, text = line.partition("\t")
            if not tab:
                errors.append(f"{path}:{number}: no TAB after the language code")
                continue
            if language not in ("de", "en"):
                errors.append(f"{path}:{number}: language must be de or en, got {language!r}")
            languages[language] += 1
            found = MARK.findall(text)
            controls += not found
            for kind, value in found:
                if kind not in TYPES:
                    errors.append(f"{path}:{number}: unknown type {kind}")
                if value != value.strip():
                    errors.append(f"{path}:{number}: value has outer spaces: {value!r}")
                types[kind] += 1
            rest = MARK.sub("", text)
            if "[[" in rest or "]]" in rest:
                errors.append(f"{path}:{number}: broken markup")
    for error in errors:
        print(error)
    print(
        f"answers: {dict(languages)}, controls: {controls}, values: {dict(types)}, "
        f"errors: {len(errors)}"
    )
    return len(errors)


if __name__ == "__main__":
    sys.exit(1 if check(sys.argv[1]) else 0)
