"""The French web UI (server-rendered, no JavaScript build)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from api.deps import StoreDep
from api.services.contracts import contract_regime
from api.services.findings import record_review, reviews_by_incident
from api.services.indexing import backend_for
from models.db import tables as t
from search import SearchError

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "web" / "templates"))


def _eur(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.2f} €".replace(",", "\u202f").replace(".", ",")


UNITS_FR = {"jour": "jour calendaire", "jour_ouvre": "jour ouvré", "jour_ouvrable": "jour ouvrable",
            "heure": "heure", "semaine": "semaine", "mois": "mois", "an": "an", "occurrence": "manquement"}


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


def _rate(data: dict[str, object]) -> str:
    """How a penalty is written for a jurist: « 150,00 € par jour ouvré », « 1/1000 par jour »."""
    unit = UNITS_FR.get(str(data.get("unit")), "")
    per = f" par {unit}" if unit else ""
    amount, ratio = data.get("amount_eur"), data.get("ratio")
    if isinstance(amount, (int, float)):
        return f"{_eur(float(amount))}{per}"
    if isinstance(ratio, (int, float)) and ratio > 0:
        if data.get("basis") == "percent":
            return f"{_num(ratio * 100)} %"
        return f"1/{round(1 / ratio):g}{per}"
    return ""


templates.env.filters["eur"] = _eur
templates.env.filters["num"] = _num
templates.env.filters["taux"] = _rate
templates.env.filters["unite"] = lambda u: UNITS_FR.get(u, u or "")
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


@router.get("/marches/{ref}", response_class=HTMLResponse)
def contract_page(request: Request, ref: str, store: StoreDep) -> HTMLResponse:
    with store.sessions() as session:
        contract = session.scalar(select(t.Contract).where(t.Contract.ref == ref))
        if contract is None:
            raise HTTPException(404, f"Marché « {ref} » introuvable.")
        docs = session.scalars(select(t.Document).where(t.Document.contract_id == contract.id)
                               .order_by(t.Document.doc_date, t.Document.path)).all()
        items = session.execute(select(t.ExtractedItem, t.Document).join(t.Document)
                                .where(t.Document.contract_id == contract.id).order_by(t.ExtractedItem.id)).all()
        findings = session.scalars(select(t.FindingRow).where(t.FindingRow.contract_ref == ref)
                                   .order_by(t.FindingRow.incident_ext_id)).all()
        context = {"c": contract, "supplier": contract.supplier, "docs": docs, "findings": findings,
                   "penalties": [(i, d) for i, d in items if i.item_type == "penalty"],
                   "deadlines": [(i, d) for i, d in items if i.item_type == "deadline"]}
    regime = contract_regime(store, ref)
    return templates.TemplateResponse(request, "marche.html", {**context, "regime": regime})


@router.get("/constats/{incident}", response_class=HTMLResponse)
def finding_page(request: Request, incident: str, store: StoreDep) -> HTMLResponse:
    with store.sessions() as session:
        finding = session.scalar(select(t.FindingRow).where(t.FindingRow.incident_ext_id == incident))
        row = session.scalar(select(t.IncidentRow).where(t.IncidentRow.ext_id == incident))
        if finding is None or row is None:
            raise HTTPException(404, f"Constat « {incident} » introuvable.")
        data = finding.data or {}
        clause = None
        if data.get("clause_path"):
            clause = session.execute(
                select(t.ExtractedItem, t.Document).join(t.Document)
                .where(t.Document.path == data["clause_path"], t.ExtractedItem.item_type == "penalty",
                       t.ExtractedItem.article == data.get("clause_article"))).first()
        letters = session.scalars(select(t.Document).where(t.Document.path.in_(data.get("action_documents", []))))
        context = {"f": finding, "d": data, "incident": row, "clause": clause, "letters": letters.all()}
    review = reviews_by_incident(store).get(incident)
    return templates.TemplateResponse(request, "constat.html", {**context, "review": review})


@router.get("/recherche", response_class=HTMLResponse)
def search_page(request: Request, store: StoreDep, q: str = "") -> HTMLResponse:
    results, error = None, ""
    if q.strip():
        try:
            results = backend_for(store).search(q, size=20)
        except SearchError as exc:
            error = str(exc)
    return templates.TemplateResponse(request, "recherche.html", {"q": q, "results": results, "erreur": error})
