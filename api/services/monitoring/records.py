"""Records shared by the monitoring steps: contracts, letters, incident links."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ingest.options import ParseOptions
from models.compliance import normalise_article
from models.domain.types import (
    ContractInfo,
    Correspondence,
    Deadline,
    DocumentAnalysis,
    Incident,
    ParsedDocument,
    Penalty,
)
from nlp.incidents import IncidentFacts
from nlp.linking import find_dates, fold, order_key

MONITORING_VERSION = "vigie.monitoring.v1"

RefSource = Literal["journal", "corrige", "deduit", "inconnu"]  # Finding.contract_ref_source

# The buyer's written acts that answer a breach (SPEC §2 « acted_on »); a relance does not.
ACTING_KINDS: frozenset[str] = frozenset({
    "mise_en_demeure", "invitation_observations", "notification_penalites", "pv_constat",
    "decision_resiliation",
})
ANSWER_KINDS: frozenset[str] = frozenset({"reclamation", "contestation", "courrier_titulaire"})

_ATTACHMENT_OPTIONS = ParseOptions(ocr=False)

# Minimum link score for a letter to be taken as written about an incident.
LETTER_LINK_THRESHOLD = 0.6
# Below this (text similarity plus trigger bonus), no penalty clause is taken as engaged.
MIN_CLAUSE_SCORE = 0.1


@dataclass(frozen=True)
class AnalysedDocument:
    path: str  # portfolio-relative
    contract_ref: str | None  # known from the folder (contracts/REF/...), else None
    parsed: ParsedDocument
    analysis: DocumentAnalysis


# ------------------------------------------------------------------ internal records

@dataclass
class _Contract:
    info: ContractInfo
    names: list[str]
    sirets: set[str]
    penalties: list[tuple[Penalty, str]] = field(default_factory=list)  # (clause, document path)
    deadlines: list[Deadline] = field(default_factory=list)
    derogations: list[tuple[str, str | None]] = field(default_factory=list)
    applies_ccag: bool = False
    ccap_path: str | None = None
    profile: list[str] = field(default_factory=list)  # texts describing the contract
    texts: list[str] = field(default_factory=list)  # full text of its contract documents
    unread: list[str] = field(default_factory=list)  # files of its folder not read as contract documents

    # Read by every letter score once the contract is built (its clauses no longer change).
    @functools.cached_property
    def penalty_articles(self) -> frozenset[str | None]:
        return frozenset(normalise_article(p.article) for p, _ in self.penalties if p.article)

    @functools.cached_property
    def clauses_per_article(self) -> Counter[str | None]:
        return Counter(normalise_article(p.article) for p, _ in self.penalties)


@dataclass(frozen=True)
class _Letter:
    path: str
    kind: str
    corr: Correspondence
    text: str
    contract_ref: str | None

    # What every incident of the contract compares with, worked out once per letter.
    @functools.cached_property
    def order_keys(self) -> frozenset[str]:
        return frozenset(order_key(o) for o in self.corr.order_refs)

    @functools.cached_property
    def folded_text(self) -> str:
        return fold(self.text)

    @functools.cached_property
    def folded_head(self) -> str:
        return fold(self.corr.subject or self.text[:300])

    @functools.cached_property
    def cited_articles(self) -> frozenset[str | None]:
        """Articles of the contract's own documents the letter cites (not the CCAG's)."""
        return frozenset(normalise_article(a.split(" ")[-1]) for a in self.corr.articles_cited
                         if not a.startswith(("CCAG", "CCTP", "AE", "R")))

    @functools.cached_property
    def failing_days(self) -> frozenset[dt.date]:
        days = set(self.corr.failing_dates)
        if self.kind == "pv_constat" and self.corr.date:
            days.add(self.corr.date)  # a PV de constat records what was seen on its own day
        return frozenset(days)

    @functools.cached_property
    def text_dates(self) -> frozenset[dt.date]:
        return frozenset(d for d, _s, _e in find_dates(self.text))


@dataclass(frozen=True)
class _ContractLink:
    ref: str | None
    source: RefSource
    confidence: float
    reason: str | None = None


@dataclass
class _Linked:
    incident: Incident
    facts: IncidentFacts
    link: _ContractLink
    penalty: Penalty | None = None
    clause_path: str | None = None
    clause_score: float = 0.0
    actions: list[tuple[_Letter, float]] = field(default_factory=list)
    answers: list[_Letter] = field(default_factory=list)
    extensions: list[_Letter] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)

    # What every letter of the contract is compared with, worked out once per incident.
    @functools.cached_property
    def order_keys(self) -> frozenset[str]:
        return frozenset(order_key(o) for o in self.facts.order_refs)

    @functools.cached_property
    def folded_description(self) -> str:
        return fold(self.incident.description)

    @functools.cached_property
    def days(self) -> frozenset[dt.date]:
        """Days of the failing (an order's or a request's day is not one)."""
        days = {f.day for f in self.facts.dates if f.role not in ("order", "requested")}
        for day in (self.incident.occurred_on, self.facts.outage_start.date() if self.facts.outage_start else None):
            if day:
                days.add(day)
        return frozenset(days)

def title_words(text: str) -> frozenset[str]:
    """Distinctive words (5+ letters, accents folded) of a contract title or a description."""
    return _title_words(text)


@functools.lru_cache(maxsize=1 << 16)  # titles and log lines recur across a scan
def _title_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]{5,}", fold(text)) if w not in _GENERIC_TITLE_WORDS)


_GENERIC_TITLE_WORDS = frozenset(
    "marche accord cadre fourniture fournitures livraison prestation prestations travaux service services "
    "entretien maintenance realisation mission etude relative relatif aupres toute toutes".split())
