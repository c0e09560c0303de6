"""How many times a per-occurrence clause applies: the count the log writes, or the places it
lists — the latter shown « à vérifier », since a clause priced per round is not priced per street."""

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

AS_OF = dt.date(2026, 6, 30)
CONTRACT = ContractInfo(ref="SIRV-26-C01", title="Collecte des ordures ménagères", ccag="FCS", ccag_version=2021,
                        supplier_siret="73282932000074", amount_ht_eur=300000.0, notified_on=dt.date(2026, 1, 1),
                        duration_months=24, buyer_name="Syndicat de ramassage du Val d'Ivre")
SUPPLIER = SupplierInfo("73282932000074", "Ramassage Ivre Environnement", ())


def _finding(clause_quote: str, log_line: str) -> Finding:
    penalty = Penalty(article="7.2", page=3, trigger="non_conformite", basis="fixed_per_unit", amount_eur=150.0,
                      unit="occurrence", quote=clause_quote, threshold_eur=0.0)
    ccap = AnalysedDocument(f"contracts/{CONTRACT.ref}/ccap.pdf", CONTRACT.ref,
                            ParsedDocument(status="parsed", format="txt", text=clause_quote, metadata={}),
                            DocumentAnalysis(kind="ccap", kind_confidence=1.0, penalties=(penalty,)))
    incident = Incident("C-1", dt.date(2026, 5, 12), CONTRACT.ref, "Propreté", log_line, dt.date(2026, 5, 12), None)
    (finding,) = evaluate_portfolio(contracts=[CONTRACT], suppliers=[SUPPLIER], documents=[ccap],
                                    incidents=[incident], as_of=AS_OF)
    return finding


def test_a_written_count_of_the_clauses_own_unit_is_used_as_is() -> None:
    finding = _finding("Toute rue non collectée donne lieu à une pénalité de 150 € HT par rue.",
                       "Collecte du 12/05/2026 : 3 rues non collectées dans le secteur nord.")
    assert finding.breach and finding.penalty_eur == 450.0
    assert "lieux énumérés" not in (finding.review_reason or "")


def test_listed_streets_multiply_the_penalty_but_are_flagged_for_review() -> None:
    finding = _finding("Toute tournée de collecte non réalisée ou incomplète donne lieu à une pénalité de 150 € HT par tournée.",
                       "Tournée de collecte du 12/05/2026 incomplète : Rue des Aulnes et impasse du Lavoir non collectées.")
    assert finding.breach and finding.penalty_eur == 300.0
    assert finding.needs_review and "nombre d'occurrences (2) déduit des lieux énumérés" in (finding.review_reason or "")


def test_listed_streets_count_plainly_for_a_clause_priced_per_street() -> None:
    finding = _finding("Toute rue non collectée lors de la tournée donne lieu à une pénalité de 150 € HT par rue.",
                       "Tournée de collecte du 12/05/2026 incomplète : Rue des Aulnes et impasse du Lavoir non collectées.")
    assert finding.breach and finding.penalty_eur == 300.0
    assert "lieux énumérés" not in (finding.review_reason or "")
