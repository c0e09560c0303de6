"""Breach linking on contracts written the way real CCAPs are: a penalty that cites a CCAG
article rather than the CCAP's own time limit, a deliverable named by its acronym, a periodic
report due « après la fin de chaque trimestre », a meeting clause that exempts a prior written
excuse, prolongations granted by order of service, a place shared by two contracts, acts that
are recognised by the order number and the amount they state.

Clauses and time limits are given as the analysis would extract them; letters go through the
real reader and the real compliance engine computes the amounts. Every example is invented.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.services.monitoring import AnalysedDocument, evaluate_portfolio
from models.domain.types import (
    ContractInfo,
    Deadline,
    DocumentAnalysis,
    Finding,
    Incident,
    ParsedDocument,
    Penalty,
    SupplierInfo,
)

AS_OF = dt.date(2026, 9, 30)
BUYER = "Communauté de communes du Val de Sèvre"

WORKS = ContractInfo(ref="CCVS-26-T03", title="Extension de l'école des Tilleuls", ccag="Travaux",
                     ccag_version=2021, supplier_siret="51234567800019", amount_ht_eur=420000.0,
                     notified_on=dt.date(2026, 1, 15), duration_months=8, buyer_name=BUYER)
VIDEO = ContractInfo(ref="CCVS-25-V11", title="Maintenance du système de vidéoprotection des bâtiments communaux",
                     ccag="TIC", ccag_version=2021, supplier_siret="79876543200027", amount_ht_eur=60000.0,
                     notified_on=dt.date(2025, 6, 1), duration_months=36, buyer_name=BUYER)
CLEANING = ContractInfo(ref="CCVS-26-N07", title="Nettoyage et hygiène des locaux intercommunaux", ccag="FCS",
                        ccag_version=2021, supplier_siret="44455566600031", amount_ht_eur=150000.0,
                        notified_on=dt.date(2026, 1, 1), duration_months=24, buyer_name=BUYER)
SUPPLIERS = [
    SupplierInfo("51234567800019", "Bâtiments Vernier", ("BV Construction",)),
    SupplierInfo("79876543200027", "Vigicam Services", ("Vigicam",)),
    SupplierInfo("44455566600031", "Propreté du Marais", ("PDM",)),
]

# The CCAP removes the exoneration threshold on every contract (threshold 0): amounts stay visible.
WORKS_PENALTIES = (
    Penalty(article="8.1", page=2, trigger="retard", basis="fixed_per_unit", amount_eur=200.0, unit="jour",
            quote="Par dérogation à l'article 19.2.3 du CCAG-Travaux, tout retard dans l'achèvement des "
                  "travaux est sanctionné d'une pénalité de 200 € HT par jour calendaire.", threshold_eur=0.0),
    Penalty(article="8.2", page=2, trigger="document", basis="fixed_per_unit", amount_eur=50.0, unit="jour",
            quote="La remise tardive du DIUO entraîne une pénalité de 50 € HT par jour calendaire de retard.",
            threshold_eur=0.0),
    Penalty(article="8.3", page=2, trigger="absence", basis="fixed_per_unit", amount_eur=80.0, unit="occurrence",
            quote="L'entreprise absente à un rendez-vous de chantier sans justification écrite adressée au "
                  "préalable au maître d'œuvre supporte une retenue de 80 € HT par rendez-vous.", threshold_eur=0.0),
)
WORKS_DEADLINES = (
    Deadline(article="3.1", page=1, quote="Les travaux sont exécutés dans un délai de douze (12) semaines à "
                                          "compter de l'ordre de service de démarrage.",
             duration=12, unit="semaine", anchor="ordre de service de démarrage", party="titulaire"),
    Deadline(article="3.2", page=1, quote="Le coordonnateur SPS obtient de l'entreprise les pièces du DIUO au plus "
                                          "tard vingt (20) jours après la réception.",
             duration=20, unit="jour", anchor="réception", party="titulaire"),
    Deadline(article="3.3", page=1, quote="Le planning détaillé est transmis dans les dix (10) jours suivant la "
                                          "notification du marché.",
             duration=10, unit="jour", anchor="notification du marché", party="titulaire"),
    # another document due after « réception » (of an order of service): the words alone mislead
    Deadline(article="3.4", page=1, quote="Les plans d'exécution de l'école sont remis au maître d'œuvre dans les "
                                          "quinze (15) jours suivant la réception de l'ordre de service les prescrivant.",
             duration=15, unit="jour", anchor="réception de l'ordre de service", party="titulaire"),
)
VIDEO_PENALTIES = (
    Penalty(article="9", page=2, trigger="indisponibilite", basis="fixed_per_unit", amount_eur=30.0,
            unit="jour_ouvre", quote="Toute caméra hors service non remise en état dans le délai de l'article 5 "
                                     "entraîne une pénalité de 30 € HT par jour ouvré de dépassement.",
            threshold_eur=0.0),
)
VIDEO_DEADLINES = (
    Deadline(article="5", page=1, quote="Le titulaire remet en état toute caméra hors service sous cinq (5) jours "
                                        "ouvrés à compter du signalement.",
             duration=5, unit="jour", day_type="ouvre", anchor="signalement", party="titulaire"),
)
CLEANING_PENALTIES = (
    Penalty(article="12.1", page=3, trigger="document", basis="fixed_per_unit", amount_eur=40.0, unit="jour",
            quote="Le bilan trimestriel d'hygiène transmis après le délai de l'article 6.2 donne lieu à une "
                  "pénalité de 40 € HT par jour calendaire de retard.", threshold_eur=0.0),
    Penalty(article="12.2", page=3, trigger="retard", basis="fixed_per_unit", amount_eur=25.0, unit="jour",
            quote="Lorsque le délai d'intervention de l'article 6.1 est dépassé, le titulaire encourt une "
                  "pénalité de 25 € HT par jour calendaire de retard.", threshold_eur=0.0),
    Penalty(article="12.3", page=3, trigger="document", basis="fixed_per_unit", amount_eur=100.0,
            unit="occurrence", quote="Livraison d'un produit d'entretien dangereux sans sa fiche de données de "
                                     "sécurité : 100 € HT par livraison.", threshold_eur=0.0),
)
CLEANING_DEADLINES = (
    Deadline(article="6.1", page=2, quote="Les remises en état ponctuelles sont réalisées sous quatre (4) jours "
                                          "ouvrés à compter de la réception du bon de commande.",
             duration=4, unit="jour", day_type="ouvre", anchor="réception du bon de commande", party="titulaire"),
    Deadline(article="6.2", page=2, quote="Le titulaire adresse un bilan d'hygiène dans les dix (10) jours suivant "
                                          "la fin de chaque trimestre civil.",
             duration=10, unit="jour", anchor="fin de chaque trimestre civil", party="titulaire"),
)


def _parsed(text: str, **metadata: str) -> ParsedDocument:
    return ParsedDocument(status="parsed", format="txt", text=text, metadata=dict(metadata))


def _ccap(ref: str, penalties: tuple[Penalty, ...], deadlines: tuple[Deadline, ...]) -> AnalysedDocument:
    text = "\n".join([*(d.quote for d in deadlines), *(p.quote for p in penalties)])
    return AnalysedDocument(f"contracts/{ref}/piece2.pdf", ref, _parsed(text),
                            DocumentAnalysis(kind="ccap", kind_confidence=1.0, penalties=penalties,
                                             deadlines=deadlines))


def _letter(path: str, kind: str, text: str) -> AnalysedDocument:
    return AnalysedDocument(path, None, _parsed(text), DocumentAnalysis(kind=kind, kind_confidence=0.9))


OS_PROLONGATION = _letter("courriers/os3_ecole.pdf", "ordre_de_service", """ORDRE DE SERVICE N° 3
Marché n° CCVS-26-T03 – Extension de l'école des Tilleuls – Bâtiments Vernier
Fait à Saint-Maixent, le 16 mars 2026.
Vu la défaillance du fabricant des châssis aluminium, cause étrangère à l'entreprise, le délai
d'exécution fixé à l'article 3.1 du CCAP est prolongé de sept (7) jours calendaires.
Le maître d'œuvre
""")


def _run(incidents: list[Incident], *, documents: list[AnalysedDocument] | None = None,
         works_penalties: tuple[Penalty, ...] = WORKS_PENALTIES) -> dict[str, Finding]:
    docs = [_ccap(WORKS.ref, works_penalties, WORKS_DEADLINES), _ccap(VIDEO.ref, VIDEO_PENALTIES, VIDEO_DEADLINES),
            _ccap(CLEANING.ref, CLEANING_PENALTIES, CLEANING_DEADLINES), *(documents or [])]
    result = evaluate_portfolio(contracts=[WORKS, VIDEO, CLEANING], suppliers=SUPPLIERS, documents=docs,
                                incidents=incidents, as_of=AS_OF)
    return {f.incident: f for f in result}


# ------------------------------------------------------------------ meetings excused in writing

def _missed_meeting(text: str) -> Incident:
    return Incident("R-1", dt.date(2026, 3, 12), WORKS.ref, "Services techniques", text, dt.date(2026, 3, 12))


def test_absence_excused_in_writing_beforehand_is_no_breach_when_the_clause_says_so() -> None:
    f = _run([_missed_meeting("Rendez-vous de chantier du 12/03/2026 : entreprise non représentée, absence "
                              "signalée par courriel du 10/03/2026 au maître d'œuvre.")])["R-1"]
    assert not f.breach and f.penalty_eur is None
    assert "10/03/2026" in f.computation and "justification écrite" in f.computation


def test_excuse_sent_after_the_meeting_leaves_the_penalty_to_check() -> None:
    f = _run([_missed_meeting("Rendez-vous de chantier du 12/03/2026 : entreprise absente, absence excusée "
                              "par courriel du 13/03/2026.")])["R-1"]
    assert f.breach and f.penalty_eur == pytest.approx(80.0)
    assert f.needs_review and "avant la réunion" in (f.review_reason or "")


def test_excuse_is_no_defence_when_the_clause_penalises_every_absence() -> None:
    strict = (*WORKS_PENALTIES[:2], Penalty(
        article="8.3", page=2, trigger="absence", basis="fixed_per_unit", amount_eur=80.0, unit="occurrence",
        quote="Toute absence à un rendez-vous de chantier est sanctionnée d'une retenue de 80 € HT.",
        threshold_eur=0.0))
    f = _run([_missed_meeting("Rendez-vous de chantier du 12/03/2026 : entreprise non représentée, absence "
                              "signalée par courriel du 10/03/2026 au maître d'œuvre.")], works_penalties=strict)["R-1"]
    assert f.breach and f.penalty_eur == pytest.approx(80.0)
    assert f.needs_review and "ne prévoit aucune excuse" in (f.review_reason or "")


# ------------------------------------------------------------------ prolongations by order of service

INTERRUPTION = Incident("P-1", dt.date(2026, 3, 13), WORKS.ref, "Services techniques",
                        "Pose des menuiseries de l'aile nord interrompue du 02/03 au 13/03/2026 : châssis livrés "
                        "en retard par le fabricant (prolongation accordée par OS n° 3).",
                        dt.date(2026, 3, 2), dt.date(2026, 3, 13))
COMPLETION = Incident("P-2", dt.date(2026, 6, 22), WORKS.ref, "Services techniques",
                      "Achèvement des travaux de l'aile nord constaté le 22/06/2026 (ordre de service de démarrage "
                      "du 09/03/2026).", dt.date(2026, 6, 9), dt.date(2026, 6, 22))


def test_delay_the_log_says_an_order_of_service_covers_is_no_breach() -> None:
    f = _run([INTERRUPTION], documents=[OS_PROLONGATION])["P-1"]
    assert not f.breach and f.penalty_eur is None
    assert "prolongation de 7 jours" in f.computation and "os3_ecole.pdf" in f.computation


def test_prolongation_claimed_without_the_act_in_the_file_stays_a_breach_to_check() -> None:
    f = _run([INTERRUPTION])["P-1"]
    assert f.breach
    assert f.needs_review and "aucun ordre de service ni avenant" in (f.review_reason or "")


def test_completion_penalty_counts_from_the_execution_period_prolonged_by_the_order_citing_it() -> None:
    # 09/03/2026 + 12 weeks = 01/06; + 7 days (OS n° 3 prolongs art. 3.1) = 08/06; done 22/06: 14 days
    f = _run([COMPLETION], documents=[OS_PROLONGATION])["P-2"]
    assert f.breach and f.clause_article == "8.1"
    assert f.days_late == 14 and f.penalty_eur == pytest.approx(2800.0)
    assert "os3_ecole.pdf" in f.computation
    assert f.needs_review and "délai d'exécution" in (f.review_reason or "")


def test_completion_without_prolongation_counts_every_day() -> None:
    f = _run([COMPLETION])["P-2"]
    assert "prolongation" not in f.computation
    assert f.days_late == 21 and f.penalty_eur == pytest.approx(4200.0)


# ------------------------------------------------------------------ time limits the clause does not cite

def test_deliverable_time_limit_found_by_the_acronym_clause_and_deadline_share() -> None:
    # réception 19/06/2026 + 20 days = 09/07; DIUO received 30/07: 21 days × 50 €
    f = _run([Incident("D-1", dt.date(2026, 7, 30), WORKS.ref, "Services techniques",
                       "DIUO de l'école reçu le 30/07/2026 ; réception des travaux prononcée le 19/06/2026.",
                       dt.date(2026, 7, 10), dt.date(2026, 7, 30))])["D-1"]
    assert f.breach and f.clause_article == "8.2"
    assert f.days_late == 21 and f.penalty_eur == pytest.approx(1050.0)
    assert "DIUO" in (f.review_reason or "")


def test_quarterly_report_counts_from_the_end_of_the_quarter() -> None:
    # first quarter ends 31/03/2026 + 10 days = 10/04; received 24/04: 14 days × 40 €
    f = _run([Incident("Q-1", dt.date(2026, 4, 24), CLEANING.ref, "Direction des bâtiments",
                       "Bilan d'hygiène du 1er trimestre 2026 reçu le 24/04/2026.",
                       dt.date(2026, 4, 11), dt.date(2026, 4, 24))])["Q-1"]
    assert f.breach and f.clause_article == "12.1"
    assert f.days_late == 14 and f.penalty_eur == pytest.approx(560.0)
    assert "31/03/2026" in f.computation


# ------------------------------------------------------------------ which contract

def test_place_shared_by_two_contracts_does_not_move_a_valid_reference() -> None:
    f = _run([Incident("V-1", dt.date(2026, 5, 4), VIDEO.ref, "Sûreté",
                       "Caméra du préau de l'école des Tilleuls hors service signalée le 04/05/2026, remise en "
                       "état le 15/05/2026.", dt.date(2026, 5, 4), dt.date(2026, 5, 15))])["V-1"]
    assert f.contract_ref == VIDEO.ref and f.contract_ref_source == "journal"
    assert "corrigée" not in (f.review_reason or "")
    # 04/05/2026 + 5 working days (8 May is a public holiday) = 12/05; restored 15/05: 13 and 15 May
    # (14 May 2026 is Ascension Day) = 2 working days × 30 €
    assert f.breach and f.clause_article == "9" and f.penalty_eur == pytest.approx(60.0)


# ------------------------------------------------------------------ the buyer's acts

ORDER_DELAY = Incident("B-1", dt.date(2026, 4, 14), CLEANING.ref, "Direction des bâtiments",
                       "Bon de commande 26-0412 (remise en état du gymnase après inondation) reçu par le titulaire "
                       "le 02/04/2026 ; intervention réalisée le 13/04/2026.", dt.date(2026, 4, 9), dt.date(2026, 4, 13))


def _penalty_letter(amount: str) -> AnalysedDocument:
    return _letter("courriers/courrier_2026-05-20.pdf", "notification_penalites", f"""{BUYER} – Pôle commande publique
