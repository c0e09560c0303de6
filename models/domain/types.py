"""Frozen dataclasses passed between layers.

Conventions:
- character offsets (`start`, `end`) index the document's full text (`ParsedDocument.text`);
- `page` is 1-based, or None for formats without pages (TXT, MD, DOCX, e-mail);
- enumerations are plain strings (`Literal`) so that every value is JSON as it stands;
- every extracted item carries a `confidence` in [0, 1] and `needs_review` ("à vérifier").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ParseStatus = Literal["received", "parsed", "partial", "failed"]

DocumentKind = Literal[
    "ccap", "ae", "cctp", "rc", "ccag", "bpu",
    "mise_en_demeure", "notification_penalites", "invitation_observations",
    "reclamation", "contestation", "courrier_titulaire", "relance",
    "pv_reception", "pv_constat", "ordre_de_service", "bon_de_commande",
    "avenant", "decision_resiliation", "autre",
]
DOCUMENT_KINDS: tuple[str, ...] = DocumentKind.__args__  # type: ignore[attr-defined]
CONTRACT_KINDS = frozenset({"ccap", "ae", "cctp", "rc", "ccag", "bpu"})

PenaltyTrigger = Literal[
    "retard", "indisponibilite", "absence", "non_conformite", "document", "securite", "social", "autre"
]
PenaltyBasis = Literal["fixed_per_unit", "ratio_per_unit", "fixed", "percent"]
PenaltyUnit = Literal["jour", "jour_ouvre", "jour_ouvrable", "heure", "semaine", "mois", "occurrence"]
DurationUnit = Literal["heure", "jour", "semaine", "mois", "an"]
DayType = Literal["calendaire", "ouvre", "ouvrable"]
Party = Literal["titulaire", "acheteur"]
Direction = Literal["entrant", "sortant", "interne"]
CapScope = Literal["contrat", "bon_de_commande", "prestation"]

ActionKind = Literal[
    # the buyer's written acts
    "mise_en_demeure", "invitation_observations", "notification_penalites", "pv_constat",
    "decision_resiliation", "ordre_de_service", "relance",
    # the titulaire's answers
    "accuse_reception", "contestation", "demande_prolongation", "reclamation",
    # granted time extension (an OS or a decision)
    "prolongation_accordee",
]


@dataclass(frozen=True)
class Span:
    page: int | None
    start: int
    end: int


@dataclass(frozen=True)
class Page:
    number: int
    text: str
    start: int  # offset of the page's first character in ParsedDocument.text
    ocr: bool = False
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class Table:
    page: int | None
    rows: tuple[tuple[str, ...], ...]
    start: int
    end: int


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes = field(repr=False)
    content_type: str | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """What a parser returns. Parsers never touch the database."""

    status: ParseStatus
    format: str
    text: str = ""
    pages: tuple[Page, ...] = ()
    paginated: bool = False  # True when pages are real pages (PDF); False for flowing text
    tables: tuple[Table, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)  # e-mail headers, title, author...
    attachments: tuple[Attachment, ...] = ()
    errors: tuple[str, ...] = ()  # French, user-facing

    def page_at(self, offset: int) -> int | None:
        """1-based page holding character `offset`, None for non-paginated formats."""
        if not self.paginated or not self.pages:
            return None
        current = self.pages[0].number
        for page in self.pages:
            if page.start > offset:
                break
            current = page.number
        return current


@dataclass(frozen=True)
class Clause:
    """A numbered article or sub-article of a contract document."""

    article: str | None  # normalised number: "9.2", "11", "IV"
    heading: str
    text: str
    span: Span
    level: int = 1
    parent: str | None = None
    clause_type: str | None = None  # penalite, delai, resiliation, paiement, derogations...


@dataclass(frozen=True)
class Penalty:
    article: str | None
    page: int | None
    quote: str
    trigger: PenaltyTrigger
    basis: PenaltyBasis
    amount_eur: float | None = None
    ratio: float | None = None
    unit: PenaltyUnit | None = None
    cap_percent: float | None = None
    threshold_eur: float | None = None
    requires_formal_notice: bool = False
    derogates_ccag: str | None = None
    # what the cap is a percentage of (whole contract, each order...)
    cap_scope: CapScope | None = None
    # free time before the penalty runs ("au-delà d'un délai de rétablissement de 4 heures")
    grace_duration: float | None = None
    grace_unit: DurationUnit | None = None
    # "toute heure / journée commencée est due"
    started_unit_counts: bool = False
    # what a ratio or percent applies to, as written ("montant HT du bon de commande")
    value_base: str | None = None
    span: Span | None = None
    confidence: float = 1.0
    needs_review: bool = False
    review_reason: str | None = None


@dataclass(frozen=True)
class Deadline:
    article: str | None
    page: int | None
    quote: str
    duration: float
    unit: DurationUnit
    day_type: DayType | None = None
    anchor: str | None = None
    party: Party | None = None
    span: Span | None = None
    confidence: float = 1.0
    needs_review: bool = False


@dataclass(frozen=True)
class Obligation:
    article: str | None
    page: int | None
    quote: str
    party: Party | None
    span: Span | None = None
    confidence: float = 1.0
    needs_review: bool = False


@dataclass(frozen=True)
class Correspondence:
    """What a letter, e-mail, PV or order says, as read by nlp."""

    kind: str
    date: dt.date | None = None
    direction: Direction | None = None
    sender: str | None = None
    recipient: str | None = None
    subject: str | None = None
    contract_refs: tuple[str, ...] = ()
    sirets: tuple[str, ...] = ()
    order_refs: tuple[str, ...] = ()  # bons de commande, ordres de service, tickets cited
    articles_cited: tuple[str, ...] = ()
    failing_dates: tuple[dt.date, ...] = ()
    deadline_days: int | None = None
    amounts_eur: tuple[float, ...] = ()
    granted_extension_days: int | None = None


@dataclass(frozen=True)
class DocumentAnalysis:
    kind: str
    kind_confidence: float
    clauses: tuple[Clause, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    ccag: str | None = None  # FCS, Travaux, PI, TIC, MI, MOE
    ccag_version: int | None = None
    # (CCAG article derogated from, CCAP article that derogates)
    derogations: tuple[tuple[str, str | None], ...] = ()
    applies_ccag_penalties: bool = False  # "les pénalités du CCAG s'appliquent"
    correspondence: Correspondence | None = None


@dataclass(frozen=True)
class Termination:
    on: dt.date
    kind: Literal["faute", "interet_general", "autre"]
    document: str | None = None


@dataclass(frozen=True)
class SupplierInfo:
    siret: str | None
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractInfo:
    ref: str
    title: str = ""
    ccag: str | None = None
    ccag_version: int | None = None
    supplier_siret: str | None = None
    amount_ht_eur: float | None = None
    notified_on: dt.date | None = None
    duration_months: int | None = None
    terminated: Termination | None = None
    buyer_name: str | None = None


@dataclass(frozen=True)
class Incident:
    id: str
    reported_on: dt.date | None
    contract_ref: str | None
    service: str
    description: str
    occurred_on: dt.date | None
    resolved_on: dt.date | None = None


@dataclass(frozen=True)
class Action:
    """A written act in the file: the buyer's, the titulaire's answer, or a granted extension."""

    kind: ActionKind
    document: str  # portfolio-relative path or document id
    on: dt.date | None
    contract_ref: str | None
    incident_ids: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    extension_days: int | None = None


@dataclass(frozen=True)
class Finding:
    incident: str
    contract_ref: str | None
    breach: bool
    acted_on: bool
    clause_path: str | None = None
    clause_article: str | None = None
    penalty_eur: float | None = None
    days_late: int | None = None
    action_documents: tuple[str, ...] = ()
    contract_ref_source: Literal["journal", "corrige", "deduit", "inconnu"] = "journal"
    computation: str = ""  # the arithmetic, spelled out in French
    next_step: str | None = None
    act_by: dt.date | None = None
    rule: str = ""
    rule_version: str = ""
    confidence: float = 1.0
    needs_review: bool = False
    review_reason: str | None = None
