"""One suite, every engine: the embedded tantivy index and a real OpenSearch node."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from search.records import SearchRecord


@pytest.fixture
def loaded(make_backend: Callable[[], Any], corpus: tuple[SearchRecord, ...]) -> Any:
    backend = make_backend()
    assert backend.index(corpus) == len(corpus)
    return backend


def ids(results: Any) -> list[str]:
    return [h.id for h in results.hits]


def test_count_and_upsert_by_id(loaded: Any, corpus: tuple[SearchRecord, ...]) -> None:
    assert loaded.count() == len(corpus)
    first = corpus[0]
    loaded.index([SearchRecord(**{**first.__dict__, "text": "Texte remplacé : astreinte journalière.",
                                  "version": 2})])
    assert loaded.count() == len(corpus)
    assert ids(loaded.search("astreinte")) == [first.id]
    assert first.id not in ids(loaded.search("achèvement"))


def test_french_stemming_both_ways_and_accents(loaded: Any) -> None:
    # plural in the query, singular/plural in the text; no accents typed
    assert "voirie-8" in ids(loaded.search("penalites"))
    assert "fourn-9" in ids(loaded.search("pénalité"))
    assert ids(loaded.search("reversibilite"))[0] == "info-12"
    assert "fourn-9" in ids(loaded.search("livrées"))


def test_heading_match_ranks_first(loaded: Any) -> None:
    # info-5 mentions réversibilité in passing; info-12 is the article about it
    assert ids(loaded.search("réversibilité"))[:2] == ["info-12", "info-5"]
    assert ids(loaded.search("plafond des pénalités"))[0] == "voirie-8"
    assert ids(loaded.search("résiliation pour faute"))[0] == "info-13"


def test_phrase_and_boolean_operators(loaded: Any) -> None:
    assert set(ids(loaded.search('"mise en demeure"'))) == {"voirie-7", "info-13", "lettre-1"}
    assert set(ids(loaded.search('"demeure mise"'))) == set()
    assert set(ids(loaded.search("réversibilité OU plafonné"))) == {"info-12", "info-5", "voirie-8"}
    assert set(ids(loaded.search("réversibilité SAUF paiement"))) == {"info-12"}
    assert set(ids(loaded.search("pénalité ET journalière"))) == {"voirie-7"}


def test_field_filters_in_the_query(loaded: Any) -> None:
    assert set(ids(loaded.search("type:penalite"))) == {"voirie-7", "voirie-8", "fourn-9"}
    assert set(ids(loaded.search('fournisseur:"routes et enrobés"'))) == {"voirie-7", "voirie-8"}
    assert set(ids(loaded.search("fournisseur:nuagique ccag:tic type:resiliation"))) == {"info-13"}
    assert set(ids(loaded.search("retard ccag:FCS"))) == {"fourn-9"}
    assert set(ids(loaded.search("contrat:FOU-2022-07 piece:ae"))) == {"fourn-ae"}
    assert set(ids(loaded.search("annee:2022..2023 type:penalite"))) == {"voirie-7", "voirie-8", "fourn-9"}
    assert set(ids(loaded.search("date:2022-03"))) == {"fourn-9"}
    assert set(ids(loaded.search("article:7.6"))) == {"voirie-8"}
    assert set(ids(loaded.search('article:"Article 7. 6."'))) == {"voirie-8"}
    # an article number also covers its sub-articles, not its namesakes (7 ≠ 7x)
    assert set(ids(loaded.search("article:7 contrat:VOI-2023-11"))) == {"voirie-7", "voirie-8"}
    assert set(ids(loaded.search("article:1"))) == set()


def test_filters_argument_and_empty_query(loaded: Any) -> None:
    res = loaded.search("", filters={"record_type": "document"})
    assert ids(res) == ["lettre-1"] and res.total == 1
    res = loaded.search("délai", filters={"contract_ref": ["FOU-2022-07", "INF-2024-02"], "year": "2022"})
    assert set(ids(res)) == {"fourn-9"}


def test_facets_count_matching_records(loaded: Any) -> None:
    res = loaded.search("", facets=["contract_ref", "ccag", "year", "doc_kind"])
    facets = {name: {f.value: f.count for f in counts} for name, counts in res.facets.items()}
    assert facets["contract_ref"] == {"VOI-2023-11": 2, "INF-2024-02": 4, "FOU-2022-07": 2}
    assert facets["ccag"] == {"Travaux": 2, "TIC": 3, "FCS": 2}
    assert facets["year"] == {"2022": 2, "2023": 2, "2024": 4}
    res = loaded.search("pénalité", facets=["supplier"])
    counts = {f.value: f.count for f in res.facets["supplier"]}
    assert counts == {"Routes et Enrobés de l'Ouest": 2, "Papeteries Réunies": 1}


def test_hits_carry_source_and_marked_snippet(loaded: Any) -> None:
    hit = loaded.search("achèvement des travaux").hits[0]
    assert (hit.id, hit.path, hit.article, hit.page) == ("voirie-7", "contrats/VOI-2023-11/ccap.pdf", "7.3", 12)
    assert hit.contract_ref == "VOI-2023-11" and hit.heading == "Pénalités pour retard d'exécution"
    # OpenSearch's standard tokenizer keeps the elided article inside the marked token
    assert re.search(r"<mark>(l&#x27;|l&#39;|l')?achèvement</mark>", hit.snippet)
    # user text is escaped: the only tags are ours
    snippet = loaded.search("bordereau").hits[0].snippet
    assert "<mark>bordereau</mark>" in snippet and "&lt; 2" in snippet and "&amp;" in snippet


def test_pagination(loaded: Any, corpus: tuple[SearchRecord, ...]) -> None:
    first = loaded.search("", page=1, size=3)
    second = loaded.search("", page=2, size=3)
    third = loaded.search("", page=3, size=3)
    assert first.total == second.total == len(corpus)
    seen = ids(first) + ids(second) + ids(third)
    assert len(seen) == len(corpus) and len(set(seen)) == len(corpus)


def test_function_words_only_find_nothing(loaded: Any) -> None:
    assert loaded.search("de la").total == 0


def test_delete_and_rebuild(loaded: Any, corpus: tuple[SearchRecord, ...]) -> None:
    loaded.delete(["info-12", "absent-id"])
    assert loaded.count() == len(corpus) - 1
    assert "info-12" not in ids(loaded.search("réversibilité"))
    assert loaded.rebuild(corpus[:2]) == 2
    assert loaded.count() == 2
    assert set(ids(loaded.search(""))) == {"voirie-7", "voirie-8"}


def test_reconcile_repairs_drift(loaded: Any, corpus: tuple[SearchRecord, ...]) -> None:
    by_id = {r.id: r for r in corpus}
    # the database: info-12 changed (version 3), lettre-1 deleted, a new clause added
    by_id["info-12"] = SearchRecord(**{**by_id["info-12"].__dict__, "text": "Clause de réversibilité révisée.",
                                       "version": 3})
    del by_id["lettre-1"]
    by_id["new-1"] = SearchRecord(id="new-1", record_type="clause", path="contrats/N/ccap.pdf",
                                  document_id="n", text="Garantie de parfait achèvement d'un an.")
    report = loaded.reconcile({i: r.version for i, r in by_id.items()},
                              lambda wanted: [by_id[i] for i in wanted])
    assert (report.missing, report.stale, report.extra) == (("new-1",), ("info-12",), ("lettre-1",))
    assert loaded.count() == len(by_id)
    assert ids(loaded.search("révisée")) == ["info-12"]
    again = loaded.reconcile({i: r.version for i, r in by_id.items()}, lambda wanted: [by_id[i] for i in wanted])
    assert again.repaired == 0


def test_bad_paging_and_facet_are_french_errors(loaded: Any) -> None:
    from search.errors import SearchError

    with pytest.raises(SearchError, match="page"):
        loaded.search("retard", page=0)
    with pytest.raises(SearchError, match="Facette inconnue"):
        loaded.search("retard", facets=["couleur"])
