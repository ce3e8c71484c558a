"""seed_demo: the real Harbin structure, people for every unit, one account per role; running it twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User
from editorial.models import IssueItem
from submissions.models import JointUnit
from units.models import PersonRole, Sequence, Unit

pytestmark = pytest.mark.django_db

YEAR = 2024


def _counts() -> dict[str, int]:
    """Rows of every model of the project's apps, so a duplicate anywhere (units, people, facts) shows."""
    project_apps = ("accounts", "units", "submissions", "scoring", "bulletins", "awards", "editorial")
    return {model._meta.label: model.objects.count() for app in project_apps for model in apps.get_app_config(app).get_models()}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", year=YEAR, stdout=out)
    return out.getvalue()


def test_seed_demo_twice_gives_the_same_counts():
    _seed()
    first = _counts()
    # Demo data changed by hand is put back, not duplicated.
    Unit.objects.filter(name="道里区").update(display_order=999, is_active=False)
    User.objects.filter(username="staff").update(is_active=False)
    _seed()
    assert _counts() == first
    assert first["units.Unit"] > 50 and first["accounts.User"] == len(DEMO_ACCOUNTS)
    assert first["bulletins.BulletinVersion"] == 12  # every month of the past demo year, published once
    assert 40 <= first["editorial.Issue"] <= 70 and first["editorial.IssueItem"] > 100  # about one issue a week
    # Each published item's adoption is dated and numbered as its issue.
    published = IssueItem.objects.filter(issue__status="published").select_related("issue", "adoption")
    assert all(e.adoption.adopted_on == e.issue.issued_on and e.adoption.issue_no == e.issue.number_label for e in published)
    daoli = Unit.objects.get(name="道里区")
    assert daoli.display_order == 10 and daoli.is_active
    assert User.objects.get(username="staff").is_active
    # One joint unit waits for its confirmation, so the demo shows it (RULES.md decision 10).
    pending = JointUnit.objects.pending().select_related("submission__unit", "unit").get()
    assert (pending.submission.unit.name, pending.unit.name, pending.submission.unit_count) == ("道里区", "南岗区", 1)


@pytest.fixture
def structure_only(monkeypatch):
    """The structure tests do not need the year of activity (harbin_infoassess.demo, tested with the facts)."""
    monkeypatch.setattr("harbin_infoassess.management.commands.seed_demo.seed_activity", lambda year: None)
    monkeypatch.setattr("harbin_infoassess.management.commands.seed_demo.seed_bulletins", lambda year: None)
    monkeypatch.setattr("harbin_infoassess.management.commands.seed_demo.seed_editorial", lambda year: None)


def test_seed_demo_builds_harbins_structure(structure_only):
    output = _seed()
    by_sequence = {s: Unit.objects.filter(sequence=s).count() for s in Sequence.values}
    assert by_sequence["district"] == 9 and by_sequence["county"] == 9
    assert by_sequence["bureau"] >= 30 and by_sequence["office_abroad"] >= 3
    central = set(Unit.objects.filter(is_central_provincial=True).values_list("name", flat=True))
    assert {"哈尔滨海关", "国家税务总局哈尔滨市税务局", "哈尔滨市气象局"} <= central
    assert Unit.objects.filter(is_central_provincial=True).exclude(sequence=Sequence.BUREAU).count() == 0
    assert list(Unit.objects.filter(is_ranked=False).values_list("name", flat=True)) == ["哈尔滨工业大学"]
    assert Unit.objects.get(name="市数据局").assessed_from.isoformat() == f"{YEAR}-07-01"
    # The office's order: districts as listed in HARBIN.md.
    districts = [u.name for u in Unit.objects.filter(sequence=Sequence.DISTRICT).in_office_order()]
    assert districts[:3] == ["道里区", "道外区", "南岗区"]

    # Every unit has its three-level responsibility chain (RULES.md Art. 7.1).
    for unit in Unit.objects.prefetch_related("people"):
        roles = [p.role for p in unit.people.all()]
        assert roles.count(PersonRole.LEADER_IN_CHARGE) == 1, unit
        assert roles.count(PersonRole.SUPERVISING_LEADER) == 1, unit
        assert 1 <= roles.count(PersonRole.INFORMATION_OFFICER) <= 3, unit
        assert all(p.name and p.post and p.phone for p in unit.people.all()), unit

    # One account per role, printed with the password, and able to log in.
    assert DEMO_PASSWORD in output
    for username, _name, role, unit_name in DEMO_ACCOUNTS:
        assert username in output
        account = User.objects.get(username=username)
        assert account.role == role and (account.unit.name if account.unit else None) == unit_name
        assert Client().post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
