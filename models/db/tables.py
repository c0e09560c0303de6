"""SQLAlchemy 2 tables of Vigie's store.

The same tables run on SQLite (embedded default) and PostgreSQL. Analysis results are
kept both as rows (clauses, extracted items: queryable, indexable) and as JSON payloads
(`data`) holding every field of the domain dataclass, so nothing extracted is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Buyer(Base):
    __tablename__ = "buyers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)


class Supplier(Base):
    __tablename__ = "suppliers"
    id: Mapped[int] = mapped_column(primary_key=True)
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[Any]] = mapped_column(default=list)


class Contract(Base):
    __tablename__ = "contracts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(30), default="marche")
    ccag: Mapped[str | None] = mapped_column(String(20))
    ccag_version: Mapped[int | None] = mapped_column(Integer)
    amount_ht_eur: Mapped[float | None] = mapped_column(Float)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30), default="en_cours")
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    termination_kind: Mapped[str | None] = mapped_column(String(30))
    termination_document: Mapped[str | None] = mapped_column(Text)
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    source: Mapped[str] = mapped_column(String(30), default="portfolio")
    supplier: Mapped[Supplier | None] = relationship()
    buyer: Mapped[Buyer | None] = relationship()


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    path: Mapped[str | None] = mapped_column(Text)  # portfolio-relative path of the first copy
    size: Mapped[int] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(40))
    kind_confidence: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(20))
    doc_date: Mapped[dt.date | None] = mapped_column(Date)
    sender: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    # how the contract was found: dossier, reference, fournisseur, manuel; None = to review
    assignment: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="received")
    error: Mapped[str | None] = mapped_column(Text)
    paginated: Mapped[bool] = mapped_column(Boolean, default=False)
    page_count: Mapped[int | None] = mapped_column(Integer)
    metadata_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    analysis: Mapped[dict[str, Any]] = mapped_column(default=dict)  # ccag, derogations, correspondence
    analysis_version: Mapped[str | None] = mapped_column(String(40))
    # ids of the search records last written for this document (to remove stale ones)
    index_ids: Mapped[list[Any]] = mapped_column(default=list)
    analysed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    contract: Mapped[Contract | None] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", order_by="Page.number", cascade="all, delete-orphan"
    )


class DocumentSource(Base):
    """Every time a file reached Vigie (folder import, upload): the audit trail of duplicates."""

    __tablename__ = "document_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    origin: Mapped[str] = mapped_column(String(30))  # import, upload, piece_jointe
    name: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Page(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    document: Mapped[Document] = relationship(back_populates="pages")
    __table_args__ = (UniqueConstraint("document_id", "number"),)


class ClauseRow(Base):
    __tablename__ = "clauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    article: Mapped[str | None] = mapped_column(String(40))
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer, default=1)
    parent: Mapped[str | None] = mapped_column(String(40))
    clause_type: Mapped[str | None] = mapped_column(String(40))


class ExtractedItem(Base):
    """A penalty, deadline or obligation; `data` holds every field of the domain item."""

    __tablename__ = "extracted_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    item_type: Mapped[str] = mapped_column(String(20))  # penalty, deadline, obligation
    article: Mapped[str | None] = mapped_column(String(40))
    page: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (Index("ix_items_doc_type", "document_id", "item_type"),)


class IncidentRow(Base):
    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(100), unique=True)
    reported_on: Mapped[dt.date | None] = mapped_column(Date)
    contract_ref_raw: Mapped[str | None] = mapped_column(String(100))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    service: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FindingRow(Base):
    """Computed findings: replaced on each scan. Human decisions live in `reviews`."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_ext_id: Mapped[str] = mapped_column(String(100), unique=True)
    contract_ref: Mapped[str | None] = mapped_column(String(100))
    breach: Mapped[bool] = mapped_column(Boolean)
    acted_on: Mapped[bool] = mapped_column(Boolean)
    penalty_eur: Mapped[float | None] = mapped_column(Float)
    act_by: Mapped[dt.date | None] = mapped_column(Date)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rule_version: Mapped[str] = mapped_column(String(40), default="")
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Review(Base):
    """A reviewer's decision on an incident's finding; survives recomputation."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_ext_id: Mapped[str] = mapped_column(String(100), index=True)
    decision: Mapped[str] = mapped_column(String(20))  # confirme, ecarte
    reason: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class OutboxEntry(Base):
    """Index work written in the same transaction as the data; processed after commit."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))  # index_document, delete_document
    entity_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what and when (exports, reviews, imports): the buyer's trail."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
