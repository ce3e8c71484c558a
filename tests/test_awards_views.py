"""The award pages with each persona (admin, staff, officer of unit A and of unit B, viewer, anonymous)."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent, EventKind
from awards.eligibility import eligible
from awards.models import AwardKind, AwardPick, SpecialContribution, YearResult
from awards.services import build_snapshot, finalize_year, pick_award
from awards.standings import by_sequence
from scoring.models import AssessmentYear, RuleSet
from scoring.rules import RULES_2008
from submissions.tallies import refresh_tallies
from tests.factories import make_adoption, make_person, make_personas, make_scored_unit, make_submission, make_unit, shanghai
from units import versioning
from units.models import PersonRole, Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024
READERS = ("admin", "staff", "officer_a", "officer_b", "viewer")


@pytest.fixture
def unit_a():
    return make_scored_unit(Sequence.DISTRICT, 9, name="区9")


@pytest.fixture
def unit_b():
    return make_scored_unit(Sequence.DISTRICT, 1, name="区1")


@pytest.fixture
def world(unit_a, unit_b, personas):
    """Six districts (A is the best, B has no tier), their people, and the personas."""
    units = [unit_a, *(make_scored_unit(Sequence.DISTRICT, n, name=f"区{n}") for n in (8, 7, 6, 5)), unit_b]
    leader = make_person(units[0], role=PersonRole.LEADER_IN_CHARGE, name="甲领导")
    officer = make_person(units[2], role=PersonRole.INFORMATION_OFFICER, name="丙信息员")
    outsider = make_person(units[5], role=PersonRole.INFORMATION_OFFICER, name="己信息员")
    return {"units": units, "leader": leader, "officer": officer, "outsider": outsider, "personas": personas}


def assert_login_redirect(response):
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_index_lists_finalized_and_provisional_years(client, world, persona, client_for):
    finalize_year(YEAR)
    make_submission(world["units"][0], submitted_at=shanghai(2023, 5, 1))
    response = client_for(persona).get(reverse("awards:index"))
    if persona == "anonymous":
        return assert_login_redirect(response)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2024年度" in html and "2023年度" in html and "已确定" in html and "未确定" in html
    assert (reverse("awards:review", args=[2023]) in html) == (persona in ("admin", "staff"))


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_year_page_shows_the_finalized_lists_to_everyone_logged_in(client, world, persona, client_for):
    finalize_year(YEAR)
    pick_award(YEAR, AwardKind.ORGANIZER, world["leader"].pk)
    response = client_for(persona).get(reverse("awards:year", args=[YEAR]))
    if persona == "anonymous":
        return assert_login_redirect(response)
    html = response.content.decode()
    assert response.status_code == 200
    assert "标兵单位" in html and "区9" in html and "甲领导" in html and "第1版" in html
    assert ("符合条件的理由" in html) == (persona == "admin")  # only the administrator sees candidates and picks
    assert ('name="action" value="pick"' in html) == (persona == "admin")
    assert ("特殊贡献信息员（列入" in html) == (persona in ("admin", "staff"))
    assert ("own-unit" in html) == (persona == "officer_a")  # unit B has no tier, so it is not listed


def test_year_page_of_an_unfinalized_year_is_404(client, world):
    client.force_login(world["personas"]["viewer"])
    assert client.get(reverse("awards:year", args=[YEAR])).status_code == 404
    assert client.get(reverse("awards:workbook", args=[YEAR])).status_code == 404


def test_every_version_stays_readable(client, world):
    first = finalize_year(YEAR)
    item = make_submission(world["units"][5], submitted_at=shanghai(YEAR, 8, 1))
    make_adoption(item, level="state", adoption_type="general", adopted_on=dt.date(YEAR, 8, 2))
    finalize_year(YEAR, reason="补录国务院采用")
    client.force_login(world["personas"]["viewer"])

    latest = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    old = client.get(reverse("awards:year", args=[YEAR]), {"version": 1}).content.decode()

    assert "第2版" in latest and "补录国务院采用" in latest and "历史版本" not in latest
    assert "历史版本（第1版）" in old
    # District 1 earned a tier in version 2 only; version 1 still lists district 5 with its frozen total.
    assert "<td>区1</td>" in latest and "<td>区1</td>" not in old
    v1_total = next(u["total"] for u in first.data["units"] if u["unit"] == "区5")
    assert "<td>区5</td>" in old and f"{v1_total:.2f}" in old
    book = client.get(reverse("awards:workbook", args=[YEAR]), {"version": 1})
    assert "%E7%AC%AC1%E7%89%88" in book["Content-Disposition"]  # 第1版


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_review_page_is_for_office_staff_and_admin_only(client, world, persona, client_for):
    response = client_for(persona).get(reverse("awards:review", args=[YEAR]))
    if persona == "anonymous":
        return assert_login_redirect(response)
    assert response.status_code == (200 if persona in ("admin", "staff") else 403)
    if persona == "staff":
        assert "只有办公厅管理员可以确定" in response.content.decode()


def test_review_shows_ties_across_a_boundary_and_blocking_units_before_finalizing(client, world):
    make_scored_unit(Sequence.COUNTY, 4, name="尚志市")
    make_scored_unit(Sequence.COUNTY, 4, name="五常市")
    make_scored_unit(Sequence.COUNTY, 4, name="依兰县")
    make_scored_unit(Sequence.COUNTY, 4, name="宾县")  # four counties tied at place 1: model is 1–3
    make_unit(sequence=Sequence.COUNTY, name="方正县")  # no basic work
    client.force_login(world["personas"]["admin"])

    html = client.get(reverse("awards:review", args=[YEAR])).content.decode()

    assert "跨越等次分界" in html and "宾县" in html
    assert "方正县" in html and "基础工作" in html
    assert "disabled" in html
    assert YearResult.objects.count() == 0


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_only_the_administrator_finalizes(client, world, persona, client_for):
    response = client_for(persona).post(reverse("awards:finalize", args=[YEAR]), {"reason": "", "confirmed": "1"})
    if persona == "anonymous":
        assert_login_redirect(response)
    elif persona == "admin":
        assert response.status_code == 302 and response["Location"] == reverse("awards:year", args=[YEAR])
    else:
        assert response.status_code == 403
    assert YearResult.objects.count() == (1 if persona == "admin" else 0)


def test_finalize_refusal_keeps_the_typed_reason_and_saves_nothing(client, world):
    client.force_login(world["personas"]["admin"])
    finalize_year(YEAR)
    response = client.post(reverse("awards:finalize", args=[YEAR]), {"reason": " "})
    assert response.status_code == 400 and "须填写原因" in response.content.decode()
    make_unit(sequence=Sequence.DISTRICT, name="新设区")
    response = client.post(reverse("awards:finalize", args=[YEAR]), {"reason": "复核更正", "confirmed": "1"})
    html = response.content.decode()
    assert response.status_code == 400 and "新设区" in html and "复核更正</textarea>" in html
    assert YearResult.objects.count() == 1


def test_finalizing_first_says_what_will_be_fixed_and_saves_only_when_confirmed(client, world):
    client.force_login(world["personas"]["admin"])
    response = client.post(reverse("awards:finalize", args=[YEAR]), {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 200 and not YearResult.objects.exists()
    blocks = by_sequence(build_snapshot(YEAR))
    district = next(b for b in blocks if b.sequence == Sequence.DISTRICT)
    assert f"确定{YEAR}年度考核结果第1版" in html
    assert f"区政府序列：标兵单位{len(district.model)}个，先进单位{len(district.advanced)}个。" in html
    assert "确认无误，确定结果" in html
    client.post(reverse("awards:finalize", args=[YEAR]), {"reason": "", "confirmed": "1"})
    assert YearResult.objects.get().version == 1


def test_finalizing_the_current_year_is_refused(client, world):
    client.force_login(world["personas"]["admin"])
    year = dt.date.today().year
    response = client.post(reverse("awards:finalize", args=[year]), {"reason": ""})
    assert response.status_code == 400 and "尚未结束" in response.content.decode()
    assert client.post(reverse("awards:finalize", args=[year + 1]), {}).status_code == 404


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_workbook_and_csv_downloads(client, world, persona, client_for):
    finalize_year(YEAR)
    c = client_for(persona)
    book = c.get(reverse("awards:workbook", args=[YEAR]))
    csv = c.get(reverse("awards:csv", args=[YEAR, "model"]))
    if persona == "anonymous":
        assert_login_redirect(book)
        return assert_login_redirect(csv)
    assert book.status_code == 200 and "attachment" in book["Content-Disposition"]
    assert load_workbook(io.BytesIO(book.content)).sheetnames[0] == "标兵单位"
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("序号,序列,单位名称,总分,名次")
    assert c.get(reverse("awards:csv", args=[YEAR, "nonsense"])).status_code == 404


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_only_the_administrator_picks(client, world, persona, client_for):
    finalize_year(YEAR)
    data = {"kind": "organizer", "target": world["leader"].pk, "action": "pick", "version": 1}
    response = client_for(persona).post(reverse("awards:pick", args=[YEAR]), data)
    if persona == "anonymous":
        assert_login_redirect(response)
    elif persona == "admin":
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    assert AwardPick.objects.count() == (1 if persona == "admin" else 0)


def test_picking_an_ineligible_person_shows_an_error_and_saves_nothing(client, world):
    finalize_year(YEAR)
    client.force_login(world["personas"]["admin"])
    data = {"kind": "officer", "target": world["outsider"].pk, "action": "pick", "version": 1}
    response = client.post(reverse("awards:pick", args=[YEAR]), data, follow=True)
    assert "不符合优秀信息员的评选条件" in response.content.decode()
    assert AwardPick.objects.count() == 0
    client.post(reverse("awards:pick", args=[YEAR]), {**data, "target": world["officer"].pk})
    client.post(reverse("awards:pick", args=[YEAR]), {**data, "target": world["officer"].pk, "action": "unpick"})
    assert AwardPick.objects.count() == 0


def test_pick_count_against_the_target_warns_far_from_it(client, world):
    finalize_year(YEAR)
    pick_award(YEAR, AwardKind.ORGANIZER, world["leader"].pk)
    client.force_login(world["personas"]["admin"])
    html = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    assert "目标约 20 项" in html and "与目标数（约20）相差较大" in html

    params = {**RULES_2008, "award_targets": {"organizer": 1, "officer": 60, "research": 20}}
    AssessmentYear.objects.create(year=YEAR, rule_set=RuleSet.objects.create(name="少量", params=params))
    finalize_year(YEAR, reason="目标数调整")
    html = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    assert "目标约 1 项" in html and "与目标数（约1）相差较大" not in html


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_office_staff_flag_special_contributions(client, world, persona, client_for):
    finalize_year(YEAR)
    outsider = world["outsider"]
    data = {"person": f"{outsider.name}（{outsider.unit.name}）", "note": "及时报送紧急信息"}
    response = client_for(persona).post(reverse("awards:contribution", args=[YEAR]), data)
    if persona == "anonymous":
        assert_login_redirect(response)
    elif persona in ("admin", "staff"):
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    assert SpecialContribution.objects.count() == (1 if persona in ("admin", "staff") else 0)


def test_flagging_a_leader_is_refused_with_the_note_kept_and_unflagging(client, world):
    finalize_year(YEAR)
    client.force_login(world["personas"]["staff"])
    leader, outsider, url = world["leader"], world["outsider"], reverse("awards:contribution", args=[YEAR])
    response = client.post(url, {"person": f"{leader.name}（{leader.unit.name}）", "note": "组织有力"})
    html = response.content.decode()
    assert response.status_code == 400 and "不是在岗信息员" in html and 'value="组织有力"' in html
    client.post(url, {"person": f"{outsider.name}（{outsider.unit.name}）", "note": "贡献"})
    client.force_login(world["personas"]["viewer"])
    assert client.post(reverse("awards:contribution_delete", args=[YEAR, world["outsider"].pk])).status_code == 403
    client.force_login(world["personas"]["staff"])
    assert client.post(reverse("awards:contribution_delete", args=[YEAR, world["outsider"].pk])).status_code == 302
    assert SpecialContribution.objects.count() == 0
    assert client.post(reverse("awards:contribution_delete", args=[YEAR, world["outsider"].pk])).status_code == 404


@pytest.fixture
def many_units():
    """120 units across the sequences, each with a leader and an officer, a research item per district."""
    sequences = [Sequence.DISTRICT] * 9 + [Sequence.COUNTY] * 9 + [Sequence.BUREAU] * 96 + [Sequence.OFFICE_ABROAD] * 6
    units = [make_scored_unit(seq, i % 13, name=f"单位{i:03d}") for i, seq in enumerate(sequences)]
    for unit in units:
        make_person(unit, role=PersonRole.LEADER_IN_CHARGE)
        make_person(unit, role=PersonRole.INFORMATION_OFFICER)
    for unit in units[:9]:
        item = make_submission(unit, info_type="small_research", submitted_at=shanghai(YEAR, 4, 1))
        make_adoption(item, level="city", adoption_type="small_research", adopted_on=dt.date(YEAR, 4, 5))
    return units


def test_year_page_query_count_with_many_units(client, many_units, django_assert_num_queries):
    finalize_year(YEAR)
    personas = make_personas(many_units[0], many_units[1])
    client.force_login(personas["admin"])
    # The candidates, the data version they are kept under, the version's snapshot (its tiers rendered), the picks.
    with django_assert_num_queries(18):
        response = client.get(reverse("awards:year", args=[YEAR]))
    html = response.content.decode()
    assert response.status_code == 200 and html.count('name="target"') == 50 + 50 + 9  # a page of each award
    assert "第 1 / 2 页" in html and f'href="/awards/{YEAR}/candidates/organizer/?page=2"' in html
    # Session, user, the result and its versions, the data version, the picks and those no longer eligible, the flags.
    with django_assert_num_queries(8):
        assert client.get(reverse("awards:year", args=[YEAR])).status_code == 200
    client.force_login(personas["officer_a"])
    with django_assert_num_queries(6):  # session, user with unit, the result and its versions, the data version, the picks
        assert client.get(reverse("awards:year", args=[YEAR])).status_code == 200


def test_review_index_and_workbook_query_counts_with_many_units(client, many_units, django_assert_num_queries):
    admin = make_personas(many_units[0], many_units[1])["admin"]
    client.force_login(admin)
    refresh_tallies()  # the steady state: no write since the last scoring
    with django_assert_num_queries(16):
        assert client.get(reverse("awards:review", args=[YEAR])).status_code == 200
    finalize_year(YEAR)
    with django_assert_num_queries(5):  # the first view after a write reads the items' years once more
        assert client.get(reverse("awards:index")).status_code == 200
    with django_assert_num_queries(4):
        assert client.get(reverse("awards:index")).status_code == 200
    with django_assert_num_queries(17):  # the lists, the data version they are kept under, the snapshot, the picks
        assert client.get(reverse("awards:workbook", args=[YEAR])).status_code == 200
    with django_assert_num_queries(5):  # session, user, the result, the picks, the data version
        assert client.get(reverse("awards:workbook", args=[YEAR])).status_code == 200


def test_picking_in_a_year_without_a_finalized_result_is_404(client, world):
    client.force_login(world["personas"]["admin"])
    data = {"kind": "organizer", "target": world["leader"].pk, "action": "pick", "version": 1}
    assert client.post(reverse("awards:pick", args=[YEAR]), data).status_code == 404
    assert AwardPick.objects.count() == 0


def test_the_years_totals_name_the_whole_year(client, world):
    finalize_year(YEAR)
    client.force_login(world["personas"]["staff"])
    for url in (reverse("awards:year", args=[YEAR]), reverse("awards:review", args=[YEAR])):
        assert '总分<br><span class="small fw-normal">全年（按比例）</span>' in client.get(url).content.decode()
    # The candidates' unit totals too (the administrator picks).
    client.force_login(world["personas"]["admin"])
    page = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    assert '单位总分<br><span class="small fw-normal">全年（按比例）</span>' in page


# --- picking in place (htmx) -------------------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def officers(world):
    """Three eligible information officers (units 区9, 区8 and 区7 are in the tiers)."""
    more = [make_person(world["units"][i], role=PersonRole.INFORMATION_OFFICER, name=f"信息员{i}") for i in (0, 1)]
    return [world["officer"], *more]


def post_pick(client, action: str, targets: list, kind: str = "officer", version=1, headers=HTMX):
    data = {"kind": kind, "target": [getattr(t, "pk", t) for t in targets], "action": action, "version": version}
    return client.post(reverse("awards:pick", args=[YEAR]), data, **headers)


def test_picking_several_in_place_returns_the_section_and_the_counts(client, world, officers):
    finalize_year(YEAR)
    client.force_login(world["personas"]["admin"])
    response = post_pick(client, "pick", officers[:2])
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html  # a part of the page, not the page
    assert '<section class="mb-4" id="officer">' in html and 'id="organizer"' not in html
    assert html.count("已评选</span>") == 2 and '<span class="pick-count">2</span>' in html
    # The counts against every target come along out of band, with what was done.
    assert 'id="picking-summary" class="picking-summary d-print-none" hx-swap-oob="true"' in html
    assert 'data-kind="officer">2</strong>' in html and 'data-kind="organizer">0</strong>' in html
    assert "已评选2项优秀信息员。" in html
    assert set(AwardPick.objects.values_list("person_id", flat=True)) == {o.pk for o in officers[:2]}
    events = AuditEvent.objects.filter(model="awards.AwardPick", kind=EventKind.CREATE)
    assert events.count() == 2 and all(e.user == world["personas"]["admin"] for e in events)
    assert {e.changes["奖项"][1] for e in events} == {"优秀信息员"}

    # Picking the same two and a third again adds only the third; unpicking two leaves one.
    assert "已评选1项优秀信息员。" in post_pick(client, "pick", officers).content.decode()
    html = post_pick(client, "unpick", officers[:2]).content.decode()
    assert "已取消2项优秀信息员。" in html and '<span class="pick-count">1</span>' in html
    assert list(AwardPick.objects.values_list("person_id", flat=True)) == [officers[2].pk]
    deleted = AuditEvent.objects.filter(model="awards.AwardPick", kind=EventKind.DELETE)
    assert deleted.count() == 2 and all(e.changes["奖项"] == ["优秀信息员", ""] for e in deleted)


def test_a_batch_with_one_ineligible_person_is_refused_whole_in_place(client, world, officers):
    finalize_year(YEAR)
    client.force_login(world["personas"]["admin"])
    response = post_pick(client, "pick", [*officers, world["outsider"]])
    html = response.content.decode()
    assert response.status_code == 400 and response["HX-Reswap"] == "none"  # the ticks stay as they were
    assert "不符合优秀信息员的评选条件，未保存。" in html and 'id="officer"' not in html
    assert AwardPick.objects.count() == 0 and not AuditEvent.objects.filter(model="awards.AwardPick").exists()


def test_a_pick_from_a_page_of_an_older_version_is_refused_as_stale(client, world, officers):
    finalize_year(YEAR)
    finalize_year(YEAR, reason="补录")  # another administrator finalized again after the page was opened
    client.force_login(world["personas"]["admin"])
    response = post_pick(client, "pick", officers, version=1)
    assert response.status_code == 409 and response["HX-Reswap"] == "none"
    assert "已重新确定为第2版" in response.content.decode() and AwardPick.objects.count() == 0
    # Without JavaScript: back to the page, saying so.
    response = post_pick(client, "pick", officers, version=1, headers={})
    assert response.status_code == 302 and response["Location"].endswith(f"/awards/{YEAR}/#officer")
    assert "已重新确定为第2版" in client.get(response["Location"]).content.decode()
    assert post_pick(client, "pick", officers, version=2).status_code == 200
    assert AwardPick.objects.count() == 3


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_only_the_administrator_picks_in_place(client, world, officers, persona, client_for):
    finalize_year(YEAR)
    response = post_pick(client_for(persona), "pick", officers)
    if persona == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == (200 if persona == "admin" else 403)
    assert AwardPick.objects.count() == (3 if persona == "admin" else 0)


def test_picking_in_place_before_the_year_is_finalized_is_404(client, world, officers):
    client.force_login(world["personas"]["admin"])
    assert post_pick(client, "pick", officers).status_code == 404
    assert AwardPick.objects.count() == 0


@pytest.mark.parametrize("targets, message", [
    ([], "请先勾选评选对象。"), (["²"], "评选对象不正确"), (["-1"], "评选对象不正确"), ([str(10**30)], "评选对象不正确"),
])
def test_nothing_ticked_or_a_bad_target_says_so_and_saves_nothing(client, world, targets, message):
    finalize_year(YEAR)
    client.force_login(world["personas"]["admin"])
    response = post_pick(client, "pick", targets)
    assert response.status_code == 400 and message in response.content.decode()
    response = post_pick(client, "pick", targets, headers={})
    assert response.status_code == 302 and message in client.get(response["Location"]).content.decode()
    assert AwardPick.objects.count() == 0


def test_a_form_without_its_version_is_refused(client, world, officers):
    finalize_year(YEAR)
    client.force_login(world["personas"]["admin"])
    response = post_pick(client, "pick", officers, version="")
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert AwardPick.objects.count() == 0


def test_picking_in_place_keeps_its_query_count_whatever_the_number_picked(client, many_units, django_assert_num_queries):
    result = finalize_year(YEAR)
    client.force_login(make_personas(many_units[0], many_units[1])["admin"])
    officers = [c.target_id for c in eligible(result)[AwardKind.OFFICER]]
    client.get(reverse("awards:year", args=[YEAR]))  # the candidates computed once, as the page does
    for action, queries in (("pick", 13), ("unpick", 12)):
        for targets in (officers[:1], officers[1:40]):
            with django_assert_num_queries(queries):
                assert post_pick(client, action, targets).status_code == 200
    assert AwardPick.objects.count() == 0


def test_picks_leave_the_data_version_alone_and_the_workbook_follows_them(client, world, officers):
    finalize_year(YEAR)
    client.force_login(world["personas"]["admin"])
    token = versioning.current()
    before = load_workbook(io.BytesIO(client.get(reverse("awards:workbook", args=[YEAR])).content))
    assert list(before["优秀信息员"].iter_rows(min_row=3, values_only=True)) == []
    post_pick(client, "pick", officers[:2])
    assert versioning.current() == token  # the year's scores and candidates are not computed again
    after = load_workbook(io.BytesIO(client.get(reverse("awards:workbook", args=[YEAR])).content))
    assert [r[1] for r in after["优秀信息员"].iter_rows(min_row=3, values_only=True)] == ["信息员0", "丙信息员"]


# --- the folded parts: an award's candidates a page at a time, the review page's units without a tier ----------


@pytest.fixture
def paged(world, officers, monkeypatch):
    """The year finalized, its five officers (two of unit 区9, one each of 区8, 区7 and the flagged outsider) two to a page."""
    monkeypatch.setattr("awards.views.PAGE_SIZE", 2)
    make_person(world["units"][0], role=PersonRole.INFORMATION_OFFICER, name="甲信息员")
    finalize_year(YEAR)
    SpecialContribution.objects.create(year=YEAR, person=world["outsider"], note="抗洪期间连续报送")
    return world


def candidates_url(kind: str = "officer", **params) -> str:
    url = reverse("awards:candidates", args=[YEAR, kind])
    return f"{url}?{urlencode(params)}" if params else url


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_only_the_administrator_reads_the_candidates(client, paged, persona, client_for):
    c = client_for(persona)
    for headers in ({}, HTMX):
        response = c.get(candidates_url(page=2), **headers)
        if persona == "anonymous":
            assert_login_redirect(response)
        else:
            assert response.status_code == (200 if persona == "admin" else 403)
            assert ("丙信息员" in response.content.decode()) == (persona == "admin")


@pytest.mark.parametrize("params", [
    {"page": 0}, {"page": 4}, {"page": "x"}, {"page": "²"}, {"page": 10**30}, {"show": "all"}, {"q": "长" * 51},
    {"q": "\x00"},
])
def test_a_bad_page_search_or_award_of_the_candidates_is_404(client, paged, params):
    client.force_login(paged["personas"]["admin"])
    assert client.get(candidates_url(**params)).status_code == 404
    assert client.get(candidates_url("nonsense")).status_code == 404
    assert client.get(candidates_url(page=3)).status_code == 200  # five officers: three pages of two


def test_the_candidates_of_a_year_not_finalized_are_404(client, world):
    client.force_login(world["personas"]["admin"])
    assert client.get(candidates_url()).status_code == 404


def test_the_year_page_shows_a_page_of_each_award_and_its_pages_come_in_place_or_on_their_own(client, paged):
    client.force_login(paged["personas"]["admin"])
    page = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    section = re.search(r'<section class="mb-4" id="officer">.*?</section>', page, re.S).group()
    assert section.count('name="target"') == 2 and "第 1 / 3 页，共 5 项" in section
    link = candidates_url(page=2)
    assert f'href="{link}" hx-get="{link}"' in section

    # In place (htmx): the award's section alone, the second page of it.
    response = client.get(link, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and html.startswith('<section class="mb-4" id="officer">')
    assert html.count('name="target"') == 2 and "第 2 / 3 页" in html and 'name="page" value="2"' in html
    assert response["Vary"].count("HX-Request") == 1
    # Without JavaScript: a page of its own, with the counts and a way back.
    html = client.get(link).content.decode()
    assert "<html" in html and 'id="picking-summary"' in html and "第 2 / 3 页" in html and "返回评比结果" in html


def test_the_candidates_are_searched_and_the_picked_ones_listed(client, paged, officers):
    client.force_login(paged["personas"]["admin"])
    html = client.get(candidates_url(q="区9"), **HTMX).content.decode()  # by unit: two of 区9's officers
    assert html.count('name="target"') == 2 and "共 2 项" in html and "区8" not in html
    html = client.get(candidates_url(q="抗洪"), **HTMX).content.decode()  # by the reason: the flagged outsider
    assert html.count('name="target"') == 1 and "己信息员" in html
    assert "没有符合查找条件的候选" in client.get(candidates_url(q="无此人"), **HTMX).content.decode()
    assert client.get(candidates_url(q="区9", page=2)).status_code == 404  # the two found make one page

    pick_award(YEAR, AwardKind.OFFICER, officers[1].pk)
    html = client.get(candidates_url(show="picked"), **HTMX).content.decode()
    assert html.count('name="target"') == 1 and "信息员0" in html and 'name="show" value="picked"' in html


def test_a_pick_on_a_later_page_comes_back_on_that_page(client, paged, officers):
    client.force_login(paged["personas"]["admin"])
    page_two = re.findall(r'data-target="(\d+)"', client.get(candidates_url(page=2), **HTMX).content.decode())
    state = {"q": "", "show": "", "page": 2}
    data = {"kind": "officer", "target": page_two[0], "action": "pick", "version": 1, **state}

    html = client.post(reverse("awards:pick", args=[YEAR]), data, **HTMX).content.decode()
    assert "第 2 / 3 页" in html and html.count("已评选</span>") == 1 and '<span class="pick-count">1</span>' in html
    assert 'data-kind="officer">1</strong>' in html  # the counts, out of band
    # Without JavaScript: back to that page of its own.
    response = client.post(reverse("awards:pick", args=[YEAR]), {**data, "action": "unpick"})
    assert response.status_code == 302 and response["Location"] == f"{candidates_url(page=2)}#officer"
    assert AwardPick.objects.count() == 0
    # Unpicking the last picked one listed: the list comes back on the page that is left.
    pick_award(YEAR, AwardKind.OFFICER, int(page_two[0]))
    data = {**data, "action": "unpick", "show": "picked", "page": 1}
    html = client.post(reverse("awards:pick", args=[YEAR]), data, **HTMX).content.decode()
    assert "已取消1项优秀信息员。" in html and "共 0 项" in html and "没有符合查找条件的候选" in html
    # From the year page's first page: back to the year page.
    response = client.post(reverse("awards:pick", args=[YEAR]), {**data, "show": "", "page": 1})
    assert response["Location"] == f"/awards/{YEAR}/#officer"


def test_the_year_page_keeps_its_queries_and_size_whatever_the_number_of_candidates(client, paged, officers,
                                                                                      django_assert_num_queries):
    client.force_login(paged["personas"]["admin"])
    url = reverse("awards:year", args=[YEAR])
    client.get(url)
    with django_assert_num_queries(8):
        small = client.get(url).content.decode()
    for unit in paged["units"][:3]:  # fifteen more officers, three more pages of the officers' award
        for i in range(5):
            make_person(unit, role=PersonRole.INFORMATION_OFFICER, name=f"{unit.name}新信息员{i}")
    client.get(url)
    with django_assert_num_queries(8):
        large = client.get(url).content.decode()
    assert small.count('name="target"') == large.count('name="target"') and "共 20 项" in large
    with django_assert_num_queries(5):  # session, user, the result, the data version, the picks
        assert client.get(candidates_url(page=10), **HTMX).status_code == 200


def test_the_tiers_are_rendered_once_and_each_officer_sees_the_own_unit_marked(client, world, monkeypatch):
    finalize_year(YEAR)
    officer_a = world["personas"]["officer_a"]
    client.force_login(officer_a)
    first = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    monkeypatch.setattr("awards.views.by_sequence", None)  # rendered once: not read again
    again = client.get(reverse("awards:year", args=[YEAR])).content.decode()
    assert re.findall(r"<tr data-unit=.*?</tr>", again) == re.findall(r"<tr data-unit=.*?</tr>", first) != []
    assert first.count("own-unit") == 1 and f'<tr data-unit="{officer_a.unit_id}" class="own-unit ' in first
    for persona in ("viewer", "officer_b", "admin"):
        client.force_login(world["personas"][persona])
        assert "own-unit" not in client.get(reverse("awards:year", args=[YEAR])).content.decode()


def test_the_review_page_folds_each_sequences_units_without_a_tier(client, world):
    client.force_login(world["personas"]["staff"])
    html = client.get(reverse("awards:review", args=[YEAR])).content.decode()
    url = reverse("awards:review_sequence", args=[YEAR, "district"])
    assert "<td>区9</td>" in html and "<td>区1</td>" not in html  # B has no tier: folded
    assert "未获等次的1个单位" in html and f'hx-get="{url}"' in html and f'<a href="{url}">' in html
    rows = client.get(url, **HTMX)
    assert rows.status_code == 200 and "<html" not in rows.content.decode() and "<td>区1</td>" in rows.content.decode()
    page = client.get(url).content.decode()
    assert "<html" in page and "<td>区1</td>" in page and "区政府序列未获等次的单位" in page
    assert "<td>区9</td>" not in page


@pytest.mark.parametrize("persona", [*READERS, "anonymous"])
def test_only_office_staff_open_the_review_folds(client, world, persona, client_for):
    response = client_for(persona).get(reverse("awards:review_sequence", args=[YEAR, "district"]), **HTMX)
    if persona == "anonymous":
        return assert_login_redirect(response)
    assert response.status_code == (200 if persona in ("admin", "staff") else 403)


def test_a_review_fold_of_no_sequence_or_year_is_404(client, world):
    client.force_login(world["personas"]["staff"])
    assert client.get(reverse("awards:review_sequence", args=[YEAR, "nonsense"])).status_code == 404
    assert client.get(reverse("awards:review_sequence", args=[2000, "district"])).status_code == 404
    assert client.get(reverse("awards:review_sequence", args=[dt.date.today().year + 1, "district"])).status_code == 404


def test_the_review_page_is_computed_once_per_state_of_the_data(client, many_units, django_assert_num_queries):
    client.force_login(make_personas(many_units[0], many_units[1])["staff"])
    url = reverse("awards:review", args=[YEAR])
    refresh_tallies()
    client.get(url)
    # Session, user, whether the year can be finalized (items, units, basic work), its latest result, the data version.
    with django_assert_num_queries(7):
        before = client.get(url).content.decode()
    with django_assert_num_queries(3):  # the fold: session, user, the data version
        assert client.get(reverse("awards:review_sequence", args=[YEAR, "bureau"]), **HTMX).status_code == 200
    make_scored_unit(Sequence.DISTRICT, 40, name="新设区")  # a write: the next view reads the new ranking
    after = client.get(url).content.decode()
    assert "新设区" not in before and "<td>新设区</td>" in after
