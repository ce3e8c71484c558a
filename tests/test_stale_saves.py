"""No lost update anywhere: every edit form refuses a save over someone else's newer one (issue 10).

Each case: A opens the form, B saves it first, A saves. A's save is refused with a Chinese message naming B
and the time of B's change (Beijing time, from the audit trail); the form comes back with what A typed;
B's value stays. A second save of the returned form then deliberately overwrites it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.locking import StaleEdit
from audit.models import AuditEvent, EventKind
from core.dates import cn_date
from editorial.models import Carrier, IssueItem
from scoring.models import BasicWorkEntry, RuleSet
from tests.factories import (
    make_adoption,
    make_basic_work,
    make_carrier,
    make_failure,
    make_instruction,
    make_issue,
    make_person,
    make_request,
    make_submission,
    make_unit,
    make_user,
    recorded,
    ruleset_form_data,
)
from units.models import Person, Unit

pytestmark = pytest.mark.django_db
YEAR = 2024


@dataclass(frozen=True)
class EditForm:
    """One edit form: how to make its row, its URL, the POST with `text` typed in, and reading `text` back."""

    make: Callable[[], object]
    url: Callable[[object], str]
    post: Callable[[object, str], dict]
    read: Callable[[object], str]
    editor: str = Role.STAFF


def _unit_post(unit: Unit, text: str) -> dict:
    return {"name": unit.name, "short_name": text, "sequence": unit.sequence, "is_ranked": "on"}


def _person_post(person: Person, text: str) -> dict:
    return {"role": person.role, "name": person.name, "post": text, "phone": "", "is_active": "on"}


def _account_post(account: User, text: str) -> dict:
    return {"username": account.username, "first_name": text, "email": "", "role": account.role}


def _request_post(request, text: str) -> dict:
    deadline = timezone.localtime(request.deadline).strftime("%Y-%m-%dT%H:%M")
    return {"code": request.code, "title": text, "description": "", "deadline": deadline,
            "targets": "\n".join(u.name for u in request.targets.all())}


def _failure_post(failure, text: str) -> dict:
    return {"unit": failure.unit_id, "occurred_on": failure.occurred_on.isoformat(), "kind": failure.kind, "description": text}


def _adoption_post(adoption, text: str) -> dict:
    return {"level": adoption.level, "adoption_type": adoption.adoption_type, "adopted_on": adoption.adopted_on.isoformat(),
            "carrier": "", "issue_no": text}


def _instruction_post(instruction, text: str) -> dict:
    return {"level": instruction.level, "kind": instruction.kind, "instructed_on": instruction.instructed_on.isoformat(),
            "leader": instruction.leader, "content": text}


def _basic_post(entry: BasicWorkEntry, text: str) -> dict:
    # As sent from the confirmation page that shows the total (issue 14).
    return {**{f"item{i}": "5.0" for i in range(1, 9)}, "method": "spot_check", "note": text, "confirmed": "1"}


def _ruleset_post(rule_set: RuleSet, text: str) -> dict:
    data = ruleset_form_data(rule_set, basic_items=text)
    del data["version"]  # the form's own, read from the page
    return data


def _carrier_post(carrier: Carrier, text: str) -> dict:
    return {"name": text, "level": carrier.level, "adoption_type": carrier.adoption_type, "frequency": carrier.frequency,
            "order": carrier.order, "is_active": "on"}


def _entry_post(entry: IssueItem, text: str) -> dict:
    return {"title": text, "body": entry.body, "adoption_type": entry.adoption_type}


def _draft_entry() -> IssueItem:
    return make_issue(items=[make_submission()]).entries.get()


def _editable_rule_set() -> RuleSet:
    source = RuleSet.objects.get(name="2008")
    return RuleSet.objects.create(name="2025版", params=source.params, based_on=source)


def _reload(obj):
    obj.refresh_from_db()
    return obj


FORMS = {
    "unit": EditForm(make_unit, lambda u: reverse("units:edit", args=[u.pk]), _unit_post, lambda u: _reload(u).short_name),
    "person": EditForm(make_person, lambda p: reverse("units:person_edit", args=[p.pk]), _person_post,
                       lambda p: _reload(p).post),
    "account": EditForm(make_user, lambda a: reverse("accounts:edit", args=[a.pk]), _account_post,
                        lambda a: _reload(a).first_name, editor=Role.ADMIN),
    "special request": EditForm(lambda: make_request([make_unit()]), lambda r: reverse("submissions:request_edit", args=[r.pk]),
                                _request_post, lambda r: _reload(r).title),
    "urgent failure": EditForm(make_failure, lambda f: reverse("submissions:failure_edit", args=[f.pk]), _failure_post,
                               lambda f: _reload(f).description),
    "adoption": EditForm(make_adoption, lambda a: reverse("submissions:adoption_edit", args=[a.submission_id, a.pk]),
                         _adoption_post, lambda a: _reload(a).issue_no),
    "instruction": EditForm(make_instruction,
                            lambda i: reverse("submissions:instruction_edit", args=[i.submission_id, i.pk]),
                            _instruction_post, lambda i: _reload(i).content),
    "basic work": EditForm(lambda: make_basic_work(year=YEAR), lambda e: reverse("scoring:basic_unit", args=[e.unit_id, YEAR]),
                           _basic_post, lambda e: _reload(e).note),
    "carrier": EditForm(make_carrier, lambda c: reverse("editorial:carrier_edit", args=[c.pk]), _carrier_post,
                        lambda c: _reload(c).name, editor=Role.ADMIN),
    "draft issue entry": EditForm(_draft_entry, lambda e: reverse("editorial:entry_edit", args=[e.issue_id, e.pk]),
                                  _entry_post, lambda e: _reload(e).title),
    "rule set": EditForm(_editable_rule_set, lambda r: reverse("scoring:ruleset_edit", args=[r.pk]), _ruleset_post,
                         lambda r: _reload(r).params["basic_items"][0], editor=Role.ADMIN),
}


def _client(role: str, address: str) -> tuple[Client, User]:
    user = make_user(role, username=f"{role}-{address}")
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client, user


def _opened_version(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return int(response.context["form"]["version"].value())


@pytest.mark.parametrize("name", FORMS)
def test_a_stale_save_is_refused_with_who_and_when_and_keeps_what_was_typed(name):
    form = FORMS[name]
    obj = form.make()
    url = form.url(obj)
    first, _ = _client(form.editor, "10.0.0.1")
    second, other = _client(form.editor, "10.0.0.2")
    opened = _opened_version(first, url)

    assert second.post(url, {**form.post(obj, "乙先保存"), "version": opened}).status_code == 302
    change = recorded(kind=EventKind.UPDATE, model=obj._meta.label, object_id=obj.pk).last()
    assert change.username == other.username and change.address == "10.0.0.2"

    response = first.post(url, {**form.post(obj, "甲后保存"), "version": opened})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已被他人修改" in html and other.username in html and cn_date(change.at, "minute") in html
    assert "甲后保存" in html  # what A typed is still in the form
    assert form.read(obj) == "乙先保存"

    # Having seen the message, A saves again on purpose: the returned form carries the current version.
    returned = int(response.context["form"]["version"].value())
    assert first.post(url, {**form.post(obj, "甲后保存"), "version": returned}).status_code == 302
    assert form.read(obj) == "甲后保存"


@pytest.mark.parametrize("name", FORMS)
def test_a_form_without_its_version_saves_nothing(name):
    form = FORMS[name]
    obj = form.make()
    client, _ = _client(form.editor, "10.0.0.3")
    response = client.post(form.url(obj), form.post(obj, "没有版本"))
    assert response.status_code == 200 and "表单已失效，请刷新页面后重新填写。" in response.content.decode()
    assert form.read(obj) != "没有版本"


def test_a_basic_work_entry_entered_meanwhile_is_not_overwritten():
    """The form opened before any entry existed carries version 0: an entry made since is someone else's."""
    unit = make_unit()
    url = reverse("scoring:basic_unit", args=[unit.pk, YEAR])
    first, _ = _client(Role.STAFF, "10.0.0.4")
    second, other = _client(Role.STAFF, "10.0.0.5")
    assert _opened_version(first, url) == 0
    assert second.post(url, {**_basic_post(None, "乙先录入"), "version": 0}).status_code == 302
    response = first.post(url, {**_basic_post(None, "甲后录入"), "version": 0})
    assert "已被他人修改" in response.content.decode() and other.username in response.content.decode()
    assert BasicWorkEntry.objects.get(unit=unit).note == "乙先录入"