Saint-Maixent, le 20 mai 2026
Propreté du Marais
Objet : marché CCVS-26-N07 – application de pénalités (bon de commande 26-0412)
Madame, Monsieur,
Vos observations ne remettent pas en cause le constat. La pénalité de {amount} € HT relative au bon
de commande 26-0412 sera déduite de la prochaine facture.
La présidente
""")


def test_penalty_letter_naming_the_order_and_stating_the_computed_amount_is_an_act() -> None:
    # 02/04/2026 + 4 working days (Easter Monday 06/04 is a holiday) = 09/04; done 13/04: 4 days × 25 €
    f = _run([ORDER_DELAY], documents=[_penalty_letter("100")])["B-1"]
    assert f.breach and f.penalty_eur == pytest.approx(100.0)
    assert f.acted_on and f.action_documents == ("courriers/courrier_2026-05-20.pdf",)


def test_penalty_letter_stating_another_amount_is_not_taken_for_this_incident() -> None:
    f = _run([ORDER_DELAY], documents=[_penalty_letter("475")])["B-1"]
    assert f.breach and f.penalty_eur == pytest.approx(100.0)
    assert not f.acted_on and f.action_documents == ()


def test_same_day_report_at_the_site_of_the_service_column_is_the_act() -> None:
    pv = _letter("courriers/pv_valmy.pdf", "pv_constat", """PROCÈS-VERBAL DE CONSTAT
