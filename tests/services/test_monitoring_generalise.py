"""Breach detection on drafting styles the first portfolio did not have: a time-of-day limit
written in the log, an SLA grid whose times and penalties sit in two tables, one penalty
notification naming two incidents by their day and place."""

from __future__ import annotations

import datetime as dt

from api.services.monitoring import AnalysedDocument, evaluate_portfolio
from models.domain.types import (
    ContractInfo,
    DocumentAnalysis,
    Finding,
    Incident,
    ParsedDocument,
    Penalty,
    SupplierInfo,
)

AS_OF = dt.date(2026, 2, 28)
HOSTING = ContractInfo(ref="UNIV-24-TIC-3", title="Hébergement et exploitation de l'environnement numérique de travail",
                       ccag="TIC", ccag_version=2021, supplier_siret="51234987600044", amount_ht_eur=300000.0,
                       notified_on=dt.date(2024, 9, 2), duration_months=48, buyer_name="Université de Lorvane")
MEALS = ContractInfo(ref="UNIV-25-FCS-8", title="Livraison de plateaux-repas pour les jurys et colloques",
                     ccag="FCS", ccag_version=2021, supplier_siret="79345612300018", amount_ht_eur=60000.0,
                     notified_on=dt.date(2025, 1, 6), duration_months=24, buyer_name="Université de Lorvane")
SUPPLIERS = [SupplierInfo("51234987600044", "Nuage Atlantique", ("NUAGE ATLANTIQUE SAS",)),
             SupplierInfo("79345612300018", "Traiteur des Halles", ())]

GRID_TEXT = """Article 6 - Niveaux de service
| Priorité | Exemple | Délai de rétablissement |
| Bloquante (P1) | ENT inaccessible pour tous les usagers | 2 heures |
| Majeure (P2) | Un service de l'ENT inaccessible | 8 heures |
Article 9 - Pénalités
| Bloquante (P1) | 200 € HT par heure de dépassement, toute heure entamée étant due |
| Majeure (P2) | 50 € HT par heure de dépassement, toute heure entamée étant due |
Par dérogation à l'article 14.1.3 du CCAG-TIC, le titulaire n'est pas exonéré des pénalités."""

GRID_PENALTIES = tuple(
    Penalty(article="9", page=None, trigger="indisponibilite", basis="fixed_per_unit", amount_eur=amount, unit="heure",
            started_unit_counts=True, threshold_eur=0.0,
            quote=f"{label} {amount:.0f} € HT par heure de dépassement, toute heure entamée étant due")
    for label, amount in (("Bloquante (P1)", 200.0), ("Majeure (P2)", 50.0)))
MEAL_PENALTY = Penalty(article="5", page=None, trigger="retard", basis="fixed_per_unit", amount_eur=40.0,
                       unit="heure", started_unit_counts=True, threshold_eur=0.0,
                       quote="Toute livraison après l'heure convenue donne lieu à une pénalité de 40 € HT par "
                             "heure de retard, toute heure entamée étant comptée.")


def _doc(path: str, ref: str | None, text: str, kind: str, penalties: tuple[Penalty, ...] = ()) -> AnalysedDocument:
    return AnalysedDocument(path, ref, ParsedDocument(status="parsed", format="txt", text=text),
                            DocumentAnalysis(kind=kind, kind_confidence=1.0, penalties=penalties))


NOTIFICATION = """Université de Lorvane - Direction du numérique
Lorvane, le 12 janvier 2026
Objet : marché UNIV-24-TIC-3 - notification de pénalités
Madame, Monsieur,
Je vous notifie les pénalités suivantes, au titre de l'article 9 du CCAP :
- la coupure de l'ENT du 4 novembre 2025 sur le campus Saint-Exupéry ;
- l'indisponibilité de la messagerie étudiante du 9 décembre 2025 au site Montaigu.
Leur montant sera retenu sur la prochaine facture.
La directrice du numérique"""

OTHER_LETTER = """Université de Lorvane - Direction du numérique
Lorvane, le 20 novembre 2025
Objet : marché UNIV-24-TIC-3 - comité de suivi
Nous vous rappelons que le comité de suivi du 4 novembre 2025 sur le campus Lamartine a été reporté."""


