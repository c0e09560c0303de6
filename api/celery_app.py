"""Celery application.

With no server configured, the broker and the result store are SQLite files in the data
directory (kombu's SQLAlchemy transport): a real worker process runs the tasks, with
nothing to install. Give `VIGIE_BROKER_URL=redis://…` (and `VIGIE_RESULT_BACKEND`) to scale out.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from api.settings import Settings, get_settings


def make_celery(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = Celery("vigie", broker=settings.resolved_broker_url, backend=settings.resolved_result_backend,
                 set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],  # never pickle over the broker
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # NLP workers load big models: recycle them so memory cannot grow without bound.
        worker_max_tasks_per_child=200,
        task_track_started=True,
        result_extended=True,
        broker_connection_retry_on_startup=True,
        task_always_eager=settings.tasks_eager,
        task_eager_propagates=True,
        task_store_eager_result=True,
        timezone="Europe/Paris",
        beat_schedule={
            "scan-quotidien": {"task": "vigie.daily_scan", "schedule": crontab(hour=settings.scan_hour, minute=0)},
            "index-outbox": {"task": "vigie.process_outbox", "schedule": 60.0},
        },
    )
    from api.tasks import register_tasks, warm_models

    register_tasks(app, settings)
    warm_models(settings)
    return app