Marché CCVS-26-N07 – Propreté du Marais
Le 5 mai 2026, à la cuisine centrale de Valmy, l'agent soussigné constate que des bidons de détergent
chloré ont été déposés sans les consignes du fabricant. Copie au titulaire.
""")
    f = _run([Incident("F-1", dt.date(2026, 5, 5), CLEANING.ref, "Cuisine centrale de Valmy",
                       "Livraison de détergent chloré du 05/05/2026 sans fiche de données de sécurité.",
                       dt.date(2026, 5, 5), dt.date(2026, 5, 6))], documents=[pv])["F-1"]
    assert f.breach and f.clause_article == "12.3" and f.penalty_eur == pytest.approx(100.0)
    assert f.acted_on and f.action_documents == ("courriers/pv_valmy.pdf",)


def test_letter_on_that_day_from_the_town_of_the_service_column_is_not_taken_for_the_act() -> None:
    # the town of the service column is in every letterhead: only a PV de constat, drawn up on
    # site, is identified by it
    letter = _letter("courriers/med_vitrerie.pdf", "mise_en_demeure", f"""{BUYER}
Chauray, le 6 mai 2026
Propreté du Marais
Objet : marché CCVS-26-N07 – vitrerie du gymnase non réalisée
Nous avons constaté le 5 mai 2026 que le nettoyage des vitres du gymnase n'avait pas été réalisé.
Je vous mets en demeure de le réaliser sous huit jours.
""")
    f = _run([Incident("F-2", dt.date(2026, 5, 5), CLEANING.ref, "Cuisine centrale de Chauray",
                       "Livraison de détergent chloré du 05/05/2026 sans fiche de données de sécurité.",
                       dt.date(2026, 5, 5), dt.date(2026, 5, 6))], documents=[letter])["F-2"]
    assert f.breach and f.penalty_eur == pytest.approx(100.0)
    assert not f.acted_on and f.action_documents == ()


def test_prolongation_of_one_order_does_not_move_the_others() -> None:
    # a decision prolonging art. 6.1 for order 26-0388 only; order 26-0412 keeps its own date
    decision = _letter("courriers/avenant_bc_0388.pdf", "avenant", f"""AVENANT N° 1
