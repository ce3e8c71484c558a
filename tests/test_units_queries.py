"""The unit list: its query count does not grow with the number of units; it pages, filters and searches by name."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import make_person, make_unit, make_user
from units.models import Sequence, Unit

pytestmark = pytest.mark.django_db


# Session, user, the filtered units' ids in office order, the page's units with their people counted, the number of
# units of each sequence.
UNIT_LIST_QUERIES = 5


def _many_units(count: int) -> None:
    sequences = Sequence.values
    for i in range(count):
        unit = make_unit(name=f"单位{i:03d}", sequence=sequences[i % 4], display_order=i % 7 or None, is_active=i % 9 != 0)
        make_person(unit)
        make_person(unit, role="leader_in_charge")


@pytest.mark.parametrize("units", [3, 130])
@pytest.mark.parametrize("query", ["", "?sequence=bureau", "?active=1", "?sequence=district&active=0", "?sequence=nonsense",
                                   "?q=单位0&page=2"])
def test_unit_list_query_count_is_fixed(django_assert_num_queries, query, units):
    _many_units(units)
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


def _names(response) -> list[str]:
    return [unit.name for _, _, units in response.context["groups"] for unit in units]


def test_unit_list_pages_in_office_order_with_each_sequence_counted_over_every_page():
    _many_units(130)
    client = Client()
    client.force_login(make_user(Role.STAFF))
    first, second = (client.get(reverse("units:list"), {"page": n}) for n in (1, 2))
    names = _names(first) + _names(second)
    assert len(_names(first)) == 100 and names == [unit.name for unit in Unit.objects.all().in_office_order()]
    # Every sequence's heading counts its units on every page (the offices abroad: 2 on the first, 30 on the second).
    assert {label: count for label, count, _ in first.context["groups"] + second.context["groups"]} == {
        "区政府": 33, "县(市)政府": 33, "委办局": 32, "驻外办事处": 32}
    assert [(label, count, len(units)) for label, count, units in second.context["groups"]] == [("驻外办事处", 32, 30)]
    assert "驻外办事处序列 <span class=\"text-muted small\">（32 个）</span>" in second.content.decode()
    assert "第 2 / 2 页，共 130 条" in second.content.decode()


def test_unit_list_finds_units_by_part_of_their_name():
    make_unit(name="市教育局", sequence="bureau")
    make_unit(name="市统计局", sequence="bureau", is_active=False)
    make_unit(name="道里区", sequence="district")
    client = Client()
    client.force_login(make_user(Role.VIEWER))
    assert _names(client.get(reverse("units:list"), {"q": "局"})) == ["市教育局", "市统计局"]
    assert _names(client.get(reverse("units:list"), {"q": " 统计 ", "active": "0"})) == ["市统计局"]
    assert _names(client.get(reverse("units:list"), {"q": "局", "sequence": "district"})) == []
    page = client.get(reverse("units:list"), {"q": "局"}).content.decode()
    assert 'data-choices-url="/units/choices/"' in page and 'value="局"' in page  # suggested as one types


@pytest.mark.parametrize(("query", "error"), [
    ({"q": "x" * 101}, "100"), ({"q": "道\x00"}, "空字符"), ({"sequence": "city"}, "不在可选范围内"),
    ({"page": "abc"}, None), ({"page": "-1"}, None), ({"page": "99999999999999999999"}, None), ({"page": "²"}, None),
])
def test_unit_list_bad_parameters_are_shown_or_fall_back(query, error):
    make_unit(name="道里区", sequence="district")
    make_unit(name="市教育局", sequence="bureau")
    client = Client()
    client.force_login(make_user(Role.STAFF))
    response = client.get(reverse("units:list"), query)
    assert response.status_code == 200 and _names(response) == ["道里区", "市教育局"]  # the bad filter is ignored
    assert error is None or error in response.content.decode()
