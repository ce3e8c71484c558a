"""The task worker reports the heartbeat that /healthz reads (operations.health)."""

from __future__ import annotations

import pytest
from django.core.management import get_commands

from operations.management.commands import db_worker
from operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_manage_py_db_worker_is_the_one_with_a_heartbeat():
    assert get_commands()["db_worker"] == "operations"
    assert issubclass(db_worker.Command, db_worker.WorkerCommand)


def test_a_beat_records_this_hosts_worker_as_alive():
    db_worker.beat()
    heartbeat = WorkerHeartbeat.objects.get()
    db_worker.beat()
    assert WorkerHeartbeat.objects.get().seen_at >= heartbeat.seen_at and WorkerHeartbeat.objects.count() == 1
