"""The numbers of the monthly bulletin (Art. 5; INTERFACES.md, the bulletin), computed by hand."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bulletins.services import _build_bulletin, build_bulletin, bulletin_json
from tests.factories import make_adoption, make_instruction, make_submission, make_unit, shanghai

pytestmark = pytest.mark.django_db


def row_of(bulletin: dict, unit) -> dict:
    return next(r for r in bulletin["units"] if r["unit"] == unit.name)


def test_every_unit_appears_with_zeros():
    quiet = make_unit(sequence="office_abroad")
    bulletin = build_bulletin(2024, 3)
    row = row_of(bulletin, quiet)
    assert row["submitted"] == {"month": 0, "ytd": 0}
    assert row["adopted"]["month"] == {"city": 0, "province": 0, "state": 0}
    assert row["points"] == {"month": "0.00", "ytd": "0.00"}
    assert quiet.name in bulletin["no_submission_units"]


def test_submitted_counts_valid_items_of_the_month_and_year_to_date_joint_items_for_each_unit():
    a, b = make_unit(sequence="district"), make_unit(sequence="district")
    make_submission(a, submitted_at=shanghai(2024, 1, 15))
    make_submission(a, joint=[b], submitted_at=shanghai(2024, 3, 2))
    make_submission(a, submitted_at=shanghai(2024, 3, 3), invalid_reason="重复")
    make_submission(a, submitted_at=shanghai(2024, 4, 1, 0, 0))  # April in Shanghai
    bulletin = build_bulletin(2024, 3)
    assert row_of(bulletin, a)["submitted"] == {"month": 1, "ytd": 2}
    assert row_of(bulletin, b)["submitted"] == {"month": 1, "ytd": 1}


def test_an_adoption_counts_in_its_own_month_not_the_items():
    unit = make_unit(sequence="county")
    item = make_submission(unit, submitted_at=shanghai(2024, 2, 20))
    make_adoption(item, level="province", adoption_type="general", adopted_on=dt.date(2024, 3, 4))
    february, march = build_bulletin(2024, 2), build_bulletin(2024, 3)
    assert row_of(february, unit)["adopted"]["month"]["province"] == 0
    assert row_of(march, unit)["adopted"]["month"]["province"] == 1
    assert row_of(march, unit)["points"] == {"month": "2.00", "ytd": "2.00"}
    assert row_of(march, unit)["submitted"] == {"month": 0, "ytd": 1}


def test_a_december_item_adopted_in_january_counts_in_januarys_bulletin_and_year():
    unit = make_unit(sequence="county")
    item = make_submission(unit, submitted_at=shanghai(2023, 12, 28))
    make_adoption(item, level="city", adoption_type="general", adopted_on=dt.date(2024, 1, 8))
    december, january = build_bulletin(2023, 12), build_bulletin(2024, 1)
    assert row_of(december, unit)["submitted"] == {"month": 1, "ytd": 1}
    assert row_of(december, unit)["adopted"]["ytd"]["city"] == 0
    assert row_of(january, unit)["submitted"] == {"month": 0, "ytd": 0}
    assert row_of(january, unit)["adopted"]["month"]["city"] == 1
    assert row_of(january, unit)["points"]["ytd"] == "1.00"


def test_joint_adoption_counted_for_each_unit_and_points_split():
    a, b, c = (make_unit(sequence="bureau") for _ in range(3))
    item = make_submission(a, joint=[b, c], submitted_at=shanghai(2024, 5, 6))
    make_adoption(item, level="city", adoption_type="urgent", adopted_on=dt.date(2024, 5, 7))
    make_instruction(item, level="province", kind="reference", instructed_on=dt.date(2024, 5, 9))
    bulletin = build_bulletin(2024, 5)
    expected = round((2 + 15) / 3, 2)  # 5.666… → 5.67
    for unit in (a, b, c):
        row = row_of(bulletin, unit)
        assert row["adopted"]["month"]["city"] == 1
        assert row["instructions"] == {"month": 1, "ytd": 1}
        assert float(row["points"]["month"]) == expected
    assert [e["unit"] for e in bulletin["adopted_items"]] == [
        u.name for u in sorted((a, b, c), key=lambda u: u.office_sort_key())
    ]


def test_rank_by_year_to_date_points_within_the_sequence_ties_share_and_skip():
    units = [make_unit(sequence="district", display_order=i) for i in range(4)]
    points = [1, 2, 2, 0]  # city general adoptions
    for unit, n in zip(units, points, strict=True):
        for _ in range(n):
            make_adoption(make_submission(unit, submitted_at=shanghai(2024, 1, 5)), adopted_on=dt.date(2024, 2, 1))
    unranked = make_unit(sequence="district", is_ranked=False)
    make_adoption(make_submission(unranked, submitted_at=shanghai(2024, 1, 5)), adopted_on=dt.date(2024, 2, 1))
    bulletin = build_bulletin(2024, 3)
    assert [row_of(bulletin, u)["rank"] for u in units] == [3, 1, 1, 4]
    assert row_of(bulletin, unranked)["rank"] is None


def test_bulletin_command_prints_the_documented_json():
    unit = make_unit(name="道里区", sequence="district")
    make_submission(unit, submitted_at=shanghai(2024, 3, 2))
    out = StringIO()
    call_command("bulletin", "--month", "2024-03", stdout=out)
    data = json.loads(out.getvalue())
    assert data == bulletin_json(build_bulletin(2024, 3))
    assert set(data) == {"month", "units"}
    assert set(data["units"][0]) == {"unit", "sequence", "submitted", "adopted", "instructions", "points", "rank"}
    assert data["units"][0]["points"] == {"month": 0.0, "ytd": 0.0}


@pytest.mark.parametrize("month", ["2024-13", "abc", "2024-3-1", "2999-01"])
def test_bulletin_command_refuses_bad_months_in_chinese(month):
    with pytest.raises(CommandError, match="月"):
        call_command("bulletin", "--month", month, stdout=StringIO())


def test_bulletin_query_count_does_not_grow_with_units(django_assert_num_queries):
    def populate(n: int) -> None:
        for i in range(n):
            unit = make_unit(sequence=["district", "county", "bureau", "office_abroad"][i % 4])
            item = make_submission(
                unit, joint=[unit.__class__.objects.first()] if i else [], submitted_at=shanghai(2024, 3, 1 + i % 28)
            )
            make_adoption(item, adopted_on=dt.date(2024, 3, 28))
            make_instruction(item, instructed_on=dt.date(2024, 3, 28))

    # After writes, the first read also rebuilds the stale month tallies (6 more, see the scoring service).
    populate(3)
    with django_assert_num_queries(12 + 6):
        _build_bulletin(2024, 3)
    with django_assert_num_queries(12):
        _build_bulletin(2024, 3)
    populate(120)
    with django_assert_num_queries(12 + 6):
        _build_bulletin(2024, 3)
    with django_assert_num_queries(12):
        assert len(_build_bulletin(2024, 3)["units"]) == 123
