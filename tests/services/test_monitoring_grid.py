"""Reading the free hours of an SLA level, from the grid of the contract or the penalty row."""

from __future__ import annotations

from api.services.monitoring.grid import hours_in_row, level_hours, row_label

CONTRACT = """6.2 Délais d'intervention et de remise en service
| Niveau | Nature | Remise en service |
| P1 | Arrêt complet de la chaufferie | 6 h |
| P2 | Production d'eau chaude interrompue | vingt-quatre (24) heures |
| P3 | Défaut sans arrêt | 5 jours ouvrés |
| CP1 | Contrôle périodique | 72 h |
9.1 Pénalités
| P1 | 90 € HT par heure de dépassement |"""


def test_label_of_a_penalty_row() -> None:
    assert row_label("P2 | 40 € HT par heure de dépassement") == "P2"
    assert row_label("Niveau bloquant (B) 300 € par heure entamée") == "Niveau bloquant (B)"
    # a sentence is no row label
    assert row_label("Toute livraison intervenant après 10 h 30 entraîne une pénalité de 100 €") is None


def test_level_hours_from_the_other_table() -> None:
    assert level_hours("P1", [CONTRACT]) == 6.0  # not the 72 h of « CP1 », not the penalty row
    assert level_hours("P2", [CONTRACT]) == 24.0
    assert level_hours("P3", [CONTRACT]) is None  # working days are not consecutive hours
    assert level_hours("P4", [CONTRACT]) is None


def test_hours_written_in_the_penalty_row_itself() -> None:
    assert hours_in_row("Urgent | 4 heures | 150 € par heure de dépassement") == 4.0
    assert hours_in_row("80 € HT par heure au-delà de huit (8) heures") == 8.0
    # a clock time is not a free time
    assert hours_in_row("Toute livraison après 10 h 30 : 100 € par heure de retard") is None
    assert hours_in_row("100 € par heure de retard, toute heure entamée étant due") is None