def _run(incidents: list[Incident]) -> dict[str, Finding]:
    documents = [
        _doc("contracts/UNIV-24-TIC-3/ccap.txt", "UNIV-24-TIC-3", GRID_TEXT, "ccap", GRID_PENALTIES),
        _doc("contracts/UNIV-25-FCS-8/ccap.txt", "UNIV-25-FCS-8", MEAL_PENALTY.quote, "ccap", (MEAL_PENALTY,)),
        _doc("courriers/notif-2026-01.txt", None, NOTIFICATION, "notification_penalites"),
        _doc("courriers/comite.txt", None, OTHER_LETTER, "autre"),
    ]
    findings = evaluate_portfolio(contracts=[HOSTING, MEALS], suppliers=SUPPLIERS, documents=documents,
                                  incidents=incidents, as_of=AS_OF)
    return {f.incident: f for f in findings}


def _inc(id_: str, ref: str, day: dt.date, text: str) -> Incident:
    return Incident(id=id_, reported_on=day, contract_ref=ref, service="DSI", description=text,
                    occurred_on=day, resolved_on=day)


def test_time_of_day_limit_written_in_the_log_gives_the_hours_late() -> None:
    found = _run([
        _inc("U-1", "UNIV-25-FCS-8", dt.date(2025, 6, 18),
             "Jury de thèse bâtiment C : plateaux livrés à 12h50, heure limite 11h45."),
        _inc("U-2", "UNIV-25-FCS-8", dt.date(2025, 6, 19),
             "Colloque amphi Nord : plateaux livrés à 11h20 au lieu de 11h30."),
    ])
    late = found["U-1"]
    assert late.breach and late.penalty_eur == 80.0  # 1 h 05 late → 2 started hours × 40 €
    assert not found["U-2"].breach  # delivered before the limit
    assert found["U-2"].penalty_eur is None


def test_sla_level_time_read_from_the_other_table_of_the_contract() -> None:
    found = _run([
        _inc("U-3", "UNIV-24-TIC-3", dt.date(2025, 10, 2),
             "ENT inaccessible pour tous (Bloquante P1) : ticket ouvert à 9h00, rétabli à 12h20."),
        _inc("U-4", "UNIV-24-TIC-3", dt.date(2025, 10, 9),
             "ENT inaccessible pour tous (Bloquante P1) : ticket ouvert à 14h00, rétabli à 15h30."),
    ])
    assert found["U-3"].penalty_eur == 400.0  # 3 h 20 − 2 h = 1 h 20 → 2 started hours × 200 €
    assert not found["U-4"].breach  # 1 h 30 within the 2 hours of level P1


def test_one_notification_naming_two_incidents_by_day_and_place() -> None:
    found = _run([
        _inc("U-5", "UNIV-24-TIC-3", dt.date(2025, 11, 4),
             "Coupure de l'ENT sur le campus Saint-Exupéry (P1) : ticket ouvert à 8h00, rétabli à 11h00."),
        _inc("U-6", "UNIV-24-TIC-3", dt.date(2025, 12, 9),
             "Messagerie étudiante inaccessible au site Montaigu (P2) : ticket ouvert à 7h00, rétablie à 16h30."),
        _inc("U-7", "UNIV-24-TIC-3", dt.date(2025, 11, 4),
             "ENT inaccessible au campus Lamartine (P1) : ticket ouvert à 13h00, rétabli à 16h00."),
    ])
    assert found["U-5"].action_documents == ("courriers/notif-2026-01.txt",)
    assert found["U-6"].action_documents == ("courriers/notif-2026-01.txt",)
    # same day, another campus: the notification does not name it
    assert found["U-7"].breach and not found["U-7"].acted_on


WORKS = ContractInfo(ref="UNIV-25-TRX-2", title="Réhabilitation de la bibliothèque universitaire",
                     ccag="Travaux", ccag_version=2021, supplier_siret="38765432100051", amount_ht_eur=450000.0,
                     notified_on=dt.date(2025, 1, 13), duration_months=10, buyer_name="Université de Lorvane")
