"""read_incident on the shorthand of operating staff: the buyer named by its lower-case acronym,
« HS » and a bare « rétabli »."""

from __future__ import annotations

import datetime as dt

from models.domain.types import Incident
from nlp.incidents import read_incident

# buyers' names as a portfolio gives them: the logs call them « ccps » and « smel »
_CCPS = ("Communauté de communes du Pays de Salers",)
_SMEL = ("Syndicat mixte des transports de l'estuaire ligérien",)  # five words: « smtel », « smel »


def _inc(description: str, occurred: dt.date | None = None, resolved: dt.date | None = None) -> Incident:
    return Incident(id="T-1", reported_on=occurred, contract_ref=None, service="exploitation",
                    description=description, occurred_on=occurred, resolved_on=resolved)


def _codes(description: str, buyers: tuple[str, ...], occurred: dt.date = dt.date(2025, 5, 14)) -> list[str]:
    facts = read_incident(_inc(description, occurred), buyer_names=buyers)
    return [h.code for h in facts.not_breach_hints]


def test_cancelled_by_the_buyer_acronym_is_the_buyers_doing() -> None:
    assert "demande_acheteur" in _codes("visite de contrôle du 14/5 annulée par la ccps, à reprogrammer", _CCPS)
    assert "demande_acheteur" in _codes("point d'avancement reporté par le smel (élus indisponibles)", _SMEL)


def test_buyer_works_or_closure_named_by_acronym_clear_the_titulaire() -> None:
    assert "defaillance_acheteur" in _codes(
        "quai bus inaccessible toute la matinée, voirie barrée (travaux smel), prestataire non en cause", _SMEL)
    assert "defaillance_acheteur" in _codes(
        "enlèvement impossible le 12/5 : déchetterie fermée pour inventaire (décision smel), fait le 15/5", _SMEL)
    assert "defaillance_acheteur" in _codes("liaison radio coupée par le smel pendant la migration", _SMEL)


def test_buyer_acting_against_the_titulaire_is_no_excuse() -> None:
    # a refusal decided by the buyer, its reminders and formal notices, its silence: the breach stands
    assert _codes("livraison refusée (décision smel : palettes écrasées), relivrée le 20/5", _SMEL) == []
    assert _codes("mise en demeure envoyée par le smel le 16/5 ; toujours rien livré", _SMEL) == []
    assert _codes("délai supplémentaire demandé par le titulaire, pas de réponse du smel", _SMEL) == []


def test_acronym_is_matched_as_a_whole_word_only() -> None:
    # « smeltex » is another word; a two-word name gives no acronym at all
    assert _codes("visite annulée par le smeltex", _SMEL) == []
    assert _codes("visite annulée par le vl", ("Ville de Lestrac",)) == []


def test_order_with_a_later_delivery_is_a_delay() -> None:
    facts = read_incident(_inc("BC 25-0311 gilets haute visibilité notifié le 5/3 : livrés le 21/3",
                               dt.date(2025, 3, 14), dt.date(2025, 3, 21)))
    assert facts.order_on == dt.date(2025, 3, 5)
    assert facts.performed_on == dt.date(2025, 3, 21)
    assert facts.failing_type == "retard"


def test_hs_and_bare_retabli_read_as_unavailability() -> None:
    facts = read_incident(_inc("bornes d'information voyageurs HS ligne 3, astreinte appelée 16h05, rétabli 21h35",
                               dt.date(2025, 10, 2), dt.date(2025, 10, 2)))
    assert facts.failing_type == "indisponibilite"
    assert facts.outage_hours == 5.5


def test_hs_inside_another_word_is_not_out_of_service() -> None:
    facts = read_incident(_inc("rapport mensuel des ehs (établissements) non transmis", dt.date(2025, 10, 2)))
    assert facts.failing_type == "document"


def test_a_late_report_abbreviated_like_the_buyer_is_no_buyer_fault() -> None:
    # « Centre Régional d'Archives » gives « cra », which in a log is a compte rendu d'activité
    buyers = ("Centre Régional d'Archives",)
    assert _codes("faute de frappe dans le CRA, CRA du mois de mars remis en retard", buyers) == []
    assert _codes("rapport d'intervention transmis du fait du cra en panne", buyers) == []
