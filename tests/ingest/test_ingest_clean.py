from ingest.clean import clean_text, normalise_line_key


def test_crlf_ligatures_and_no_break_spaces_are_normalised() -> None:
    raw = "Le ﬁchier\r\nest ofﬁciel :\u00a01\u202f000\u00a0€\rfin"
    assert clean_text(raw) == "Le fichier\nest officiel : 1 000 €\nfin"


def test_typographic_hyphenation_is_rejoined() -> None:
    assert clean_text("les délais d'exé-\ncution sont fixés") == "les délais d'exécution sont fixés"


def test_pdfium_hyphen_marker_is_rejoined() -> None:
    assert clean_text("délai d'exé\ufffecution") == "délai d'exécution"


def test_soft_hyphen_at_line_end_and_inside_word() -> None:
    assert clean_text("pénali\u00ad\ntés et résili\u00adation") == "pénalités et résiliation"


def test_compound_words_keep_their_hyphen_across_a_break() -> None:
    assert clean_text("le sous-\ntraitant déclaré") == "le sous-traitant déclaré"
    assert clean_text("voir ci-\ndessous") == "voir ci-dessous"
    assert clean_text("gymnase Jean-\nMoulin") == "gymnase Jean-Moulin"


def test_hyphenated_word_seen_elsewhere_in_the_text_keeps_its_hyphen() -> None:
    text = "le contre-projet est joint. Le contre-\nprojet prévoit"
    assert "contre-projet prévoit" in clean_text(text)
    text = "la porte-fenêtre ; la porte-\nfenêtre du hall"
    assert "porte-fenêtre du hall" in clean_text(text)


def test_contract_reference_broken_at_line_end_is_rebuilt() -> None:
    assert clean_text("marché n° 2026-\nEV-07 notifié") == "marché n° 2026-EV-07 notifié"


def test_control_characters_dropped_but_lines_kept() -> None:
    assert clean_text("a\x00b\x07c\u200b\nd\t e\n\n\n\nf") == "abc\nd  e\n\nf"


def test_dash_list_items_are_not_joined() -> None:
    assert clean_text("Pièces :\n- le CCAP\n- le CCTP") == "Pièces :\n- le CCAP\n- le CCTP"


def test_line_key_folds_page_numbers() -> None:
    assert normalise_line_key("CCAP – Page 3/5") == normalise_line_key("CCAP – Page 4/5")
    assert normalise_line_key("Article 9") != normalise_line_key("Annexe 9")


def test_word_symbol_bullets_become_visible() -> None:
    assert clean_text("\uf0b7 le CCAP\n\uf0a7 le CCTP") == "• le CCAP\n• le CCTP"


def test_french_number_sign_and_fractions() -> None:
    assert clean_text("marché nº 12, Nº 13, ½ journée") == "marché n° 12, N° 13, 1/2 journée"


def test_typographic_apostrophes_are_unified() -> None:
    assert clean_text("délai d’exécution de l‘ouvrage") == "délai d'exécution de l'ouvrage"


def test_numbers_in_words_keep_their_hyphens() -> None:
    assert clean_text("cent cinquante-\ncinq euros") == "cent cinquante-cinq euros"
    assert clean_text("quatre-\nvingt-dix jours") == "quatre-vingt-dix jours"
    assert clean_text("vingt-\net-un") == "vingt-et-un"
