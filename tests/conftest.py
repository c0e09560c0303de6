"""Shared fixtures: a real store (SQLite in a temp dir, or PostgreSQL when asked)."""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from api.services.store import Store, open_store
from api.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The evaluation's scorer is delivered beside the project (../shared), not inside the repository.
SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


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


@pytest.fixture(scope="session")
def scorer() -> ModuleType:
    """The evaluation's own scorer: end-to-end tests grade `vigie eval` output with it."""
    if not SCORER.exists():
        pytest.skip(f"scorer de l'évaluation absent ({SCORER}) : il est livré à côté du projet (../shared), "
                    "les notes de bout en bout ne peuvent pas être calculées")
    spec = importlib.util.spec_from_file_location("vigie_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def vigie_eval() -> Callable[..., dict]:
    """Runs `vigie eval <command> <portfolio>` as a user would and returns its JSON."""
    from typer.testing import CliRunner

    from api.cli import app

    def run(command: str, portfolio: Path) -> dict:
        result = CliRunner().invoke(app, ["eval", command, str(portfolio)])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run
