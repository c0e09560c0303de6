"""Shared fixtures: a real store (SQLite in a temp dir, or PostgreSQL when asked)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.services.store import Store, open_store
from api.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def require_service(env_var: str, what: str) -> str:
    """URL of a real service for this test; skip on a dev machine without it, fail in CI."""
    url = os.environ.get(env_var)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} requis en CI : {env_var} n'est pas défini (voir .ci/run).")
    pytest.skip(f"{what} absent : définissez {env_var} pour lancer ce test.")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", tasks_eager=True, max_upload_bytes=2 * 1024 * 1024,
                    index_prefix=f"vigie-test-{tmp_path.name.lower()}")


@pytest.fixture
def store(settings: Settings) -> Store:
    s = open_store(settings)
    yield s
    s.close()
