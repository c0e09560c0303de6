"""Contract-level regime (threshold, cap, CCAG defaults), limits over findings, next steps."""

import datetime as dt

from models.compliance.ccag_rules import ccag_defaults
from models.compliance.engine import (
    ContractPenaltyItem,
    NextStepFacts,
    apply_contract_limits,
    contract_item,
    next_step,
)
from models.compliance.penalties import BreachFacts, compute_penalty
from models.compliance.regime import effective_regime
from models.domain.types import ContractInfo, Penalty

D = dt.date


def pen(article="5.1", **kw) -> Penalty:
    base = dict(article=article, page=None, quote=f"clause {article}", trigger="retard",
                basis="fixed_per_unit", amount_eur=100.0, unit="jour")
    base.update(kw)
    return Penalty(**base)


def amounts(results):
    return [r.amount_eur for r in results]


def test_ccag_values_carry_their_status():
    fcs09 = ccag_defaults("FCS", 2009)
    assert fcs09.threshold.value == 300 and fcs09.threshold.verified
    assert fcs09.cap.value is None
    assert ccag_defaults("Travaux", 2009).threshold.value == 1000
    tic21 = ccag_defaults("CCAG-TIC", 2021)
    assert tic21.threshold.value == 1000 and tic21.cap.value == 10 and tic21.cap.article == "14.1.2"
    assert not ccag_defaults("FCS", 2021).delay_formula.rule.verified  # [U] in FACTS.md
    assert ccag_defaults("Travaux", 2021).delay_formula.rule.verified
    assert ccag_defaults("PI", 2009) is None  # nothing read for it: no guess


def test_ccap_threshold_and_cap_win_over_ccag():
    contract = ContractInfo(ref="A", ccag="FCS", ccag_version=2021, amount_ht_eur=30_000)
    penalties = [pen("8.1", cap_percent=5, cap_scope="contrat", threshold_eur=0.0),
                 pen("8.2", cap_percent=5, cap_scope="contrat")]
    regime = effective_regime(contract, penalties, [("14.1.3", "8.5")], False)
    assert regime.threshold.value == 0 and regime.threshold.origin == "ccap"
    assert regime.cap.value == 5 and regime.cap_amount_eur == 1500
    # the article that derogates to the CCAG exoneration is the one a jurist cites
    assert regime.threshold.source == "CCAP art. 8.5"


def test_silent_ccap_gets_ccag_threshold_and_cap():
    contract = ContractInfo(ref="B", ccag="Travaux", ccag_version=2021, amount_ht_eur=420_000)
    regime = effective_regime(contract, [pen("6")], [], True)
    assert regime.threshold.value == 1000 and regime.threshold.source == "CCAG-Travaux 2021 art. 19.2.1"
    assert regime.cap.value == 10 and regime.cap_amount_eur == 42_000
    # « les pénalités du CCAG s'appliquent »: 1/3 000 of the HT amount per day
    default = regime.default_delay
    out = compute_penalty(default, BreachFacts(due=D(2025, 9, 1), performed=D(2025, 9, 7)), contract=contract)
    assert out.amount_eur == 840.0  # 420 000 / 3 000 × 6
    assert out.rule == "ccag.Travaux.2021.delay_formula.19.2.3"
    assert out.computation.startswith("CCAG-Travaux 2021 art. 19.2.3 :")


def test_unverified_ccag_formula_is_flagged():
    contract = ContractInfo(ref="C", ccag="FCS", ccag_version=2021, amount_ht_eur=50_000)
    regime = effective_regime(contract, [], [], True)
    assert regime.default_delay.needs_review
    out = compute_penalty(regime.default_delay, BreachFacts(due=D(2025, 9, 1), performed=D(2025, 9, 11),
                                                            value_eur=2000), contract=contract)
    assert out.amount_eur == 20.0 and out.needs_review


def test_derogation_without_value_keeps_default_but_asks_review():
    contract = ContractInfo(ref="D", ccag="TIC", ccag_version=2021, amount_ht_eur=80_000)
    regime = effective_regime(contract, [pen("10.2")], [("Article 14.1.2", "15")], False)
    assert regime.cap.value == 10 and not regime.cap.verified
    assert not regime.verified


