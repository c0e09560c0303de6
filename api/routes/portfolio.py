"""Contracts and incidents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, UploadFile
from sqlalchemy import select

from api.deps import StoreDep
from api.services.contracts import contract_regime, regime_json
from api.services.incident_log import IncidentLogError, import_incidents
from models.db import tables as t

router = APIRouter(tags=["marchés et incidents"])


def _contract_json(c: t.Contract) -> dict[str, Any]:
    return {"reference": c.ref, "objet": c.title, "ccag": c.ccag, "version_ccag": c.ccag_version,
            "montant_ht_eur": c.amount_ht_eur, "notifie_le": c.notified_on.isoformat() if c.notified_on else None,
            "duree_mois": c.duration_months, "statut": c.status,
            "titulaire": c.supplier.name if c.supplier else None,
            "siret_titulaire": c.supplier.siret if c.supplier else None,
            "resilie_le": c.terminated_on.isoformat() if c.terminated_on else None,
            "type_resiliation": c.termination_kind}


@router.get("/contracts")
def list_contracts(store: StoreDep) -> dict[str, Any]:
    with store.sessions() as session:
        return {"marches": [_contract_json(c) for c in session.scalars(select(t.Contract).order_by(t.Contract.ref))]}


@router.get("/contracts/{ref}")
def get_contract(ref: str, store: StoreDep) -> dict[str, Any]:
    with store.sessions() as session:
        c = session.scalar(select(t.Contract).where(t.Contract.ref == ref))
        if c is None:
            raise HTTPException(404, f"Marché « {ref} » introuvable.")
        out = _contract_json(c)
        docs = session.scalars(select(t.Document).where(t.Document.contract_id == c.id).order_by(t.Document.path))
        out["pieces"] = [{"id": d.id, "chemin": d.path, "type": d.kind, "statut": d.status} for d in docs]
        items = session.execute(select(t.ExtractedItem, t.Document.path).join(t.Document)
                                .where(t.Document.contract_id == c.id).order_by(t.ExtractedItem.id)).all()
        for key, item_type in (("penalites", "penalty"), ("delais", "deadline"), ("obligations", "obligation")):
            out[key] = [{**row.data, "piece": path} for row, path in items if row.item_type == item_type]
    regime = contract_regime(store, ref)
    out["regime_penalites"] = regime_json(regime) if regime else None
    return out


@router.get("/incidents")
def list_incidents(store: StoreDep, marche: str | None = None) -> dict[str, Any]:
    with store.sessions() as session:
        q = select(t.IncidentRow).order_by(t.IncidentRow.occurred_on, t.IncidentRow.ext_id)
        if marche:
            q = q.where(t.IncidentRow.contract_ref_raw == marche)
        return {"incidents": [
            {"id": i.ext_id, "signale_le": i.reported_on and i.reported_on.isoformat(), "marche": i.contract_ref_raw,
             "service": i.service, "description": i.description,
             "survenu_le": i.occurred_on and i.occurred_on.isoformat(),
             "resolu_le": i.resolved_on and i.resolved_on.isoformat()} for i in session.scalars(q)]}


@router.post("/incidents/import")
async def upload_incidents(store: StoreDep, file: UploadFile) -> dict[str, Any]:
    data = await file.read()
    try:
        result = import_incidents(store, data=data, filename=file.filename or "incidents.csv")
    except IncidentLogError as exc:
        raise HTTPException(400, str(exc)) from exc
    return {"crees": result.created, "mis_a_jour": result.updated, "inchanges": result.unchanged,
            "erreurs": result.errors, "avertissements": result.warnings}
