"""read_incident on hand-written log lines in the styles operational services use."""

from __future__ import annotations

import datetime as dt

from models.domain.types import Incident
from nlp.incidents import read_incident


def _inc(description: str, occurred: dt.date | None = None, resolved: dt.date | None = None,
         ref: str | None = None) -> Incident:
    return Incident(id="T-1", reported_on=occurred, contract_ref=ref, service="Services techniques",
                    description=description, occurred_on=occurred, resolved_on=resolved)


def test_late_delivery_dates_order_and_value() -> None:
    facts = read_incident(_inc(
        "Commande BC 23-118 (rayonnages archives, 8 750,00 € HT) passée le 03/03/2025 ; "
        "date limite de livraison 17/03/2025. Marchandise reçue le 26/03/2025.",
        dt.date(2025, 3, 18), dt.date(2025, 3, 26)))
    assert facts.failing_type == "retard"
    assert facts.due_on == dt.date(2025, 3, 17)
    assert facts.performed_on == dt.date(2025, 3, 26)
    assert facts.order_on == dt.date(2025, 3, 3)
    assert facts.order_refs == ("BC 23-118",)
    assert facts.order_value_eur == 8750.0
    assert not facts.never_performed


def test_never_delivered() -> None:
    facts = read_incident(_inc("Tablettes numériques du bon de commande n° 2025/044 : échéance du "
                               "2 juin 2025 dépassée, toujours pas livrées.", dt.date(2025, 6, 3)))
    assert facts.due_on == dt.date(2025, 6, 2)
    assert facts.performed_on is None
    assert facts.never_performed


def test_outage_across_midnight() -> None:
    facts = read_incident(_inc(
        "Messagerie hébergée hors service du 04/02/2025 à 22h15 au 05/02/2025 à 06h45 "
        "(ticket HD-7781).", dt.date(2025, 2, 4), dt.date(2025, 2, 5)))
    assert facts.failing_type == "indisponibilite"
    assert facts.outage_start == dt.datetime(2025, 2, 4, 22, 15)
    assert facts.outage_end == dt.datetime(2025, 2, 5, 6, 45)
    assert facts.outage_hours == 8.5
    assert facts.order_refs == ("ticket HD-7781",)


def test_outage_same_day_with_stated_duration_in_brackets() -> None:
    facts = read_incident(_inc("Coupure du portail de paiement en ligne le 12 mars 2025 de 13h05 à "
                               "14h35 (1 h 30).", dt.date(2025, 3, 12)))
    assert facts.outage_hours == 1.5


def test_rejection_and_replacement() -> None:
    facts = read_incident(_inc(
        "40 casques de chantier refusés le 02/06/2025 (marquage CE absent). Remplacement reçu le "
        "20/06/2025.", dt.date(2025, 6, 2), dt.date(2025, 6, 20)))
    assert facts.rejected_on == dt.date(2025, 6, 2)
    assert facts.performed_on == dt.date(2025, 6, 20)


def test_absence_and_supplier_alias() -> None:
    facts = read_incident(
        _inc("Réunion de suivi n° 4 du 9 avril 2025 : absence du représentant de Nettoyage Sud-Loire, "
             "aucun remplaçant.", dt.date(2025, 4, 9)),
        supplier_names=["NSL Propreté", "Nettoyage Sud-Loire"])
    assert facts.failing_type == "absence"
    assert facts.supplier_mentions == ("Nettoyage Sud-Loire",)


