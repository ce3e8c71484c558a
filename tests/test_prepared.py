"""Queries compiled once per shape (core/prepared.py): each run reads its own units, typed as the ORM types them."""

from __future__ import annotations

import datetime as dt

import pytest

from core import prepared
from tests.factories import make_unit
from units.models import Unit

pytestmark = pytest.mark.django_db


def _names(units: set[int] | None):
    rows = Unit.objects.all() if units is None else Unit.objects.filter(pk__in=units)
    return rows.values_list("pk", "name", "assessed_from").order_by("pk")


def test_a_prepared_query_reads_the_units_it_is_given_each_time():
    units = [make_unit(assessed_from=dt.date(2024, m, 1)) for m in range(1, 6)]
    built = []

    def build(ids):
        built.append(ids)
        return _names(ids)

    for pair in ([units[0], units[1]], [units[2], units[4]], [units[3], units[0]]):
        ids = {u.pk for u in pair}
        expected = list(_names(ids))
        assert prepared.rows("test-names", ids, build) == expected
        assert all(isinstance(row[2], dt.date) for row in expected)  # converted as the ORM does (SQLite: text)
    assert len(built) == 1  # three runs of one shape: built once, with stand-ins
    assert prepared.rows("test-names", set(), build) == []
    assert prepared.rows("test-names", None, build) == list(_names(None))
    many = {u.pk for u in units} | {make_unit().pk for _ in range(prepared.MOST_UNITS)}
    assert prepared.rows("test-names", many, build) == list(_names(many))  # beyond the kept sizes: built each time


def test_hand_written_sql_is_prepared_too():
    units = [make_unit() for _ in range(3)]

    def build(ids):
        return Unit.objects.filter(pk__in=ids).values_list("name").order_by("name").query.sql_with_params()

    for unit in units:
        assert prepared.rows("test-sql", {unit.pk}, build) == [(unit.name,)]
