"""The one reader of the environment. Everything else receives a `Settings` object.

Every variable is prefixed `VIGIE_` (e.g. `VIGIE_DATA_DIR`, `VIGIE_DATABASE_URL`).
Settings are read when `get_settings()` is called, never frozen at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIE_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Dossier des données (base, pièces, index)")
    database_url: str | None = None  # default: SQLite file in data_dir
    broker_url: str | None = None  # default: SQLite broker in data_dir (no server to install)
    result_backend: str | None = None
    search_backend: Literal["embedded", "opensearch", "elasticsearch"] = "embedded"
    opensearch_url: str | None = None
    elasticsearch_url: str | None = None
    index_prefix: str = "vigie"
    model_dir: Path | None = None  # VIGIE_MODEL_DIR
    max_upload_bytes: int = 100 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "vigie@localhost"
    digest_recipients: list[str] = Field(default_factory=list)
    scan_hour: int = 6
    # Celery in-process (tests, eval): tasks run eagerly without a worker.
    tasks_eager: bool = False

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'vigie.db').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "pieces"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_model_dir(self) -> Path:
        # Learned models are rebuilt from the shipped training data; shared by every data dir.
        return self.model_dir or Path.home() / ".cache" / "vigie" / "modeles"

    @property
    def resolved_broker_url(self) -> str:
        if self.broker_url:
            return self.broker_url
        return f"sqla+sqlite:///{(self.data_dir / 'broker.db').resolve()}"

    @property
    def resolved_result_backend(self) -> str:
        if self.result_backend:
            return self.result_backend
        return f"db+sqlite:///{(self.data_dir / 'results.db').resolve()}"


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
