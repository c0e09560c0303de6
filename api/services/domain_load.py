"""Rebuild domain objects from the store, for the compliance engine and the exports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    return [contract_info(c) for c in session.scalars(select(t.Contract).order_by(t.Contract.ref))]


def all_suppliers(session: Session) -> list[SupplierInfo]:
    return [SupplierInfo(siret=s.siret, name=s.name, aliases=tuple(s.aliases or ()))
            for s in session.scalars(select(t.Supplier).order_by(t.Supplier.id))]


def all_incidents(session: Session) -> list[Incident]:
    return [
        Incident(id=i.ext_id, reported_on=i.reported_on, contract_ref=i.contract_ref_raw, service=i.service,
                 description=i.description, occurred_on=i.occurred_on, resolved_on=i.resolved_on)
        for i in session.scalars(select(t.IncidentRow).order_by(t.IncidentRow.occurred_on, t.IncidentRow.ext_id))
    ]
