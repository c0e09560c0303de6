"""French numbers: digits with French separators and numbers written in words."""

from __future__ import annotations

import re

from nlp.normalize.text import fold

_UNITS: dict[str, int] = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70, "octante": 80,
    "huitante": 80, "nonante": 90,
}
_MULTIPLIERS: dict[str, int] = {"cent": 100, "cents": 100, "mille": 1000, "milles": 1000,
                                "million": 1_000_000, "millions": 1_000_000}
NUMBER_WORDS = sorted(set(_UNITS) | set(_MULTIPLIERS), key=len, reverse=True)

_WORD = "(?:" + "|".join(NUMBER_WORDS) + ")"
# A run of number words on folded text: "quarante-huit", "mille cinq cents", "vingt et un".
NUMBER_WORDS_RE = rf"\b{_WORD}(?:(?:[\s-]+et[\s-]+|[\s-]+){_WORD})*\b"
# Digits with French thousands separators (space, nbsp, dot before 3 digits) and decimal comma.
DIGITS_RE = r"\d{1,3}(?:[ .]\d{3})+(?:,\d+)?(?!\d)|\d+(?:[,.]\d+)?"
# "trente (30)", "30 (trente)", "trente", "30".
NUMBER_RE = (
    rf"(?:{NUMBER_WORDS_RE})\s*\(\s*(?:{DIGITS_RE})\s*\)"
    rf"|(?:{DIGITS_RE})\s*\(\s*(?:{NUMBER_WORDS_RE})\s*\)"
    rf"|{NUMBER_WORDS_RE}|{DIGITS_RE}"
)

_WORDS_ONLY = re.compile(rf"^\s*{NUMBER_WORDS_RE}\s*$")
_DIGITS_ONLY = re.compile(rf"^\s*(?:{DIGITS_RE})\s*$")


def _words_value(words: str) -> int | None:
    tokens = [t for t in re.split(r"[\s-]+", words.strip()) if t and t != "et"]
    if not tokens:
        return None
    total, current = 0, 0
    prev: str | None = None
    for tok in tokens:
        if tok in ("vingt", "vingts") and prev == "quatre":
            current += 80 - 4  # quatre-vingt(s)
        elif tok in _UNITS:
            current += _UNITS[tok]
        elif tok in ("cent", "cents"):
            current = (current or 1) * 100
        elif tok in ("mille", "milles"):
            total += (current or 1) * 1000
            current = 0
        elif tok in ("million", "millions"):
            total += (current or 1) * 1_000_000
            current = 0
        else:
            return None
        prev = tok
    return total + current


def parse_decimal(text: str) -> float | None:
    """'1 500,00' -> 1500.0, '1.500' -> 1500.0, '9.2' -> 9.2, '0,5' -> 0.5."""
    s = fold(text).strip().replace(" ", "")
    if not s or not re.fullmatch(r"[\d.,]+", s) or not s[0].isdigit():
        return None
    if "," in s:
        s = s.replace(".", "").replace(",", ".", 1)
        if "," in s:
            return None
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):
        s = s.replace(".", "")  # French thousands dot: 1.500
    try:
        return float(s)
    except ValueError:
        return None


def parse_number_words(text: str) -> int | None:
    """Integer from French words or digits.

    "trente" -> 30, "quarante-huit" -> 48, "mille cinq cents" -> 1500, "trente (30)" -> 30.
    When words and digits are both given and disagree, None: the reader must check.
    """
    folded = fold(text).strip().rstrip(".")
    m = re.fullmatch(r"(.+?)\s*\(\s*(.+?)\s*\)", folded)
    if m:
        a, b = parse_number_words(m.group(1)), parse_number_words(m.group(2))
        if a is None or b is None:
            return a if b is None else b if a is None else None
        return a if a == b else None
    if _WORDS_ONLY.match(folded):
        return _words_value(folded)
    if _DIGITS_ONLY.match(folded):
        value = parse_decimal(folded)
        if value is not None and value == int(value):
            return int(value)
    return None


def parse_number(text: str) -> float | None:
    """Decimal or integer number from digits, words or 'words (digits)'."""
    folded = fold(text).strip()
    m = re.fullmatch(r"(.+?)\s*\(\s*(.+?)\s*\)", folded)
    if m:
        a, b = parse_number(m.group(1)), parse_number(m.group(2))
        if a is None or b is None:
            return a if b is None else b
        return a if abs(a - b) < 1e-9 else None
    if _DIGITS_ONLY.match(folded):
        return parse_decimal(folded)
    words = parse_number_words(folded)
    return float(words) if words is not None else None
