"""Writing many rows fast, for the ledger import: no model instances, no SQL built per row.

PostgreSQL loads rows with COPY (psycopg2's `copy_expert`, its fastest way in); an update goes through a
temporary table loaded the same way, then one UPDATE … FROM. SQLite takes one prepared statement run over every
row (`executemany`). Both run in the caller's transaction; values are what the model's fields hold (aware
datetimes, dates, Decimals...), converted here as Django would store them. The data version
(units/versioning.py) changes as for any other write.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, models

from units.versioning import noted

CHUNK = 20_000  # rows sent at a time: memory stays bounded whatever the import's size


@contextmanager
def large_page_cache(megabytes: int = 32) -> Iterator[None]:
    """On SQLite, a page cache of `megabytes` while a large import writes (the default is 2 MB: with a million rows
    going into a table and its indexes, the same pages were read back from the file again and again)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-1024 * megabytes}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def refresh_statistics(model: type[models.Model]) -> None:
    """On PostgreSQL, the planner's statistics of the model's table taken again (its new rows in this transaction
    included) after it grew by many rows: until autovacuum comes by, the planner takes the table for as small as it
    was and reads it whole for each lookup by key (`select_in`), instead of using its index."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _chunks(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """As Django stores an aware datetime in SQLite: naive UTC, as text."""
    return None if value is None else str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _sqlite_converters(model: type[models.Model], columns: Sequence[str]) -> list[tuple[int, Callable]]:
    """(position, converter) for the columns whose values sqlite3 cannot take as they are."""
    fields, converters = {f.attname: f for f in model._meta.concrete_fields}, []
    for position, name in enumerate(columns):
        field = fields[name]
        if isinstance(field, models.DateTimeField):
            converters.append((position, _sqlite_datetime))
        elif isinstance(field, models.DateField):
            converters.append((position, lambda value: None if value is None else value.isoformat()))
        elif isinstance(field, models.DecimalField | models.JSONField):
            converters.append((position, lambda value, field=field: field.get_db_prep_save(value, connection)))
    return converters


def _sqlite_rows(model, columns, chunk) -> list[Sequence[Any]]:
    converters = _sqlite_converters(model, columns)
    if not converters:
        return chunk
    converted, last = [], {}  # many rows share a value (the time of the import): converted once
    for row in chunk:
        row = list(row)
        for position, convert in converters:
            value = row[position]
            seen = last.get(position)
            if seen is None or seen[0] is not value:
                seen = last[position] = (value, convert(value))
            row[position] = seen[1]
        converted.append(row)
    return converted


def select_in(model: type[models.Model], columns: Sequence[str], key: str, keys: Sequence[Any]) -> list[tuple]:
    """`columns` of the rows whose `key` column is one of `keys` (a few thousand at most), as plain tuples; the
    same as `.filter(key__in=keys).values_list(*columns)` for text and integer keys, without building a query."""
    if not keys:
        return []
    table, names = connection.ops.quote_name(model._meta.db_table), _quoted(columns)
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(names)} FROM {table} WHERE {connection.ops.quote_name(key)} IN ({marks})",
                       list(keys))
        rows = cursor.fetchall()
    fields = {f.attname: f for f in model._meta.concrete_fields}
    converters = []
    for i, name in enumerate(columns):
        column = fields[name].get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + fields[name].get_db_converters(connection):
            converters.append((i, convert, column))
    if not converters:
        return rows
    result = []
    for row in rows:
        row = list(row)
        for i, convert, column in converters:
            row[i] = convert(row[i], column, connection)
        result.append(tuple(row))
    return result


def _copy(cursor, model: type[models.Model], table: str, columns: Sequence[str], chunk: list[Sequence[Any]]) -> None:
    """COPY in CSV, written by the csv module (C): every text quoted, so an empty text stays a text and only a
    quoted empty field of a nullable column (FORCE_NULL) is NULL; JSON columns are written as JSON first."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    as_json = [i for i, c in enumerate(columns) if isinstance(fields.get(c), models.JSONField)]
    if as_json:
        chunk = [[json.dumps(v) if i in as_json else v for i, v in enumerate(row)] for row in chunk]
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(chunk)
    buffer.seek(0)
    names = _quoted(columns)
    nullable = [n for c, n in zip(columns, names, strict=True) if c in fields and fields[c].null]
    force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
    with connection.wrap_database_errors:
        # Read whole: each read takes Python's lock again, which a thread checking beside it holds for up to 5 ms.
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv{force_null})", buffer,
                                  size=len(buffer.getvalue()) + 1)


def _quoted(columns: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(c) for c in columns]


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples in the order of `columns`, the fields' attribute names); the number inserted."""
    table, names, count = connection.ops.quote_name(model._meta.db_table), _quoted(columns), 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            count += len(chunk)
            if connection.vendor == "postgresql":
                _copy(cursor, model, table, columns, chunk)
                continue
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                               _sqlite_rows(model, columns, chunk))
    if count and connection.vendor == "postgresql":
        noted()  # COPY passes no execute wrapper
    return count


def update_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Set `columns` of the rows whose primary key comes first in each of `rows`; the number of rows given."""
    table, names, count = connection.ops.quote_name(model._meta.db_table), _quoted(columns), 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            count += len(chunk)
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TEMPORARY TABLE bulk_update AS SELECT id, {', '.join(names)} FROM {table} WITH NO DATA")
                _copy(cursor, model, "bulk_update", ["id", *columns], chunk)
                assignments = ", ".join(f"{n} = u.{n}" for n in names)
                cursor.execute(f"UPDATE {table} SET {assignments} FROM bulk_update u WHERE {table}.id = u.id")
                cursor.execute("DROP TABLE bulk_update")
                continue
            assignments = ", ".join(f"{n} = %s" for n in names)
            converted = _sqlite_rows(model, ["id", *columns], chunk)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", [(*row[1:], row[0]) for row in converted])
    return count
