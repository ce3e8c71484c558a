"""Publishing the monthly bulletin: frozen snapshots, versions with reasons, refused months (RULES.md decision 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bulletins.models import BulletinVersion, BulletinVersionQuerySet
from bulletins.publishing import BulletinRefused, compare_versions, parse_month, publish_bulletin
from bulletins.services import build_bulletin
from tests.factories import make_adoption, make_submission, make_unit, make_user, shanghai

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@pytest.fixture
def march():
    """Two districts and a county; 道里区 has two items of March 2024, one adopted by the city."""
    daoli = make_unit(name="道里区", sequence="district", display_order=1)
    nangang = make_unit(name="南岗区", sequence="district", display_order=2)
    shangzhi = make_unit(name="尚志市", sequence="county")
    first = make_submission(daoli, title="道里区冰雪旅游升温", submitted_at=shanghai(2024, 3, 4))
    second = make_submission(daoli, title="道里区优化营商环境", submitted_at=shanghai(2024, 3, 12))
    make_adoption(first, level="city", adoption_type="general", adopted_on=dt.date(2024, 3, 10),
                  carrier="每日要情", issue_no="第12期")
    return {"daoli": daoli, "nangang": nangang, "shangzhi": shangzhi, "first": first, "second": second}


def unit_row(data: dict, name: str) -> dict:
    return next(u for u in data["units"] if u["unit"] == name)


def test_publishing_freezes_the_live_bulletin_as_version_1(march):
    staff = make_user("staff")
    version = publish_bulletin(MARCH, staff)
    assert (version.month, version.version, version.number) == (MARCH, 1, "哈政办信通〔2024〕3号")
    assert version.published_by == staff and version.reason == ""
    assert version.data == build_bulletin(2024, 3)
    assert unit_row(version.data, "道里区")["submitted"]["month"] == 2


def test_a_published_version_does_not_change_when_the_facts_change(march):
    version = publish_bulletin(MARCH, make_user("staff"))
    frozen = BulletinVersion.objects.get(pk=version.pk).data
    # A correction after publishing: a second adoption in March, and an item marked invalid.
    make_adoption(march["second"], level="city", adoption_type="urgent", adopted_on=dt.date(2024, 3, 20))
    march["first"].is_invalid, march["first"].invalid_reason = True, "重复报送"
    march["first"].save()

    assert BulletinVersion.objects.get(pk=version.pk).data == frozen
    live = unit_row(build_bulletin(2024, 3), "道里区")
    assert live["submitted"]["month"] == 1 and live["adopted"]["month"]["city"] == 2
    assert live["points"]["month"] == "3.00"  # Art. 9: a city general adoption 1 + a city urgent one 2
    assert unit_row(frozen, "道里区")["submitted"]["month"] == 2
    assert unit_row(frozen, "道里区")["adopted"]["month"]["city"] == 1


def test_publishing_again_needs_a_reason_and_makes_version_2(march):
    staff = make_user("staff")
    publish_bulletin(MARCH, staff)
    for reason in ("", "   "):
        with pytest.raises(BulletinRefused, match="更正原因"):
            publish_bulletin(MARCH, staff, reason)
    assert BulletinVersion.objects.count() == 1
    # Nothing changed since version 1: there is nothing to correct.
    with pytest.raises(BulletinRefused, match="2024年3月通报的数据与已发布的第1版相同，无需重新发布。"):
        publish_bulletin(MARCH, staff, "补录省采用一条")

    make_adoption(march["second"], level="province", adoption_type="general", adopted_on=dt.date(2024, 3, 25))
    second = publish_bulletin(MARCH, staff, "补录省采用一条")
    assert (second.version, second.reason, second.number) == (2, "补录省采用一条", "哈政办信通〔2024〕3号")
    assert list(BulletinVersion.objects.filter(month=MARCH).values_list("version", flat=True)) == [2, 1]
    first = BulletinVersion.objects.get(month=MARCH, version=1)
    assert unit_row(first.data, "道里区")["adopted"]["month"]["province"] == 0
    assert unit_row(second.data, "道里区")["adopted"]["month"]["province"] == 1


def test_compare_versions_names_each_changed_number_old_and_new(march):
    staff = make_user("staff")
    first = publish_bulletin(MARCH, staff)
    make_submission(march["nangang"], title="南岗区新材料", submitted_at=shanghai(2024, 3, 15))
    make_adoption(march["second"], level="city", adoption_type="general", adopted_on=dt.date(2024, 3, 22))
    second = publish_bulletin(MARCH, staff, "补录")

    changes = compare_versions(first.data, second.data)
    by_unit = {c.unit: {name: (old, new) for name, old, new in c.figures} for c in changes.units}
    assert set(by_unit) == {"道里区", "南岗区"}
    assert by_unit["南岗区"]["报送(本月)"] == (0, 1) and by_unit["南岗区"]["报送(累计)"] == (0, 1)
    assert by_unit["道里区"]["市采用(本月)"] == (1, 2)
    assert by_unit["道里区"]["得分(本月)"] == ("1.00", "2.00")  # Art. 9: 1 point a city general adoption
    assert "报送(本月)" not in by_unit["道里区"]
    assert [(i.title, i.level) for i in changes.items_added] == [("道里区优化营商环境", "市")] and changes.items_removed == []
    assert not compare_versions(second.data, second.data)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "abc", "2024/03", "24-03", ""])
def test_malformed_months_are_refused_in_chinese(text):
    with pytest.raises(BulletinRefused, match="月份"):
        parse_month(text)


def test_future_months_are_refused_the_current_month_is_allowed():
    today = timezone.localdate()
    assert parse_month(f"{today:%Y-%m}") == today.replace(day=1)
    with pytest.raises(BulletinRefused, match="尚未到来"):
        parse_month(f"{next_month(today):%Y-%m}")
    assert parse_month("2024-12", today=dt.date(2025, 1, 1)) == dt.date(2024, 12, 1)
    with pytest.raises(BulletinRefused, match="2025年1月尚未到来"):
        parse_month("2025-01", today=dt.date(2024, 12, 31))


def test_publish_command_publishes_and_needs_a_reason_the_second_time(march, capsys):
    call_command("publish_bulletin", "--month", "2024-03")
    assert "已发布2024年3月通报第1版（哈政办信通〔2024〕3号）" in capsys.readouterr().out
    with pytest.raises(CommandError, match="更正原因"):
        call_command("publish_bulletin", "--month", "2024-03")
    with pytest.raises(CommandError, match="与已发布的第1版相同"):
        call_command("publish_bulletin", "--month", "2024-03", "--reason", "更正南岗区数字")
    make_submission(march["nangang"], submitted_at=shanghai(2024, 3, 25))
    call_command("publish_bulletin", "--month", "2024-03", "--reason", "更正南岗区数字")
    assert list(BulletinVersion.objects.values_list("version", "reason")) == [(2, "更正南岗区数字"), (1, "")]


@pytest.mark.parametrize("month", ["2024-13", "abc", "future"])
def test_publish_command_refuses_bad_months_and_changes_nothing(march, month):
    if month == "future":
        month = f"{next_month(timezone.localdate()):%Y-%m}"
    with pytest.raises(CommandError, match="月份|尚未到来"):
        call_command("publish_bulletin", "--month", month)
    assert not BulletinVersion.objects.exists()


def test_a_concurrent_publication_of_the_same_version_is_refused_cleanly(march, monkeypatch):
    publish_bulletin(MARCH, None)
    # As if another clerk published between our look at the latest version and our insert.
    monkeypatch.setattr(BulletinVersionQuerySet, "latest_of_month", lambda self, month: None)
    with pytest.raises(BulletinRefused, match="刚被其他人发布"):
        publish_bulletin(MARCH, None)
    assert list(BulletinVersion.objects.values_list("version", flat=True)) == [1]
