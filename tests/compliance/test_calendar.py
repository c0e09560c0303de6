"""French deadline arithmetic, checked by hand against the 2024–2026 calendars."""

import datetime as dt

import pytest

from models.compliance.calendar import (
    add_duration,
    counted_days,
    days_late,
    easter_sunday,
    french_public_holidays,
    is_working_day,
    started_units,
)

D = dt.date


@pytest.mark.parametrize(
    "year, easter",
    [(2008, D(2008, 3, 23)), (2019, D(2019, 4, 21)), (2024, D(2024, 3, 31)),
     (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2038, D(2038, 4, 25))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_holidays_2026_include_moving_feasts():
    days = french_public_holidays(2026)
    assert len(days) == 11
    assert D(2026, 4, 6) in days  # lundi de Pâques
    assert D(2026, 5, 14) in days  # Ascension
    assert D(2026, 5, 25) in days  # lundi de Pentecôte
    assert D(2026, 7, 14) in days
    assert D(2026, 4, 5) not in days  # Easter Sunday is a Sunday, not listed


def test_working_day_kinds():
    saturday, ascension, monday = D(2025, 5, 31), D(2025, 5, 29), D(2025, 6, 2)
    assert not is_working_day(saturday, "ouvre")
    assert is_working_day(saturday, "ouvrable")
    assert not is_working_day(ascension, "ouvrable")
    assert is_working_day(monday, "ouvre")
    assert is_working_day(ascension, "calendaire")


def test_calendar_days_start_the_day_after():
    # notified Wednesday 3 September 2025 + 15 days = Thursday 18 September
    assert add_duration(D(2025, 9, 3), 15, "jour") == D(2025, 9, 18)


def test_deadline_ending_on_saturday_moves_to_monday():
    # Wednesday 1 October 2025 + 10 days = Saturday 11 October → Monday 13 October
    assert add_duration(D(2025, 10, 1), 10, "jour") == D(2025, 10, 13)
    assert add_duration(D(2025, 10, 1), 10, "jour", extend_to_working_day=False) == D(2025, 10, 11)


def test_deadline_ending_on_easter_monday_or_14_july_moves_on():
    # Monday 30 March 2026 + 7 days = Easter Monday 6 April → Tuesday 7 April
    assert add_duration(D(2026, 3, 30), 7, "jour") == D(2026, 4, 7)
    # Friday 4 July 2025 + 10 days = Monday 14 July → Tuesday 15 July
    assert add_duration(D(2025, 7, 4), 10, "jour") == D(2025, 7, 15)


def test_working_days_skip_ascension_and_weekend():
    # from Monday 11 May 2026: 12, 13, (14 Ascension), 15, (16, 17), 18, 19
    assert add_duration(D(2026, 5, 11), 5, "jour", "ouvre") == D(2026, 5, 19)
    # ouvrables count Saturday 16 May
    assert add_duration(D(2026, 5, 11), 5, "jour", "ouvrable") == D(2026, 5, 18)


def test_weeks_and_hours():
    # Monday 2 February 2026 + 6 weeks = Monday 16 March
    assert add_duration(D(2026, 2, 2), 6, "semaine") == D(2026, 3, 16)
    # an act of Tuesday 10 March 2026 + 72 h → Friday 13 March
    assert add_duration(D(2026, 3, 10), 72, "heure") == D(2026, 3, 13)


def test_months_quantieme_en_quantieme():
    assert add_duration(D(2025, 3, 17), 2, "mois") == D(2025, 5, 19)  # 17 May 2025 is a Saturday
    assert add_duration(D(2025, 3, 17), 2, "mois", extend_to_working_day=False) == D(2025, 5, 17)
    # no 31 February: expires on the month's last day
    assert add_duration(D(2025, 1, 31), 1, "mois") == D(2025, 2, 28)
    assert add_duration(D(2024, 1, 31), 1, "mois") == D(2024, 2, 29)
    assert add_duration(D(2024, 2, 29), 1, "an", extend_to_working_day=False) == D(2025, 2, 28)


def test_days_late_calendar_and_working():
    due, performed = D(2026, 5, 12), D(2026, 5, 26)
    assert days_late(due, performed, "calendaire") == 14
    # 13, (14 Ascension), 15, 18, 19, 20, 21, 22, (25 Pentecôte), 26
    assert days_late(due, performed, "ouvre") == 8
    assert days_late(due, performed, "ouvrable") == 10  # + Saturdays 16 and 23
    assert days_late(due, due, "calendaire") == 0
    assert days_late(due, due - dt.timedelta(days=3), "calendaire") == 0


def test_counted_days_inclusive():
    assert counted_days(D(2025, 12, 24), D(2025, 12, 26), "ouvre") == 2  # Christmas excluded


@pytest.mark.parametrize("hours, units", [(0, 0), (-1, 0), (0.25, 1), (3.0, 3), (3.5, 4), (47.5, 48)])
def test_started_units(hours, units):
    assert started_units(hours) == units


def test_working_day_durations_and_days_late_agree_over_two_years():
    start = D(2025, 1, 1)
    for offset in range(0, 730, 3):
        day = start + dt.timedelta(days=offset)
        for n in (1, 5, 12):
            for kind in ("ouvre", "ouvrable"):
                end = add_duration(day, n, "jour", kind, extend_to_working_day=False)
                assert is_working_day(end, kind)
                assert days_late(day, end, kind) == n
            end = add_duration(day, n, "jour")
            assert is_working_day(end, "ouvre")  # never a Saturday, Sunday or holiday
            assert 0 <= (end - day).days - n <= 4  # at most a long weekend of extension
