"""Recompute findings from the store; reviewer decisions are kept apart and survive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, insert, select, update

from api.services.documents import analysis_from_rows, parsed_from_rows
from api.services.domain_load import all_contracts, all_incidents, all_suppliers
from api.services.monitoring import AnalysedDocument, evaluate_portfolio
from api.services.store import Store
from models.db import tables as t
from models.domain import Finding
from models.domain.codec import to_jsonable

ANALYSED_STATUSES = ("parsed", "partial")


def analysed_documents(store: Store) -> list[AnalysedDocument]:
    """Every parsed document with its analysis, rebuilt as `load_parsed` / `load_analysis` do.

    Four queries for the whole store (documents, pages, clauses, items) instead of three per
    document: the daily scan reloads ~12 000 documents twice (findings, then the digest's schedule).
    Columns are selected rather than ORM objects: nothing here is written back."""
    d, p, c, i = t.Document, t.Page, t.ClauseRow, t.ExtractedItem
    wanted = d.status.in_(ANALYSED_STATUSES)
    with store.sessions() as session:
        docs = session.execute(
            select(d.id, d.path, d.filename, d.status, d.format, d.paginated, d.metadata_json, d.error,
                   d.kind, d.kind_confidence, d.analysis, t.Contract.ref.label("contract_ref"))
            .outerjoin(t.Contract, t.Contract.id == d.contract_id).where(wanted).order_by(d.id)).all()
        pages = _grouped(session.execute(
            select(p.document_id, p.number, p.text, p.start, p.ocr, p.ocr_confidence).join(d, d.id == p.document_id)
            .where(wanted).order_by(p.document_id, p.number)))
        clauses = _grouped(session.execute(
            select(c.document_id, c.article, c.heading, c.text, c.page, c.start, c.end, c.level, c.parent,
                   c.clause_type).join(d, d.id == c.document_id)
            .where(wanted).order_by(c.document_id, c.start, c.id)))
        items = _grouped(session.execute(
            select(i.document_id, i.item_type, i.data).join(d, d.id == i.document_id)
            .where(wanted).order_by(i.document_id, i.id)))
    return [AnalysedDocument(path=doc.path or doc.filename, contract_ref=doc.contract_ref,
                             parsed=parsed_from_rows(doc, pages.get(doc.id, ())),
                             analysis=analysis_from_rows(doc, clauses.get(doc.id, ()), items.get(doc.id, ())))
            for doc in docs]


def _grouped(rows: Iterable[Row[Any]]) -> dict[int, list[Row[Any]]]:
    """Rows ordered by document_id, grouped per document (order kept)."""
    out: dict[int, list[Row[Any]]] = {}
    for row in rows:
        out.setdefault(row.document_id, []).append(row)
    return out


def recompute_findings(store: Store, *, as_of: dt.date,
                       documents: list[AnalysedDocument] | None = None) -> list[Finding]:
    """Findings of every logged incident as of `as_of`, saved. `documents`: the store's analysed
    documents when the caller has loaded them already (the daily scan, which needs them again
    for the digest's calendar)."""
    with store.sessions() as session:
        contracts = all_contracts(session)
        suppliers = all_suppliers(session)
        incidents = all_incidents(session)
    if documents is None:
        documents = analysed_documents(store)
    findings = evaluate_portfolio(contracts=contracts, suppliers=suppliers, documents=documents,
                                  incidents=incidents, as_of=as_of)
    save_findings(store, findings)
    return findings


def save_findings(store: Store, findings: list[Finding]) -> list[str]:
    """Upsert computed findings; returns the incidents whose unacted breach is new.

    Bulk statements (one executemany for new rows, one for known rows) rather than one ORM
    object per finding: a scan rewrites ~50 000 rows, and the stored JSON of the old rows is
    never read back, only their ids and flags."""
    new_unacted = []
    now = dt.datetime.now(dt.UTC)
    f_ = t.FindingRow
    with store.sessions.begin() as session:
        existing = {r.incident_ext_id: r for r in session.execute(select(f_.id, f_.incident_ext_id, f_.breach,
                                                                         f_.acted_on))}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for f in findings:
            row = existing.get(f.incident)
            was_unacted = row is not None and row.breach and not row.acted_on
            values = {"contract_ref": f.contract_ref, "breach": f.breach, "acted_on": f.acted_on,
                      "penalty_eur": f.penalty_eur, "act_by": f.act_by, "needs_review": f.needs_review,
                      "rule_version": f.rule_version, "data": to_jsonable(f), "computed_at": now}
            if row is None:
                inserts.append({"incident_ext_id": f.incident, "first_seen_at": now, **values})
            else:
                updates.append({"id": row.id, **values})
            if f.breach and not f.acted_on and not was_unacted:
                new_unacted.append(f.incident)
        if inserts:
            session.execute(insert(f_), inserts)
        if updates:
            session.execute(update(f_), updates)  # ORM bulk UPDATE by primary key
    return new_unacted


def reviews_by_incident(store: Store) -> dict[str, t.Review]:
    """The latest reviewer decision per incident."""
    with store.sessions() as session:
        latest: dict[str, t.Review] = {}
        for r in session.scalars(select(t.Review).order_by(t.Review.decided_at, t.Review.id)):
            latest[r.incident_ext_id] = r
        return latest


def record_review(store: Store, *, incident: str, decision: str, reason: str, reviewer: str) -> None:
    if decision not in ("confirme", "ecarte"):
        raise ValueError("Décision inconnue : choisissez « confirme » ou « ecarte ».")
    if decision == "ecarte" and not reason.strip():
        raise ValueError("Indiquez le motif pour écarter un manquement.")
    with store.sessions.begin() as session:
        session.add(t.Review(incident_ext_id=incident, decision=decision, reason=reason, reviewer=reviewer))
        session.add(t.AuditEvent(actor=reviewer, action=f"revue_{decision}", detail={"incident": incident,
                                                                                     "motif": reason}))