def test_the_item_form_names_who_changed_it_from_the_audit_trail():
    item = make_submission(title="原标题")
    url = reverse("submissions:edit", args=[item.pk])
    first, _ = _client(Role.STAFF, "10.0.0.6")
    second, other = _client(Role.STAFF, "10.0.0.7")
    opened = _opened_version(first, url)
    post = {"unit": item.unit_id, "title": "乙的标题", "info_type": item.info_type, "body": "",
            "submitted_at": timezone.localtime(item.submitted_at).strftime("%Y-%m-%dT%H:%M"), "version": opened}
    assert second.post(url, post).status_code == 302
    html = first.post(url, {**post, "title": "甲的标题"}).content.decode()
    assert "已被他人修改" in html and other.username in html and "甲的标题" in html


def test_the_message_shows_beijing_time(settings):
    """An audit record's time in UTC shows as Beijing time (UTC+8) in the message, in the one date format,
    whatever the server's time zone."""
    settings.TIME_ZONE = "UTC"
    unit = make_unit()
    AuditEvent.objects.create(at=dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.UTC), username="某人", kind=EventKind.UPDATE,
                              model=unit._meta.label, object_id=unit.pk)
    assert "某人于 2024年3月2日 07:30）" in StaleEdit(unit).message


def test_an_edit_on_the_admin_site_moves_the_version_on_so_an_older_form_is_refused():
    unit = make_unit(name="后台单位")
    person = make_person(unit, name="后台人员", post="信息科长")
    client, _ = _client(Role.STAFF, "10.0.0.8")
    opened = {url: _opened_version(client, url)
              for url in (reverse("units:edit", args=[unit.pk]), reverse("units:person_edit", args=[person.pk]))}
    root = make_user(Role.ADMIN, is_superuser=True, is_staff=True)
    admin = Client()
    admin.force_login(root)
    # The unit and, in its inline, the person, changed on the admin site.
    response = admin.post(reverse("admin:units_unit_change", args=[unit.pk]), {
        "name": "后台单位", "short_name": "后台改", "sequence": unit.sequence, "is_ranked": "on", "is_active": "on",
        "people-TOTAL_FORMS": "1", "people-INITIAL_FORMS": "1", "people-0-id": person.pk, "people-0-unit": unit.pk,
        "people-0-role": person.role, "people-0-name": "后台人员", "people-0-post": "后台改", "people-0-is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (_reload(unit).version, _reload(person).version) == (2, 2)
    inline = recorded(kind=EventKind.UPDATE, model="units.Person", object_id=person.pk).get()
    assert inline.username == root.username and inline.changes == {"职务": ["信息科长", "后台改"]}

    for url, post in zip(opened, (_unit_post(unit, "站内改"), _person_post(person, "站内改")), strict=True):
        html = client.post(url, {**post, "version": opened[url]}).content.decode()
        assert "已被他人修改" in html and root.username in html
    assert (_reload(unit).short_name, _reload(person).post) == ("后台改", "后台改")
