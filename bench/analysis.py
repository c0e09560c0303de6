"""Analysis throughput and memory on a synthetic 300-page CCAP-like portfolio.

Prints, for one process (one core):
- words/s and pages/s of `analyze_document` over the portfolio;
- words/s of spaCy's bare French tokenizer over the same text (the ceiling);
- the ratio between the two;
- resident memory after each repeated batch (should stay flat: `memory_zone`).

Run: .venv/bin/python bench/analysis.py [--pages 300] [--repeats 4]
No assertion on timings: numbers are for reading.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.domain.types import Page, ParsedDocument  # noqa: E402

BUYERS = ("la commune de Lanvéoc", "le département de l'Orne-Haute", "la métropole Rhône-Saône",
          "le centre hospitalier de Mirande", "le syndicat des eaux de la Vézère")
PARTIES = ("Le titulaire", "Le prestataire", "Le fournisseur", "L'entrepreneur")
BUYER_SUBJECTS = ("L'acheteur", "Le pouvoir adjudicateur", "Le maître d'ouvrage")
RECIPIENTS = ("à l'acheteur", "au pouvoir adjudicateur", "au maître d'ouvrage")
VERBS = ("remet", "transmet", "adresse", "communique", "fournit")
THINGS = ("le rapport d'activité", "le planning détaillé", "les attestations d'assurance",
          "le compte rendu de visite", "la liste des intervenants", "le dossier des ouvrages exécutés")
EVENTS = ("la notification du bon de commande", "la réception de la demande", "la fin de chaque mois",
          "la réunion de lancement", "la date de livraison", "la décision de rejet")
NUMBERS = (("cinq", 5), ("dix", 10), ("quinze", 15), ("vingt", 20), ("trente", 30), ("quarante-cinq", 45))
DAY_TYPES = ("", " calendaires", " ouvrés", " ouvrables")


def synthetic_page(rng: random.Random, article: int) -> str:
    lines = [f"Article {article} – Stipulations d'exécution n° {article}"]
    for sub in range(1, 5):
        word, value = rng.choice(NUMBERS)
        lines.append(f"{article}.{sub} – Sous-article")
        lines.append(
            f"{rng.choice(PARTIES)} {rng.choice(VERBS)} {rng.choice(RECIPIENTS)} "
            f"{rng.choice(THINGS)} dans un délai de {word} ({value}) jours{rng.choice(DAY_TYPES)} "
            f"à compter de {rng.choice(EVENTS)}. "
            f"{rng.choice(BUYER_SUBJECTS)} procède aux vérifications dans un délai de {value} jours "
            f"suivant la remise des documents. {rng.choice(BUYER_SUBJECTS)} peut demander des "
            f"compléments d'information lorsque les documents remis sont incomplets. Les prestations "
            f"sont exécutées conformément aux stipulations du présent cahier et aux règles de l'art, "
            f"pour le compte de {rng.choice(BUYERS)}, sans que le titulaire puisse se prévaloir "
            f"d'une quelconque sujétion non prévue au marché."
        )
    return "\n".join(lines) + "\n"


def synthetic_portfolio(pages: int, pages_per_doc: int, seed: int = 7) -> list[ParsedDocument]:
    rng = random.Random(seed)
    docs: list[ParsedDocument] = []
    article = 1
    for d in range(0, pages, pages_per_doc):
        header = ("CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES\n"
                  f"Marché de services n° 2026-{d:03d} – {rng.choice(BUYERS)}\n\n")
        texts, page_objs, pos = [], [], 0
        for p in range(min(pages_per_doc, pages - d)):
            body = (header if p == 0 else "") + synthetic_page(rng, article)
            article += 1
            page_objs.append(Page(number=p + 1, text=body, start=pos))
            texts.append(body)
            pos += len(body) + 1
        docs.append(ParsedDocument(status="parsed", format="pdf", text="\n".join(texts),
                                   pages=tuple(page_objs), paginated=True))
    return docs


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--pages-per-doc", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()

    from nlp.analyze import analyze_document
    from nlp.pipeline import get_pipeline

    docs = synthetic_portfolio(args.pages, args.pages_per_doc)
    words = sum(len(d.text.split()) for d in docs)
    pages = sum(len(d.pages) for d in docs)
    model_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-models-"))

    t0 = time.perf_counter()
    nlp = get_pipeline()
    analyze_document(docs[0], model_dir=model_dir)  # warm-up: pipeline load, model training
    warm = time.perf_counter() - t0
    print(f"portfolio: {len(docs)} documents, {pages} pages, {words} words (1 process = 1 core)")
    print(f"warm-up (spaCy load + model training/loading): {warm:.1f} s")

    t0 = time.perf_counter()
    for doc in docs:
        nlp.tokenizer(doc.text)
    bare = time.perf_counter() - t0
    print(f"bare spaCy tokenizer: {words / bare:,.0f} words/s ({pages / bare:,.1f} pages/s)")

    rss: list[float] = []
    elapsed: list[float] = []
    counts = {"deadlines": 0, "obligations": 0, "penalties": 0}
    for repeat in range(args.repeats):
        t0 = time.perf_counter()
        for doc in docs:
            result = analyze_document(doc, model_dir=model_dir)
            if repeat == 0:
                counts["deadlines"] += len(result.deadlines)
                counts["obligations"] += len(result.obligations)
                counts["penalties"] += len(result.penalties)
        elapsed.append(time.perf_counter() - t0)
        rss.append(rss_mb())
    best = min(elapsed)
    print(f"analyze_document: {words / best:,.0f} words/s, {pages / best:,.2f} pages/s "
          f"(best of {args.repeats}; runs {', '.join(f'{e:.1f}' for e in elapsed)} s)")
    print(f"ratio analysis / bare tokenizer: {(words / best) / (words / bare):.3f} "
          f"(tokenizer is {bare and best / bare:.0f}x faster)")
    print(f"items per pass: {counts}")
    print("resident memory after each pass (MB): " + ", ".join(f"{r:.0f}" for r in rss))
    print(f"peak resident memory (MB): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
