"""read_incident on log lines written the way a buyer's operational services really write them
(probe portfolio F exposed each case): orders « reçues par » the supplier, performance
« constatée », the buyer's own equipment or in-house operator, extensions and excused absences."""

from __future__ import annotations

import datetime as dt

from models.domain.types import Incident
from nlp.incidents import read_incident


def _inc(description: str, occurred: dt.date | None = None, resolved: dt.date | None = None) -> Incident:
    return Incident(id="R-1", reported_on=occurred, contract_ref=None, service="Exploitation",
                    description=description, occurred_on=occurred, resolved_on=resolved)


def _hints(description: str) -> set[str]:
    return {h.code for h in read_incident(_inc(description, dt.date(2025, 5, 12))).not_breach_hints}


def test_order_received_by_the_supplier_is_the_start_not_a_delivery() -> None:
    facts = read_incident(_inc("Commande 25-311 de sulfate d'alumine reçue par le titulaire le mardi "
                               "04/03/2025 ; livraison effective le 14/03/2025.", dt.date(2025, 3, 12)))
    assert facts.order_on == dt.date(2025, 3, 4)
    assert facts.performed_on == dt.date(2025, 3, 14)
    assert facts.failing_type == "retard"  # an order, then a later delivery: a delay


def test_order_received_then_named_supplier() -> None:
    facts = read_incident(_inc("BC 25-077 (sel de déneigement, 9 200 € HT) reçu le 13/01/2025 par Salinor ; "
                               "livré le 30/01/2025.", dt.date(2025, 1, 20)))
    assert facts.order_on == dt.date(2025, 1, 13)
    assert facts.performed_on == dt.date(2025, 1, 30)
    assert facts.order_value_eur == 9200.0


def test_goods_received_by_the_buyer_stay_a_delivery() -> None:
    facts = read_incident(_inc("Commande 25-090 : marchandise reçue le 19/02/2025 au magasin, échéance "
                               "du 14/02/2025.", dt.date(2025, 2, 15)))
    assert facts.order_on is None
    assert facts.performed_on == dt.date(2025, 2, 19)


def test_refusal_notified_is_a_rejection_not_an_order() -> None:
    facts = read_incident(_inc("Lot de chaux refusé, refus notifié le 02/06/2025 ; lot de remplacement "
                               "livré le 10/06/2025.", dt.date(2025, 6, 5)))
    assert facts.rejected_on == dt.date(2025, 6, 2)
    assert facts.order_on is None


def test_completion_established_is_performance_and_start_order_is_read() -> None:
    facts = read_incident(_inc("Fin des travaux de la station constatée le 18/11/2025 (ordre de service de "
                               "démarrage : 01/07/2025).", dt.date(2025, 11, 10)))
    assert facts.performed_on == dt.date(2025, 11, 18)
    assert facts.order_on == dt.date(2025, 7, 1)
    established = read_incident(_inc("Mise en conformité du chantier constatée le 09/04/2025.",
                                     dt.date(2025, 4, 2)))
    assert [f.role for f in established.dates] == ["performed"]


def test_buyer_equipment_operator_and_closure_are_the_buyers_side() -> None:
    assert "defaillance_acheteur" in _hints("Télégestion muette 4 h : coupure de l'alimentation électrique "
                                            "du Syndicat au poste de Vaux.")
    assert "defaillance_acheteur" in _hints("Panne du surpresseur (matériel de la commune, hors marché).")
    assert "defaillance_acheteur" in _hints("Coupure de 2 h pour une casse réparée par la régie, sans lien "
                                            "avec le chantier.")
    assert "defaillance_acheteur" in _hints("Livraison impossible : accès au site fermé par la Ville "
                                            "le 12/05/2025.")


def test_the_titulaires_own_crew_is_not_the_buyers_side() -> None:
    assert "defaillance_acheteur" not in _hints("Vanne fermée par l'équipe de l'entreprise sans prévenir la "
                                                "régie : 3 h sans eau.")
    assert "defaillance_acheteur" not in _hints("Locaux de la commune non nettoyés le 12/05/2025.")


def test_extension_granted_and_excused_absence_are_hints() -> None:
    assert "prolongation" in _hints("Fourniture des pompes retardée chez le fabricant : prolongation de délai "
                                    "accordée par avenant n° 2.")
    assert "absence_justifiee" in _hints("Réunion de chantier du 12/05/2025 : conducteur absent, absence "
                                         "excusée par courriel la veille.")
    assert "absence_justifiee" not in _hints("Réunion de chantier du 12/05/2025 : entreprise absente, sans "
                                             "excuse.")


def test_failing_kinds_of_real_logs() -> None:
    assert read_incident(_inc("Perte totale des alarmes du réservoir nord pendant 3 h.",
                              dt.date(2025, 5, 2))).failing_type == "indisponibilite"
    assert read_incident(_inc("Livraison d'acide sans fiche de données de sécurité le 02/05/2025.",
                              dt.date(2025, 5, 2))).failing_type == "document"
    assert read_incident(_inc("Outils non désinfectés avant intervention sur la conduite le 02/05/2025.",
                              dt.date(2025, 5, 2))).failing_type == "securite"


def test_period_a_periodic_deliverable_covers() -> None:
    def end(description: str, written: dt.date = dt.date(2026, 1, 20)) -> dt.date | None:
        return read_incident(_inc(description, written)).period_end

    assert end("Relevé des volumes du 2e trimestre 2025 transmis le 28/07/2025.") == dt.date(2025, 6, 30)
    assert end("Reporting T4 2025 toujours absent.") == dt.date(2025, 12, 31)
    assert end("Bilan du premier semestre 2025 non remis.") == dt.date(2025, 6, 30)
    assert end("Rapport d'exploitation de février 2025 reçu avec trois semaines de retard.") == dt.date(2025, 2, 28)
    # without a year: the latest such month before the line was written
    assert end("Compte rendu de décembre non reçu.") == dt.date(2025, 12, 31)
    # a day of a month is a date, not a period
    assert end("Livraison du 10 septembre 2025 arrivée à 15 h.") is None
