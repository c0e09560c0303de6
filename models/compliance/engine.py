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
from models.compliance.fmt import format_date, format_eur, format_number, round_cents
from models.compliance.penalties import RULES_VERSION, PenaltyComputation
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
    "FindingAmounts",
    "finding_amounts",
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
    penalty_eur: float | None = None  # after the contract limits
    is_delay: bool = False  # a delay penalty (the 2021 contradictory step concerns these)
    performed: bool = True  # False: the obligation is still unmet
    requires_formal_notice: bool = False  # the clause needs a prior mise en demeure
    clause_article: str | None = None
    actions: tuple[tuple[ActionKind, dt.date | None], ...] = ()  # acts already in the file, with dates
    mise_en_demeure_deadline: dt.date | None = None  # time given by the mise en demeure, if known
    decompte_general_on: dt.date | None = None  # notification of the décompte général, if known


@dataclass(frozen=True)
class NextStep:
    text_fr: str
    act_by: dt.date | None  # conservative: buyer-side limits are not extended past weekends
    rule: str = ""
    verified: bool = True


def _last(facts: NextStepFacts, *kinds: str) -> dt.date | None | bool:
    """False when no such act; else its latest known date (None when undated)."""
    dates = [on for kind, on in facts.actions if kind in kinds]
    if not dates:
        return False
    known = [d for d in dates if d is not None]
    return max(known) if known else None


_DG_NOTE = ("les pénalités doivent figurer au décompte général : une fois celui-ci devenu définitif, "
            "elles sont perdues (CAA Paris, 4 mai 2015, n° 14PA01918)")


def _buyer_limit(start: dt.date | None | bool, value: float | None, unit: str | None) -> dt.date | None:
    if not isinstance(start, dt.date) or value is None or unit not in ("jour", "mois", "semaine", "heure", "an"):
        return None
    return add_duration(start, value, unit, extend_to_working_day=False)  # type: ignore[arg-type]


def _answer_reclamation(facts: NextStepFacts, regime: PenaltyRegime, as_of: dt.date) -> NextStep | None:
    received = _last(facts, "reclamation")
    if received is False:
        return None
    rule = regime.defaults.reclamation_answer if regime.defaults else None
    if rule is None:
        return NextStep("Répondre par une décision motivée au mémoire en réclamation du titulaire (délai de réponse "
                        "du CCAG applicable à vérifier).", None, "reclamation.reponse", False)
    act_by = _buyer_limit(received, rule.value, rule.unit)
    text = f"Répondre au mémoire en réclamation du titulaire par une décision motivée : {rule.summary_fr} ({rule.citation})."
    if act_by is not None and act_by < as_of:
        text = (f"Le délai de réponse au mémoire en réclamation a expiré le {format_date(act_by)} : le silence vaut "
                f"rejet ({rule.citation}) ; vérifier les suites contentieuses.")
    return NextStep(text, act_by, rule.id, rule.verified)


def _after_termination(contract: ContractInfo, regime: PenaltyRegime, facts: NextStepFacts) -> NextStep | None:
    if contract.terminated is None:
        return None
    rule = regime.defaults.termination_account if regime.defaults else None
    amount = f" ({format_eur(facts.penalty_eur)})" if facts.penalty_eur else ""
    if rule is None:
        return NextStep(f"Marché résilié le {format_date(contract.terminated.on)} : porter les pénalités{amount} au "
                        f"décompte de résiliation ; {_DG_NOTE}.", None, "resiliation.decompte", True)
    act_by = _buyer_limit(contract.terminated.on, rule.value, rule.unit)
    return NextStep(f"Marché résilié le {format_date(contract.terminated.on)} : porter les pénalités{amount} au "
                    f"décompte de résiliation ; {rule.summary_fr} ({rule.citation}).", act_by, rule.id, rule.verified)


def _formal_notice(facts: NextStepFacts, regime: PenaltyRegime, as_of: dt.date) -> NextStep | None:
    served = _last(facts, "mise_en_demeure")
    defaults = regime.defaults
    minimum = defaults.formal_notice_min_days if defaults else None
    delay = f" (délai d'au moins {format_number(minimum.value or 15)} jours, {minimum.citation})" if minimum else ""
    if served is False and facts.requires_formal_notice:
        article = f" (art. {facts.clause_article})" if facts.clause_article else ""
        return NextStep(
            f"La clause de pénalité{article} exige une mise en demeure préalable : mettre le titulaire en demeure "
            f"d'exécuter dans un délai déterminé{delay} ; la pénalité ne court qu'à l'expiration de ce délai.",
            None, "mise_en_demeure.clause", True)
    if facts.performed:
        return None
    if served is False:
        return NextStep(
            "Mettre le titulaire en demeure d'exécuter dans un délai déterminé" + delay
            + ", en indiquant la sanction envisagée et en l'invitant à présenter ses observations : "
            "préalable obligatoire à une résiliation pour faute (CCAG-FCS 2009 art. 32.2, CCAG-Travaux 2009 "
            "art. 46.3.2).", None, "mise_en_demeure.prealable", True)
    deadline = facts.mise_en_demeure_deadline
    if deadline is not None and deadline < as_of:
        return NextStep(
            f"Mise en demeure restée infructueuse (délai expiré le {format_date(deadline)}) : envisager la "
            "résiliation pour faute, ou l'exécution aux frais et risques si le marché le prévoit et que la "
            "décision le précise.", None, "resiliation.faute", True)
    return None


