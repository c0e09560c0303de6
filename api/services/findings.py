"""Recompute findings from the store; reviewer decisions are kept apart and survive."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from api.services.documents import load_analysis, load_parsed
from api.services.domain_load import all_contracts, all_incidents, all_suppliers
from api.services.monitoring import AnalysedDocument, evaluate_portfolio
from api.services.store import Store
from models.db import tables as t
from models.domain import Finding
from models.domain.codec import to_jsonable


def analysed_documents(store: Store) -> list[AnalysedDocument]:
    out = []
    with store.sessions() as session:
        rows = session.scalars(select(t.Document).where(t.Document.status.in_(("parsed", "partial")))
                               .order_by(t.Document.id)).all()
        for doc in rows:
            out.append(AnalysedDocument(
                path=doc.path or doc.filename,
                contract_ref=doc.contract.ref if doc.contract else None,
                parsed=load_parsed(session, doc.id),
                analysis=load_analysis(session, doc.id),
            ))
    return out


def recompute_findings(store: Store, *, as_of: dt.date) -> list[Finding]:
    with store.sessions() as session:
        contracts = all_contracts(session)
        suppliers = all_suppliers(session)
        incidents = all_incidents(session)
    findings = evaluate_portfolio(contracts=contracts, suppliers=suppliers, documents=analysed_documents(store),
                                  incidents=incidents, as_of=as_of)
    save_findings(store, findings)
    return findings


def save_findings(store: Store, findings: list[Finding]) -> list[str]:
    """Upsert computed findings; returns the incidents whose unacted breach is new."""
    new_unacted = []
    now = dt.datetime.now(dt.UTC)
    with store.sessions.begin() as session:
        existing = {f.incident_ext_id: f for f in session.scalars(select(t.FindingRow))}
        for f in findings:
            row = existing.get(f.incident)
            was_unacted = row is not None and row.breach and not row.acted_on
            if row is None:
                row = t.FindingRow(incident_ext_id=f.incident, first_seen_at=now)
                session.add(row)
            row.contract_ref = f.contract_ref
            row.breach = f.breach
            row.acted_on = f.acted_on
            row.penalty_eur = f.penalty_eur
            row.act_by = f.act_by
            row.needs_review = f.needs_review
            row.rule_version = f.rule_version
            row.data = to_jsonable(f)
            row.computed_at = now
            if f.breach and not f.acted_on and not was_unacted:
                new_unacted.append(f.incident)
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
