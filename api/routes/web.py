"""The French web UI (server-rendered, no JavaScript build)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from api.deps import StoreDep
from api.services.findings import record_review, reviews_by_incident
from api.services.indexing import backend_for
from models.db import tables as t

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "web" / "templates"))


def _eur(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f} €".replace(",", "\u202f").replace(".", ",")


templates.env.filters["eur"] = _eur
templates.env.filters["date_fr"] = lambda d: d.strftime("%d/%m/%Y") if d else "—"


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, store: StoreDep, erreur: str = "") -> HTMLResponse:
    reviews = reviews_by_incident(store)
    with store.sessions() as session:
        findings = session.scalars(select(t.FindingRow).order_by(t.FindingRow.act_by.is_(None), t.FindingRow.act_by,
                                                           t.FindingRow.incident_ext_id)).all()
        counts = dict(session.execute(select(t.Document.status, func.count()).group_by(t.Document.status)).all())
        contracts = session.scalar(select(func.count()).select_from(t.Contract))
    unacted = [f for f in findings if f.breach and not f.acted_on]
    return templates.TemplateResponse(request, "tableau.html", {
        "unacted": unacted, "acted": [f for f in findings if f.breach and f.acted_on], "reviews": reviews,
        "total": sum(f.penalty_eur or 0 for f in unacted), "counts": counts, "contracts": contracts,
        "today": dt.date.today(), "erreur": erreur})


@router.post("/revue/{incident}")
def review_form(incident: str, store: StoreDep, decision: Annotated[str, Form()],
                relecteur: Annotated[str, Form()], motif: Annotated[str, Form()] = "") -> RedirectResponse:
    try:
        record_review(store, incident=incident, decision=decision, reason=motif, reviewer=relecteur)
    except ValueError as exc:
        return RedirectResponse(f"/?erreur={quote(str(exc))}", status_code=303)
    return RedirectResponse("/", status_code=303)


@router.get("/pieces", response_class=HTMLResponse)
def documents_page(request: Request, store: StoreDep) -> HTMLResponse:
    with store.sessions() as session:
        rows = session.scalars(select(t.Document).order_by(t.Document.path)).all()
        items = [{"d": d, "marche": d.contract.ref if d.contract else None} for d in rows]
    return templates.TemplateResponse(request, "pieces.html", {"items": items})


@router.get("/recherche", response_class=HTMLResponse)
def search_page(request: Request, store: StoreDep, q: str = "") -> HTMLResponse:
    results = backend_for(store).search(q, size=20) if q.strip() else None
    return templates.TemplateResponse(request, "recherche.html", {"q": q, "results": results})
