"""Obligations: a party bound by a duty verb, not options, definitions or penalties."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.domain.types import Obligation, ParsedDocument
from nlp.obligations import extract_obligations
from nlp.structure import segment_clauses


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def obligations(text: str, model_dir: Path) -> list[Obligation]:
    parsed = ParsedDocument(status="parsed", format="txt", text=text)
    return extract_obligations(parsed, segment_clauses(parsed), cache_dir=model_dir)


def parties(text: str, model_dir: Path) -> list[str | None]:
    return [o.party for o in obligations(text, model_dir)]


def test_duty_verbs_of_each_party(model_dir: Path) -> None:
    text = ("Article 3 – Exécution\n"
            "Le prestataire s'engage à fournir un planning d'intervention mensuel.\n"
            "Le fournisseur est tenu d'emballer les colis sous film recyclable.\n"
            "Le pouvoir adjudicateur doit communiquer les codes d'accès aux locaux.\n")
    found = obligations(text, model_dir)
    assert [o.party for o in found] == ["titulaire", "titulaire", "acheteur"]
    assert all(o.article == "3" for o in found)
    assert all(0.5 <= o.confidence <= 1.0 for o in found)


def test_prescriptive_present_tense_is_a_duty(model_dir: Path) -> None:
    assert parties("Le titulaire transmet chaque mois un état des stocks au magasin central.", model_dir) == ["titulaire"]


def test_option_is_not_a_duty(model_dir: Path) -> None:
    assert parties("L'acheteur peut demander le remplacement d'un intervenant.", model_dir) == []


def test_passive_without_a_party_is_not_an_obligation(model_dir: Path) -> None:
    assert parties("Les factures sont payées par virement dans un délai de trente jours.", model_dir) == []


def test_passive_with_the_party_named_is_an_obligation(model_dir: Path) -> None:
    text = "Les pièces défectueuses sont remplacées par le titulaire sans frais pour la commune."
    assert parties(text, model_dir) == ["titulaire"]


def test_pronoun_takes_the_previous_party(model_dir: Path) -> None:
    text = ("Article 7\nLe maître d'ouvrage convoque les entreprises aux réunions de chantier. "
            "Il en diffuse le compte rendu sous huit jours.")
    assert parties(text, model_dir) == ["acheteur", "acheteur"]


def test_definitions_and_penalties_are_not_obligations(model_dir: Path) -> None:
    text = ("On entend par jour ouvré un jour du lundi au vendredi hors jours fériés.\n"
            "En cas de retard, le titulaire encourt une pénalité de 120 € par jour.\n")
    assert parties(text, model_dir) == []


def test_quote_and_span_point_into_the_document(model_dir: Path) -> None:
    text = "Préambule.\nLe titulaire restitue les clés du bâtiment à la fin des travaux."
    [o] = obligations(text, model_dir)
    assert o.span is not None and text[o.span.start:o.span.end] == o.quote


def test_leading_subordinate_clause_and_pronoun_subject(model_dir: Path) -> None:
    text = ("Lorsque le prestataire constate une anomalie sur un équipement, il en informe "
            "le service technique sans délai.")
    assert parties(text, model_dir) == ["titulaire"]


def test_main_clause_actor_wins_over_the_subordinate(model_dir: Path) -> None:
    text = ("Si le titulaire ne peut respecter la date de livraison pour une cause qui ne lui est pas "
            "imputable, l'acheteur prolonge le délai d'exécution.")
    assert parties(text, model_dir) == ["acheteur"]


def test_party_named_inside_a_participle_phrase_is_not_the_subject(model_dir: Path) -> None:
    text = "Une commission associant l'acheteur et le titulaire examine chaque année les tarifs."
    assert parties(text, model_dir) == []


def test_heading_labels_are_not_subjects(model_dir: Path) -> None:
    text = "Acheteur : Syndicat des eaux du Causse\nTitulaire : Hydrosud SAS\n"
    assert parties(text, model_dir) == []


def test_actor_named_with_de_la_part_de(model_dir: Path) -> None:
    text = "Toute contestation fait l'objet, de la part du titulaire, d'un courrier motivé adressé à l'acheteur."
    assert parties(text, model_dir) == ["titulaire"]


def test_procedure_before_penalties_is_a_duty_but_the_penalty_itself_is_not(model_dir: Path) -> None:
    text = ("Avant toute application de pénalités, l'acheteur invite le titulaire à présenter ses observations.\n"
            "Le titulaire est exonéré des pénalités dont le montant total ne dépasse pas 500 euros.\n")
    assert parties(text, model_dir) == ["acheteur"]


def test_having_the_charge_of_something_binds_the_party(model_dir: Path) -> None:
    text = "Le titulaire a la charge des démarches de déclaration de travaux auprès des concessionnaires."
    assert parties(text, model_dir) == ["titulaire"]


def test_prohibition_binds_but_a_denied_right_does_not(model_dir: Path) -> None:
    assert parties("Le titulaire ne peut céder le marché sans l'accord écrit de l'acheteur.", model_dir) == ["titulaire"]
    assert parties("Le titulaire ne peut prétendre à aucune indemnité.", model_dir) == []


def test_being_in_charge_of_something_is_a_duty(model_dir: Path) -> None:
    assert parties("Le prestataire est chargé de l'entretien courant des installations.", model_dir) == ["titulaire"]


def test_a_bulleted_list_belongs_to_its_lead_in(model_dir: Path) -> None:
    text = ("Article 3 – Engagements\nLe titulaire s'engage à :\n- fournir un planning mensuel ;\n"
            "- remettre les attestations sociales ;\nLe titulaire transmet le rapport annuel.")
    found = obligations(text, model_dir)
    assert [o.party for o in found] == ["titulaire", "titulaire"]
    assert found[0].quote.startswith("Le titulaire s'engage à :") and "attestations sociales" in found[0].quote
    assert found[0].span is not None and text[found[0].span.start:found[0].span.end] == found[0].quote


def test_first_person_engagement_of_an_acte_d_engagement(model_dir: Path) -> None:
    text = ("Après avoir pris connaissance des pièces du marché, je m'engage, sans réserve, à livrer "
            "les fournitures demandées aux prix du bordereau.")
    assert parties(text, model_dir) == ["titulaire"]
