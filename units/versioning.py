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
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.db.models import Model

from units.models import DataVersion

T = TypeVar("T")

# Kept a day; entries of older versions are never read again and expire or are culled.
TIMEOUT = 24 * 3600
LOCAL_KEYS = 64

_local: dict[str, tuple[str, object]] = {}  # key -> (token, value), the latest value of each key

_watched: dict[AppConfig, set[type[Model]]] = {}
_tables: set[str] | None = None
# INSERT [OR IGNORE] INTO t, UPDATE t, DELETE FROM t: as Django writes them on PostgreSQL and SQLite.
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def watch(app: AppConfig, exclude: tuple[type[Model], ...] = ()) -> None:
    """Change the data version on every write to a table of `app` (and its many-to-many tables)."""
    global _tables
    _watched[app] = set(exclude)
    _tables = None
    connection_created.connect(_install, dispatch_uid="data_version")


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
    if written and written.group(1) in _watched_tables():
        bump(context["connection"])
    return result


def bump(conn=connection) -> None:
    """A new token, in the caller's transaction (one statement: the row is made again after a flush). Skipped
    while the table does not exist: a database being migrated, or restored from an older schema."""
    table = DataVersion._meta.db_table
    token = uuid.uuid4().hex  # hexadecimal digits only: safe inside the statement
    upsert = f"INSERT INTO {table} (id, token) VALUES (1, '{token}') ON CONFLICT (id) DO UPDATE SET token = excluded.token"
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # A failed statement would abort the caller's transaction: ask first, in the same statement.
            cursor.execute(f"DO $$BEGIN IF to_regclass('{table}') IS NOT NULL THEN {upsert}; END IF; END$$")
            return
        try:
            cursor.execute(upsert)
        except OperationalError as error:  # SQLite carries on with the transaction after a failed statement
            if "no such table" not in str(error):
                raise


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
