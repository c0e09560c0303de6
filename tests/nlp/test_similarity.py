"""nlp.similarity must give sklearn's TF-IDF values (bit for bit for the index) on any text."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import normalize
from sklearn.utils.sparsefuncs import sparse_matmul_to_dense

from nlp import similarity
from nlp.linking import fold, stems
from nlp.similarity import (
    SimilarityIndex,
    TextAnalysis,
    char_similarities,
    prepare,
    stem_similarities,
)

# our own fragments, in the styles a portfolio mixes: clauses, e-mails, logs, tables
FRAGMENTS = [
    "Le prestataire s’engage à rétablir le service sous quatre heures ouvrées.",
    "En cas de dépassement, une pénalité de 200 € HT par heure est appliquée.",
    "objet : relance — intervention non réalisée le 03/02",
    "Chauffage HS au gymnase Jean-Moulin depuis lundi !!",
    "l'entreprise n'a pas livré les 40 chaises commandées (BC n° 2024-117)",
    "Cœur de réseau : coupure de 2 h 30, ticket INC-88412",
    "mise\u00a0en\u00a0demeure\u202fdu 12\u202fmars",
    "a b c d ef gh i jk",
    "ÉLÉVATEUR À NACELLE — ARRÊT",
    "retard\tde\tlivraison\n\ndes repas    (cuisine centrale)",
    "Œuvre, nævus, æquo : caractères liés",
    "🚚 livraison en retard 😡",
    "報告 遅延 配送",
    "Ça n’a été ni vu ni su, l’agent d’astreinte était absent.",
    "x",
    "   ",
    "",
    "12 345,67 € TTC ; 3 jours ; art. 14.2 du CCAP",
    "Délai d'exécution : 15 jours calendaires à compter de la notification.",
    "les bacs n'ont pas été collectés rue des Lilas (tournée B)",
]


def _texts(rng: random.Random, count: int, max_parts: int = 4) -> list[str]:
    out = []
    for _ in range(count):
        parts = rng.sample(FRAGMENTS, rng.randint(0, max_parts))
        out.append(rng.choice([" ", "\n", "  ", "\t"]).join(parts))
    return out


def _reference_index(documents: Sequence[str], queries: Sequence[str]) -> tuple[TfidfVectorizer, object]:
    """What nlp.linking.SimilarityIndex computes, spelt out with sklearn."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vectorizer.fit([fold(t) for t in [*documents, *queries]])
    docs_t = normalize(vectorizer.transform([fold(d) for d in documents]), copy=True).T.tocsr()
    return vectorizer, docs_t


def _reference_sims(reference: tuple[TfidfVectorizer, object], query: str) -> list[float]:
    vectorizer, docs_t = reference
    vector = normalize(vectorizer.transform([fold(query)]), copy=True)
    return [float(s) for s in sparse_matmul_to_dense(vector, docs_t).ravel()]


def _reference_pairwise(query: str, candidates: Sequence[str], *, stem: bool) -> list[float]:
    """nlp.linking's tfidf_similarities / word_similarities, spelt out with sklearn."""
    if not candidates or (not stems(query) if stem else not query.strip()):
        return [0.0] * len(candidates)
    if stem:
        vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        texts = [query, *candidates]
    else:
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        texts = [fold(t) for t in [query, *candidates]]
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary
        return [0.0] * len(candidates)
    return [float(s) for s in cosine_similarity(matrix[0:1], matrix[1:]).ravel()]


# ---------------------------------------------------------------------------- counting

@pytest.mark.parametrize("chunk_chars, max_base", [(1 << 20, 1552), (64, 1552), (1 << 20, 8)])
def test_counts_and_vocabulary_are_sklearns(monkeypatch: pytest.MonkeyPatch, chunk_chars: int,
                                            max_base: int) -> None:
    # small chunks exercise the merge of chunk vocabularies; a tiny base the Python path
    monkeypatch.setattr(similarity, "CHUNK_CHARS", chunk_chars)
    monkeypatch.setattr(similarity, "MAX_BASE", max_base)
    texts = [*FRAGMENTS, *_texts(random.Random(7), 40), FRAGMENTS[0]]
    analysis = TextAnalysis(texts)
    assert analysis.packed == (max_base > 8)
    reference = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5))
    expected = reference.fit_transform([prepare(t) for t in analysis.rows]).toarray()
    assert list(analysis.term_strings()) == list(reference.get_feature_names_out())
    assert np.array_equal(analysis.counts.toarray(), expected)
    assert len(analysis.rows) == len(set(texts))  # duplicates analysed once


