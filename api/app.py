"""FastAPI application factory: the API under /api, the French web UI at /."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.celery_app import make_celery
from api.routes import disputes, documents, monitoring, portfolio, schedule, search, web
from api.services.store import open_store
from api.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Vigie", version="0.1.0",
                  description="Pilotage de l'exécution des marchés publics : pièces, pénalités, manquements, preuves.")
    app.state.settings = settings
    app.state.store = open_store(settings)
    app.state.celery = make_celery(settings)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return JSONResponse(status_code=422, content={"detail": f"Requête invalide : vérifiez {fields}."})

    @app.get("/health", tags=["système"])
    def health() -> dict[str, str]:
        from sqlalchemy import text

        with app.state.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"statut": "ok"}

    for module in (documents, portfolio, monitoring, search, schedule):
        app.include_router(module.router, prefix="/api")
    app.include_router(disputes.router, prefix="/api")
    app.include_router(web.router)
    app.include_router(schedule.web_router)
    app.include_router(disputes.web_router)
    return app

