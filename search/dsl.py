"""The query DSL (plain dicts) shared by the Elasticsearch and OpenSearch adapters.

Pure functions: index body (French analyser, mappings), documents, search requests. Tested
without a server. Semantics mirror `search.embedded` (same fields, boosts, minimum-should-match,
proximity boost), so both engines rank alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from search import french
from search.backend import Filters, date_number, minimum_should_match, resolve, with_filters
from search.errors import SearchError
from search.query import (
    TEXT_FIELDS,
    And,
    FieldMatch,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Range,
    Term,
    free_text,
    is_filter,
    loose_words,
)
from search.records import KEYWORD_FIELDS, SearchRecord
from search.rerank import fetch_size

MAPPING_VERSION = 3
TEXT_FIELD_BOOSTS: tuple[str, ...] = ("heading^3", "text", "kind_label^0.5")
PROXIMITY_FIELDS: tuple[str, ...] = ("heading^2", "text^2")
PROXIMITY_SLOP = 3
TIE_BREAKER = 0.3
SNIPPET_CHARS = 220
_PLURAL_TOLERANT = frozenset({"clause_type", "doc_kind"})
_ELIDED = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]


def index_body(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Settings and mappings of a versioned index (French: elision, lowercase, asciifolding, light stemmer)."""
    keyword_props: dict[str, Any] = {}
    for name in KEYWORD_FIELDS:
        keyword_props[name] = {"type": "keyword"}
        keyword_props[f"k_{name}"] = {"type": "keyword"}  # folded key, computed like the embedded engine
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "analysis": {
                "filter": {
                    "vigie_elision": {"type": "elision", "articles_case": True, "articles": _ELIDED},
                    "vigie_stop": {"type": "stop", "stopwords": list(french.STOPWORDS)},
                    "vigie_stemmer": {"type": "stemmer", "language": "light_french"},
                },
                "analyzer": {
                    "vigie_french": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["vigie_elision", "lowercase", "asciifolding", "vigie_stop", "vigie_stemmer"],
                    }
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"vigie_mapping_version": MAPPING_VERSION},
            "properties": {
                "id": {"type": "keyword"},
                **keyword_props,
                "heading": {"type": "text", "analyzer": "vigie_french"},
                "text": {"type": "text", "analyzer": "vigie_french"},
                "kind_label": {"type": "text", "analyzer": "vigie_french"},
                "supplier_text": {"type": "text", "analyzer": "vigie_french"},
                "year": {"type": "integer"},
                "date": {"type": "integer"},
                "page": {"type": "integer", "index": False},
                "version": {"type": "keyword"},
            },
        },
    }


def document(r: SearchRecord) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": r.id, "text": r.text or "", "version": str(r.version)}
    for name in KEYWORD_FIELDS:
        value = getattr(r, name)
        if value:
            doc[name] = str(value)
            doc[f"k_{name}"] = french.field_key(name, str(value))
    if r.heading:
        doc["heading"] = r.heading
    if r.doc_kind:
        doc["kind_label"] = french.DOC_KIND_LABELS.get(r.doc_kind, r.doc_kind.replace("_", " "))
    if r.supplier:
        doc["supplier_text"] = r.supplier
    if r.year is not None:
        doc["year"] = r.year
    number = date_number(r)
    if number is not None:
        doc["date"] = number
    if r.page is not None:
        doc["page"] = r.page
    return doc


def _text(text: str, fields: Sequence[str], slop: int = 0, phrase: bool = False) -> dict[str, Any] | None:
    content = french.content_words(text)
    if not content:
        return None  # only function words: ignored, as the embedded engine does
    if phrase or len(french.words(text)) > 1:
        body: dict[str, Any] = {"query": text, "fields": list(fields), "type": "phrase"}
        if slop:
            body["slop"] = slop
        return {"multi_match": body}
    return {"multi_match": {"query": text, "fields": list(fields), "type": "best_fields", "tie_breaker": TIE_BREAKER}}


