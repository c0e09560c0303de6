"""Durations: '30 jours calendaires', 'quarante-huit (48) heures', 'deux mois'."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.domain.types import DayType, DurationUnit
from nlp.normalize.numbers import NUMBER_RE, parse_number
from nlp.normalize.text import fold


@dataclass(frozen=True)
class Duration:
    value: float
    unit: DurationUnit
    day_type: DayType | None = None  # only for days: what the text says, None if unqualified


_UNIT_RE = (
    r"(?P<unit>heures?|h(?![a-z])|jours?|journees?|semaines?|mois|ans|annees?|an(?![a-z]))"
)
_DAY_TYPE_RE = (
    r"(?:\s+(?P<dt>calendaires?|civils?|ouvres?|ouvrables?|francs?|"
    r"de\s+calendrier|ouvres\s+et\s+non\s+feries))?"
)
_DURATION = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER_RE})\s*{_UNIT_RE}{_DAY_TYPE_RE}(?![a-z])")

_UNIT_MAP: dict[str, DurationUnit] = {
    "h": "heure", "heure": "heure", "jour": "jour", "journee": "jour", "semaine": "semaine",
    "mois": "mois", "an": "an", "annee": "an",
}


def _day_type(word: str | None) -> DayType | None:
    if not word:
        return None
    if word.startswith("ouvrable"):
        return "ouvrable"
    if word.startswith("ouvre"):
        return "ouvre"
    if word.startswith(("calendaire", "civil", "de calendrier")):
        return "calendaire"
    return None  # "jours francs" is a counting rule, not a day type


def find_durations(text: str) -> list[tuple[Duration, int, int]]:
    """Every duration in `text` as (Duration, start, end)."""
    out: list[tuple[Duration, int, int]] = []
    for m in _DURATION.finditer(fold(text)):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        unit_word = m.group("unit").rstrip("s") if m.group("unit") != "mois" else "mois"
        unit = _UNIT_MAP.get(unit_word)
        if unit is None:
            continue
        day_type = _day_type(m.group("dt")) if unit == "jour" else None
        end = m.end() if m.group("dt") and unit == "jour" else m.end("unit")
        out.append((Duration(value, unit, day_type), m.start(), end))
    return out


def parse_duration(text: str) -> Duration | None:
    """The first duration in `text`, or None."""
    found = find_durations(text)
    return found[0][0] if found else None
