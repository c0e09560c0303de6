"""Breach linking on logs kept by operating staff (lower case, shorthand, no year in dates) and
on a CCAP that only applies the CCAG's delay penalty: the misses probe G exposed, on examples
of our own (an invented community of communes, its supplies, its IT maintenance, its study).

Clauses and time limits are given as the analysis would extract them; letters go through the
real reader and the real compliance engine computes the amounts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.services.monitoring import AnalysedDocument, evaluate_portfolio
from api.services.monitoring.contracts import _one_edit
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

AS_OF = dt.date(2026, 10, 31)
BUYER = "Communauté de communes des Coteaux de Lormes"

# A supply framework under the 2009 CCAG-FCS whose CCAP sets no penalty of its own.
SUPPLY = ContractInfo(ref="CCL-22-F05", title="Fourniture de mobilier scolaire et de bureau", ccag="FCS",
                      ccag_version=2009, supplier_siret="41122233300018", amount_ht_eur=600000.0,
                      notified_on=dt.date(2022, 9, 1), duration_months=48, buyer_name=BUYER)
# IT maintenance with a service-level grid (no « Article » word, « point » cross-references).
IT = ContractInfo(ref="CCL-25-I02", title="Maintenance du parc informatique des écoles", ccag="TIC",
                  ccag_version=2021, supplier_siret="52233344400027", amount_ht_eur=90000.0,
                  notified_on=dt.date(2025, 9, 1), duration_months=36, buyer_name=BUYER)
# A study whose minutes are due after each steering meeting.
STUDY = ContractInfo(ref="CCL-26-P01", title="Schéma directeur des déchets ménagers", ccag="PI",
                     ccag_version=2021, supplier_siret="63344455500036", amount_ht_eur=70000.0,
                     notified_on=dt.date(2026, 1, 5), duration_months=12, buyer_name=BUYER)
SUPPLIERS = [
    SupplierInfo("41122233300018", "Scolamob Équipement", ("Scolamob",)),
    SupplierInfo("52233344400027", "Technivox", ("Technivox Informatique",)),
    SupplierInfo("63344455500036", "Terres et Déchets Conseil", ("TDC",)),
]

SUPPLY_DEADLINES = (
    Deadline(article="5.1", page=2, quote="Le titulaire livre le mobilier commandé dans un délai de dix (10) jours "
                                          "calendaires à compter de la notification du bon de commande.",
             duration=10, unit="jour", day_type="calendaire", anchor="notification du bon de commande",
             party="titulaire"),
    Deadline(article="5.4", page=2, quote="Le mobilier refusé est remplacé dans un délai de quinze (15) jours à "
                                          "compter de la notification du refus.",
             duration=15, unit="jour", anchor="notification du refus", party="titulaire"),
    Deadline(article="8", page=3, quote="La communauté de communes règle les factures dans un délai de trente (30) "
                                        "jours à compter de leur réception.",
             duration=30, unit="jour", anchor="réception des factures", party="acheteur"),
)
IT_PENALTIES = (
    Penalty(article="11.2", page=4, trigger="indisponibilite", basis="fixed_per_unit", amount_eur=120.0,
            unit="jour_ouvre", threshold_eur=0.0,
            quote="Le dépassement du délai de correction d'une anomalie critique est sanctionné par une pénalité "
                  "de cent vingt euros (120 €) HT par jour ouvré de dépassement."),
    Penalty(article="11.3", page=4, trigger="securite", basis="fixed", amount_eur=500.0, unit="occurrence",
            threshold_eur=0.0,
            quote="Tout accès aux serveurs sans badge nominatif est sanctionné par une pénalité de cinq cents "
                  "euros (500 €) HT par constat."),
)
IT_DEADLINES = (
    Deadline(article="6.1", page=2, quote="Critique | Poste de direction ou serveur d'école inutilisable | 3 jours ouvrés",
             duration=3, unit="jour", day_type="ouvre", anchor="appel au centre de support", party="titulaire"),
    Deadline(article="6.1", page=2, quote="Ordinaire | Périphérique ou logiciel dégradé | 10 jours ouvrés",
             duration=10, unit="jour", day_type="ouvre", anchor="appel au centre de support", party="titulaire"),
)
STUDY_PENALTIES = (
    Penalty(article="9.1", page=3, trigger="absence", basis="fixed", amount_eur=300.0, unit="occurrence",
            threshold_eur=0.0,
            quote="Toute absence du responsable d'étude à une séance du comité de pilotage donne lieu à une pénalité "
                  "de trois cents euros (300 €) HT."),
    Penalty(article="9.2", page=3, trigger="document", basis="fixed_per_unit", amount_eur=60.0, unit="jour_ouvre",
            threshold_eur=0.0,
            quote="Tout compte rendu remis après le délai de l'article 4.3 entraîne une pénalité de soixante euros "
                  "(60 €) HT par jour ouvré de retard."),
)
STUDY_DEADLINES = (
    Deadline(article="4.3", page=2, quote="Le titulaire transmet le compte rendu de chaque séance dans les trois (3) "
                                          "jours ouvrés suivant la séance.",
             duration=3, unit="jour", day_type="ouvre", anchor="séance", party="titulaire"),
)


def _parsed(text: str) -> ParsedDocument:
    return ParsedDocument(status="parsed", format="txt", text=text, metadata={})


def _ccap(ref: str, penalties: tuple[Penalty, ...], deadlines: tuple[Deadline, ...], *,
          applies_ccag: bool = False) -> AnalysedDocument:
    text = "\n".join([*(d.quote for d in deadlines), *(p.quote for p in penalties)])
    return AnalysedDocument(f"contracts/{ref}/ccap.pdf", ref, _parsed(text),
                            DocumentAnalysis(kind="ccap", kind_confidence=1.0, penalties=penalties,
                                             deadlines=deadlines, applies_ccag_penalties=applies_ccag))


def _run(incidents: list[Incident], documents: tuple[AnalysedDocument, ...] = ()) -> dict[str, Finding]:
    docs = [_ccap(SUPPLY.ref, (), SUPPLY_DEADLINES, applies_ccag=True), _ccap(IT.ref, IT_PENALTIES, IT_DEADLINES),
            _ccap(STUDY.ref, STUDY_PENALTIES, STUDY_DEADLINES), *documents]
    result = evaluate_portfolio(contracts=[SUPPLY, IT, STUDY], suppliers=SUPPLIERS, documents=docs,
                                incidents=incidents, as_of=AS_OF)
    return {f.incident: f for f in result}


def _inc(ident: str, ref: str | None, service: str, text: str, occurred: dt.date,
         resolved: dt.date | None = None, reported: dt.date | None = None) -> Incident:
    return Incident(ident, reported or resolved or occurred, ref, service, text, occurred, resolved)


# ------------------------------------------------------------------ CCAG-FCS 2009 default penalty

def test_ccag_2009_formula_counts_from_the_ccap_delivery_time_of_the_order() -> None:
    # order notified Tue 01/09/2026 + 10 days = Fri 11/09; delivered 15/09: 4 days × 120 000 / 1 000
    f = _run([_inc("L-1", SUPPLY.ref, "magasin", "BC 26-0311 tables et chaises (120 000 € HT) notifié 1/9, "
                   "livré le 15/9", dt.date(2026, 9, 12), dt.date(2026, 9, 15))])["L-1"]
    assert f.breach and f.days_late == 4
    assert f.penalty_eur == pytest.approx(480.0)
    assert "14.1.1" in (f.clause_article or "") + f.rule
    assert f.needs_review and "art. 5.1" in (f.review_reason or "")


def test_only_the_remainder_delivered_late_is_the_value_of_the_formula() -> None:
    # 400 000 € delivered on time, remainder of 90 000 € delivered 8 days late: 8 × 90 000 / 1 000
    f = _run([_inc("L-2", SUPPLY.ref, "magasin", "BC 26-0402 armoires notifié 1/6 : 400 000 € livrés le 8/6, "
                   "reliquat de 90 000 € HT livré le 19/6", dt.date(2026, 6, 12), dt.date(2026, 6, 19))])["L-2"]
    assert f.breach and f.days_late == 8
    assert f.penalty_eur == pytest.approx(720.0)
    assert "reliquat" in (f.review_reason or "")


def test_an_order_delivered_within_the_ccap_time_is_no_breach() -> None:
    f = _run([_inc("L-3", SUPPLY.ref, "magasin", "BC 26-0450 bureaux notifié 2/9, livrés le 9/9",
                   dt.date(2026, 9, 9), dt.date(2026, 9, 9))])["L-3"]
    assert "exécution dans le délai" in f.computation
    assert not f.breach and f.penalty_eur is None


# ------------------------------------------------------------------ SLA grid row, call dated without year

def test_grid_level_named_by_the_clause_gives_the_time_counted_from_the_call() -> None:
    # call Thu 04/06/2026 + 3 working days = Tue 09/06; fixed Fri 12/06: 3 working days × 120
    f = _run([_inc("T-1", IT.ref, "écoles", "serveur école du bourg inutilisable (anomalie critique) signalé "
                   "jeu. 4/6 10h, corrigé le ven. 12/6", dt.date(2026, 6, 4), dt.date(2026, 6, 12))])["T-1"]
    assert f.breach and f.clause_article == "11.2"
    assert f.days_late == 3 and f.penalty_eur == pytest.approx(360.0)
    assert "04/06/2026" in f.computation


# ------------------------------------------------------------------ a PV de constat on a site written in lower case

PV = AnalysedDocument("courriers/pv_constat_ecole.pdf", None, _parsed(
    "PROCÈS-VERBAL DE CONSTAT\nMarché n° CCL-25-I02 – Technivox\nLe 14 octobre 2026, à l'école des Lilas, "
    "l'agent de la communauté de communes constate la présence d'un technicien dans la salle des serveurs "
    "sans badge nominatif.\nFait à Lormes, le 14/10/2026."), DocumentAnalysis(kind="pv_constat", kind_confidence=0.9))


def test_pv_de_constat_drawn_up_on_the_site_of_the_log_service_column_is_the_act() -> None:
    f = _run([_inc("T-2", IT.ref, "école des lilas", "technicien technivox en salle serveurs sans badge",
                   dt.date(2026, 10, 14), dt.date(2026, 10, 14))], (PV,))["T-2"]
    assert f.breach and f.acted_on
    assert f.action_documents == ("courriers/pv_constat_ecole.pdf",)


def test_same_pv_does_not_answer_a_failing_on_another_site() -> None:
    f = _run([_inc("T-3", IT.ref, "agence est", "technicien technivox en salle serveurs sans badge",
                   dt.date(2026, 10, 14), dt.date(2026, 10, 14))], (PV,))["T-3"]
    assert f.breach and not f.acted_on


# ------------------------------------------------------------------ shorthand: « CR du copil »

def test_minutes_written_cr_meet_the_minutes_clause_counted_from_the_meeting() -> None:
    # copil Tue 03/03/2026 + 3 working days = Fri 06/03; minutes Wed 11/03: 3 working days × 60
    f = _run([_inc("E-1", None, "environnement", "CR du copil du mar. 3/3 reçu le 11/3 de TDC",
                   dt.date(2026, 3, 9), dt.date(2026, 3, 11))])["E-1"]
    assert f.contract_ref == STUDY.ref
    assert f.breach and f.clause_article == "9.2"
    assert f.days_late == 3 and f.penalty_eur == pytest.approx(180.0)


# ------------------------------------------------------------------ titulaire written with a typo

def test_titulaire_written_with_one_typo_still_names_its_contract() -> None:
    f = _run([_inc("T-4", None, "standard", "serveur de la mairie annexe inutilisable, appel tecnivox 9h00, "
                   "rétabli 16h30", dt.date(2026, 4, 2), dt.date(2026, 4, 2))])["T-4"]
    assert f.contract_ref == IT.ref and f.contract_ref_source == "deduit"


def test_a_word_two_edits_from_the_name_names_no_contract() -> None:
    f = _run([_inc("T-5", None, "standard", "serveur de la mairie annexe inutilisable, appel tcnivx 9h00, "
                   "rétabli 16h30", dt.date(2026, 4, 2), dt.date(2026, 4, 2))])["T-5"]
    assert f.contract_ref is None


def test_one_edit_means_one_edit() -> None:
    assert _one_edit("billetis", "billettis") and _one_edit("tecnivox", "technivox")
    assert _one_edit("scolamab", "scolamob")
    assert not _one_edit("tcnivox", "technivox") and not _one_edit("technivox", "technivox")


# ------------------------------------------------------------------ no contract: no established breach

def test_incident_of_the_buyers_own_equipment_is_no_breach_but_left_to_check() -> None:
    f = _run([_inc("X-1", None, "garage", "camion benne 12 immobilisé : embrayage HS, réparé par le garage "
                   "intercommunal", dt.date(2026, 2, 10), dt.date(2026, 2, 13))])["X-1"]
    assert f.contract_ref is None
    assert not f.breach and not f.acted_on and f.penalty_eur is None
    assert f.needs_review and "sans marché" in (f.review_reason or "")


# ------------------------------------------------------------------ phases: the clause priced on « la phase concernée »

PHASED = ContractInfo(ref="CCL-26-P04", title="Étude de mobilité du bassin de Lormes", ccag="PI", ccag_version=2021,
                      supplier_siret="74455566600045", amount_ht_eur=90000.0, notified_on=dt.date(2026, 1, 12),
                      duration_months=12, buyer_name=BUYER)
PHASED_PENALTIES = (
    Penalty(article="10.1", page=3, trigger="retard", basis="ratio_per_unit", ratio=0.001, unit="jour",
            value_base="montant HT de la phase concernée", threshold_eur=0.0,
            quote="Une pénalité d'un millième du montant HT de la phase concernée est due par jour calendaire de "
                  "retard."),
    Penalty(article="10.2", page=3, trigger="document", basis="fixed_per_unit", amount_eur=50.0, unit="jour_ouvre",
            threshold_eur=0.0, quote="Tout compte rendu remis en retard entraîne une pénalité de cinquante euros "
                                     "(50 €) HT par jour ouvré de retard."),
)
PHASED_DEADLINES = (
    Deadline(article="3.1", page=1, quote="Le rapport de la phase 1 est remis dans un délai de six (6) semaines à "
                                          "compter de la notification du marché.",
             duration=6, unit="semaine", anchor="notification du marché", party="titulaire"),
    Deadline(article="3.2", page=1, quote="Les rapports des phases 2 et 3 sont remis chacun dans un délai de huit (8) "
                                          "semaines à compter de l'ordre de service de la phase.",
             duration=8, unit="semaine", anchor="ordre de service", party="titulaire"),
)
PHASED_AE = AnalysedDocument("contracts/CCL-26-P04/ae.pdf", PHASED.ref, _parsed(
    "Décomposition du prix : phase 1 : 20 000 € HT ; phase 2 : 40 000 € HT ; phase 3 : 30 000 € HT."),
    DocumentAnalysis(kind="ae", kind_confidence=1.0))
OS_PHASE_3 = AnalysedDocument("courriers/os2_phase3.pdf", None, _parsed(
    "ORDRE DE SERVICE N° 2\nMarché n° CCL-26-P04 – Étude de mobilité\nLormes, le 2 juin 2026\n"
    "Le délai d'exécution de la phase 3 fixé à l'article 3.2 du CCAP est prolongé de quatorze (14) jours "
    "calendaires."), DocumentAnalysis(kind="ordre_de_service", kind_confidence=0.9))


def _run_phased(incident: Incident) -> Finding:
    docs = [_ccap(PHASED.ref, PHASED_PENALTIES, PHASED_DEADLINES), PHASED_AE, OS_PHASE_3]
    result = evaluate_portfolio(contracts=[PHASED], suppliers=[SupplierInfo("74455566600045", "Itinéra Études", ())],
                                documents=docs, incidents=[incident], as_of=AS_OF)
    return result[0]


def test_phase_report_takes_its_phase_time_limit_and_the_phase_priced_clause() -> None:
    # OS phase 2 Mon 02/03/2026 + 8 weeks = 27/04; report 04/05: 7 days × 40 000 / 1 000
    f = _run_phased(_inc("M-1", PHASED.ref, "mobilité", "rapport phase 2 remis le 4/5 (OS phase 2 du 2/3)",
                         dt.date(2026, 4, 28), dt.date(2026, 5, 4)))
    assert f.breach and f.clause_article == "10.1"
    assert f.days_late == 7 and f.penalty_eur == pytest.approx(280.0)
    assert "os2_phase3.pdf" not in f.computation  # the prolongation of phase 3 leaves phase 2 alone


def test_prolongation_of_a_phase_moves_the_original_date_the_log_gives() -> None:
    # due 10/08 « prévu à l'origine » + 14 days granted for phase 3 = 24/08; report 20/08: on time
    f = _run_phased(_inc("M-2", PHASED.ref, "mobilité", "rapport phase 3 remis le 20/8 au lieu du 10/8 prévu "
                         "(OS phase 3 du 15/6)", dt.date(2026, 8, 11), dt.date(2026, 8, 20)))
    assert not f.breach
    assert "os2_phase3.pdf" in f.computation


def _notice(phase: int, amount: str) -> AnalysedDocument:
    return AnalysedDocument(f"courriers/penalites_phase{phase}.pdf", None, _parsed(
        f"Lormes, le 15 juin 2026\nObjet : marché n° CCL-26-P04 – application de pénalités (phase {phase})\n"
        f"Suite à vos observations du 20 mai 2026, je vous notifie la pénalité de {amount} € HT prévue à "
        "l'article 10.1 du CCAP."), DocumentAnalysis(kind="notification_penalites", kind_confidence=0.9))


@pytest.mark.parametrize(("phase", "amount", "acted"), [(2, "280,00", True), (3, "280,00", False)])
def test_penalty_notice_naming_the_phase_and_the_computed_amount_is_the_act(phase: int, amount: str,
                                                                             acted: bool) -> None:
    incident = _inc("M-3", PHASED.ref, "mobilité", "rapport phase 2 remis le 4/5 (OS phase 2 du 2/3)",
                    dt.date(2026, 4, 28), dt.date(2026, 5, 4))
    docs = [_ccap(PHASED.ref, PHASED_PENALTIES, PHASED_DEADLINES), PHASED_AE, _notice(phase, amount)]
    f = evaluate_portfolio(contracts=[PHASED], suppliers=[SupplierInfo("74455566600045", "Itinéra Études", ())],
                           documents=docs, incidents=[incident], as_of=AS_OF)[0]
    assert f.breach and f.penalty_eur == pytest.approx(280.0)
    assert f.acted_on is acted


def test_a_delivery_line_read_as_a_delay_says_so_even_when_cleared() -> None:
    # the reader could not type the line: Vigie reads it as a late delivery and says so
    f = _run([_inc("L-4", SUPPLY.ref, "magasin", "BC 26-0470 chaises notifié 2/9, livrées le 9/9 par Scolamob",
                   dt.date(2026, 9, 9), dt.date(2026, 9, 9))])["L-4"]
    assert not f.breach
    assert f.needs_review and "retard de livraison" in (f.review_reason or "")
