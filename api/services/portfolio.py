"""Import a portfolio folder (SPEC §1): metadata, contract documents, correspondence, incidents.

It is also how a buyer brings its shared drive: a folder per contract, a
correspondence folder, an incident log, contract metadata (portfolio.json or DECP).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.services import documents as docs
from api.services.decp import contracts_from_decp
from api.services.incident_log import IncidentImport, IncidentLogError, import_incidents
from api.services.store import Store
from models.db import tables as t

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
SKIPPED_NAMES = {"gold", ".git", "__pycache__"}
INCIDENT_LOGS = ("incidents.csv", "incidents.xlsx")


@dataclass
class ImportReport:
    contracts: int = 0
    documents: int = 0
    duplicates: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    unassigned: list[str] = field(default_factory=list)
    incidents: IncidentImport | None = None
    errors: list[str] = field(default_factory=list)


def import_portfolio(store: Store, root: Path, *, progress: Progress | None = None) -> ImportReport:
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"Dossier introuvable : {root}")
    report = ImportReport()
    meta_path = root / "portfolio.json"
    if meta_path.exists():
        report.contracts += load_portfolio_metadata(store, json.loads(meta_path.read_text("utf-8")))
    for decp in sorted(root.glob("decp*.json")):
        report.contracts += load_decp(store, json.loads(decp.read_text("utf-8")))

    files = _portfolio_files(root)
    for i, (path, contract_ref) in enumerate(files, start=1):
        rel = path.relative_to(root).as_posix()
        if progress:
            progress(i - 1, len(files), rel)
        contract_id = _ensure_contract(store, contract_ref) if contract_ref else None
        outcome = docs.ingest_file(store, data=path.read_bytes(), filename=path.name, origin="import", path=rel,
                                   contract_id=contract_id, assignment="dossier" if contract_id else None)
        report.documents += 1
        if outcome.duplicate:
            report.duplicates.append(f"{rel} : {outcome.errors[0]}")
        elif outcome.status == "failed":
            report.failed.append(f"{rel} : {' '.join(outcome.errors)}")
        elif outcome.status == "partial":
            report.partial.append(f"{rel} : {' '.join(outcome.errors)}")
    if progress:
        progress(len(files), len(files), "rattachement des courriers")
    report.unassigned = assign_documents(store)

    for name in INCIDENT_LOGS:
        log_path = root / name
        if log_path.exists():
            try:
                report.incidents = import_incidents(store, data=log_path.read_bytes(), filename=name)
            except IncidentLogError as exc:
                report.errors.append(str(exc))
    return report


def portfolio_as_of(root: Path) -> dt.date:
    """The analysis date a portfolio folder states (portfolio.json `as_of`), else today."""
    meta = root / "portfolio.json"
    if meta.exists():
        as_of = json.loads(meta.read_text("utf-8")).get("as_of")
        if as_of:
            return dt.date.fromisoformat(as_of)
    return dt.date.today()


def _portfolio_files(root: Path) -> list[tuple[Path, str | None]]:
    out: list[tuple[Path, str | None]] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] in SKIPPED_NAMES or any(p.startswith(".") for p in rel.parts):
            continue
        if len(rel.parts) == 1:
            continue  # portfolio.json, incidents.csv, decp*.json: metadata, not documents
        ref = rel.parts[1] if rel.parts[0] == "contracts" and len(rel.parts) > 2 else None
        out.append((path, ref))
    return out


def _parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def load_portfolio_metadata(store: Store, meta: dict[str, Any]) -> int:
    with store.sessions.begin() as session:
        buyer_id = _upsert_buyer(session, meta.get("buyer"))
        for s in meta.get("suppliers", []):
            _upsert_supplier(session, siret=s.get("siret"), name=s.get("name", ""), aliases=s.get("aliases", []))
        for c in meta.get("contracts", []):
            contract = session.scalar(select(t.Contract).where(t.Contract.ref == c["ref"]))
            if contract is None:
                contract = t.Contract(ref=c["ref"])
                session.add(contract)
            contract.title = c.get("title", "")
            contract.ccag = c.get("ccag")
            contract.ccag_version = c.get("ccag_version")
            contract.amount_ht_eur = c.get("amount_ht_eur")
            contract.notified_on = _parse_date(c.get("notified_on"))
            contract.duration_months = c.get("duration_months")
            contract.buyer_id = _upsert_buyer(session, c.get("buyer")) or buyer_id
            if c.get("supplier_siret"):
                contract.supplier_id = _upsert_supplier(session, siret=c["supplier_siret"], name=None, aliases=[])
            term = c.get("terminated")
            if term:
                contract.status = "resilie"
                contract.terminated_on = _parse_date(term.get("on"))
                contract.termination_kind = term.get("kind")
                contract.termination_document = term.get("document")
        return len(meta.get("contracts", []))


def load_decp(store: Store, payload: object) -> int:
    records = contracts_from_decp(payload)
    with store.sessions.begin() as session:
        for info, sirets in records:
            contract = session.scalar(select(t.Contract).where(t.Contract.ref == info.ref))
            if contract is None:
                contract = t.Contract(ref=info.ref, source="decp")
                session.add(contract)
            contract.title = contract.title or info.title
            contract.ccag = contract.ccag or info.ccag
            contract.amount_ht_eur = info.amount_ht_eur if info.amount_ht_eur is not None else contract.amount_ht_eur
            contract.notified_on = contract.notified_on or info.notified_on
            contract.duration_months = info.duration_months or contract.duration_months
            if sirets and contract.supplier_id is None:
                contract.supplier_id = _upsert_supplier(session, siret=sirets[0], name=None, aliases=[])
    return len(records)


def _upsert_buyer(session: Session, data: dict[str, Any] | None) -> int | None:
    if not data:
        return None
    buyer = session.scalar(select(t.Buyer).where(t.Buyer.siret == data.get("siret"))) if data.get("siret") else None
    if buyer is None:
        buyer = t.Buyer(name=data.get("name", ""), siret=data.get("siret"))
        session.add(buyer)
        session.flush()
    return buyer.id


def _upsert_supplier(session: Session, *, siret: str | None, name: str | None, aliases: list[str]) -> int:
    siret = re.sub(r"\s", "", siret) if siret else None
    supplier = session.scalar(select(t.Supplier).where(t.Supplier.siret == siret)) if siret else None
    if supplier is None:
        supplier = t.Supplier(siret=siret, name=name or (f"SIRET {siret}" if siret else "Fournisseur"), aliases=[])
        session.add(supplier)
    if name:
        supplier.name = name
    if aliases:
        supplier.aliases = sorted(set(supplier.aliases or []) | set(aliases))
    session.flush()
    return supplier.id


def _ensure_contract(store: Store, ref: str) -> int:
    with store.sessions.begin() as session:
        contract = session.scalar(select(t.Contract).where(t.Contract.ref == ref))
        if contract is None:
            contract = t.Contract(ref=ref, source="dossier")
            session.add(contract)
            session.flush()
        return contract.id


def assign_documents(store: Store) -> list[str]:
    """Attach unassigned documents to a contract from the references they cite.

    Order of evidence: a contract number in the text, then a SIRET, then a supplier name or
    alias that designates a single contract. Returns the documents left for review.
    """
    left = []
    with store.sessions.begin() as session:
        contracts = list(session.scalars(select(t.Contract)))
        by_ref = {c.ref.lower(): c for c in contracts}
        suppliers = {s.id: s for s in session.scalars(select(t.Supplier))}
        for doc in session.scalars(select(t.Document).where(t.Document.contract_id.is_(None))):
            if doc.parent_id is not None:
                parent = session.get(t.Document, doc.parent_id)
                if parent is not None and parent.contract_id is not None:
                    doc.contract_id, doc.assignment = parent.contract_id, "piece_jointe"
                    continue
            text = " ".join(p.text for p in doc.pages)
            letter = (doc.analysis or {}).get("correspondence") or {}
            found = _by_reference(letter.get("contract_refs") or [], text, by_ref)
            how = "reference"
            if found is None:
                found = _by_supplier(letter.get("sirets") or [], text, contracts, suppliers)
                how = "fournisseur"
            if found is not None:
                doc.contract_id, doc.assignment = found.id, how
            else:
                left.append(doc.path or doc.filename)
    return left


def _by_reference(refs: list[str], text: str, by_ref: dict[str, t.Contract]) -> t.Contract | None:
    for ref in refs:
        if ref.lower() in by_ref:
            return by_ref[ref.lower()]
    hits = {c.id: c for key, c in by_ref.items() if re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text.lower())}
    return next(iter(hits.values())) if len(hits) == 1 else None


def _by_supplier(sirets: list[str], text: str, contracts: list[t.Contract],
                 suppliers: dict[int, t.Supplier]) -> t.Contract | None:
    compact = re.sub(r"\s", "", text)
    lowered = text.lower()
    matched = set()
    for sid, s in suppliers.items():
        names = [s.name, *(s.aliases or [])]
        if (s.siret and (s.siret in sirets or s.siret in compact)) or any(
            len(n) >= 4 and re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lowered) for n in names if n
        ):
            matched.add(sid)
    candidates = [c for c in contracts if c.supplier_id in matched]
    return candidates[0] if len(candidates) == 1 else None
