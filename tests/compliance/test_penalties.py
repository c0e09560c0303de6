"""One clause, one incident: hand-checked arithmetic for each basis and counting rule."""

import datetime as dt

from models.compliance.penalties import BreachFacts, compute_penalty
from models.domain.types import ContractInfo, Penalty, Termination

D = dt.date


def pen(**kw) -> Penalty:
    base = dict(article="12.1", page=None, quote="clause", trigger="retard", basis="fixed_per_unit")
    base.update(kw)
    return Penalty(**base)


FCS21 = ContractInfo(ref="M-2025-07", ccag="FCS", ccag_version=2021, amount_ht_eur=60_000.0)


def test_ratio_per_calendar_day_spelled_out():
    p = pen(basis="ratio_per_unit", ratio=0.001, unit="jour")
    # due Friday 6 March 2026, delivered Monday 16 March: 10 days; 7 850 × 10 / 1 000
    out = compute_penalty(p, BreachFacts(due=D(2026, 3, 6), performed=D(2026, 3, 16), value_eur=7850),
                          contract=FCS21)
    assert out.amount_eur == 78.50
    assert out.days_late == 10
    assert "7 850,00 € × 10 j / 1 000 = 78,50 €" in out.computation
    assert not out.needs_review


def test_ratio_rounds_half_up_to_the_cent():
    p = pen(basis="ratio_per_unit", ratio=0.001, unit="jour")
    out = compute_penalty(p, BreachFacts(due=D(2026, 1, 5), performed=D(2026, 1, 8), value_eur=2345.55),
                          contract=FCS21)
    assert out.amount_eur == 7.04  # 7.03665


def test_fixed_per_working_day_skips_holidays():
    p = pen(amount_eur=60.0, unit="jour_ouvre")
    # due Tuesday 12 May 2026, done Tuesday 26 May: 8 working days (Ascension, Pentecôte excluded)
    out = compute_penalty(p, BreachFacts(due=D(2026, 5, 12), performed=D(2026, 5, 26)), contract=FCS21)
    assert out.days_late == 8
    assert out.amount_eur == 480.0
    assert "jours ouvrés" in out.computation


def test_granted_extension_moves_the_due_date():
    p = pen(amount_eur=100.0, unit="jour")
    facts = BreachFacts(due=D(2025, 11, 3), extension_days=5, performed=D(2025, 11, 12))
    out = compute_penalty(p, facts, contract=FCS21)
    assert out.days_late == 4  # new due 8 November; 9, 10, 11, 12
    assert out.amount_eur == 400.0
    assert "prolongation" in out.computation


def test_started_hours_beyond_a_four_hour_grace():
    p = pen(trigger="indisponibilite", amount_eur=90.0, unit="heure", grace_duration=4, grace_unit="heure",
            started_unit_counts=True)
    # outage of 9 h 40: 5 h 40 beyond the grace → 6 started hours
    out = compute_penalty(p, BreachFacts(outage_hours=9 + 40 / 60), contract=FCS21)
    assert out.units == 6
    assert out.amount_eur == 540.0
    assert out.days_late is None
    within = compute_penalty(p, BreachFacts(outage_hours=3.0), contract=FCS21)
    assert within.amount_eur == 0.0


def test_hours_without_started_rule_count_full_hours_and_ask_review():
    p = pen(trigger="indisponibilite", amount_eur=90.0, unit="heure", grace_duration=4, grace_unit="heure")
    out = compute_penalty(p, BreachFacts(outage_hours=9.5), contract=FCS21)
    assert out.amount_eur == 450.0  # 5 full hours
    assert out.needs_review


def test_per_occurrence_has_no_days_late():
    p = pen(trigger="absence", amount_eur=250.0, unit="occurrence")
    out = compute_penalty(p, BreachFacts(occurrences=3), contract=FCS21)
    assert out.amount_eur == 750.0
    assert out.days_late is None


def test_fixed_and_percent():
    fixed = compute_penalty(pen(basis="fixed", amount_eur=1500.0, unit=None), BreachFacts(), contract=FCS21)
    assert fixed.amount_eur == 1500.0
    pct = compute_penalty(pen(basis="percent", ratio=0.05, unit=None, value_base="montant HT du bon de commande"),
                          BreachFacts(value_eur=8_200.0), contract=FCS21)
    assert pct.amount_eur == 410.0


def test_weeks_started_count_in_full():
    p = pen(amount_eur=300.0, unit="semaine", started_unit_counts=True)
    out = compute_penalty(p, BreachFacts(due=D(2026, 2, 2), performed=D(2026, 2, 18)), contract=FCS21)
    assert out.units == 3  # 16 days = 2 weeks and 2 days begun
    assert out.amount_eur == 900.0


def test_per_order_cap():
    p = pen(basis="ratio_per_unit", ratio=0.001, unit="jour", cap_percent=5, cap_scope="bon_de_commande")
    # 4 000 × 75 / 1 000 = 300 > 5 % of 4 000 = 200
    out = compute_penalty(p, BreachFacts(due=D(2025, 1, 10), performed=D(2025, 3, 26), value_eur=4000),
                          contract=FCS21)
    assert out.days_late == 75
    assert out.uncapped_eur == 300.0
    assert out.amount_eur == 200.0
    assert "plafonné à 5 % du bon de commande" in out.computation


