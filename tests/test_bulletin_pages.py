"""The bulletin pages tried by every persona; versions on the page; the start-page panel; fixed query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bulletins.models import BulletinUnitRow, BulletinVersion
from bulletins.panels import unit_rows_of_year
from bulletins.publishing import publish_bulletin
from tests.factories import OFFICE, PERSONAS, make_adoption, make_instruction, make_submission, make_unit, shanghai
from units.models import Unit

pytestmark = pytest.mark.django_db

MARCH = dt.date(2024, 3, 1)


@pytest.fixture
def unit_a():
    return make_unit(name="道里区", sequence="district", display_order=1)


@pytest.fixture
def unit_b():
    return make_unit(name="南岗区", sequence="district", display_order=2)


@pytest.fixture
def world(unit_a, unit_b, personas):
    daoli, nangang = unit_a, unit_b
    make_unit(name="尚志市", sequence="county")
    item = make_submission(daoli, title="道里区冰雪旅游升温", submitted_at=shanghai(2024, 3, 4))
    make_adoption(item, adopted_on=dt.date(2024, 3, 10), carrier="每日要情", issue_no="第12期")
    make_instruction(item, level="city", kind="affirm", instructed_on=dt.date(2024, 3, 18), leader="张市长")
    make_submission(nangang, title="南岗区二月信息", submitted_at=shanghai(2024, 2, 4))
    return {"daoli": daoli, "nangang": nangang, "users": personas, "item": item}


@pytest.fixture
def published(world):
    return publish_bulletin(MARCH, world["users"]["staff"])



def assert_login_redirect(response) -> None:
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def catalogue_url(sequence: str = "district", month: str = "2024-03", version: int = 1) -> str:
    return reverse("bulletins:catalogue", args=[month, version, sequence])


def own_rows(page: str) -> list[str]:
    """Unit names of the rows highlighted as the reader's own (sequence tables only)."""
    row = r'<tr data-unit="\d+" class="own-unit"(?: id="own-unit")?>\s*<td class="num">[^<]*</td>\s*'
    return re.findall(row + r'<td class="unit-name">([^<]+)</td>', page)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list(world, published, persona, client_for):
    response = client_for(persona).get(reverse("bulletins:list"), {"year": "2024"})
    if persona == "anonymous":
        return assert_login_redirect(response)
    page = response.content.decode()
    assert response.status_code == 200 and "2024年3月" in page and "哈政办信通〔2024〕3号" in page
    # Staff see every month with preview and publish; the others only what is published.
    assert ("预览" in page) == (persona in OFFICE)
    assert (reverse("bulletins:publish", args=["2024-02"]) in page) == (persona in OFFICE)


def test_list_for_staff_shows_a_chosen_year_and_marks_published_months(world, published, client_for):
    page = client_for("staff").get(reverse("bulletins:list"), {"year": "2024"}).content.decode()
    assert "2024年12月" in page and "已发布第1版" in page
    assert reverse("bulletins:preview", args=["2024-12"]) in page
    # A year that has not come is not offered; the current year is shown instead.
    future = client_for("staff").get(reverse("bulletins:list"), {"year": "2999"}).content.decode()
    assert f"{timezone.localdate().year}年各月" in future and "2999年" not in future


