"""evaluate_portfolio on a small hand-written portfolio: two contracts, letters, an incident log.

Penalty clauses are given as the analysis would extract them; letters go through the real
reader (read_correspondence) and the real compliance engine computes the amounts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.services.monitoring import AnalysedDocument, evaluate_portfolio, findings_to_eval_json
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

AS_OF = dt.date(2026, 1, 31)

SUPPLIES = ContractInfo(ref="AC-2024-31", title="Fourniture de mobilier de bureau pour les services municipaux",
                        ccag="FCS", ccag_version=2021, supplier_siret="73282932000074",
                        amount_ht_eur=250000.0, notified_on=dt.date(2024, 9, 1), duration_months=36,
                        buyer_name="Ville de Montbrison-sur-Lise")
WORKS = ContractInfo(ref="MT-2025-07", title="Rénovation de la toiture de la médiathèque",
                     ccag="Travaux", ccag_version=2021, supplier_siret="40483304800022",
                     amount_ht_eur=180000.0, notified_on=dt.date(2025, 3, 1), duration_months=8,
                     buyer_name="Ville de Montbrison-sur-Lise")
SUPPLIERS = [
    SupplierInfo("73282932000074", "Bureaux & Assises du Forez", ("BAF", "Bureaux et Assises du Forez SAS")),
    SupplierInfo("40483304800022", "Couvertures Delorme", ("Delorme Toitures",)),
]


def _parsed(text: str, **metadata: str) -> ParsedDocument:
    return ParsedDocument(status="parsed", format="txt", text=text, metadata=dict(metadata))


def _ccap(ref: str, penalties: tuple[Penalty, ...], deadlines: tuple[Deadline, ...] = ()) -> AnalysedDocument:
    text = "\n".join(p.quote for p in penalties)
    return AnalysedDocument(f"contracts/{ref}/ccap.pdf", ref, _parsed(text),
                            DocumentAnalysis(kind="ccap", kind_confidence=1.0, penalties=penalties,
                                             deadlines=deadlines))


def _letter(path: str, kind: str, text: str, **metadata: str) -> AnalysedDocument:
    return AnalysedDocument(path, None, _parsed(text, **metadata),
                            DocumentAnalysis(kind=kind, kind_confidence=0.9))


SUPPLY_PENALTIES = (
    Penalty(article="10.1", page=3, trigger="retard", basis="ratio_per_unit", ratio=0.001, unit="jour",
            quote="Tout retard de livraison d'une commande entraîne une pénalité P = V x R / 1000, V étant "
                  "le montant HT de la commande et R le nombre de jours calendaires de retard.",
            threshold_eur=0.0),
    Penalty(article="10.2", page=3, trigger="absence", basis="fixed_per_unit", amount_eur=120.0,
            unit="occurrence", quote="L'absence du titulaire à une réunion de suivi donne lieu à une "
                                     "pénalité de 120 € HT par réunion.", threshold_eur=0.0),
)
WORKS_PENALTIES = (
    Penalty(article="8.1", page=2, trigger="retard", basis="fixed_per_unit", amount_eur=300.0, unit="jour",
            quote="En cas de retard dans l'achèvement des travaux, le titulaire encourt une pénalité de "
                  "300 € HT par jour calendaire de retard."),
    Penalty(article="8.2", page=2, trigger="absence", basis="fixed_per_unit", amount_eur=100.0,
            unit="occurrence", quote="Toute absence à un rendez-vous de chantier est sanctionnée par "
                                     "une pénalité de 100 € HT."),
)

LETTERS = [
    # the buyer's formal notice about order 25-014 only
    _letter("courrier/lettre-0412.txt", "mise_en_demeure", """Ville de Montbrison-sur-Lise – Service de la commande publique

Montbrison-sur-Lise, le 14 avril 2025

Bureaux & Assises du Forez
Objet : Accord-cadre n° AC-2024-31 – Mise en demeure de livrer

Madame,

La commande n° 25-014 du 3 mars 2025 (armoires hautes, 6 400,00 € HT) devait être livrée au plus
tard le 24 mars 2025. Elle ne l'est toujours pas. Je vous mets en demeure de livrer sous huit (8)
jours. Les pénalités de l'article 10.1 du CCAP vous seront appliquées.

Le maire, Paul Chanteperdrix
"""),
    # a simple reminder about order 25-020: does not count as acting on it
    _letter("courrier/mail-relance.eml", "relance",
            "Bonjour,\nla commande n° 25-020 (fauteuils) n'est pas arrivée. Pouvez-vous nous donner une date ?\n"
            "Cordialement,\nService des moyens généraux",
            subject="Relance commande 25-020 – accord-cadre AC-2024-31", date="2025-05-02T09:12:00+02:00"),
    # the order of service granting six days to the roofer
    _letter("courrier/os-4.txt", "ordre_de_service", """ORDRE DE SERVICE N° 4
