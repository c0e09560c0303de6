"""The query parser: pure, no engine."""

from __future__ import annotations

import pytest

from search.errors import QuerySyntaxError
from search.query import And, FieldMatch, Not, Or, Phrase, Range, Term, free_text, parse_query


def test_juxtaposed_words_are_an_implicit_and() -> None:
    assert parse_query("plafond pénalités").root == And((Term("plafond"), Term("pénalités")), implicit=True)


def test_quoted_phrase_and_french_operators() -> None:
    q = parse_query('"résiliation pour faute" OU réversibilité SAUF données')
    assert q.root == Or((Phrase("résiliation pour faute"),
                         And((Term("réversibilité"), Not(Term("données"))), implicit=True)))


def test_english_operators_and_precedence() -> None:
    q = parse_query("retard AND livraison OR absence")
    assert q.root == Or((And((Term("retard"), Term("livraison")), implicit=False), Term("absence")))


def test_lowercase_et_ou_are_words_not_operators() -> None:
    q = parse_query("retard et absence")
    assert q.root == And((Term("retard"), Term("et"), Term("absence")), implicit=True)


def test_minus_prefix_negates_and_parentheses_group() -> None:
    q = parse_query("(retard OU absence) -sécurité")
    assert q.root == And((Or((Term("retard"), Term("absence"))), Not(Term("sécurité"))), implicit=True)


def test_field_filters_use_french_aliases() -> None:
    q = parse_query('type:penalite fournisseur:"Papeteries Réunies" ccag:FCS contrat:VOI-2023-11 piece:ccap')
    assert q.root == And((
        FieldMatch("clause_type", "penalite"), FieldMatch("supplier", "Papeteries Réunies"),
        FieldMatch("ccag", "FCS"), FieldMatch("contract_ref", "VOI-2023-11"), FieldMatch("doc_kind", "ccap"),
    ), implicit=True)


@pytest.mark.parametrize("text,expected", [
    ("annee:2024", Range("year", 2024, 2024)),
    ("année:2022..2024", Range("year", 2022, 2024)),
    ("annee:>=2023", Range("year", 2023, None)),
    ("annee:<2023", Range("year", None, 2022)),
    ("date:2024-03", Range("date", 20240300, 20240399)),
    ("date:2024-01-15..2024-02", Range("date", 20240115, 20240299)),
    ("date:15/03/2024", Range("date", 20240315, 20240315)),
    ("date:>2024-06-30", Range("date", 20240631, None)),
])
def test_ranges(text: str, expected: Range) -> None:
    assert parse_query(text).root == expected


def test_unreadable_date_is_a_french_error() -> None:
    with pytest.raises(QuerySyntaxError, match="Date illisible"):
        parse_query("date:hier")


def test_unknown_field_prefix_stays_a_word() -> None:
    assert parse_query("voir:annexe").root == Term("voir:annexe")


def test_typos_are_tolerated_with_warnings() -> None:
    q = parse_query('"mise en demeure')
    assert q.root == Phrase("mise en demeure")
    assert q.warnings and "Guillemet" in q.warnings[0]
    q = parse_query("(retard OU absence")
    assert q.root == Or((Term("retard"), Term("absence")))
    assert any("Parenthèse" in w for w in q.warnings)


def test_empty_query_matches_everything() -> None:
    assert parse_query("   ").root is None


def test_free_text_keeps_positive_words_only() -> None:
    q = parse_query('pénalités "mise en demeure" -absence type:penalite titre:retard')
    assert free_text(q.root) == ["pénalités", "mise en demeure", "retard"]


def test_article_numbers_are_compared_normalised() -> None:
    from search.french import article_key

    assert article_key("Article 9. 2.") == article_key("art. 9.2") == article_key("9.2") == "9.2"
    assert article_key("IV") == "iv"
