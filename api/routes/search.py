"""Portfolio search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import StoreDep
from api.services.indexing import backend_for
from search import SearchError

router = APIRouter(tags=["recherche"])


@router.get("/search")
def search(store: StoreDep, q: str, page: int = 1, taille: int = 10) -> dict[str, Any]:
    if not q.strip():
        raise HTTPException(400, "Saisissez au moins un mot à rechercher.")
    try:
        results = backend_for(store).search(q, page=page, size=min(taille, 100))
    except SearchError as exc:
        raise HTTPException(400, str(exc)) from exc
    return {"total": results.total, "resultats": [
        {"chemin": h.path, "article": h.article, "page": h.page, "score": h.score, "extrait": h.snippet,
         "marche": h.contract_ref, "type": h.record_type} for h in results.hits],
        "facettes": results.facets}
