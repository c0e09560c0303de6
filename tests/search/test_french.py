"""French helpers shared by every engine."""

from __future__ import annotations

from search.french import content_words, fold, keyword, relatives


def test_fold_and_keyword() -> None:
    assert fold("Équipements Œuvre") == "equipements oeuvre"
    assert keyword("  Mobilier   Éducatif ") == "mobilier educatif"


def test_content_words_drop_function_words_and_split_elisions() -> None:
    assert content_words("délai de paiement de l'acheteur") == ["délai", "paiement", "acheteur"]


def test_relatives_join_noun_and_participle() -> None:
    assert "resilie" in relatives("résiliation")
    assert "plafonnement" in relatives("Plafonds")  # plural and case
    assert relatives("rejetées")[0] == "rejetées" and "rejet" in relatives("rejetées")
    assert relatives("astreinte") == ("astreinte",)


def test_an_elided_article_does_not_hide_the_word_family():
    from search.french import relatives

    assert "exonere" in relatives("d'exonération")
    assert "executee" in relatives("l’exécution")
