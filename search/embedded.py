"""Embedded search engine on tantivy: nothing to run beside the application.

Pitfall handled here: tantivy stores the *name* of a field's tokenizer in the index, not the
tokenizer. A custom analyser ("fr_vigie") must be registered on the `Index` object every time
the index is created or opened; otherwise queries built from the stored name find no tokenizer
(older bindings silently return nothing, tantivy-py 0.27 raises "tokenizer ... is unknown" on
parsing and "Error getting tokenizer" on writing). `_open` is the only place that builds an
`Index`, and it always registers (see tests/search/test_embedded.py).
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import tantivy

from search import french
from search.backend import Filters, check_paging, date_number, minimum_should_match, resolve, with_filters
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
from search.reconcile import ReconcileReport, apply, plan
from search.records import FACET_FIELDS, KEYWORD_FIELDS, FacetCount, SearchHit, SearchRecord, SearchResults
from search.rerank import fetch_size, page_of

log = logging.getLogger(__name__)

_FACET_POOLS: dict[int, ThreadPoolExecutor] = {}


def _facet_pool() -> ThreadPoolExecutor:
    """One small pool per process: a pool inherited through fork (Celery prefork) has no threads."""
    pid = os.getpid()
    if pid not in _FACET_POOLS:
        _FACET_POOLS[pid] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="vigie-facets")
    return _FACET_POOLS[pid]

ANALYZER = "fr_vigie"
SCHEMA_VERSION = 4
_MARKER = "vigie-schema.json"
# Field weights of free-text words (same as dsl.TEXT_FIELD_BOOSTS for the remote engines).
TEXT_FIELD_BOOSTS: tuple[tuple[str, float], ...] = (("heading", 3.0), ("text", 1.0), ("kind_label", 0.5))
TIE_BREAKER = 0.3
# proximity bonus: a share of the best score, for all query words within a window of
# len(words) + PROXIMITY_SLOP positions (heading counts more)
PROXIMITY_SHARE = 0.25
PROXIMITY_HEADING_WEIGHT = 1.5
PROXIMITY_SLOP = 3
SNIPPET_CHARS = 220
LOCK_WAIT_S = 30.0  # how long a batch waits for another process's writer
# clause types and kinds are codes: « type:penalites » should still find « penalite »
_PLURAL_TOLERANT = frozenset({"clause_type", "doc_kind"})


def french_analyzer() -> tantivy.TextAnalyzer:
    """Split on non-letters, lowercase, fold accents, drop function words, Snowball French stem.

    Folding before stemming makes « penalites » typed without accents meet « pénalités »; the
    pairs Snowball then leaves apart (« résiliation » / « résilié ») are joined at query time by
    `french.relatives` (one analyser indexed twice cost twice the time and size for less).
    """
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"[^\W_]+"))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.remove_long(60))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(list(french.STOPWORDS)))
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw")
    for name in KEYWORD_FIELDS:
        if name == "id":
            continue
        # display value (stored, fast for facets) and a folded key for filters
        sb.add_text_field(name, stored=True, fast=name in FACET_FIELDS, tokenizer_name="raw")
        sb.add_text_field(f"k_{name}", stored=False, tokenizer_name="raw")
    sb.add_text_field("heading", stored=True, tokenizer_name=ANALYZER)
    sb.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    sb.add_text_field("kind_label", stored=False, tokenizer_name=ANALYZER)
    sb.add_text_field("supplier_text", stored=False, tokenizer_name=ANALYZER)
    sb.add_integer_field("year", stored=True, indexed=True, fast=True)
    sb.add_integer_field("date", stored=False, indexed=True, fast=True)
    sb.add_integer_field("page", stored=True)
    sb.add_text_field("version", stored=True, tokenizer_name="raw")
    return sb.build()


class EmbeddedBackend:
    """`SearchBackend` on a tantivy index in `path` (None: in memory, for tests and `eval`)."""

    def __init__(self, path: Path | None = None, *, writer_heap: int = 128_000_000, threads: int = 0) -> None:
        self.path = Path(path) if path is not None else None
        # True when an index of an older layout was dropped on open: the caller must `rebuild`
        self.recreated = False
        self._writer_heap = writer_heap
        self._threads = threads
        self._schema = _schema()
        self._analyzer = french_analyzer()
        self._kind_vocabulary = frozenset(
            t.text for label in french.DOC_KIND_LABELS.values() for t in self._analyzer.pre_tokenize(label).tokens)
        self._index = self._open()

    # -- lifecycle -------------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        if self.path is None:
            index = tantivy.Index(self._schema)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            marker = self.path / _MARKER
            if marker.exists() and json.loads(marker.read_text()).get("schema") != SCHEMA_VERSION:
                # the index is a projection: an old layout is dropped, `rebuild` refills it
                log.warning("search index %s has an old schema: recreated empty, rebuild it", self.path)
                shutil.rmtree(self.path)
                self.path.mkdir(parents=True)
                self.recreated = True
            index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
            marker.write_text(json.dumps({"schema": SCHEMA_VERSION, "analyzer": ANALYZER}))
        index.register_tokenizer(ANALYZER, self._analyzer)  # on EVERY open, see module doc
        return index

    @contextmanager
    def _writing(self) -> Iterator[tantivy.IndexWriter]:
        """A writer for one batch, committed then released.

        tantivy allows one writer per index directory across processes: holding it between
        batches would lock out the web process or another worker, so each batch takes the lock,
        waiting a little when another process is writing.
        """
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                writer = self._index.writer(self._writer_heap, self._threads)
                break
            except ValueError as exc:
                if time.monotonic() > deadline:
                    raise SearchError(
                        "L'index de recherche est déjà ouvert en écriture par un autre processus ; "
                        "réessayez quand l'indexation en cours sera terminée."
                    ) from exc
                time.sleep(0.2)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self._index.reload()

    def close(self) -> None:
        """Nothing stays open between calls (writers are per batch); kept for the protocol."""

    # -- writing ---------------------------------------------------------------------------
    def _document(self, r: SearchRecord) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("id", r.id)
        for name in KEYWORD_FIELDS:
            value = getattr(r, name)
            if value:
                doc.add_text(name, str(value))
                doc.add_text(f"k_{name}", french.field_key(name, str(value)))
        if r.heading:
            doc.add_text("heading", r.heading)
        doc.add_text("text", r.text or "")
        if r.doc_kind:
            doc.add_text("kind_label", french.DOC_KIND_LABELS.get(r.doc_kind, r.doc_kind.replace("_", " ")))
        if r.supplier:
            doc.add_text("supplier_text", r.supplier)
        if r.year is not None:
            doc.add_integer("year", r.year)
        number = date_number(r)
        if number is not None:
            doc.add_integer("date", number)
        if r.page is not None:
            doc.add_integer("page", r.page)
        doc.add_text("version", str(r.version))
        return doc

    def index(self, records: Iterable[SearchRecord]) -> int:
        n = 0
        with self._writing() as writer:
            for r in records:
                writer.delete_documents_by_term("id", r.id)
                writer.add_document(self._document(r))
                n += 1
        return n

    def delete(self, ids: Iterable[str]) -> int:
        n = 0
        with self._writing() as writer:
            for i in ids:
                writer.delete_documents_by_term("id", i)
                n += 1
        return n

    def rebuild(self, records: Iterable[SearchRecord]) -> int:
        """Replace everything in one commit: readers see the old index until the new one is complete."""
        n = 0
        with self._writing() as writer:
            writer.delete_all_documents()
            for r in records:
                writer.add_document(self._document(r))
                n += 1
        return n

    def _searcher(self) -> tantivy.Searcher:
        # see commits made by other processes (the reader otherwise reloads on its own schedule)
        self._index.reload()
        return self._index.searcher()

    def count(self) -> int:
        return int(self._searcher().num_docs)

    def versions(self) -> dict[str, str]:
        searcher = self._searcher()
        total = searcher.num_docs
        if total == 0:
            return {}
        out: dict[str, str] = {}
        for _, address in searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits:
            doc = searcher.doc(address)
            out[str(doc.get_first("id"))] = str(doc.get_first("version"))
        return out

    def reconcile(
        self, expected: Mapping[str, int | str], fetch: Callable[[Sequence[str]], Iterable[SearchRecord]]
    ) -> ReconcileReport:
        report = plan(expected, self.versions())
        apply(report, fetch, self.index, self.delete)
        return report

    # -- querying --------------------------------------------------------------------------
    def _tokens(self, text: str) -> list[tuple[int, str]]:
        return [(t.position, t.text) for t in self._analyzer.pre_tokenize(text).tokens]

    def _text_query(self, text: str, fields: Sequence[tuple[str, float]], slop: int = 0) -> tantivy.Query | None:
        tokens = self._tokens(text)
        if not tokens:
            return None  # only function words
        per_field = []
        for field, boost in fields:
            if field == "kind_label" and not all(t in self._kind_vocabulary for _, t in tokens):
                continue  # a word no kind label holds cannot match there: one scorer less per word
            if len(tokens) == 1:
                q = tantivy.Query.term_query(self._schema, field, tokens[0][1])
            else:
                base = tokens[0][0]
                q = tantivy.Query.phrase_query(self._schema, field, [(p - base, t) for p, t in tokens], slop)
            per_field.append(tantivy.Query.boost_query(q, boost) if boost != 1.0 else q)
        if len(per_field) == 1:
            return per_field[0]
        return tantivy.Query.disjunction_max_query(per_field, tie_breaker=TIE_BREAKER)

    def _field_query(self, node: FieldMatch) -> tantivy.Query | None:
        if node.field in TEXT_FIELDS:
            return self._text_query(node.value, [(node.field, 1.0)])
        if node.field == "id":
            return tantivy.Query.term_query(self._schema, "id", node.value)
        if node.field not in KEYWORD_FIELDS:
            raise SearchError(f"Champ de filtre inconnu : {node.field}.")
        key = french.field_key(node.field, node.value)
        keys = {key}
        if node.field in _PLURAL_TOLERANT and key.endswith("s"):
            keys.add(key[:-1])
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, f"k_{node.field}", k)) for k in keys]
        if node.field == "article" and key:  # article:9 also means 9.1, 9.2.3...
            clauses.append((tantivy.Occur.Should,
                            tantivy.Query.regex_query(self._schema, "k_article", re.escape(key) + r"\..*")))
        if node.field == "supplier":  # a phrase of the name also matches (« Mobilier Éducatif »)
            phrase = self._text_query(node.value, [("supplier_text", 1.0)])
            if phrase is not None:
                clauses.append((tantivy.Occur.Should, phrase))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def _range_query(self, node: Range) -> tantivy.Query:
        return tantivy.Query.range_query(
            self._schema, node.field, tantivy.FieldType.Integer,
            node.low if node.low is not None else -(2**62), node.high if node.high is not None else 2**62,
        )

    def _build(self, node: Node) -> tantivy.Query | None:
        if isinstance(node, Term):
            # relatives that stem alike (« sous-traitant », « sous-traiter ») are one query, not five
            distinct: dict[tuple[str, ...], str] = {}
            for word in french.relatives(node.text):
                distinct.setdefault(tuple(t for _, t in self._tokens(word)), word)
            variants = [q for q in (self._text_query(w, TEXT_FIELD_BOOSTS) for w in distinct.values())
                        if q is not None]
            if len(variants) <= 1:
                return variants[0] if variants else None
            return tantivy.Query.disjunction_max_query(variants)
        if isinstance(node, Phrase):
            return self._text_query(node.text, TEXT_FIELD_BOOSTS)
        if isinstance(node, FieldMatch):
            return self._field_query(node)
        if isinstance(node, Range):
            return self._range_query(node)
        if isinstance(node, Not):
            inner = self._build(node.item)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        if isinstance(node, Or):
            parts = [q for q in (self._build(i) for i in node.items) if q is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, q) for q in parts]
            )
        assert isinstance(node, And)
        return self._build_and(node)

    def _build_and(self, node: And) -> tantivy.Query | None:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        should: list[tantivy.Query] = []
        for item in node.items:
            if isinstance(item, Not):
                inner = self._build(item.item)
                if inner is not None:
                    clauses.append((tantivy.Occur.MustNot, inner))
                continue
            built = self._build(item)
            if built is None:
                continue
            if node.implicit and not is_filter(item):
                should.append(built)
            else:
                clauses.append((tantivy.Occur.Must, built))
        if should:
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, q) for q in should], minimum_should_match(len(should)))))
        if not clauses:
            return None
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def compile(self, query: Query | str, filters: Filters | None = None) -> tantivy.Query:
        parsed, filter_list = resolve(query, filters)
        root = with_filters(parsed.root, filter_list)
        built = self._build(root) if root is not None else None
        if built is None:
            if parsed.root is not None and not filter_list:
                return tantivy.Query.empty_query()  # only function words typed
            return tantivy.Query.all_query()
        return built

    def search(
        self,
        query: Query | str,
        *,
        filters: Filters | None = None,
        facets: Sequence[str] = (),
        page: int = 1,
        size: int = 10,
    ) -> SearchResults:
        check_paging(page, size, facets)
        parsed, _ = resolve(query, None)
        compiled = self.compile(parsed, filters)
        searcher = self._searcher()
        # facets run beside the top-k search: tantivy releases the GIL, both walk all matches
        pending = _facet_pool().submit(self._facets, searcher, compiled, facets) if facets else None
        result = searcher.search(compiled, limit=fetch_size(page, size), count=True)  # see search.rerank
        docs = {}
        candidates = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hit = self._hit(doc, score)
            docs[hit.id] = doc
            candidates.append(hit)
        candidates = self._rescore_proximity(docs, parsed, candidates)
        hits = page_of(candidates, page, size)
        snippets = self._snippet_generator(searcher, parsed)
        if snippets is not None:  # only for the page shown: snippets are the costly part
            hits = tuple(replace(h, snippet=self._snippet(docs[h.id], snippets) or h.snippet) for h in hits)
        facet_counts = pending.result() if pending is not None else {}
        total = int(getattr(result, "count", 0) or 0)
        return SearchResults(total=total, hits=hits, facets=facet_counts, page=page, size=size)

    def _rescore_proximity(
        self, docs: Mapping[str, tantivy.Document], parsed: Query, candidates: list[SearchHit]
    ) -> list[SearchHit]:
        """Words close together rank higher, judged on the top results only (like Elasticsearch's
        rescore): a phrase query over a whole large index costs as much as the search itself,
        while re-reading fifty stored clauses costs a millisecond."""
        words = loose_words(parsed.root)
        if len(candidates) < 2 or not words:
            return candidates
        wanted = [{t for v in french.relatives(w) for _, t in self._tokens(v)} for w in words]
        wanted = [w for w in wanted if w]
        if len(wanted) < 2:
            return candidates
        unit = candidates[0].score * PROXIMITY_SHARE
        rescored = []
        for h in candidates:
            doc = docs[h.id]
            bonus = 0.0
            for field, weight in (("heading", PROXIMITY_HEADING_WEIGHT), ("text", 1.0)):
                value = doc.get_first(field)
                if value:
                    bonus = max(bonus, weight * unit * _near(self._tokens(value), wanted, PROXIMITY_SLOP))
            rescored.append(replace(h, score=h.score + bonus) if bonus else h)
        return sorted(rescored, key=lambda h: -h.score)

    def _snippet_generator(self, searcher: tantivy.Searcher, parsed: Query) -> tantivy.SnippetGenerator | None:
        words = free_text(parsed.root)
        if not words:
            return None
        text_query = self._text_query_any(words)
        if text_query is None:
            return None
        generator = tantivy.SnippetGenerator.create(searcher, text_query, self._schema, "text")
        generator.set_max_num_chars(SNIPPET_CHARS)
        return generator

    def _text_query_any(self, words: list[str]) -> tantivy.Query | None:
        # snippets come from the stored "text" field, analysed with ANALYZER
        terms = {t for w in words for v in french.relatives(w) for _, t in self._tokens(v)}
        if not terms:
            return None
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "text", t)) for t in sorted(terms)]
        )

    @staticmethod
    def _snippet(doc: tantivy.Document, snippets: tantivy.SnippetGenerator) -> str:
        snip = snippets.snippet_from_doc(doc)
        return mark(snip.fragment(), [(r.start, r.end) for r in snip.highlighted()])

    def _hit(self, doc: tantivy.Document, score: float) -> SearchHit:
        def first(name: str) -> Any:
            return doc.get_first(name)

        snippet = html.escape((first("text") or "")[:SNIPPET_CHARS])
        return SearchHit(
            id=first("id"), score=float(score), record_type=first("record_type") or "",
            path=first("path") or "", document_id=first("document_id") or "",
            article=first("article"), heading=first("heading"), page=first("page"), snippet=snippet,
            contract_ref=first("contract_ref"), supplier=first("supplier"), clause_type=first("clause_type"),
            doc_kind=first("doc_kind"), year=first("year"),
        )

    def _facets(
        self, searcher: tantivy.Searcher, compiled: tantivy.Query, facets: Sequence[str]
    ) -> dict[str, tuple[FacetCount, ...]]:
        aggs = {f: {"terms": {"field": f, "size": 50}} for f in facets}
        raw = searcher.aggregate(compiled, aggs)
        out: dict[str, tuple[FacetCount, ...]] = {}
        for f in facets:
            buckets = raw.get(f, {}).get("buckets", [])
            out[f] = tuple(FacetCount(str(int(b["key"]) if f == "year" else b["key"]), int(b["doc_count"]))
                           for b in buckets)
        return out


def _near(tokens: Sequence[tuple[int, str]], wanted: Sequence[set[str]], slop: int) -> float:
    """How close the wanted words stand: 1.0 when adjacent, falling with the width of the
    narrowest window holding one token of every set; 0.0 beyond len(wanted) + slop positions."""
    hits = sorted((pos, i) for pos, tok in tokens for i, group in enumerate(wanted) if tok in group)
    need, have = len(wanted), dict[int, int]()
    best = 0.0
    left = 0
    for pos, i in hits:
        have[i] = have.get(i, 0) + 1
        while len(have) == need:
            width = pos - hits[left][0] + 1
            if width <= need + slop:
                best = max(best, need / width)
            j = hits[left][1]
            have[j] -= 1
            if not have[j]:
                del have[j]
            left += 1
    return best


def mark(fragment: str, ranges: Sequence[tuple[int, int]]) -> str:
    """HTML-escape `fragment` and wrap the highlighted ranges in <mark>.

    tantivy gives the ranges in UTF-8 *byte* offsets, hence the slicing of the encoded text.
    """
    data = fragment.encode("utf-8")
    out, last = [], 0
    for start, end in sorted(ranges):
        if start < last:
            continue
        out.append(html.escape(data[last:start].decode("utf-8", "replace")))
        out.append(f"<mark>{html.escape(data[start:end].decode('utf-8', 'replace'))}</mark>")
        last = end
    out.append(html.escape(data[last:].decode("utf-8", "replace")))
    return "".join(out)
