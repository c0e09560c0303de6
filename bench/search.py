"""Search benchmark: a generated portfolio of N French clauses (default 1,000,000).

Prints, for the embedded engine (and OpenSearch when --opensearch-url is given):
indexing rate, index size, p50/p95/p99 latency of realistic queries with facets and
highlights, and, beside it, a bare tantivy query on the same index (the ceiling: no
snippet, no facet, no query building).

    .venv/bin/python bench/search.py --clauses 1000000 --queries 500
    .venv/bin/python bench/search.py --clauses 100000 --opensearch-url http://127.0.0.1:9200 \
        --opensearch-max 100000

No assertion on timings: read the figures.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search import EmbeddedBackend, SearchRecord  # noqa: E402
from search.records import FACET_FIELDS  # noqa: E402

CCAGS = ("FCS", "Travaux", "TIC", "PI", "MI", "MOE")
KINDS = ("ccap", "ccap", "ccap", "ae", "cctp", "avenant")
CLAUSE_TYPES = ("penalite", "delai", "resiliation", "paiement", "garantie", "assurance", "reception",
                "sous_traitance", "prix", "confidentialite", "reversibilite", None)
SUBJECTS = ("le titulaire", "le prestataire", "l'entrepreneur", "le fournisseur", "le cocontractant",
            "le mandataire du groupement", "l'acheteur", "le pouvoir adjudicateur", "le maître d'œuvre")
OBJECTS = ("des fournitures", "des travaux", "des prestations", "du logiciel", "des repas", "du mobilier",
           "des études", "des équipements informatiques", "des ouvrages", "du rapport mensuel",
           "des documents d'exécution", "du dossier des ouvrages exécutés", "des bons de commande")
EVENTS = ("la notification du marché", "la réception de l'ordre de service", "la date de livraison prévue",
          "la réception de la demande de paiement", "la constatation du manquement", "la mise en demeure",
          "l'émission du bon de commande", "la fin de la période de garantie", "la réunion de lancement")
TEMPLATES = (
    "En cas de retard dans l'exécution {obj}, {subj} encourt une pénalité de {amount} € HT par jour {days} "
    "de retard, sans mise en demeure préalable.",
    "Par dérogation à l'article {ccag_art} du CCAG-{ccag}, les pénalités sont plafonnées à {pct} % du "
    "montant total hors taxes du marché.",
    "Les pénalités dont le montant cumulé n'excède pas {amount} € HT ne sont pas appliquées.",
    "Le délai global de paiement est fixé à {n} jours à compter de {event}.",
    "{Subj} remet {obj} dans un délai de {n} jours {days} à compter de {event}.",
    "Le marché peut être résilié pour faute {of_subj} après une mise en demeure restée infructueuse pendant "
    "{n} jours.",
    "À l'échéance du marché, {subj} assure la réversibilité des données et leur restitution dans un format "
    "ouvert, dans un délai de {n} jours.",
    "La durée de la garantie {obj} est de {n} mois à compter de {event}.",
    "{Subj} justifie d'une assurance couvrant sa responsabilité civile professionnelle et transmet "
    "l'attestation correspondante dans un délai de {n} jours.",
    "L'absence {of_subj} à une réunion de chantier ou à un comité de pilotage donne lieu à une pénalité "
    "forfaitaire de {amount} € HT par absence.",
    "En cas d'indisponibilité du service, {subj} rétablit le fonctionnement dans un délai de {n} heures ; "
    "au-delà, une pénalité de {amount} € par heure commencée est appliquée.",
    "Les prestations rejetées sont remplacées par {subj} dans un délai de {n} jours ouvrés à compter de "
    "la notification du rejet.",
    "Le délai d'exécution peut être prolongé en cas d'intempéries dûment constatées, sur demande "
    "{of_subj} présentée dans les {n} jours.",
    "{Subj} informe l'acheteur de toute violation de données personnelles dans un délai de {n} heures "
    "après en avoir pris connaissance.",
    "Les prix sont révisés annuellement par application de l'indice {index} publié au Moniteur.",
    "La sous-traitance d'une partie {obj} est soumise à l'acceptation préalable de l'acheteur et à "
    "l'agrément des conditions de paiement de chaque sous-traitant.",
)
HEADINGS = {
    0: "Pénalités de retard", 1: "Plafonnement des pénalités", 2: "Exonération", 3: "Délai de paiement",
    4: "Documents à remettre", 5: "Résiliation pour faute", 6: "Réversibilité", 7: "Garantie",
    8: "Assurances", 9: "Absence aux réunions", 10: "Niveaux de service", 11: "Remplacement des prestations",
    12: "Prolongation des délais", 13: "Protection des données", 14: "Révision des prix", 15: "Sous-traitance",
}
SUPPLIERS = [f"{a} {b}" for a in ("Atelier", "Groupe", "Société", "Entreprise", "Compagnie", "Bureau")
             for b in ("Delmas", "Arnaud", "Lefèvre", "Océane", "Bréhat", "Vauban", "Garonne", "Morvan",
                       "Cévennes", "Armor", "Sologne", "Vexin", "Quercy", "Ardennes", "Vosges")]

QUERIES = (
    "plafond des pénalités", "réversibilité", "résiliation pour faute", "pénalités de retard de livraison",
    "délai de paiement", "exonération des pénalités", "attestation d'assurance", "absence aux réunions",
    "prolongation intempéries", "violation de données personnelles", "garantie du mobilier",
    "remplacement des prestations rejetées", "révision des prix", "sous-traitance paiement",
    "indisponibilité rétablissement", "\"mise en demeure\"", "pénalité par heure", "dossier des ouvrages exécutés",
    "rapport mensuel", "délai de garantie", "pénalités SAUF absence", "retard OU indisponibilité",
)
FILTERS = ("", "", "type:penalite", "ccag:FCS", "ccag:TIC", "annee:2022..2024", "piece:ccap",
           "annee:>=2024", "type:delai ccag:Travaux")


def generate(n: int, seed: int = 7) -> Iterator[SearchRecord]:
    rnd = random.Random(seed)
    contracts = max(1, n // 120)
    for i in range(n):
        c = i // 120 if n >= 120 else 0
        t = rnd.randrange(len(TEMPLATES))
        subj = rnd.choice(SUBJECTS)
        text = TEMPLATES[t].format(
            subj=subj, Subj=subj[0].upper() + subj[1:], of_subj="du " + subj[3:] if subj.startswith("le ")
            else "de " + subj, obj=rnd.choice(OBJECTS), amount=rnd.choice((50, 100, 150, 200, 300, 500, 1000)),
            days=rnd.choice(("calendaire", "ouvré", "")), pct=rnd.choice((5, 8, 10, 15)),
            ccag=CCAGS[c % 6], ccag_art=rnd.choice(("14.1", "19.2.3", "14.1.3", "20.1")),
            n=rnd.choice((2, 3, 5, 8, 10, 15, 30, 45, 60)), event=rnd.choice(EVENTS),
            index=rnd.choice(("BT01", "Syntec", "TP01", "ICHT-E")),
        )
        # a second sentence makes clauses longer and less uniform
        if rnd.random() < 0.6:
            text += " " + TEMPLATES[rnd.randrange(len(TEMPLATES))].format(
                subj=subj, Subj=subj[0].upper() + subj[1:], of_subj="du titulaire", obj=rnd.choice(OBJECTS),
                amount=100, days="calendaire", pct=10, ccag=CCAGS[c % 6], ccag_art="14.1", n=30,
                event=rnd.choice(EVENTS), index="BT01")
        year = 2019 + (c % 8)
        yield SearchRecord(
            id=f"cl-{i}", record_type="clause", path=f"contrats/C{c:06d}/ccap.pdf", document_id=f"doc-{c}",
            text=text, contract_ref=f"{year}-{CCAGS[c % 6][:3].upper()}-{c:06d}",
            supplier=SUPPLIERS[c % len(SUPPLIERS)], ccag=CCAGS[c % 6], doc_kind=KINDS[c % len(KINDS)],
            clause_type=CLAUSE_TYPES[t % len(CLAUSE_TYPES)], year=year,
            article=f"{rnd.randint(1, 15)}.{rnd.randint(1, 6)}", heading=HEADINGS[t], page=rnd.randint(1, 40),
        )
    del contracts


def workload(n: int, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    return [f"{rnd.choice(QUERIES)} {rnd.choice(FILTERS)}".strip() for _ in range(n)]


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(label: str, times: list[float]) -> None:
    ms = [t * 1000 for t in times]
    print(f"  {label:<42} p50 {pct(ms, .5):7.1f} ms   p95 {pct(ms, .95):7.1f} ms   p99 {pct(ms, .99):7.1f} ms"
          f"   mean {statistics.fmean(ms):6.1f} ms")


def bench_embedded(args: argparse.Namespace, queries: list[str]) -> None:
    root = Path(args.index_dir) if args.index_dir else Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    path = root / "embedded"
    if path.exists() and not args.reuse:
        shutil.rmtree(path)
    backend = EmbeddedBackend(path, writer_heap=args.writer_heap_mb * 1_000_000)
    print(f"embedded (tantivy) — index in {path}")
    if backend.count() != args.clauses:
        t0 = time.perf_counter()
        backend.rebuild(generate(args.clauses))
        dt = time.perf_counter() - t0
        print(f"  indexed {args.clauses:,} clauses in {dt:.1f} s: {args.clauses / dt:,.0f} clauses/s")
    backend.close()
    backend = EmbeddedBackend(path)  # reopen, as a fresh process would
    print(f"  documents {backend.count():,}, index size {dir_size(path) / 1e6:,.0f} MB")
    facets = list(FACET_FIELDS)
    for q in queries[:20]:  # warm the OS page cache and tantivy's readers
        backend.search(q, facets=facets)
    full, plain = [], []
    totals = []
    for q in queries:
        t0 = time.perf_counter()
        res = backend.search(q, facets=facets, size=10)
        full.append(time.perf_counter() - t0)
        totals.append(res.total)
        t0 = time.perf_counter()
        backend.search(q, size=10)
        plain.append(time.perf_counter() - t0)
    report("search + 6 facets + highlights", full)
    report("search + highlights (no facet)", plain)
    # the ceiling: tantivy's own parser on the same index, top 10, no snippet, no facet
    index = backend._index  # noqa: SLF001 - benchmark reads the engine directly on purpose
    bare = []
    for q in queries:
        text = " ".join(w for w in q.split() if ":" not in w and w not in ("SAUF", "OU")).replace('"', "")
        t0 = time.perf_counter()
        tq, _ = index.parse_query_lenient(text or "*", ["heading", "text"])
        index.searcher().search(tq, 10)
        bare.append(time.perf_counter() - t0)
    report("bare tantivy query (ceiling)", bare)
    print(f"  matching records per query: median {statistics.median(totals):,.0f}")
    backend.close()
    if not args.index_dir:
        shutil.rmtree(root, ignore_errors=True)


def bench_opensearch(args: argparse.Namespace, queries: list[str]) -> None:
    from search import OpenSearchBackend

    n = min(args.clauses, args.opensearch_max)
    backend = OpenSearchBackend(args.opensearch_url, "bench", refresh=False)
    print(f"opensearch ({args.opensearch_url}) — {n:,} clauses")
    t0 = time.perf_counter()
    backend.rebuild(generate(n))
    dt = time.perf_counter() - t0
    print(f"  indexed {n:,} clauses in {dt:.1f} s: {n / dt:,.0f} clauses/s")
    backend.client.indices.forcemerge(index=backend.alias, max_num_segments=1, request_timeout=600)
    stats = backend.client.indices.stats(index=backend.alias)
    print(f"  documents {backend.count():,}, index size {stats['_all']['primaries']['store']['size_in_bytes'] / 1e6:,.0f} MB")
    facets = list(FACET_FIELDS)
    for q in queries[:20]:
        backend.search(q, facets=facets)
    full = []
    for q in queries:
        t0 = time.perf_counter()
        backend.search(q, facets=facets, size=10)
        full.append(time.perf_counter() - t0)
    report("search + 6 facets + highlights", full)
    if not args.keep:
        backend.drop()
    backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clauses", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--index-dir", help="keep the embedded index here (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true", help="reuse an index of the same size in --index-dir")
    parser.add_argument("--writer-heap-mb", type=int, default=256)
    parser.add_argument("--no-embedded", action="store_true")
    parser.add_argument("--opensearch-url", help="also bench this OpenSearch (e.g. tools/search-node/run.sh)")
    parser.add_argument("--opensearch-max", type=int, default=200_000,
                        help="cap of clauses sent to OpenSearch (a 512 MB heap node is slow on 1M)")
    parser.add_argument("--keep", action="store_true", help="keep the OpenSearch bench index")
    args = parser.parse_args()
    queries = workload(args.queries)
    print(f"{args.clauses:,} generated clauses, {len(queries)} queries (facets: {', '.join(FACET_FIELDS)})")
    if not args.no_embedded:
        bench_embedded(args, queries)
    if args.opensearch_url:
        bench_opensearch(args, queries)


if __name__ == "__main__":
    main()