def test_the_year_choice_offers_only_years_with_data(world, published, client_for):
    response = client_for("staff").get(reverse("bulletins:list"), {"year": "2024"})
    # The world's items are of 2024; the current year is always there to choose.
    assert response.context["years"] == sorted({timezone.localdate().year, 2024}, reverse=True)
    assert '<option value="2008"' not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_bulletin_page(world, published, persona, client_for):
    response = client_for(persona).get(reverse("bulletins:detail", args=["2024-03"]))
    if persona == "anonymous":
        return assert_login_redirect(response)
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("哈尔滨市人民政府办公厅", "关于2024年3月份全市政府系统政务信息采用情况的通报", "哈政办信通〔2024〕3号",
                 "一、区政府序列", "二、县(市)政府序列", "本月未报送信息的单位：南岗区。", "本月未报送信息的单位：尚志市。",
                 "附：2024年3月份被采用信息目录（按单位）", "区政府序列（1条）"):
        assert text in page, text
    assert own_rows(page) == {"officer_a": ["道里区"], "officer_b": ["南岗区"]}.get(persona, [])
    # An officer's unit is named first, above the tables, with the period of its total; an officer whose unit had
    # items adopted in the month is offered its sequence's catalogue.
    own = {"officer_a": "本单位（道里区）在区政府序列中排名第", "officer_b": "本单位（南岗区）在区政府序列中"}.get(persona)
    assert ('id="own-place"' in page) == bool(own)
    if own:
        assert own in page and page.index(own) < page.index("notice-table") and "1–3月累计" in page
    assert ('<a class="alert-link" href="#catalogue-district">查看本单位被采用信息</a>' in page) == (persona == "officer_a")
    assert ("更正重发" in page) == (persona in OFFICE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_page_sends_the_catalogues_folded_and_empty_and_each_loads_its_rows(world, published, persona, client_for):
    client = client_for(persona)
    page = client.get(reverse("bulletins:detail", args=["2024-03"])).content.decode()
    if persona == "anonymous":
        return assert_login_redirect(client.get(catalogue_url(), headers={"hx-request": "true"}))
    # The fold holds the link the rows come from (htmx when opened; a page of their own without JavaScript).
    assert "道里区冰雪旅游升温" not in page and "每日要情 第12期" not in page
    fold = (f'<p class="catalogue-rows" hx-get="{catalogue_url()}" hx-trigger="toggle from:closest details once" '
            f'hx-swap="outerHTML"><a href="{catalogue_url()}">打开区政府序列被采用信息目录</a></p>')
    assert '<details class="notice-catalogue" id="catalogue-district">' in page and fold in page
    # Every reader of the page reads its catalogues, another unit's officer too; the reader's own rows are marked.
    rows = client.get(catalogue_url(), headers={"hx-request": "true"})
    html = rows.content.decode()
    assert rows.status_code == 200 and html.lstrip().startswith("<table") and "<html" not in html
    for text in ("道里区冰雪旅游升温", "每日要情 第12期", "市领导（张市长）肯定性批示", "<th scope=\"col\">刊物及期号</th>"):
        assert text in html, text
    own = f'<tr data-unit="{world["daoli"].pk}" class="own-unit">'
    assert (own in html) == (persona == "officer_a") and 'id="own-unit"' not in html
    # Without JavaScript the link opens the rows as a page of their own, with its trail back to the bulletin.
    alone = client.get(catalogue_url()).content.decode()
    assert "道里区冰雪旅游升温" in alone and "<h2 class=\"notice-heading\">区政府序列被采用信息目录</h2>" in alone
    assert (own in alone) == (persona == "officer_a")
    assert f'href="{reverse("bulletins:version", args=["2024-03", 1])}">历史版本</a>' in alone


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_catalogue_of_no_published_version_or_sequence_is_not_found(world, published, persona, client_for):
    client = client_for(persona)
    for url, message in ((catalogue_url(month="2024-02"), "没有找到该期已发布的通报。"),
                         (catalogue_url(version=2), "没有找到该期已发布的通报。"),
                         (catalogue_url("county"), "该期通报没有这个序列的被采用信息目录。"),  # no item adopted
                         (catalogue_url("no-such-sequence"), "该期通报没有这个序列的被采用信息目录。"),
                         (catalogue_url(month="2024-13"), "")):
        response = client.get(url, headers={"hx-request": "true"})
        if persona == "anonymous":
            assert_login_redirect(response)
            continue
        assert response.status_code == 404 and message in response.content.decode(), url
    # The month not yet published is the staff's preview alone, which holds every row itself.
    if persona in OFFICE:
        preview = client.get(reverse("bulletins:preview", args=["2024-02"])).content.decode()
        assert "hx-get" not in preview


def test_a_repeat_load_of_a_catalogue_is_not_modified(world, published, client_for):
    client = client_for("officer_a")
    first = client.get(catalogue_url(), headers={"hx-request": "true"})
    assert first.status_code == 200 and "private" in first["Cache-Control"] and first["Last-Modified"]
    assert "HX-Request" in first["Vary"]
    again = client.get(catalogue_url(), headers={"hx-request": "true", "if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    # The page of its own, another reader (other rows marked), another sequence's ETag: sent again.
    assert client.get(catalogue_url(), headers={"if-none-match": first["ETag"]}).status_code == 200
    other = client_for("officer_b").get(catalogue_url(), headers={"hx-request": "true", "if-none-match": first["ETag"]})
    assert other.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_unpublished_month_has_no_bulletin_page(world, published, persona, client_for):
    response = client_for(persona).get(reverse("bulletins:detail", args=["2024-02"]))
    if persona == "anonymous":
        return assert_login_redirect(response)
    assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_preview_is_for_staff_only(world, persona, client_for):
    response = client_for(persona).get(reverse("bulletins:preview", args=["2024-03"]))
    if persona == "anonymous":
        return assert_login_redirect(response)
    assert response.status_code == (200 if persona in OFFICE else 403)
    if persona in OFFICE:
        page = response.content.decode()
        assert "预览" in page and "道里区冰雪旅游升温" in page and 'action="/bulletins/2024-03/publish/"' in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_publish_is_for_staff_only(world, persona, client_for):
    response = client_for(persona).post(reverse("bulletins:publish", args=["2024-03"]), {"reason": "", "confirmed": "1"})
    if persona == "anonymous":
        assert_login_redirect(response)
    elif persona in OFFICE:
        assert response.status_code == 302 and response.url == reverse("bulletins:detail", args=["2024-03"])
        version = BulletinVersion.objects.get()
        assert version.published_by == world["users"][persona] and version.version == 1
        return
    else:
        assert response.status_code == 403
    assert not BulletinVersion.objects.exists()


def test_publish_first_says_what_will_happen_and_publishes_only_when_confirmed(world, client_for):
    client = client_for("staff")
    response = client.post(reverse("bulletins:publish", args=["2024-03"]), {"reason": ""})
    page = response.content.decode()
    assert response.status_code == 200 and not BulletinVersion.objects.exists()
    units = Unit.objects.count()  # every unit is in the bulletin; only 道里区 reported in March
    assert "发布2024年3月政务信息采用情况通报第1版，文号哈政办信通〔2024〕3号。" in page
    assert f"通报涉及{units}个单位，其中{units - 1}个单位本月未报送信息" in page
    assert "本月尚未结束" not in page and 'name="confirmed" value="1"' in page
    client.post(reverse("bulletins:publish", args=["2024-03"]), {"reason": "", "confirmed": "1"})
    assert BulletinVersion.objects.get().number == "哈政办信通〔2024〕3号"


def test_publishing_the_running_month_warns_in_red_that_it_is_not_over(world, client_for):
    month = timezone.localdate().replace(day=1)
    page = client_for("staff").post(reverse("bulletins:publish", args=[f"{month:%Y-%m}"])).content.decode()
    assert f'data-confirm-warning>本月尚未结束：{month.year}年{month.month}月的数据可能仍会变化' in page
    assert 'class="text-danger fw-bold"' in page and not BulletinVersion.objects.exists()


def test_publishing_an_unchanged_version_is_refused_in_chinese(world, published, client_for):
    client = client_for("staff")
    for data in ({"reason": "再发一次"}, {"reason": "再发一次", "confirmed": "1"}):
        response = client.post(reverse("bulletins:publish", args=["2024-03"]), data)
        assert response.status_code == 400
        assert "2024年3月通报的数据与已发布的第1版相同，无需重新发布。" in response.content.decode()
    assert BulletinVersion.objects.count() == 1


def test_publish_needs_post(world, client_for):
    assert client_for("staff").get(reverse("bulletins:publish", args=["2024-03"])).status_code == 405


def test_republishing_without_reason_shows_a_chinese_error_and_changes_nothing(world, published, client_for):
    client = client_for("staff")
    response = client.post(reverse("bulletins:publish", args=["2024-03"]), {"reason": "  "})
    assert response.status_code == 400
    assert "该月通报已发布第1版，重新发布须填写更正原因。" in response.content.decode()
    assert BulletinVersion.objects.count() == 1


def test_a_corrected_version_says_which_it_is_and_what_changed(world, published, client_for):
    client = client_for("staff")
    make_adoption(make_submission(world["nangang"], submitted_at=shanghai(2024, 3, 5)), adopted_on=dt.date(2024, 3, 28))
    preview = client.get(reverse("bulletins:preview", args=["2024-03"])).content.decode()
    assert "当前数据与已发布第1版相比" in preview and "报送(本月)：0 → 1" in preview and "发布第2版" in preview

    response = client.post(reverse("bulletins:publish", args=["2024-03"]),
                           {"reason": "补录南岗区采用", "confirmed": "1"}, follow=True)
    page = response.content.decode()
    assert "已发布2024年3月通报第2版（哈政办信通〔2024〕3号）。" in page
    assert "第2版（现行）" in page and "更正原因：补录南岗区采用" in page
    assert "南岗区" in page and "市采用(本月)：0 → 1" in page and "得分(本月)：0.00 → 1.00" in page

    # Every version stays readable, by month and number or by id; the old one says it was corrected.
    old = client.get(reverse("bulletins:version", kwargs={"month": "2024-03", "version": 1})).content.decode()
    assert "这是第1版，已被更正" in old and "本月未报送信息的单位：南岗区。" in old
    latest = BulletinVersion.objects.get(version=2)
    by_id = client.get(reverse("bulletins:version", kwargs={"pk": latest.pk})).content.decode()
    assert "本月未报送信息的单位：无。" in by_id
    assert client.get(reverse("bulletins:version", kwargs={"month": "2024-03", "version": 3})).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_version_is_readable_by_every_logged_in_user(world, published, persona, client_for):
    make_submission(world["nangang"], submitted_at=shanghai(2024, 3, 25))
    publish_bulletin(MARCH, None, "更正")
    client = client_for(persona)
    for response in (client.get(reverse("bulletins:version", kwargs={"pk": published.pk})),
                     client.get(reverse("bulletins:version", kwargs={"month": "2024-03", "version": 2}))):
        if persona == "anonymous":
            assert_login_redirect(response)
        else:
            assert response.status_code == 200 and "哈政办信通〔2024〕3号" in response.content.decode()


def _future() -> str:
    today = timezone.localdate()
    return f"{(today.replace(day=28) + dt.timedelta(days=4)):%Y-%m}"


@pytest.mark.parametrize("month", ["2024-13", "2024-00", "1999-05", "future"])
@pytest.mark.parametrize("name", ["bulletins:preview", "bulletins:publish", "bulletins:detail", "bulletins:export_xlsx"])
def test_bad_months_are_not_found_and_change_nothing(world, name, month, client_for):
    month = _future() if month == "future" else month
    client = client_for("staff")
    url = reverse(name, args=[month])
    response = client.post(url, {"reason": "x"}) if name == "bulletins:publish" else client.get(url)
    assert response.status_code == 404
    assert not BulletinVersion.objects.exists()


def test_malformed_month_paths_do_not_resolve(world, client_for):
    client = client_for("staff")
    for path in ("/bulletins/abc/", "/bulletins/abc/preview/", "/bulletins/2024-3x/publish/"):
        assert client.get(path).status_code == 404


def test_the_current_month_can_be_previewed_with_a_warning(world, client_for):
    month = f"{timezone.localdate():%Y-%m}"
    page = client_for("staff").get(reverse("bulletins:preview", args=[month])).content.decode()
    assert "尚未结束" in page


# --- The start page panel ----------------------------------------------------------------------------------

def test_home_panel_shows_the_officers_place_points_and_chart(world, published, client_for):
    page = client_for("officer_a").get(reverse("home")).content.decode()
    assert "最新通报" in page and "2024年3月" in page
    assert "本单位在区政府序列中排名第<strong>1</strong>名" in page
    # 1 point for the city adoption + 3 for the city leader's affirming instruction (RULES.md Art. 9).
    assert "本月 <strong>4.00</strong>，1–3月累计 <strong>4.00</strong>" in page
    svg = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svg) == 3 and "2024年各月报送信息（条）" in svg[0]
    assert "<rect" in svg[0] and "3月：1" in svg[0]  # one bar: March, one item
    assert svg[0].count("<rect") == 1


def test_home_panel_chart_uses_the_latest_version_of_each_month(world, published, client_for):
    staff = world["users"]["staff"]
    publish_bulletin(dt.date(2024, 2, 1), staff)
    make_submission(world["daoli"], submitted_at=shanghai(2024, 3, 20))
    publish_bulletin(MARCH, staff, "补录一条")
    page = client_for("officer_a").get(reverse("home")).content.decode()
    submitted = re.findall(r"<svg.*?</svg>", page, re.S)[0]
    assert "2月：0" in submitted and "3月：2" in submitted and "3月：1" not in submitted


def test_the_panels_rows_are_the_latest_versions_only_even_where_it_lacks_the_unit():
    def version(month: int, number: int, unit_rows: dict[int, int]) -> None:
        made = BulletinVersion.objects.create(month=dt.date(2024, month, 1), version=number, number=f"{month}-{number}",
                                              data={}, reason="" if number == 1 else "更正")
        BulletinUnitRow.objects.bulk_create(BulletinUnitRow(version=made, unit_id=unit, row={"submitted": n})
                                            for unit, n in unit_rows.items())

    version(1, 1, {7: 1, 8: 1})
    version(2, 1, {7: 2, 8: 2})
    version(2, 2, {8: 3})  # the correction of February no longer has unit 7
    version(3, 1, {7: 4})
    BulletinVersion.objects.create(month=dt.date(2023, 12, 1), version=1, number="12-1", data={})
    assert unit_rows_of_year(2024, 7) == {1: {"submitted": 1}, 3: {"submitted": 4}}
    assert unit_rows_of_year(2024, 8) == {1: {"submitted": 1}, 2: {"submitted": 3}}
    assert unit_rows_of_year(2023, 7) == {}


def test_home_panel_without_bulletins_says_so(world, client_for):
    page = client_for("officer_a").get(reverse("home")).content.decode()
    assert "尚未发布任何通报" in page and "<svg" not in page


@pytest.mark.parametrize("persona", ["staff", "viewer"])
def test_home_panel_for_office_and_viewers_links_the_latest_bulletin(world, published, persona, client_for):
    page = client_for(persona).get(reverse("home")).content.decode()
    assert reverse("bulletins:detail", args=["2024-03"]) in page
    panel = page.split('class="card bulletin-panel"')[1]
    assert "<svg" not in panel  # the unit charts are the officer's; the office sees the city (test_office_home)


# --- Query counts ------------------------------------------------------------------------------------------

def _populate(units: int) -> None:
    """`units` more units across the sequences, each with an item, an adoption and an instruction in March."""
    sequences = ["district", "county", "bureau", "office_abroad"]
    for i in range(units):
        unit = make_unit(name=f"单位{i:03d}", sequence=sequences[i % 4])
        item = make_submission(unit, title=f"信息{i}", submitted_at=shanghai(2024, 3, 1 + i % 28))
        make_adoption(item, adopted_on=dt.date(2024, 3, 1 + i % 28))
        make_instruction(item, instructed_on=dt.date(2024, 3, 1 + i % 28))


@pytest.mark.parametrize("persona", ["staff", "officer_a"])
def test_bulletin_page_query_count_is_fixed(world, persona, django_assert_num_queries, client_for):
    client = client_for(persona)
    # session, user (with the officer's unit; + the unit's row named above the tables), the version, the month's
    # history; the first view also renders the frozen part from the snapshot and the previous version's; later
    # views reuse it.
    expected = 5 if persona == "officer_a" else 4
    for more in (0, 110):
        _populate(more)
        BulletinVersion.objects.all().delete()
        publish_bulletin(MARCH, None)
        make_submission(world["nangang"], submitted_at=shanghai(2024, 3, 25))
        publish_bulletin(MARCH, None, "更正")
        with django_assert_num_queries(expected + 2):
            first = client.get(reverse("bulletins:detail", args=["2024-03"]))
        with django_assert_num_queries(expected):
            response = client.get(reverse("bulletins:detail", args=["2024-03"]))
        assert response.status_code == first.status_code == 200
    assert response.content.decode().count("<tr") > 110


@pytest.mark.parametrize("persona", ["staff", "officer_a"])
def test_catalogue_query_count_is_fixed_and_the_page_holds_none_of_its_rows(world, persona, django_assert_num_queries,
                                                                             client_for):
    client, viewer = client_for(persona), client_for("viewer")
    # session, user (with the officer's unit), the version; the first load of a catalogue (here by a viewer) also
    # renders it from the snapshot; later loads, by any reader, reuse it.
    expected = 3
    for more in (0, 110):
        _populate(more)
        BulletinVersion.objects.all().delete()
        publish_bulletin(MARCH, None)
        with django_assert_num_queries(4):
            first = viewer.get(catalogue_url(), headers={"hx-request": "true"})
        with django_assert_num_queries(expected):
            response = client.get(catalogue_url(), headers={"hx-request": "true"})
        assert response.status_code == first.status_code == 200
    # 道里区 and a quarter of the 110 units are districts, each with an item adopted: in the catalogue, not the page.
    assert response.content.decode().count("<tr data-unit") == 29 and "<td>信息0</td>" in response.content.decode()
    page = client.get(reverse("bulletins:detail", args=["2024-03"])).content.decode()
    assert "<td>信息0</td>" not in page and page.count("<tr data-unit") == Unit.objects.count()


@pytest.mark.parametrize("persona", ["staff", "officer_a", "officer_b"])
def test_a_repeat_view_of_a_published_version_is_not_modified(world, persona, client_for):
    client = client_for(persona)
    publish_bulletin(MARCH, None)
    url = reverse("bulletins:detail", args=["2024-03"])
    first = client.get(url)
    assert first.status_code == 200 and "private" in first["Cache-Control"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    # Another reader, the print view, or a correction published since: the page differs, so it is sent again.
    other = client_for("viewer").get(url, headers={"if-none-match": first["ETag"]})
    assert other.status_code == 200 and other["ETag"] != first["ETag"]
    assert client.get(url, {"print": "1"}, headers={"if-none-match": first["ETag"]}).status_code == 200
    make_submission(make_unit(), submitted_at=shanghai(2024, 3, 5))  # a correction needs changed numbers
    publish_bulletin(MARCH, None, "更正")
    again = client.get(reverse("bulletins:version", args=["2024-03", 1]), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and "已被更正" in again.content.decode()


@pytest.mark.parametrize("persona", ["staff", "officer_a"])
def test_printing_starts_from_the_print_view_which_holds_and_opens_every_catalogue(world, published, persona, client_for):
    make_adoption(make_submission(Unit.objects.get(name="尚志市"), title="尚志市林下经济", submitted_at=shanghai(2024, 3, 6)),
                  adopted_on=dt.date(2024, 3, 12))
    publish_bulletin(MARCH, None, "补录尚志市采用")
    client = client_for(persona)
    page = client.get(reverse("bulletins:detail", args=["2024-03"])).content.decode()
    assert '<a class="btn btn-sm btn-outline-primary" href="?print=1">打印全文（展开全部目录）</a>' in page
    assert "data-print" not in page and " open>" not in page
    printed = client.get(reverse("bulletins:detail", args=["2024-03"]), {"print": "1"}).content.decode()
    assert printed.count("<details class=\"notice-catalogue\"") == printed.count(" open>") == 2
    assert "data-print>打印</button>" in printed and "hx-get" not in printed and "htmx" not in printed
    for text in ("道里区冰雪旅游升温", "每日要情 第12期", "市领导（张市长）肯定性批示", "尚志市林下经济"):
        assert text in printed, text
    # The reader's own rows are marked there too, the sequence table's first.
    own = f'<tr data-unit="{world["daoli"].pk}" class="own-unit"'
    assert printed.count(own) == (2 if persona == "officer_a" else 0)


def test_preview_and_list_query_counts_are_fixed(world, client_for):
    client = client_for("staff")
    counts = []
    for more in (0, 110):
        _populate(more)
        publish_bulletin(MARCH, None, "更正")
        with CaptureQueriesContext(connection) as preview:
            assert client.get(reverse("bulletins:preview", args=["2024-03"])).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert client.get(reverse("bulletins:list")).status_code == 200
        counts.append((len(preview), len(listing)))
    # The preview gathers the live numbers with the service's fixed aggregate queries; the list reads headers.
    assert counts[0] == counts[1]
