"""Findings (breaches), reviews and the daily digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import StoreDep
from api.services.digest import build_digest
from api.services.findings import recompute_findings, record_review, reviews_by_incident
from models.db import tables as t

router = APIRouter(tags=["manquements"])


class ReviewIn(BaseModel):
    decision: str  # confirme | ecarte
    motif: str = ""
    relecteur: str


@router.get("/findings")
def list_findings(store: StoreDep, non_traites: bool = False) -> dict[str, Any]:
    reviews = reviews_by_incident(store)
    with store.sessions() as session:
        q = select(t.FindingRow).order_by(t.FindingRow.act_by.is_(None), t.FindingRow.act_by, t.FindingRow.incident_ext_id)
        if non_traites:
            q = q.where(t.FindingRow.breach.is_(True), t.FindingRow.acted_on.is_(False))
        out = []
        for f in session.scalars(q):
            r = reviews.get(f.incident_ext_id)
            out.append({**f.data, "revue": None if r is None else {
                "decision": r.decision, "motif": r.reason, "relecteur": r.reviewer,
                "le": r.decided_at.isoformat()}})
        return {"constats": out}


@router.post("/findings/recompute")
def recompute(store: StoreDep, au: dt.date | None = None) -> dict[str, Any]:
    findings = recompute_findings(store, as_of=au or dt.date.today())
    return {"constats": len(findings), "non_traites": sum(1 for f in findings if f.breach and not f.acted_on)}


@router.post("/findings/{incident}/revue")
def review(incident: str, body: ReviewIn, store: StoreDep) -> dict[str, str]:
    try:
        record_review(store, incident=incident, decision=body.decision, reason=body.motif, reviewer=body.relecteur)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return {"message": "Décision enregistrée."}


@router.get("/digest")
def digest(store: StoreDep, au: dt.date | None = None) -> dict[str, Any]:
    return build_digest(store, as_of=au or dt.date.today())
