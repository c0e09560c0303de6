"""classify_kind on text laid out like real PDFs and letters (probe portfolio F): a line
wrapped after a preposition is no title, a company speaking of its own staff writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.domain.types import ParsedDocument
from nlp.kinds import classify_kind


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def _kind(text: str, model_dir: Path) -> str:
    return classify_kind(ParsedDocument(status="parsed", format="pdf", text=text), cache_dir=model_dir)[0]


def test_report_citing_the_ccap_on_a_wrapped_line_is_not_a_ccap(model_dir: Path) -> None:
    text = ("PROCÈS-VERBAL DE CONSTAT\n"
            "Marché 2025-07 – titulaire : Aquanet Services\n"
            "Le 4 mars 2025, nous constatons que le bassin n'a pas été vidangé comme l'exige l'article 6 du\n"
            "CCAP.\n"
            "Fait à Marsac, le 4 mars 2025.\n")
    assert _kind(text, model_dir) == "pv_constat"


def test_a_real_ccap_title_is_still_read(model_dir: Path) -> None:
    text = ("COMMUNE DE MARSAC\n"
            "CCAP\n"
            "Marché de vidange des bassins\n"
            "ARTICLE 1 – OBJET\n"
            "Le marché porte sur la vidange des bassins de la piscine.\n")
    assert _kind(text, model_dir) == "ccap"


def test_company_letter_about_its_site_manager_is_the_titulaires(model_dir: Path) -> None:
    text = ("Aquanet Services\n"
            "Marsac, le 2 mars 2025\n"
            "À l'attention du maître d'œuvre – marché 2025-07\n"
            "Objet : réunion du 5 mars\n"
            "Monsieur,\n"
            "Notre chef de chantier sera retenu sur un autre site le 5 mars ; il vous appellera pour "
            "fixer une autre date.\n"
            "Cordialement, le responsable d'exploitation\n")
    assert _kind(text, model_dir) == "courrier_titulaire"
