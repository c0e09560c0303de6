"""The buyer's next step and the merged finding fields."""

import datetime as dt

from models.compliance.calendar import deadline_due, elapsed_hours
from models.compliance.engine import (
    ContractPenaltyItem,
    NextStepFacts,
    apply_contract_limits,
    finding_amounts,
    next_step,
)
from models.compliance.penalties import BreachFacts, compute_penalty
from models.compliance.regime import effective_regime
from models.domain.types import ContractInfo, Deadline, Penalty, Termination

D = dt.date


def test_deadline_due_and_elapsed_hours():
    deadline = Deadline(article="4.2", page=None, quote="sous 3 jours ouvrés", duration=3, unit="jour",
                        day_type="ouvre")
    # ticket on Thursday 30 April 2026: Friday 1 May is a holiday → 4, 5, 6 May
    assert deadline_due(deadline, D(2026, 4, 30)) == D(2026, 5, 6)
    # outage from Friday 17:30 to Monday 09:15, counted continuously
    assert elapsed_hours(dt.datetime(2026, 3, 6, 17, 30), dt.datetime(2026, 3, 9, 9, 15)) == 63.75
    assert elapsed_hours(dt.datetime(2026, 3, 9), dt.datetime(2026, 3, 6)) == 0.0


def test_clause_requiring_formal_notice():
    contract = ContractInfo(ref="T", ccag="Travaux", ccag_version=2021, amount_ht_eur=200_000)
    clause = Penalty(article="10.4", page=None, quote="après mise en demeure restée sans effet", trigger="securite",
                     basis="fixed_per_unit", amount_eur=250.0, unit="jour", requires_formal_notice=True)
    without = compute_penalty(clause, BreachFacts(due=D(2025, 4, 7), performed=D(2025, 4, 10)), contract=contract)
    assert without.needs_review and "mise en demeure" in without.review_reason
    served = compute_penalty(clause, BreachFacts(due=D(2025, 4, 7), performed=D(2025, 4, 10),
                                                 formal_notice_on=D(2025, 4, 3)), contract=contract)
    assert served.amount_eur == 750.0 and not served.needs_review
    regime = effective_regime(contract, [clause], [], False)
    step = next_step(NextStepFacts(breach=True, penalty_eur=750.0, requires_formal_notice=True,
                                   clause_article="10.4"), regime, contract, D(2025, 4, 12))
    assert "exige une mise en demeure préalable" in step.text_fr and "10.4" in step.text_fr


def test_travaux_2009_reclamation_answer_45_days():
    contract = ContractInfo(ref="W", ccag="Travaux", ccag_version=2009)
    regime = effective_regime(contract, [], [], False)
    facts = NextStepFacts(breach=True, penalty_eur=900.0, actions=(("reclamation", D(2025, 2, 3)),))
    step = next_step(facts, regime, contract, D(2025, 2, 10))
    assert step.act_by == D(2025, 3, 20)  # 3 February + 45 days
    late = next_step(facts, regime, contract, D(2025, 4, 1))
    assert "silence vaut rejet" in late.text_fr


def test_terminated_contract_points_to_the_termination_account():
    contract = ContractInfo(ref="R", ccag="FCS", ccag_version=2009,
                            terminated=Termination(on=D(2025, 6, 16), kind="faute"))
    regime = effective_regime(contract, [], [], False)
    step = next_step(NextStepFacts(breach=True, penalty_eur=420.0, performed=False), regime, contract, D(2025, 7, 1))
    assert "décompte de résiliation" in step.text_fr
    assert step.act_by == D(2025, 8, 16)


def test_contestation_and_decompte_general():
    contract = ContractInfo(ref="S", ccag="FCS", ccag_version=2021, amount_ht_eur=80_000,
                            notified_on=D(2024, 1, 8), duration_months=12)
    regime = effective_regime(contract, [], [], False)
    contested = NextStepFacts(breach=True, penalty_eur=300.0, is_delay=True,
                              actions=(("invitation_observations", D(2024, 10, 1)), ("contestation", D(2024, 10, 9))))
    step = next_step(contested, regime, contract, D(2024, 10, 20))
    assert "conteste" in step.text_fr and step.act_by == D(2025, 1, 8)
    lost = NextStepFacts(breach=True, penalty_eur=300.0, decompte_general_on=D(2025, 3, 1))
    step = next_step(lost, regime, contract, D(2025, 4, 1))
    assert "perdues" in step.text_fr and not step.verified


def test_finding_amounts_merges_limits_and_review():
    contract = ContractInfo(ref="U", ccag="TIC", ccag_version=2021, amount_ht_eur=12_000)
    clause = Penalty(article="9", page=None, quote="q", trigger="retard", basis="fixed_per_unit", amount_eur=100.0,
                     unit="jour", threshold_eur=0.0)
    # CCAP derogates to the cap article without a value we could read
    regime = effective_regime(contract, [clause], [("14.1.2", "12")], False)
    comp = compute_penalty(clause, BreachFacts(due=D(2025, 2, 3), performed=D(2025, 2, 17)), contract=contract)
    [limited] = apply_contract_limits([ContractPenaltyItem("I", D(2025, 2, 3), comp.amount_eur)], regime)
    fields = finding_amounts(comp, limited, regime, None)
    assert comp.amount_eur == 1400.0 and fields.penalty_eur == 1200.0  # CCAG cap 10 % of 12 000
    assert "reste 1 200,00 €" in fields.computation
    assert fields.needs_review and "déroge" in fields.review_reason
    assert fields.days_late == 14
    none = finding_amounts(None, None, regime, None)
    assert none.penalty_eur is None and not none.needs_review


def test_derogation_to_the_procedure_article_makes_the_invitation_step_doubtful():
    contract = ContractInfo(ref="X", ccag="PI", ccag_version=2021, amount_ht_eur=70_000)
    clause = Penalty(article="6.1", page=None, quote="q", trigger="retard", basis="fixed_per_unit",
                     amount_eur=200.0, unit="jour", derogates_ccag="14.1.1")
    regime = effective_regime(contract, [clause], [], False)
    assert regime.procedure_derogated_by == "6.1"
    step = next_step(NextStepFacts(breach=True, penalty_eur=2000.0, is_delay=True), regime, contract, D(2025, 9, 1))
    assert "déroge à l'article 14.1.1" in step.text_fr and not step.verified
    plain = effective_regime(contract, [Penalty(article="6.1", page=None, quote="q", trigger="retard",
                                                basis="fixed", amount_eur=5.0)], [], False)
    assert next_step(NextStepFacts(breach=True, penalty_eur=2000.0, is_delay=True), plain, contract,
                     D(2025, 9, 1)).verified
