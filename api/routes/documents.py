"""Documents: upload (size limit, duplicates, clear errors), list, pages, analysis, original."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import StoreDep
from api.services import documents as docs
from api.services.documents import load_analysis
from models.db import tables as t
from models.domain.codec import to_jsonable

router = APIRouter(tags=["pièces"])
CHUNK = 1024 * 1024


def _doc_json(d: t.Document) -> dict[str, Any]:
    return {"id": d.id, "fichier": d.filename, "chemin": d.path, "sha256": d.sha256, "taille": d.size,
            "format": d.format, "type": d.kind, "confiance_type": d.kind_confidence, "statut": d.status,
            "erreur": d.error, "marche": d.contract.ref if d.contract else None, "rattachement": d.assignment,
            "date": d.doc_date.isoformat() if d.doc_date else None, "sens": d.direction,
            "expediteur": d.sender, "destinataire": d.recipient, "objet": d.subject,
            "pages": d.page_count, "parent": d.parent_id}


@router.post("/documents", status_code=202)
async def upload(request: Request, store: StoreDep, file: UploadFile) -> dict[str, Any]:
    limit = store.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise HTTPException(413, _too_big(limit))
    chunks, size = [], 0
    while chunk := await file.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, _too_big(limit))
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise HTTPException(400, "Fichier vide : aucun octet reçu. Vérifiez le fichier et recommencez.")
    doc_id, duplicate = docs.accept_file(store, data=data, filename=file.filename or "piece", origin="upload")
    if duplicate:
        with store.sessions() as session:
            doc = session.get(t.Document, doc_id)
            return {"document": _doc_json(doc), "doublon": True,  # type: ignore[arg-type]
                    "message": docs._duplicate_message(doc)}  # type: ignore[arg-type]
    job = request.app.state.celery.tasks["vigie.process_document"].apply_async(args=[doc_id])
    return {"document": {"id": doc_id}, "doublon": False, "tache": job.id,
            "message": "Pièce reçue et conservée ; l'analyse est en cours."}


def _too_big(limit: int) -> str:
    return (f"Fichier trop volumineux : la limite est de {limit // (1024 * 1024)} Mo. "
            "Découpez le document ou demandez à l'administrateur de relever VIGIE_MAX_UPLOAD_BYTES.")


@router.get("/documents")
def list_documents(store: StoreDep, statut: str | None = None, marche: str | None = None,
                   limit: int = 100, offset: int = 0) -> dict[str, Any]:
    with store.sessions() as session:
        q = select(t.Document).order_by(t.Document.id)
        if statut:
            q = q.where(t.Document.status == statut)
        if marche:
            q = q.join(t.Contract).where(t.Contract.ref == marche)
        rows = session.scalars(q.offset(offset).limit(min(limit, 500))).all()
        return {"documents": [_doc_json(d) for d in rows]}


def _get(session: Session, document_id: int) -> t.Document:
    doc = session.get(t.Document, document_id)
    if doc is None:
        raise HTTPException(404, f"Pièce {document_id} introuvable.")
    return doc


@router.get("/documents/{document_id}")
def get_document(document_id: int, store: StoreDep) -> dict[str, Any]:
    with store.sessions() as session:
        return _doc_json(_get(session, document_id))


@router.get("/documents/{document_id}/pages")
def get_pages(document_id: int, store: StoreDep) -> dict[str, Any]:
    with store.sessions() as session:
        doc = _get(session, document_id)
        return {"pages": [{"numero": p.number, "texte": p.text, "ocr": p.ocr, "confiance_ocr": p.ocr_confidence}
                          for p in doc.pages]}


@router.get("/documents/{document_id}/analyse")
def get_analysis(document_id: int, store: StoreDep) -> dict[str, Any]:
    with store.sessions() as session:
        _get(session, document_id)
        analysis: dict[str, Any] = to_jsonable(load_analysis(session, document_id))
        return analysis


@router.get("/documents/{document_id}/original")
def get_original(document_id: int, store: StoreDep) -> Response:
    with store.sessions() as session:
        doc = _get(session, document_id)
        sha, name = doc.sha256, doc.filename
    return Response(store.blobs.get(sha), media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}",
                             "X-Vigie-SHA256": sha})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@router.get("/jobs/{job_id}")
def job_status(job_id: str, request: Request) -> dict[str, Any]:
    result = request.app.state.celery.AsyncResult(job_id)
    info = result.info if isinstance(result.info, dict) else ({"erreur": str(result.info)} if result.info else None)
    return {"id": job_id, "etat": result.state, "detail": info}
