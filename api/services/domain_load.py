"""Rebuild domain objects from the store, for the compliance engine and the exports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models.db import tables as t
from models.domain import ContractInfo, Incident, SupplierInfo, Termination


def contract_info(c: t.Contract) -> ContractInfo:
    termination = None
    if c.terminated_on is not None:
        termination = Termination(on=c.terminated_on, kind=c.termination_kind or "autre",  # type: ignore[arg-type]
                                  document=c.termination_document)
    return ContractInfo(
        ref=c.ref, title=c.title, ccag=c.ccag, ccag_version=c.ccag_version,
        supplier_siret=c.supplier.siret if c.supplier else None, amount_ht_eur=c.amount_ht_eur,
        notified_on=c.notified_on, duration_months=c.duration_months, terminated=termination,
        buyer_name=c.buyer.name if c.buyer else None,
    )


def all_contracts(session: Session) -> list[ContractInfo]:
    # suppliers and buyers in the same query: one lazy load per distinct supplier otherwise
    query = (select(t.Contract).options(joinedload(t.Contract.supplier), joinedload(t.Contract.buyer))
             .order_by(t.Contract.ref))
    return [contract_info(c) for c in session.scalars(query)]


def all_suppliers(session: Session) -> list[SupplierInfo]:
    return [SupplierInfo(siret=s.siret, name=s.name, aliases=tuple(s.aliases or ()))
            for s in session.scalars(select(t.Supplier).order_by(t.Supplier.id))]


def all_incidents(session: Session) -> list[Incident]:
    # plain columns, not ORM objects: read-only, and the log may hold 50 000 lines
    i = t.IncidentRow
    query = (select(i.ext_id, i.reported_on, i.contract_ref_raw, i.service, i.description, i.occurred_on,
                    i.resolved_on).order_by(i.occurred_on, i.ext_id))
    return [
        Incident(id=r.ext_id, reported_on=r.reported_on, contract_ref=r.contract_ref_raw, service=r.service,
                 description=r.description, occurred_on=r.occurred_on, resolved_on=r.resolved_on)
        for r in session.execute(query)
    ]
