"""analyze_document: the product's single entry point, on documents written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.domain.types import Deadline, Obligation, ParsedDocument, Penalty
from nlp.analyze import analyze_document

CCAP = """Syndicat mixte du Haut-Lirou
CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES
Marché de maintenance des pompes de relevage

Article 1 – Durée
Le marché est conclu pour une durée de trente-six (36) mois à compter de sa notification.

Article 2 – Interventions
2.1 Le titulaire intervient sur site dans un délai de quatre (4) heures à compter de l'appel d'astreinte.
2.2 Il remet un rapport d'intervention dans un délai de deux (2) jours ouvrés suivant chaque intervention.
2.3 Le pouvoir adjudicateur peut demander une intervention complémentaire.

Article 3 – Paiement
Les sommes dues sont payées dans un délai global de paiement de trente (30) jours à compter de la réception de la facture.

Article 4 – Pénalités
Par dérogation à l'article 14.1.3 du CCAG-FCS, le titulaire encourt une pénalité de 80 € par heure de retard d'intervention.
"""


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def test_contract_document_is_fully_analysed(model_dir: Path) -> None:
    parsed = ParsedDocument(status="parsed", format="txt", text=CCAP)
    result = analyze_document(parsed, filename="piece3.txt", model_dir=model_dir)
    assert result.kind == "ccap" and result.kind_confidence >= 0.75
    assert {c.article for c in result.clauses} >= {"1", "2", "2.1", "2.2", "3", "4"}
    deadlines = {(d.article, d.duration, d.unit, d.day_type, d.party) for d in result.deadlines}
    assert deadlines == {
        ("1", 36, "mois", None, None),
        ("2.1", 4, "heure", None, "titulaire"),
        ("2.2", 2, "jour", "ouvre", "titulaire"),
        ("3", 30, "jour", None, "acheteur"),
    }
    assert [(o.article, o.party) for o in result.obligations] == [("2.1", "titulaire"), ("2.2", "titulaire")]
    assert len(result.penalties) == 1 and result.penalties[0].article == "4"
    assert result.ccag == "FCS"
    assert result.correspondence is None
    items: list[Deadline | Obligation | Penalty] = [*result.deadlines, *result.obligations, *result.penalties]
    for item in items:
        assert 0.0 <= item.confidence <= 1.0
        assert item.quote in CCAP


def test_letter_gets_correspondence_and_no_contract_items(model_dir: Path) -> None:
    text = ("Syndicat mixte du Haut-Lirou\n\nLe 3 février 2026\n\nHydropompes SAS\n\n"
            "Objet : Mise en demeure – marché n° 2025-SM-007\n\nMonsieur,\n\n"
            "Je vous mets en demeure de remettre en service la station de relevage n° 4 dans un délai "
            "de 48 heures. Le titulaire est tenu d'intervenir sous quatre heures.\n")
    result = analyze_document(ParsedDocument(status="parsed", format="txt", text=text), model_dir=model_dir)
    assert result.kind == "mise_en_demeure"
    assert result.correspondence is not None and result.correspondence.kind == "mise_en_demeure"
    assert result.deadlines == () and result.obligations == () and result.penalties == ()


def test_unreadable_document_is_autre_not_an_exception(model_dir: Path) -> None:
    failed = ParsedDocument(status="failed", format="pdf", errors=("PDF illisible",))
    result = analyze_document(failed, model_dir=model_dir)
    assert (result.kind, result.kind_confidence) == ("autre", 0.0)
