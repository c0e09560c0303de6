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
_HOURS = re.compile(r"(?<![\d,.])(\d{1,3}|[a-z]+(?: \(\d{1,3}\))?)\s*(?:h|heures?)\b(?!\s*(?:ouvre|ouvrable))")
_AMOUNT = re.compile(r"\d[\d\s.,]*\s*(?:€|eur\b|euros?)")


def row_label(quote: str) -> str | None:
    """The words before the first figure of a penalty row (« Critique (N1) »), if it looks
    like a table row label: short, and followed by the amount."""
    m = re.match(r"\s*([^\d€|]{3,40}?(?:\([^)]{1,10}\))?)\s*[|:–-]?\s*\d", quote)
    if not m:
        return None
    label = m.group(1).strip(" |:-–")
    return label if len(fold(label)) >= 3 and not re.search(r"\b(?:le|la|tout|toute|en cas|par)\b", fold(label)) else None


def level_hours(label: str, texts: Sequence[str]) -> float | None:
    """Hours allowed for the level `label`, read from the lines of the contract texts that
    name that level and give a duration in hours but no euro amount. None when absent or
    when two lines disagree."""
    key = fold(label)
    found: set[float] = set()
    for text in texts:
        for line in text.splitlines():
            folded = fold(line)
            if key not in folded or _AMOUNT.search(folded):
                continue
            after = folded[folded.index(key) + len(key):]
            for m in _HOURS.finditer(after):
                raw = m.group(1)
                digits = re.search(r"\((\d+)\)", raw)
                value = int(digits.group(1)) if digits else words_to_int(raw)
                if value:
                    found.add(float(value))
    return found.pop() if len(found) == 1 else None
