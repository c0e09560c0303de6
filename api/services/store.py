"""The store: database engine + session factory + blob store, opened from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings
from ingest.blobstore import BlobStore
from models.db.migrate import upgrade_to_head
from models.db.session import make_engine, make_session_factory


@dataclass
class Store:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if migrate:
        upgrade_to_head(url)
    engine = make_engine(url)
    return Store(settings=settings, engine=engine, sessions=make_session_factory(engine),
                 blobs=BlobStore(settings.blob_dir))
