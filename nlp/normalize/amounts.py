"""Money amounts, percentages and fractions as French contracts write them."""

from __future__ import annotations

import re

from nlp.normalize.numbers import DIGITS_RE, NUMBER_WORDS_RE, parse_decimal, parse_number, parse_number_words
from nlp.normalize.text import fold

_CURRENCY = r"(?:€|euros?|eur\b)"
_TAX = r"(?:\s*(?:h\.?\s?t\.?|t\.?\s?t\.?\s?c\.?)(?![a-z]))?"
_SCALE = r"(?:\s*(?:k|m|millions?\s+d'|milliers\s+d'))?"

# "1 500,00 € HT", "150 euros", "€ 1 500", "1,2 M€"; words: "mille euros".
_DIGIT_AMOUNT = re.compile(
    rf"(?<![\d.,])(?P<num>{DIGITS_RE})(?P<scale>{_SCALE})\s*{_CURRENCY}{_TAX}"
    rf"|€\s*(?P<num2>{DIGITS_RE}){_TAX}"
)
_WORD_AMOUNT = re.compile(rf"(?P<words>{NUMBER_WORDS_RE})\s+(?:d')?{_CURRENCY}{_TAX}")
# A parenthesised restatement right after an amount: "(cent cinquante euros)", "(150 €)".
_PAREN_AFTER = re.compile(r"\s*\(([^()]{1,80})\)")


def _scale_factor(scale: str) -> float:
    s = scale.strip()
    if s.startswith("k") or s.startswith("milliers"):
        return 1_000.0
    if s.startswith("m"):
        return 1_000_000.0
    return 1.0


def find_amounts(text: str) -> list[tuple[float, int, int]]:
    """Every euro amount in `text` as (value, start, end), in order.

    A restatement in parentheses ("150 € (cent cinquante euros)") is one amount whose span
    covers both; when the two disagree the figure in words is kept (it prevails in
    French contract practice) -- callers that care compare with `parse_amount`.
    """
    folded = fold(text)
    found: list[tuple[float, int, int]] = []
    for m in _DIGIT_AMOUNT.finditer(folded):
        raw = m.group("num") or m.group("num2")
        value = parse_decimal(raw)
        if value is None:
            continue
        value *= _scale_factor(m.group("scale") or "")
        found.append((value, m.start(), m.end()))
    for m in _WORD_AMOUNT.finditer(folded):
        value_w = parse_number_words(m.group("words"))
        if value_w is None:
            continue
        found.append((float(value_w), m.start(), m.end()))
    found.sort(key=lambda t: (t[1], -t[2]))
    merged: list[tuple[float, int, int]] = []
    for value, start, end in found:
        if merged and start < merged[-1][2]:
            continue  # overlapping match (e.g. digits inside a longer one)
        if merged:
            pv, ps, pe = merged[-1]
            gap = folded[pe:start]
            # "150 € (cent cinquante euros)" or "cent cinquante euros (150 €)"
            if re.fullmatch(r"\s*\(\s*", gap) and folded[end:end + 3].lstrip().startswith(")"):
                close = folded.index(")", end) + 1
                words_first = not re.match(r"\s*\d", folded[ps:pe])
                keep = pv if words_first else value
                merged[-1] = (keep, ps, close)
                continue
        merged.append((value, start, end))
    return merged


def parse_amount(text: str) -> float | None:
    """The first euro amount in `text`: '1 500,00 € HT' -> 1500.0, 'mille euros' -> 1000.0."""
    amounts = find_amounts(text)
    if amounts:
        return amounts[0][0]
    return None


_PERCENT = re.compile(
    rf"(?P<num>{DIGITS_RE}|{NUMBER_WORDS_RE})(?:\s*\(\s*[^()]{{1,40}}\s*\))?\s*(?:%|pour\s*cent|p\.\s?100|pourcents?)"
)


def find_percents(text: str) -> list[tuple[float, int, int]]:
    """Percentages as written: '10 %' -> 10.0, 'cinq pour cent' -> 5.0."""
    out: list[tuple[float, int, int]] = []
    for m in _PERCENT.finditer(fold(text)):
        value = parse_number(m.group("num"))
        if value is not None:
            out.append((value, m.start(), m.end()))
    return out


def parse_percent(text: str) -> float | None:
    """The first percentage in `text`, as a number of percent ('5,5 %' -> 5.5)."""
    found = find_percents(text)
    return found[0][0] if found else None


# "1/1000", "1/1 000e", "1 / 3 000ème", "1/3000ème"
_FRACTION_DIGITS = re.compile(
    r"(?<![\d/])(?P<num>\d{1,3})\s*/\s*(?P<den>\d{1,3}(?:[ .]\d{3})+|\d+)\s*(?:e|eme|ieme|emes|iemes)?\b(?!\s*[/.-]\d)"
)
_ORDINAL = r"[a-z-]*?(?:ieme|iemes)"
# "un millième", "un trois-millième", "trois millièmes", "un cinq centième"
_FRACTION_WORDS = re.compile(
    rf"\b(?P<num>un|une|deux|trois|quatre|cinq|\d+)\s+(?P<den>(?:(?:{NUMBER_WORDS_RE})[\s-]+)?{_ORDINAL})\b"
)
_SPECIAL_FRACTIONS = {"demi": 2, "tiers": 3, "quart": 4}


def _ordinal_value(word: str) -> int | None:
    """'millieme' -> 1000, 'trois-millieme' -> 3000, 'centieme' -> 100."""
    stem = re.sub(r"iemes?$", "", word)
    for candidate in (stem, stem + "e", stem.replace("cinqu", "cinq"), stem.replace("neuv", "neuf")):
        value = parse_number_words(candidate.replace("-", " "))
        if value:
            return value
    return None


def find_fractions(text: str) -> list[tuple[float, int, int]]:
    """Fractions as (value, start, end): '1/1000e' -> 0.001, 'un trois-millième' -> 1/3000."""
    folded = fold(text)
    out: list[tuple[float, int, int]] = []
    for m in _FRACTION_DIGITS.finditer(folded):
        num = parse_decimal(m.group("num"))
        den = parse_decimal(m.group("den"))
        if num and den and num < den:
            out.append((num / den, m.start(), m.end()))
    for m in _FRACTION_WORDS.finditer(folded):
        if any(s <= m.start() < e for _, s, e in out):
            continue
        num_w = parse_number_words(m.group("num"))
        den_w = _ordinal_value(m.group("den"))
        if num_w and den_w:
            out.append((num_w / den_w, m.start(), m.end()))
    for m in re.finditer(rf"(?<![\d,])(?P<num>{DIGITS_RE})\s*(?:‰|pour\s+mille\b)", folded):
        per_mille = parse_decimal(m.group("num"))
        if per_mille is not None:
            out.append((per_mille / 1000, m.start(), m.end()))
    for m in re.finditer(r"\b(un|une)\s+(demi|tiers|quart)\b", folded):
        out.append((1 / _SPECIAL_FRACTIONS[m.group(2)], m.start(), m.end()))
    out.sort(key=lambda t: t[1])
    return out


def parse_fraction(text: str) -> float | None:
    """The first fraction in `text`: '1/1 000' -> 0.001, 'un millième' -> 0.001."""
    found = find_fractions(text)
    return found[0][0] if found else None
