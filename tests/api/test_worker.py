"""Background work runs in a real worker process: SQLite broker by default, Redis by URL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api.celery_app import make_celery
from api.services import documents as docs
from api.services.store import open_store
from api.settings import Settings
from models.db import tables as t
from tests.conftest import require_service

LETTER = "Objet : relance\n\nNous attendons toujours le rapport mensuel d'activité de mars.\n".encode()


def _run_with_worker(settings: Settings, env_extra: dict[str, str]) -> None:
    store = open_store(settings)
    doc_id, _ = docs.accept_file(store, data=LETTER, filename="relance.txt", origin="upload")
    env = {**os.environ, "VIGIE_DATA_DIR": str(settings.data_dir), **env_extra}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "api.worker", "worker", "--pool=solo",
                               "--concurrency=1", "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        app = make_celery(settings)
        result = app.tasks["vigie.process_document"].apply_async(args=[doc_id])
        outcome = result.get(timeout=120)
        assert outcome["status"] == "parsed"
        with store.sessions() as session:
            assert session.get(t.Document, doc_id).status == "parsed"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        store.close()


@pytest.mark.slow
def test_embedded_broker_runs_tasks_in_a_real_worker(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    _run_with_worker(settings, {})


@pytest.mark.redis
def test_redis_broker(tmp_path):
    url = require_service("VIGIE_TEST_REDIS_URL", "Redis")
    settings = Settings(data_dir=tmp_path / "data", broker_url=url, result_backend=url)
    _run_with_worker(settings, {"VIGIE_BROKER_URL": url, "VIGIE_RESULT_BACKEND": url})
