"""« Échéances »: the deadlines calendar, as JSON (/api/echeances) and as a web page (/echeances)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.routes.web import templates
from api.services.schedule import DEFAULT_LOOKBACK_DAYS, build_schedule, group_for_display, item_json

router = APIRouter(tags=["échéances"])
web_router = APIRouter(include_in_schema=False)

Horizon = Annotated[int, Query(ge=0, le=730, description="jours à venir affichés")]
Lookback = Annotated[int, Query(ge=0, le=730, description="jours passés affichés (retards, délais clos)")]


def _schedule(store: StoreDep, au: dt.date | None, horizon: int, recul: int,
              marche: str | None) -> tuple[dt.date, list[Any]]:
    as_of = au or dt.date.today()
    try:
        items = build_schedule(store, as_of=as_of, horizon_days=horizon, lookback_days=recul)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    if marche:
        items = [i for i in items if (i.contract_ref or "").lower() == marche.strip().lower()]
    return as_of, items


@router.get("/echeances")
def echeances(store: StoreDep, au: dt.date | None = None, horizon: Horizon = 30,
              recul: Lookback = DEFAULT_LOOKBACK_DAYS, marche: str | None = None) -> dict[str, Any]:
    """Every dated obligation from `au − recul` to `au + horizon`, overdue first (one contract with `marche`)."""
    as_of, items = _schedule(store, au, horizon, recul, marche)
    groups = group_for_display(items, as_of)
    return {
        "date": as_of.isoformat(), "horizon_jours": horizon, "recul_jours": recul, "marche": marche,
        "totaux": {key: len(group) for key, _, group in groups},
        "echeances": [item_json(i, as_of) for i in items],
    }


@web_router.get("/echeances", response_class=HTMLResponse)
def echeances_page(request: Request, store: StoreDep, au: dt.date | None = None, horizon: Horizon = 30,
                   recul: Lookback = DEFAULT_LOOKBACK_DAYS, marche: str | None = None) -> HTMLResponse:
    as_of, items = _schedule(store, au, horizon, recul, marche)
    return templates.TemplateResponse(request, "echeances.html", {
        "groups": group_for_display(items, as_of), "today": as_of, "horizon": horizon, "recul": recul,
        "marche": marche or "", "total": len(items)})
