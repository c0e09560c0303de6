"""French deadline arithmetic: public holidays, working days, CCAG time limits.

Counting rules follow CCAG-FCS 2009 art. 3.2 [T] (FACTS.md §3.3 item 5; text in
shared/corpus/ccag/ccag-fcs-2009.md):
- 3.2.1 a time limit starts at 0 h the day after the event that starts it;
- 3.2.2 days are calendar days unless stated, the limit expires at midnight of its last day;
- 3.2.3 months are counted « de quantième en quantième »; with no matching day in the last
  month, the limit expires on that month's last day;
- 3.2.4 a limit whose last day is a Saturday, Sunday or public holiday is extended to the end
  of the next working day;
- 3.2.5 « jours ouvrés » exclude Saturdays, Sundays and public holidays.
Pure functions, no clock: callers pass every date.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import math
from functools import lru_cache

from models.domain.types import DayType, Deadline, DurationUnit

__all__ = [
    "easter_sunday",
    "french_public_holidays",
    "is_public_holiday",
    "is_working_day",
    "next_working_day",
    "add_months",
    "add_duration",
    "days_late",
    "counted_days",
    "started_units",
    "deadline_due",
    "elapsed_hours",
    "DAY_TYPE_LABELS",
]

DAY_TYPE_LABELS: dict[str, str] = {
    "calendaire": "jours calendaires",
    "ouvre": "jours ouvrés",
    "ouvrable": "jours ouvrables",
}


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian / Meeus-Jones-Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=256)
def french_public_holidays(year: int) -> frozenset[dt.date]:
    """The eleven metropolitan public holidays (Alsace-Moselle extras are not included)."""
    easter = easter_sunday(year)
    return frozenset(
        {
            dt.date(year, 1, 1),  # Jour de l'an
            easter + dt.timedelta(days=1),  # Lundi de Pâques
            dt.date(year, 5, 1),  # Fête du travail
            dt.date(year, 5, 8),  # Victoire 1945
            easter + dt.timedelta(days=39),  # Ascension
            easter + dt.timedelta(days=50),  # Lundi de Pentecôte
            dt.date(year, 7, 14),  # Fête nationale
            dt.date(year, 8, 15),  # Assomption
            dt.date(year, 11, 1),  # Toussaint
            dt.date(year, 11, 11),  # Armistice
            dt.date(year, 12, 25),  # Noël
        }
    )


def is_public_holiday(d: dt.date) -> bool:
    return d in french_public_holidays(d.year)


def is_working_day(d: dt.date, day_type: DayType | None = "ouvre") -> bool:
    """Whether `d` counts in a duration of `day_type`.

    ouvré = Monday–Friday, not a public holiday; ouvrable = Monday–Saturday, not a public
    holiday; calendaire (or None) = every day.
    """
    if day_type in (None, "calendaire"):
        return True
    last_weekday = 4 if day_type == "ouvre" else 5
    return d.weekday() <= last_weekday and not is_public_holiday(d)


def next_working_day(d: dt.date) -> dt.date:
    """`d` itself when it is Monday–Friday and not a holiday, else the next such day.

    CCAG-FCS 2009 3.2.4 says « premier jour ouvrable qui suit »; a Saturday reached that way
    would itself be a Saturday ending the limit, so the extension lands on a day that is
    neither a Saturday, a Sunday nor a public holiday.
    """
    while not is_working_day(d, "ouvre"):
        d += dt.timedelta(days=1)
    return d


def add_months(start: dt.date, months: int) -> dt.date:
    """« De quantième en quantième » (FCS 2009 3.2.3): same day number, else the month's last day."""
    index = start.month - 1 + months
    year, month0 = divmod(index, 12)
    year += start.year
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(start.day, last))


def _add_working_days(start: dt.date, count: int, day_type: DayType) -> dt.date:
    d = start
    remaining = count
    while remaining > 0:
        d += dt.timedelta(days=1)
        if is_working_day(d, day_type):
            remaining -= 1
    return d


def add_duration(
    start: dt.date,
    value: float,
    unit: DurationUnit,
    day_type: DayType | None = None,
    *,
    extend_to_working_day: bool = True,
) -> dt.date:
    """Last day (inclusive, until midnight) of a time limit of `value` `unit` from event day `start`.

    The event day itself is not counted (3.2.1). Days are calendar days unless `day_type` says
    ouvrés / ouvrables (3.2.2, 3.2.5). Hours are rounded up to whole days since only dates are
    known (48 h from an event on the 17th end on the 19th). The Saturday / Sunday / holiday
    extension (3.2.4) applies unless `extend_to_working_day` is False (e.g. a date fixed in
    the contract rather than a time limit).
    """
    if value < 0:
        raise ValueError("durée négative")
    if unit == "heure":
        return start + dt.timedelta(days=math.ceil(value / 24 - 1e-9))
    if unit == "jour":
        whole = math.ceil(value - 1e-9)
        if day_type in ("ouvre", "ouvrable"):
            end = _add_working_days(start, whole, day_type)
        else:
            end = start + dt.timedelta(days=whole)
    elif unit == "semaine":
        end = start + dt.timedelta(days=math.ceil(value * 7 - 1e-9))
    elif unit == "mois":
        months = int(value)
        end = add_months(start, months)
        if value != months:  # half a month etc.: counted in calendar days, 30 per month
            end += dt.timedelta(days=math.ceil((value - months) * 30 - 1e-9))
    elif unit == "an":
        end = add_months(start, int(round(value * 12)))
    else:  # pragma: no cover - Literal exhausted
        raise ValueError(f"unité inconnue : {unit}")
    return next_working_day(end) if extend_to_working_day else end


def counted_days(first: dt.date, last: dt.date, day_type: DayType | None) -> int:
    """Days from `first` to `last` inclusive that count under `day_type`."""
    if last < first:
        return 0
    if day_type in (None, "calendaire"):
        return (last - first).days + 1
    total = 0
    d = first
    while d <= last:
        if is_working_day(d, day_type):
            total += 1
        d += dt.timedelta(days=1)
    return total


def days_late(due: dt.date, performed: dt.date, day_type: DayType | None = "calendaire") -> int:
    """Days of delay: from the day after `due` to `performed` inclusive, in the clause's day type.

    Delay penalties run « le lendemain du jour où le délai contractuel d'exécution des
    prestations est expiré » (CCAG-FCS 2009 14.1.1 [T]).
    """
    return counted_days(due + dt.timedelta(days=1), performed, day_type)


def started_units(quantity: float) -> int:
    """Units counted when « toute heure (journée...) commencée est due »: 3.5 → 4, 4.0 → 4."""
    if quantity <= 0:
        return 0
    return math.ceil(round(quantity, 6))


def deadline_due(deadline: Deadline, event_day: dt.date, *, extend_to_working_day: bool = True) -> dt.date:
    """Last day of an extracted `Deadline` counted from the day its anchor event happened."""
    return add_duration(event_day, deadline.duration, deadline.unit, deadline.day_type,
                        extend_to_working_day=extend_to_working_day)


def elapsed_hours(start: dt.datetime, end: dt.datetime) -> float:
    """Continuous hours between two instants (nights and weekends included), never negative.

    Clauses that count only service hours must say so; this counts wall-clock time.
    """
    return max(0.0, (end - start).total_seconds() / 3600.0)