Marché n° MT-2025-07 – Rénovation de la toiture de la médiathèque – Couvertures Delorme
Considérant les chutes de neige des 3, 4, 5, 6, 9 et 10 juin 2025 ;
Le délai d'exécution est prolongé de six (6) jours calendaires ; l'achèvement, initialement fixé au
30 juin 2025, est reporté au 6 juillet 2025.
Fait à Montbrison-sur-Lise, le 12 juin 2025.
"""),
]

INCIDENTS = [
    # delay of order 25-014, acted on by the mise en demeure
    Incident("J-01", dt.date(2025, 3, 25), "AC-2024-31", "Moyens généraux",
             "Commande 25-014 (armoires hautes, 6 400,00 € HT) notifiée le 03/03/2025 : non livrée à la "
             "date limite du 24/03/2025. Livraison reçue le 28/04/2025.", dt.date(2025, 3, 25),
             dt.date(2025, 4, 28)),
    # delay of order 25-020 of the same contract: only a relance
    Incident("J-02", dt.date(2025, 4, 22), "AC-2024-31", "Moyens généraux",
             "Commande 25-020 (fauteuils, 2 000,00 € HT) attendue le 21/04/2025, livrée le 05/05/2025.",
             dt.date(2025, 4, 22), dt.date(2025, 5, 5)),
    # no reference in the log: the supplier's alias says which contract
    Incident("J-03", dt.date(2025, 6, 12), None, "Moyens généraux",
             "Réunion de suivi trimestrielle du 11/06/2025 : absence de BAF, aucun représentant.",
             dt.date(2025, 6, 11)),
    # wrong reference (the supplies contract) for the roofer's missed site meeting
    Incident("J-04", dt.date(2025, 6, 19), "AC-2024-31", "Patrimoine",
             "Rendez-vous de chantier n° 6 de la médiathèque le 18/06/2025 : Couvertures Delorme absente "
             "sans excuse.", dt.date(2025, 6, 18)),
    # completion late on the initial date but covered by the OS prolongation
    Incident("J-05", dt.date(2025, 7, 1), "MT-2025-07", "Patrimoine",
             "Travaux de toiture de la médiathèque non terminés à la date initiale du 30/06/2025. "
             "Achèvement constaté le 04/07/2025.", dt.date(2025, 7, 1), dt.date(2025, 7, 4)),
    # the snow days themselves: not a breach of the titulaire
    Incident("J-06", dt.date(2025, 6, 10), "MT-2025-07", "Patrimoine",
             "Chantier de la médiathèque arrêté pour intempéries (neige) les 3, 4, 5, 6, 9 et 10 juin 2025.",
             dt.date(2025, 6, 3), dt.date(2025, 6, 10)),
]


@pytest.fixture(scope="module")
def findings() -> dict[str, Finding]:
    documents = [_ccap("AC-2024-31", SUPPLY_PENALTIES), _ccap("MT-2025-07", WORKS_PENALTIES), *LETTERS]
    result = evaluate_portfolio(contracts=[SUPPLIES, WORKS], suppliers=SUPPLIERS, documents=documents,
                                incidents=INCIDENTS, as_of=AS_OF)
    assert [f.incident for f in result] == [i.id for i in INCIDENTS]
    return {f.incident: f for f in result}


def test_mise_en_demeure_counts_for_its_order_only(findings: dict[str, Finding]) -> None:
    acted, reminded = findings["J-01"], findings["J-02"]
    assert acted.breach and acted.acted_on
    assert acted.action_documents == ("courrier/lettre-0412.txt",)
    assert acted.days_late == 35
    assert acted.penalty_eur == pytest.approx(224.0)  # 6 400 × 35 / 1 000, threshold removed by the CCAP
    assert acted.clause_article == "10.1"
    # the relance is no act: the breach stays unacted
    assert reminded.breach and not reminded.acted_on
    assert reminded.action_documents == ()
    assert reminded.days_late == 14 and reminded.penalty_eur == pytest.approx(28.0)


def test_incident_without_reference_is_matched_by_supplier_alias(findings: dict[str, Finding]) -> None:
    f = findings["J-03"]
    assert f.contract_ref == "AC-2024-31"
    assert f.contract_ref_source == "deduit"
    assert f.breach and f.clause_article == "10.2" and f.penalty_eur == 120.0


def test_wrong_reference_is_corrected(findings: dict[str, Finding]) -> None:
    f = findings["J-04"]
    assert f.contract_ref == "MT-2025-07"
    assert f.contract_ref_source == "corrige"
    assert f.needs_review and "corrigée" in (f.review_reason or "")
    assert f.breach and f.clause_article == "8.2"


def test_delay_covered_by_prolongation_is_not_a_breach(findings: dict[str, Finding]) -> None:
    late_on_paper = findings["J-05"]
    assert not late_on_paper.breach
    assert late_on_paper.penalty_eur is None
    weather = findings["J-06"]
    assert not weather.breach and not weather.acted_on
    assert "intempéries" in weather.computation


def test_works_contract_threshold_exonerates_small_totals(findings: dict[str, Finding]) -> None:
    # only J-04 (100 €) is a breach on the works contract: under the CCAG-Travaux 2021 threshold
    f = findings["J-04"]
    assert f.penalty_eur == 0.0
    assert "seuil" in f.computation


def test_eval_json_shape(findings: dict[str, Finding]) -> None:
    out = findings_to_eval_json(list(findings.values()))
    first = next(x for x in out["findings"] if x["incident"] == "J-01")
    assert first == {
        "incident": "J-01", "contract_ref": "AC-2024-31", "breach": True, "acted_on": True,
        "clause": {"path": "contracts/AC-2024-31/ccap.pdf", "article": "10.1"},
        "penalty_eur": 224.0, "days_late": 35, "action_documents": ["courrier/lettre-0412.txt"],
    }
    non_breach = next(x for x in out["findings"] if x["incident"] == "J-06")
    assert non_breach["clause"] is None and non_breach["penalty_eur"] is None


def test_postponed_at_buyers_request_is_excused_only_up_to_the_new_date() -> None:
    incidents = [
        Incident("P-1", dt.date(2025, 9, 2), "AC-2024-31", "Moyens généraux",
                 "Livraison des bureaux (commande 25-090, 3 000,00 € HT) décalée du 01/09/2025 au 15/09/2025 "
                 "à la demande du directeur des services techniques. Livrés le 12/09/2025.",
                 dt.date(2025, 9, 1), dt.date(2025, 9, 12)),
        Incident("P-2", dt.date(2025, 9, 2), "AC-2024-31", "Moyens généraux",
                 "Livraison des chaises (commande 25-091, 1 000,00 € HT) décalée du 01/09/2025 au 15/09/2025 "
                 "à la demande du directeur des services techniques. Livrées le 25/09/2025.",
                 dt.date(2025, 9, 1), dt.date(2025, 9, 25)),
    ]
    result = {f.incident: f for f in evaluate_portfolio(
        contracts=[SUPPLIES], suppliers=SUPPLIERS, documents=[_ccap("AC-2024-31", SUPPLY_PENALTIES)],
        incidents=incidents, as_of=AS_OF)}
    assert not result["P-1"].breach
    late = result["P-2"]
    assert late.breach and late.days_late == 10
    assert late.penalty_eur == pytest.approx(10.0)  # 1 000 × 10 / 1 000


def test_wrong_reference_corrected_from_the_object_described() -> None:
    incident = Incident("W-1", dt.date(2025, 7, 9), "AC-2024-31", "Patrimoine",
                        "Rendez-vous de chantier de la toiture de la médiathèque du 08/07/2025 : "
                        "absence de l'entreprise, aucun motif.", dt.date(2025, 7, 8))
    [finding] = evaluate_portfolio(
        contracts=[SUPPLIES, WORKS], suppliers=SUPPLIERS,
        documents=[_ccap("AC-2024-31", SUPPLY_PENALTIES), _ccap("MT-2025-07", WORKS_PENALTIES)],
        incidents=[incident], as_of=AS_OF)
    assert finding.contract_ref == "MT-2025-07" and finding.contract_ref_source == "corrige"
    assert finding.needs_review
    assert finding.clause_article == "8.2"


def test_decision_attached_to_an_email_is_credited_to_the_email() -> None:
    cover = _letter("courrier/envoi.eml", "autre",
                    "Madame,\nveuillez trouver ci-joint la décision relative au marché n° AC-2024-31.\nCordialement",
                    subject="Accord-cadre AC-2024-31 – envoi d'une décision", date="2025-06-02T10:00:00+02:00")
    decision = _letter("courrier/envoi.eml#decision.pdf", "notification_penalites",
                       "DÉCISION D'APPLICATION DE PÉNALITÉS\nAccord-cadre n° AC-2024-31\nLa commande n° 25-014 "
                       "attendue le 24 mars 2025 a été livrée le 28 avril 2025. En application de l'article 10.1 "
                       "du CCAP, une pénalité de 224,00 € HT est appliquée.\nFait le 2 juin 2025.")
    [finding] = evaluate_portfolio(
        contracts=[SUPPLIES], suppliers=SUPPLIERS,
        documents=[_ccap("AC-2024-31", SUPPLY_PENALTIES), cover, decision],
        incidents=[INCIDENTS[0]], as_of=AS_OF)
    assert finding.acted_on
    assert finding.action_documents == ("courrier/envoi.eml",)


def test_counts_dates_and_references_written_loosely() -> None:
    study = ContractInfo(ref="ET-24-09", title="Étude de circulation du centre-bourg", ccag="PI", ccag_version=2021,
                         supplier_siret="40483304800022", amount_ht_eur=40000.0, notified_on=dt.date(2025, 1, 6),
                         duration_months=12)
    penalties = (
        Penalty(article="9.1", page=None, trigger="non_conformite", basis="fixed_per_unit", amount_eur=40.0,
                unit="occurrence", quote="Toute planche de relevés inexploitable donne lieu à une pénalité de "
                                         "40 € HT par planche rejetée.", threshold_eur=0.0),
        Penalty(article="9.2", page=None, trigger="document", basis="fixed_per_unit", amount_eur=30.0,
                unit="jour_ouvre", quote="Le retard dans la transmission d'un compte rendu de réunion donne lieu "
                                         "à une pénalité de 30 € HT par jour ouvré de retard.", threshold_eur=0.0),
    )
    deadlines = (Deadline(article="4.2", page=None, quote="Le titulaire transmet le compte rendu de chaque "
                          "réunion dans un délai de cinq (5) jours ouvrés suivant la réunion.", duration=5,
                          unit="jour", day_type="ouvre", anchor="réunion", party="titulaire"),)
    incidents = [
        Incident("L-1", dt.date(2025, 3, 4), "Marché ET/24/09 lot unique", "Voirie",
                 "Sept planches de relevés inexploitables rendues le 03/03/2025.", dt.date(2025, 3, 3)),
        Incident("L-2", dt.date(2025, 9, 25), "ET-24-09", "Voirie",
                 "Compte rendu de la réunion du 10/09/2025 transmis le 24/09/2025.", dt.date(2025, 9, 18),
                 dt.date(2025, 9, 24)),
    ]
    result = {f.incident: f for f in evaluate_portfolio(
        contracts=[study], suppliers=SUPPLIERS,
        documents=[AnalysedDocument("contracts/ET-24-09/ccap.md", "ET-24-09", _parsed("CCAP"),
                                    DocumentAnalysis(kind="ccap", kind_confidence=1.0, penalties=penalties,
                                                     deadlines=deadlines))],
        incidents=incidents, as_of=AS_OF)}
    planches = result["L-1"]
    assert planches.contract_ref == "ET-24-09" and planches.contract_ref_source == "journal"
    assert planches.penalty_eur == 280.0  # 7 planches × 40 €
    minutes = result["L-2"]
    # réunion 10/09 + 5 working days = 17/09; sent 24/09: 18, 19, 22, 23, 24 = 5 working days
    assert minutes.days_late == 5 and minutes.penalty_eur == 150.0


def test_act_told_by_the_log_without_its_document_counts_but_asks_for_it() -> None:
    incident = Incident("M-1", dt.date(2025, 11, 4), "AC-2024-31", "Moyens généraux",
                        "Commande 25-150 (3 000,00 € HT) attendue le 20/10/2025, toujours pas livrée. "
                        "Mise en demeure envoyée le 03/11/2025 par LRAR.", dt.date(2025, 10, 21))
    reminder_only = Incident("M-2", dt.date(2025, 11, 4), "AC-2024-31", "Moyens généraux",
                             "Commande 25-151 (1 000,00 € HT) attendue le 20/10/2025, livrée le 30/10/2025. "
                             "Relance téléphonique le 24/10/2025.", dt.date(2025, 10, 21), dt.date(2025, 10, 30))
    result = {f.incident: f for f in evaluate_portfolio(
        contracts=[SUPPLIES], suppliers=SUPPLIERS, documents=[_ccap("AC-2024-31", SUPPLY_PENALTIES)],
        incidents=[incident, reminder_only], as_of=AS_OF)}
    told = result["M-1"]
    assert told.acted_on and told.action_documents == ()
    assert "absent du dossier" in (told.review_reason or "")
    assert result["M-2"].breach and not result["M-2"].acted_on
