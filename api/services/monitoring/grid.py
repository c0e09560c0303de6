"""Service-level grids: the time allowed for one level of an SLA table.

A CCAP often sets the restoration times in one table (« Critique (N1) | … | 4 heures ») and
the penalties in another (« Critique (N1) | 150 € par heure de dépassement »). The penalty
row alone does not say how many hours are free; the row of the other table that carries the
same level label does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.linking import fold, words_to_int

# « 4 heures », « 12 h », « quatre (4) heures »; « heures ouvrées » are left out (not
# consecutive hours: the engine counts elapsed hours)
# (a clock time is not a duration: « après 10 h 30 », « avant 8 h », « à 9h »)
_HOURS = re.compile(r"(?<![\d,.])(?<!apres )(?<!avant )(?<!\ba )(?<!des )(?<!vers )(?<!entre )"
                    r"(\d{1,3}|[a-z]+(?: \(\d{1,3}\))?)\s*(?:h|heures?)\b(?!\s*\d)(?!\s*(?:ouvre|ouvrable))")
_AMOUNT = re.compile(r"\d[\d\s.,]*\s*(?:€|eur\b|euros?)")


def row_label(quote: str) -> str | None:
    """The words before the first amount of a penalty row (« Critique (N1) », « P1 »), if they
    look like a table row label: a few words, no sentence."""
    m = re.match(r"\s*\|?\s*([^€]{2,40}?)\s*[|:–-]?\s*\d[\d\s.,]*\s*(?:€|euros?\b)", quote)
    if not m:
        return None
    label = m.group(1).strip(" |:-–")
    folded = fold(label)
    sentence = re.search(r"\b(?:le|la|les|tout|toute|toutes|en cas|par|de|du|des|une?)\b", folded)
    if sentence or len(folded.split()) > 5 or not re.search(r"[a-z]", folded):
        return None
    return label if len(folded) >= 3 or re.fullmatch(r"[a-z]\d", folded) else None


def level_hours(label: str, texts: Sequence[str]) -> float | None:
    """Hours allowed for the level `label`, read from the lines of the contract texts that
    name that level and give a duration in hours but no euro amount. None when absent or
    when two lines disagree."""
    key = re.compile(r"(?<![a-z0-9])" + re.escape(fold(label)) + r"(?![a-z0-9])")
    found: set[float] = set()
    for text in texts:
        for line in text.splitlines():
            folded = fold(line)
            named = key.search(folded)
            if not named or _AMOUNT.search(folded):
                continue
            found.update(_hours_in(folded[named.end():]))
    return found.pop() if len(found) == 1 else None


def hours_in_row(quote: str) -> float | None:
    """Free hours written in the penalty row itself (« Critique | 4 heures | 150 € par heure de
    dépassement », « 80 € par heure au-delà de 8 heures »), when it gives exactly one."""
    found = _hours_in(_AMOUNT.sub(" ", fold(quote)))
    return found.pop() if len(found) == 1 else None


def _hours_in(folded: str) -> set[float]:
    out: set[float] = set()
    for m in _HOURS.finditer(folded):
        raw = m.group(1)
        digits = re.search(r"\((\d+)\)", raw)
        value = int(digits.group(1)) if digits else words_to_int(raw)
        if value:
            out.add(float(value))
    return out