Marché CCVS-26-N07 – Propreté du Marais
Fait à Saint-Maixent, le 3 avril 2026.
Pour le bon de commande 26-0388 seulement, le délai d'intervention fixé à l'article 6.1 du CCAP est
prolongé de cinq (5) jours.
La présidente de la {BUYER}
""")
    f = _run([ORDER_DELAY], documents=[decision])["B-1"]
    assert f.days_late == 4 and f.penalty_eur == pytest.approx(100.0)
    assert "prolongation" not in f.computation


def test_completion_late_even_after_the_prolongation_the_log_mentions_is_still_a_breach() -> None:
    late = Incident("P-3", dt.date(2026, 6, 22), WORKS.ref, "Services techniques",
                    "Achèvement des travaux de l'aile nord constaté le 22/06/2026 (ordre de service de démarrage "
                    "du 09/03/2026 ; prolongation accordée par OS n° 3).", dt.date(2026, 6, 9), dt.date(2026, 6, 22))
    f = _run([late], documents=[OS_PROLONGATION])["P-3"]
    # due 01/06 + 7 days = 08/06; done 22/06: the prolongation does not cover these 14 days
    assert f.breach and f.days_late == 14 and f.penalty_eur == pytest.approx(2800.0)


def test_month_named_in_the_log_does_not_end_a_quarter_of_the_clause() -> None:
    # the clause counts from the end of a calendar quarter; August ends none: no amount is guessed
    f = _run([Incident("Q-2", dt.date(2026, 9, 24), CLEANING.ref, "Direction des bâtiments",
                       "Bilan d'hygiène d'août 2026 reçu le 24/09/2026.",
                       dt.date(2026, 9, 11), dt.date(2026, 9, 24))])["Q-2"]
    assert f.breach and f.penalty_eur is None
    assert f.needs_review
