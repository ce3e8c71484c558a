"""django-tasks-db's `db_worker`, with the heartbeat that /healthz reads (operations.health): the worker is recorded
as alive when it starts, then by a thread every HEARTBEAT_SECONDS, whether or not it has tasks to run."""

from __future__ import annotations

import threading

from django.db import OperationalError
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from operations.health import WORKER_MAX_AGE, record_worker_heartbeat

HEARTBEAT_SECONDS = WORKER_MAX_AGE.total_seconds() / 3


def beat() -> None:
    try:
        record_worker_heartbeat()
    except OperationalError:  # SQLite while an import holds the write lock: the next beat records it
        pass


def _beat_until(stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        beat()


class Command(WorkerCommand):
    def handle(self, *args, **options) -> None:
        beat()
        stop = threading.Event()
        threading.Thread(target=_beat_until, args=(stop,), name="worker-heartbeat", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
