"""Disputes (litiges), their evidence and bordereau, exclusion files, letter drafts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import StoreDep
from api.routes.web import templates  # the shared Jinja environment (filters date_fr, eur)
from api.services.evidence import KIND_LABELS, bordereau, disputes, suggest_evidence
from api.services.exclusion import GROUND_LABELS, contradictory_letter, exclusion_file
from api.services.letters import draft_invitation_observations, draft_mise_en_demeure
from models.db import tables as t

router = APIRouter(tags=["litiges"])
# HTML pages (/litiges, /exclusion): app.include_router(disputes.web_router)
web_router = APIRouter(include_in_schema=False)

Limit = Annotated[int, Query(ge=1, le=50, description="nombre de pièces proposées")]


class BordereauIn(BaseModel):
    pieces: list[int] | None = None  # rangs (1 = première preuve proposée) ; défaut : toutes
    limite: int = 10
    format: str = "zip"  # zip | csv | markdown
    auteur: str = ""


def _evidence_or_404(store: StoreDep, dispute_id: int, limit: int) -> list[Any]:
    if dispute_id not in disputes(store):
        raise HTTPException(404, "Litige introuvable : cette pièce n'est pas classée comme réclamation ou "
                                 "contestation.")
    return suggest_evidence(store, dispute_id, limit=limit)


def _dispute_rows(store: StoreDep) -> list[dict[str, Any]]:
    ids = disputes(store)
    with store.sessions() as session:
        rows = [session.get(t.Document, i) for i in ids]
        return [{
            "id": d.id, "piece": d.path or d.filename, "nature": KIND_LABELS.get(d.kind or "", d.kind),
            "date": d.doc_date.isoformat() if d.doc_date else None, "objet": d.subject,
            "marche": d.contract.ref if d.contract else None} for d in rows if d is not None]


@router.get("/litiges")
def list_disputes(store: StoreDep) -> dict[str, Any]:
    """Réclamations et contestations du portefeuille."""
    return {"litiges": _dispute_rows(store)}


@router.get("/litiges/{dispute_id}/preuves")
def dispute_evidence(store: StoreDep, dispute_id: int, limite: Limit = 10) -> dict[str, Any]:
    """Preuves proposées, classées, avec le passage et la raison."""
    items = _evidence_or_404(store, dispute_id, limite)
    return {"litige": dispute_id, "preuves": [{
        "rang": n, "piece": i.path, "article": i.article, "page": i.page, "extrait": i.quote,
        "score": i.score, "pourquoi": i.why, "nature": KIND_LABELS.get(i.doc_kind or "", i.doc_kind),
        "date": i.doc_date.isoformat() if i.doc_date else None} for n, i in enumerate(items, start=1)]}


@router.post("/litiges/{dispute_id}/bordereau")
def export_bordereau(store: StoreDep, dispute_id: int, body: BordereauIn) -> Response:
    """Bordereau de pièces numérotées (empreintes SHA-256) ; ZIP avec les originaux par défaut."""
    return _export(store, dispute_id, ranks=body.pieces, limit=body.limite, fmt=body.format, actor=body.auteur)


def _export(store: StoreDep, dispute_id: int, *, ranks: list[int] | None, limit: int, fmt: str,
            actor: str) -> Response:
    if fmt not in ("zip", "csv", "markdown"):
        raise HTTPException(422, "Format inconnu : choisissez zip, csv ou markdown.")
    items = _evidence_or_404(store, dispute_id, max(1, min(limit, 50)))
    if ranks:
        wrong = [r for r in ranks if r < 1 or r > len(items)]
        if wrong:
            raise HTTPException(422, f"Rang(s) de preuve inexistant(s) : {', '.join(map(str, wrong))}.")
        items = [items[r - 1] for r in ranks]
    result = bordereau(store, items, actor=actor, dispute_id=dispute_id, with_originals=fmt == "zip")
    name = f"bordereau-litige-{dispute_id}"
    if fmt == "zip":
        assert result.zip_bytes is not None
        return Response(result.zip_bytes, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})
    if fmt == "csv":
        return Response("\ufeff" + result.csv, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return PlainTextResponse(result.markdown, media_type="text/markdown; charset=utf-8")


@router.get("/exclusion/{siret}")
def exclusion(store: StoreDep, siret: str, au: dt.date | None = None, procedure: str | None = None) -> dict[str, Any]:
    """Dossier d'exclusion L2141-7 du candidat et projet de courrier L2141-11."""
    op, letter = _exclusion(store, siret, au, procedure)
    return {
        "siret": op.siret, "titulaire": op.name, "au": op.as_of.isoformat(), "depuis": op.since.isoformat(),
        "motif_constitue": op.qualifies, "a_verifier": op.needs_review, "raisons": list(op.review_reasons),
        "avis": op.opinion,
        "motifs": [{"marche": g.contract_ref, "nature": g.kind, "le": g.on.isoformat() if g.on else None,
                    "piece": g.document, "retenu": g.qualifying, "note": g.note} for g in op.grounds],
        "courrier_contradictoire": letter,
    }


