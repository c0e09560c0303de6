"""Contract-wide limits over a contract's findings, and the buyer's next step.

SPEC §2 (Finding): the contract's exoneration threshold and cap are applied to the total
of its breach findings taken in `occurred_on` order, then id: every amount is 0 when that
total does not exceed the threshold (FACTS.md §2.3: « la totalité des pénalités est due si
le seuil … est dépassé », Travaux 2009 commentary to 20.4 [T]); once the cap is reached,
later findings get only what is left under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from models.compliance.calendar import add_duration, add_months
from models.compliance.fmt import format_date, format_eur, round_cents
from models.compliance.regime import PenaltyRegime
from models.domain.types import ActionKind, ContractInfo, Penalty

__all__ = [
    "ContractPenaltyItem",
    "LimitedAmount",
    "apply_contract_limits",
    "contract_item",
    "NextStepFacts",
    "NextStep",
    "next_step",
    "contract_end",
]


@dataclass(frozen=True)
class ContractPenaltyItem:
    """One breach finding's clause amount, before the contract-wide limits."""

    id: str  # incident id
    occurred_on: dt.date | None
    amount_eur: float | None  # None: no clause applies
    under_cap: bool = True  # counted by the contract-level cap (see PenaltyRegime.covers)


@dataclass(frozen=True)
class LimitedAmount:
    id: str
    amount_eur: float | None  # after threshold and cap
    before_limits_eur: float | None
    exonerated: bool = False
    capped: bool = False
    explanation: str = ""  # French, appended to the finding's computation


def contract_item(incident_id: str, occurred_on: dt.date | None, amount_eur: float | None,
                  penalty: Penalty | None, regime: PenaltyRegime) -> ContractPenaltyItem:
    """Build an item, asking the regime whether the contract cap covers its clause."""
    return ContractPenaltyItem(incident_id, occurred_on, amount_eur, regime.covers(penalty))


def _order(item: ContractPenaltyItem) -> tuple[int, dt.date, str]:
    # findings without a date go last, in id order
    return (item.occurred_on is None, item.occurred_on or dt.date.max, item.id)


def apply_contract_limits(items: Sequence[ContractPenaltyItem], regime: PenaltyRegime) -> list[LimitedAmount]:
    """Threshold then cap over one contract's findings; results in the order of `items`."""
    ordered = sorted(items, key=_order)
    total = round_cents(sum(i.amount_eur or 0.0 for i in ordered))
    threshold = regime.threshold.value
    results: dict[str, LimitedAmount] = {}
    if threshold is not None and threshold > 0 and total <= threshold:
        why = (f"total des pénalités du marché {format_eur(total)} ≤ seuil d'exonération "
               f"{format_eur(threshold)} HT ({regime.threshold.source}) : exonéré")
        for item in ordered:
            results[item.id] = LimitedAmount(
                item.id, None if item.amount_eur is None else 0.0, item.amount_eur,
                exonerated=item.amount_eur is not None, explanation=why if item.amount_eur is not None else "")
        return [results[i.id] for i in items]
    if threshold is not None and threshold > 0:
        threshold_note = (f"total {format_eur(total)} > seuil {format_eur(threshold)} "
                          f"({regime.threshold.source}) : totalité due")
    else:
        threshold_note = ""
    cap = regime.cap_amount_eur
    used = 0.0
    for item in ordered:
        if item.amount_eur is None:
            results[item.id] = LimitedAmount(item.id, None, None)
            continue
        amount = item.amount_eur
        notes = [threshold_note] if threshold_note else []
        capped = False
        if cap is not None and item.under_cap:
            left = round_cents(max(0.0, cap - used))
            if amount > left:
                notes.append(f"plafond {format_eur(cap)} ({regime.cap.source}) déjà consommé à hauteur de "
                             f"{format_eur(used)} : reste {format_eur(left)}")
                amount, capped = left, True
            used = round_cents(used + amount)
        results[item.id] = LimitedAmount(item.id, round_cents(amount), item.amount_eur,
                                         capped=capped, explanation=" ; ".join(notes))
    return [results[i.id] for i in items]


def contract_end(contract: ContractInfo) -> dt.date | None:
    """Planned end of the contract (notification + duration), None when unknown."""
    if contract.notified_on is None or contract.duration_months is None:
        return None
    return add_months(contract.notified_on, contract.duration_months)


@dataclass(frozen=True)
class NextStepFacts:
    """What is known about one finding when deciding what the buyer should do next."""

    breach: bool
    penalty_eur: float | None = None
    is_delay: bool = False  # a delay penalty (the 2021 contradictory step concerns these)
    performed: bool = True  # False: the obligation is still unmet
    actions: tuple[tuple[ActionKind, dt.date | None], ...] = ()  # acts already in the file
    mise_en_demeure_deadline: dt.date | None = None  # time given by the mise en demeure, if known
    decompte_general_on: dt.date | None = None  # notification of the décompte général, if known


