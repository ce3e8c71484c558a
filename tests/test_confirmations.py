"""What cannot be undone asks first, through one pattern (core.confirm): the first POST shows what will happen
and changes nothing; only the same POST sent again with the confirmation acts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from submissions.models import Adoption, LeaderInstruction, UrgentFailure
from tests.factories import login, make_adoption, make_failure, make_instruction, make_person, make_submission
from units.models import Person, Unit

pytestmark = pytest.mark.django_db


def _asked(response, *texts: str) -> str:
    html = response.content.decode()
    assert response.status_code == 200 and 'class="card border-danger confirm-box"' in html
    assert 'name="confirmed" value="1"' in html
    for text in texts:
        assert text in html, text
    return html


def test_deactivating_a_unit_names_its_officers_first(client, personas, unit_a):
    staff = login(client, personas["staff"])
    url = reverse("units:deactivate", args=[unit_a.pk])
    _asked(staff.post(url), f"停用后，“{unit_a.name}”的1个信息员账号不能再登录", "确认停用")
    assert Unit.objects.get(pk=unit_a.pk).is_active
    assert staff.post(url, {"confirmed": "1"}).status_code == 302
    assert not Unit.objects.get(pk=unit_a.pk).is_active


def test_reactivating_a_unit_needs_no_confirmation(client, personas):
    unit = personas["officer_b"].unit
    Unit.objects.filter(pk=unit.pk).update(is_active=False)
    login(client, personas["staff"]).post(reverse("units:reactivate", args=[unit.pk]))
    assert Unit.objects.get(pk=unit.pk).is_active


def test_deleting_a_person_names_them_first(client, personas, unit_a):
    person = make_person(unit_a, name="赵敏")
    staff = login(client, personas["staff"])
    url = reverse("units:person_delete", args=[person.pk])
    _asked(staff.post(url), f"删除“{unit_a.name}”的{person.get_role_display()}赵敏", "确认删除")
    assert Person.objects.filter(pk=person.pk).exists()
    staff.post(url, {"confirmed": "1"})
    assert not Person.objects.filter(pk=person.pk).exists()


def test_deactivating_an_account_says_it_cannot_log_in(client, personas):
    target = personas["viewer"]
    admin = login(client, personas["admin"])
    url = reverse("accounts:deactivate", args=[target.pk])
    _asked(admin.post(url), f"停用只读领导账号“{target.username}”，停用后不能再登录。")
    assert User.objects.get(pk=target.pk).is_active
    admin.post(url, {"confirmed": "1"})
    assert not User.objects.get(pk=target.pk).is_active


@pytest.mark.parametrize(("kind", "url_name", "model"), [
    ("adoption", "submissions:adoption_delete", Adoption),
    ("instruction", "submissions:instruction_delete", LeaderInstruction),
])
def test_deleting_a_fact_names_the_item_first(client, personas, unit_a, kind, url_name, model):
    item = make_submission(unit_a, title="道里区冰雪旅游升温")
    fact = make_adoption(item) if kind == "adoption" else make_instruction(item)
    staff = login(client, personas["staff"])
    url = reverse(url_name, args=[item.pk, fact.pk])
    _asked(staff.post(url), f"删除{unit_a.name}信息《道里区冰雪旅游升温》的", "得分随之重新计算")
    assert model.objects.filter(pk=fact.pk).exists()
    staff.post(url, {"confirmed": "1"})
    assert not model.objects.filter(pk=fact.pk).exists()


def test_deleting_an_urgent_failure_names_unit_and_day_first(client, personas, unit_a):
    failure = make_failure(unit_a, occurred_on=dt.date(2024, 3, 5))
    staff = login(client, personas["staff"])
    url = reverse("submissions:failure_delete", args=[failure.pk])
    _asked(staff.post(url), f"删除{unit_a.name}2024年3月5日的{failure.get_kind_display()}记录。")
    assert UrgentFailure.objects.filter(pk=failure.pk).exists()
    staff.post(url, {"confirmed": "1"})
    assert not UrgentFailure.objects.exists()


def test_forbidden_users_are_refused_before_being_asked(client, personas, unit_a):
    officer = login(client, personas["officer_a"])
    assert officer.post(reverse("units:deactivate", args=[unit_a.pk])).status_code == 403
    assert officer.post(reverse("accounts:deactivate", args=[personas["viewer"].pk])).status_code == 403


def test_no_page_asks_with_an_inline_browser_dialog():
    # One pattern, server-rendered: no confirm() in templates (a strict CSP forbids inline handlers anyway).
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    assert not [t.name for t in templates if "confirm(" in t.read_text(encoding="utf-8")]


def test_no_page_asks_in_a_browser_dialog_any_more():
    # Every confirmation is the server's page above: no template marks a form for window.confirm().
    root = Path(__file__).resolve().parent.parent
    pages = [path for path in (root / "templates").rglob("*.html") if "data-confirm=" in path.read_text(encoding="utf-8")]
    assert pages == []
    assert "window.confirm" not in (root / "static" / "js" / "site.js").read_text(encoding="utf-8")