def test_short_words_and_separators_follow_char_wb() -> None:
    analysis = TextAnalysis(["a  bc\u00a0d’e"])
    grams = sorted(analysis.term_strings())
    # « a » alone gives one 3-gram; « bc » its 3-grams and the whole padded word
    assert " a " in grams and " bc " in grams and " bc" in grams
    assert "a b" not in grams and "c d" not in grams  # never across words
    assert " d'e " in grams  # ’ folded to '


# ---------------------------------------------------------------------------- index

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_index_values_are_bit_identical(seed: int) -> None:
    rng = random.Random(seed)
    documents = _texts(rng, 25, 6) + [""]
    documents.append(documents[3])  # a document given twice counts twice in the IDF
    queries = _texts(rng, 30, 2) + documents[:2]
    reference = _reference_index(documents, queries)
    own = SimilarityIndex(documents, queries)
    shared = SimilarityIndex(documents, queries, analysis=TextAnalysis(queries))
    # a document asked as a query, and texts seen nowhere
    outsiders = [documents[4], *_texts(rng, 8, 3), "zèbre 漢字 🚚", "", "   "]
    for query in [*queries, *outsiders]:
        expected = _reference_sims(reference, query)
        assert own.similarities(query) == expected
        assert shared.similarities(query) == expected
        positions = list(range(len(documents)))[::-2]
        assert shared.similarities_to(query, positions) == [expected[p] for p in positions]
    matrix = shared.similarity_matrix([*queries, *outsiders])
    assert np.array_equal(matrix, np.array([_reference_sims(reference, q) for q in [*queries, *outsiders]]))


def test_index_python_path_gives_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    documents, queries = _texts(rng, 10, 4), _texts(rng, 10, 2)
    reference = _reference_index(documents, queries)
    monkeypatch.setattr(similarity, "MAX_BASE", 8)
    index = SimilarityIndex(documents, queries, analysis=TextAnalysis(queries))
    for query in [*queries, "retard de livraison"]:
        assert index.similarities(query) == _reference_sims(reference, query)


def test_index_without_sklearns_row_loop_is_still_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_square_sums_kernel", lambda: None)  # the numpy fallback
    rng = random.Random(13)
    documents, queries = _texts(rng, 12, 5), _texts(rng, 12, 2)
    reference = _reference_index(documents, queries)
    index = SimilarityIndex(documents, queries)
    assert index.similarity_matrix(queries).tolist() == [_reference_sims(reference, q) for q in queries]


def test_one_shared_analysis_serves_two_indexes() -> None:
    rng = random.Random(5)
    descriptions = _texts(rng, 20, 2)
    letters, profiles = _texts(rng, 6, 5), _texts(rng, 3, 8)
    # the shared analysis may hold more texts than an index's corpus: they must not count
    analysis = TextAnalysis([*descriptions, *_texts(rng, 5, 3), "télétransmission"])
    by_letter = SimilarityIndex(letters, descriptions, analysis=analysis)
    by_profile = SimilarityIndex(profiles, descriptions, analysis=analysis)
    letter_ref, profile_ref = _reference_index(letters, descriptions), _reference_index(profiles, descriptions)
    for query in [*descriptions, "télétransmission"]:
        assert by_letter.similarities(query) == _reference_sims(letter_ref, query)
        assert by_profile.similarities(query) == _reference_sims(profile_ref, query)


def test_queries_and_documents_with_different_alphabets(monkeypatch: pytest.MonkeyPatch) -> None:
    # plain ASCII descriptions, documents full of accents, ligatures and symbols: the shared
    # analysis is re-packed into the larger alphabet (then, forced, merged as strings)
    descriptions = ["retard de livraison", "panne chauffage gymnase", "collecte non faite rue B"]
    documents = ["Pénalité de retard : 1/3000e du montant — Œuvre livrée", "Astreinte 24 h/24 ☎ 7 j/7",
                 "Collecte des déchets ménagers, rue Bèze"]
    reference = _reference_index(documents, descriptions)
    shared = TextAnalysis(descriptions)
    index = SimilarityIndex(documents, descriptions, analysis=shared)
    monkeypatch.setattr(similarity, "MAX_BASE", 30)  # the documents' own analysis: Python path
    mixed = SimilarityIndex(documents, descriptions, analysis=shared)
    for query in [*descriptions, documents[0], "livrée en retard ☎"]:
        expected = _reference_sims(reference, query)
        assert index.similarities(query) == expected
        assert mixed.similarities(query) == expected


