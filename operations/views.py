from __future__ import annotations

import logging
import platform
from pathlib import Path

import django
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.access import admin_required
from operations.backup import latest_archive
from operations.health import HealthCheck, disk_free, run_checks
from operations.models import WorkerHeartbeat
from operations.versions import code_version

security_log = logging.getLogger("security")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For monitoring, without login: "ok", or 503 naming the failing checks (names only, never data)."""
    failing = [check.value for check, ok in run_checks().items() if not ok]
    if failing:
        return HttpResponse(f"failing: {', '.join(failing)}\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def _database_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return f"{connection.display_name} {cursor.fetchone()[0]}"


@admin_required
def status(request: HttpRequest) -> HttpResponse:
    checks = run_checks()
    context = {
        "checks": [(check.label, ok) for check, ok in checks.items()],
        "skipped": [check.label for check in HealthCheck if check not in checks],
        "versions": [("程序", code_version()), ("Python", platform.python_version()), ("Django", django.get_version()),
                     ("数据库", _database_version())],
        "backup": latest_archive(Path(settings.BACKUP_DIR)),
        "heartbeats": WorkerHeartbeat.objects.order_by("-seen_at"),
        "disks": [(label, path, disk_free(path)) for label, path in
                  (("备份目录", settings.BACKUP_DIR), ("存储文件目录", settings.MEDIA_ROOT))],
    }
    return render(request, "operations/status.html", context)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 page; each refusal is a security event."""
    security_log.warning("permission denied: %s %s", request.method, request.path)
    return defaults.permission_denied(request, exception)
