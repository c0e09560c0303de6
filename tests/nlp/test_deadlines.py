"""Deadlines as a contract manager reads them: how long, counted how, from what, for whom."""

from __future__ import annotations

from models.domain.types import Deadline, ParsedDocument
from nlp.deadlines import extract_deadlines
from nlp.structure import segment_clauses


def deadlines(text: str) -> list[Deadline]:
    parsed = ParsedDocument(status="parsed", format="txt", text=text)
    return extract_deadlines(parsed, segment_clauses(parsed))


def only(text: str) -> Deadline:
    found = deadlines(text)
    assert len(found) == 1, found
    return found[0]


def test_number_in_words_with_figures_and_working_days() -> None:
    d = only("Article 6 – Remplacement\nLe prestataire remplace le matériel défectueux dans un délai "
             "de douze (12) jours ouvrés à compter de la réception de la demande du service.\n")
    assert (d.duration, d.unit, d.day_type) == (12, "jour", "ouvre")
    assert d.party == "titulaire"
    assert d.article == "6"
    assert d.anchor is not None and "demande" in d.anchor


def test_day_type_is_null_when_the_days_are_not_qualified() -> None:
    d = only("Le fournisseur livre les denrées dans un délai de 3 jours suivant la commande.")
    assert d.day_type is None
    assert d.unit == "jour" and d.duration == 3


def test_contract_duration_has_no_party_and_explicit_anchor() -> None:
    d = only("L'accord-cadre est conclu pour une durée de vingt-quatre (24) mois à compter de sa notification.")
    assert (d.duration, d.unit, d.party) == (24, "mois", None)
    assert d.anchor == "notification de l'accord-cadre"


def test_market_notification_anchor() -> None:
    d = only("Le marché prend effet pour une durée de trois ans à compter de sa notification.")
    assert (d.duration, d.unit) == (3, "an")
    assert d.anchor == "notification du marché"


def test_payment_time_is_the_buyer_s() -> None:
    d = only("Les sommes dues sont réglées dans un délai global de paiement de trente jours "
             "à compter de la réception de la facture.")
    assert d.party == "acheteur"
    assert d.duration == 30


def test_buyer_subject_and_deadline_before_an_event() -> None:
    d = only("La commune informe le titulaire au moins trois (3) mois avant l'échéance du marché.")
    assert d.party == "acheteur"
    assert d.anchor is not None and "echeance" in d.anchor.replace("é", "e")


def test_hours_and_pronoun_subject() -> None:
    found = deadlines("Article 4\nLe titulaire prend en charge toute panne critique. Il remet l'équipement en "
                      "service dans un délai de six (6) heures à compter de l'appel.")
    assert [(d.duration, d.unit, d.party) for d in found] == [(6, "heure", "titulaire")]


def test_implied_object_of_a_possessive_is_made_explicit() -> None:
    d = only("Le titulaire traite toute réclamation d'usager dans un délai de cinq jours à compter de sa réception.")
    assert d.anchor == "réception de la réclamation"


def test_penalty_rates_and_opening_hours_are_not_deadlines() -> None:
    text = ("Le titulaire encourt une pénalité de 100 € par jour de retard.\n"
            "L'accueil est ouvert de 8h00 à 12h00.\n"
            "En cas d'indisponibilité supérieure à 4 heures, une pénalité de 50 € est appliquée.\n")
    assert deadlines(text) == []


def test_span_points_at_the_duration_in_the_document() -> None:
    text = "Préambule.\nLe titulaire remet son rapport dans un délai de 10 jours suivant la réunion."
    d = only(text)
    assert d.span is not None
    assert text[d.span.start:d.span.end].startswith("10 jours")
    assert d.quote in text


def test_event_written_as_a_clause_is_nominalised() -> None:
    d = only("Le prestataire présente sa demande dans un délai d'un mois à compter du jour où le litige est survenu.")
    assert (d.duration, d.unit) == (1, "mois")
    assert d.anchor == "survenance du litige"


def test_time_given_by_a_formal_notice_is_the_titulaire_s() -> None:
    d = only("Le maître d'ouvrage peut résilier le marché après une mise en demeure restée sans effet "
             "pendant un délai de dix jours.")
    assert d.anchor == "mise en demeure"
    assert d.party == "titulaire"


