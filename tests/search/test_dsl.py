"""The shared Elasticsearch/OpenSearch DSL, checked on the requests it builds (no server)."""

from __future__ import annotations

from typing import Any

from search import dsl
from search.elasticsearch_backend import ElasticsearchBackend
from search.records import SearchRecord
from search.remote import alias_name, bulk_actions, index_name


def _walk(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            out.extend(_walk(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(_walk(v))
    return out


def test_index_body_has_a_french_analyser() -> None:
    body = dsl.index_body()
    analyzer = body["settings"]["analysis"]["analyzer"]["vigie_french"]
    assert analyzer["tokenizer"] == "standard"
    filters = body["settings"]["analysis"]["filter"]
    chain = [filters.get(f, {}).get("type", f) for f in analyzer["filter"]]
    assert chain == ["elision", "lowercase", "asciifolding", "stop", "stemmer"]
    assert filters["vigie_stemmer"]["language"] == "light_french"
    props = body["mappings"]["properties"]
    assert props["text"]["analyzer"] == props["heading"]["analyzer"] == "vigie_french"
    assert props["supplier"]["type"] == props["k_supplier"]["type"] == "keyword"


def test_versioned_index_name_behind_alias() -> None:
    name = index_name("vigie", "20260101")
    assert name.startswith(f"vigie-records-v{dsl.MAPPING_VERSION}-20260101")
    assert alias_name("vigie") == "vigie-records"


def test_documents_carry_folded_keys() -> None:
    rec = SearchRecord(id="a", record_type="clause", path="p", document_id="d", text="t",
                       supplier="Équipements  Publics", ccag="FCS", year=2024, date="2024-02-03")
    doc = dsl.document(rec)
    assert doc["supplier"] == "Équipements  Publics"
    assert doc["k_supplier"] == "equipements publics"
    assert doc["k_ccag"] == "fcs" and doc["date"] == 20240203
    action = next(bulk_actions("ix", [rec]))
    assert action["_id"] == "a" and action["_index"] == "ix" and action["_op_type"] == "index"


def test_words_search_headings_with_a_boost_and_need_most_words() -> None:
    body = dsl.search_body("pénalités retard livraison")
    must = body["query"]["bool"]["must"][0]["bool"]
    assert must["minimum_should_match"] == 2
    fields = must["should"][0]["multi_match"]["fields"]
    assert fields[0] == "heading^3" and "text" in fields
    rescore = body["rescore"]
    assert rescore["window_size"] >= body["size"]
    proximity = rescore["query"]["rescore_query"]["multi_match"]
    assert proximity["type"] == "phrase" and proximity["slop"] == dsl.PROXIMITY_SLOP
    assert proximity["query"] == "pénalités retard livraison"


def test_filters_do_not_score_and_not_excludes() -> None:
    es = ElasticsearchBackend("http://127.0.0.1:1", "t")  # no request is sent to build a body
    body = es.search_body("réversibilité -données ccag:TIC", filters={"annee": "2023..2024"},
                          facets=["supplier", "year"], page=3, size=5)
    query = body["query"]["bool"]
    assert body["from"] == 10 and body["size"] == 5
    assert {"terms": {"k_ccag": ["tic"]}} in _walk(query)
    assert {"range": {"year": {"gte": 2023, "lte": 2024}}} in _walk(query)
    assert any("must_not" in n for n in _walk(query))
    assert body["aggs"] == {"supplier": {"terms": {"field": "supplier", "size": 50}},
                            "year": {"terms": {"field": "year", "size": 50}}}
    assert body["highlight"]["pre_tags"] == ["<mark>"] and body["highlight"]["encoder"] == "html"


def test_supplier_filter_accepts_a_phrase_of_the_name() -> None:
    body = dsl.search_body('fournisseur:"Papeteries Réunies"')
    nodes = _walk(body["query"])
    assert {"match_phrase": {"supplier_text": "Papeteries Réunies"}} in nodes
    assert {"terms": {"k_supplier": ["papeteries reunies"]}} in nodes


def test_plural_clause_type_is_tolerated() -> None:
    assert {"terms": {"k_clause_type": ["penalites", "penalite"]}} in _walk(dsl.search_body("type:pénalités")["query"])


def test_only_function_words_match_nothing() -> None:
    assert dsl.search_body("de la")["query"] == {"match_none": {}}
    assert dsl.search_body("")["query"] == {"match_all": {}}
