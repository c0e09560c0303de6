"""Extraction readings probe portfolio G showed wrong, checked on our own wording:

- a penalty rate written in words and repeated in figures in brackets (« un millième (1/1000e)
  du montant … »), or in figures alone in several spellings, is a rate per day;
- a percentage inside the definition of a service level (« plus de 15 % des bornes hors
  service ») does not make an SLA row a penalty row: its time limit is kept;
- a buyer written by its acronym (« La CCVB valide… », « Le SIVOM règle… ») is the acheteur,
  for obligations and for the party of a deadline; a document acronym or the titulaire's name is not;
- a worker without the clearance the job needs is a safety failing;
- an offer's validity binds the candidate; the acceptance to notify in time is the buyer's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.domain.types import Deadline, Obligation, ParsedDocument, Penalty
from nlp.deadlines import extract_deadlines
from nlp.obligations import buyer_aliases, extract_obligations
from nlp.penalties import extract_penalties
from nlp.structure import segment_clauses


def _parsed(text: str) -> ParsedDocument:
    return ParsedDocument(status="parsed", format="txt", text=text)


def _penalties(text: str) -> list[Penalty]:
    parsed = _parsed(text)
    return extract_penalties(parsed, segment_clauses(parsed))


def _deadlines(text: str) -> list[Deadline]:
    parsed = _parsed(text)
    return extract_deadlines(parsed, segment_clauses(parsed))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def _obligations(text: str, model_dir: Path) -> list[Obligation]:
    parsed = _parsed(text)
    return extract_obligations(parsed, segment_clauses(parsed), cache_dir=model_dir)


# ------------------------------------------------------------------ fractions of a value


@pytest.mark.parametrize(("rate", "ratio"), [
    ("un millième (1/1000e)", 0.001),
    ("un deux-millième (1/2 000e)", 0.0005),
    ("1/1000ème", 0.001),
    ("1 / 1 000", 0.001),
    ("un trois-millième", 1 / 3000),
    ("trois millièmes (3/1000)", 0.003),
    ("0,5/1000e", 0.0005),
])
def test_a_rate_in_words_figures_or_both_is_a_rate_per_day(rate: str, ratio: float) -> None:
    found = _penalties(
        "ARTICLE 11 – PÉNALITÉS\n"
        f"11.1 Tout retard dans la livraison d'un lot d'études entraîne une pénalité égale à {rate} du "
        "montant hors taxes du lot concerné par jour calendaire de retard.\n"
    )
    assert len(found) == 1, found
    p = found[0]
    assert (p.article, p.basis, p.unit, p.trigger) == ("11.1", "ratio_per_unit", "jour", "retard")
    assert p.ratio == pytest.approx(ratio)
    assert p.value_base is not None and "montant" in p.value_base


def test_a_page_count_is_still_no_rate() -> None:
    assert _penalties("ARTICLE 4 – PÉNALITÉS\nLe planning figure en page 4/5 du mémoire technique.\n") == []


# ------------------------------------------------------------------ SLA grid with a percentage in a definition


def test_sla_row_whose_definition_holds_a_percentage_keeps_its_time_limit() -> None:
    text = (
        "Article 6 – Niveaux de service\n"
        "Niveau | Définition | Délai de remise en service\n"
        "Critique | Plus de 15 % des bornes d'accès du parking hors service | 3 heures\n"
        "Majeure | Une borne d'accès hors service | 1 jour ouvré\n"
        "\n"
        "Les délais courent à compter de la déclaration de l'incident par le service exploitant.\n"
    )
    grid = [(d.duration, d.unit) for d in _deadlines(text) if " | " in d.quote]
    assert (3.0, "heure") in grid
    assert (1.0, "jour") in grid


def test_a_priced_row_stays_a_penalty_row_not_a_deadline() -> None:
    text = (
        "Article 9 – Pénalités\n"
        "Manquement | Pénalité\n"
        "Remise en service au-delà de 3 heures | 0,2 % du montant mensuel de la redevance par heure\n"
    )
    assert [d for d in _deadlines(text) if " | " in d.quote] == []


def test_a_grid_row_with_a_bare_rate_cell_is_still_a_penalty_row() -> None:
    text = (
        "Article 9 – Niveaux de service et réfactions\n"
        "Niveau | Délai de rétablissement | Réfaction\n"
        "Critique | 4 heures | 5 %\n"
    )
    assert [d for d in _deadlines(text) if " | " in d.quote] == []


# ------------------------------------------------------------------ the buyer named by its acronym


CCAP_WITH_DECLARED_ACRONYM = (
    "CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES\n"
    "Maître d'ouvrage : Communauté de communes de la vallée de la Brenne (CCVB), 2 place du Marché.\n"
    "Article 4 – Exécution\n"
    "4.1 Le titulaire remet le projet de plan de gestion dans un délai de six (6) semaines à compter de la "
    "notification du marché.\n"
    "4.2 La CCVB valide le plan de gestion dans un délai de quinze (15) jours à compter de sa réception.\n"
)


def test_declared_acronym_of_the_buyer_makes_an_acheteur_obligation_and_deadline(model_dir: Path) -> None:
    assert buyer_aliases(CCAP_WITH_DECLARED_ACRONYM) == ("ccvb",)
    parties = {o.article: o.party for o in _obligations(CCAP_WITH_DECLARED_ACRONYM, model_dir)}
    assert parties.get("4.1") == "titulaire"
    assert parties.get("4.2") == "acheteur"
    deadline = next(d for d in _deadlines(CCAP_WITH_DECLARED_ACRONYM) if d.article == "4.2")
    assert (deadline.duration, deadline.party) == (15.0, "acheteur")


def test_acronym_used_as_subject_without_declaration_is_the_buyer(model_dir: Path) -> None:
    text = (
        "ACTE D'ENGAGEMENT\n"
        "Titulaire : Hydrelec Services SAS, 12 rue des Forges.\n"
        "Le titulaire s'engage à exécuter les prestations pour un montant de 48 000 € HT.\n"
        "Le SIVOM règle les sommes dues par mandat administratif sur le compte du titulaire.\n"
    )
    assert buyer_aliases(text) == ("sivom",)
    assert [o.party for o in _obligations(text, model_dir)] == ["titulaire", "acheteur"]


def test_buyer_s_short_name_from_the_parties_block_is_the_acheteur(model_dir: Path) -> None:
    text = (
        "ACTE D'ENGAGEMENT\n"
        "Pouvoir adjudicateur : Orvanne Habitat, office public de l'habitat, 9 quai Colbert.\n"
        "Titulaire : Thermiclim SARL, 22 rue des Artisans.\n"
        "Le titulaire s'engage à exécuter les prestations d'entretien des chaudières.\n"
        "Orvanne Habitat verse les acomptes mensuellement sur présentation des situations.\n"
    )
    assert buyer_aliases(text) == ("orvanne habitat",)
    assert [o.party for o in _obligations(text, model_dir)] == ["titulaire", "acheteur"]


def test_name_given_with_ci_apres_is_the_buyer_s_only_when_the_buyer_is_named() -> None:
    assert buyer_aliases("La Régie des eaux de la Sèvre (ci-après « la Régie ») confie au titulaire …\n") == ("regie",)
    assert buyer_aliases("La société Agrivert (ci-après « Agrivert ») s'engage …\n") == ()


def test_heading_with_the_acronym_before_the_buyer_s_name_declares_it() -> None:
    assert buyer_aliases("SDEA – Syndicat départemental des eaux de l'Aube\nCCAP\n") == ("sdea",)


def test_document_acronyms_and_the_titulaire_s_name_are_not_the_buyer(model_dir: Path) -> None:
    text = (
        "ACTE D'ENGAGEMENT\n"
        "Titulaire : NORDIA SARL, 4 rue du Port.\n"
        "Le CCTP précise les caractéristiques des matériels à fournir.\n"
        "Le NORDIA transmet chaque mois le relevé des interventions.\n"
    )
    assert buyer_aliases(text) == ()
    assert "acheteur" not in [o.party for o in _obligations(text, model_dir)]


def test_contract_number_built_on_the_acronym_is_not_a_mention_of_the_buyer() -> None:
    text = (
        "Marché n° CAVB-26-014 – Entretien des espaces verts.\n"
        "Pouvoir adjudicateur : Communauté d'agglomération du Val de Brême (CAVB).\n"
        "Article 3 – Délais\n"
        "Le marché CAVB-26-014 est conclu pour une durée de douze (12) mois à compter de sa notification.\n"
    )
    term = next(d for d in _deadlines(text) if d.unit == "mois")
    assert term.party is None  # a contract term binds no one party


# ------------------------------------------------------------------ safety clearance


@pytest.mark.parametrize("failing", [
    "Intervention d'un agent sans habilitation électrique sur une armoire de commande",
    "Électricien dépourvu de l'habilitation requise pour la consignation du poste",
    "Agent non habilité à intervenir sur les installations sous tension",
])
def test_a_worker_without_the_required_clearance_is_a_safety_failing(failing: str) -> None:
    text = ("ARTICLE 12 – PÉNALITÉS\n"
            f"12.3 {failing} : pénalité forfaitaire de 800 € HT par constat.\n")
    found = _penalties(text)
    assert len(found) == 1, found
    assert (found[0].trigger, found[0].amount_eur) == ("securite", 800.0)


def test_a_document_signed_without_authority_is_not_a_safety_failing() -> None:
    found = _penalties("ARTICLE 8 – PÉNALITÉS\n8.2 Attestation signée par une personne non habilitée : "
                       "pénalité de 100 € par document.\n")
    assert len(found) == 1 and found[0].trigger == "document"


# ------------------------------------------------------------------ offer validity


@pytest.mark.parametrize("sentence", [
    "Les offres restent valables pendant quatre-vingt-dix (90) jours à compter de la date limite de leur remise.",
    "Le soumissionnaire demeure engagé par son offre pendant un délai de cent vingt (120) jours.",
    "La durée de validité des offres est fixée à cent cinquante (150) jours à compter de la date limite de dépôt.",
])
def test_offer_validity_binds_the_candidate(sentence: str) -> None:
    found = _deadlines("ACTE D'ENGAGEMENT\n" + sentence + "\n")
    assert len(found) == 1, found
    assert found[0].party == "titulaire"


def test_acceptance_to_notify_within_the_validity_is_the_buyer_s() -> None:
    found = _deadlines("ACTE D'ENGAGEMENT\nCette offre ne m'engage que si son acceptation m'est notifiée dans "
                       "un délai de cent vingt (120) jours à compter de la date limite de remise des offres.\n")
    assert len(found) == 1, found
    assert found[0].party == "acheteur"
