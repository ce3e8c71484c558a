"""Rule sets as data: the pages that show, copy, edit and assign them (issue 4, "rule sets as data")."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from scoring.models import AssessmentYear, RuleSet
from scoring.rules import RULES_2008
from scoring.rulesets import PARAM_FIELDS, is_editable
from scoring.services import compute_scores
from tests.factories import login, make_basic_work, make_submission, make_unit, ruleset_form_data, shanghai

pytestmark = pytest.mark.django_db



@pytest.fixture
def rules_2008() -> RuleSet:
    return RuleSet.objects.get(name="2008")





def _copy(client, source: RuleSet, name: str = "2025版") -> RuleSet:
    response = client.post(reverse("scoring:ruleset_copy", args=[source.pk]), {"name": name, "description": "试行"})
    assert response.status_code == 302
    return RuleSet.objects.get(name=name)


ADMIN_ONLY_PAGES = ["scoring:ruleset_list", "scoring:year_list"]


@pytest.mark.parametrize("url_name", ADMIN_ONLY_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("staff", 403), ("officer_a", 403), ("officer_b", 403), ("viewer", 403), ("anonymous", 302)],
)
def test_rule_set_pages_are_for_administrators_only(client, personas, url_name, persona, status):
    response = login(client, personas[persona]).get(reverse(url_name))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("view", ["scoring:ruleset_detail", "scoring:ruleset_copy", "scoring:ruleset_edit"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 403), ("officer_a", 403), ("officer_b", 403), ("viewer", 403), ("anonymous", 302)],
)
def test_rule_set_object_pages_refuse_everyone_but_administrators(client, personas, rules_2008, view, persona, status):
    c = login(client, personas[persona])
    assert c.get(reverse(view, args=[rules_2008.pk])).status_code == status
    assert c.post(reverse(view, args=[rules_2008.pk]), {"name": "x"}).status_code == status
    assert RuleSet.objects.count() == 1


def test_unknown_rule_set_is_404(client, personas):
    client.force_login(personas["admin"])
    assert client.get(reverse("scoring:ruleset_detail", args=[9999])).status_code == 404


def test_detail_shows_every_number_of_the_2008_rule_set_in_chinese(client, personas, rules_2008):
    client.force_login(personas["admin"])
    html = client.get(reverse("scoring:ruleset_detail", args=[rules_2008.pk])).content.decode()
    for text in ["基础工作（第七条）", "每项满分", "月均报送定额 · 区政府", "中直、省属在哈单位", "按比例", "迟报每次扣分",
                 "瞒报每次扣分", "有瞒报的单位不参加标兵、先进评选", "专约逾期报送得分系数", "每年应报送调研信息",
                 "国务院办公厅采用 · 调研", "累加", "省领导 · 决策性批示", "联合报送信息的采用、批示得分由各单位平分",
                 "委办局 · 先进单位至第几名", "优秀信息员名额",
                 "积极参加市政府系统信息工作会议、活动，按时限完成交办的工作任务"]:
        assert text in html, text
    # Values: the bureau's 30 advanced places, officer target 60, the late-answer credit 0.5.
    assert "30名" in html and "60名" in html and "0.5" in html
    # The default rule set is never edited in place.
    assert reverse("scoring:ruleset_edit", args=[rules_2008.pk]) not in html


def test_every_param_is_shown_and_editable():
    """PARAM_FIELDS covers every leaf of the params JSON (nothing shown but not editable, or hidden)."""

    def leaves(value, path=()):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from leaves(v, (*path, k))
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):  # texts: one field, a line each
            for i, v in enumerate(value):
                yield from leaves(v, (*path, i))
        else:
            yield path

    assert sorted(map(str, leaves(RULES_2008))) == sorted(str(f.path) for f in PARAM_FIELDS)


def test_copy_needs_a_new_unique_name(client, personas, rules_2008):
    client.force_login(personas["admin"])
    url = reverse("scoring:ruleset_copy", args=[rules_2008.pk])
    response = client.post(url, {"name": "", "description": "说明甲"})
    assert "请填写新版本名称" in response.content.decode()
    response = client.post(url, {"name": "2008", "description": "说明乙"})
    html = response.content.decode()
    assert "已有同名的规则版本" in html and "说明乙" in html  # the typed value is kept
    assert RuleSet.objects.count() == 1


def test_copy_then_edit_changes_only_the_copy(client, personas, rules_2008):
    client.force_login(personas["admin"])
    copy = _copy(client, rules_2008)
    assert copy.based_on == rules_2008 and copy.params == RULES_2008 and copy.created_by == personas["admin"]
    data = ruleset_form_data(copy, monthly_quota__district="12", request_credits__late="0.25", quota_mode="all_or_nothing",
                             joint_split="", basic_items="三级负责制\n\n 工作制度 \n")
    del data["joint_split"]  # an unchecked box is not posted
    response = client.post(reverse("scoring:ruleset_edit", args=[copy.pk]), data)
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.params["monthly_quota"]["district"] == 12
    assert copy.params["request_credits"]["late"] == "0.25"
    assert copy.params["quota_mode"] == "all_or_nothing"
    assert copy.params["joint_split"] is False
    assert copy.params["basic_items"] == ["三级负责制", "工作制度"]  # blank lines dropped, spaces trimmed
    rules = copy.rules()
    assert rules.request_credits["late"] == Fraction(1, 4) and rules.quota_all_or_nothing and not rules.joint_split
    rules_2008.refresh_from_db()
    assert rules_2008.params == RULES_2008


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"monthly_quota__bureau": "-1"}, "monthly_quota__bureau", "0"),
        ({"adoption_points__city__general": "abc"}, "adoption_points__city__general", "请输入数字"),
        ({"tier_places__district__0": "6", "tier_places__district__1": "5"}, "tier_places__district__1", "截至名次不能小于"),
        ({"tier_places__bureau__1": "2.5"}, "tier_places__bureau__1", "请输入整数"),
        ({"request_credits__late": "2"}, "request_credits__late", "按时报送 ≥ 逾期报送 ≥ 未报送"),
        ({"quota_mode": "sometimes"}, "quota_mode", "选择"),
        ({"basic_items": " \n "}, "basic_items", "请填写该项"),
        ({"basic_items": "\n".join(f"第{i}项" for i in range(13))}, "basic_items", "1至12项"),
        ({"basic_item_points": "4.3"}, "basic_item_points", "0.5分为单位"),
        ({"basic_item_points": "0"}, "basic_item_points", "大于0"),
        ({"basic_item_points": "25"}, "basic_item_points", "不超过20"),
    ],
)
def test_edit_rejects_bad_numbers_in_chinese_and_saves_nothing(client, personas, rules_2008, changes, field, message):
    client.force_login(personas["admin"])
    copy = _copy(client, rules_2008)
    data = ruleset_form_data(copy, research_per_year="6", **changes)
    response = client.post(reverse("scoring:ruleset_edit", args=[copy.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert "规则尚未保存" in html
    assert 'name="research_per_year" value="6"' in html  # the other typed values are kept
    copy.refresh_from_db()
    assert copy.params == RULES_2008


def test_rule_set_in_use_cannot_be_edited_only_copied(client, personas, rules_2008):
    client.force_login(personas["admin"])
    copy = _copy(client, rules_2008)
    assert is_editable(copy) and not is_editable(rules_2008)
    client.post(reverse("scoring:year_list"), {"year": "2025", "rule_set": copy.pk})
    assert not is_editable(copy)
    url = reverse("scoring:ruleset_edit", args=[copy.pk])
    response = client.post(url, ruleset_form_data(copy, monthly_quota__district="1"))
    assert response.status_code == 302 and response["Location"] == reverse("scoring:ruleset_detail", args=[copy.pk])
    copy.refresh_from_db()
    assert copy.params == RULES_2008
    assert client.get(reverse("scoring:ruleset_edit", args=[rules_2008.pk])).status_code == 302


def test_assign_a_rule_set_to_a_year_and_change_it(client, personas, rules_2008):
    client.force_login(personas["admin"])
    copy = _copy(client, rules_2008)
    response = client.post(reverse("scoring:year_list"), {"year": "2025", "rule_set": copy.pk})
    assert response.status_code == 302
    assert AssessmentYear.objects.get(year=2025).rule_set == copy
    client.post(reverse("scoring:year_list"), {"year": "2025", "rule_set": rules_2008.pk})
    assert AssessmentYear.objects.get(year=2025).rule_set == rules_2008
    html = client.get(reverse("scoring:year_list")).content.decode()
    assert "2025年" in html


@pytest.mark.parametrize(("year", "message"), [("1999", "不能小于"), ("", "请填写该项"), ("abc", "请输入")])
def test_assign_rejects_a_bad_year(client, personas, rules_2008, year, message):
    client.force_login(personas["admin"])
    response = client.post(reverse("scoring:year_list"), {"year": year, "rule_set": rules_2008.pk})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["year"])
    assert not AssessmentYear.objects.exists()


def test_changing_a_number_in_an_assigned_copy_changes_that_years_scores(client, personas, rules_2008):
    """A copied rule set with a district quota of 5 instead of 15, assigned to 2025, scores 2025 with it;
    2024 keeps the 2008 rules (and so do the 2008 numbers themselves)."""
    unit = make_unit(sequence="district")
    for year in (2024, 2025):
        make_basic_work(unit, year=year)
        for month in range(1, 13):
            for day in range(1, 6):  # 5 items a month: a third of the 2008 district quota
                make_submission(unit, submitted_at=shanghai(year, month, day))
    client.force_login(personas["admin"])
    copy = _copy(client, rules_2008, "2025版")
    client.post(reverse("scoring:ruleset_edit", args=[copy.pk]), ruleset_form_data(copy, monthly_quota__district="5"))
    client.post(reverse("scoring:year_list"), {"year": "2025", "rule_set": copy.pk})

    def quota(year: int) -> Decimal:
        report = compute_scores(year)
        return next(s.quota for s in report.scores if s.facts.unit_id == unit.pk), report.rule_set_name

    # Rule: 15 × min(1, counted ÷ (quota × 12)).
    assert quota(2024) == (Decimal(15 * 60 / (15 * 12)).quantize(Decimal("0.01")), "2008")
    assert quota(2025) == (Decimal("15.00"), "2025版")
    rules_2008.refresh_from_db()
    assert rules_2008.params == RULES_2008


def test_rule_set_list_query_count_is_fixed(client, personas, rules_2008, django_assert_num_queries):
    client.force_login(personas["admin"])
    for i in range(30):
        copy = RuleSet.objects.create(name=f"v{i}", params=RULES_2008, based_on=rules_2008)
        AssessmentYear.objects.create(year=2030 + i, rule_set=copy)
    # session, user, rule sets (with based_on), their years
    with django_assert_num_queries(4):
        response = client.get(reverse("scoring:ruleset_list"))
    assert response.status_code == 200 and "2059年" in response.content.decode()


def test_copy_under_a_name_taken_meanwhile_is_refused_not_a_crash(personas, rules_2008):
    from django.core.exceptions import ValidationError

    from scoring.rulesets import copy_rule_set

    copy_rule_set(rules_2008, "2025版", "", personas["admin"])
    with pytest.raises(ValidationError) as error:
        copy_rule_set(rules_2008, "2025版", "", personas["admin"])
    assert "已有同名的规则版本" in str(error.value)
    assert RuleSet.objects.filter(name="2025版").count() == 1


def test_year_list_query_count_is_fixed(client, personas, rules_2008, django_assert_num_queries):
    client.force_login(personas["admin"])
    AssessmentYear.objects.bulk_create(AssessmentYear(year=2008 + i, rule_set=rules_2008) for i in range(40))
    # session, user, years with their rule sets, the rule sets of the form's choice list (read twice by Django's
    # select rendering, whatever the number of years)
    with django_assert_num_queries(5):
        response = client.get(reverse("scoring:year_list"))
    assert "2047年" in response.content.decode()