@dataclass(frozen=True)
class NextStep:
    text_fr: str
    act_by: dt.date | None
    rule: str = ""
    verified: bool = True


def _last(facts: NextStepFacts, *kinds: str) -> dt.date | None | bool:
    dates = [on for kind, on in facts.actions if kind in kinds]
    if not dates:
        return False
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def next_step(facts: NextStepFacts, regime: PenaltyRegime, contract: ContractInfo,
              as_of: dt.date) -> NextStep | None:
    """The buyer's next written act for one finding, with the date to act by when one applies."""
    if not facts.breach:
        return None
    defaults = regime.defaults
    end = contract_end(contract)
    dg_note = ("les pénalités doivent figurer au décompte général : une fois celui-ci devenu définitif, "
               "elles sont perdues (CAA Paris, 4 mai 2015, n° 14PA01918)")
    # 1. a claim from the titulaire waits for an answer: FCS 2009 37.3 [T]
    reclamation = _last(facts, "reclamation")
    if reclamation is not False and defaults and defaults.reclamation_answer:
        rule = defaults.reclamation_answer
        act_by = add_months(reclamation, int(rule.value or 2)) if isinstance(reclamation, dt.date) else None
        return NextStep(f"Répondre au mémoire en réclamation du titulaire : {rule.summary_fr} ({rule.citation}).",
                        act_by, rule.id, rule.verified)
    # 2. an unmet obligation with no mise en demeure: required before a résiliation pour faute
    # (FCS 2009 32.2 [T], Travaux 2009 46.3.2 and 48.1 [T])
    has_med = _last(facts, "mise_en_demeure")
    if not facts.performed and has_med is False:
        minimum = defaults.formal_notice_min_days if defaults else None
        delay = f" (délai d'au moins {int(minimum.value or 15)} jours, {minimum.citation})" if minimum else ""
        return NextStep(
            "Mettre le titulaire en demeure d'exécuter dans un délai déterminé" + delay
            + ", en indiquant la sanction envisagée et en l'invitant à présenter ses observations : "
            "préalable obligatoire à une résiliation pour faute (CCAG-FCS 2009 art. 32.2).",
            None, "mise_en_demeure.prealable", True)
    if not facts.performed and isinstance(has_med, dt.date) and facts.mise_en_demeure_deadline \
            and facts.mise_en_demeure_deadline < as_of:
        return NextStep(
            f"Mise en demeure restée infructueuse (délai expiré le {format_date(facts.mise_en_demeure_deadline)}) : "
            "envisager la résiliation pour faute ou l'exécution aux frais et risques si le marché le prévoit.",
            None, "resiliation.faute", True)
    amount = facts.penalty_eur or 0.0
    if amount <= 0:
        if facts.penalty_eur == 0.0:
            return NextStep("Aucune pénalité exigible (exonération ou plafond atteint) : conserver la trace du "
                            "manquement au dossier d'exécution.", None, "penalite.nulle", True)
        return NextStep("Constater le manquement par écrit (PV de constat ou courrier) et vérifier la clause "
                        "de pénalité applicable.", None, "constat", True)
    # 3. 2021 CCAG: written invitation to present observations within 15 days before delay penalties [S]
    observations = defaults.observations_before_penalties if defaults else None
    invited = _last(facts, "invitation_observations")
    notified = _last(facts, "notification_penalites")
    if facts.is_delay and observations is not None and invited is False and notified is False:
        return NextStep(
            f"Inviter par écrit le titulaire à présenter ses observations dans un délai de "
            f"{int(observations.value or 15)} jours (montant de {format_eur(amount)}, retards concernés) avant "
            f"d'appliquer les pénalités ({observations.citation}) ; " + dg_note + ".",
            end if end and end >= as_of else None, observations.id, observations.verified)
    if notified is False:
        start = invited if isinstance(invited, dt.date) else None
        earliest = add_duration(start, 15, "jour") if start and observations else None
        after = f" après l'expiration du délai d'observations ({format_date(earliest)})" if earliest else ""
        return NextStep(
            f"Notifier au titulaire les pénalités de {format_eur(amount)}{after} et les porter au décompte ; "
            + dg_note + ".",
            end if end and end >= as_of else None, "penalites.notification", True)
    return NextStep("Pénalités notifiées : vérifier qu'elles figurent au décompte général ; " + dg_note + ".",
                    facts.decompte_general_on, "penalites.decompte_general", True)
