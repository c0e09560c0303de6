"""Entry point for `celery -A api.worker worker`: builds the app from the environment at start."""

from api.celery_app import make_celery

app = make_celery()
