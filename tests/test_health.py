"""/healthz for monitoring (no login, names only) and the administrators' status page."""

from __future__ import annotations

import datetime as dt
import socket
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from operations import health
from operations.backup import archive_name
from operations.models import WorkerHeartbeat
from tests.factories import login, make_personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _all_well(settings, tmp_path, monkeypatch):
    """A site where every check passes: a fresh backup, a worker that just reported, migrations not yet cached."""
    settings.BACKUP_DIR = tmp_path
    settings.HEALTH_BACKUP_MAX_AGE_HOURS = 26
    settings.HEALTH_REQUIRE_WORKER = True
    (tmp_path / archive_name(timezone.now() - dt.timedelta(hours=2))).touch()
    health.record_worker_heartbeat("worker-1")
    monkeypatch.setattr(health, "_migrations_checked", None)


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, response.content.decode().strip()


def test_all_well_is_200_ok_without_login(client):
    assert healthz(client) == (200, "ok")


def test_a_cached_answer_costs_one_query(client, django_assert_num_queries):
    healthz(client)
    with django_assert_num_queries(2):  # the database answers; the worker's heartbeat
        assert healthz(client) == (200, "ok")


def test_a_failing_database_is_named(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        status, body = healthz(client)
    assert status == 503
    assert body.startswith("failing: database")
    assert "refused" not in body


def test_unapplied_migrations_are_named(client):
    with mock.patch("operations.health.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [("a migration", False)]
        assert healthz(client) == (503, "failing: migrations")


def test_the_migration_check_is_cached_for_a_while(client, monkeypatch):
    assert healthz(client) == (200, "ok")
    with mock.patch("operations.health.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [("a migration", False)]
        assert healthz(client) == (200, "ok")
        monkeypatch.setattr(health, "MIGRATIONS_CHECK_SECONDS", -1)
        assert healthz(client) == (503, "failing: migrations")


def test_a_worker_silent_for_over_a_minute_is_named(client):
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=61))
    assert healthz(client) == (503, "failing: worker")
    health.record_worker_heartbeat("worker-1")
    assert healthz(client) == (200, "ok")


def test_each_host_s_worker_keeps_one_heartbeat_row(client):
    WorkerHeartbeat.objects.all().delete()
    health.record_worker_heartbeat()
    health.record_worker_heartbeat()
    assert WorkerHeartbeat.objects.get().worker == socket.gethostname()
    assert healthz(client) == (200, "ok")


def test_the_worker_is_not_checked_until_the_site_has_one(client, settings):
    WorkerHeartbeat.objects.all().delete()
    settings.HEALTH_REQUIRE_WORKER = False
    assert healthz(client) == (200, "ok")


def test_an_old_or_missing_backup_is_named(client, settings, tmp_path):
    for path in tmp_path.iterdir():
        path.unlink()
    assert healthz(client) == (503, "failing: backup")
    (tmp_path / archive_name(timezone.now() - dt.timedelta(hours=27))).touch()
    assert healthz(client) == (503, "failing: backup")
    settings.HEALTH_BACKUP_MAX_AGE_HOURS = 0  # a site that backs up another way
    assert healthz(client) == (200, "ok")


def test_a_cache_that_does_not_answer_is_named(client):
    with mock.patch("operations.health.cache") as cache:
        cache.get.return_value = None
        assert healthz(client) == (503, "failing: cache")


def test_healthz_answers_over_plain_http_when_the_site_redirects_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert healthz(client) == (200, "ok")
    assert client.get(reverse("login")).status_code == 301


@pytest.mark.parametrize("persona", ["staff", "officer_a", "viewer"])
def test_the_status_page_is_for_administrators_only(client, persona):
    login(client, make_personas()[persona])
    assert client.get(reverse("operations:status")).status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_status_page(client):
    response = client.get(reverse("operations:status"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_status_page_shows_checks_versions_backup_worker_and_disk(client, django_assert_num_queries):
    login(client, make_personas()["admin"])
    client.get(reverse("operations:status"))
    with django_assert_num_queries(6):  # session, user, database, worker check, version, heartbeats
        response = client.get(reverse("operations:status"))
    page = response.content.decode()
    for text in ("数据库", "正常", "Django", "Python", "infoassess-", "worker-1", "备份目录", "存储文件目录"):
        assert text in page
    assert "异常" not in page
