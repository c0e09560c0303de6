"""Fast, exact TF-IDF similarities for the daily scan.

Same values as scikit-learn's ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
sublinear_tf=True)`` on ``fold()``ed texts (and, for :func:`stem_similarities`, on
``nlp.linking.stems``), without sklearn's per-call overhead and without analysing a text twice:

* :class:`TextAnalysis` counts the character n-grams of many texts at once with numpy: the
  padded words are concatenated, characters mapped to ranks in the sorted alphabet and each
  3–5-gram packed in an int64 whose order is the strings' order (rank 0 pads short n-grams,
  so « abc » sorts before « abcd » as in Python). An n-gram with a space at an interior
  position spans two words and is dropped: what remains is exactly sklearn's ``_char_wb_ngrams``.
  When the alphabet is too large to pack, a plain Python path gives the same counts.
* :class:`SimilarityIndex` fits the IDF on documents + queries like a ``TfidfVectorizer`` fitted on both
  and computes the very same floating-point operations (same order of summation), so its values
  are bit-identical; one :class:`TextAnalysis` of the scan's incident descriptions can be shared
  by several indexes. Documents are stored as small integer counts plus two norms per row, the
  float weights being recomputed (same operations) only where a query needs them.
* :func:`char_similarities` / :func:`stem_similarities` give what a ``TfidfVectorizer`` fitted on the query and its
  candidates gives (char n-grams / word stems): the candidates' model is cached and
  only the IDF of the query's own terms is corrected per call (equal within 1e-12).
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from nlp.linking import fold, stems

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

NGRAM_MIN, NGRAM_MAX = 3, 5
# A packed n-gram takes ceil(log2(base**5)) bits and leaves the rest of the int64 to the text
# number inside a chunk (sorting (n-gram, text) pairs in one np.sort): 53 bits for the n-gram
# leaves 2**10 texts per chunk. Larger alphabets (CJK-heavy corpora) take the Python path.
MAX_BASE = 1552
CHUNK_CHARS = 1 << 18  # characters analysed per numpy pass: bounds the temporary arrays (~40 MB)


def prepare(text: str) -> str:
    """The text sklearn's char_wb analyser sees: ``fold`` then its own ``lower()``."""
    return fold(text).lower()


def _joined_words(text: str) -> str:
    # sklearn squeezes whitespace runs then splits on whitespace: the words are text.split()
    return " ".join(prepare(text).split())


def char_wb_ngrams(text: str) -> list[str]:
    """sklearn's ``_char_wb_ngrams`` on ``prepare(text)`` (the reference, and the Python path)."""
    grams: list[str] = []
    for word in prepare(text).split():
        padded = f" {word} "
        for n in range(NGRAM_MIN, min(NGRAM_MAX, len(padded)) + 1):
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


# ---------------------------------------------------------------------------- packing

@dataclass(frozen=True, eq=False)
class _Alphabet:
    """Sorted code points; rank = position + 1 so that 0 can pad n-grams shorter than 5."""

    points: npt.NDArray[np.uint32]

    @property
    def base(self) -> int:
        return len(self.points) + 1

    def ranks(self, codes: npt.NDArray[np.uint32]) -> IntArray:
        """Rank of each code point, 0 for one outside the alphabet."""
        pos = np.searchsorted(self.points, codes)
        pos = np.minimum(pos, max(len(self.points) - 1, 0))
        known = self.points[pos] == codes if len(self.points) else np.zeros(len(codes), bool)
        return np.where(known, pos + 1, 0).astype(np.int64)


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _ngram_codes(ranks: IntArray, space: int, base: int) -> tuple[IntArray, IntArray]:
    """(codes, start positions) of the valid char_wb n-grams of " w1 w2 ... wk ": those
    without a space at an interior position, i.e. inside one padded word."""
    size = len(ranks)
    codes: list[IntArray] = []
    starts: list[IntArray] = []
    if size < NGRAM_MIN:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # rank 0 is a character outside the alphabet (a query analysed against an index): such
    # an n-gram is in no vocabulary, and dropping it keeps 0 unambiguous as padding
    known = ranks != 0
    inner = known & (ranks != space)  # allowed strictly inside an n-gram
    b2, b3, b4 = base * base, base ** 3, base ** 4
    gram = ranks[:size - 2] * b4 + ranks[1:size - 1] * b3 + ranks[2:] * b2
    ok = known[:size - 2] & inner[1:size - 1] & known[2:]
    codes.append(gram[ok])
    starts.append(np.flatnonzero(ok))
    if size >= 4:
        gram = gram[:size - 3] + ranks[3:] * base
        ok = ok[:size - 3] & inner[2:size - 1] & known[3:]
        codes.append(gram[ok])
        starts.append(np.flatnonzero(ok))
    if size >= 5:
        gram = gram[:size - 4] + ranks[4:]
        ok = ok[:size - 4] & inner[3:size - 1] & known[4:]
        codes.append(gram[ok])
        starts.append(np.flatnonzero(ok))
    return np.concatenate(codes), np.concatenate(starts)


def _recode(terms: IntArray, old: _Alphabet, new: _Alphabet) -> IntArray:
    """Packed n-grams of one alphabet re-packed in a larger one (order kept)."""
    if old.base == new.base:  # `new` contains `old`: the same size means the same alphabet
        return terms
    table = np.zeros(old.base, np.int64)
    table[1:] = np.searchsorted(new.points, old.points) + 1
    out = np.zeros(len(terms), np.int64)
    rest = terms.copy()
    scale = 1
    for _ in range(NGRAM_MAX):
        rest, digit = np.divmod(rest, old.base)
        out += table[digit] * scale
        scale *= new.base
    return out