WORKS_PENALTIES = (
    Penalty(article="8.1", page=None, trigger="retard", basis="fixed_per_unit", amount_eur=300.0, unit="jour",
            quote="Tout retard dans l'achèvement des travaux donne lieu à une pénalité de 300 € HT par jour "
                  "calendaire de retard."),
    Penalty(article="8.3", page=None, trigger="securite", basis="fixed_per_unit", amount_eur=500.0,
            unit="occurrence", quote="Toute benne de déchets de chantier laissée non bâchée sur le domaine "
                                     "universitaire est sanctionnée par une pénalité de 500 € HT par constat."),
)
OS_3 = """Ordre de service n° 3 - marché UNIV-25-TRX-2
Lorvane, le 20 mai 2025
Le délai d'exécution des travaux est prolongé de dix (10) jours calendaires. La date d'achèvement est
reportée du 02/06/2025 au 12/06/2025. Le maître d'ouvrage."""
PV = """Université de Lorvane — chantier de la bibliothèque
Procès-verbal de constat — lundi 5 mai 2025, 16 h 10
Deux bennes à gravats stationnées sans bâche sur le parvis, marché UNIV-25-TRX-2.
Constat dressé en présence du chef de chantier de Bâtiments Réunis."""
MAIL = """Bonjour Monsieur,
Les deux bennes laissées sans bâche sur le parvis de la bibliothèque le 5 mai (marché UNIV-25-TRX-2) ont été
constatées par procès-verbal. L'université envisage de vous appliquer une pénalité de 500 € HT par benne
au titre de l'article 8.3 du CCAP. Vous pouvez nous faire part de vos observations sous quinze jours.
Cordialement, la direction du patrimoine"""


def _works(incidents: list[Incident]) -> dict[str, Finding]:
    documents = [
        _doc("contracts/UNIV-25-TRX-2/ccap.txt", "UNIV-25-TRX-2", "\n".join(p.quote for p in WORKS_PENALTIES),
             "ccap", WORKS_PENALTIES),
        _doc("courriers/os3.txt", None, OS_3, "ordre_de_service"),
        _doc("courriers/pv-bennes.txt", None, PV, "pv_constat"),
        AnalysedDocument("courriers/mail-bennes.eml", None,
                         ParsedDocument(status="parsed", format="eml", text=MAIL,
                                        metadata={"subject": "Bennes parvis BU", "date": "2025-05-12"}),
                         DocumentAnalysis(kind="autre", kind_confidence=0.4)),
    ]
    findings = evaluate_portfolio(contracts=[WORKS], suppliers=[SupplierInfo("38765432100051", "Bâtiments Réunis", ())],
                                  documents=documents, incidents=incidents, as_of=AS_OF)
    return {f.incident: f for f in findings}


def test_logged_due_date_that_already_includes_the_prolongation_is_not_extended_again() -> None:
    found = _works([_inc("W-1", "UNIV-25-TRX-2", dt.date(2025, 6, 13),
                         "Bibliothèque : achèvement constaté le 16/06/2025 pour une échéance fixée au 12/06/2025 "
                         "après prolongation de 10 jours (OS n° 3).")])
    finding = found["W-1"]
    assert finding.breach
    assert finding.days_late == 4 and finding.penalty_eur == 1200.0


def test_pv_named_by_day_without_year_and_an_invitation_written_in_a_plain_mail() -> None:
    found = _works([_inc("W-2", "UNIV-25-TRX-2", dt.date(2025, 5, 5),
                         "Deux bennes non bâchées sur le parvis de la bibliothèque (PV de constat du 05/05).")])
    finding = found["W-2"]
    assert finding.acted_on
    assert set(finding.action_documents) == {"courriers/pv-bennes.txt", "courriers/mail-bennes.eml"}


