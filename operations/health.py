"""The health checks behind /healthz and the status page: each answers True (well) or False, never raises."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from operations.backup import latest_archive
from operations.models import WorkerHeartbeat

log = logging.getLogger("health")
WORKER_MAX_AGE = dt.timedelta(minutes=1)
# The migration plan reads every migration file: worked out at most this often per process.
MIGRATIONS_CHECK_SECONDS = 30.0
_migrations_checked: tuple[float, bool] | None = None


class HealthCheck(models.TextChoices):
    DATABASE = "database", "数据库"
    MIGRATIONS = "migrations", "数据库结构（迁移）"
    CACHE = "cache", "缓存"
    WORKER = "worker", "后台任务进程"
    BACKUP = "backup", "最近一次备份"


def record_worker_heartbeat(worker: str | None = None) -> None:
    """Called by the task worker's loop: this host's worker is alive now."""
    WorkerHeartbeat.objects.update_or_create(worker=worker or socket.gethostname(), defaults={"seen_at": timezone.now()})


def migrations_pending() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def _migrations() -> bool:
    global _migrations_checked
    now = time.monotonic()
    if _migrations_checked is None or now - _migrations_checked[0] > MIGRATIONS_CHECK_SECONDS:
        _migrations_checked = (now, not migrations_pending())
    return _migrations_checked[1]


def _cache() -> bool:
    token = secrets.token_hex(8)
    cache.set("healthz", token, 10)
    return cache.get("healthz") == token


def _worker() -> bool:
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - WORKER_MAX_AGE).exists()


def _backup() -> bool:
    newest = latest_archive(Path(settings.BACKUP_DIR))
    max_age = dt.timedelta(hours=settings.HEALTH_BACKUP_MAX_AGE_HOURS)
    return newest is not None and timezone.now() - newest.created_at <= max_age


def _checks() -> dict[HealthCheck, Callable[[], bool]]:
    checks = {HealthCheck.DATABASE: _database, HealthCheck.MIGRATIONS: _migrations, HealthCheck.CACHE: _cache}
    if settings.HEALTH_REQUIRE_WORKER:
        checks[HealthCheck.WORKER] = _worker
    if settings.HEALTH_BACKUP_MAX_AGE_HOURS:
        checks[HealthCheck.BACKUP] = _backup
    return checks


def run_checks() -> dict[HealthCheck, bool]:
    """Every check that applies here, in order; a check that fails with an error is logged and counted as failing."""
    results = {}
    for check, test in _checks().items():
        try:
            results[check] = test()
        except Exception:
            log.exception("health check %s failed with an error", check.value)
            results[check] = False
    return results


def disk_free(path: Path) -> int | None:
    """Free bytes on the file system holding `path` (or its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None
