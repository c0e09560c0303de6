"""Most specific article first: a result-list rule shared by every backend.

A clause's text usually includes its sub-articles (article 9 holds 9.1…9.6), so the parent
gathers every query word plus the heading boost and outranks the sub-article that actually
answers. When a parent and one of its sub-articles (same document) are both among the
candidates, the best-ranked sub-article is moved just before its parent: the user lands on
the precise provision, and the parent stays right after it for context.
"""

from __future__ import annotations

from collections.abc import Sequence

from search.records import SearchHit

# The rule applies to the first RERANK_WINDOW results only, the same window whatever page is
# asked, so that pages never overlap nor skip a hit.
RERANK_WINDOW = 50


def fetch_size(page: int, size: int) -> int:
    """How many top results a backend must fetch to serve `page` (then call `page_of`)."""
    return max(page * size, RERANK_WINDOW)


def page_of(hits: Sequence[SearchHit], page: int, size: int) -> tuple[SearchHit, ...]:
    ordered = prefer_specific(hits[:RERANK_WINDOW]) + list(hits[RERANK_WINDOW:])
    return tuple(ordered[(page - 1) * size: page * size])


def _is_descendant(child: SearchHit, parent: SearchHit) -> bool:
    return (
        child.path == parent.path
        and child.article is not None
        and parent.article is not None
        and child.record_type == parent.record_type == "clause"
        and child.article.startswith(parent.article + ".")
    )


def _demote_covered_documents(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """A whole-document hit goes right after the last of its own clauses among the results:
    the clause already shows where the words are, the document adds nothing above it."""
    out = list(hits)
    for doc in [h for h in hits if h.record_type == "document"]:
        clauses = [i for i, h in enumerate(out) if h.record_type == "clause" and h.path == doc.path]
        if clauses and clauses[-1] > out.index(doc):
            out.remove(doc)
            out.insert(clauses[-1], doc)  # the clause shifted left by one: insert after it
    return out


def prefer_specific(hits: Sequence[SearchHit]) -> list[SearchHit]:
    return _prefer_sub_articles(_demote_covered_documents(hits))


def _prefer_sub_articles(hits: Sequence[SearchHit]) -> list[SearchHit]:
    placed: set[int] = set()
    out: list[SearchHit] = []

    def emit(i: int) -> None:
        placed.add(i)
        # the best-ranked unplaced sub-article goes first (and its own, recursively)
        for j in range(i + 1, len(hits)):
            if j not in placed and _is_descendant(hits[j], hits[i]):
                emit(j)
                break
        out.append(hits[i])

    for i in range(len(hits)):
        if i not in placed:
            emit(i)
    return out
