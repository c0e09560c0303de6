"""`analyze_document`: the one entry point the product calls for a parsed document.

Kind first (contract documents and letters are read differently); for contract documents
the clauses, penalties, deadlines, obligations, CCAG reference and derogations; for
letters, e-mails, PV and orders what `read_correspondence` finds. Every extracted item
carries a confidence; low confidence sets `needs_review` (« à vérifier »).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from models.domain.types import CONTRACT_KINDS, DocumentAnalysis, ParsedDocument
from nlp.ccag_refs import applies_ccag_penalties, detect_ccag, find_derogations
from nlp.correspondence import read_correspondence
from nlp.deadlines import extract_deadlines
from nlp.kinds import classify_kind
from nlp.obligations import extract_obligations
from nlp.penalties import extract_penalties
from nlp.pipeline import document_sentences
from nlp.structure import segment_clauses

log = logging.getLogger(__name__)

PENALTY_REVIEW_BELOW = 0.6
# a CCAG itself is a general text: its clauses are the default regime, not the contract's
EXTRACTED_KINDS = CONTRACT_KINDS - {"ccag"}


class AnalysisError(Exception):
    """Base of the nlp package's errors (bugs, not data problems)."""


def analyze_document(parsed: ParsedDocument, *, filename: str | None = None,
                     model_dir: Path | None = None) -> DocumentAnalysis:
    """Analyse one parsed document. A document with no text gets kind « autre » with
    confidence 0 (nothing to read: OCR failed or empty file) rather than an exception."""
    if parsed.status == "failed" or not parsed.text.strip():
        return DocumentAnalysis(kind="autre", kind_confidence=0.0)
    kind, kind_confidence = classify_kind(parsed, filename=filename, cache_dir=model_dir)
    if kind not in CONTRACT_KINDS:
        return DocumentAnalysis(
            kind=kind,
            kind_confidence=kind_confidence,
            correspondence=read_correspondence(parsed, kind),
        )
    clauses = segment_clauses(parsed)
    ccag, ccag_version, _ccag_confidence = detect_ccag(parsed.text)
    analysis = DocumentAnalysis(
        kind=kind,
        kind_confidence=kind_confidence,
        clauses=tuple(clauses),
        ccag=ccag,
        ccag_version=ccag_version,
        derogations=tuple(find_derogations(parsed, clauses)),
        applies_ccag_penalties=applies_ccag_penalties(parsed.text),
    )
    if kind not in EXTRACTED_KINDS:
        return analysis
    sentences = document_sentences(parsed.text)
    penalties = [
        p if p.needs_review or p.confidence >= PENALTY_REVIEW_BELOW
        else replace(p, needs_review=True, review_reason=p.review_reason or "confiance faible")
        for p in extract_penalties(parsed, clauses)
    ]
    return replace(
        analysis,
        penalties=tuple(penalties),
        deadlines=tuple(extract_deadlines(parsed, clauses, sentences=sentences)),
        obligations=tuple(extract_obligations(parsed, clauses, sentences=sentences,
                                              cache_dir=model_dir)),
    )


def warm_up(*, model_dir: Path | None = None) -> None:
    """Build the spaCy pipeline and load (or train once) the learned models, e.g. at worker start."""
    from nlp.kinds import KIND_MODEL
    from nlp.learned import get_model
    from nlp.obligations import OBLIGATION_MODEL
    from nlp.pipeline import get_pipeline

    get_pipeline()
    for spec in (KIND_MODEL, OBLIGATION_MODEL):
        get_model(spec, cache_dir=model_dir)