def test_time_given_by_a_mise_en_demeure_sent_before_the_logged_day() -> None:
    cleaning = Penalty(article="8.4", page=None, trigger="autre", basis="fixed_per_unit", amount_eur=300.0, unit="jour",
                       quote="Gravois non enlevés après mise en demeure restée sans effet à l'expiration du délai "
                             "qu'elle fixe : 300 € HT par jour calendaire.")
    notice = """Université de Lorvane — Direction du patrimoine
Lorvane, le 2 juin 2025
Objet : marché UNIV-25-TRX-2 — mise en demeure
Nous vous mettons en demeure d'enlever les gravois entreposés dans la cour d'honneur dans un délai de
trois (3) jours à compter de la réception de la présente."""
    documents = [
        _doc("contracts/UNIV-25-TRX-2/ccap.txt", "UNIV-25-TRX-2", cleaning.quote, "ccap", (cleaning,)),
        _doc("courriers/med-gravois.txt", None, notice, "mise_en_demeure"),
    ]
    incident = Incident(id="W-3", reported_on=dt.date(2025, 6, 6), contract_ref="UNIV-25-TRX-2", service="DP",
                        description="Gravois toujours dans la cour d'honneur malgré la mise en demeure du 02/06/2025 "
                                    "(délai de 3 jours) ; enlèvement constaté le 09/06/2025.",
                        occurred_on=dt.date(2025, 6, 6), resolved_on=dt.date(2025, 6, 9))
    [finding] = evaluate_portfolio(contracts=[WORKS], suppliers=[], documents=documents, incidents=[incident], as_of=AS_OF)
    assert finding.action_documents == ("courriers/med-gravois.txt",)  # written before the logged day, named by it
    assert finding.days_late == 4  # 02/06 + 3 days = 05/06; 06 to 09/06
    assert finding.penalty_eur == 1200.0  # above the 1 000 € CCAG-Travaux 2021 threshold


def test_clause_naming_the_deliverable_by_its_acronym_wins() -> None:
    studies = Penalty(article="6.1", page=None, trigger="retard", basis="ratio_per_unit", ratio=0.001, unit="jour",
                      quote="En cas de retard dans la remise d'un dossier d'études (AVP, PRO, DCE), pénalité de 1/1000 "
                            "du montant HT de l'élément de mission par jour de retard.")
    checks = Penalty(article="6.3", page=None, trigger="retard", basis="fixed_per_unit", amount_eur=80.0, unit="jour",
                     quote="Le dépassement du délai de vérification des décomptes mensuels entraîne une pénalité de "
                           "80 € HT par jour calendaire de retard.")
    documents = [_doc("contracts/UNIV-25-TRX-2/ccap.txt", "UNIV-25-TRX-2", "", "ccap", (studies, checks))]
    incident = Incident(id="W-4", reported_on=dt.date(2025, 4, 2), contract_ref="UNIV-25-TRX-2", service="DP",
                        description="Dossier PRO reçu le 11/04/2025 au lieu du 31/03/2025.",
                        occurred_on=dt.date(2025, 4, 1), resolved_on=dt.date(2025, 4, 11))
    [finding] = evaluate_portfolio(contracts=[WORKS], suppliers=[], documents=documents, incidents=[incident], as_of=AS_OF)
    assert finding.clause_article == "6.1"
    assert finding.penalty_eur is None and finding.needs_review  # the value of the PRO element is not given


CLEANING = ContractInfo(ref="UNIV-25-FCS-4", title="Nettoyage des locaux du campus", ccag="FCS", ccag_version=2021,
                        supplier_siret="44455566600011", amount_ht_eur=200000.0, notified_on=dt.date(2025, 9, 1),
                        duration_months=24, buyer_name="Université de Lorvane")
ROOMS = Penalty(article="7.1", page=None, trigger="non_conformite", basis="fixed_per_unit", amount_eur=90.0,
                unit="occurrence", quote="Prestation non exécutée : pénalité de 90 € HT par local non nettoyé.")


def _cleaning(ccap_text: str, incidents: list[Incident], extra: list[AnalysedDocument] | None = None) -> dict[str, Finding]:
    documents = [_doc("contracts/UNIV-25-FCS-4/ccap.txt", "UNIV-25-FCS-4", ccap_text, "ccap", (ROOMS,)), *(extra or [])]
    findings = evaluate_portfolio(contracts=[CLEANING], suppliers=[], documents=documents, incidents=incidents,
                                  as_of=AS_OF)
    return {f.incident: f for f in findings}