def test_not_a_breach_hints() -> None:
    by_buyer = read_incident(_inc("Livraison des manuels décalée au 15/09/2025 à la demande du principal "
                                  "du collège (fermeture exceptionnelle).", dt.date(2025, 9, 8)))
    assert [h.code for h in by_buyer.not_breach_hints] == ["demande_acheteur"]

    own_network = read_incident(
        _inc("Logiciel de gestion inaccessible le 3 avril 2025 de 8h00 à 10h00 : panne du réseau interne "
             "de la mairie.", dt.date(2025, 4, 3)),
        buyer_names=["Mairie de Saint-Rémy"])
    assert "defaillance_acheteur" in [h.code for h in own_network.not_breach_hints]

    weather = read_incident(_inc("Chantier interrompu les 3, 4 et 5 février 2025 pour cause de neige.",
                                 dt.date(2025, 2, 3)))
    assert [h.code for h in weather.not_breach_hints] == ["intemperies"]
    assert dt.date(2025, 2, 4) in {d.day for d in weather.dates}

    supplier_request = read_incident(_inc("Livraison reportée au 10/10/2025 à la demande du fournisseur.",
                                          dt.date(2025, 10, 1)))
    assert supplier_request.not_breach_hints == ()


def test_security_is_not_confused_with_safety_shoes() -> None:
    facts = read_incident(_inc("Chaussures de sécurité du BC 77 non livrées à l'échéance du 04/04/2025.",
                               dt.date(2025, 4, 5)))
    assert facts.failing_type == "retard"


def test_night_outage_and_durations_that_are_not_clock_times() -> None:
    night = read_incident(_inc("Serveur de téléphonie injoignable dans la nuit du 9 octobre 2025, de 22h30 à "
                               "01h00 ; délai de rétablissement de 4 h dépassé.", dt.date(2025, 10, 9)))
    assert night.outage_hours == 2.5
    stated = read_incident(_inc("Interruption de la GMAO pendant 5 heures le 2 mai 2025.", dt.date(2025, 5, 2)))
    assert stated.outage_start is None and stated.outage_hours == 5


def test_postponed_date_is_kept() -> None:
    facts = read_incident(_inc("Pose des stores décalée du 03/11/2025 au 17/11/2025 à la demande de la "
                               "directrice de la crèche. Pose effectuée le 24/11/2025.",
                               dt.date(2025, 11, 3), dt.date(2025, 11, 24)))
    assert facts.postponed_to == dt.date(2025, 11, 17)
    assert facts.performed_on == dt.date(2025, 11, 24)
    assert [h.code for h in facts.not_breach_hints] == ["demande_acheteur"]


def test_dates_without_year_take_the_log_line_year() -> None:
    facts = read_incident(_inc("Panne de la téléphonie du 30/12 à 18h00 au 02/01 à 09h00 (ticket 4471).",
                               dt.date(2025, 12, 30)))
    assert facts.outage_start == dt.datetime(2025, 12, 30, 18, 0)
    assert facts.outage_end == dt.datetime(2026, 1, 2, 9, 0)
    assert facts.outage_hours == 63.0


def test_day_seen_missing_is_not_a_performance_day() -> None:
    facts = read_incident(_inc("Bon de commande 25-77 : rien n'a été livré au 02/10/2025, relance faite.",
                               dt.date(2025, 10, 2)))
    assert facts.performed_on is None and facts.never_performed


def test_request_that_starts_the_clock_is_no_excuse() -> None:
    facts = read_incident(_inc("Intervention à la demande du service des sports le 02/06/2025 pour fuite ; "
                               "plombier arrivé le 05/06/2025.", dt.date(2025, 6, 2)))
    assert facts.not_breach_hints == ()


def test_clock_limit_in_brackets_is_the_deadline_not_the_start() -> None:
    facts = read_incident(_inc("Plateaux-repas de l'EHPAD livrés à 12h25 (heure limite de livraison 11h30), "
                               "service du midi retardé.", dt.date(2025, 5, 12)))
    assert facts.limit_at == dt.datetime(2025, 5, 12, 11, 30)
    assert facts.performed_at == dt.datetime(2025, 5, 12, 12, 25)
    assert facts.outage_hours is None  # one event time only: no outage measured from the limit


def test_clock_limit_after_au_lieu_de() -> None:
    facts = read_incident(_inc("Camion de collecte passé à 10h50 au lieu de 6h00 rue des Acacias.",
                               dt.date(2025, 2, 3)))
    assert facts.limit_at == dt.datetime(2025, 2, 3, 6, 0)
    assert facts.performed_at == dt.datetime(2025, 2, 3, 10, 50)


