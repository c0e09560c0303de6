"""Daily scan benchmark: regime + penalty computation + contract limits + next steps.

Generates a synthetic portfolio (default 2 000 contracts, 50 000 incidents) with a fixed
seed, runs the compliance engine over it on one core and prints wall time and peak memory.
No assertion on timings. Run: .venv/bin/python bench/scan.py [--contracts N] [--incidents M]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.compliance import (  # noqa: E402
    BreachFacts,
    NextStepFacts,
    add_duration,
    apply_contract_limits,
    compute_penalty,
    contract_item,
    effective_regime,
    next_step,
)
from models.domain.types import ContractInfo, Penalty, Termination  # noqa: E402

CCAGS = [("FCS", 2009), ("FCS", 2021), ("Travaux", 2009), ("Travaux", 2021), ("TIC", 2021), ("PI", 2021),
         ("MI", 2021), ("MOE", 2021)]


def _penalties(rng: random.Random) -> list[Penalty]:
    cap = rng.choice([None, None, 5.0, 8.0, 10.0])
    threshold = rng.choice([None, None, 0.0, 500.0])
    return [
        Penalty("7.1", None, "retard de livraison", "retard", "ratio_per_unit", ratio=rng.choice([1 / 1000, 1 / 3000]),
                unit="jour", cap_percent=rng.choice([None, 10.0]), cap_scope="bon_de_commande", threshold_eur=threshold),
        Penalty("7.2", None, "retard en jours ouvrés", "retard", "fixed_per_unit", amount_eur=rng.choice([50, 80, 150]),
                unit=rng.choice(["jour_ouvre", "jour_ouvrable", "jour"]), cap_percent=cap, cap_scope="contrat"),
        Penalty("7.3", None, "indisponibilité", "indisponibilite", "fixed_per_unit", amount_eur=200, unit="heure",
                grace_duration=4, grace_unit="heure", started_unit_counts=True),
        Penalty("7.4", None, "absence", "absence", "fixed_per_unit", amount_eur=300, unit="occurrence"),
        Penalty("7.5", None, "rapport manquant", "document", "fixed", amount_eur=250),
    ]


def generate(n_contracts: int, n_incidents: int, seed: int = 2026):
    rng = random.Random(seed)
    contracts = []
    for i in range(n_contracts):
        ccag, version = rng.choice(CCAGS)
        notified = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randrange(0, 1500))
        terminated = None
        if rng.random() < 0.03:
            terminated = Termination(on=notified + dt.timedelta(days=rng.randrange(200, 700)), kind="faute")
        contract = ContractInfo(ref=f"B-{i:05d}", ccag=ccag, ccag_version=version,
                                amount_ht_eur=float(rng.randrange(20_000, 2_000_000, 100)),
                                notified_on=notified, duration_months=rng.choice([12, 24, 36, 48]),
                                terminated=terminated)
        contracts.append((contract, _penalties(rng), rng.random() < 0.3))
    incidents = []
    for j in range(n_incidents):
        index = rng.randrange(n_contracts)
        contract = contracts[index][0]
        occurred = contract.notified_on + dt.timedelta(days=rng.randrange(10, 900))
        incidents.append((f"INC-{j:06d}", index, occurred, rng.randrange(5), rng))
    return contracts, incidents


def scan(contracts, incidents, as_of: dt.date) -> tuple[int, float]:
    by_contract: dict[int, list] = {}
    for inc in incidents:
        by_contract.setdefault(inc[1], []).append(inc)
    steps = 0
    total = 0.0
    for index, (contract, penalties, applies_ccag) in enumerate(contracts):
        regime = effective_regime(contract, penalties, [("14.1.3", "9")] if index % 7 == 0 else [], applies_ccag)
        items, comps = [], []
        for incident_id, _, occurred, which, rng in by_contract.get(index, []):
            penalty = penalties[which]
            start = occurred - dt.timedelta(days=30)
            due = add_duration(start, 30, "jour", "ouvre" if which == 1 else None)
            performed = None if rng.random() < 0.1 else occurred + dt.timedelta(days=rng.randrange(1, 60))
            facts = BreachFacts(due=due, performed=performed, as_of=as_of,
                                outage_hours=rng.uniform(1, 30), value_eur=float(rng.randrange(500, 60_000)))
            comp = compute_penalty(penalty, facts, contract=contract)
            comps.append((comp, performed, which))
            items.append(contract_item(incident_id, occurred, comp.amount_eur, penalty, regime))
        for limited, (_comp, performed, which) in zip(apply_contract_limits(items, regime), comps, strict=True):
            step = next_step(NextStepFacts(breach=True, penalty_eur=limited.amount_eur, is_delay=which < 2,
                                           performed=performed is not None), regime, contract, as_of)
            steps += step is not None
            total += limited.amount_eur or 0.0
    return steps, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--incidents", type=int, default=50_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    contracts, incidents = generate(args.contracts, args.incidents)
    t1 = time.perf_counter()
    steps, total = scan(contracts, incidents, as_of=dt.date(2026, 6, 30))
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"contracts={args.contracts} incidents={args.incidents}")
    print(f"generate: {t1 - t0:.2f} s")
    print(f"scan (regime + compute + limits + next steps): {t2 - t1:.2f} s "
          f"({args.incidents / (t2 - t1):,.0f} incidents/s)")
    print(f"peak RSS: {peak_mb:.0f} MB; next steps: {steps}; total penalties: {total:,.2f} EUR")


if __name__ == "__main__":
    main()
