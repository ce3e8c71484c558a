"""Wayfinding, walked over every URL pattern as every persona: each page below the top level shows a breadcrumb
trail from 首页 whose links open, the menu entry at the top of that trail is the one lit, and paged lists offer
page numbers, first/last and a jump box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, EventKind
from harbin_infoassess.breadcrumbs import TRAIL, top_of
from harbin_infoassess.navigation import NAV
from tests.factories import make_submission, shanghai
from tests.test_hostile_urls import ADMIN, clients, fill, url_patterns, valid_args
from tests.test_hostile_urls import world as hostile_world

pytestmark = pytest.mark.django_db

# What is not a page: the start page and login (the top), sign-out, files, JSON and the health check.
NOT_PAGES = {
    "home", "login", "logout", "units:choices", "units:officer_choices", "scoring:import_job_status",
    "scoring:import_job_problems", "scoring:import_job_file", "bulletins:export_xlsx", "bulletins:export_csv",
    "awards:workbook", "awards:csv", "editorial:issue_download", "operations:healthz",
}
TRAIL_HTML = re.compile(r'<nav aria-label="当前位置".*?</nav>', re.S)
LINK = re.compile(r'href="([^"]+)"')


def pages() -> list[tuple[str, str, list[str]]]:
    return [p for p in url_patterns() if not p[0].startswith(ADMIN) and p[0] not in NOT_PAGES]


def test_every_page_has_a_place_in_the_trail():
    missing = sorted({name for name, _, _ in pages()} - set(TRAIL))
    assert missing == [], f"add these URL names to harbin_infoassess/breadcrumbs.TRAIL: {missing}"


def test_every_trail_ends_at_a_menu_entry():
    entries = {item.url_name for item in NAV}
    in_header = {"password_change", "notifications:list"}  # reached from the header, not the menu
    assert {top_of(name) for name in TRAIL} - in_header <= entries


world = hostile_world  # the same data as the hostile-URL walk


def test_each_page_shows_its_trail_and_lights_its_menu_entry(world):
    args = valid_args(world)
    checked = 0
    for persona, client in clients(world).items():
        if persona == "anonymous":
            continue
        for name, route, _ in pages():
            url = fill(route, args.get(name, {}))
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            html = response.content.decode()
            trail = TRAIL_HTML.search(html)
            assert trail, (persona, url)
            links = LINK.findall(trail.group())
            assert links[0] == "/" and 'aria-current="page"' in trail.group(), (persona, url)
            for link in links[1:]:
                assert client.get(link).status_code in (200, 302), (persona, url, link)
            lit = [item["label"] for item in response.context["nav_items"] if item["active"]]
            expected = [item.label for item in NAV if item.url_name == top_of(name)
                        and any(i["url"] == reverse(item.url_name) for i in response.context["nav_items"])]
            assert lit == expected, (persona, url, lit, expected)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("url_name", ["home", "login"])
def test_the_top_level_has_no_trail(client_for, url_name):
    assert "当前位置" not in client_for("admin").get(reverse(url_name)).content.decode()


def test_an_object_page_names_its_object_in_the_trail(client_for, unit_a):
    item = make_submission(unit_a, title="冰雪旅游情况")
    html = client_for("admin").get(reverse("submissions:edit", args=[item.pk])).content.decode()
    trail = TRAIL_HTML.search(html).group()
    assert re.findall(r">([^<>]+)</(?:a|li)>", trail) == ["首页", "政务信息", "冰雪旅游情况", "修改"]
    assert f'href="{reverse("submissions:detail", args=[item.pk])}"' in trail



def test_a_paged_list_offers_numbers_first_last_and_a_jump_box(client_for, unit_a, monkeypatch):
    monkeypatch.setattr("submissions.views.PAGE_SIZE", 2)
    for n in range(29):  # 15 pages of 2
        make_submission(unit_a, title=f"报送{n}")
    client = client_for("admin")
    html = client.get(reverse("submissions:list"), {"q": "报送", "page": 8}).content.decode()
    pager = re.search(r'<nav aria-label="分页".*?</nav>', html, re.S).group()
    links = dict((text, href) for href, text in re.findall(r'href="\?([^"]+)">([^<]+)</a>', pager))
    assert {text: href.split("page=")[1] for text, href in links.items()} == {
        "首页": "1", "上一页": "7", "1": "1", "6": "6", "7": "7", "9": "9", "10": "10", "15": "15", "下一页": "9", "末页": "15",
    }
    assert all(href.startswith("q=") for href in links.values())  # the filter goes along
    assert re.search(r'aria-current="page"><span class="page-link">8<', pager) and pager.count("…") == 2
    assert "第 8 / 15 页，共 29 条" in pager
    # The jump box keeps the filter as hidden fields and sends the page typed in.
    assert '<input type="hidden" name="q" value="报送">' in pager and 'max="15"' in pager
    assert client.get(reverse("submissions:list"), {"q": "报送", "page": 15}).context["page"].number == 15


def test_one_page_has_no_pager_but_a_count(client_for, unit_a):
    make_submission(unit_a)
    html = client_for("admin").get(reverse("submissions:list")).content.decode()
    assert 'aria-label="分页"' not in html and "共 1 条" in html


@pytest.mark.parametrize("url_name", ["scoring:ranking", "scoring:basic_list", "bulletins:list", "awards:index"])
def test_years_are_offered_only_where_there_is_data(client_for, unit_a, url_name):
    make_submission(unit_a, submitted_at=shanghai(2021, 1, 1, 0, 30))  # 2020-12-31 in UTC: Beijing time decides
    make_submission(unit_a, submitted_at=shanghai(2023, 12, 31, 23, 30))
    html = client_for("staff").get(reverse(url_name)).content.decode()
    expected = {2021, 2022, 2023, timezone.localdate().year}
    if url_name == "awards:index":
        assert set(map(int, re.findall(r"<td>(\d{4})年度</td>", html))) == expected
    else:
        assert set(map(int, re.findall(r'<option value="(\d{4})"', html))) == expected


def test_no_template_comment_spans_lines():
    # Django's {# … #} is one line only: a longer one is printed on the page (the bulletin showed its own).
    templates = Path(__file__).resolve().parent.parent / "templates"
    broken = [str(path) for path in templates.rglob("*.html")
              if re.search(r"\{#(?:(?!#\}).)*\n", path.read_text(encoding="utf-8"))]
    assert broken == []


def test_the_uncounted_audit_list_offers_first_page_and_the_jump_box(client_for, monkeypatch):
    monkeypatch.setattr("audit.views.PAGE_SIZE", 1)
    AuditEvent.objects.bulk_create(
        AuditEvent(at=timezone.now(), kind=EventKind.UPDATE, username="wang", summary=str(n)) for n in range(3))
    html = client_for("admin").get(reverse("audit:list"), {"user": "wang", "page": 2}).content.decode()
    pager = re.search(r'<nav aria-label="分页".*?</nav>', html, re.S).group()
    assert re.findall(r'href="\?([^"]+)">([^<]+)</a>', pager) == [
        ("user=wang&page=1", "首页"), ("user=wang&page=1", "上一页"), ("user=wang&page=3", "下一页")]
    assert '<input type="hidden" name="user" value="wang">' in pager and "max=" not in pager


def test_the_scorecards_trail_names_its_unit(client_for, unit_a):
    html = client_for("viewer").get(reverse("scoring:scorecard", args=[unit_a.pk, 2024])).content.decode()
    trail = TRAIL_HTML.search(html).group()
    assert re.findall(r">([^<>]+)</(?:a|li)>", trail) == ["首页", "考核排名", unit_a.name]
