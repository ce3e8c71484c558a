"""The unit list's query count does not grow with the number of units."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import make_person, make_unit, make_user
from units.models import Sequence, Unit

pytestmark = pytest.mark.django_db


# Session, user, the units with their people counted.
UNIT_LIST_QUERIES = 3


def _many_units(count: int) -> None:
    sequences = Sequence.values
    for i in range(count):
        unit = make_unit(name=f"单位{i:03d}", sequence=sequences[i % 4], display_order=i % 7 or None, is_active=i % 9 != 0)
        make_person(unit)
        make_person(unit, role="leader_in_charge")


@pytest.mark.parametrize("query", ["", "?sequence=bureau", "?active=1", "?sequence=district&active=0", "?sequence=nonsense"])
def test_unit_list_query_count_is_fixed(django_assert_num_queries, query):
    _many_units(120)
    client = Client()
    client.force_login(make_user(Role.VIEWER))
    with django_assert_num_queries(UNIT_LIST_QUERIES):
        response = client.get(reverse("units:list") + query)
    assert response.status_code == 200


def test_unit_list_groups_and_filters(django_assert_num_queries):
    make_unit(name="驻北京办事处", sequence="office_abroad")
    make_unit(name="市教育局", sequence="bureau", display_order=2)
    make_unit(name="市发展和改革委员会", sequence="bureau", display_order=1)
    make_unit(name="市统计局", sequence="bureau", is_active=False)
    make_unit(name="道里区", sequence="district")
    client = Client()
    client.force_login(make_user(Role.STAFF))
    page = client.get(reverse("units:list")).content.decode()
    # Sequences in the office's order, units by display order inside them.
    positions = [page.index(name) for name in ("区政府序列", "道里区", "委办局序列", "市发展和改革委员会", "市教育局", "市统计局",
                                                "驻外办事处序列", "驻北京办事处")]
    assert positions == sorted(positions)
    page = client.get(reverse("units:list") + "?sequence=bureau&active=1").content.decode()
    assert "市教育局" in page and "道里区" not in page and "市统计局" not in page
    page = client.get(reverse("units:list") + "?active=0").content.decode()
    assert "市统计局" in page and "市教育局" not in page


def test_units_order_falls_back_to_pinyin():
    for name in ("市统计局", "市财政局", "市公安局"):
        make_unit(name=name, sequence="bureau")
    assert [u.name for u in Unit.objects.all().in_office_order()] == ["市财政局", "市公安局", "市统计局"]
