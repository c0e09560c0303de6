"""Article segmentation and sentence splitting on French contract layouts written for
these tests (several heading styles, lists, tables, tables of contents)."""

from models.domain.types import Page, ParsedDocument
from nlp.sentences import sentence_spans, sentences
from nlp.structure import article_at, normalize_article, segment_clauses


def _doc(text: str, pages: tuple[Page, ...] = ()) -> ParsedDocument:
    return ParsedDocument(status="parsed", format="txt", text=text, pages=pages, paginated=bool(pages))


def _articles(text: str) -> list[str | None]:
    return [c.article for c in segment_clauses(_doc(text))]


# --- sentences -----------------------------------------------------------------------

def test_sentences_keep_abbreviations_numbers_and_amounts_whole() -> None:
    text = (
        "Conformément à l'art. 14.1 du CCAG, la pénalité est de 1 500,00 € HT par jour. "
        "Le bon de commande n° 12 est suivi par M. Lefèvre. Voir l'article 9.2 ci-dessous."
    )
    assert sentences(text) == [
        "Conformément à l'art. 14.1 du CCAG, la pénalité est de 1 500,00 € HT par jour.",
        "Le bon de commande n° 12 est suivi par M. Lefèvre.",
        "Voir l'article 9.2 ci-dessous.",
    ]


def test_sentences_join_pdf_line_wraps_and_split_headings_bullets_rows() -> None:
    text = (
        "ARTICLE 7 – PÉNALITÉS\n"
        "Le titulaire qui ne respecte pas le délai de\n"
        "livraison encourt une pénalité.\n"
        "Les pénalités sont les suivantes :\n"
        "- retard de remise du planning : 80 € par jour ;\n"
        "- absence en réunion : 120 €.\n"
        "Manquement | Montant\n"
        "Retard de rapport | 90 € par jour\n"
    )
    assert sentences(text) == [
        "ARTICLE 7 – PÉNALITÉS",
        "Le titulaire qui ne respecte pas le délai de\nlivraison encourt une pénalité.",
        "Les pénalités sont les suivantes :",
        "- retard de remise du planning : 80 € par jour ;",
        "- absence en réunion : 120 €.",
        "Manquement | Montant",
        "Retard de rapport | 90 € par jour",
    ]


def test_sentence_spans_are_offsets_into_the_text() -> None:
    text = "  Première phrase. Seconde phrase !  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Première phrase.", "Seconde phrase !"]


# --- headings ------------------------------------------------------------------------

