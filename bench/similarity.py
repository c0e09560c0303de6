"""Similarity benchmark for the daily scan: nlp.linking (old) against nlp.similarity (new).

Generated French-ish texts (fixed seed): Q incident descriptions (60–300 chars), L letters
(400–3,000 chars), P contract profiles (~1,500 chars). Each engine runs in its own child
process so that its peak RSS is its own. Prints build time, per-call µs and peak RSS
(extra = peak − RSS before building). No assertion on timings: read the figures.

    .venv/bin/python bench/similarity.py                      # new at full size, old at 1/10
    .venv/bin/python bench/similarity.py --scale 0.2 --old-scale 0.2
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collections.abc import Sequence  # noqa: E402

from nlp.linking import fold, stems  # noqa: E402

WORDS = (
    "le la les de du des un une et en au aux par pour dans sur avec sans titulaire marché prestataire "
    "pénalité pénalités retard livraison livrée livré intervention intervenu rétablissement service "
    "chauffage climatisation ascenseur nettoyage collecte déchets repas cantine cuisine centrale "
    "délai délais jours ouvrés calendaires heures astreinte mise demeure courrier relance observations "
    "réponse réserve réserves réception procès-verbal bon commande facture montant hors taxes "
    "article CCAP CCAG cahier clauses administratives particulières techniques acte engagement "
    "gymnase école mairie médiathèque piscine crèche voirie éclairage public signalisation "
    "panne coupure fuite dégradation absence défaut conformité non-conformité exécution "
    "l’entreprise l'agent d’astreinte n’a n'ont pas été constaté signalé relevé prévu conformément "
    "Œuvre cœur Ça à où déjà très après avant entre chaque lors toute tous sous compter notification"
).split()


def _sentence(rng: random.Random, chars: int) -> str:
    parts: list[str] = []
    size = 0
    while size < chars:
        roll = rng.random()
        if roll < 0.06:
            word = str(rng.randint(1, 99999))
        elif roll < 0.08:
            word = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2025"
        elif roll < 0.09:
            word = f"INC-{rng.randint(10000, 99999)}"
        else:
            word = rng.choice(WORDS)
            if rng.random() < 0.05:
                word = word.capitalize()
        parts.append(word)
        size += len(word) + 1
        if rng.random() < 0.08:
            parts.append(rng.choice([".", ",", ";", ":", "—", "\n"]))
    return " ".join(parts)


def corpus(scale: float, seed: int = 20251126) -> tuple[list[str], list[str], list[str]]:
    rng = random.Random(seed)
    queries = [_sentence(rng, rng.randint(60, 300)) for _ in range(int(50_000 * scale))]
    letters = [_sentence(rng, rng.randint(400, 3000)) for _ in range(int(10_000 * scale))]
    profiles = [_sentence(rng, rng.randint(1200, 1800)) for _ in range(int(2_000 * scale))]
    return queries, letters, profiles


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _per_call_us(fn, calls: list) -> float:  # type: ignore[no-untyped-def, type-arg]
    start = time.perf_counter()
    for args in calls:
        fn(*args)
    return (time.perf_counter() - start) / max(len(calls), 1) * 1e6


def run_engine(engine: str, scale: float) -> dict[str, float]:
    import scipy.sparse  # noqa: F401  (imports are not the engines' memory)
    import sklearn.feature_extraction.text  # noqa: F401
    import sklearn.utils.sparsefuncs  # noqa: F401

    import nlp.similarity  # noqa: F401
    from nlp.linking import fold

    queries, letters, profiles = corpus(scale)
    rng = random.Random(1)
    for text in [*queries, *letters, *profiles]:
        fold(text)  # folding is shared with the rest of the scan: time the engines, not fold
    out: dict[str, float] = {"queries": len(queries), "letters": len(letters), "profiles": len(profiles)}
    before = _rss_mb()
    start = time.perf_counter()
    if engine == "old":
        by_letter = _SklearnIndex(letters, queries)
        by_profile = _SklearnIndex(profiles, queries)
    else:
        from nlp.similarity import SimilarityIndex, TextAnalysis

        analysis = TextAnalysis(queries)
        out["analysis_s"] = time.perf_counter() - start
        by_letter = SimilarityIndex(letters, queries, analysis=analysis)  # type: ignore[assignment]
        by_profile = SimilarityIndex(profiles, queries, analysis=analysis)  # type: ignore[assignment]
    out["build_s"] = time.perf_counter() - start
    out["extra_rss_after_build_mb"] = _rss_mb() - before
    out["extra_peak_rss_mb"] = _peak_mb() - before
    if engine == "new":
        start = time.perf_counter()
        by_profile.similarities(queries[0])  # the first full comparison transposes the documents
        out["profiles_transpose_s"] = time.perf_counter() - start
        out["extra_rss_after_transpose_mb"] = _rss_mb() - before
    sample = rng.sample(queries, min(300, len(queries)))
    positions = [rng.sample(range(len(letters)), 5) for _ in sample]
    if engine == "old":
        out["letters_5_of_all_us"] = _per_call_us(by_letter.similarities, [(q,) for q in sample[:50]])
        out["profiles_all_us"] = _per_call_us(by_profile.similarities, [(q,) for q in sample[:50]])
    else:
        out["letters_5_of_all_us"] = _per_call_us(
            by_letter.similarities_to, list(zip(sample, positions)))  # type: ignore[attr-defined]
        out["profiles_all_us"] = _per_call_us(by_profile.similarities, [(q,) for q in sample[:50]])
        chunk = queries[:1000]
        start = time.perf_counter()
        by_profile.similarity_matrix(chunk)  # type: ignore[attr-defined]
        out["profiles_matrix_per_query_us"] = (time.perf_counter() - start) / len(chunk) * 1e6
        out["unknown_query_letters_5_us"] = _per_call_us(
            by_letter.similarities_to, [(q + " imprévu", p) for q, p in zip(sample, positions)])  # type: ignore[attr-defined]
    out["peak_rss_mb"] = _peak_mb()
    return out


def run_pairwise(engine: str) -> dict[str, float]:
    rng = random.Random(2)
    quote_lists = [[_sentence(rng, 200) for _ in range(5)] for _ in range(20)]
    calls = [(_sentence(rng, 150), rng.choice(quote_lists)) for _ in range(2000)]
    if engine == "old":
        char_sims, stem_sims = _sklearn_char_similarities, _sklearn_stem_similarities
        calls = calls[:200]
    else:
        from nlp.similarity import char_similarities as char_sims
        from nlp.similarity import stem_similarities as stem_sims
    out: dict[str, float] = {}
    for name, fn in (("char", char_sims), ("stem", stem_sims)):
        out[f"{name}_first_call_us"] = _per_call_us(fn, calls)  # new queries: analysis included
        out[f"{name}_warm_us"] = _per_call_us(fn, calls)  # same calls again: queries cached
    return out



# ------------------------------------------------------------------ the plain sklearn reference
# (what the scan used before nlp.similarity; kept here only to compare speed and values)

def _sklearn_char_similarities(query: str, candidates: Sequence[str]) -> list[float]:
    """Cosine similarity of `query` to each candidate (TF-IDF over words and character
    n-grams, accents folded), in [0, 1]. Character n-grams make « livraison » meet « livré »."""
    if not candidates or not query.strip():
        return [0.0] * len(candidates)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts = [fold(query)] + [fold(c) for c in candidates]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary
        return [0.0] * len(candidates)
    sims = cosine_similarity(matrix[0:1], matrix[1:]).ravel()
    return [float(s) for s in sims]


def _sklearn_stem_similarities(query: str, candidates: Sequence[str]) -> list[float]:
    """Cosine similarity on TF-IDF weighted stems: words that every candidate shares weigh
    little, the words that tell candidates apart weigh most."""
    if not candidates or not stems(query):
        return [0.0] * len(candidates)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
    try:
        vectorizer.fit(list(candidates) + [query])
        matrix = vectorizer.transform([query, *candidates])
    except ValueError:
        return [0.0] * len(candidates)
    return [float(s) for s in cosine_similarity(matrix[0:1], matrix[1:]).ravel()]


class _SklearnIndex:
    """TF-IDF (character n-grams, accents folded) fitted once on a set of documents, so that
    many short queries can be compared with them without refitting: one fit per portfolio
    rather than one per incident × letter pair."""

    def __init__(self, documents: Sequence[str], queries: Sequence[str] = ()) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        corpus = [fold(d) for d in documents] + [fold(q) for q in queries]
        self._count = len(documents)
        self._empty = not documents or not any(text.strip() for text in corpus)
        if not self._empty:
            self._vectorizer.fit(corpus)
            self._docs = self._vectorizer.transform([fold(d) for d in documents])
            # what cosine_similarity does to the documents on every call (normalise, transpose,
            # back to CSR), done once: the per-query product is then the very same computation
            from sklearn.preprocessing import normalize

            self._docs_t = normalize(self._docs, copy=True).T.tocsr()

    def similarities(self, query: str) -> list[float]:
        """Cosine similarity of `query` to every document, in document order."""
        if self._empty:
            return [0.0] * self._count
        vector = self._vectorizer.transform([fold(query)])
        try:
            from sklearn.preprocessing import normalize
            from sklearn.utils.sparsefuncs import sparse_matmul_to_dense
        except ImportError:  # older scikit-learn: the plain (slower) path
            from sklearn.metrics.pairwise import cosine_similarity

            return [float(s) for s in cosine_similarity(vector, self._docs).ravel()]
        return [float(s) for s in sparse_matmul_to_dense(normalize(vector, copy=True), self._docs_t).ravel()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the new engine's run (1 = 50k/10k/2k)")
    parser.add_argument("--old-scale", type=float, default=0.1, help="size of the old engine's run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, what, scale = args.child.split(":")
        result = run_pairwise(engine) if what == "pairwise" else run_engine(engine, float(scale))
        print(json.dumps(result))
        return
    for engine, scale in (("new", args.scale), ("old", args.old_scale)):
        for what in ("index", "pairwise"):
            child = subprocess.run([sys.executable, __file__, "--child", f"{engine}:{what}:{scale}"],
                                   capture_output=True, text=True, check=True)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            label = f"{engine} {what}" + (f" (scale {scale})" if what == "index" else "")
            print(label)
            for key, value in result.items():
                print(f"    {key:32s} {value:12.1f}")


if __name__ == "__main__":
    main()