def test_threshold_not_exceeded_means_all_zero():
    contract = ContractInfo(ref="E", ccag="FCS", ccag_version=2009, amount_ht_eur=25_000)
    regime = effective_regime(contract, [pen()], [], False)
    items = [ContractPenaltyItem("I-2", D(2024, 5, 2), 150.0), ContractPenaltyItem("I-1", D(2024, 3, 9), 120.0),
             ContractPenaltyItem("I-3", D(2024, 6, 1), None)]
    out = apply_contract_limits(items, regime)
    assert amounts(out) == [0.0, 0.0, None]
    assert out[0].exonerated and "300,00 €" in out[0].explanation
    # one more finding of 40 € crosses the 300 € threshold: everything is due
    out = apply_contract_limits(items + [ContractPenaltyItem("I-4", D(2024, 7, 1), 40.0)], regime)
    assert amounts(out) == [150.0, 120.0, None, 40.0]


def test_threshold_equal_is_still_exonerated():
    contract = ContractInfo(ref="F", ccag="PI", ccag_version=2021, amount_ht_eur=40_000)
    regime = effective_regime(contract, [], [], False)
    out = apply_contract_limits([ContractPenaltyItem("X", D(2025, 1, 1), 1000.0)], regime)
    assert amounts(out) == [0.0]


def test_cap_reached_over_several_incidents_in_date_order():
    contract = ContractInfo(ref="G", ccag="FCS", ccag_version=2021, amount_ht_eur=30_000)
    penalties = [pen("8.1", cap_percent=5, cap_scope="contrat", threshold_eur=0.0)]
    regime = effective_regime(contract, penalties, [], False)
    items = [ContractPenaltyItem("INC-9", D(2025, 4, 2), 200.0),
             ContractPenaltyItem("INC-3", D(2025, 1, 15), 600.0),
             ContractPenaltyItem("INC-5", D(2025, 3, 10), 500.0),
             ContractPenaltyItem("INC-4", D(2025, 2, 20), 700.0)]
    out = apply_contract_limits(items, regime)
    # Jan 600, Feb 700 (1 300 used), Mar 500 → 200 left, Apr → 0
    assert amounts(out) == [0.0, 600.0, 200.0, 700.0]
    assert out[2].capped and "reste 200,00 €" in out[2].explanation


def test_same_day_findings_are_ordered_by_id():
    contract = ContractInfo(ref="H", ccag="FCS", ccag_version=2021, amount_ht_eur=5_000)
    regime = effective_regime(contract, [pen(threshold_eur=0.0)], [], False)  # CCAG cap 10 % = 500
    items = [ContractPenaltyItem("B", D(2025, 5, 5), 400.0), ContractPenaltyItem("A", D(2025, 5, 5), 300.0)]
    assert amounts(apply_contract_limits(items, regime)) == [200.0, 300.0]


def test_cap_only_counts_the_clauses_it_covers():
    contract = ContractInfo(ref="K", ccag="Travaux", ccag_version=2021, amount_ht_eur=10_000)
    capped = pen("9.1", cap_percent=5, cap_scope="contrat")
    free = pen("9.3", trigger="absence", unit="occurrence")
    regime = effective_regime(contract, [capped, free], [], False)
    items = [contract_item("1", D(2025, 1, 1), 400.0, capped, regime),
             contract_item("2", D(2025, 1, 2), 900.0, free, regime),
             contract_item("3", D(2025, 1, 3), 400.0, capped, regime)]
    assert amounts(apply_contract_limits(items, regime)) == [400.0, 900.0, 100.0]


def test_no_cap_in_2009():
    contract = ContractInfo(ref="L", ccag="Travaux", ccag_version=2009, amount_ht_eur=10_000)
    regime = effective_regime(contract, [], [], False)
    out = apply_contract_limits([ContractPenaltyItem("1", D(2020, 1, 1), 9_000.0)], regime)
    assert amounts(out) == [9_000.0]


def test_next_step_2021_invitation_to_observations():
    contract = ContractInfo(ref="M", ccag="TIC", ccag_version=2021, amount_ht_eur=90_000,
                            notified_on=D(2025, 1, 6), duration_months=24)
    regime = effective_regime(contract, [], [], False)
    step = next_step(NextStepFacts(breach=True, penalty_eur=1200.0, is_delay=True), regime, contract, D(2025, 9, 1))
    assert "observations" in step.text_fr and "15 jours" in step.text_fr
    assert "décompte général" in step.text_fr
    assert step.act_by == D(2027, 1, 6)
    invited = NextStepFacts(breach=True, penalty_eur=1200.0, is_delay=True,
                            actions=(("invitation_observations", D(2025, 9, 3)),))
    step = next_step(invited, regime, contract, D(2025, 9, 10))
    assert step.text_fr.startswith("Notifier") and "18/09/2025" in step.text_fr


