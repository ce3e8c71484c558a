"""The facts' history before the audit trail (FactChange) is copied into it by the migration (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0001_initial"), ("units", "0002_central_provincial_is_bureau"), ("submissions", "0004_month_tallies"),
          ("audit", None)]
AFTER = [("submissions", "0006_edit_versions_history_to_audit")]


def _migrate(targets):
    """Migrate to `targets` and give the apps as they were there (None: the app not migrated at all)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_fact_history_is_copied_into_the_audit_trail():
    old = _migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Unit = old.get_model("units", "Unit")
    Submission = old.get_model("submissions", "Submission")
    FactChange = old.get_model("submissions", "FactChange")
    user = User.objects.create(username="history-user")
    unit = Unit.objects.create(name="道里区", sequence="district")
    item = Submission.objects.create(unit=unit, ledger_no="M1", title="旧信息", info_type="general",
                                     submitted_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC))
    at = dt.datetime(2024, 3, 2, 1, 0, tzinfo=dt.UTC)
    FactChange.objects.create(model="Submission", object_id=item.pk, submission=item, action="update", summary="M1 旧信息",
                              changes={"标题": ["甲", "旧信息"]}, user=user)
    FactChange.objects.create(model="Adoption", object_id=7, submission=item, action="delete", summary="市采用", user=None)
    FactChange.objects.create(model="ledger", object_id=0, action="import", summary="台账导入：…", user=user)
    FactChange.objects.update(at=at)

    new = _migrate(AFTER)
    AuditEvent = new.get_model("audit", "AuditEvent")
    events = {e.model: e for e in AuditEvent.objects.all()}
    assert set(events) == {"submissions.Submission", "submissions.Adoption", ""}
    edit = events["submissions.Submission"]
    assert (edit.kind, edit.object_id, edit.at, edit.user_id, edit.username) == ("update", item.pk, at, user.pk, "history-user")
    assert edit.changes == {"标题": ["甲", "旧信息"]} and (edit.unit_id, edit.unit_name) == (unit.pk, "道里区")
    fact = events["submissions.Adoption"]
    assert (fact.kind, fact.parent_model, fact.parent_id, fact.username) == ("delete", "submissions.Submission", item.pk, "")
    assert (events[""].kind, events[""].object_id) == ("import", None)
    _latest()  # leave the database as the other tests expect it
