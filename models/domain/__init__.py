"""Immutable domain types shared by every layer of Vigie.

Only the standard library is used here so that `ingest`, `nlp`, `search` and
`models.compliance` can all depend on these types without pulling anything else.
"""

from models.domain.clock import Clock, FixedClock, SystemClock
from models.domain.types import (
    CONTRACT_KINDS,
    DOCUMENT_KINDS,
    Action,
    ActionKind,
    Attachment,
    Clause,
    ContractInfo,
    Correspondence,
    Deadline,
    DocumentAnalysis,
    DocumentKind,
    Finding,
    Incident,
    Obligation,
    Page,
    ParsedDocument,
    ParseStatus,
    Penalty,
    Span,
    SupplierInfo,
    Table,
    Termination,
)

__all__ = [
    "Action",
    "ActionKind",
    "Attachment",
    "Clause",
    "Clock",
    "ContractInfo",
    "Correspondence",
    "Deadline",
    "DocumentAnalysis",
    "DocumentKind",
    "Finding",
    "FixedClock",
    "Incident",
    "Obligation",
    "Page",
    "ParseStatus",
    "ParsedDocument",
    "Penalty",
    "Span",
    "SupplierInfo",
    "SystemClock",
    "Table",
    "CONTRACT_KINDS",
    "DOCUMENT_KINDS",
    "Termination",
]
