"""Document kind: what a contract manager would file the document under."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.domain.types import ParsedDocument
from nlp.kinds import classify_kind


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def doc(text: str, **metadata: str) -> ParsedDocument:
    # headers come with e-mails; other formats carry file properties instead
    return ParsedDocument(status="parsed", format="eml" if metadata else "txt", text=text,
                          metadata=dict(metadata))


def kind_of(text: str, model_dir: Path, **metadata: str) -> str:
    return classify_kind(doc(text, **metadata), cache_dir=model_dir)[0]


def test_ccap_title_wins_over_body_mentions(model_dir: Path) -> None:
    text = ("Communauté de communes du Pays de Serre\n"
            "CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES\n"
            "Marché de collecte des encombrants\n"
            "Article 2 – Pièces contractuelles : l'acte d'engagement, le présent CCAP, le CCTP.\n")
    kind, confidence = classify_kind(doc(text), cache_dir=model_dir)
    assert kind == "ccap"
    assert confidence >= 0.75


def test_acte_d_engagement_in_markdown(model_dir: Path) -> None:
    text = ("# Acte d'engagement\n\n**Acheteur** : Ville de Rocheblanche\n\n"
            "Le signataire s'engage à exécuter les prestations pour 12 300 € HT.\n")
    assert kind_of(text, model_dir) == "ae"


def test_letter_citing_the_ccap_is_not_a_ccap(model_dir: Path) -> None:
    text = ("Ville de Rocheblanche\nDirection des finances\n\n"
            "Objet : Mise en demeure – nettoyage de la salle polyvalente\n\n"
            "Madame la Gérante,\n\nEn application de l'article 8 du CCAP, je vous mets en demeure "
            "d'assurer le nettoyage dans un délai de cinq jours.\n")
    assert kind_of(text, model_dir) == "mise_en_demeure"


def test_titulaire_answering_a_formal_notice_without_contesting(model_dir: Path) -> None:
    text = ("NETTO-PLUS SARL – SIRET 401 222 333 00018\n\nObjet : votre mise en demeure du 4 mai\n\n"
            "Madame, nous accusons réception de votre courrier. Nos équipes interviendront dès jeudi.\n")
    assert kind_of(text, model_dir) == "courrier_titulaire"


def test_titulaire_contesting_penalties_by_email(model_dir: Path) -> None:
    text = ("Bonjour,\n\nNous contestons les pénalités que vous envisagez : le retard vient de la "
            "fermeture du site décidée par vos services.\n\nCordialement\nJ. Morel, gérant")
    kind = kind_of(text, model_dir, From="Jeanne Morel <j.morel@netto-plus.fr>",
                   To="Service des marchés <marches@ville-rocheblanche.fr>",
                   Subject="RE: pénalités envisagées – marché de nettoyage")
    assert kind == "contestation"


def test_memoire_en_reclamation(model_dir: Path) -> None:
    text = ("TRANSPORTS VALLIER SAS\n\nObjet : Mémoire en réclamation – marché de transport scolaire\n\n"
            "Monsieur le Président,\n\nNous vous présentons notre mémoire exposant les motifs du différend.\n")
    assert kind_of(text, model_dir) == "reclamation"


def test_buyer_invites_observations_before_penalties(model_dir: Path) -> None:
    text = ("Département de la Sarthe-Haute\n\nObjet : Pénalités envisagées – invitation à présenter "
            "vos observations\n\nMonsieur,\n\nJ'envisage d'appliquer une pénalité de 800 €. Vous disposez "
            "de quinze jours pour présenter vos observations.\n")
    assert kind_of(text, model_dir) == "invitation_observations"


def test_file_name_carries_no_meaning(model_dir: Path) -> None:
    text = ("ORDRE DE SERVICE N° 2\nMarché de voirie – Commune de Lessac\n"
            "Les travaux de la tranche 2 commencent le 3 mars.\n")
    parsed = doc(text)
    assert classify_kind(parsed, filename="mise-en-demeure.pdf", cache_dir=model_dir)[0] == "ordre_de_service"
    assert classify_kind(parsed, filename="scan_0042.pdf", cache_dir=model_dir)[0] == "ordre_de_service"


def test_model_only_answer_is_never_fully_trusted(model_dir: Path) -> None:
    text = "Réunion de suivi du 3 mars : points abordés, planning, questions diverses."
    _kind, confidence = classify_kind(doc(text), cache_dir=model_dir)
    assert confidence <= 0.7


def test_empty_document_is_autre_with_zero_confidence(model_dir: Path) -> None:
    assert classify_kind(doc("   \n"), cache_dir=model_dir) == ("autre", 0.0)


def test_buyer_letter_without_a_formal_act_is_not_a_titulaire_letter(model_dir: Path) -> None:
    text = ("Commune de Lessac\nService financier\n\nObjet : Votre facture n° 88 du 2 avril\n\nMadame,\n\n"
            "Nous vous informons que votre facture a été mise en paiement.\n\nLe Maire")
    kind, confidence = classify_kind(doc(text), cache_dir=model_dir)
    assert kind not in ("courrier_titulaire", "contestation", "reclamation")
    assert confidence <= 0.7


def test_first_title_line_wins_over_acts_cited_below(model_dir: Path) -> None:
    text = ("ARRÊTÉ PORTANT RÉSILIATION DU MARCHÉ N° 2025-11\n"
            "Le Maire de la commune de Lessac,\n"
            "Vu la mise en demeure du 3 mars 2025 ;\n"
            "Vu la notification des pénalités et le décompte du 20 mars 2025 ;\n"
            "Considérant l'abandon du chantier ;\nARRÊTE :\nArticle 1 : le marché est résilié pour faute.\n")
    assert kind_of(text, model_dir) == "decision_resiliation"


def test_sender_recognised_from_a_public_mail_domain(model_dir: Path) -> None:
    text = ("Bonjour,\n\nNous contestons la pénalité annoncée : le retard est dû à vos services.\n\n"
            "Bien cordialement")
    kind = kind_of(text, model_dir, From="Marc Roy <m.roy@roy-elec.fr>", To="Léa Petit <l.petit@mairie-lessac.fr>",
                   Subject="Pénalité chantier école")
    assert kind == "contestation"


def test_pdf_file_properties_do_not_replace_the_subject_line(model_dir: Path) -> None:
    text = ("Commune de Lessac\n\nObjet : Mise en demeure – nettoyage des vitres\n\nMadame,\n\n"
            "Je vous mets en demeure d'effectuer la prestation sous huit jours.\n")
    parsed = ParsedDocument(status="parsed", format="pdf", text=text,
                            metadata={"subject": "(unspecified)", "author": "Batimax SARL"})
    assert classify_kind(parsed, cache_dir=model_dir)[0] == "mise_en_demeure"


def test_buyer_reminder_without_the_word_relance(model_dir: Path) -> None:
    text = ("Bonjour,\n\nSauf erreur de notre part, nous n'avons toujours pas reçu le rapport trimestriel "
            "prévu au marché. Merci de nous l'adresser dans les meilleurs délais.\n\nCordialement,\n"
            "Service des sports – Ville de Lessac")
    kind = kind_of(text, model_dir, From="Service des sports <sports@ville-lessac.fr>",
                   To="contact@sportiva.fr", Subject="Rapport trimestriel")
    assert kind == "relance"


def test_unrecognised_buyer_letter_is_not_turned_into_a_formal_act(model_dir: Path) -> None:
    text = ("Ville de Port-Mirande\nService de la commande publique\n\n"
            "Objet : Notification du marché n° 2026-04 – Denrées alimentaires lot 2\n\nMadame,\n\n"
            "J'ai l'honneur de vous notifier le marché cité en objet, dont vous trouverez ci-joint un "
            "exemplaire signé.\n")
    kind, confidence = classify_kind(doc(text), cache_dir=model_dir)
    assert kind == "autre"
    assert confidence <= 0.7