def test_invitation_to_comment_runs_from_the_invitation() -> None:
    d = only("Avant toute retenue, le pouvoir adjudicateur invite le titulaire à faire valoir ses "
             "observations dans un délai de huit jours.")
    assert d.party == "titulaire"
    assert d.anchor == "invitation du pouvoir adjudicateur"


def test_next_working_day_without_a_number() -> None:
    d = only("Le fournisseur confirme chaque commande le jour ouvré suivant sa réception.")
    assert (d.duration, d.unit, d.day_type) == (1, "jour", "ouvre")


def test_pdf_line_break_inside_the_anchor_marker() -> None:
    d = only("Le titulaire transmet le plan de prévention dans un délai de dix (10) jours à\n"
             "compter de la date de la visite d'inspection commune.")
    assert d.anchor is not None and d.anchor.startswith("visite d'inspection")


def test_unnamed_actor_defaults_to_titulaire_but_asks_for_review() -> None:
    d = only("Les anomalies sont corrigées dans un délai de 2 jours.")
    assert d.party == "titulaire"
    assert d.needs_review


def test_possessive_date_of_receipt_refers_to_the_order_named_before() -> None:
    found = deadlines("Le délai d'exécution est fixé par chaque bon de commande. À défaut, il est de 10 jours "
                      "ouvrés à compter de sa date de réception par le titulaire.")
    assert [(d.duration, d.anchor) for d in found] == [(10, "réception du bon de commande")]


def test_agent_of_a_participle_is_not_the_party_that_acts() -> None:
    d = only("Les devis demandés par le maître d'ouvrage sont remis sous 8 jours calendaires.")
    assert d.party == "titulaire" and d.needs_review


def test_huitaine_and_compact_hours() -> None:
    assert [(d.duration, d.unit) for d in deadlines("Les réserves sont levées sous huitaine.")] == [(8, "jour")]
    d = only("Le titulaire intervient dans les 48H qui suivent la demande de l'acheteur.")
    assert (d.duration, d.unit, d.anchor) == (48, "heure", "demande de l'acheteur")


def test_periodicity_and_thresholds_are_not_deadlines() -> None:
    text = ("Les prix sont révisés tous les 12 mois.\nLes visites ont lieu deux fois par an.\n"
            "En cas de retard supérieur à 30 jours, l'acheteur peut résilier le marché.\n")
    assert deadlines(text) == []


def test_table_of_time_limits_but_not_penalty_rows() -> None:
    text = ("Article 5 – Délais\nNiveau | Délai d'intervention | Délai de rétablissement\n"
            "Panne bloquante | 2 heures | 8 heures ouvrées\n"
            "Article 6 – Pénalités\nManquement | Montant\n"
            "Intervention au-delà de 2 heures | 100 € par heure de retard\n")
    found = deadlines(text)
    assert [(d.article, d.duration, d.unit) for d in found] == [("5", 2, "heure"), ("5", 8, "heure")]
    assert all(d.party == "titulaire" and d.needs_review for d in found)


def test_hours_written_with_h_and_opening_hours() -> None:
    found = deadlines("Le titulaire intervient dans un délai de 4 h.\nL'accueil est ouvert de 8 h à 18 h.\n"
                      "Le prestataire rétablit le service en moins de 6 h.\n")
    assert [(d.duration, d.unit) for d in found] == [(4, "heure"), (6, "heure")]


def test_list_item_takes_the_party_of_its_lead_in() -> None:
    found = deadlines("L'acheteur s'engage à :\n- valider chaque livrable sous 10 jours ;\n- payer sous 30 jours.")
    assert [(d.duration, d.party, d.needs_review) for d in found] == [(10, "acheteur", False), (30, "acheteur", False)]


def test_abbreviated_days_and_bare_contract_term() -> None:
    d = only("Le titulaire livre sous 30 j à compter de la commande.")
    assert (d.duration, d.unit, d.anchor) == (30, "jour", "commande")
    d = only("Le titulaire répare sous 5 jrs ouvrés.")
    assert (d.duration, d.day_type) == (5, "ouvre")
    d = only("Le marché est conclu pour 12 mois.")
    assert (d.duration, d.unit, d.party) == (12, "mois", None)
    assert deadlines("Voir l'annexe J.") == []