def test_rooms_counted_in_the_plural_and_exoneration_removed_in_words() -> None:
    incident = _inc("C-1", "UNIV-25-FCS-4", dt.date(2025, 10, 6), "4 locaux non nettoyés au bâtiment Lavoisier.")
    waived = _cleaning(ROOMS.quote + "\nPar dérogation à l'article 14.1.3 du CCAG-FCS, les pénalités sont dues dès "
                                     "le premier euro.", [incident])
    assert waived["C-1"].penalty_eur == 360.0  # 4 rooms × 90 €, no exoneration
    kept = _cleaning(ROOMS.quote, [incident])
    assert kept["C-1"].penalty_eur == 0.0  # 360 € ≤ 1 000 € CCAG-FCS 2021 threshold


def test_contract_file_read_as_a_letter_is_no_act_and_blocks_the_ccag_default() -> None:
    misread = _doc("contracts/UNIV-25-FCS-4/annexe-penalites.md", "UNIV-25-FCS-4",
                   "Notification de pénalités : retard de livraison du mobilier, 50 € par jour de retard.",
                   "notification_penalites")
    incident = Incident(id="C-2", reported_on=dt.date(2025, 11, 5), contract_ref="UNIV-25-FCS-4", service="DL",
                        description="Retard de livraison du mobilier : attendu le 03/11/2025, livré le 07/11/2025.",
                        occurred_on=dt.date(2025, 11, 4), resolved_on=dt.date(2025, 11, 7))
    finding = _cleaning(ROOMS.quote, [incident], [misread])["C-2"]
    assert finding.breach and not finding.acted_on
    assert finding.penalty_eur is None and finding.needs_review
    assert "annexe-penalites.md" in (finding.review_reason or "")


def test_clause_pricing_what_the_log_counts_wins_over_shared_words() -> None:
    missed = Penalty(article="4.1", page=None, trigger="autre", basis="fixed_per_unit", amount_eur=250.0,
                     unit="occurrence", quote="Collecte non effectuée : pour chaque rue non collectée, pénalité de 250 € HT.")
    bins = Penalty(article="4.3", page=None, trigger="autre", basis="fixed_per_unit", amount_eur=15.0,
                   unit="occurrence", quote="Bac non remis en place : 15 € HT par bac.")
    documents = [_doc("contracts/UNIV-25-FCS-4/ccap.txt", "UNIV-25-FCS-4", "", "ccap", (missed, bins))]
    incident = _inc("C-3", "UNIV-25-FCS-4", dt.date(2025, 10, 20),
                    "9 bacs laissés sur le trottoir après la collecte, parking du campus Est.")
    [finding] = evaluate_portfolio(contracts=[CLEANING], suppliers=[], documents=documents, incidents=[incident],
                                   as_of=AS_OF)
    assert finding.clause_article == "4.3"


def test_single_day_clause_taken_for_a_logged_due_date_in_other_words() -> None:
    late = Penalty(article="8", page=None, trigger="retard", basis="fixed_per_unit", amount_eur=120.0, unit="jour",
                   quote="En cas de retard dans la remise des livrables, pénalité de 120 € par jour calendaire de retard.",
                   threshold_eur=0.0)
    documents = [_doc("contracts/UNIV-25-FCS-4/ccap.txt", "UNIV-25-FCS-4", "", "ccap", (late,))]
    incident = Incident(id="C-4", reported_on=dt.date(2025, 12, 20), contract_ref="UNIV-25-FCS-4", service="DT",
                        description="Note de synthèse attendue le 15/12/2025, reçue le 19/12/2025.",
                        occurred_on=dt.date(2025, 12, 16), resolved_on=dt.date(2025, 12, 19))
    [finding] = evaluate_portfolio(contracts=[CLEANING], suppliers=[], documents=documents, incidents=[incident],
                                   as_of=AS_OF)
    assert finding.clause_article == "8" and finding.days_late == 4 and finding.penalty_eur == 480.0
