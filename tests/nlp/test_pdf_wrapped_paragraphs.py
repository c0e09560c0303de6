"""Contract text laid out by a PDF (probe portfolio F): inline-numbered paragraphs wrapped at
the line width, penalty wordings of real CCAPs. Examples written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.domain.types import ParsedDocument
from nlp.deadlines import extract_deadlines
from nlp.obligations import extract_obligations
from nlp.penalties import extract_penalties
from nlp.pipeline import document_sentences
from nlp.structure import segment_clauses

CCAP = (
    "ARTICLE 5 – EXÉCUTION\n"
    "5.1 Le titulaire affecte au chantier un chef d'équipe présent chaque jour ouvré pendant toute la\n"
    "durée des travaux.\n"
    "5.2 L'exploitant informe le service des eaux au moins soixante-douze (72) heures avant toute\n"
    "fermeture de conduite.\n"
    "5.3 Le maître d'ouvrage règle les situations mensuelles dans un délai de trente (30) jours décompté\n"
    "à partir de leur réception.\n"
    "ARTICLE 8 – PÉNALITÉS\n"
    "8.1 – Réunions\n"
    "L'entreprise qui ne se fait pas représenter à une réunion de chantier supporte une retenue de deux\n"
    "cents euros (200 €) HT par réunion manquée.\n"
    "8.2 – Hygiène du réseau\n"
    "Tout manquement aux mesures de protection sanitaire des conduites entraîne une pénalité de 500 € HT\n"
    "par jour calendaire.\n"
    "8.3 – Télésurveillance\n"
    "Alarme non rétablie dans le délai de 4 heures : 120 € HT par heure entamée.\n"
)


@pytest.fixture(scope="module")
def parsed() -> ParsedDocument:
    return ParsedDocument(status="parsed", format="pdf", text=CCAP)


def test_wrapped_numbered_paragraph_keeps_its_first_line() -> None:
    texts = [f.text for f in document_sentences(CCAP)]
    assert any(t.startswith("5.1 Le titulaire affecte") and t.endswith("durée des travaux.") for t in texts)
    # a real heading glued to its sentence is still taken off the quote
    glued = document_sentences("12.2 – Résiliation\nEn cas de faute grave le marché est résilié.")
    assert glued[-1].text.startswith("En cas de faute")


def test_obligations_and_deadlines_of_wrapped_paragraphs(parsed: ParsedDocument, tmp_path: Path) -> None:
    clauses = segment_clauses(parsed)
    obligations = {o.article: o.party for o in extract_obligations(parsed, clauses, cache_dir=tmp_path)}
    assert obligations.get("5.1") == "titulaire"
    assert obligations.get("5.3") == "acheteur"
    deadlines = {d.article: d for d in extract_deadlines(parsed, clauses)}
    assert deadlines["5.2"].duration == 72 and deadlines["5.2"].unit == "heure"
    assert deadlines["5.3"].duration == 30 and deadlines["5.3"].unit == "jour"


def test_penalty_triggers_of_real_wordings(parsed: ParsedDocument) -> None:
    triggers = {p.article: p.trigger for p in extract_penalties(parsed, segment_clauses(parsed))}
    assert triggers == {"8.1": "absence", "8.2": "securite", "8.3": "indisponibilite"}
