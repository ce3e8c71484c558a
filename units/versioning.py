"""The data version, and assessments computed once per version.

An assessment (a year's scores, a bulletin's numbers) is computed once for each state of the data and kept in
Django's cache under the data version: one row whose token changes in the same transaction as every write that
can change a score. Reading the token is one primary-key query; a write in any process changes it, so every
process (each with its own memory cache, or all sharing Redis) computes anew after a write.

The token is random, not a counter: a rolled-back write must not hand its number to the next write, since a
result computed inside the rolled-back transaction may be cached under it.

Writes are seen where they reach the database, so every way of writing is covered without a line in the
services: saves and deletes, `bulk_create`, `QuerySet.update`, `bulk_update`, hand-written SQL. An execute
wrapper on each connection looks at every INSERT, UPDATE and DELETE; when the table belongs to an app that
called `watch` (units, submissions, scoring: the facts, units, basic work, rule sets, year assignments), it
changes the token right after the statement, in the same transaction. Tables derived from the facts (the
month tallies, rebuilt while reading) are left out. Outside a transaction the token changes right after the
write has committed: a reader in between caches the new numbers under the old token, which no one reads again.

Each process also keeps the latest value of each key in its memory, checked against the same token: unpickling
a year's scores from a cache (145 ms for 1,000 units) takes longer than computing them. The shared cache is then
only worth its pickling where it is shared (Redis, several application servers): with the default per-process
memory cache it is skipped. Values are shared within a process: callers never change them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.apps import AppConfig
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.signals import post_migrate, pre_migrate

from units.models import DataVersion

T = TypeVar("T")

# Kept a day; entries of older versions are never read again and expire or are culled.
TIMEOUT = 24 * 3600
LOCAL_KEYS = 64

_local: dict[str, tuple[str, object]] = {}  # key -> (token, value), the latest value of each key

_watched: dict[AppConfig, set[type[Model]]] = {}
_tables: set[str] | None = None
_migrating = False
# INSERT [OR IGNORE] INTO t, UPDATE t, DELETE FROM t: as Django writes them on PostgreSQL and SQLite.
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def watch(app: AppConfig, exclude: tuple[type[Model], ...] = ()) -> None:
    """Change the data version on every write to a table of `app` (and its many-to-many tables)."""
    global _tables
    _watched[app] = set(exclude)
    _tables = None
    connection_created.connect(_install, dispatch_uid="data_version")
    pre_migrate.connect(_pause, dispatch_uid="data_version_pause")
    post_migrate.connect(_resume, dispatch_uid="data_version_resume")


def _pause(**kwargs) -> None:
    # Migrations write before the version's table exists; the migration that makes it sets a first token.
    global _migrating
    _migrating = True


def _resume(**kwargs) -> None:
    global _migrating
    _migrating = False


def _watched_tables() -> set[str]:
    global _tables
    if _tables is None:
        _tables = {
            model._meta.db_table
            for app, exclude in _watched.items()
            for model in app.get_models(include_auto_created=True)
            if model not in exclude and model is not DataVersion
        }
    return _tables


def _install(sender, connection, **kwargs) -> None:
    if _bump_after_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _bump_after_writes)


def _bump_after_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql)
    if written and not _migrating and written.group(1) in _watched_tables():
        bump(context["connection"])
    return result


def bump(conn=connection) -> None:
    """A new token, in the caller's transaction (one statement: the row is made again after a flush)."""
    table = DataVersion._meta.db_table
    with conn.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, token) VALUES (1, %s) ON CONFLICT (id) DO UPDATE SET token = excluded.token",
            [uuid.uuid4().hex],
        )


def current() -> str | None:
    """The token as this transaction sees it; None before the first write to a flushed database."""
    return DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def cached(key: str, compute: Callable[[], T]) -> T:
    """`compute()` for the current data version, computed once per version and kept in the cache."""
    token = current()
    if token is None:
        return compute()
    local = _local.get(key)
    if local is not None and local[0] == token:
        return local[1]
    shared = not isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)
    value = cache.get(f"{key}@{token}") if shared else None
    if value is None:
        value = compute()
        if shared:
            cache.set(f"{key}@{token}", value, TIMEOUT)
    if len(_local) >= LOCAL_KEYS:
        _local.pop(next(iter(_local)), None)
    _local[key] = (token, value)
    return value


def forget_local() -> None:
    """Empty this process's memory, as a freshly started process has it (tests)."""
    _local.clear()