def _decode(terms: IntArray, alphabet: _Alphabet) -> list[str]:
    """The n-gram strings of packed codes (for the Python path and for merging with it)."""
    chars = [chr(int(p)) for p in alphabet.points]
    out: list[str] = []
    for value in terms.tolist():
        digits = []
        for _ in range(NGRAM_MAX):
            value, digit = divmod(value, alphabet.base)
            digits.append(digit)
        out.append("".join(chars[d - 1] for d in reversed(digits) if d))
    return out


# ---------------------------------------------------------------------------- bulk analysis

class TextAnalysis:
    """Character 3–5-gram counts of many texts, each distinct text (and each distinct word)
    analysed once.

    One row per distinct text (``row(text)``, ``row_counts(row)``), one column per n-gram of
    ``terms`` (sorted like the n-gram strings, as sklearn's vocabulary); the rows are held in
    CSR blocks (``blocks``; ``counts`` stacks them, a copy). Share one analysis of the scan's
    incident descriptions between the indexes that use them as queries; treat it as read-only."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.rows: dict[str, int] = {}
        for text in texts:
            self.rows.setdefault(text, len(self.rows))
        joined = [_joined_words(t) for t in self.rows]
        points = _alphabet_points(joined)
        self.alphabet = _Alphabet(points)
        self.terms: IntArray | npt.NDArray[np.object_]
        if self.alphabet.base <= MAX_BASE:
            self.terms, self.blocks = _count_by_words(joined, self.alphabet)
        else:
            self.terms, self.blocks = _count_python(joined)
        # the chunks' matrices are kept as they are (no stacked copy): row → (block, row in it)
        sizes = [b.shape[0] for b in self.blocks]
        self.block_of = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        self.row_in_block = (np.arange(len(self.rows)) - np.repeat(np.cumsum(sizes) - sizes, sizes)).astype(np.int32)
        release_freed_memory()

    @property
    def counts(self) -> sp.csr_matrix:
        """All counts as one CSR matrix (a copy: for inspection and tests)."""
        if not self.blocks:
            return sp.csr_matrix((0, len(self.terms)), dtype=np.uint8)
        return sp.vstack(self.blocks, format="csr")

    def row_counts(self, row: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        """(columns, counts) of one text, columns increasing."""
        block = self.blocks[self.block_of[row]]
        local = self.row_in_block[row]
        lo, hi = block.indptr[local], block.indptr[local + 1]
        return block.indices[lo:hi], block.data[lo:hi]

    @property
    def packed(self) -> bool:
        return self.terms.dtype != object

    def row(self, text: str) -> int | None:
        return self.rows.get(text)

    def term_strings(self) -> npt.NDArray[np.object_]:
        if not self.packed:
            return self.terms  # type: ignore[return-value]
        return np.array(_decode(self.terms, self.alphabet), dtype=object)  # type: ignore[arg-type]

    def nbytes(self) -> int:
        held = sum(b.data.nbytes + b.indices.nbytes + b.indptr.nbytes for b in self.blocks)
        return int(held + (self.terms.nbytes if self.packed else 0) + self.block_of.nbytes * 2)


def _alphabet_points(joined: Sequence[str]) -> npt.NDArray[np.uint32]:
    seen = np.zeros(0x110000, dtype=bool)
    seen[ord(" ")] = True
    for start, stop in _chunks(joined, len(joined) or 1):
        seen[_code_points("".join(joined[start:stop]))] = True
    return np.flatnonzero(seen).astype(np.uint32)


def _chunks(joined: Sequence[str], max_texts: int) -> Iterable[tuple[int, int]]:
    """[start, stop) ranges of texts holding about CHUNK_CHARS characters."""
    start, size = 0, 0
    for i, text in enumerate(joined):
        size += len(text) + 1
        if size >= CHUNK_CHARS or i + 1 - start >= max_texts:
            yield start, i + 1
            start, size = i + 1, 0
    if start < len(joined):
        yield start, len(joined)


def _count_dtype(maximum: int) -> type[np.unsignedinteger[Any]] | type[np.int32]:
    if maximum <= np.iinfo(np.uint8).max:
        return np.uint8
    if maximum <= np.iinfo(np.uint16).max:
        return np.uint16
    return np.int32


def _count_packed(joined: Sequence[str], alphabet: _Alphabet) -> tuple[IntArray, list[sp.csr_matrix]]:
    base = alphabet.base
    gram_bits = math.ceil(math.log2(base ** NGRAM_MAX))
    text_bits = 63 - gram_bits
    space = int(alphabet.ranks(np.array([ord(" ")], np.uint32))[0])
    parts: list[_Part] = []
    for start, stop in _chunks(joined, (1 << text_bits) - 1):
        texts = joined[start:stop]
        body = " " + "".join(t + " " for t in texts if t)
        ranks = alphabet.ranks(_code_points(body))
        codes, starts = _ngram_codes(ranks, space, base)
        # the text of an n-gram is that of its second character, always inside a word
        owner = np.repeat(np.arange(len(texts), dtype=np.int64),
                          [len(t) + 1 if t else 0 for t in texts])
        keys = (codes << text_bits) | owner[starts]
        keys.sort()
        first = np.empty(len(keys), bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        bounds = np.flatnonzero(first)
        counts = np.diff(np.append(bounds, len(keys)))
        pairs = keys[bounds]
        grams = pairs >> text_bits
        new_term = np.empty(len(grams), bool)
        new_term[:1] = True
        np.not_equal(grams[1:], grams[:-1], out=new_term[1:])
        terms = grams[new_term]
        term_ptr = np.append(np.flatnonzero(new_term), len(grams))
        owners = (pairs & ((1 << text_bits) - 1)).astype(np.int32)
        # entries are sorted by (n-gram, text): a CSC matrix; tocsr() gives sorted rows
        csc = sp.csc_matrix((counts.astype(np.int32), owners, term_ptr.astype(np.int32)),
                            shape=(len(texts), len(terms)))
        csr = csc.tocsr()
        parts.append((terms, csr.data.astype(_count_dtype(int(counts.max(initial=0)))), csr.indices.astype(np.int32),
                      csr.indptr.astype(np.int64)))
    return _merge_parts(parts, len(joined))


def release_freed_memory() -> None:
    """Give the heap pages freed by a build back to the system (glibc keeps the numpy
    temporaries' pages otherwise: ~150 MB after a 50,000-description scan build)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _count_by_words(joined: Sequence[str], alphabet: _Alphabet) -> tuple[IntArray, list[sp.csr_matrix]]:
    """char_wb n-grams never cross words, so a text's counts are the sum of its words' counts:
    each distinct word is analysed once, then (texts × words) @ (words × n-grams) adds them
    up exactly (integer sparse product), a block of texts at a time."""
    word_ids: dict[str, int] = {}
    numbered: list[npt.NDArray[np.int32]] = []
    indptr = np.zeros(len(joined) + 1, np.int64)
    # texts taken about CHUNK_CHARS characters at a time: the word strings of one batch are
    # freed before the next (millions of small objects at once would raise the peak memory)
    for lo, hi in _chunks(joined, len(joined) or 1):
        batch: list[str] = []
        for i, text in enumerate(joined[lo:hi], start=lo):
            if text:
                batch.extend(text.split(" "))
            indptr[i + 1] = indptr[lo] + len(batch)
        for word in dict.fromkeys(batch):
            if word not in word_ids:
                word_ids[word] = len(word_ids)
        numbered.append(np.fromiter(map(word_ids.__getitem__, batch), dtype=np.int32, count=len(batch)))
    words = np.concatenate(numbered) if numbered else np.empty(0, np.int32)
    del numbered
    terms, word_blocks = _count_packed(list(word_ids), alphabet)
    per_word = (sp.vstack(word_blocks, format="csr") if len(word_blocks) > 1 else word_blocks[0]
                if word_blocks else sp.csr_matrix((0, len(terms)), dtype=np.int32)).astype(np.int32)
    blocks: list[sp.csr_matrix] = []
    step = max(1, len(joined) * (1 << 16) // max(len(words), 1))  # about 64k words a block
    for lo in range(0, len(joined), step):
        hi = min(lo + step, len(joined))
        a, b = indptr[lo], indptr[hi]
        texts = sp.csr_matrix((np.ones(b - a, np.int32), words[a:b], indptr[lo:hi + 1] - a),
                              shape=(hi - lo, len(word_ids)))
        # the product leaves each row's columns unordered; two transpositions (counting
        # sorts, linear) order them
        counts = (texts @ per_word).tocsc().tocsr()
        block = sp.csr_matrix((counts.data.astype(_count_dtype(int(counts.data.max(initial=0)))),
                               counts.indices.astype(np.int32, copy=False), counts.indptr),
                              shape=counts.shape, copy=False)
        block.has_sorted_indices = True
        blocks.append(block)
    return terms, blocks


_Part = tuple[Any, npt.NDArray[Any], npt.NDArray[np.int32], npt.NDArray[np.int64]]  # terms, counts, columns, indptr


def _sorted_union(arrays: Sequence[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    if len(arrays) == 1:
        return arrays[0]
    merged = np.concatenate(arrays)
    merged.sort(kind="stable")  # timsort merges the sorted runs
    keep = np.empty(len(merged), bool)
    keep[:1] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    return merged[keep]


def _merge_parts(parts: list[_Part], n_texts: int) -> tuple[Any, list[sp.csr_matrix]]:
    """The union vocabulary, and each chunk's CSR with its columns renumbered in place
    (no second copy of the counts: peak memory)."""
    terms = _sorted_union([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    blocks: list[sp.csr_matrix] = []
    for chunk_terms, counts, columns, chunk_ptr in parts:
        renumber = np.searchsorted(terms, chunk_terms).astype(np.int32)
        np.take(renumber, columns, out=columns)
        block = sp.csr_matrix((counts, columns, chunk_ptr), shape=(len(chunk_ptr) - 1, len(terms)), copy=False)
        block.has_sorted_indices = True
        blocks.append(block)
    parts.clear()
    return terms, blocks


def _count_python(joined: Sequence[str]) -> tuple[npt.NDArray[np.object_], list[sp.csr_matrix]]:
    """The same counts with Python strings, for alphabets too large to pack."""
    per_text: list[dict[str, int]] = []
    for text in joined:
        counter: dict[str, int] = {}
        for gram in char_wb_ngrams(text):
            counter[gram] = counter.get(gram, 0) + 1
        per_text.append(counter)
    vocabulary = sorted(set().union(*per_text)) if per_text else []
    column = {g: i for i, g in enumerate(vocabulary)}
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    for counter in per_text:
        row = sorted((column[g], c) for g, c in counter.items())
        indices.extend(i for i, _ in row)
        data.extend(c for _, c in row)
        indptr.append(len(indices))
    matrix = sp.csr_matrix((np.array(data, np.int32), np.array(indices, np.int32),
                            np.array(indptr, np.int64)), shape=(len(joined), len(vocabulary)))
    terms = np.empty(len(vocabulary), dtype=object)
    terms[:] = vocabulary
    return _merge_parts([(terms, matrix.data.astype(_count_dtype(int(matrix.data.max(initial=0)))),
                          matrix.indices.astype(np.int32), matrix.indptr.astype(np.int64))], len(joined))


# ---------------------------------------------------------------------------- exact arithmetic

def _sequential_row_sums(values: FloatArray, indptr: npt.NDArray[np.integer[Any]]) -> FloatArray:
    """Per-row sums added left to right, as sklearn's Cython loops do (np.sum adds pairwise,
    which rounds differently): rows padded with zeros into a 2-D block, then cumsum."""
    if len(indptr) == 2:  # one row (a query): no padding needed
        return np.cumsum(values[indptr[0]:indptr[1]])[-1:] if indptr[1] > indptr[0] else np.zeros(1)
    lengths = np.diff(indptr).astype(np.int64)
    sums = np.zeros(len(lengths))
    order = np.argsort(lengths, kind="stable")  # similar lengths together: little padding
    budget = 1 << 22
    i = 0
    while i < len(order):
        width = max(int(lengths[order[i]]), 1)
        j = i + 1
        while j < len(order) and int(lengths[order[j]]) * (j + 1 - i) <= budget:
            j += 1
        rows = order[i:j]
        width = int(lengths[rows].max()) if len(rows) else width
        if width:
            block = np.zeros((len(rows), width))
            mask = np.arange(width) < lengths[rows, None]
            take = (indptr[rows, None] + np.arange(width))[mask]
            block[mask] = values[take]
            sums[rows] = np.cumsum(block, axis=1)[:, -1]
        i = j
    return sums


@functools.cache
def _square_sums_kernel() -> Any:
    """sklearn's own loop for squared row norms (the one ``csr_row_norms`` runs): the same
    left-to-right sums as ``normalize``, without padding rows; None if sklearn moved it."""
    try:
        from sklearn.utils.sparsefuncs_fast import _sqeuclidean_row_norms_sparse
    except ImportError:
        return None
    return _sqeuclidean_row_norms_sparse


def _row_norms(values: FloatArray, indptr: npt.NDArray[np.integer[Any]]) -> FloatArray:
    """What sklearn's l2 ``normalize`` divides each CSR row by (1 for an empty row)."""
    kernel = _square_sums_kernel()
    sums: FloatArray
    if kernel is not None and len(indptr) > 2 and indptr.dtype in (np.int32, np.int64):
        sums = np.asarray(kernel(np.ascontiguousarray(values), np.ascontiguousarray(indptr)), dtype=np.float64)
    else:
        sums = _sequential_row_sums(values * values, indptr)
    norms = np.sqrt(sums)
    norms[sums == 0.0] = 1.0
    return norms


def _normalize_rows(values: FloatArray, indptr: npt.NDArray[np.integer[Any]]) -> None:
    """In place: sklearn's l2 ``normalize`` of CSR rows, same roundings (empty rows kept)."""
    norms = _row_norms(values, indptr)
    values /= norms[0] if len(norms) == 1 else np.repeat(norms, np.diff(indptr))


def _idf(df: FloatArray, n_samples: int) -> FloatArray:
    """sklearn's smooth IDF, its operations in its order."""
    df = df + 1.0
    idf = np.full_like(df, fill_value=n_samples + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def _tfidf_rows(counts: npt.NDArray[Any], columns: npt.NDArray[np.integer[Any]], idf: FloatArray,
                indptr: npt.NDArray[np.integer[Any]]) -> FloatArray:
    """TfidfTransformer (sublinear tf, l2) then cosine_similarity's second normalisation."""
    values = counts.astype(np.float64)
    np.log(values, out=values)
    values += 1.0
    values *= idf[columns]
    _normalize_rows(values, indptr)
    _normalize_rows(values, indptr)
    return values


# ---------------------------------------------------------------------------- index

def _document_frequency(counts: sp.csr_matrix, times: npt.NDArray[np.int64]) -> FloatArray:
    """Rows containing each column, a row counted `times[row]` times (a text given twice
    to sklearn counts twice); by slices of rows, not one weight per entry at once."""
    if times.min(initial=1) == 1 and times.max(initial=1) == 1:
        return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    df = np.zeros(counts.shape[1])
    indptr = counts.indptr
    step = max(1, counts.shape[0] * (1 << 20) // max(counts.nnz, 1))
    for lo in range(0, counts.shape[0], step):
        hi = min(lo + step, counts.shape[0])
        weights = np.repeat(times[lo:hi].astype(np.float64), np.diff(indptr[lo:hi + 1]))
        df += np.bincount(counts.indices[indptr[lo]:indptr[hi]], weights=weights, minlength=counts.shape[1])
    return df


class _Source:
    """One analysis seen through an index: its columns mapped to the index's vocabulary
    (``columns`` None when they already are the index's columns)."""

    def __init__(self, analysis: TextAnalysis, columns: npt.NDArray[np.int32] | None) -> None:
        self.analysis = analysis
        self.columns = columns

    def row_terms(self, row: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        columns, counts = self.analysis.row_counts(row)
        return (columns if self.columns is None else self.columns[columns]), counts


def _union_vocabulary(analyses: Sequence[TextAnalysis]) -> tuple[Any, _Alphabet | None, list[npt.NDArray[np.int32]]]:
    """Sorted union of the analyses' n-grams, and each analysis' column → union column map
    (increasing, so sorted rows stay sorted)."""
    if len(analyses) == 1:
        only = analyses[0]
        return (only.terms, only.alphabet if only.packed else None,
                [np.arange(len(only.terms), dtype=np.int32)])
    if all(a.packed for a in analyses):
        alphabet = _Alphabet(functools.reduce(np.union1d, [a.alphabet.points for a in analyses]).astype(np.uint32))
        if alphabet.base <= MAX_BASE:
            recoded = [_recode(a.terms, a.alphabet, alphabet) for a in analyses]  # type: ignore[arg-type]
            terms = functools.reduce(np.union1d, recoded)
            return terms, alphabet, [np.searchsorted(terms, r).astype(np.int32) for r in recoded]
    strings = [a.term_strings() for a in analyses]
    terms = np.unique(np.concatenate(strings))
    return terms, None, [np.searchsorted(terms, s).astype(np.int32) for s in strings]


_STORED, _UNKNOWN = -2, -1  # where a text's counts are: stored documents, or nowhere yet


class SimilarityIndex:
    """TF-IDF (character 3–5-grams of folded texts, sublinear tf) fitted on documents + queries,
    the same values as a ``TfidfVectorizer`` fitted on both, but each text analysed once.

    Pass ``analysis=TextAnalysis(descriptions)`` to share the analysis of the queries between
    indexes; texts it lacks are analysed here. ``similarities_to`` reads only the wanted
    documents; ``similarities`` / ``similarity_matrix`` build the transposed matrix on first use."""

    def __init__(self, documents: Sequence[str], queries: Sequence[str] = (),
                 analysis: TextAnalysis | None = None) -> None:
        corpus = [*documents, *queries]
        self._count = len(documents)
        if analysis is None:
            analyses = [TextAnalysis(corpus)]
        else:
            missing = [t for t in dict.fromkeys(corpus) if analysis.row(t) is None]
            analyses = [analysis, TextAnalysis(missing)] if missing else [analysis]
        terms, self._alphabet, maps = _union_vocabulary(analyses)
        self._terms = terms
        own = len(analyses) - 1 if analysis is None or len(analyses) == 2 else -1
        if own >= 0:
            # the analysis made here is ours: renumber its columns in place to the index's,
            # so that its rows serve as the stored documents without a copy
            blocks = analyses[own].blocks
            for k, block in enumerate(blocks):
                np.take(maps[own], block.indices, out=block.indices)
                blocks[k] = sp.csr_matrix((block.data, block.indices, block.indptr),
                                          shape=(block.shape[0], len(terms)), copy=False)
                blocks[k].has_sorted_indices = True  # the map is increasing
        self._sources = [_Source(a, None if n == own else m) for n, (a, m) in enumerate(zip(analyses, maps))]
        width = len(terms)
        df = np.zeros(width)
        located = [self._locate(t) for t in corpus]
        for number, source in enumerate(self._sources):
            rows = [row for src, row in located if src == number]
            if not rows:
                continue
            found = source.analysis
            times = np.bincount(np.array(rows, np.int64), minlength=len(found.rows))
            start = 0
            for block in found.blocks:
                # the column map is one-to-one: no two columns add into one
                frequency = _document_frequency(block, times[start:start + block.shape[0]])
                if source.columns is None:
                    df += frequency
                else:
                    df[source.columns] += frequency
                start += block.shape[0]
        self._known = df > 0
        self._empty = not documents or not self._known.any()
        self._idf = _idf(df, len(corpus))
        self._store_documents(located[:len(documents)], own)
        self._docs_t: sp.csr_matrix | None = None
        # an analysis made here of documents only is not kept as a source: the stored
        # documents answer for those texts (a document asked as a query is not re-analysed)
        self._doc_rows: dict[str, int] = {}
        if own == 1 and set(self._sources[1].analysis.rows) <= set(documents):
            self._sources.pop()
            self._doc_rows = {text: position for position, text in enumerate(documents)}
        release_freed_memory()

    def _store_documents(self, located: Sequence[tuple[int, int]], own: int) -> None:
        """Documents kept as counts (1–4 bytes) + column (4 bytes) + two norms per row rather
        than float64 weights: a weight is recomputed, with sklearn's very operations
        ((tf × idf) / norm1) / norm2, only where a query needs it. The rows of the analysis
        made here are used where they lie; other documents are copied into one more block."""
        blocks: list[tuple[npt.NDArray[np.int32], npt.NDArray[Any], npt.NDArray[Any]]] = []
        if own >= 0:
            blocks = [(b.indices, b.data, b.indptr) for b in self._sources[own].analysis.blocks]
        block_of = np.zeros(len(located), np.int32)
        local = np.zeros(len(located), np.int32)
        extra_cols: list[npt.NDArray[np.int32]] = []
        extra_counts: list[npt.NDArray[Any]] = []
        for i, (number, row) in enumerate(located):
            if number == own:
                block_of[i] = self._sources[own].analysis.block_of[row]
                local[i] = self._sources[own].analysis.row_in_block[row]
            else:  # found in the shared analysis
                c, n = self._terms_of("", (number, row))
                block_of[i], local[i] = len(blocks), len(extra_cols)
                extra_cols.append(c.astype(np.int32))
                extra_counts.append(n)
        if extra_cols:
            indptr = np.zeros(len(extra_cols) + 1, np.int64)
            np.cumsum([len(c) for c in extra_cols], out=indptr[1:])
            blocks.append((np.concatenate(extra_cols), np.concatenate(extra_counts), indptr))
        self._doc_blocks, self._doc_block, self._doc_local = blocks, block_of, local
        top = max((int(counts.max(initial=0)) for _, counts, _ in blocks), default=0)
        self._tf = np.zeros(top + 1)
        self._tf[1:] = _sublinear(np.arange(1, top + 1))
        self._norm1 = np.ones(len(located))
        self._norm2 = np.ones(len(located))
        for number, (cols, counts, indptr) in enumerate(blocks):
            mine = np.flatnonzero(block_of == number)
            if not len(mine):
                continue
            values = self._tf[counts] * self._idf[cols]
            norm1 = _row_norms(values, indptr)
            values /= np.repeat(norm1, np.diff(indptr))
            norm2 = _row_norms(values, indptr)
            self._norm1[mine] = norm1[local[mine]]
            self._norm2[mine] = norm2[local[mine]]

    def _doc_row(self, position: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        cols, counts, indptr = self._doc_blocks[self._doc_block[position]]
        row = self._doc_local[position]
        lo, hi = indptr[row], indptr[row + 1]
        return cols[lo:hi], counts[lo:hi]

    def _doc_weights(self, cols: npt.NDArray[np.int32], counts: npt.NDArray[Any], row: Any) -> FloatArray:
        values: FloatArray = self._tf[counts] * self._idf[cols]
        values /= self._norm1[row]
        values /= self._norm2[row]
        return values

    def _documents(self) -> sp.csr_matrix:
        """The normalised document weights as a CSR matrix (what sklearn would hold)."""
        rows = [self._doc_row(i) for i in range(self._count)]
        indptr = np.zeros(self._count + 1, np.int64)
        np.cumsum([len(c) for c, _ in rows], out=indptr[1:])
        cols = np.concatenate([c for c, _ in rows]) if rows else np.empty(0, np.int32)
        counts = np.concatenate([n for _, n in rows]) if rows else np.empty(0, np.uint8)
        del rows
        values = self._doc_weights(cols, counts, np.repeat(np.arange(self._count), np.diff(indptr)))
        return sp.csr_matrix((values, cols, indptr), shape=(self._count, len(self._terms)))

    def _locate(self, text: str) -> tuple[int, int]:
        for number, source in enumerate(self._sources):
            row = source.analysis.row(text)
            if row is not None:
                return number, row
        position = self._doc_rows.get(text)
        return (_STORED, position) if position is not None else (_UNKNOWN, -1)

    def _terms_of(self, text: str, where: tuple[int, int]) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        number, row = where
        if number >= 0:
            columns, counts = self._sources[number].row_terms(row)
        elif number == _STORED:
            return self._doc_row(row)
        else:
            columns, counts = self._transform(text)
        keep = self._known[columns]
        return columns[keep], counts[keep]

    def _transform(self, text: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """An unknown text's counts on the index's vocabulary (sklearn transform: n-grams
        outside the vocabulary ignored)."""
        if self._alphabet is not None:
            joined = _joined_words(text)
            ranks = self._alphabet.ranks(_code_points(f" {joined} ")) if joined else np.empty(0, np.int64)
            space = int(self._alphabet.ranks(np.array([ord(" ")], np.uint32))[0])
            codes, _ = _ngram_codes(ranks, space, self._alphabet.base)
            keys, counts = np.unique(codes, return_counts=True)
        else:
            grams, counts = np.unique(np.array(char_wb_ngrams(text), dtype=object), return_counts=True)
            keys = grams
        if not len(keys) or not len(self._terms):
            return np.empty(0, np.int32), np.empty(0, np.int64)
        pos = np.minimum(np.searchsorted(self._terms, keys), len(self._terms) - 1)
        found = self._terms[pos] == keys
        return pos[found].astype(np.int32), counts[found].astype(np.int64)

    def _weights(self, located: Sequence[tuple[int, int]], texts: Sequence[str] | None = None,
                 ) -> tuple[npt.NDArray[np.int32], FloatArray, npt.NDArray[np.int64]]:
        """(columns, weights, indptr) of normalised TF-IDF rows on the index's vocabulary."""
        columns: list[npt.NDArray[np.int32]] = []
        counts: list[npt.NDArray[Any]] = []
        for i, where in enumerate(located):
            c, n = self._terms_of(texts[i] if texts is not None else "", where)
            columns.append(c)
            counts.append(n)
        indptr = np.zeros(len(located) + 1, np.int64)
        np.cumsum([len(c) for c in columns], out=indptr[1:])
        cols = np.concatenate(columns).astype(np.int32) if columns else np.empty(0, np.int32)
        cnts = np.concatenate(counts) if counts else np.empty(0, np.int64)
        return cols, _tfidf_rows(cnts, cols, self._idf, indptr), indptr

    def _vectors_of(self, located: Sequence[tuple[int, int]], texts: Sequence[str] | None = None) -> sp.csr_matrix:
        cols, values, indptr = self._weights(located, texts)
        return sp.csr_matrix((values, cols, indptr), shape=(len(located), len(self._terms)))

    def similarities(self, query: str) -> list[float]:
        """Cosine similarity of `query` to every document, in document order."""
        if self._empty:
            return [0.0] * self._count
        return [float(s) for s in self.similarity_matrix([query])[0]]

    def similarity_matrix(self, queries: Sequence[str]) -> FloatArray:
        """Dense (len(queries), n_documents) similarities; chunk the queries (e.g. by 1,000).
        The first call transposes the documents (kept: one more copy of the index)."""
        if self._empty or not queries:
            return np.zeros((len(queries), self._count))
        from sklearn.utils.sparsefuncs import sparse_matmul_to_dense

        if self._docs_t is None:
            self._docs_t = self._documents().T.tocsr()
            release_freed_memory()
        vectors = self._vectors_of([self._locate(q) for q in queries], queries)
        return sparse_matmul_to_dense(vectors, self._docs_t)  # type: ignore[no-any-return]

    def similarities_to(self, query: str, positions: Sequence[int]) -> list[float]:
        """Similarities of `query` to the documents at `positions` only (same values)."""
        if len(positions) and (min(positions) < 0 or max(positions) >= self._count):
            raise IndexError(f"document positions must lie in [0, {self._count})")
        if self._empty or not len(positions):
            return [0.0] * len(positions)
        q_cols, q_vals, _ = self._weights([self._locate(query)], [query])
        if not len(q_cols):
            return [0.0] * len(positions)
        out: list[float] = []
        tf, idf, norm1, norm2 = self._tf, self._idf, self._norm1, self._norm2
        for position in positions:
            row, counts = self._doc_row(position)
            if not len(row):
                out.append(0.0)
                continue
            at = row.searchsorted(q_cols)
            np.minimum(at, len(row) - 1, out=at)
            hit = row.take(at) == q_cols
            entries = at[hit]
            # the document's weights where needed, with sklearn's operations in its order
            weights = tf.take(counts.take(entries)) * idf.take(row.take(entries))
            weights /= norm1[position]
            weights /= norm2[position]
            products = q_vals[hit] * weights
            # left to right in column order, as the sparse product adds them
            out.append(float(products.cumsum()[-1]) if len(products) else 0.0)
        return out

    def nbytes(self) -> int:
        """Memory held by the index itself (not by a shared analysis)."""
        held = sum(c.nbytes + n.nbytes + p.nbytes for c, n, p in self._doc_blocks)
        held += self._norm1.nbytes + self._norm2.nbytes + self._tf.nbytes + 2 * self._doc_block.nbytes
        held += self._idf.nbytes + self._known.nbytes + getattr(self._terms, "nbytes", 0)
        held += sum(s.columns.nbytes for s in self._sources if s.columns is not None)
        if self._docs_t is not None:
            held += self._docs_t.data.nbytes + self._docs_t.indices.nbytes + self._docs_t.indptr.nbytes
        return int(held)


# ---------------------------------------------------------------------------- one query, few candidates

# n-grams of single texts are packed with ranks handed out as characters first appear
# (order does not matter here, identity does): 12 bits a character, 4,095 characters a process
_CHAR_BITS = 12
_char_rank = np.zeros(0x110000, dtype=np.int64)
_char_rank[ord(" ")] = 1
_next_rank = [2]


_rank_lock = threading.Lock()  # two threads must never hand one rank to two characters


def _ranks_of(text: str) -> IntArray | None:
    codes = _code_points(text)
    ranks = _char_rank[codes]
    if not ranks.all():
        with _rank_lock:
            new = np.unique(codes[_char_rank[codes] == 0])
            if _next_rank[0] + len(new) > (1 << _CHAR_BITS) - 1:
                return None  # too many distinct characters: the caller takes the string path
            _char_rank[new] = np.arange(_next_rank[0], _next_rank[0] + len(new))
            _next_rank[0] += len(new)
        ranks = _char_rank[codes]
    return ranks


_Terms = tuple[IntArray, FloatArray]  # sorted term keys, sublinear tf (1 + log count)


def _sublinear(counts: npt.NDArray[Any]) -> FloatArray:
    values = counts.astype(np.float64)
    np.log(values, out=values)
    values += 1.0
    return values


def _frozen(terms: _Terms) -> _Terms:
    for array in terms:
        array.flags.writeable = False  # shared through the caches
    return terms


def _char_terms(text: str) -> _Terms | None:
    joined = _joined_words(text)
    if not joined:
        return np.empty(0, np.int64), np.empty(0)
    ranks = _ranks_of(f" {joined} ")
    if ranks is None:
        return None
    codes, _ = _ngram_codes(ranks, 1, 1 << _CHAR_BITS)
    keys, counts = np.unique(codes, return_counts=True)
    return _frozen((keys, _sublinear(counts)))


@functools.lru_cache(maxsize=1 << 16)
def _stem_key(stem: str) -> int:
    # stems are 4–6 letters a–z: base 27, 0 pads
    key = 0
    for char in stem.ljust(6, "`"):
        key = key * 27 + ord(char) - 96
    return key


def _stem_terms(text: str) -> _Terms:
    words = stems(text)
    keys, counts = np.unique(np.array([_stem_key(w) for w in words], np.int64), return_counts=True)
    return _frozen((keys, _sublinear(counts)))


@dataclass(frozen=True, eq=False)
class _Model:
    """The candidates' side of a fit on query + candidates, for any query: weights are
    stored with the IDF of a term the query lacks, and corrected for the query's terms."""

    keys: IntArray  # sorted union of the candidates' terms
    tf: FloatArray  # (candidates, terms) sublinear tf, 0 where absent
    idf_without: FloatArray  # IDF when the query lacks the term
    idf_with: FloatArray  # IDF when the query has it too
    delta: FloatArray  # idf_with² - idf_without²
    norm2: FloatArray  # squared norm of each candidate for a query sharing no term
    idf_query_only: float  # IDF of a term found in the query alone

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.tf.nbytes + 4 * self.idf_with.nbytes + self.norm2.nbytes)


def _build_model(terms: Sequence[_Terms]) -> _Model:
    n_samples = len(terms) + 1  # the query is fitted too
    keys = np.unique(np.concatenate([k for k, _ in terms])) if terms else np.empty(0, np.int64)
    tf = np.zeros((len(terms), len(keys)))
    for i, (k, w) in enumerate(terms):
        tf[i, np.searchsorted(keys, k)] = w
    df = (tf > 0).sum(axis=0).astype(np.float64)
    without = _idf(df, n_samples)
    with_query = _idf(df + 1.0, n_samples)
    norm2 = (tf * tf) @ (without * without)
    return _Model(keys, tf, without, with_query, with_query * with_query - without * without, norm2,
                  float(_idf(np.ones(1), n_samples)[0]))


def _cosines(query: _Terms, model: _Model) -> list[float]:
    q_keys, q_tf = query
    count = model.tf.shape[0]
    if not len(q_keys):
        return [0.0] * count
    if len(model.keys):
        at = np.minimum(np.searchsorted(model.keys, q_keys), len(model.keys) - 1)
        hit = model.keys[at] == q_keys
        shared = at[hit]
    else:
        hit = np.zeros(len(q_keys), bool)
        shared = np.empty(0, np.int64)
    q_idf = np.full(len(q_keys), model.idf_query_only)
    q_idf[hit] = model.idf_with[shared]
    q_w = q_tf * q_idf
    q_norm = math.sqrt(float(q_w @ q_w))
    if not len(shared):
        return [0.0] * count
    block = model.tf[:, shared]
    dots = block @ (q_w[hit] * model.idf_with[shared])
    norm2 = model.norm2 + (block * block) @ model.delta[shared]
    out = np.zeros(count)
    ok = norm2 > 0
    out[ok] = dots[ok] / (np.sqrt(norm2[ok]) * q_norm)
    return [float(s) for s in out]


_Key = tuple[str, Any]  # (kind, text or candidates)


class _ByteLRU:
    """LRU bounded in bytes, not entries: texts and candidate lists differ a lot in size."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[_Key, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: _Key) -> Any:
        with self.lock:
            item = self.items.get(key)
            if item is None:
                return None
            self.items.move_to_end(key)
            return item[0]

    def put(self, key: _Key, value: Any, nbytes: int) -> None:
        if nbytes > self.budget // 8:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (value, nbytes)
            self.size += nbytes
            while self.size > self.budget:
                _, (_, freed) = self.items.popitem(last=False)
                self.size -= freed


_models = _ByteLRU(64 << 20)  # a contract's few penalty quotes recur for each of its incidents
_queries = _ByteLRU(16 << 20)  # a description is compared with several candidate lists in turn
_ANALYSERS = {"char": _char_terms, "stem": _stem_terms}


def _query_terms(kind: str, text: str) -> _Terms | None:
    key = (kind, text)
    terms: _Terms | None = _queries.get(key)
    if terms is None:
        terms = _ANALYSERS[kind](text)
        if terms is not None:
            _queries.put(key, terms, terms[0].nbytes + terms[1].nbytes + 100)
    return terms


def _model_for(kind: str, candidates: tuple[str, ...]) -> _Model | None:
    key = (kind, candidates)
    model: _Model | None = _models.get(key)
    if model is None:
        terms = [_ANALYSERS[kind](c) for c in candidates]
        if any(t is None for t in terms):
            return None
        model = _build_model(terms)  # type: ignore[arg-type]
        _models.put(key, model, model.nbytes)
    return model


def _string_path(query: str, candidates: Sequence[str]) -> list[float]:
    """char n-grams as strings, interned per call: for texts beyond the packed alphabet."""
    ids: dict[str, int] = {}

    def terms(text: str) -> _Terms:
        grams = [ids.setdefault(g, len(ids)) for g in char_wb_ngrams(text)]
        keys, counts = np.unique(np.array(grams, np.int64), return_counts=True)
        return keys, _sublinear(counts)

    model = _build_model([terms(c) for c in candidates])
    return _cosines(terms(query), model)


def char_similarities(query: str, candidates: Sequence[str]) -> list[float]:
    """Cosine of TF-IDF character 3–5-grams (folded texts,
    fitted on the query and its candidates), in [0, 1]; the candidates' model is cached."""
    if not candidates or not query.strip():
        return [0.0] * len(candidates)
    model = _model_for("char", tuple(candidates))
    query_terms = _query_terms("char", query)
    if model is None or query_terms is None:
        return _string_path(query, candidates)
    return _cosines(query_terms, model)


def stem_similarities(query: str, candidates: Sequence[str]) -> list[float]:
    """Cosine of TF-IDF word stems (fitted on the query and
    its candidates); the candidates' model is cached."""
    if not candidates:
        return []
    query_terms = _query_terms("stem", query)
    if query_terms is None or not len(query_terms[0]):
        return [0.0] * len(candidates)
    model = _model_for("stem", tuple(candidates))
    assert model is not None  # stems always pack
    return _cosines(query_terms, model)
