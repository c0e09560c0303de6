"""V of a ratio penalty priced on one element of the contract, read from its price breakdown."""

from __future__ import annotations

from api.services.monitoring.values import element_value, wants_element_value
from models.domain.types import Penalty

AE = """Prix : forfait de 96 000,00 € HT, décomposé ainsi :
| DIAG – Diagnostic | 12 000,00 € |
| AVP – Avant-projet | 30 000,00 € |
| PRO – Projet | 54 000,00 € |
Phase 1 : 12 000 € ; phase 2 : 84 000 €"""


def _penalty(base: str) -> Penalty:
    return Penalty(article="9", page=None, quote="1/1000 par jour", trigger="retard", basis="ratio_per_unit",
                   ratio=0.001, unit="jour", value_base=base)


def test_the_late_element_is_priced_by_the_breakdown() -> None:
    assert element_value("Dossier AVP remis le 12/05 au lieu du 02/05 (DIAG validé le 10/03).", [AE]) == (30000.0, "AVP")
    assert element_value("Rapport de phase 2 remis avec 6 jours de retard.", [AE]) == (84000.0, "phase 2")
    assert element_value("Dossier EXE remis en retard.", [AE]) is None  # not priced: no guess


def test_only_element_bases_ask_for_it() -> None:
    assert wants_element_value(_penalty("montant HT de l'élément de mission concerné"))
    assert not wants_element_value(_penalty("montant HT du marché, de la tranche considérée ou du bon de commande"))
    assert not wants_element_value(_penalty("montant HT du bon de commande"))
