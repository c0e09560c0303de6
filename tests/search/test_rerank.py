"""Most specific article first (pure rule), and through a real engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from search.records import SearchHit, SearchRecord
from search.rerank import RERANK_WINDOW, page_of, prefer_specific


def _hit(path: str, article: str | None, record_type: str = "clause") -> SearchHit:
    return SearchHit(id=f"{path}:{article}", score=1.0, record_type=record_type, path=path, document_id=path,
                     article=article, heading=None, page=None, snippet="")


def test_sub_article_moves_before_its_parent() -> None:
    hits = [_hit("a", "9"), _hit("b", "4"), _hit("a", "9.2"), _hit("a", "9.3"), _hit("a", "10")]
    assert [h.id for h in prefer_specific(hits)] == ["a:9.2", "a:9", "b:4", "a:9.3", "a:10"]


def test_only_same_document_and_true_descendants() -> None:
    hits = [_hit("a", "1"), _hit("b", "1.1"), _hit("a", "10"), _hit("a", None, "document")]
    assert prefer_specific(hits) == hits


def test_nested_descendants_come_most_specific_first() -> None:
    hits = [_hit("a", "9"), _hit("a", "9.7"), _hit("a", "9.7.2")]
    assert [h.article for h in prefer_specific(hits)] == ["9.7.2", "9.7", "9"]


def test_pages_neither_overlap_nor_skip() -> None:
    hits = [_hit("a", str(i)) for i in range(RERANK_WINDOW + 15)] + [_hit("a", "0.1")]
    pages = [page_of(hits, p, 7) for p in range(1, 12)]
    flat = [h.id for page in pages for h in page]
    assert len(flat) == len(set(flat)) == len(hits)


def test_engine_returns_the_precise_sub_article_first(make_backend: Callable[[], Any]) -> None:
    backend = make_backend()
    sub1 = "Le titulaire qui livre avec retard encourt une pénalité de 50 € par heure de retard."
    sub2 = "Les pénalités dont le total n'excède pas 300 € HT ne sont pas appliquées."
    backend.index([
        SearchRecord(id="p", record_type="clause", path="c/ccap.md", document_id="c", article="6",
                     heading="Pénalités", text=f"6.1 {sub1}\n6.2 {sub2}"),
        SearchRecord(id="c1", record_type="clause", path="c/ccap.md", document_id="c", article="6.1",
                     heading="", text=sub1),
        SearchRecord(id="c2", record_type="clause", path="c/ccap.md", document_id="c", article="6.2",
                     heading="", text=sub2),
    ])
    assert [h.id for h in backend.search("pénalités par heure de retard").hits][:2] == ["c1", "p"]
    assert [h.id for h in backend.search("total des pénalités appliquées").hits][:2] == ["c2", "p"]


def test_whole_document_goes_after_its_own_clauses() -> None:
    hits = [_hit("a", None, "document"), _hit("a", "9"), _hit("lettre", None, "document"), _hit("a", "12")]
    assert [h.id for h in prefer_specific(hits)] == ["a:9", "lettre:None", "a:12", "a:None"]
