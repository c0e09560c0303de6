"""Use cases on documents: accept the original, parse, analyse, persist, reload.

The original bytes are stored and committed before anything can fail; parsing and
analysis problems become a status on the Document (parsed / partial / failed) with a
French reason, never a lost file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.services.store import Store
from ingest.options import ParseOptions
from ingest.parse import parse_bytes
from ingest.safety import safe_filename
from models.db import tables as t
from models.domain import (
    Clause,
    Correspondence,
    Deadline,
    DocumentAnalysis,
    Obligation,
    Page,
    ParsedDocument,
    Penalty,
    Span,
)
from models.domain.codec import from_jsonable, to_jsonable
from nlp.analyze import analyze_document

log = logging.getLogger(__name__)

ITEM_TYPES: dict[str, type] = {"penalty": Penalty, "deadline": Deadline, "obligation": Obligation}


@dataclass(frozen=True)
class IngestOutcome:
    document_id: int
    filename: str
    duplicate: bool
    status: str
    errors: tuple[str, ...] = ()
    children: tuple[int, ...] = ()


def accept_file(
    store: Store,
    *,
    data: bytes,
    filename: str,
    origin: str,
    path: str | None = None,
    contract_id: int | None = None,
    assignment: str | None = None,
    parent_id: int | None = None,
) -> tuple[int, bool]:
    """Keep the original and record it. Returns (document id, duplicate?)."""
    sha = store.blobs.put(data)
    name = safe_filename(filename)
    with store.sessions.begin() as session:
        existing = session.scalar(select(t.Document).where(t.Document.sha256 == sha))
        if existing is not None:
            session.add(t.DocumentSource(document_id=existing.id, origin=origin, name=path or name))
            return existing.id, True
        doc = t.Document(sha256=sha, filename=name, path=path, size=len(data), status="received",
                         parent_id=parent_id, contract_id=contract_id, assignment=assignment)
        session.add(doc)
        session.flush()
        session.add(t.DocumentSource(document_id=doc.id, origin=origin, name=path or name))
        return doc.id, False


def parse_stage(store: Store, document_id: int, *, options: ParseOptions) -> ParsedDocument:
    """Read the kept original, store its pages and the parse status (ingestion proper)."""
    with store.sessions() as session:
        doc = session.get(t.Document, document_id)
        if doc is None:
            raise LookupError(f"Document {document_id} introuvable")
        filename, sha = doc.filename, doc.sha256
    parsed = parse_bytes(store.blobs.get(sha), filename=filename, options=options)
    with store.sessions.begin() as session:
        doc = session.get(t.Document, document_id)
        assert doc is not None
        _save_parsed(session, doc, parsed, parsed.status, list(parsed.errors))
    return parsed


def analyse_stage(store: Store, document_id: int, parsed: ParsedDocument, *, filename: str) -> tuple[str, list[str]]:
    """Analyse the parsed text, store the results and queue the document for indexing."""
    analysis: DocumentAnalysis | None = None
    errors = list(parsed.errors)
    if parsed.status != "failed" and parsed.text.strip():
        try:
            analysis = analyze_document(parsed, filename=filename, model_dir=store.settings.resolved_model_dir)
        except Exception:  # a bug in analysis must not lose the parsed document
            log.exception("analysis failed for document %s", document_id)
            errors.append("L'analyse automatique a échoué : le texte est conservé, relisez la pièce.")
    status = parsed.status
    if analysis is None and status == "parsed" and errors:
        status = "partial"
    with store.sessions.begin() as session:
        doc = session.get(t.Document, document_id)
        assert doc is not None
        doc.status, doc.error = status, "\n".join(errors) or None
        if analysis is not None:
            _save_analysis(session, doc, analysis)
        session.add(t.OutboxEntry(topic="index_document", entity_id=doc.id))
    return status, errors


def process_document(store: Store, document_id: int, *, options: ParseOptions | None = None,
                     depth: int = 0) -> IngestOutcome:
    """Parse and analyse a received document; idempotent (re-running replaces the analysis)."""
    options = options or ParseOptions(max_bytes=store.settings.max_upload_bytes)
    parsed = parse_stage(store, document_id, options=options)
    with store.sessions() as session:
        doc = session.get(t.Document, document_id)
        assert doc is not None
        filename, parent_path = doc.filename, doc.path
    status, errors = analyse_stage(store, document_id, parsed, filename=filename)
    children = []
    if parsed.attachments and depth >= options.max_attachment_depth:
        errors.append("Pièces jointes imbriquées trop profondément : elles ne sont pas extraites.")
    for attachment in parsed.attachments if depth < options.max_attachment_depth else ():
        child_path = f"{parent_path}#{safe_filename(attachment.filename)}" if parent_path else None
        child_id, duplicate = accept_file(store, data=attachment.data, filename=attachment.filename,
                                          origin="piece_jointe", path=child_path, parent_id=document_id)
        if not duplicate:
            process_document(store, child_id, options=options, depth=depth + 1)
        children.append(child_id)
    return IngestOutcome(document_id=document_id, filename=filename, duplicate=False, status=status,
                         errors=tuple(errors), children=tuple(children))


def ingest_file(store: Store, *, data: bytes, filename: str, origin: str, path: str | None = None,
                contract_id: int | None = None, assignment: str | None = None,
                options: ParseOptions | None = None) -> IngestOutcome:
    document_id, duplicate = accept_file(store, data=data, filename=filename, origin=origin, path=path,
                                         contract_id=contract_id, assignment=assignment)
    if duplicate:
        with store.sessions() as session:
            doc = session.get(t.Document, document_id)
            assert doc is not None
            return IngestOutcome(document_id=document_id, filename=doc.filename, duplicate=True,
                                 status=doc.status, errors=(_duplicate_message(doc),))
    return process_document(store, document_id, options=options)


def _duplicate_message(doc: t.Document) -> str:
    where = doc.path or doc.filename
    return f"Doublon : ce fichier est identique à la pièce déjà enregistrée « {where} » (empreinte SHA-256 {doc.sha256[:12]}…)."


def _save_parsed(session: Session, doc: t.Document, parsed: ParsedDocument, status: str,
                 errors: list[str]) -> None:
    session.execute(delete(t.Page).where(t.Page.document_id == doc.id))
    for page in parsed.pages:
        session.add(t.Page(document_id=doc.id, number=page.number, text=page.text, start=page.start,
                           ocr=page.ocr, ocr_confidence=page.ocr_confidence))
    doc.format = parsed.format
    doc.status = status
    doc.error = "\n".join(errors) or None
    doc.paginated = parsed.paginated
    doc.page_count = len(parsed.pages) if parsed.paginated else None
    doc.metadata_json = dict(parsed.metadata)


def _save_analysis(session: Session, doc: t.Document, analysis: DocumentAnalysis) -> None:
    session.execute(delete(t.ClauseRow).where(t.ClauseRow.document_id == doc.id))
    session.execute(delete(t.ExtractedItem).where(t.ExtractedItem.document_id == doc.id))
    for clause in analysis.clauses:
        session.add(t.ClauseRow(document_id=doc.id, article=clause.article, heading=clause.heading,
                                text=clause.text, page=clause.span.page, start=clause.span.start,
                                end=clause.span.end, level=clause.level, parent=clause.parent,
                                clause_type=clause.clause_type))
    for item_type, items in (("penalty", analysis.penalties), ("deadline", analysis.deadlines),
                             ("obligation", analysis.obligations)):
        for item in items:
            session.add(t.ExtractedItem(document_id=doc.id, item_type=item_type, article=item.article,
                                        page=item.page, quote=item.quote, confidence=item.confidence,
                                        needs_review=item.needs_review, data=to_jsonable(item)))
    doc.kind = analysis.kind
    doc.analysed_at = dt.datetime.now(dt.UTC)
    doc.kind_confidence = analysis.kind_confidence
    letter = analysis.correspondence
    if letter is not None:
        doc.direction = letter.direction
        doc.doc_date = letter.date
        doc.sender = letter.sender
        doc.recipient = letter.recipient
        doc.subject = letter.subject
    doc.analysis = {
        "ccag": analysis.ccag,
        "ccag_version": analysis.ccag_version,
        "derogations": [list(d) for d in analysis.derogations],
        "applies_ccag_penalties": analysis.applies_ccag_penalties,
        "correspondence": to_jsonable(letter) if letter is not None else None,
    }


def load_parsed(session: Session, document_id: int) -> ParsedDocument:
    doc = session.get(t.Document, document_id)
    assert doc is not None
    return parsed_from_rows(doc, doc.pages)


def load_analysis(session: Session, document_id: int) -> DocumentAnalysis:
    doc = session.get(t.Document, document_id)
    assert doc is not None
    clauses = session.scalars(select(t.ClauseRow).where(t.ClauseRow.document_id == document_id)
                              .order_by(t.ClauseRow.start, t.ClauseRow.id))
    items = session.scalars(select(t.ExtractedItem).where(t.ExtractedItem.document_id == document_id)
                            .order_by(t.ExtractedItem.id))
    return analysis_from_rows(doc, clauses, items)


# The builders below take ORM objects or plain result rows with the same attribute names, so
# that one document (above) and the whole store at once (findings.analysed_documents, three
# queries instead of three per document) rebuild exactly the same objects.

def parsed_from_rows(doc: Any, pages: Iterable[Any]) -> ParsedDocument:
    """`doc`: a Document (status, format, paginated, metadata_json, error); `pages` in number order."""
    page_objs = tuple(Page(number=p.number, text=p.text, start=p.start, ocr=p.ocr,
                           ocr_confidence=p.ocr_confidence) for p in pages)
    text = "\n\n".join(p.text for p in page_objs)
    status = doc.status if doc.status in ("parsed", "partial", "failed") else "received"
    return ParsedDocument(status=status, format=doc.format or "", text=text, pages=page_objs,  # type: ignore[arg-type]
                          paginated=doc.paginated, metadata=dict(doc.metadata_json or {}),
                          errors=tuple((doc.error or "").splitlines()))


def analysis_from_rows(doc: Any, clauses: Iterable[Any], items: Iterable[Any]) -> DocumentAnalysis:
    """`doc`: a Document (kind, kind_confidence, analysis); `clauses` in (start, id) order, `items` in id order."""
    clause_objs = tuple(
        Clause(article=c.article, heading=c.heading, text=c.text, span=Span(c.page, c.start, c.end),
               level=c.level, parent=c.parent, clause_type=c.clause_type)
        for c in clauses
    )
    grouped: dict[str, list[Any]] = {k: [] for k in ITEM_TYPES}
    for row in items:
        grouped[row.item_type].append(from_jsonable(ITEM_TYPES[row.item_type], row.data))
    meta = doc.analysis or {}
    letter = meta.get("correspondence")
    return DocumentAnalysis(
        kind=doc.kind or "autre",
        kind_confidence=doc.kind_confidence or 0.0,
        clauses=clause_objs,
        penalties=tuple(grouped["penalty"]),
        deadlines=tuple(grouped["deadline"]),
        obligations=tuple(grouped["obligation"]),
        ccag=meta.get("ccag"),
        ccag_version=meta.get("ccag_version"),
        derogations=tuple((d[0], d[1]) for d in meta.get("derogations", [])),
        applies_ccag_penalties=bool(meta.get("applies_ccag_penalties")),
        correspondence=from_jsonable(Correspondence, letter) if letter else None,
    )