def _exclusion(store: StoreDep, siret: str, au: dt.date | None, procedure: str | None) -> tuple[Any, str]:
    as_of = au or dt.date.today()
    try:
        op = exclusion_file(store, siret.replace(" ", ""), as_of=as_of)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    with store.sessions() as session:
        buyer = session.scalar(select(t.Buyer).order_by(t.Buyer.id))
        buyer_name = buyer.name if buyer else None
    return op, contradictory_letter(op, buyer_name=buyer_name, procedure=procedure, today=as_of)


@router.get("/courriers/mise-en-demeure/{incident}", response_class=PlainTextResponse)
def mise_en_demeure(store: StoreDep, incident: str, delai: Annotated[int, Query(ge=1, le=365)] = 15,
                    au: dt.date | None = None) -> str:
    """Projet de mise en demeure (à relire, compléter et signer)."""
    try:
        return draft_mise_en_demeure(store, incident, today=au, remedy_days=delai)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/courriers/invitation-observations", response_class=PlainTextResponse)
def invitation_observations(store: StoreDep, incidents: Annotated[list[str], Query()],
                            au: dt.date | None = None) -> str:
    """Projet d'invitation à présenter des observations sur les pénalités envisagées (CCAG 2021)."""
    try:
        return draft_invitation_observations(store, incidents, today=au)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


# ------------------------------------------------------------------ web pages

@web_router.get("/litiges", response_class=HTMLResponse)
def disputes_page(request: Request, store: StoreDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "litiges.html", {"disputes": _dispute_rows(store)})


@web_router.get("/litiges/{dispute_id}", response_class=HTMLResponse)
def evidence_page(request: Request, store: StoreDep, dispute_id: int) -> HTMLResponse:
    items = _evidence_or_404(store, dispute_id, 15)
    row = next(d for d in _dispute_rows(store) if d["id"] == dispute_id)
    return templates.TemplateResponse(request, "litige_preuves.html", {"dispute": row, "items": items})


@web_router.post("/litiges/{dispute_id}/bordereau")
def evidence_export_form(store: StoreDep, dispute_id: int, auteur: Annotated[str, Form()],
                         rangs: Annotated[list[int] | None, Form()] = None,
                         format: Annotated[str, Form()] = "zip") -> Response:
    if not rangs:
        raise HTTPException(422, "Cochez au moins une pièce à produire.")
    return _export(store, dispute_id, ranks=rangs, limit=15, fmt=format, actor=auteur)


@web_router.get("/exclusion", response_class=HTMLResponse)
def exclusion_page(request: Request, store: StoreDep, siret: str = "", au: dt.date | None = None) -> HTMLResponse:
    if not siret:
        with store.sessions() as session:
            suppliers = session.scalars(select(t.Supplier).order_by(t.Supplier.name)).all()
        return templates.TemplateResponse(request, "exclusion_choix.html", {"suppliers": suppliers})
    op, letter = _exclusion(store, siret, au, None)
    return templates.TemplateResponse(request, "exclusion.html",
                                         {"op": op, "letter": letter, "labels": GROUND_LABELS})
