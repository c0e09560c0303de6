"""Deadlines written the way real CCAPs write them (probe portfolio F): a term that « prend
effet » at notification, a contract that « court » for years, a grid of délais whose common
starting event is stated once, under the grid. Examples written for these tests."""

from __future__ import annotations

from models.domain.types import ParsedDocument
from nlp.deadlines import extract_deadlines
from nlp.structure import segment_clauses


def _deadlines(text: str) -> list:
    parsed = ParsedDocument(status="parsed", format="pdf", text=text)
    return extract_deadlines(parsed, segment_clauses(parsed))


def test_term_taking_effect_at_notification() -> None:
    (term,) = _deadlines("ARTICLE 2 – DURÉE\nLe contrat prend effet à sa notification pour une période de "
                         "vingt-quatre (24) mois.\n")
    assert (term.duration, term.unit) == (24, "mois")
    assert term.anchor is not None and "notification" in term.anchor
    assert term.party is None


def test_contract_running_for_years_binds_no_party() -> None:
    (term,) = _deadlines("ARTICLE 3 – DURÉE\nLe marché court pendant quatre (4) ans à compter de sa "
                         "notification.\n")
    assert term.unit == "an" and term.party is None


def test_grid_rows_take_the_event_stated_under_the_grid() -> None:
    rows = _deadlines(
        "ARTICLE 6 – INTERVENTIONS\n"
        "6.2 – Délais d'intervention\n"
        "Niveau | Cas | Délai\n"
        "Urgent | Fuite sur conduite principale | 3 heures\n"
        "Normal | Compteur défectueux | 5 jours ouvrés\n"
        "Les délais courent à compter de l'appel du service d'astreinte.\n")
    grid = [d for d in rows if " | " in d.quote]
    assert [(d.duration, d.unit) for d in grid] == [(3, "heure"), (5, "jour")]
    assert all(d.anchor and "appel" in d.anchor for d in grid)
