"""Queries compiled once per shape, run with the units of the moment.

After a write to a unit's facts every process gathers that unit's facts again (units/versioning.py): six
small queries whose building through the ORM (joins, subqueries, annotations) costs several times their
running. A query that differs only by the units it reads is built once, with stand-in ids, and run with the
real ones: `rows(shape, units, build)`.

`build(units)` returns a values_list QuerySet (its rows converted as the ORM converts them: dates on SQLite,
decimals) or an (sql, params) pair of hand-written SQL (rows as the database returns them). `shape` names
everything else the query depends on (the period, the rule set's options): two calls with the same shape and
the same number of units must build the same SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet

# Stand-in unit ids: no row has an id this low, and no other parameter of these queries takes these values.
_STAND_IN = -(2**62)
# Larger sets of units (a bulk change) are built each time: rare, and each size would be a shape of its own.
MOST_UNITS = 16
_SHAPES_KEPT = 512

Built = QuerySet | tuple[str, Iterable]


class _Prepared(NamedTuple):
    sql: str
    params: tuple
    convert: Callable[[list], list] | None


_prepared: dict[tuple, _Prepared] = {}


def _prepare(built: Built) -> _Prepared:
    if not isinstance(built, QuerySet):
        sql, params = built
        return _Prepared(sql, tuple(params), None)
    compiler = built.query.get_compiler(using=built.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    convert = (lambda rows: [tuple(row) for row in compiler.apply_converters(rows, converters)]) if converters else None
    return _Prepared(sql, tuple(params), convert)


def rows(shape: Hashable, units: set[int] | None, build: Callable[[set[int] | None], Built]) -> list[tuple]:
    """The rows of `build(units)` (units: their ids, or None for all), its SQL made once per shape and number
    of units."""
    if units is not None and not units:
        return []  # every query here reads the units' rows only
    if units is not None and len(units) > MOST_UNITS:
        prepared = _prepare(build(units))
        params = prepared.params
    else:
        key = (shape, None if units is None else len(units))
        prepared = _prepared.get(key)
        stand_ins = [_STAND_IN - i for i in range(len(units or ()))]
        if prepared is None:
            if len(_prepared) >= _SHAPES_KEPT:
                _prepared.clear()
            prepared = _prepared[key] = _prepare(build(None if units is None else set(stand_ins)))
        real = dict(zip(stand_ins, sorted(units or ()), strict=True))
        params = tuple(real.get(p, p) if type(p) is int else p for p in prepared.params)
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, params)
        fetched = cursor.fetchall()
    return prepared.convert(fetched) if prepared.convert else fetched
