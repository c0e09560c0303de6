"""Dates written in French: 'le 1er juillet 2025', '15/07/2024', '2024-07-15'."""

from __future__ import annotations

import datetime as dt
import re

from nlp.normalize.text import fold

MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

_TEXT_DATE = re.compile(
    rf"\b(?P<d>[0-3]?\d)\s*(?:er|e)?\s+(?P<m>{_MONTH_RE})\.?\s+(?P<y>(?:19|20)\d\d)\b"
)
_NUM_DATE = re.compile(r"(?<![\d./-])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)?\d\d)(?![\d./-]?\d)")
_ISO_DATE = re.compile(r"(?<![\d.-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d])")


def _make(y: str, m: int, d: str) -> dt.date | None:
    year = int(y)
    if year < 100:
        year += 2000
    try:
        return dt.date(year, m, int(d))
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """Every valid date in `text` as (date, start, end), in order of appearance."""
    folded = fold(text)
    out: list[tuple[dt.date, int, int]] = []
    for m in _TEXT_DATE.finditer(folded):
        date = _make(m.group("y"), MONTHS[m.group("m")], m.group("d"))
        if date:
            out.append((date, m.start(), m.end()))
    for m in _ISO_DATE.finditer(folded):
        date = _make(m.group("y"), int(m.group("m")), m.group("d"))
        if date:
            out.append((date, m.start(), m.end()))
    for m in _NUM_DATE.finditer(folded):
        if any(s <= m.start() < e for _, s, e in out):
            continue
        date = _make(m.group("y"), int(m.group("m")), m.group("d"))
        if date:
            out.append((date, m.start(), m.end()))
    out.sort(key=lambda t: t[1])
    return out


def parse_date(text: str) -> dt.date | None:
    """The first date in `text`, or None."""
    found = find_dates(text)
    return found[0][0] if found else None
