"""`vigie eval …`: import a portfolio with the product's own pipeline, print SPEC §2 JSON.

No extraction logic lives here: documents go through the same import, parsing,
analysis and monitoring services as in production; this module only reads the store
and shapes the answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from api.services.findings import recompute_findings
from api.services.monitoring import findings_to_eval_json
from api.services.portfolio import portfolio_as_of
from api.services.store import Store
from models.db import tables as t

PENALTY_FIELDS = ("article", "page", "quote", "trigger", "basis", "amount_eur", "ratio", "unit", "cap_percent",
                  "threshold_eur", "requires_formal_notice", "derogates_ccag")
DEADLINE_FIELDS = ("article", "page", "quote", "duration", "unit", "day_type", "anchor", "party")
OBLIGATION_FIELDS = ("article", "page", "quote", "party")
FIELDS = {"penalty": ("penalties", PENALTY_FIELDS), "deadline": ("deadlines", DEADLINE_FIELDS),
          "obligation": ("obligations", OBLIGATION_FIELDS)}


def extract_json(store: Store) -> dict[str, Any]:
    out = []
    with store.sessions() as session:
        for doc in session.scalars(select(t.Document).where(t.Document.parent_id.is_(None)).order_by(t.Document.path)):
            entry: dict[str, Any] = {"path": doc.path or doc.filename, "kind": doc.kind or "autre",
                                     "pages": doc.page_count if doc.paginated else None,
                                     "status": doc.status}
            for key, _fields in FIELDS.values():
                entry[key] = []
            for item in session.scalars(select(t.ExtractedItem).where(t.ExtractedItem.document_id == doc.id)
                                        .order_by(t.ExtractedItem.id)):
                key, fields = FIELDS[item.item_type]
                entry[key].append({f: item.data.get(f) for f in fields})
            out.append(entry)
    return {"documents": out}


def breaches_json(store: Store, root: Path) -> dict[str, Any]:
    findings = recompute_findings(store, as_of=portfolio_as_of(root))
    return findings_to_eval_json(findings)


def search_json(store: Store, queries: list[str]) -> dict[str, Any]:
    from api.services.indexing import backend_for, process_outbox
    from search import ElasticsearchBackend, OpenSearchBackend

    process_outbox(store)
    backend = backend_for(store)
    results = []
    try:
        for q in queries:
            found = backend.search(q, size=10)
            results.append({"query": q, "hits": [{"path": h.path, "article": h.article, "score": h.score}
                                                 for h in found.hits]})
    finally:
        if isinstance(backend, (OpenSearchBackend, ElasticsearchBackend)):
            backend.drop()  # an evaluation index must not pile up on a shared cluster
    return {"results": results}


def evidence_json(store: Store, root: Path) -> dict[str, Any]:
    """SPEC §2 `{"disputes": [...]}`: each correspondence item Vigie classifies as a dispute."""
    from api.services.evidence import disputes, evidence_json_entry

    return {"disputes": [evidence_json_entry(store, d, limit=10) for d in disputes(store)]}


def exclusion_json(store: Store, root: Path) -> dict[str, Any]:
    """SPEC §2 `{"suppliers": [...]}`: the L2141-7 file of every supplier at the portfolio's date."""
    from api.services.exclusion import all_supplier_sirets, exclusion_file, exclusion_json_entry

    as_of = portfolio_as_of(root)
    return {"suppliers": [exclusion_json_entry(exclusion_file(store, siret, as_of=as_of))
                          for siret in all_supplier_sirets(store)]}
