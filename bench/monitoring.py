"""Throughput of evaluate_portfolio on a synthetic portfolio (incidents × letters grow together).

Prints, for each size: contracts, letters, incidents, seconds, ms per incident, and how many
findings came out as breaches / acted on. No assertion on timings: numbers are for reading.

Run: .venv/bin/python bench/monitoring.py [--sizes 30 120 480]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.services.monitoring import AnalysedDocument, evaluate_portfolio  # noqa: E402
from models.domain.types import (  # noqa: E402
    ContractInfo,
    Deadline,
    DocumentAnalysis,
    Incident,
    ParsedDocument,
    Penalty,
    SupplierInfo,
)

SUPPLIERS = ("Ateliers Berthier", "Numéris Conseil", "Bâtiments du Causse", "Propreté Armor", "Viatech Réseaux",
             "Mobilis Ouest", "Sodilec", "Jardins de Loire")


def _penalties() -> tuple[Penalty, ...]:
    return (
        Penalty(article="9.1", page=None, trigger="retard", basis="ratio_per_unit", ratio=0.001, unit="jour",
                quote="En cas de retard de livraison d'une commande, pénalité P = V x R / 1000."),
        Penalty(article="9.2", page=None, trigger="absence", basis="fixed_per_unit", amount_eur=150.0,
                unit="occurrence", quote="L'absence à une réunion de suivi donne lieu à une pénalité de 150 €."),
        Penalty(article="9.3", page=None, trigger="document", basis="fixed_per_unit", amount_eur=100.0,
                unit="occurrence", quote="Tout rapport mensuel non remis donne lieu à une pénalité de 100 €."),
        Penalty(article="9.4", page=None, trigger="indisponibilite", basis="fixed_per_unit", amount_eur=80.0,
                unit="heure", started_unit_counts=True,
                quote="Dépassement du délai de rétablissement fixé à l'article 4.1 : 80 € par heure."),
    )


def _deadlines() -> tuple[Deadline, ...]:
    return (Deadline(article="4.1", page=None, quote="Le titulaire rétablit le service sous quatre heures.",
                     duration=4, unit="heure", anchor="signalement", party="titulaire"),)


def build(n_incidents: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    n_contracts = max(2, n_incidents // 15)
    contracts, suppliers, documents, incidents = [], [], [], []
    for c in range(n_contracts):
        siret = f"{rng.randrange(10**13, 10**14)}"
        name = f"{SUPPLIERS[c % len(SUPPLIERS)]} {c}"
        suppliers.append(SupplierInfo(siret, name))
        ref = f"2025-BEN-{c:03d}"
        contracts.append(ContractInfo(ref=ref, title=f"Prestations diverses lot {c}", ccag="FCS", ccag_version=2021,
                                      supplier_siret=siret, amount_ht_eur=150000.0,
                                      notified_on=dt.date(2025, 1, 1), duration_months=36))
        documents.append(AnalysedDocument(f"contracts/{ref}/ccap.txt", ref,
                                          ParsedDocument(status="parsed", format="txt", text="CCAP"),
                                          DocumentAnalysis(kind="ccap", kind_confidence=1.0,
                                                           penalties=_penalties(), deadlines=_deadlines())))
    for i in range(n_incidents):
        c = rng.randrange(n_contracts)
        ref, name = contracts[c].ref, suppliers[c].name
        day = dt.date(2025, 2, 1) + dt.timedelta(days=rng.randrange(300))
        order = f"{c:02d}-{i:04d}"
        kind = i % 4
        if kind == 0:
            text = (f"Commande {order} (mobilier, {rng.randrange(1, 40) * 500:,} € HT) attendue le "
                    f"{day:%d/%m/%Y}, livrée le {day + dt.timedelta(days=rng.randrange(1, 20)):%d/%m/%Y}.")
        elif kind == 1:
            text = f"Réunion de suivi du {day:%d/%m/%Y} : absence de {name}."
        elif kind == 2:
            text = f"Rapport mensuel non transmis par {name} (échéance {day:%d/%m/%Y})."
        else:
            text = f"Portail indisponible le {day:%d/%m/%Y} de 08h00 à {9 + rng.randrange(10)}h30, ticket T-{i}."
        incidents.append(Incident(f"B-{i:05d}", day, ref if i % 5 else None, "Service", text.replace(",", " "),
                                  day))
        if i % 3 == 0:
            letter = (f"Objet : marché {ref} – mise en demeure\nLe {day + dt.timedelta(days=25):%d/%m/%Y}\n"
                      f"Je vous mets en demeure au sujet de la commande {order} attendue le {day:%d/%m/%Y}.")
            documents.append(AnalysedDocument(f"correspondence/l{i}.txt", None,
                                              ParsedDocument(status="parsed", format="txt", text=letter),
                                              DocumentAnalysis(kind="mise_en_demeure", kind_confidence=0.9)))
    return {"contracts": contracts, "suppliers": suppliers, "documents": documents, "incidents": incidents}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 120, 480])
    args = parser.parse_args()
    print(f"{'contracts':>9} {'letters':>8} {'incidents':>9} {'seconds':>8} {'ms/incident':>12} "
          f"{'breaches':>8} {'acted':>6}")
    for size in args.sizes:
        portfolio = build(size)
        letters = sum(1 for d in portfolio["documents"] if d.analysis.kind != "ccap")
        start = time.perf_counter()
        findings = evaluate_portfolio(**portfolio, as_of=dt.date(2026, 6, 30))
        elapsed = time.perf_counter() - start
        print(f"{len(portfolio['contracts']):>9} {letters:>8} {size:>9} {elapsed:>8.2f} "
              f"{1000 * elapsed / size:>12.1f} {sum(f.breach for f in findings):>8} "
              f"{sum(f.acted_on for f in findings):>6}")


if __name__ == "__main__":
    main()