def test_next_step_answer_to_reclamation_within_two_months():
    contract = ContractInfo(ref="N", ccag="FCS", ccag_version=2009)
    regime = effective_regime(contract, [], [], False)
    facts = NextStepFacts(breach=True, penalty_eur=500.0, actions=(("reclamation", D(2025, 3, 10)),))
    step = next_step(facts, regime, contract, D(2025, 3, 20))
    assert step.act_by == D(2025, 5, 10) and "37.3" in step.text_fr


def test_next_step_mise_en_demeure_before_resiliation():
    contract = ContractInfo(ref="O", ccag="Travaux", ccag_version=2009)
    regime = effective_regime(contract, [], [], False)
    step = next_step(NextStepFacts(breach=True, performed=False), regime, contract, D(2025, 3, 20))
    assert "mise en demeure" in step.text_fr.lower() or "Mettre le titulaire en demeure" in step.text_fr
    assert "15 jours" in step.text_fr and "48.1" in step.text_fr
    assert next_step(NextStepFacts(breach=False), regime, contract, D(2025, 3, 20)) is None


def test_contract_without_ccag_has_no_default_limits():
    contract = ContractInfo(ref="P", ccag=None, amount_ht_eur=20_000)
    regime = effective_regime(contract, [pen()], [], False)
    assert regime.threshold.value is None and regime.cap.value is None
    assert regime.verified
    out = apply_contract_limits([ContractPenaltyItem("1", D(2025, 1, 1), 50.0)], regime)
    assert amounts(out) == [50.0]


def test_missing_version_before_april_2021_means_2009():
    contract = ContractInfo(ref="Q", ccag="FCS", ccag_version=None, notified_on=D(2020, 11, 2))
    regime = effective_regime(contract, [], [], False)
    assert regime.ccag_version == 2009 and regime.threshold.value == 300
    later = ContractInfo(ref="Q2", ccag="FCS", ccag_version=None, notified_on=D(2022, 11, 2))
    assert not effective_regime(later, [], [], False).verified


def test_ccag_cap_can_be_restricted_to_delay_penalties():
    contract = ContractInfo(ref="V", ccag="FCS", ccag_version=2021, amount_ht_eur=4_000)  # cap 400
    delay = pen("7.1", threshold_eur=0.0)
    report = pen("7.2", trigger="document", unit="occurrence")
    everything = effective_regime(contract, [delay, report], [], False)
    items = [contract_item("1", D(2025, 1, 1), 300.0, delay, everything),
             contract_item("2", D(2025, 1, 2), 300.0, report, everything)]
    assert amounts(apply_contract_limits(items, everything)) == [300.0, 100.0]
    delay_only = effective_regime(contract, [delay, report], [], False, ccag_cap_delay_only=True)
    items = [contract_item("1", D(2025, 1, 1), 300.0, delay, delay_only),
             contract_item("2", D(2025, 1, 2), 300.0, report, delay_only)]
    assert amounts(apply_contract_limits(items, delay_only)) == [300.0, 300.0]


def test_limits_invariants_on_generated_findings():
    import random

    rng = random.Random(7)
    contract = ContractInfo(ref="Z", ccag="TIC", ccag_version=2021, amount_ht_eur=20_000)  # cap 2 000
    regime = effective_regime(contract, [pen(threshold_eur=500.0)], [], False)
    for _ in range(200):
        items = [ContractPenaltyItem(f"I{k}", D(2025, 1, 1) + dt.timedelta(days=rng.randrange(60)),
                                     rng.choice([None, round(rng.uniform(0, 900), 2)]))
                 for k in range(rng.randrange(1, 12))]
        out = apply_contract_limits(items, regime)
        raw = sum(i.amount_eur or 0 for i in items)
        final = sum(r.amount_eur or 0 for r in out)
        assert [r.id for r in out] == [i.id for i in items]
        assert all((r.amount_eur is None) == (i.amount_eur is None) for r, i in zip(out, items, strict=True))
        if raw <= 500:
            assert final == 0
        else:
            assert abs(final - min(raw, 2000)) < 0.011
        assert all(0 <= (r.amount_eur or 0) <= (i.amount_eur or 0) for r, i in zip(out, items, strict=True))
