"""Breach engine: French deadline arithmetic, CCAG defaults, penalty computation.

Pure functions over `models.domain` types; the clock is always injected (`as_of`).
Every CCAG value comes from /work/shared/domain/FACTS.md with its status; [U] values carry
`verified=False` and computations relying on them come out `needs_review` (« à vérifier »).

How a caller (api/services/monitoring.py) uses it, per contract:

    regime = effective_regime(contract, ccap_penalties, derogations, applies_ccag_penalties)
    for each incident linked to a clause `penalty` (or `regime.default_delay`):
        due = add_duration(event_day, deadline.duration, deadline.unit, deadline.day_type)
        comp = compute_penalty(penalty, BreachFacts(due=..., performed=..., as_of=as_of,
                               outage_hours=..., occurrences=..., value_eur=...), contract=contract)
        items.append(contract_item(incident.id, incident.occurred_on, comp.amount_eur, penalty, regime))
    limited = apply_contract_limits(items, regime)   # same order as items
    step = next_step(NextStepFacts(breach=True, penalty_eur=..., is_delay=..., performed=...,
                                   actions=((kind, date), ...)), regime, contract, as_of)

    fields = finding_amounts(comp, limited, regime, step)   # FindingAmounts

`fields` holds the Finding fields the engine owns: penalty_eur (after the contract limits),
days_late, computation (French), rule, rule_version, needs_review, review_reason, next_step,
act_by. A breach with no applicable clause: finding_amounts(None, None, regime, step).

Deadlines calendar (« Échéances »), per contract: `contract_schedule(ContractFile(...), as_of=...)`
→ DueItems (due date, kind, source, French computation, verified); see `schedule.py`.
"""

from models.compliance.calendar import (
    add_duration,
    add_months,
    counted_days,
    days_late,
    deadline_due,
    easter_sunday,
    elapsed_hours,
    french_public_holidays,
    is_public_holiday,
    is_working_day,
    next_working_day,
    started_units,
)
from models.compliance.ccag_rules import (
    CcagDefaults,
    CcagRule,
    DelayFormula,
    all_rules,
    ccag_defaults,
    ccag_label,
    normalise_ccag,
    resolve_version,
)
from models.compliance.engine import (
    ContractPenaltyItem,
    FindingAmounts,
    LimitedAmount,
    NextStep,
    NextStepFacts,
    apply_contract_limits,
    contract_end,
    contract_item,
    finding_amounts,
    next_step,
)
from models.compliance.fmt import format_eur, normalise_article, round_cents
from models.compliance.penalties import (
    RULES_VERSION,
    BreachFacts,
    PenaltyComputation,
    compute_penalty,
    delay_end,
)
from models.compliance.regime import LimitValue, PenaltyRegime, effective_regime, penalty_key
from models.compliance.schedule import (
    ContractFile,
    DatedLetter,
    DueItem,
    SourcedDeadline,
    SourcedObligation,
    contract_schedule,
    select_window,
    sort_for_display,
)

__all__ = [
    "RULES_VERSION",
    "BreachFacts",
    "CcagDefaults",
    "CcagRule",
    "ContractFile",
    "ContractPenaltyItem",
    "DatedLetter",
    "DueItem",
    "SourcedDeadline",
    "SourcedObligation",
    "contract_schedule",
    "select_window",
    "sort_for_display",
    "FindingAmounts",
    "DelayFormula",
    "LimitValue",
    "LimitedAmount",
    "NextStep",
    "NextStepFacts",
    "PenaltyComputation",
    "PenaltyRegime",
    "add_duration",
    "all_rules",
    "resolve_version",
    "add_months",
    "apply_contract_limits",
    "ccag_defaults",
    "ccag_label",
    "compute_penalty",
    "contract_end",
    "contract_item",
    "counted_days",
    "days_late",
    "deadline_due",
    "elapsed_hours",
    "finding_amounts",
    "delay_end",
    "easter_sunday",
    "effective_regime",
    "format_eur",
    "french_public_holidays",
    "is_public_holiday",
    "is_working_day",
    "next_step",
    "next_working_day",
    "normalise_article",
    "normalise_ccag",
    "penalty_key",
    "round_cents",
    "started_units",
]