def test_unknown_value_is_not_invented():
    p = pen(basis="ratio_per_unit", ratio=0.001, unit="jour")
    out = compute_penalty(p, BreachFacts(due=D(2025, 1, 10), performed=D(2025, 1, 20)), contract=FCS21)
    assert out.amount_eur is None
    assert out.needs_review and "valeur" in out.review_reason


def test_contract_amount_used_when_the_clause_says_so():
    p = pen(basis="ratio_per_unit", ratio=1 / 3000, unit="jour", value_base="montant HT du marché")
    out = compute_penalty(p, BreachFacts(due=D(2025, 6, 2), performed=D(2025, 6, 8)), contract=FCS21)
    assert out.amount_eur == 120.0  # 60 000 / 3 000 × 6
    assert "/ 3 000" in out.computation


def test_not_performed_runs_until_as_of():
    p = pen(amount_eur=50.0, unit="jour")
    out = compute_penalty(p, BreachFacts(due=D(2026, 6, 1), as_of=D(2026, 6, 21)), contract=FCS21)
    assert out.days_late == 20
    assert "non exécutée au 21/06/2026" in out.computation


def test_termination_cutoff_fcs_2009_stops_the_day_before():
    contract = ContractInfo(ref="M-2023-02", ccag="FCS", ccag_version=2009, amount_ht_eur=40_000,
                            terminated=Termination(on=D(2024, 3, 1), kind="faute"))
    p = pen(basis="ratio_per_unit", ratio=0.001, unit="jour")
    out = compute_penalty(p, BreachFacts(due=D(2024, 2, 5), as_of=D(2024, 9, 30), value_eur=5000),
                          contract=contract)
    assert out.days_late == 24  # 6 to 29 February 2024 (leap year)
    assert out.amount_eur == 120.0
    assert "34.5" in out.computation
    assert not out.needs_review


def test_termination_cutoff_travaux_2021_includes_the_effective_day():
    contract = ContractInfo(ref="T-2022-11", ccag="Travaux", ccag_version=2021, amount_ht_eur=90_000,
                            terminated=Termination(on=D(2024, 3, 1), kind="faute"))
    p = pen(basis="ratio_per_unit", ratio=1 / 3000, unit="jour", value_base="montant HT du marché")
    out = compute_penalty(p, BreachFacts(due=D(2024, 2, 5), as_of=D(2024, 9, 30)), contract=contract)
    assert out.days_late == 25
    assert out.amount_eur == 750.0


def test_termination_under_unknown_rule_is_flagged():
    contract = ContractInfo(ref="P-1", ccag="PI", ccag_version=2021, amount_ht_eur=10_000,
                            terminated=Termination(on=D(2024, 3, 1), kind="faute"))
    out = compute_penalty(pen(amount_eur=10.0, unit="jour"), BreachFacts(due=D(2024, 2, 5), as_of=D(2024, 5, 1)),
                          contract=contract)
    assert out.days_late == 24
    assert out.needs_review


def test_performance_before_termination_is_not_cut():
    contract = ContractInfo(ref="M-2023-02", ccag="FCS", ccag_version=2009,
                            terminated=Termination(on=D(2024, 3, 1), kind="faute"))
    out = compute_penalty(pen(amount_eur=10.0, unit="jour"), BreachFacts(due=D(2024, 2, 5), performed=D(2024, 2, 9)),
                          contract=contract)
    assert out.days_late == 4


def test_value_base_names_the_contract_even_when_an_order_value_is_known():
    p = pen(basis="ratio_per_unit", ratio=1 / 3000, unit="jour", value_base="montant HT du marché")
    out = compute_penalty(p, BreachFacts(due=D(2025, 6, 2), performed=D(2025, 6, 5), value_eur=9_000),
                          contract=FCS21)
    assert out.amount_eur == 60.0  # 60 000 / 3 000 × 3, not the order's 9 000


def test_value_base_of_the_order_uses_the_linked_value():
    p = pen(basis="ratio_per_unit", ratio=1 / 3000, unit="jour",
            value_base="montant HT du marché, de la tranche ou du bon de commande")
    with_order = compute_penalty(p, BreachFacts(due=D(2025, 6, 2), performed=D(2025, 6, 5), value_eur=9_000),
                                 contract=FCS21)
    assert with_order.amount_eur == 9.0 and not with_order.needs_review
    without = compute_penalty(p, BreachFacts(due=D(2025, 6, 2), performed=D(2025, 6, 5)), contract=FCS21)
    assert without.amount_eur == 60.0 and without.needs_review


def test_missing_unit_is_flagged():
    p = pen(amount_eur=75.0, unit=None)
    per_fact = compute_penalty(p, BreachFacts(occurrences=2), contract=FCS21)
    assert per_fact.amount_eur == 150.0 and per_fact.needs_review
    per_day = compute_penalty(p, BreachFacts(due=D(2025, 6, 2), performed=D(2025, 6, 4)), contract=FCS21)
    assert per_day.amount_eur == 150.0 and per_day.days_late == 2 and per_day.needs_review


def test_per_hour_delay_from_times():
    p = pen(amount_eur=45.0, unit="heure", started_unit_counts=True)
    facts = BreachFacts(due_at=dt.datetime(2026, 2, 10, 6, 30), performed_at=dt.datetime(2026, 2, 10, 8, 50))
    out = compute_penalty(p, facts, contract=FCS21)
    assert out.units == 3  # 2 h 20 late → 3 started hours
    assert out.amount_eur == 135.0
    assert "limite 10/02/2026 06 h 30" in out.computation
