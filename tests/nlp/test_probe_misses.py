"""Three readings the probe portfolios showed wrong, checked on our own wording:

- goods delivered but the assembly / installation owed with them not done is a
  non-conformity, not an unknown failing (a delivery never made stays a delay);
- a CCAP whose title names it after a separator (« Ville de … — CCAP »), or that only shows
  a CCAP's structure (numbered articles pricing failings), is a contract piece, whatever its
  penalty vocabulary;
- one log line missing several named streets at once counts one failing per street.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models.domain.types import Incident, ParsedDocument
from nlp.incidents import read_incident
from nlp.kinds import classify_kind


def _read(description: str, resolved: dt.date | None = None):
    incident = Incident(id="T-1", reported_on=dt.date(2026, 3, 2), contract_ref="X", service="Services techniques",
                        description=description, occurred_on=dt.date(2026, 3, 2), resolved_on=resolved)
    return read_incident(incident)


# ------------------------------------------------------------------ delivered, not assembled


@pytest.mark.parametrize("description", [
    "Écoles maternelles : lits de sieste livrés le 2 mars, restés emballés, aucun assemblage fait.",
    "BC 26-114 — armoires réfrigérées livrées le 02/03/2026 ; installation non effectuée par le fournisseur.",
    "Les tableaux interactifs ont été livrés lundi mais sans mise en service, l'école ne peut pas s'en servir.",
    "Livraison reçue le 27/02 au gymnase ; les buts de handball n'ont pas été posés.",
])
def test_delivered_without_the_owed_assembly_is_a_non_conformity(description: str) -> None:
    facts = _read(description, resolved=dt.date(2026, 3, 6))
    assert facts.failing_type == "non_conformite"


@pytest.mark.parametrize("description", [
    "Chaises de la salle des fêtes non livrées ni montées au 02/03/2026, échéance du 27/02/2026.",
    "Retard : bureaux attendus le 20/02, livrés le 02/03 et montés le même jour.",
])
def test_a_delivery_not_made_or_late_stays_a_delay(description: str) -> None:
    assert _read(description).failing_type == "retard"


# ------------------------------------------------------------------ several streets missed at once


def test_each_named_street_missed_counts_once() -> None:
    facts = _read("Secteur Est : allée des Cerisiers, rue Jules-Ferry et chemin de la Source non ramassés "
                  "lors de la tournée du 02/03.")
    assert facts.occurrences == 3


@pytest.mark.parametrize("description", [
    # one street missed, another only late: a single place is missed
    "Rue Pasteur non collectée le 02/03 ; boulevard Carnot collecté avec deux heures de retard.",
    # « remis en place » names no place; the bins are what the clause would count
    "Bacs non remis en place rue Voltaire et avenue de Verdun après la collecte du 02/03.",
    # the streets are where the work was done, nothing is said missed of them
    "Balayage réalisé rue Gambetta et place de l'Église, conforme.",
])
def test_places_not_all_missed_count_once(description: str) -> None:
    assert _read(description).occurrences == 1


# ------------------------------------------------------------------ a CCAP read as a CCAP


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def _kind(text: str, model_dir: Path) -> tuple[str, float]:
    return classify_kind(ParsedDocument(status="parsed", format="txt", text=text, metadata={}), cache_dir=model_dir)


_PENALTY_ARTICLES = (
    "Article 4 - Délais\n"
    "Les prestations sont achevées dans un délai de douze semaines à compter de la notification.\n\n"
    "Article 7 - Pénalités\n"
    "7.1 Par dérogation à l'article 14.1 du CCAG-FCS, une pénalité de 300 € HT par jour de retard est appliquée.\n"
    "7.2 Les pénalités sont déduites des sommes dues au titulaire et notifiées par décision du pouvoir "
    "adjudicateur.\n\n"
    "Article 9 - Résiliation\n"
    "Les stipulations du chapitre 7 du CCAG-FCS s'appliquent.\n")


def test_ccap_named_after_a_separator_in_its_title(model_dir: Path) -> None:
    text = "Communauté de communes des Hautes-Brandes — CCAP\nMarché n° 26-007 — Entretien des espaces verts\n\n" \
        + _PENALTY_ARTICLES
    kind, confidence = _kind(text, model_dir)
    assert kind == "ccap"
    assert confidence >= 0.75


def test_ccap_structure_outweighs_penalty_words_without_a_telling_title(model_dir: Path) -> None:
    text = "Syndicat intercommunal des eaux du Val-Brûlé\nCahier des charges — Marché de curage des réseaux\n\n" \
        + _PENALTY_ARTICLES
    kind, _confidence = _kind(text, model_dir)
    assert kind == "ccap"


def test_a_penalty_decision_cut_in_articles_is_still_a_decision(model_dir: Path) -> None:
    text = ("Ville de Montferrand-sur-Lys\nArrêté n° 2026-41 portant application de pénalités\n\n"
            "Le Maire,\nVu le marché n° 25-018 et son CCAP, notamment l'article 7 ;\n"
            "Vu le procès-verbal de constat du 12 février 2026 ;\nARRÊTE\n"
            "Article 1er : Une pénalité de 1 500 € HT est appliquée à la société Vertmarin.\n"
            "Article 2 : Elle sera déduite du prochain acompte.\n"
            "Article 3 : Le directeur général des services est chargé de l'exécution du présent arrêté.\n")
    kind, _confidence = _kind(text, model_dir)
    assert kind == "notification_penalites"


def test_a_sentence_citing_the_ccap_makes_no_ccap(model_dir: Path) -> None:
    text = ("Ville de Montferrand-sur-Lys — Direction de la commande publique\n"
            "Décompte des pénalités — marché n° 25-018\n"
            "Application de l'article 7 du CCAP : retard de 5 jours × 300 € = 1 500 € HT, retenue sur l'acompte n° 4.\n")
    kind, _confidence = _kind(text, model_dir)
    assert kind == "notification_penalites"


def test_a_cctp_sending_penalties_to_the_ccap_is_not_read_as_a_ccap(model_dir: Path) -> None:
    text = ("Syndicat intercommunal des eaux du Val-Brûlé\nMarché de curage des réseaux\n\n"
            "Article 1 - Consistance des travaux\nLe curage porte sur 12 km de collecteurs unitaires.\n\n"
            "Article 2 - Matériel\nL'hydrocureuse dispose d'une pression de 150 bars au moins.\n\n"
            "Article 3 - Comptes rendus\nChaque journée fait l'objet d'un rapport d'inspection télévisée ; "
            "les pénalités sont celles prévues au CCAP.\n")
    kind, _confidence = _kind(text, model_dir)
    assert kind != "ccap"
