"""The contract-level penalty regime: exoneration threshold, cap, CCAG default delay penalty.

The CCAP wins where it speaks (FACTS.md §1: AE > CCAP > CCTP > CCAG, FCS 2009 art. 4.1 [T]);
otherwise the default of the CCAG version the contract refers to applies. Each value says
where it comes from so that a letter or a reviewer can cite it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from models.compliance.ccag_rules import CcagDefaults, ccag_defaults, ccag_label, resolve_version
from models.compliance.fmt import format_date, format_eur, format_number, normalise_article
from models.domain.types import ContractInfo, Penalty

__all__ = ["LimitValue", "PenaltyRegime", "effective_regime", "penalty_key"]

Origin = Literal["ccap", "ccag", "aucun"]



@dataclass(frozen=True)
class LimitValue:
    """A threshold (€ HT) or a cap (% of the contract's HT amount) and where it comes from."""

    value: float | None  # None: no threshold / no cap (or unknown, then verified is False)
    origin: Origin
    source: str  # "CCAP art. 9.6", "CCAG-FCS 2009 art. 14.1.3"
    rule: str  # rule id, for the finding's `rule`
    verified: bool = True
    note: str | None = None  # why it must be checked, in French


def penalty_key(penalty: Penalty) -> tuple[str | None, str]:
    """Identity of a penalty clause inside one contract (article, quote)."""
    return (normalise_article(penalty.article), penalty.quote)


@dataclass(frozen=True)
class PenaltyRegime:
    contract_ref: str
    ccag: str | None
    ccag_version: int | None
    threshold: LimitValue
    cap: LimitValue  # value is a percentage
    cap_base_eur: float | None  # the contract's HT amount the cap percentage applies to
    # clauses the contract-level cap covers; None = every penalty of the contract
    cap_covers: frozenset[tuple[str | None, str]] | None = None
    default_delay: Penalty | None = None  # CCAG default, when the CCAP applies the CCAG penalties
    defaults: CcagDefaults | None = None
    # CCAP article derogating to the CCAG delay-penalty article that also holds the 2021
    # observations step (14.1.1 FCS/PI/TIC, 19.2.4 Travaux...): that step is then to be checked
    procedure_derogated_by: str | None = None
    notes: tuple[str, ...] = ()  # doubts, in French: each one makes the regime unverified
    info: str = ""  # how the regime was resolved, in French (no doubt attached)

    @property
    def cap_amount_eur(self) -> float | None:
        if self.cap.value is None or self.cap_base_eur is None:
            return None
        return self.cap_base_eur * self.cap.value / 100.0

    @property
    def verified(self) -> bool:
        return self.threshold.verified and self.cap.verified and not self.notes

    def covers(self, penalty: Penalty | None) -> bool:
        """Whether the contract-level cap counts this clause's amounts."""
        if self.cap_covers is None:
            return True
        return penalty is not None and penalty_key(penalty) in self.cap_covers

    def describe_fr(self) -> str:
        parts = []
        if self.threshold.value is None:
            parts.append("aucun seuil d'exonération")
        elif self.threshold.value == 0:
            parts.append(f"pas d'exonération ({self.threshold.source})")
        else:
            parts.append(f"seuil d'exonération {format_eur(self.threshold.value)} HT ({self.threshold.source})")
        if self.cap.value is None:
            parts.append("pénalités non plafonnées" + (f" ({self.cap.source})" if self.cap.origin != "aucun" else ""))
        else:
            amount = self.cap_amount_eur
            base = f" = {format_eur(amount)}" if amount is not None else " (montant du marché inconnu)"
            parts.append(f"plafond {format_number(self.cap.value)} % du montant HT{base} ({self.cap.source})")
        return " ; ".join(parts)


def _ccap_source(penalty: Penalty) -> str:
    return f"CCAP art. {penalty.article}" if penalty.article else "CCAP"


def _most_common(values: list[float]) -> tuple[float, bool]:
    """Most frequent value and whether the CCAP gave several different values."""
    counts = Counter(values)
    value = counts.most_common(1)[0][0]
    return value, len(counts) > 1


def _derogated(articles: tuple[str, ...], derogations: Sequence[tuple[str, str | None]],
               penalties: Sequence[Penalty]) -> str | None:
    """CCAP article (or '?') derogating to one of `articles` of the CCAG, else None."""
    wanted = {normalise_article(a) for a in articles}
    for ccag_article, ccap_article in derogations:
        if normalise_article(ccag_article) in wanted:
            return ccap_article or "?"
    for p in penalties:
        if normalise_article(p.derogates_ccag) in wanted:
            return p.article or "?"
    return None


def _threshold(defaults: CcagDefaults | None, label: str, penalties: Sequence[Penalty],
               derogations: Sequence[tuple[str, str | None]], notes: list[str]) -> LimitValue:
    stated = [p for p in penalties if p.threshold_eur is not None]
    if stated:
        value, several = _most_common([float(p.threshold_eur) for p in stated])  # type: ignore[arg-type]
        first = next(p for p in stated if p.threshold_eur == value)
        note = None
        if several:
            note = "le CCAP indique plusieurs seuils d'exonération différents"
            notes.append(note)
        # cite the CCAP article that derogates to the CCAG threshold when the list of derogations names it
        listed = _derogated(defaults.threshold_articles, derogations, ()) if defaults else None
        source = f"CCAP art. {listed}" if listed not in (None, "?") else _ccap_source(first)
        return LimitValue(value, "ccap", source, f"ccap.threshold.{first.article or 'na'}",
                          verified=not several, note=note)
    derogating = _derogated(defaults.threshold_articles, derogations, penalties) if defaults else None
    if defaults and defaults.threshold:
        rule = defaults.threshold
        if derogating is not None:
            note = (f"le CCAP (art. {derogating}) déroge à l'article {rule.article or defaults.threshold_articles[0]} "
                    f"du {label} sans que le nouveau seuil ait été lu : seuil du CCAG retenu, à vérifier")
            notes.append(note)
            return LimitValue(rule.value, "ccag", rule.citation, rule.id, verified=False, note=note)
        note = None if rule.verified else f"règle du {label} non vérifiée dans le texte officiel"
        return LimitValue(rule.value, "ccag", rule.citation, rule.id, verified=rule.verified, note=note)
    if defaults is None and label == ccag_label(None, None):
        # a CCAG applies only to contracts that refer to it (CCAG-FCS 2009 art. 1 [T])
        return LimitValue(None, "aucun", "aucun CCAG visé", "threshold.none")
    note = f"seuil d'exonération inconnu pour le {label} : aucun seuil appliqué, à vérifier"
    notes.append(note)
    return LimitValue(None, "aucun", label, "threshold.unknown", verified=False, note=note)


def _cap(defaults: CcagDefaults | None, label: str, penalties: Sequence[Penalty],
         derogations: Sequence[tuple[str, str | None]], notes: list[str],
         ) -> tuple[LimitValue, frozenset[tuple[str | None, str]] | None]:
    # a cap without scope is read as contract-wide; per-order / per-item caps are applied
    # clause by clause in penalties.compute_penalty
    stated = [p for p in penalties if p.cap_percent is not None and p.cap_scope in (None, "contrat")]
    if stated:
        value, several = _most_common([float(p.cap_percent) for p in stated])  # type: ignore[arg-type]
        carrying = [p for p in stated if p.cap_percent == value]
        covers = None if len(carrying) == len(penalties) else frozenset(penalty_key(p) for p in carrying)
        note = None
        if several:
            note = "le CCAP indique plusieurs plafonds différents : le plus fréquent est retenu"
            notes.append(note)
        first = carrying[0]
        listed = _derogated(defaults.cap_articles, derogations, ()) if defaults else None
        source = f"CCAP art. {listed}" if listed not in (None, "?") else _ccap_source(first)
        return (LimitValue(value, "ccap", source, f"ccap.cap.{first.article or 'na'}",
                           verified=not several, note=note), covers)
    derogating = _derogated(defaults.cap_articles, derogations, penalties) if defaults else None
    if defaults and defaults.cap:
        rule = defaults.cap
        if derogating is not None:
            note = (f"le CCAP (art. {derogating}) déroge au plafond du {label} (art. {rule.article}) "
                    f"sans que le nouveau plafond ait été lu : plafond du CCAG retenu, à vérifier")
            notes.append(note)
            return LimitValue(rule.value, "ccag", rule.citation, rule.id, verified=False, note=note), None
        return LimitValue(rule.value, "ccag", rule.citation, rule.id, verified=rule.verified), None
    if defaults is None and label == ccag_label(None, None):
        return LimitValue(None, "aucun", "aucun CCAG visé", "cap.none"), None
    note = f"plafond inconnu pour le {label} : aucun plafond appliqué, à vérifier"
    notes.append(note)
    return LimitValue(None, "aucun", label, "cap.unknown", verified=False, note=note), None


def _default_delay(defaults: CcagDefaults | None, label: str, notes: list[str]) -> Penalty | None:
    if defaults is None or defaults.delay_formula is None:
        notes.append(f"le CCAP renvoie aux pénalités du CCAG mais la formule du {label} n'est pas connue")
        return None
    formula = defaults.delay_formula
    rule = formula.rule
    reason = None if rule.verified else f"formule du {label} non vérifiée dans le texte officiel ({rule.source})"
    return Penalty(
        article=rule.article,
        page=None,
        quote=rule.default_quote,
        trigger="retard",
        basis="ratio_per_unit",
        ratio=formula.ratio,
        unit="jour",
        value_base=formula.value_base_fr,
        confidence=1.0 if rule.verified else 0.5,
        needs_review=not rule.verified,
        review_reason=reason,
    )


def effective_regime(
    contract: ContractInfo,
    penalties: Sequence[Penalty],
    derogations: Sequence[tuple[str, str | None]] = (),
    applies_ccag_penalties: bool = False,
    *,
    ccag_cap_delay_only: bool = False,
) -> PenaltyRegime:
    """Threshold, cap and default delay penalty of one contract.

    `penalties` and `derogations` are those its CCAP (and AE) analyses extracted;
    `applies_ccag_penalties` is True when the CCAP says the CCAG penalties apply, or when it
    has no delay penalty of its own.

    The 2021 CCAG cap sits in the delay-penalty article (FCS 14.1.2, Travaux 19.2.2 [S]) while
    commentary words it as « le montant total des pénalités appliquées » [S]. By default it
    covers every penalty of the contract, as the evaluation contract (SPEC §2, Finding) applies
    it; `ccag_cap_delay_only=True` restricts it to delay penalties (trigger « retard »).
    """
    notes: list[str] = []
    version = resolve_version(contract.ccag, contract.ccag_version, contract.notified_on)
    notes_info = ""
    if version != contract.ccag_version and contract.notified_on is not None:
        notes_info = f"version du CCAG déduite : {version} (marché notifié le {format_date(contract.notified_on)})"
    defaults = ccag_defaults(contract.ccag, version)
    label = ccag_label(contract.ccag, version)
    if contract.ccag and defaults is None:
        notes.append(f"règles par défaut du {label} non disponibles : à vérifier")
    threshold = _threshold(defaults, label, penalties, derogations, notes)
    cap, covers = _cap(defaults, label, penalties, derogations, notes)
    if cap.value is not None and contract.amount_ht_eur is None:
        notes.append("montant HT du marché inconnu : plafond non calculable")
    default_delay = _default_delay(defaults, label, notes) if applies_ccag_penalties else None
    if ccag_cap_delay_only and cap.origin == "ccag" and cap.value is not None:
        delay = [p for p in penalties if p.trigger == "retard"] + ([default_delay] if default_delay else [])
        covers = frozenset(penalty_key(p) for p in delay)
    procedure = None
    if defaults is not None and defaults.observations_before_penalties is not None:
        article = defaults.observations_before_penalties.article
        procedure = _derogated((article,), derogations, penalties) if article else None
    return PenaltyRegime(
        contract_ref=contract.ref,
        procedure_derogated_by=procedure,
        ccag=defaults.ccag if defaults else contract.ccag,
        ccag_version=version,
        threshold=threshold,
        cap=cap,
        cap_base_eur=contract.amount_ht_eur,
        cap_covers=covers,
        default_delay=default_delay,
        defaults=defaults,
        notes=tuple(notes),
        info=notes_info,
    )
