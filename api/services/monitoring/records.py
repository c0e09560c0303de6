"""Records shared by the monitoring steps: contracts, letters, incident links."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ingest.options import ParseOptions
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
from nlp.linking import (
    find_known_refs,
    fold,
    ref_key,
)

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


@dataclass(frozen=True)
class _Letter:
    path: str
    kind: str
    corr: Correspondence
    text: str
    contract_ref: str | None


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

def _known_ref(ref: str | None, contracts: dict[str, _Contract]) -> str | None:
    """The portfolio's reference written in `ref`: same characters (separators free), or
    written inside it (« Marché 2023/045 lot 1 »)."""
    if not ref:
        return None
    known = _ref_keys(contracts).get(ref_key(ref))
    if known is not None:
        return known
    inside = find_known_refs(ref, list(contracts))
    return inside[0] if len(inside) == 1 else None

# ref_key → first portfolio reference with that key, for the last contracts dict seen (one per
# scan); the dict itself and its keys are kept to check it is still the same portfolio.
_REF_KEYS: list[tuple[dict[str, _Contract], tuple[str, ...], dict[str, str]]] = []


def _ref_keys(contracts: dict[str, _Contract]) -> dict[str, str]:
    keys = tuple(contracts)
    cached = _REF_KEYS[0] if _REF_KEYS else None  # read once: scans may run in threads
    if cached is not None and cached[0] is contracts and cached[1] == keys:
        return cached[2]
    by_key: dict[str, str] = {}
    for known in keys:
        by_key.setdefault(ref_key(known), known)  # the first one wins, as a scan in order would
    _REF_KEYS[:] = [(contracts, keys, by_key)]
    return by_key


def _mentions_any(text: str, names: Sequence[str]) -> bool:
    folded = fold(text)
    return any(len(n) >= 3 and _name_pattern(n).search(folded) for n in names)


@functools.lru_cache(maxsize=1 << 14)  # one compiled pattern per supplier name: re's own cache holds only 512
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(fold(name)) + r"(?![a-z0-9])")
