"""The office's start page: the work queue counts against the data, the city-wide picture, and who sees what."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from bulletins.publishing import publish_bulletin
from core.assessment import TIME_ZONE
from harbin_infoassess import office
from scoring.models import ImportJob, ImportStatus
from tests.factories import (
    login,
    make_adoption,
    make_basic_work,
    make_failure,
    make_request,
    make_submission,
    make_unit,
    make_user,
)
from units import versioning
from units.models import Sequence

pytestmark = pytest.mark.django_db


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def data(personas, unit_a, unit_b):
    """A due request answered by one of its two units, a request due later, items of today, of earlier this
    month and of last month, a failure this month, one confirmed basic-work entry, and an import."""
    now, today = _now(), _today()
    due = make_request([unit_a, unit_b], code="ZY-DUE", title="近期专约", deadline=now + dt.timedelta(days=2))
    make_request([unit_a], code="ZY-LATER", deadline=now + dt.timedelta(days=DUE_LATER))
    make_submission(unit_a, special_request=due, submitted_at=now - dt.timedelta(minutes=5))
    make_submission(unit_b, submitted_at=now - dt.timedelta(minutes=1))
    start_of_day = dt.datetime.combine(today, dt.time(), tzinfo=TIME_ZONE)
    if start_of_day > dt.datetime.combine(today.replace(day=1), dt.time(), tzinfo=TIME_ZONE):
        make_submission(unit_b, submitted_at=start_of_day - dt.timedelta(minutes=1))  # earlier this month
    make_submission(unit_b, submitted_at=dt.datetime.combine(today.replace(day=1), dt.time(), tzinfo=TIME_ZONE)
                    - dt.timedelta(minutes=1))  # last month
    make_failure(unit_a, occurred_on=today)
    make_basic_work(unit_a, year=today.year)
    ImportJob.objects.create(user=personas["staff"], file="ledgers/x.xlsx", file_name="十一月台账.xlsx", size=1,
                             sha256="0" * 64, status=ImportStatus.FAILED)
    return {"personas": personas, "due": due}


DUE_LATER = 5


def _expected_received() -> tuple[int, int]:
    """Items submitted today and this month, in Beijing time, counted from the rows."""
    from submissions.models import Submission

    today = _today()
    local = [timezone.localtime(at, TIME_ZONE).date() for at in Submission.objects.values_list("submitted_at", flat=True)]
    return sum(d == today for d in local), sum((d.year, d.month) == (today.year, today.month) for d in local)


def _queue_counts(page: str) -> dict[str, int]:
    return {label: int(count) for label, count in re.findall(
        r'data-task="([^"]+)">.*?queue-count">(\d+)</span>', page, re.S)}


@pytest.mark.parametrize("persona", ["admin", "staff"])
def test_office_sees_its_work_queue_with_counts_from_the_data(data, persona, client_for, unit_a, unit_b):
    page = client_for(persona).get(reverse("home")).content.decode()
    counts = _queue_counts(page)
    today = _today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    today_n, month_n = _expected_received()
    assert counts == {
        "3天内截止的专约": 1,  # the request due in five days waits
        "今日收到信息": today_n,
        "本月收到信息": month_n,
        "已结束未发布通报的月份": last.month,  # nothing published yet
        f"{today.year}年基础工作未确认的单位": 1,  # unit_b: unit_a's entry is confirmed
        "本月记录的紧急信息问题": 1,
    }
    # The due request names the unit that has not answered, not the one that has.
    queue = page.split('data-task="3天内截止的专约"')[1].split("</li>\n        \n")[0]
    assert "ZY-DUE" in queue and "未报送1个单位" in queue and unit_b.name in queue and unit_a.name not in queue
    assert reverse("submissions:request_detail", args=[data["due"].pk]) in queue
    assert "十一月台账.xlsx" in page and "未导入" in page
    assert f'href="{reverse("scoring:basic_list")}?year={today.year}&amp;state=not_assessed"' in page
    assert f'href="{reverse("submissions:list")}?month={today:%Y-%m}"' in page
    assert f'href="{reverse("submissions:list")}?day={today:%Y-%m-%d}"' in page
    assert f'href="{reverse("submissions:failure_list")}?month={today:%Y-%m}"' in page


def test_a_published_month_leaves_the_queue(data, client_for):
    today = _today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    publish_bulletin(last.replace(day=1), data["personas"]["staff"])
    counts = _queue_counts(client_for("staff").get(reverse("home")).content.decode())
    assert counts["已结束未发布通报的月份"] == last.month - 1


def test_an_answer_by_the_last_unit_empties_the_due_request(data, client_for, unit_b):
    make_submission(unit_b, special_request=data["due"], submitted_at=_now() - dt.timedelta(minutes=2))
    page = client_for("staff").get(reverse("home")).content.decode()
    assert "对象单位均已报送" in page
    assert 'queue-count">1</span>' in page.split('data-task="3天内截止的专约"')[1].split("</li>")[0]
    assert "text-bg-success queue-count\">1<" in page  # nothing waits on it any more: green


@pytest.mark.parametrize("persona", ["viewer", "auditor"])
def test_readers_see_the_picture_and_results_but_no_queue(data, persona, client_for):
    client = client_for(persona) if persona != "auditor" else login(client_for("anonymous"), make_user(Role.AUDITOR))
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "待办工作" not in page and "data-task" not in page and "十一月台账.xlsx" not in page
    assert "全市概况" in page and page.count("<svg") == 2
    assert reverse("scoring:ranking") in page and "采用情况通报" in page


@pytest.mark.parametrize("persona", ["officer_a", "officer_b"])
def test_officers_keep_their_own_home(data, persona, client_for):
    page = client_for(persona).get(reverse("home")).content.decode()
    assert "待办工作" not in page and "全市概况" not in page and "data-task" not in page
    assert "所在单位" in page  # the officer's home as before: their unit, requests and bulletin place


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_picture_stacks_items_and_adoptions_per_month_by_sequence(data, unit_a):
    year = _today().year
    district = make_unit(sequence=Sequence.DISTRICT)
    march = make_submission(district, submitted_at=dt.datetime(year, 3, 31, 23, 30, tzinfo=TIME_ZONE))  # March in Beijing
    make_submission(district, submitted_at=dt.datetime(year, 3, 5, tzinfo=TIME_ZONE), is_invalid=True,
                    invalid_reason="重复")  # not counted
    make_adoption(march, adopted_on=dt.date(year, 4, 2))
    make_adoption(march, level="province", adoption_type="general", adopted_on=dt.date(year, 4, 3))
    versioning.forget_local()
    items, adoptions = office.city_picture(year)
    from submissions.models import Adoption, Submission

    expected_items: Counter = Counter()
    for sequence, at in Submission.objects.counted().values_list("unit__sequence", "submitted_at"):
        local = timezone.localtime(at, TIME_ZONE)
        if local.year == year:
            expected_items[(Sequence(sequence).label, local.month)] += 1
    expected_adoptions = Counter((Sequence(s).label, d.month) for s, d in
                                 Adoption.objects.filter(adopted_on__year=year).values_list("unit__sequence", "adopted_on"))
    for chart, expected in ((items, expected_items), (adoptions, expected_adoptions)):
        for month, bar in enumerate(chart.bars, start=1):
            total = sum(n for (_, m), n in expected.items() if m == month)
            # Months still to come draw no bar (the facts of a future date would wait for them).
            assert bar.value == (str(total) if month <= _today().month else "")
            assert [s.title for s in bar.segments] == [
                f"{month}月 {label}：{expected[(label, month)]}" for label in Sequence.labels if expected[(label, month)]
            ]
    assert "3月：共1（区政府1，" in items.description
    assert items.bars[2].segments[0].fill == adoptions.bars[3].segments[0].fill  # one colour per sequence


def _populate(units: int) -> None:
    now, year = _now(), _today().year
    for i in range(units):
        unit = make_unit(sequence=Sequence.values[i % 4])
        item = make_submission(unit, submitted_at=now - dt.timedelta(minutes=i + 1))
        make_adoption(item, adopted_on=_today())
        make_failure(unit, occurred_on=_today())
        if i % 2:
            make_basic_work(unit, year=year)
        make_request([unit], deadline=now + dt.timedelta(hours=i + 1))
        ImportJob.objects.create(file="ledgers/x.xlsx", file_name=f"台账{i}.xlsx", size=1, sha256="0" * 64)


# Session, user; bulletin panel; picture (token, items, adoptions); latest result; due requests, their silent
# units, items received, published months, basic work, failures; recent imports.
HOME_QUERIES = 14


@pytest.mark.parametrize("units", [3, 30])
def test_the_office_home_query_count_does_not_grow_with_rows(personas, units, client_for, django_assert_num_queries):
    _populate(units)
    client = client_for("staff")
    versioning.forget_local()
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))
    assert len(_queue_counts(response.content.decode())) == 6
    # Again: the picture comes from the cache of this data version (only its token is read).
    with django_assert_num_queries(HOME_QUERIES - 2):
        client.get(reverse("home"))
    # A viewer: no queue and no imports (seven queries fewer).
    viewer = client_for("viewer")
    with django_assert_num_queries(HOME_QUERIES - 2 - 7):
        viewer.get(reverse("home"))


def test_a_request_to_many_units_names_the_first_twenty_silent_ones():
    names = [f"单位{i}" for i in range(office.SILENT_SHOWN + 5)]
    text = office._silent_text(names)
    assert text.startswith(f"未报送{len(names)}个单位：单位0、")
    assert text.endswith(f"单位{office.SILENT_SHOWN - 1}等{len(names)}个单位")
