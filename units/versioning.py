"""The data version, and assessments computed once per version.

An assessment (a year's scores, a bulletin's numbers) is computed once for each state of the data and kept in
Django's cache under the data version: one row holding a random token and a sequence number. Reading it is one
primary-key query; a write in any process changes it, so every process (each with its own memory cache, or all
sharing Redis) sees the change.

Two kinds of change. A write that may change anything (a rule set, a unit, a year's assignment, basic work, a
bulk import, hand-written SQL) draws a new token: every assessment is computed again. A write made inside
`touching(units)` (reporting an item, recording an adoption: the services know whose facts they change) keeps
the token, advances the sequence and lists the units under the new number (`UnitChange`): a process holding an
assessment of an earlier number of the same token updates it (`cached(..., update=...)`: the year's scores
gather those units' facts again and re-rank, a few milliseconds) instead of computing it whole.

Writes are seen where they reach the database, so every way of writing is covered without a line in the
services: saves and deletes, `bulk_create`, `QuerySet.update`, `bulk_update`, hand-written SQL. An execute
wrapper on each connection looks at every INSERT, UPDATE and DELETE on a table of an app that called `watch`
(units, submissions, scoring, awards; the derived month tallies and form tokens aside) and notes it.

When the version changes. Not at the first write: the version row would stay locked until the commit, so that
every writing transaction queued behind the first, and two transactions locking rows in opposite orders (one
bumping first, the other locking an item first) could deadlock. The noted writes are bumped as the last
statement before COMMIT (the connection's commit is wrapped): the row is locked only for the commit itself, and
since nothing is locked after it no cycle can form. Outside a transaction a write is bumped right after its
statement.

Why a reader never keeps old numbers under a new version: the bump commits with the data (one transaction), and a
reader reads the version before the data (`cached`), so data read under version V includes every write whose bump
made V or an earlier version. The reverse, newer data kept under an older version, happens when a write commits
between a reader's two reads; it is harmless, because that write's own bump follows and sends everyone to compute
its units again. A transaction that has written and not committed computes without the cache (its own writes are
not in the version yet, and may be rolled back). The token is random, not a counter: a rolled-back write never
hands its value on. In the test suite (each test one transaction that is never committed) the end of the
outermost block of the test's own code counts as the commit.

Each process keeps the latest value of each key in its memory: unpickling a year's scores from a cache (145 ms for
1,000 units) takes longer than computing them. The least recently used keys go first, and one thread of a process
computes a key at a time (threaded workers). The shared cache is then only worth its pickling where it is shared
(Redis, several application servers): with the default per-process memory cache it is skipped. With a shared
cache one process computes a given version at a time (single flight, a lock entry added to the cache); the others
wait for its result. Values are shared within a process: callers never change them.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from django.apps import AppConfig
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.db.models import Model

from units.models import DataVersion, UnitChange

T = TypeVar("T")

# Kept a day; entries of older versions are never read again and expire or are culled.
TIMEOUT = 24 * 3600
# Each officer's unit has a few keys of its own (item count, scorecard sections: about 20 kB): room for a city's
# thousand units, and for the years and periods read (a bound on memory of about 100 MB a process).
LOCAL_KEYS = 4096
# Unit changes kept; a process further behind than MAX_BEHIND numbers computes whole.
KEEP_CHANGES, MAX_BEHIND = 2048, 1024
# An update that reads the changed units' facts again (the bulletin, the award candidates) computes whole instead
# when more units than this changed: reading many units one by one costs more than reading them all.
MOST_UNITS_UPDATED = 64
# Single flight: how long a computation may hold its lock, and how long the others wait for it.
LOCK_SECONDS, WAIT_SECONDS = 60, 20

# key -> (version, value), the latest value of each key, the least recently used first: with a thousand officers
# each unit's own entries (an item count) come and go, and the year's scores stay.
_local: OrderedDict[str, tuple[Version, object]] = OrderedDict()
_key_locks: dict[str, threading.RLock] = {}
_changes_read: dict[tuple[int, int], frozenset[int]] = {}
_locals_lock = threading.Lock()

_watched: dict[AppConfig, set[type[Model]]] = {}
_tables: set[str] | None = None
# INSERT [OR IGNORE] INTO t, UPDATE t, DELETE FROM t: as Django writes them on PostgreSQL and SQLite.
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_touching: ContextVar[frozenset[int] | None] = ContextVar("touching", default=None)
# The version a request read first (`current`): a page asks for several assessments, each under it. Data read
# after it may be newer: harmless, as below (a write's own bump follows it).
_OUTSIDE_REQUEST, _UNREAD = object(), object()
_request_version: ContextVar[Version | None | object] = ContextVar("request_version", default=_OUTSIDE_REQUEST)


@dataclass(frozen=True)
class Version:
    token: str
    seq: int

    def __str__(self) -> str:
        return f"{self.token}.{self.seq}"


@dataclass
class _Writes:
    """What a connection's open transaction has written: some units' facts only, or anything."""

    units: set[int] = field(default_factory=set)
    everything: bool = False

    def add(self, units: frozenset[int] | None) -> None:
        if units is None:
            self.everything = True
        else:
            self.units |= units


def watch(app: AppConfig, exclude: tuple[type[Model], ...] = ()) -> None:
    """Change the data version on every write to a table of `app` (and its many-to-many tables)."""
    global _tables
    _watched[app] = set(exclude)
    _tables = None
    connection_created.connect(_install, dispatch_uid="data_version")
    request_started.connect(_request_started, dispatch_uid="data_version")
    request_finished.connect(_request_finished, dispatch_uid="data_version")


@contextmanager
def touching(unit_ids: Iterable[int] | None) -> Iterator[None]:
    """The writes inside change the facts of these units only (their items, joint units, adoptions,
    instructions, failures): the caches update those units instead of computing everything again. The caller
    names every unit whose score the writes can change (tests/test_assessment_cache.py checks it); None: any."""
    reset = _touching.set(None if unit_ids is None else frozenset(unit_ids))
    try:
        yield
    finally:
        _touching.reset(reset)


def _watched_tables() -> set[str]:
    global _tables
    if _tables is None:
        _tables = {
            model._meta.db_table
            for app, exclude in _watched.items()
            for model in app.get_models(include_auto_created=True)
            if model not in exclude and model not in (DataVersion, UnitChange)
        }
    return _tables


def _install(sender, connection, **kwargs) -> None:
    if _note_writes in connection.execute_wrappers:
        return
    connection.execute_wrappers.insert(0, _note_writes)
    # The ends of transactions, wrapped on this connection object (it outlives its database connections).
    commit, savepoint_commit = connection._commit, connection._savepoint_commit
    rollback, savepoint_rollback = connection._rollback, connection._savepoint_rollback

    def _commit():
        _flush(connection)
        return commit()

    def _savepoint_commit(sid):
        if not _in_transaction(connection):  # the end of the outermost block of a test's own code
            _flush(connection)
        return savepoint_commit(sid)

    def _rollback():
        connection._data_writes = None
        return rollback()

    def _savepoint_rollback(sid):
        if not _in_transaction(connection):
            connection._data_writes = None
        return savepoint_rollback(sid)  # an inner savepoint: its writes stay noted, at worst too many

    connection._commit, connection._savepoint_commit = _commit, _savepoint_commit
    connection._rollback, connection._savepoint_rollback = _rollback, _savepoint_rollback


def _in_transaction(conn) -> bool:
    """In a transaction that will commit later. In a test (its own blocks never commit) the blocks of the
    code under test count when they can end in a savepoint's release: the one at which their writes are
    bumped; a block without a savepoint (`bulk_create`'s) is then as good as committed at each statement."""
    if conn.atomic_blocks:
        return any(not block._from_testcase and (block.savepoint or i == 0) for i, block in enumerate(conn.atomic_blocks))
    return not conn.get_autocommit()


def _note_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    written = _WRITE.match(sql)
    if written and written.group(1) in _watched_tables():
        noted(context["connection"])
    return result


def noted(conn=connection) -> None:
    """A write to the facts: in a transaction the version changes as it commits (the version's row is not held
    meanwhile), else now. Called for every statement, and by writes that pass no execute wrapper (COPY)."""
    units = _touching.get()
    if _in_transaction(conn):
        if getattr(conn, "_data_writes", None) is None:
            conn._data_writes = _Writes()
        conn._data_writes.add(units)
    else:  # committed with the statement: bumped right after it
        bump(conn, units)


def _flush(conn) -> None:
    writes, conn._data_writes = getattr(conn, "_data_writes", None), None
    if writes is not None:
        bump(conn, None if writes.everything else writes.units)


def bump(conn=connection, units: Iterable[int] | None = None) -> None:
    """A new version, in the caller's transaction: a new token, or (`units` given) the next number, with
    the units it changed. Upserted: the row is made again after a flush. Skipped while the tables do not
    exist: a database being migrated, or restored from an older schema."""
    if _request_version.get() is not _OUTSIDE_REQUEST:
        _request_version.set(_UNREAD)  # the request's own write: read the version again
    table, changes = DataVersion._meta.db_table, UnitChange._meta.db_table
    token, units = uuid.uuid4().hex, None if units is None else sorted(int(u) for u in units)  # safe in the SQL
    upsert = (f"INSERT INTO {table} (id, token, seq) VALUES (1, '{token}', 1) ON CONFLICT (id) DO UPDATE "
              f"SET seq = {table}.seq + 1, token = {'excluded' if units is None else table}.token RETURNING seq")
    prune = f"DELETE FROM {changes} WHERE seq <= %s - {KEEP_CHANGES} AND %s %% 256 = 0"
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # One statement; a failed one would abort the caller's transaction: the tables are asked for first.
            listed = (f"INSERT INTO {changes} (seq, unit_id) SELECT n, unnest(ARRAY[{','.join(map(str, units))}]::bigint[]);"
                      if units else "")
            cursor.execute(
                f"DO $$DECLARE n bigint; BEGIN IF to_regclass('{changes}') IS NOT NULL THEN {upsert} INTO n; {listed} "
                f"{prune.replace('%s', 'n').replace('%%', '%')}; END IF; END$$"
            )
            return
        try:
            cursor.execute(upsert)
            seq = cursor.fetchone()[0]
            if units:
                cursor.executemany(f"INSERT INTO {changes} (seq, unit_id) VALUES (%s, %s)", [(seq, u) for u in units])
            cursor.execute(prune, [seq, seq])
        except OperationalError as error:  # SQLite carries on with the transaction after a failed statement
            if "no such" not in str(error):
                raise


def current() -> Version | None:
    """The version as this transaction sees it; None before the first write to a flushed database. Read once per
    request (a page asks for several assessments), again after the request's own write."""
    version = _request_version.get()
    if version is _UNREAD or version is _OUTSIDE_REQUEST:
        row = DataVersion.objects.filter(pk=1).values_list("token", "seq").first()
        version = Version(*row) if row else None
        if _request_version.get() is _UNREAD:
            _request_version.set(version)
    return version


def _request_started(**kwargs) -> None:
    _request_version.set(_UNREAD)


def _request_finished(**kwargs) -> None:
    _request_version.set(_OUTSIDE_REQUEST)


def changed_units(since: int, upto: int) -> frozenset[int]:
    """The units written under the numbers after `since` up to `upto` (of one token). Read once per process: the
    rows of a number read as the version never change (each key of a page asks after the same write)."""
    units = _changes_read.get((since, upto))
    if units is None:
        if len(_changes_read) >= LOCAL_KEYS:
            _changes_read.clear()
        units = _changes_read[since, upto] = frozenset(
            UnitChange.objects.filter(seq__gt=since, seq__lte=upto).values_list("unit_id", flat=True).distinct())
    return units


def cached(key: str, compute: Callable[[], T], update: Callable[[T, set[int]], T] | None = None) -> T:
    """`compute()` for the current data version, computed once per version and kept in the cache.

    `update(value, units)`, if given, turns the value of an earlier number of the same token into the current
    one, given the units changed in between; it must equal `compute()` (the tests compare them)."""
    if getattr(connection, "_data_writes", None) is not None:
        if _in_transaction(connection):
            return compute()  # its own writes, not committed: not in any version yet
        _flush(connection)  # a block left without a commit of its own (a test's delete): bumped now
    version = current()
    if version is None:
        return compute()
    local = _local.get(key)
    if local is not None and local[0] == version:
        with suppress(KeyError):  # dropped by another thread meanwhile
            _local.move_to_end(key)
        return local[1]
    # One thread of a process computes a key at a time (threaded workers); the others then find its value.
    with _key_lock(key):
        local = _local.get(key)
        if local is not None and local[0] == version:
            return local[1]
        value = _value_of(key, version, local, compute, update)
        with _locals_lock:
            _local[key] = (version, value)
            _local.move_to_end(key)
            while len(_local) > LOCAL_KEYS:
                _local.popitem(last=False)
    return value


def cached_for_unit(key: str, unit_id: int, compute: Callable[[], T]) -> T:
    """`cached` for a value made of one unit's facts only (a scorecard's sections, an officer's panel): a write
    touching other units only (`touching`) leaves it, any other write computes it again."""
    return cached(key, compute, lambda kept, changed: compute() if unit_id in changed else kept)


def _value_of(key: str, version: Version, local: tuple[Version, T] | None, compute: Callable[[], T],
              update: Callable[[T, set[int]], T] | None) -> T:
    shared = not isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)
    versioned = f"{key}@{version}"
    value = cache.get(versioned) if shared else None
    if value is not None:
        return value
    if update is not None and local is not None and local[0].token == version.token \
            and 0 < version.seq - local[0].seq <= MAX_BEHIND:
        value = update(local[1], changed_units(local[0].seq, version.seq))
        if shared:
            cache.set(versioned, value, TIMEOUT)
        return value
    return _compute_once(versioned, compute) if shared else compute()


def _key_lock(key: str) -> threading.RLock:
    with _locals_lock:
        if len(_key_locks) >= 4 * LOCAL_KEYS:
            _key_locks.clear()  # a thread still holding a dropped lock only means one computation twice
        return _key_locks.setdefault(key, threading.RLock())


def _compute_once(versioned: str, compute: Callable[[], T]) -> T:
    """Single flight: the process that adds the lock computes and shares; the others wait for its value (and
    compute it themselves if it does not come: that process may have died)."""
    lock = f"{versioned}:computing"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            value = compute()
            cache.set(versioned, value, TIMEOUT)
            return value
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        value = cache.get(versioned)
        if value is not None:
            return value
    return compute()


def forget_local() -> None:
    """Empty this process's memory, as a freshly started process has it (tests)."""
    _local.clear()
    _changes_read.clear()
