"""Celery tasks: they take ids, reload from the store, are idempotent, JSON only.

Tasks are registered on the app built by `api.celery_app.make_celery`, and each opens the
store of that app's settings (once per worker process).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from api.services import documents, indexing
from api.services.digest import send_daily_digest
from api.services.findings import analysed_documents, recompute_findings
from api.services.portfolio import import_portfolio
from api.services.store import Store, open_store
from api.settings import Settings

log = logging.getLogger(__name__)

_stores: dict[str, Store] = {}


def _store(settings: Settings) -> Store:
    key = f"{settings.resolved_database_url}|{settings.data_dir.resolve()}"
    if key not in _stores:
        _stores[key] = open_store(settings)
    return _stores[key]


def warm_models(settings: Settings) -> None:
    """Load (or train once) the NLP models when a worker process starts, not on its first document."""

    @worker_process_init.connect(weak=False)
    def _warm(**_: Any) -> None:
        from nlp.analyze import warm_up

        warm_up(model_dir=settings.resolved_model_dir)


def register_tasks(app: Celery, settings: Settings) -> None:
    @app.task(name="vigie.process_document", bind=True, shared=False)
    def process_document(self: Any, document_id: int) -> dict[str, Any]:
        store = _store(settings)
        outcome = documents.process_document(store, document_id)
        indexing.process_outbox(store)
        return {"document_id": outcome.document_id, "status": outcome.status, "errors": list(outcome.errors),
                "children": list(outcome.children)}

    @app.task(name="vigie.import_portfolio", bind=True, shared=False)
    def import_portfolio_task(self: Any, path: str) -> dict[str, Any]:
        def progress(done: int, total: int, name: str) -> None:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total, "current": name})

        store = _store(settings)
        report = import_portfolio(store, Path(path), progress=progress)
        indexing.process_outbox(store)
        return {"documents": report.documents, "failed": report.failed, "duplicates": report.duplicates,
                "unassigned": report.unassigned, "errors": report.errors}

    @app.task(name="vigie.process_outbox", shared=False)
    def process_outbox() -> int:
        return indexing.process_outbox(_store(settings))

    @app.task(name="vigie.daily_scan", shared=False)
    def daily_scan(as_of: str | None = None) -> dict[str, Any]:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        store = _store(settings)
        documents = analysed_documents(store)  # loaded once: the findings and the digest's calendar read them
        recompute_findings(store, as_of=day, documents=documents)
        return send_daily_digest(store, as_of=day, documents=documents)