def _penalty_procedure(facts: NextStepFacts, regime: PenaltyRegime, contract: ContractInfo,
                       as_of: dt.date) -> NextStep:
    end = contract_end(contract)
    upcoming_end = end if end is not None and end >= as_of else None
    amount = facts.penalty_eur
    if amount is None:
        return NextStep("Constater le manquement par écrit (PV de constat ou courrier) et vérifier la clause de "
                        "pénalité applicable.", None, "constat", True)
    if amount <= 0:
        return NextStep("Aucune pénalité exigible (exonération ou plafond atteint) : consigner le manquement au "
                        "dossier d'exécution.", None, "penalite.nulle", True)
    notified = _last(facts, "notification_penalites")
    if notified is not False:
        return NextStep("Pénalités notifiées : vérifier qu'elles figurent au décompte général ; " + _DG_NOTE + ".",
                        facts.decompte_general_on, "penalites.decompte_general", True)
    if facts.decompte_general_on is not None and facts.decompte_general_on <= as_of:
        return NextStep(f"Décompte général notifié le {format_date(facts.decompte_general_on)} sans ces pénalités : "
                        "elles sont perdues s'il est devenu définitif ; faire vérifier par le service juridique.",
                        None, "penalites.decompte_general", False)
    observations = regime.defaults.observations_before_penalties if regime.defaults else None
    invited = _last(facts, "invitation_observations")
    contested = _last(facts, "contestation") is not False
    suffix = (" Le titulaire conteste : répondre par écrit en maintenant ou en révisant la position."
              if contested else "")
    if facts.is_delay and observations is not None and invited is False:
        caveat = ""
        if regime.procedure_derogated_by is not None:
            caveat = (f" Le CCAP (art. {regime.procedure_derogated_by}) déroge à l'article {observations.article} : "
                      "vérifier si cette étape est maintenue.")
        return NextStep(
            f"Inviter par écrit le titulaire à présenter ses observations dans un délai de "
            f"{format_number(observations.value or 15)} jours (montant de {format_eur(amount)}, retards concernés) "
            f"avant d'appliquer les pénalités ({observations.citation}) ; {_DG_NOTE}.{suffix}{caveat}",
            upcoming_end, observations.id, observations.verified and not caveat)
    after = ""
    if isinstance(invited, dt.date) and observations is not None:
        window_end = add_duration(invited, observations.value or 15, "jour")
        after = f" après l'expiration du délai d'observations (au plus tôt le lendemain du {format_date(window_end)})"
    return NextStep(f"Notifier au titulaire les pénalités de {format_eur(amount)}{after} et les porter au décompte ; "
                    f"{_DG_NOTE}.{suffix}", upcoming_end, "penalites.notification", True)


def next_step(facts: NextStepFacts, regime: PenaltyRegime, contract: ContractInfo,
              as_of: dt.date) -> NextStep | None:
    """The buyer's next written act for one breach finding, with the date to act by when one applies.

    Order: answer a pending réclamation; after a résiliation, the décompte; the mise en demeure a
    clause or a résiliation pour faute requires; then the penalty procedure (2021 invitation to
    present observations, notification, décompte général).
    """
    if not facts.breach:
        return None
    return (_answer_reclamation(facts, regime, as_of)
            or _after_termination(contract, regime, facts)
            or _formal_notice(facts, regime, as_of)
            or _penalty_procedure(facts, regime, contract, as_of))


@dataclass(frozen=True)
class FindingAmounts:
    """The Finding fields the compliance engine owns, ready for `Finding(...)`."""

    penalty_eur: float | None
    days_late: int | None
    computation: str
    rule: str
    rule_version: str
    needs_review: bool
    review_reason: str | None
    next_step: str | None
    act_by: dt.date | None


def finding_amounts(comp: PenaltyComputation | None, limited: LimitedAmount | None,
                    regime: PenaltyRegime | None, step: NextStep | None) -> FindingAmounts:
    """Merge one incident's clause computation, contract limits and next step.

    The regime's doubts count only when its limits changed or confirmed the amount
    (exoneration, cap) or when it supplied the CCAG default clause.
    """
    reasons: list[str] = []
    computation = comp.computation if comp else ""
    if limited is not None and limited.explanation:
        computation = f"{computation} ; {limited.explanation}" if computation else limited.explanation
    if comp is not None and comp.review_reason:
        reasons.append(comp.review_reason)
    if regime is not None and limited is not None and limited.amount_eur is not None:
        for limit in (regime.threshold, regime.cap):
            if not limit.verified and limit.note and limit.note not in reasons:
                reasons.append(limit.note)
    if step is not None and not step.verified:
        reasons.append(f"étape suivante fondée sur une règle non vérifiée ({step.rule})")
    amount = limited.amount_eur if limited is not None else (comp.amount_eur if comp else None)
    return FindingAmounts(
        penalty_eur=amount,
        days_late=comp.days_late if comp else None,
        computation=computation,
        rule=comp.rule if comp else "",
        rule_version=comp.rule_version if comp else RULES_VERSION,
        needs_review=bool(reasons) or bool(comp and comp.needs_review),
        review_reason="; ".join(reasons) or None,
        next_step=step.text_fr if step else None,
        act_by=step.act_by if step else None,
    )
