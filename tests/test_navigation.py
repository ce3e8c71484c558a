"""The main navigation shows each role what it may use, and marks the page the user is on."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EVERYONE = {"首页", "政务信息", "专约", "单位", "考核排名", "基础工作", "采用通报", "年度评比"}
EXPECTED = {
    "admin": EVERYONE | {"紧急信息问题", "采编", "台账导入", "考核规则", "账号", "系统状态", "审计日志"},
    "staff": EVERYONE | {"紧急信息问题", "采编", "台账导入"},
    "viewer": EVERYONE | {"紧急信息问题", "采编"},
    "officer_a": EVERYONE,
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_role_sees_its_entries(client_for, persona):
    labels = {item["label"] for item in client_for(persona).get(reverse("home")).context["nav_items"]}
    assert labels == EXPECTED[persona]


def test_every_entry_opens_for_the_roles_that_see_it(client_for):
    for persona in ("admin", "viewer", "officer_a"):
        client = client_for(persona)
        for item in client.get(reverse("home")).context["nav_items"]:
            assert client.get(item["url"], follow=True).status_code == 200, (persona, item)


def test_the_deepest_matching_entry_is_active(client_for):
    items = client_for("admin").get(reverse("scoring:basic_list")).context["nav_items"]
    assert [i["label"] for i in items if i["active"]] == ["基础工作"]


@pytest.mark.parametrize(("url_name", "label"), [
    ("scoring:year_list", "考核规则"), ("scoring:ruleset_list", "考核规则"), ("scoring:ranking", "考核排名"),
])
def test_the_years_rule_sets_light_the_rules_entry(client_for, url_name, label):
    items = client_for("admin").get(reverse(url_name)).context["nav_items"]
    assert [i["label"] for i in items if i["active"]] == [label]


def test_anonymous_visitor_sees_no_navigation(client):
    response = client.get(reverse("login"))
    assert response.context["nav_items"] == []
