"""CCAG default penalty regime, as data, each value with its source and status.

Every value comes from /work/shared/domain/FACTS.md and keeps its status mark there:
[T] read in the official text, [S] secondary source, [U] unverified. Only [T] and [S]
values are `verified`; a [U] value is returned with `verified=False` so that outputs say
« à vérifier ». A topic FACTS.md says nothing about is simply absent (None): never guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from typing import Literal

from models.domain.types import DurationUnit

__all__ = [
    "Status",
    "CcagRule",
    "DelayFormula",
    "CcagDefaults",
    "CCAG_NAMES",
    "normalise_ccag",
    "ccag_defaults",
    "ccag_label",
    "all_rules",
    "resolve_version",
    "default_rule_for_quote",
    "CCAG_2021_IN_FORCE",
]

Status = Literal["T", "S", "D", "U"]
TerminationEnd = Literal["veille_effet", "jour_effet", "jour_notification"]

CCAG_NAMES: tuple[str, ...] = ("FCS", "Travaux", "PI", "TIC", "MI", "MOE")

# arrêtés du 30 mars 2021, in force 1 April 2021 (FACTS.md §1 [S] lexbase.fr 69008962)
CCAG_2021_IN_FORCE = dt.date(2021, 4, 1)


@dataclass(frozen=True)
class CcagRule:
    """One default of one CCAG version."""

    id: str  # stable id, e.g. "ccag.FCS.2009.14.1.3"
    ccag: str
    version: int
    article: str | None
    topic: str  # delay_formula, threshold, cap, formal_notice, observations, termination_end, ...
    value: float | None  # € for a threshold, % for a cap, days or months for a time limit
    summary_fr: str
    source: str
    status: Status
    unit: DurationUnit | None = None  # unit of `value` when it is a time limit

    @property
    def verified(self) -> bool:
        return self.status in ("T", "S")

    @property
    def citation(self) -> str:
        art = f" art. {self.article}" if self.article else ""
        return f"CCAG-{self.ccag} {self.version}{art}"

    @property
    def default_quote(self) -> str:
        """Quote of the Penalty synthesised from this rule (recognised again by compute_penalty)."""
        return f"{self.citation} : {self.summary_fr}"


@dataclass(frozen=True)
class DelayFormula:
    """Default daily delay penalty: ratio × value base × days (calendar days)."""

    rule: CcagRule
    ratio: float  # 0.001 for V × R / 1 000
    value_base: Literal["partie_en_retard", "montant_marche"]
    value_base_fr: str


@dataclass(frozen=True)
class CcagDefaults:
    ccag: str
    version: int
    delay_formula: DelayFormula | None = None
    # maintenance contracts: unavailability beyond a threshold (FCS 2009 14.2.5)
    unavailability_formula: CcagRule | None = None
    threshold: CcagRule | None = None  # exoneration (franchise), € HT for the whole contract
    cap: CcagRule | None = None  # value None = « non plafonné »
    no_formal_notice_for_delay: CcagRule | None = None
    observations_before_penalties: CcagRule | None = None  # 2021: 15 days
    termination_end: CcagRule | None = None
    termination_end_kind: TerminationEnd | None = None
    termination_account: CcagRule | None = None  # décompte de résiliation time limit
    formal_notice_min_days: CcagRule | None = None
    reclamation_window: CcagRule | None = None  # months for the titulaire's mémoire
    reclamation_answer: CcagRule | None = None  # months for the buyer's answer
    # article numbers a CCAP cites when it derogates to the threshold / cap / rate
    threshold_articles: tuple[str, ...] = ()
    cap_articles: tuple[str, ...] = ()
    delay_articles: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return ccag_label(self.ccag, self.version)


def ccag_label(ccag: str | None, version: int | None) -> str:
    if not ccag:
        return "CCAG non précisé"
    return f"CCAG-{ccag} {version}" if version else f"CCAG-{ccag} (version non précisée)"


_ALIASES = {
    "FCS": "FCS", "FOURNITURESCOURANTESETSERVICES": "FCS",
    "TRAVAUX": "Travaux", "TX": "Travaux",
    "PI": "PI", "PRESTATIONSINTELLECTUELLES": "PI",
    "TIC": "TIC", "TECHNIQUESDELINFORMATIONETDELACOMMUNICATION": "TIC",
    "MI": "MI", "MARCHESINDUSTRIELS": "MI",
    "MOE": "MOE", "MAITRISEDOEUVRE": "MOE",
}


def normalise_ccag(name: str | None) -> str | None:
    """'ccag-fcs', 'CCAG FCS', 'Travaux' → canonical name; None when unknown."""
    if not name:
        return None
    key = re.sub(r"[^A-Z]", "", name.upper().replace("CCAG", ""))
    key = key.replace("É", "E")
    return _ALIASES.get(key)


def _rule(ccag: str, version: int, article: str | None, topic: str, value: float | None,
          summary_fr: str, source: str, status: Status, unit: DurationUnit | None = None) -> CcagRule:
    art = article or "na"
    return CcagRule(f"ccag.{ccag}.{version}.{topic}.{art}", ccag, version, article, topic,
                    value, summary_fr, source, status, unit)


_FACTS = "FACTS.md"


def _fcs_2009() -> CcagDefaults:
    c, v = "FCS", 2009
    return CcagDefaults(
        ccag=c, version=v,
        delay_formula=DelayFormula(
            _rule(c, v, "14.1.1", "delay_formula", 1000.0, "P = V × R / 1 000",
                  f"{_FACTS} §2.1; CCAG-FCS 2009 art. 14.1.1", "T"),
            ratio=1 / 1000, value_base="partie_en_retard",
            value_base_fr="valeur hors TVA de la partie des prestations en retard",
        ),
        unavailability_formula=_rule(
            c, v, "14.2.5", "unavailability_formula", 30.0,
            "maintenance : au-delà de huit heures ouvrées (sur site) ou quinze jours consécutifs (chez le "
            "titulaire) d'indisponibilité, P = V × R / 30, V = rémunération mensuelle de maintenance, "
            "R = nombre de jours de retard",
            f"{_FACTS} §2.1; CCAG-FCS 2009 art. 14.2.5", "T"),
        threshold=_rule(c, v, "14.1.3", "threshold", 300.0,
                        "exonération des pénalités dont le total ne dépasse pas 300 € HT",
                        f"{_FACTS} §2.3; CCAG-FCS 2009 art. 14.1.3", "T"),
        # the full FCS 2009 text was read: article 14 sets no cap
        cap=_rule(c, v, "14.1", "cap", None, "pénalités non plafonnées",
                  f"{_FACTS} §2.3 (2009 : pas de plafond)", "T"),
        no_formal_notice_for_delay=_rule(
            c, v, "14.1.1", "formal_notice", 0.0,
            "les pénalités de retard courent sans mise en demeure, dès le lendemain de l'échéance",
            f"{_FACTS} §2.2; CCAG-FCS 2009 art. 14.1.1", "T"),
        termination_end=_rule(
            c, v, "34.5", "termination_end", None,
            "pénalités de retard appliquées jusqu'à la veille incluse de la date d'effet de la résiliation",
            f"{_FACTS} §2.4; CCAG-FCS 2009 art. 34.5", "T"),
        termination_end_kind="veille_effet",
        termination_account=_rule(
            c, v, "34.5", "termination_account", 2.0,
            "le décompte de résiliation est notifié au plus tard deux mois après la date d'effet de la résiliation",
            f"{_FACTS} §3.2; CCAG-FCS 2009 art. 34.5", "T", "mois"),
        reclamation_window=_rule(
            c, v, "37.2", "reclamation_window", 2.0,
            "mémoire de réclamation dans les deux mois du jour où le différend est apparu, sous peine de forclusion",
            f"{_FACTS} §6; CCAG-FCS 2009 art. 37.2", "T", "mois"),
        reclamation_answer=_rule(
            c, v, "37.3", "reclamation_answer", 2.0,
            "l'acheteur dispose de deux mois pour répondre au mémoire ; son silence vaut rejet",
            f"{_FACTS} §6; CCAG-FCS 2009 art. 37.3", "T", "mois"),
        threshold_articles=("14.1.3",), cap_articles=(), delay_articles=("14.1", "14.1.1"),
    )


def _travaux_2009() -> CcagDefaults:
    c, v = "Travaux", 2009
    return CcagDefaults(
        ccag=c, version=v,
        delay_formula=DelayFormula(
            _rule(c, v, "20.1", "delay_formula", 3000.0,
                  "pénalité journalière de 1/3 000 du montant HT du marché, de la tranche ou du bon de commande",
                  f"{_FACTS} §2.1; CCAG-Travaux 2009 art. 20.1", "T"),
            ratio=1 / 3000, value_base="montant_marche",
            value_base_fr="montant HT du marché (avenants compris), de la tranche ou du bon de commande",
        ),
        threshold=_rule(c, v, "20.4", "threshold", 1000.0,
                        "exonération des pénalités dont le total ne dépasse pas 1 000 € HT ; au-delà, la totalité est due",
                        f"{_FACTS} §2.3; CCAG-Travaux 2009 art. 20.4", "T"),
        cap=_rule(c, v, "20.4", "cap", None, "le montant des pénalités n'est pas plafonné",
                  f"{_FACTS} §2.3; CCAG-Travaux 2009 art. 20.4", "T"),
        no_formal_notice_for_delay=_rule(
            c, v, "20.1.1", "formal_notice", 0.0,
            "les pénalités sont encourues du simple fait de la constatation du retard par le maître d'œuvre",
            f"{_FACTS} §2.2; CCAG-Travaux 2009 art. 20.1.1", "T"),
        termination_end=_rule(
            c, v, "20.1.2", "termination_end", None,
            "pénalités appliquées jusqu'au jour inclus de la notification de la décision de résiliation",
            f"{_FACTS} §2.4; CCAG-Travaux 2009 art. 20.1.2", "T"),
        termination_end_kind="jour_notification",
        formal_notice_min_days=_rule(
            c, v, "48.1", "formal_notice_min_days", 15.0,
            "délai de la mise en demeure d'au moins quinze jours à compter de sa notification (sauf défense ou urgence)",
            f"{_FACTS} §3.1; CCAG-Travaux 2009 art. 48.1", "T", "jour"),
        reclamation_answer=_rule(
            c, v, "50.1.2", "reclamation_answer", 45.0,
            "le représentant du pouvoir adjudicateur notifie sa décision motivée dans les quarante-cinq jours "
            "de la réception du mémoire en réclamation ; à défaut, la demande est rejetée (art. 50.1.3)",
            f"{_FACTS} §6; CCAG-Travaux 2009 art. 50.1.2 et 50.1.3", "T", "jour"),
        threshold_articles=("20.4",), cap_articles=("20.4",), delay_articles=("20", "20.1"),
    )


# 2021 article numbers, FACTS.md §1 table and §2.3 [S][D]
_2021_THRESHOLD_ART = {"FCS": "14.1.3", "TIC": "14.1.3", "Travaux": "19.2.1"}
# PI 2021 shares the FCS/TIC numbering of article 14.1 (FACTS.md §1 table) but its exoneration
# sub-article is not confirmed: used only to recognise a CCAP derogation, never cited as a source.
_2021_PRESUMED_THRESHOLD_ART = {"PI": "14.1.3"}
_2021_CAP_ART = {"FCS": "14.1.2", "PI": "14.1.2", "TIC": "14.1.2", "Travaux": "19.2.2",
                 "MOE": "16.2.2", "MI": "15.2"}
_2021_PROCEDURE_ART = {"FCS": "14.1.1", "PI": "14.1.1", "TIC": "14.1.1", "Travaux": "19.2.4",
                       "MOE": "16.2.4", "MI": "15.1.1"}
_2021_DELAY_ARTS = {"FCS": ("14.1",), "PI": ("14.1",), "TIC": ("14.1",),
                    "Travaux": ("19.2", "19.2.3"), "MI": ("15", "15.1.1"), "MOE": ("16.2",)}


def _v2021(c: str) -> CcagDefaults:
    v = 2021
    delay: DelayFormula | None = None
    if c == "Travaux":
        delay = DelayFormula(
            _rule(c, v, "19.2.3", "delay_formula", 3000.0,
                  "pénalité journalière de 1/3 000 du montant hors taxes",
                  f"{_FACTS} §2.1; code-commande-publique.com/?p=5271", "S"),
            ratio=1 / 3000, value_base="montant_marche", value_base_fr="montant HT du marché",
        )
    elif c == "FCS":
        delay = DelayFormula(
            _rule(c, v, "14.1.1", "delay_formula", 1000.0,
                  "P = V × R / 1 000 (formule présumée reprise de 2009, texte 2021 non lu)",
                  f"{_FACTS} §2.1 [U]", "U"),
            ratio=1 / 1000, value_base="partie_en_retard",
            value_base_fr="valeur hors TVA de la partie des prestations en retard",
        )
    threshold_article = _2021_THRESHOLD_ART.get(c)
    termination: CcagRule | None = None
    termination_kind: TerminationEnd | None = None
    if c == "Travaux":
        termination = _rule(
            c, v, "19.1.3", "termination_end", None,
            "pénalités appliquées jusqu'au jour inclus de la date de prise d'effet de la résiliation",
            f"{_FACTS} §2.4; code-commande-publique.com/ccag-travaux-2021-article-19", "S")
        termination_kind = "jour_effet"
    reclamation: CcagRule | None = None
    if c == "FCS":
        reclamation = _rule(c, v, "46", "reclamation_window", 2.0,
                            "mémoire en réclamation dans les deux mois (délai et article présumés)",
                            f"{_FACTS} §6 [U]", "U", "mois")
    return CcagDefaults(
        ccag=c, version=v,
        delay_formula=delay,
        threshold=_rule(
            c, v, threshold_article, "threshold", 1000.0,
            "exonération des pénalités dont le montant total ne dépasse pas 1 000 € HT pour l'ensemble du marché",
            f"{_FACTS} §2.3; code-commande-publique.com/?p=5271", "S"),
        cap=_rule(
            c, v, _2021_CAP_ART[c], "cap", 10.0,
            "le montant total des pénalités de retard ne peut excéder 10 % du montant total HT du marché",
            f"{_FACTS} §2.3; considerant.fr, infos.marchesonline.com", "S"),
        observations_before_penalties=_rule(
            c, v, _2021_PROCEDURE_ART[c], "observations", 15.0,
            "avant d'appliquer des pénalités de retard, l'acheteur invite par écrit le titulaire à présenter "
            "ses observations dans un délai de 15 jours (montant, retards concernés, délai)",
            f"{_FACTS} §2.2; code-commande-publique.com/?p=5271", "S", "jour"),
        termination_end=termination,
        termination_end_kind=termination_kind,
        reclamation_window=reclamation,
        threshold_articles=tuple(a for a in (threshold_article, _2021_PRESUMED_THRESHOLD_ART.get(c)) if a),
        cap_articles=(_2021_CAP_ART[c],),
        delay_articles=_2021_DELAY_ARTS[c] + ((_2021_PROCEDURE_ART[c],) if c != "Travaux" else ()),
    )


def _build() -> dict[tuple[str, int], CcagDefaults]:
    table = {("FCS", 2009): _fcs_2009(), ("Travaux", 2009): _travaux_2009()}
    for name in CCAG_NAMES:
        table[(name, 2021)] = _v2021(name)
    return table


_TABLE = _build()


def ccag_defaults(ccag: str | None, version: int | None) -> CcagDefaults | None:
    """Defaults of a CCAG version, None when FACTS.md holds nothing for it.

    A bare CCAG reference without a version is not resolved here: from 1 October 2021 it
    means the 2021 version, which depends on the consultation date the caller knows.
    """
    name = normalise_ccag(ccag)
    if name is None or version is None:
        return None
    return _TABLE.get((name, int(version)))


def resolve_version(ccag: str | None, version: int | None, notified_on: dt.date | None) -> int | None:
    """The CCAG version, deduced only where no doubt is possible.

    A contract notified before 1 April 2021 can only refer to a 2009 CCAG (the 2021 ones did
    not exist yet, FACTS.md §1 [S]); later ones stay unknown: consultations launched until
    30 September 2021 could still use 2009.
    """
    if version is not None or not ccag:
        return version
    if notified_on is not None and notified_on < CCAG_2021_IN_FORCE:
        return 2009
    return None


def all_rules() -> list[CcagRule]:
    """Every encoded rule, for display (« règles appliquées ») and audits."""
    out: list[CcagRule] = []
    for defaults in _TABLE.values():
        for f in fields(defaults):
            value = getattr(defaults, f.name)
            if isinstance(value, CcagRule):
                out.append(value)
            elif isinstance(value, DelayFormula):
                out.append(value.rule)
    return out


_BY_QUOTE: dict[str, CcagRule] = {rule.default_quote: rule for rule in all_rules()}


def default_rule_for_quote(quote: str) -> CcagRule | None:
    """The CCAG rule a synthesised default Penalty came from, found by its quote."""
    return _BY_QUOTE.get(quote)
