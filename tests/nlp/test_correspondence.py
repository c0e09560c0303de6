"""read_correspondence on hand-written letters, e-mails and orders (not from the dev portfolio)."""

from __future__ import annotations

import datetime as dt

from models.domain.types import ParsedDocument
from nlp.correspondence import read_correspondence


def _doc(text: str, **metadata: str) -> ParsedDocument:
    return ParsedDocument(status="parsed", format="txt", text=text, metadata=dict(metadata))


POSTAL_NOTICE = """Syndicat intercommunal des eaux du Val-de-Brenne
Service des marchés – 4 quai des Tanneurs – 37000 Tours

Tours, le 3 février 2025

SARL HYDRO-CANAL
Monsieur Julien Maréchal, gérant
18 rue des Forges, 37100 Tours

Objet : Marché n° SIE-22-031 – Curage des réseaux – Mise en demeure

Monsieur,

Le bon de commande n° BC/2024/118 du 6 janvier 2025 prévoyait l'intervention au plus tard le
20 janvier 2025. À ce jour, aucune équipe ne s'est présentée, en méconnaissance de l'article
5.1 du CCAP. Votre société (SIRET 732 829 320 00074) reste redevable des pénalités prévues
à l'art. 11.3 du CCAP et à l'article 14.1.1 du CCAG-FCS.

Je vous mets en demeure d'exécuter la prestation dans un délai de dix (10) jours à compter de
la réception du présent courrier. Le montant de la commande s'élève à 7 315,50 € HT.

Le président, Arnaud Vidal
"""


def test_postal_letter_fields() -> None:
    corr = read_correspondence(_doc(POSTAL_NOTICE), "mise_en_demeure")
    assert corr.date == dt.date(2025, 2, 3)
    assert corr.direction == "sortant"
    assert corr.subject is not None and "Mise en demeure" in corr.subject
    assert "SIE-22-031" in corr.contract_refs
    assert corr.order_refs == ("BC BC/2024/118",)
    assert corr.sirets == ("73282932000074",)
    assert "CCAP 11.3" in corr.articles_cited and "CCAG-FCS 14.1.1" in corr.articles_cited
    assert corr.deadline_days == 10
    assert 7315.5 in corr.amounts_eur
    assert dt.date(2025, 1, 20) in corr.failing_dates
    assert corr.recipient is not None and "HYDRO-CANAL" in corr.recipient


def test_invalid_siret_is_ignored() -> None:
    text = "Fait à Niort, le 12/12/2025.\nEntreprise SIRET 123 456 789 00012, marché n° 2025-07."
    corr = read_correspondence(_doc(text), "autre")
    assert corr.sirets == ()
    assert corr.date == dt.date(2025, 12, 12)


def test_email_header_date_iso_and_rfc() -> None:
    body = "Bonjour,\nmerci de nous transmettre le rapport trimestriel (contrat n° DSI-2023-12).\n"
    iso = read_correspondence(_doc(body, date="2025-03-18T16:02:11+01:00", subject="Rapport"), "relance")
    rfc = read_correspondence(_doc(body, date="Tue, 18 Mar 2025 16:02:11 +0100"), "relance")
    assert iso.date == rfc.date == dt.date(2025, 3, 18)
    assert iso.contract_refs == ("DSI-2023-12",)


def test_order_granting_extension() -> None:
    text = """ORDRE DE SERVICE N° 7
Marché de travaux n° 2024-TX-19 – Extension de l'école maternelle
Vu les relevés météorologiques transmis par l'entreprise ;
Le délai d'exécution du lot 3 est prolongé de cinq (5) jours ouvrés en raison du gel.
Fait à Vesoul, le 14 janvier 2025.
"""
    corr = read_correspondence(_doc(text), "ordre_de_service")
    assert corr.granted_extension_days == 5
    assert corr.date == dt.date(2025, 1, 14)
    assert corr.direction == "sortant"


def test_titulaire_request_is_not_a_granted_extension() -> None:
    text = """Bâti-Comtois SAS
Besançon, le 8 janvier 2025
Objet : marché n° 2024-TX-19 – demande de prolongation
Nous sollicitons une prolongation de 10 jours du délai d'exécution en raison du gel.
"""
    corr = read_correspondence(_doc(text), "courrier_titulaire")
    assert corr.granted_extension_days is None
    assert corr.direction == "entrant"


def test_deadline_in_hours_and_quoted_clause() -> None:
    text = ("Le 5 mai 2025\nObjet : accord-cadre AC/21/0042\n"
            "L'article 6 du CCAP impose un délai de trente jours pour chaque livraison.\n"
            "Je vous invite à régulariser la situation sous quarante-huit heures.")
    corr = read_correspondence(_doc(text), "mise_en_demeure")
    # the 30 days quoted from the contract are not the time this letter gives
    assert corr.deadline_days == 2
    assert corr.contract_refs == ("AC/21/0042",)


def test_refused_prolongation_is_not_granted() -> None:
    text = ("Commune de Vouneuil\nLe 23 mai 2025\nObjet : marché PI-24-09 – votre demande de report\n"
            "Je ne puis donner une suite favorable à votre demande de prolongation de dix jours.")
    corr = read_correspondence(_doc(text), "autre")
    assert corr.granted_extension_days is None
    assert corr.date == dt.date(2025, 5, 23)


def test_a_date_inside_a_sentence_is_not_the_date_of_a_report() -> None:
    corr = read_correspondence(_doc(
        "LYCÉE AGRICOLE DE BRESSOLLES — SELF\n\n"
        "Constat de non-conformité à la livraison — jeudi 6 novembre 2025, 11 h 05\n\n"
        "Thermomètre de contrôle vérifié le 02/10/2025 : yaourts à 9 °C.\n"), "pv_constat")
    assert corr.date == dt.date(2025, 11, 6)


def test_place_and_date_line_still_gives_the_date() -> None:
    corr = read_correspondence(_doc("Direction des achats\nQuimperlé, le 14 mars 2025\nObjet : relance\n"
                                    "Le bon de commande émis le 02/03/2025 n'est pas livré."), "relance")
    assert corr.date == dt.date(2025, 3, 14)


def test_failings_listed_by_day_with_a_negated_participle() -> None:
    corr = read_correspondence(_doc(
        "Lille, le 4 décembre 2025\nObjet : notification de pénalités\n"
        "Vitres non lavées le 3 novembre 2025 (hall B) et le 17 novembre 2025 (hall D).\n"), "notification_penalites")
    assert set(corr.failing_dates) == {dt.date(2025, 11, 3), dt.date(2025, 11, 17)}