def test_ticket_times_stay_an_outage_without_limit() -> None:
    facts = read_incident(_inc("Standard téléphonique muet : appel ouvert à 7h40, remis en service à 9h10.",
                               dt.date(2025, 2, 3)))
    assert facts.limit_at is None
    assert facts.outage_hours == 1.5


def test_due_date_after_etait_le_and_prolongation_already_included() -> None:
    facts = read_incident(_inc(
        "Salle de sport : travaux terminés le 20/02/2026, alors que la date de fin, report de 10 jours de "
        "l'OS n° 2 compris, était le 13/02/2026.", dt.date(2026, 2, 14), dt.date(2026, 2, 20)))
    assert facts.due_on == dt.date(2026, 2, 13)
    assert facts.due_includes_extension


def test_initial_due_date_does_not_include_the_prolongation() -> None:
    facts = read_incident(_inc("Pose des menuiseries non achevée à l'échéance initiale du 02/05/2025 ; "
                               "achèvement constaté le 15/05/2025.", dt.date(2025, 5, 3), dt.date(2025, 5, 15)))
    assert facts.due_on == dt.date(2025, 5, 2)
    assert not facts.due_includes_extension


def test_late_decision_of_the_buyer_is_a_hint() -> None:
    facts = read_incident(_inc(
        "Étude de sol phase 2 non rendue au 15/04/2025 ; la validation de la phase 1 n'a été notifiée "
        "par l'université au bureau d'études que le 10/04/2025.", dt.date(2025, 4, 15)))
    assert any(h.code == "defaillance_acheteur" for h in facts.not_breach_hints)


def test_data_the_buyer_had_to_supply_arrived_late() -> None:
    facts = read_incident(_inc(
        "Plan de gestion non remis au 30/09/2025 : les relevés à fournir par la communauté de communes "
        "n'ont été transmis au prestataire que le 25/09/2025.", dt.date(2025, 9, 30)))
    assert any(h.code == "defaillance_acheteur" for h in facts.not_breach_hints)


def test_works_suspended_by_the_owner_is_a_hint_but_not_by_the_contractor() -> None:
    ordered = read_incident(_inc("Chantier du préau arrêté depuis le 03/03/2025 ; fouilles archéologiques "
                                 "prescrites par la préfecture, travaux suspendus.", dt.date(2025, 3, 3)))
    assert any(h.code == "defaillance_acheteur" for h in ordered.not_breach_hints)
    own = read_incident(_inc("Travaux suspendus depuis le 03/03/2025, arrêt décidé par l'entreprise "
                             "faute de personnel.", dt.date(2025, 3, 3)))
    assert not any(h.code == "defaillance_acheteur" for h in own.not_breach_hints)


def test_delivery_after_its_date_is_a_delay_even_without_the_word() -> None:
    facts = read_incident(_inc("Bon de commande 25-77 : colis prévu le 10/03/2025, reçu le 14/03/2025.",
                               dt.date(2025, 3, 11), dt.date(2025, 3, 14)))
    assert facts.failing_type == "retard"


def test_an_order_placed_by_the_school_is_no_suspension_by_the_buyer() -> None:
    facts = read_incident(_inc("Livraison des repas commandés par l'école Jules-Ferry suspendue par le "
                               "prestataire le 12/05/2025 : aucun repas servi.", dt.date(2025, 5, 12)))
    assert not any(h.code == "defaillance_acheteur" for h in facts.not_breach_hints)


def test_late_rejection_notice_is_not_the_buyers_failing() -> None:
    facts = read_incident(_inc("Fauteuils refusés ; la décision de rejet n'a été notifiée au fournisseur que le "
                               "14/05/2025, remplacement reçu le 30/05/2025.", dt.date(2025, 5, 14)))
    assert not any(h.code == "defaillance_acheteur" for h in facts.not_breach_hints)
