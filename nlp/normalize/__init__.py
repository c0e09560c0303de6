"""French normalisers: numbers in words, amounts, percentages, fractions, durations, dates,
and the event a time limit runs from. Pure functions, no spaCy."""

from nlp.normalize.amounts import (
    find_amounts,
    find_fractions,
    find_percents,
    parse_amount,
    parse_fraction,
    parse_percent,
)
from nlp.normalize.anchors import find_anchor
from nlp.normalize.dates import find_dates, parse_date
from nlp.normalize.durations import Duration, find_durations, parse_duration
from nlp.normalize.numbers import parse_decimal, parse_number, parse_number_words
from nlp.normalize.text import fold, squash

__all__ = [
    "Duration", "find_amounts", "find_anchor", "find_dates", "find_durations", "find_fractions",
    "find_percents", "fold", "parse_amount", "parse_date", "parse_decimal", "parse_duration",
    "parse_fraction", "parse_number", "parse_number_words", "parse_percent", "squash",
]
