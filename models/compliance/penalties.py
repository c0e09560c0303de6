"""What one penalty clause allows for one incident, spelled out in French.

The clause's own arithmetic only (per-order / per-item caps included); the contract-wide
threshold and cap are applied afterwards by `engine.apply_contract_limits`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from models.compliance.calendar import DAY_TYPE_LABELS, add_months, days_late, elapsed_hours, started_units
from models.compliance.ccag_rules import ccag_defaults, ccag_label, default_rule_for_quote, resolve_version
from models.compliance.fmt import format_date, format_eur, format_number, round_cents
from models.domain.types import ContractInfo, DayType, Penalty

__all__ = ["RULES_VERSION", "BreachFacts", "PenaltyComputation", "compute_penalty", "delay_end"]

RULES_VERSION = "vigie.compliance.v1"

_DAY_UNITS: dict[str, DayType] = {"jour": "calendaire", "jour_ouvre": "ouvre", "jour_ouvrable": "ouvrable"}
_DAY_ABBR = {"calendaire": "j", "ouvre": "j ouvrés", "ouvrable": "j ouvrables"}


@dataclass(frozen=True)
class BreachFacts:
    """What the linking established about one incident."""

    due: dt.date | None = None  # last day of the contractual time limit
    performed: dt.date | None = None  # None: not performed (yet)
    as_of: dt.date | None = None  # the injected "today", used when not performed
    extension_days: int = 0  # granted prolongation, calendar days added to `due`
    outage_hours: float | None = None  # total unavailability, for per-hour penalties
    occurrences: int = 1  # per-occurrence penalties (absences, missing documents...)
    value_eur: float | None = None  # V: value of the late part / of the order (HT)
    order_value_eur: float | None = None  # value of the order for a per-order cap (default: value_eur)
    formal_notice_on: dt.date | None = None  # mise en demeure served, for clauses that require one
    # per-hour delays (« livraison avant 7 h 00 ») when no outage duration is given
    due_at: dt.datetime | None = None
    performed_at: dt.datetime | None = None


@dataclass(frozen=True)
class PenaltyComputation:
    amount_eur: float | None  # None: not computable (see review_reason)
    days_late: int | None  # in the clause's day unit; None for hours / occurrences
    units: float | None  # what was multiplied: days, hours, weeks, occurrences
    uncapped_eur: float | None
    computation: str  # French
    rule: str
    rule_version: str = RULES_VERSION
    verified: bool = True
    needs_review: bool = False
    review_reason: str | None = None


def _grace_hours(penalty: Penalty) -> float:
    if not penalty.grace_duration:
        return 0.0
    factor = {"heure": 1.0, "jour": 24.0, "semaine": 168.0}.get(penalty.grace_unit or "heure")
    return penalty.grace_duration * (factor if factor is not None else 1.0)


def delay_end(facts: BreachFacts, contract: ContractInfo) -> tuple[dt.date | None, str, bool]:
    """Last day counted for a delay: performance, else as_of, cut at termination.

    Returns (last day, French explanation, verified). Termination rules: FCS 2009 34.5 [T]
    (until the day before the effective date), Travaux 2009 20.1.2 [T] (until the day the
    decision is notified, taken as `terminated.on`), Travaux 2021 19.1.3 [S] (until the
    effective date inclusive). Other versions: the day before, flagged for review.
    """
    end = facts.performed
    why = f"exécution le {format_date(end)}" if end else ""
    verified = True
    if end is None:
        if facts.as_of is None:
            return None, "prestation non exécutée et date d'analyse inconnue", False
        end, why = facts.as_of, f"non exécutée au {format_date(facts.as_of)}"
    term = contract.terminated
    if term is not None:
        defaults = ccag_defaults(contract.ccag, resolve_version(contract.ccag, contract.ccag_version,
                                                                contract.notified_on))
        kind = defaults.termination_end_kind if defaults else None
        if kind in ("jour_effet", "jour_notification"):
            last = term.on
        else:
            last = term.on - dt.timedelta(days=1)
        if end > last:
            if kind is not None and defaults is not None and defaults.termination_end is not None:
                rule = defaults.termination_end
                why = f"arrêt au {format_date(last)} ({rule.summary_fr}, {rule.citation})"
                if kind == "jour_notification":
                    why += " ; date de notification de la décision supposée égale à la date de résiliation"
                    verified = False
            else:
                why = (f"arrêt au {format_date(last)}, veille de la résiliation (règle du "
                       f"{ccag_label(contract.ccag, contract.ccag_version)} non connue, à vérifier)")
                verified = False
            end = last
    return end, why, verified


def _months_between(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Whole months from `start` to `end` « de quantième en quantième », and a started one."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months, add_months(start, months) < end


class _Review:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def add(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


_CONTRACT_WORDS = ("marché", "marche", "contrat", "accord")
_PART_WORDS = ("commande", "tranche", "partie", "prestation", "livraison", "lot")


def _value(penalty: Penalty, facts: BreachFacts, contract: ContractInfo, review: _Review) -> float | None:
    """V for a ratio or a percentage: what the clause names, else the linked value.

    « montant HT du marché » → the contract amount, even when an order value is known;
    « bon de commande », « partie en retard » or nothing said → the value the linking found;
    both named (CCAG-Travaux 2009 20.1: « du marché, de la tranche considérée ou du bon de
    commande ») → the linked value, else the contract amount with a review note.
    """
    base = (penalty.value_base or "").lower()
    names_contract = any(w in base for w in _CONTRACT_WORDS)
    names_part = any(w in base for w in _PART_WORDS)
    if names_contract and not names_part and contract.amount_ht_eur is not None:
        return contract.amount_ht_eur
    if facts.value_eur is not None:
        return facts.value_eur
    if names_contract and contract.amount_ht_eur is not None:
        review.add("assiette retenue : montant HT du marché (la tranche ou le bon de commande peut s'appliquer)")
        return contract.amount_ht_eur
    return None


def _fraction(ratio: float) -> str:
    inverse = 1 / ratio if ratio else 0
    if ratio and abs(inverse - round(inverse)) < 1e-6 and round(inverse) >= 100:
        return f"/ {format_number(round(inverse))}"
    return f"× {format_number(ratio, 6)}"


def _count_units(penalty: Penalty, facts: BreachFacts, contract: ContractInfo, review: _Review,
                 ) -> tuple[float | None, int | None, str, str]:
    """(units, days_late, unit label, explanation) for a time- or occurrence-based clause."""
    unit = penalty.unit
    if unit is None:
        # SPEC: ratio_per_unit is « a fraction of a value per day »; a fixed amount per unit
        # without a unit is read from the facts, and flagged
        if penalty.basis == "ratio_per_unit":
            unit = "jour"
        elif facts.due is not None:
            unit = "jour"
            review.add("unité de la pénalité non lue : jours calendaires retenus")
        else:
            unit = "occurrence"
            review.add("unité de la pénalité non lue : une pénalité par manquement retenue")
    if unit == "occurrence":
        return float(facts.occurrences), None, "occurrence" + ("s" if facts.occurrences > 1 else ""), ""
    if unit == "heure":
        measured = facts.outage_hours
        if measured is None and facts.due_at is not None and facts.performed_at is not None:
            measured = elapsed_hours(facts.due_at, facts.performed_at)
        if measured is None:
            review.add("nombre d'heures (indisponibilité ou retard) inconnu")
            return None, None, "h", ""
        grace = _grace_hours(penalty)
        beyond = max(0.0, measured - grace)
        hours = started_units(beyond) if penalty.started_unit_counts else math.floor(beyond + 1e-9)
        if not penalty.started_unit_counts and beyond != hours:
            review.add("heures entamées non prévues par la clause : seules les heures pleines sont comptées")
        detail = f"{format_number(measured)} h"
        if facts.outage_hours is None and facts.due_at is not None and facts.performed_at is not None:
            detail = (f"limite {facts.due_at.strftime('%d/%m/%Y %H h %M')}, exécution "
                      f"{facts.performed_at.strftime('%d/%m/%Y %H h %M')} : {detail}")
        if grace:
            detail += f" − {format_number(grace)} h de délai de rétablissement = {format_number(beyond)} h"
        if penalty.started_unit_counts and hours != beyond:
            detail += f" → {hours} h commencées"
        return float(hours), None, "h", detail
    if facts.due is None:
        review.add("date limite d'exécution inconnue")
        return None, None, "j", ""
    due = facts.due + dt.timedelta(days=facts.extension_days)
    end, why, verified = delay_end(facts, contract)
    if not verified:
        review.add(why)
    if end is None:
        return None, None, "j", why
    detail = f"échéance {format_date(facts.due)}"
    if facts.extension_days:
        detail += f" + {facts.extension_days} j de prolongation = {format_date(due)}"
    detail += f", {why}" if why else ""
    if unit in _DAY_UNITS:
        day_type = _DAY_UNITS[unit]
        days = days_late(due, end, day_type)
        if penalty.grace_duration and penalty.grace_unit == "jour":
            days = max(0, days - math.ceil(penalty.grace_duration))
            detail += f", franchise de {format_number(penalty.grace_duration)} j déduite"
        return float(days), days, _DAY_ABBR[day_type], detail + f" : {days} {DAY_TYPE_LABELS[day_type]} de retard"
    days = days_late(due, end, "calendaire")
    if unit == "semaine":
        weeks = days / 7
        counted = started_units(weeks) if penalty.started_unit_counts else math.floor(weeks + 1e-9)
        if not penalty.started_unit_counts and days % 7:
            review.add("semaine entamée non prévue par la clause : seules les semaines pleines sont comptées")
        return float(counted), days, "sem.", detail + f" : {days} jours de retard = {counted} semaine(s)"
    months, started = _months_between(due, end)
    counted = months + (1 if started and penalty.started_unit_counts else 0)
    if started and not penalty.started_unit_counts:
        review.add("mois entamé non prévu par la clause : seuls les mois pleins sont comptés")
    return float(counted), days, "mois", detail + f" : {counted} mois"


def _order_cap(penalty: Penalty, facts: BreachFacts, amount: float, review: _Review) -> tuple[float, str]:
    if penalty.cap_percent is None or penalty.cap_scope not in ("bon_de_commande", "prestation"):
        return amount, ""
    base = facts.order_value_eur if facts.order_value_eur is not None else facts.value_eur
    scope = "du bon de commande" if penalty.cap_scope == "bon_de_commande" else "de la prestation"
    if base is None:
        review.add(f"plafond de {format_number(penalty.cap_percent)} % {scope} non calculable : valeur inconnue")
        return amount, ""
    cap = round_cents(base * penalty.cap_percent / 100)
    if amount <= cap:
        return amount, ""
    return cap, (f" ; plafonné à {format_number(penalty.cap_percent)} % {scope} "
                 f"({format_eur(base)}) = {format_eur(cap)}")


def compute_penalty(
    penalty: Penalty,
    facts: BreachFacts,
    *,
    contract: ContractInfo,
    rule: str | None = None,
) -> PenaltyComputation:
    """Amount `penalty` allows for one incident, before the contract's threshold and cap.

    `rule` overrides the rule id (e.g. a CCAG default rule id); by default the CCAP article.
    """
    review = _Review()
    if penalty.needs_review:
        review.add(penalty.review_reason or "clause de pénalité à vérifier")
    if penalty.requires_formal_notice and facts.formal_notice_on is None:
        review.add("pénalité subordonnée à une mise en demeure préalable : aucune mise en demeure au dossier, "
                   "montant exigible seulement après une mise en demeure restée sans effet")
    ccag_rule = default_rule_for_quote(penalty.quote) if penalty.span is None else None
    if ccag_rule is not None:  # the CCAG default penalty (regime.default_delay)
        rule_id = rule or ccag_rule.id
        source = ccag_rule.citation
    else:
        rule_id = rule or f"ccap.{penalty.article or 'na'}.{penalty.basis}"
        source = f"art. {penalty.article}" if penalty.article else "clause"
    amount: float | None = None
    days: int | None = None
    units: float | None = None
    text = ""
    if penalty.basis == "fixed":
        if penalty.amount_eur is None:
            review.add("montant forfaitaire non lu")
        else:
            amount = penalty.amount_eur
            text = f"forfait {format_eur(amount)}"
    elif penalty.basis == "percent":
        value = _value(penalty, facts, contract, review)
        if penalty.ratio is None or value is None:
            review.add("pourcentage ou valeur de référence inconnu")
        else:
            amount = value * penalty.ratio
            text = f"{format_eur(value)} × {format_number(penalty.ratio * 100)} % = {format_eur(amount)}"
    else:
        units, days, unit_label, detail = _count_units(penalty, facts, contract, review)
        if units is not None:
            if penalty.basis == "fixed_per_unit":
                if penalty.amount_eur is None:
                    review.add("montant unitaire non lu")
                else:
                    amount = units * penalty.amount_eur
                    text = (f"{format_number(units)} {unit_label} × {format_eur(penalty.amount_eur)} "
                            f"= {format_eur(amount)}")
            else:  # ratio_per_unit
                value = _value(penalty, facts, contract, review)
                if penalty.ratio is None:
                    review.add("taux de pénalité non lu")
                elif value is None:
                    review.add("valeur V de la prestation en retard inconnue")
                else:
                    amount = value * units * penalty.ratio
                    text = (f"{format_eur(value)} × {format_number(units)} {unit_label} "
                            f"{_fraction(penalty.ratio)} = {format_eur(amount)}")
            if detail:
                text = f"{detail} ; {text}" if text else detail
    uncapped = round_cents(amount) if amount is not None else None
    if amount is not None:
        amount, cap_text = _order_cap(penalty, facts, round_cents(amount), review)
        text += cap_text
        amount = round_cents(amount)
    if amount is None and not text:
        text = "montant non calculable"
    text = f"{source} : {text}"
    needs_review = bool(review.reasons)
    return PenaltyComputation(
        amount_eur=amount,
        days_late=days,
        units=units,
        uncapped_eur=uncapped,
        computation=text,
        rule=rule_id,
        verified=not needs_review,
        needs_review=needs_review,
        review_reason="; ".join(review.reasons) or None,
    )