def test_empty_index_answers_zeros() -> None:
    assert SimilarityIndex([], ["retard"]).similarities("retard") == []
    blank = SimilarityIndex(["", "  \n"], ["\t"])
    assert blank.similarities("retard de livraison") == [0.0, 0.0]
    assert blank.similarities_to("retard", [1]) == [0.0]
    assert blank.similarity_matrix(["a", "b"]).shape == (2, 2)
    index = SimilarityIndex(["coupure d'électricité"], [])
    assert index.similarities("") == [0.0]
    assert index.similarities_to("coupure", []) == []
    with pytest.raises(IndexError):
        index.similarities_to("coupure", [-1])  # not silently the last document


def test_late_delivery_incident_is_closest_to_the_delivery_delay_clause() -> None:
    clauses = [
        "Article 9 – Pénalités pour retard de livraison : 1/1000e du montant par jour calendaire de retard.",
        "Article 11 – Le titulaire assure la confidentialité des données qui lui sont confiées.",
        "Article 12 – Toute absence du chef d'équipe aux réunions de chantier est pénalisée de 150 €.",
    ]
    incident = "Livraison des fournitures reçue avec six jours de retard sur la date prévue"
    sims = SimilarityIndex(clauses, [incident]).similarities(incident)
    assert max(range(3), key=sims.__getitem__) == 0
    for scores in (char_similarities(incident, clauses), stem_similarities(incident, clauses)):
        assert max(range(3), key=scores.__getitem__) == 0


# ---------------------------------------------------------------------------- one query, few candidates

def test_pairwise_similarities_match_sklearn() -> None:
    rng = random.Random(21)
    # a few recurring candidate lists (a contract's penalty quotes) and many queries
    lists = [_texts(rng, rng.randint(1, 6), 3) for _ in range(5)] + [[""], ["", "   "], []]
    queries = _texts(rng, 40, 3) + ["", "  ", "\u0301", "à", "Ça va", "🚚"]
    worst = 0.0
    for query in queries:
        for candidates in lists:
            for stem, ours in ((False, char_similarities), (True, stem_similarities)):
                expected = _reference_pairwise(query, candidates, stem=stem)
                got = ours(query, candidates)
                assert len(got) == len(expected)
                worst = max([worst, *(abs(a - b) for a, b in zip(got, expected))])
    assert worst < 1e-12


def test_candidates_equal_to_the_query_score_one() -> None:
    text = "Retard de 3 jours sur la livraison des repas"
    assert char_similarities(text, [text, "nettoyage des vitres"])[0] == pytest.approx(1.0, abs=1e-12)
    assert stem_similarities(text, [text, "nettoyage des vitres"])[0] == pytest.approx(1.0, abs=1e-12)


def test_string_path_for_too_many_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(similarity, "_ranks_of", lambda text: None)
    monkeypatch.setattr(similarity, "_queries", similarity._ByteLRU(1 << 20))
    monkeypatch.setattr(similarity, "_models", similarity._ByteLRU(1 << 20))
    rng = random.Random(3)
    candidates = _texts(rng, 4, 3)
    for query in _texts(rng, 10, 2):
        expected = _reference_pairwise(query, candidates, stem=False)
        got = char_similarities(query, candidates)
        assert max(abs(a - b) for a, b in zip(got, expected)) < 1e-12


def test_caches_stay_within_their_byte_budget() -> None:
    cache = similarity._ByteLRU(200_000)
    rng = random.Random(4)
    for i in range(30):
        texts = tuple(_texts(rng, 3, 4))
        model = similarity._build_model([similarity._stem_terms(t) for t in texts])
        cache.put(("stem", (*texts, str(i))), model, model.nbytes)
        assert cache.size <= cache.budget
    assert cache.size == sum(m.nbytes for m, _ in cache.items.values())
    assert cache.get(("stem", (*texts, "29"))) is model  # the last one is kept
