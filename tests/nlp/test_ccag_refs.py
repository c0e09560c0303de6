"""CCAG family and version, derogation lists and "CCAG penalties apply" statements, on
sentences written for these tests."""

from models.domain.types import ParsedDocument
from nlp.ccag_refs import applies_ccag_penalties, detect_ccag, find_derogations
from nlp.structure import segment_clauses


def _derogations(text: str) -> list[tuple[str, str | None]]:
    parsed = ParsedDocument(status="parsed", format="txt", text=text)
    return find_derogations(parsed, segment_clauses(parsed))


def test_fcs_2021_from_the_approving_arrete() -> None:
    family, version, confidence = detect_ccag(
        "Les pièces constitutives sont : l'acte d'engagement ; le présent CCAP ; le CCAG-FCS approuvé "
        "par l'arrêté du 30 mars 2021 ; le BPU."
    )
    assert (family, version) == ("FCS", 2021)
    assert confidence >= 0.5


def test_family_in_full_words_and_2009_version() -> None:
    text = (
        "Le cahier des clauses administratives générales applicables aux marchés publics de "
        "fournitures courantes et de services, approuvé par arrêté du 19 janvier 2009, est applicable."
    )
    assert detect_ccag(text)[:2] == ("FCS", 2009)


def test_other_families() -> None:
    assert detect_ccag("Le CCAG Travaux 2021 s'applique au présent marché.")[:2] == ("Travaux", 2021)
    assert detect_ccag("conformément au CCAG-PI en vigueur")[0] == "PI"
    assert detect_ccag("Par dérogation au CCAG-TIC, le titulaire…")[0] == "TIC"
    assert detect_ccag("CCAG des marchés industriels (CCAG-MI)")[0] == "MI"
    assert detect_ccag("Le CCAG FCS (version 2009) est applicable.")[:2] == ("FCS", 2009)
    assert detect_ccag("conformément au CCAG-Travaux du 30 mars 2021")[:2] == ("Travaux", 2021)
    assert detect_ccag("le CCAG applicable aux marchés publics de maîtrise d'œuvre (CCAG-MOE)")[0] == "MOE"


def test_no_ccag_no_guess() -> None:
    assert detect_ccag("Marché de prestations intellectuelles pour une étude de mobilité.") == (None, None, 0.0)
    family, version, _ = detect_ccag("Le CCAG-FCS est applicable.")
    assert family == "FCS" and version is None


def test_derogation_list_and_inline_derogations() -> None:
    text = (
        "Article 6 – Pénalités\n"
        "6.1 Par dérogation à l'article 14.1.1 du CCAG-FCS, les pénalités sont de 100 € par jour.\n"
        "6.2 Plafond de 12 % du montant du marché.\n"
        "Article 18 – Dérogations au CCAG\n"
        "L'article 6.2 du présent CCAP déroge à l'article 14.1.2 du CCAG-FCS.\n"
        "Article 7.4 du CCAP : déroge aux articles 20.1 et 20.4 du CCAG.\n"
    )
    assert _derogations(text) == [("14.1.1", "6.1"), ("14.1.2", "6.2"), ("20.1", "7.4"), ("20.4", "7.4")]


def test_derogation_table() -> None:
    text = (
        "Article 12 – Liste récapitulative des dérogations au CCAG\n"
        "Article du CCAP | Article du CCAG auquel il est dérogé\n"
        "8.3 | 14.1.3\n"
        "10.2 | 28.1\n"
    )
    assert _derogations(text) == [("14.1.3", "8.3"), ("28.1", "10.2")]


def test_applies_ccag_penalties() -> None:
    assert applies_ccag_penalties("Les pénalités prévues par le CCAG-FCS s'appliquent.")
    assert applies_ccag_penalties("Les pénalités de retard sont celles de l'article 20 du CCAG-Travaux.")
    assert not applies_ccag_penalties(
        "Les pénalités sont appliquées selon la procédure prévue à l'article 19.2.4 du CCAG-Travaux."
    )
    assert applies_ccag_penalties(
        "En cas de retard, les pénalités sont calculées conformément à l'article 14.1 du CCAG."
    )
    assert not applies_ccag_penalties(
        "Par dérogation à l'article 14.1 du CCAG, la pénalité est fixée à 100 € par jour."
    )
    assert not applies_ccag_penalties("Le titulaire livre sous huit jours.")
    # the CCAG exoneration or the contradictory step alone do not make its penalty rates apply
    assert not applies_ccag_penalties(
        "Conformément à l'article 14.1.3 du CCAG-TIC, le titulaire est exonéré des pénalités inférieures à 1 000 €."
    )
    assert not applies_ccag_penalties(
        "Conformément à l'article 14.1.1 du CCAG-FCS, avant d'appliquer une pénalité, l'acheteur invite le "
        "titulaire à présenter ses observations."
    )


def test_derogation_phrasings() -> None:
    text = (
        "Article 7 – Pénalités\n"
        "7.1 Il est dérogé à l'article 14.1.3 du cahier des clauses administratives générales : aucune exonération.\n"
        "Article 19 – Dérogations au CCAG\n"
        "Article 7.2 : dérogation à l'article 14.1.2 du CCAG-TIC.\n"
    )
    assert _derogations(text) == [("14.1.3", "7.1"), ("14.1.2", "7.2")]