def test_uppercase_articles_with_dash_and_numbered_subarticles() -> None:
    text = (
        "ARTICLE 1 – OBJET\nLe marché porte sur l'entretien des espaces verts.\n"
        "ARTICLE 2 – DÉLAIS\n2.1 Délai de démarrage\nLes prestations débutent sous 10 jours.\n"
        "2.2. Délai d'intervention\nLe titulaire intervient sous 48 heures.\n"
        "ARTICLE 3 – PÉNALITÉS DE RETARD\nUne pénalité de 100 € par jour est appliquée.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["1", "2", "2.1", "2.2", "3"]
    by = {c.article: c for c in clauses}
    assert by["2.2"].parent == "2" and by["2.2"].level == 2
    assert by["2.2"].heading == "Délai d'intervention"
    assert by["3"].heading == "PÉNALITÉS DE RETARD"
    assert by["3"].clause_type == "penalite"
    assert by["2"].clause_type == "delai"
    # the parent's span covers its sub-articles, and offsets point into the text
    assert by["2"].span.start <= by["2.1"].span.start < by["2.2"].span.end <= by["2"].span.end
    assert text[by["3"].span.start:by["3"].span.end] == by["3"].text


def test_markdown_and_colon_headings() -> None:
    text = (
        "# CCAP – Maintenance des ascenseurs\n\n"
        "## Article 4 : Exécution\n\nTexte.\n\n"
        "### Article 4.1 : Visites\n\nUne visite par mois.\n\n"
        "### Article 4.2 : Dépannages\n\nIntervention sous 4 heures.\n\n"
        "## Article 5 : Pénalités\n\nVoir barème.\n"
    )
    assert _articles(text) == [None, "4", "4.1", "4.2", "5"]


def test_numbered_list_items_dates_and_amounts_stay_inside_their_article() -> None:
    text = (
        "Article 6 - Pièces à fournir\n"
        "Le titulaire remet :\n"
        "1. Le planning détaillé ;\n"
        "2. La liste des intervenants ;\n"
        "3. Les attestations d'assurance.\n"
        "15 Janvier 2025 est la date de la réunion de lancement.\n"
        "1 500 Euros sont provisionnés.\n"
        "Article 7 - Résiliation\n"
        "Les stipulations du CCAG s'appliquent.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["6", "7"]
    assert "3. Les attestations" in clauses[0].text
    assert clauses[1].clause_type == "resiliation"


def test_inline_paragraph_numbers_and_art_abbreviation() -> None:
    text = (
        "Art. 11 Garanties\n"
        "11.1. Garantie des fournitures. Les fournitures sont garanties un an à compter de leur admission.\n"
        "11.2. Le titulaire remplace à ses frais toute fourniture défectueuse dans un délai de huit jours.\n"
        "Art. 12 Dérogations au CCAG\n"
        "Article 11.2 du CCAP : déroge à l'article 28 du CCAG.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["11", "11.1", "11.2", "12"]
    by = {c.article: c for c in clauses}
    assert by["11.1"].heading == "Garantie des fournitures"
    assert by["11.2"].heading == ""
    assert by["12"].clause_type == "derogations"
    # "Article 11.2 du CCAP" in the derogation list is a citation, not a new heading
    assert "déroge à l'article 28" in by["12"].text


def test_roman_parts_with_articles_and_article_premier() -> None:
    text = (
        "I – DISPOSITIONS GÉNÉRALES\n"
        "Article premier – Objet\nFourniture de papier.\n"
        "Article 2 – Durée\nUn an.\n"
        "II – EXÉCUTION\n"
        "Article 3 – Livraisons\nSous huit jours.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["I", "1", "2", "II", "3"]
    part_two = clauses[3]
    assert part_two.level == 0
    assert article_at(clauses, text.index("Sous huit")).article == "3"


def test_table_of_contents_is_not_taken_for_the_articles() -> None:
    text = (
        "SOMMAIRE\n"
        "Article 1 – Objet\n"
        "Article 2 – Prix\n"
        "Article 3 – Pénalités\n"
        "Article 1 – Objet\nLe présent marché a pour objet la location de véhicules utilitaires "
        "pour les services techniques de la commune, avec entretien et assistance.\n"
        "Article 2 – Prix\nLes prix sont fermes et définitifs pour toute la durée du marché et "
        "comprennent toutes les charges fiscales et parafiscales.\n"
        "Article 3 – Pénalités\nEn cas de retard, une pénalité de 50 € par jour est due.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["1", "2", "3"]
    assert "location de véhicules" in clauses[0].text


def test_dotted_toc_lines_are_skipped() -> None:
    text = (
        "Article 1 – Objet ........................ 2\n"
        "Article 2 – Délais ....................... 3\n"
        "Article 1 – Objet\nTexte de l'objet.\nArticle 2 – Délais\nTexte des délais.\n"
    )
    assert _articles(text) == ["1", "2"]


def test_table_rows_are_never_headings() -> None:
    text = (
        "Article 8 – Barème\n"
        "N° | Manquement | Montant\n"
        "1 | Retard de livraison | 50 € par jour\n"
        "2 | Absence à une réunion | 200 €\n"
        "Article 9 – Divers\nRien.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["8", "9"]
    assert "Absence à une réunion" in clauses[0].text


def test_pages_are_taken_from_the_document() -> None:
    page1 = "ARTICLE 1 – OBJET\nTexte.\n"
    page2 = "ARTICLE 2 – PRIX\nTexte.\n"
    doc = _doc(page1 + page2, pages=(Page(1, page1, 0), Page(2, page2, len(page1))))
    clauses = segment_clauses(doc)
    assert [c.span.page for c in clauses] == [1, 2]


def test_article_at_returns_the_most_specific_clause() -> None:
    text = "Article 9 – Pénalités\n9.1 Retard\nPénalité de 50 €.\n9.2 Absence\nPénalité de 80 €.\n"
    clauses = segment_clauses(_doc(text))
    assert article_at(clauses, text.index("80 €")).article == "9.2"
    assert article_at(clauses, text.index("Pénalités")).article == "9"
    assert article_at([], 3) is None


def test_normalize_article() -> None:
    assert normalize_article("9. 2.") == "9.2"
    assert normalize_article("premier") == "1"
    assert normalize_article("iv") == "IV"


def test_sentence_continues_across_a_pdf_page_break() -> None:
    text = (
        "Avant toute retenue, l'acheteur adresse au titulaire\n\n"
        "un courrier l'invitant à présenter ses observations.\n\nArticle 10 – Divers\n"
    )
    assert sentences(text) == [
        "Avant toute retenue, l'acheteur adresse au titulaire\n\nun courrier l'invitant à présenter ses observations.",
        "Article 10 – Divers",
    ]


def test_lettered_sections_of_an_acte_d_engagement() -> None:
    text = (
        "ACTE D'ENGAGEMENT\n"
        "A. IDENTIFICATION DU POUVOIR ADJUDICATEUR\n"
        "Commune de Saint-Ambroise.\n"
        "B. ENGAGEMENT DU TITULAIRE\n"
        "B1. Le soussigné s'engage à exécuter les prestations.\n"
        "B2. L'offre est valable cent vingt (120) jours.\n"
        "C. PRIX\n"
        "C1. Montant forfaitaire : 48 000 € HT.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["A", "B", "B1", "B2", "C", "C1"]
    by = {c.article: c for c in clauses}
    assert by["B2"].parent == "B" and by["B2"].level == 2
    assert article_at(clauses, text.index("cent vingt")).article == "B2"


def test_sub_article_setting_a_penalty_under_penalties_is_a_penalty_clause() -> None:
    text = (
        "Article 7 – Pénalités\n"
        "7.1 Vérification des décomptes\n"
        "Le retard de vérification d'un décompte entraîne une pénalité de 100 € par jour.\n"
        "Article 8 – Réception\nTexte.\n"
    )
    by = {c.article: c for c in segment_clauses(_doc(text))}
    assert by["7.1"].clause_type == "penalite"
    assert by["8"].clause_type == "reception"


def test_dash_numbered_heading_is_its_own_sentence() -> None:
    text = "3.2 - Pénalités pour retard\nPar dérogation au CCAG, une pénalité de 80 € par heure est due.\n"
    assert sentences(text) == [
        "3.2 - Pénalités pour retard",
        "Par dérogation au CCAG, une pénalité de 80 € par heure est due.",
    ]


def test_short_label_lines_end_their_paragraph_but_wrapped_lines_do_not() -> None:
    wrapped = "Le titulaire remet au service technique de la commune, dans un délai de dix jours, le"
    text = (
        "Acheteur : Commune de Vallon-sur-Orne\n"
        "Titulaire : Société Bâtiments Durables\n"
        f"{wrapped}\n"
        "Plan particulier de sécurité établi pour le chantier de la médiathèque municipale.\n"
        "Les travaux débutent à la date fixée par l'ordre de service de démarrage des travaux\n"
        "Le présent article est complété par le calendrier annexé au marché signé par les deux parties.\n"
        "Ce calendrier est contractuel pour toutes les phases de l'opération et tous les lots concernés.\n"
    )
    got = sentences(text)
    assert got[0] == "Acheteur : Commune de Vallon-sur-Orne"
    assert got[1] == "Titulaire : Société Bâtiments Durables"
    assert got[2].startswith("Le titulaire remet") and got[2].endswith("municipale.")


def test_arabic_sub_articles_under_a_roman_article() -> None:
    text = (
        "ARTICLE VI – PRIX\nPrix fermes.\n"
        "ARTICLE VII – PÉNALITÉS\n"
        "7.1 Retards\nUne pénalité de 50 € par jour.\n"
        "7.2 Absences\nUne pénalité de 80 € par absence.\n"
        "ARTICLE VIII – RÉSILIATION\nCCAG.\n"
    )
    clauses = segment_clauses(_doc(text))
    assert [c.article for c in clauses] == ["VI", "VII", "7.1", "7.2", "VIII"]
    by = {c.article: c for c in clauses}
    assert by["7.2"].parent == "VII" and by["7.2"].clause_type == "penalite"
    assert article_at(clauses, text.index("80 €")).article == "7.2"


def test_full_stop_glued_to_the_next_sentence() -> None:
    assert sentences("Il le transmet sur demande.A défaut, une pénalité est due.") == [
        "Il le transmet sur demande.",
        "A défaut, une pénalité est due.",
    ]