def _field(node: FieldMatch) -> dict[str, Any] | None:
    if node.field in TEXT_FIELDS:
        return _text(node.value, [node.field], phrase=True)
    if node.field == "id":
        return {"term": {"id": node.value}}
    if node.field not in KEYWORD_FIELDS:
        raise SearchError(f"Champ de filtre inconnu : {node.field}.")
    key = french.field_key(node.field, node.value)
    keys = [key]
    if node.field in _PLURAL_TOLERANT and key.endswith("s"):
        keys.append(key[:-1])
    exact: dict[str, Any] = {"terms": {f"k_{node.field}": keys}}
    if node.field == "article" and key:  # article:9 also means 9.1, 9.2.3...
        return {"bool": {"should": [exact, {"prefix": {"k_article": key + "."}}], "minimum_should_match": 1}}
    if node.field == "supplier":
        return {"bool": {"should": [exact, {"match_phrase": {"supplier_text": node.value}}], "minimum_should_match": 1}}
    return exact


def _range(node: Range) -> dict[str, Any]:
    bounds: dict[str, int] = {}
    if node.low is not None:
        bounds["gte"] = node.low
    if node.high is not None:
        bounds["lte"] = node.high
    return {"range": {node.field: bounds}}


def build(node: Node) -> dict[str, Any] | None:
    if isinstance(node, Term):
        variants = [q for q in (_text(w, TEXT_FIELD_BOOSTS) for w in french.relatives(node.text)) if q is not None]
        if len(variants) <= 1:
            return variants[0] if variants else None
        return {"dis_max": {"queries": variants}}
    if isinstance(node, Phrase):
        return _text(node.text, TEXT_FIELD_BOOSTS, phrase=True)
    if isinstance(node, FieldMatch):
        return _field(node)
    if isinstance(node, Range):
        return _range(node)
    if isinstance(node, Not):
        inner = build(node.item)
        return {"bool": {"must_not": [inner]}} if inner is not None else None
    if isinstance(node, Or):
        parts = [q for q in (build(i) for i in node.items) if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}
    assert isinstance(node, And)
    return _build_and(node)


def _build_and(node: And) -> dict[str, Any] | None:
    must: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    for item in node.items:
        if isinstance(item, Not):
            inner = build(item.item)
            if inner is not None:
                must_not.append(inner)
            continue
        built = build(item)
        if built is None:
            continue
        if is_filter(item):
            filters.append(built)  # exact filters do not score
        elif node.implicit:
            should.append(built)
        else:
            must.append(built)
    if should:
        must.append({"bool": {"should": should, "minimum_should_match": minimum_should_match(len(should))}})
    if not (must or filters or must_not):
        return None
    body: dict[str, Any] = {}
    if must:
        body["must"] = must
    if filters:
        body["filter"] = filters
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def compile_query(query: Query | str, filters: Filters | None = None) -> dict[str, Any]:
    parsed, filter_list = resolve(query, filters)
    root = with_filters(parsed.root, filter_list)
    built = build(root) if root is not None else None
    if built is None:
        if parsed.root is not None and not filter_list:
            return {"match_none": {}}
        return {"match_all": {}}
    return built


def search_body(
    query: Query | str,
    *,
    filters: Filters | None = None,
    facets: Sequence[str] = (),
    page: int = 1,
    size: int = 10,
) -> dict[str, Any]:
    parsed, _ = resolve(query, None)
    body: dict[str, Any] = {
        "query": compile_query(parsed, filters),
        "from": (page - 1) * size,
        "size": size,
        "track_total_hits": True,
        "_source": {"excludes": ["k_*", "kind_label", "supplier_text"]},
    }
    words = free_text(parsed.root)
    highlight_query = _text(" ".join(words), ["text"]) if words else None
    body["highlight"] = {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "fields": {"text": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1, "no_match_size": SNIPPET_CHARS}},
    }
    if highlight_query is not None:
        # highlight every query word, not only the phrase the query required
        expanded = [v for w in words for v in french.relatives(w)]
        body["highlight"]["highlight_query"] = {"match": {"text": {"query": " ".join(expanded)}}}
    if facets:
        body["aggs"] = {f: {"terms": {"field": f, "size": 50}} for f in facets}
    words = loose_words(parsed.root)
    near = _text(" ".join(words), PROXIMITY_FIELDS, slop=PROXIMITY_SLOP, phrase=True) if words else None
    if near is not None:  # words close together rank higher, scored on the top results only
        body["rescore"] = {"window_size": fetch_size(page, size), "query": {
            "rescore_query": near, "query_weight": 1.0, "rescore_query_weight": 1.0, "score_mode": "total"}}
    return body
