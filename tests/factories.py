"""Plain factory functions for tests: `make_x(**kw)` with defaults set by `kw.setdefault`."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.models import Role, User
from audit.models import SECURITY_KINDS, AuditEvent
from editorial.models import Carrier, Issue, IssueItem
from scoring.models import BasicWorkEntry, BasicWorkStatus, RuleSet
from scoring.rulesets import PARAM_FIELDS, read
from submissions.models import (
    Adoption,
    JointUnit,
    LeaderInstruction,
    SpecialRequest,
    Submission,
    UrgentFailure,
    unit_count,
)
from units.models import Person, PersonRole, Sequence, Unit

_seq = itertools.count(1)
# The access personas of make_personas, in the order the tests try them.
PERSONAS = ("admin", "staff", "officer_a", "officer_b", "viewer", "anonymous")
OFFICE = {"admin", "staff"}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PASSWORD = "test-pass-123"


def shanghai(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_unit(**kw) -> Unit:
    n = next(_seq)
    kw.setdefault("name", f"测试单位{n}")
    kw.setdefault("sequence", Sequence.BUREAU)
    return Unit.objects.create(**kw)


def make_person(unit: Unit | None = None, **kw) -> Person:
    kw.setdefault("role", PersonRole.INFORMATION_OFFICER)
    kw.setdefault("name", f"人员{next(_seq)}")
    return Person.objects.create(unit=unit or make_unit(), **kw)


def make_user(role: str = Role.VIEWER, unit: Unit | None = None, **kw) -> User:
    kw.setdefault("username", f"user{next(_seq)}")
    if role == Role.OFFICER and unit is None:
        unit = make_unit()
    user = User(role=role, unit=unit, **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_submission(unit: Unit | None = None, joint: list[Unit] = (), pending: list[Unit] = (), **kw) -> Submission:
    """An item; `joint` units are confirmed (as the office enters them), `pending` ones wait for confirmation."""
    kw.setdefault("ledger_no", f"T{next(_seq):06d}")
    kw.setdefault("title", "测试信息")
    kw.setdefault("info_type", "general")
    kw.setdefault("submitted_at", timezone.now() - dt.timedelta(days=1))
    if kw.get("invalid_reason"):
        kw.setdefault("is_invalid", True)
    item = Submission.objects.create(unit=unit or make_unit(), unit_count=unit_count(joint), **kw)
    JointUnit.objects.bulk_create(
        [*(JointUnit(submission=item, unit=u, confirmed=True) for u in joint),
         *(JointUnit(submission=item, unit=u) for u in pending)]
    )
    return item


def make_adoption(submission: Submission | None = None, **kw) -> Adoption:
    kw.setdefault("level", "city")
    kw.setdefault("adoption_type", "general")
    kw.setdefault("adopted_on", timezone.localdate() - dt.timedelta(days=1))
    return Adoption.objects.create(submission=submission or make_submission(), **kw)


def make_instruction(submission: Submission | None = None, **kw) -> LeaderInstruction:
    kw.setdefault("level", "city")
    kw.setdefault("kind", "read")
    kw.setdefault("instructed_on", timezone.localdate() - dt.timedelta(days=1))
    kw.setdefault("leader", f"领导{next(_seq)}")
    return LeaderInstruction.objects.create(submission=submission or make_submission(), **kw)


def make_failure(unit: Unit | None = None, **kw) -> UrgentFailure:
    kw.setdefault("kind", "late")
    kw.setdefault("occurred_on", timezone.localdate() - dt.timedelta(days=1))
    return UrgentFailure.objects.create(unit=unit or make_unit(), **kw)


def make_request(targets: list[Unit] = (), **kw) -> SpecialRequest:
    kw.setdefault("code", f"ZY{next(_seq):04d}")
    kw.setdefault("title", "专约测试")
    kw.setdefault("deadline", timezone.now() + dt.timedelta(days=7))
    request = SpecialRequest.objects.create(**kw)
    request.targets.set(targets)
    return request


def make_carrier(**kw) -> Carrier:
    kw.setdefault("name", f"测试刊物{next(_seq)}")
    kw.setdefault("level", "city")
    kw.setdefault("adoption_type", "general")
    return Carrier.objects.create(**kw)


def make_issue(carrier: Carrier | None = None, items: list[Submission] = (), **kw) -> Issue:
    """A draft issue of `carrier` holding `items` in order (their desk state set to 拟采用)."""
    issue = Issue.objects.create(carrier=carrier or make_carrier(), **kw)
    carrier = issue.carrier
    IssueItem.objects.bulk_create(
        IssueItem(issue=issue, submission=item, position=n, title=item.title, body=item.body,
                  adoption_type=carrier.adoption_type or "general")
        for n, item in enumerate(items, start=1)
    )
    Submission.objects.filter(pk__in=[item.pk for item in items]).update(desk_state="selected")
    return issue


def make_basic_work(unit: Unit | None = None, items: list[str | Decimal] | None = None, **kw) -> BasicWorkEntry:
    kw.setdefault("year", timezone.localdate().year)
    kw.setdefault("status", BasicWorkStatus.CONFIRMED)
    values = [Decimal(str(v)) for v in (items or ["5"] * 8)]
    fields = {f"item{i}": v for i, v in enumerate(values, start=1)}
    return BasicWorkEntry.objects.create(unit=unit or make_unit(), **fields, **kw)


def make_personas(unit_a: Unit | None = None, unit_b: Unit | None = None) -> dict[str, User | None]:
    """The access personas: admin, staff, officer of unit A, officer of unit B, viewer, anonymous (None)."""
    return {
        "admin": make_user(Role.ADMIN),
        "staff": make_user(Role.STAFF),
        "officer_a": make_user(Role.OFFICER, unit_a or make_unit()),
        "officer_b": make_user(Role.OFFICER, unit_b or make_unit()),
        "viewer": make_user(Role.VIEWER),
        "anonymous": None,
    }


def make_scored_unit(sequence: str, instructions: int, year: int = 2024, **kw) -> Unit:
    """A ranked unit with a full basic-work entry and one item of `year` carrying `instructions` city
    "read" instructions, so units differ only by 2 points per instruction (RULES.md Art. 9)."""
    unit = make_unit(sequence=sequence, **kw)
    make_basic_work(unit, year=year)
    item = make_submission(unit, submitted_at=shanghai(year, 3, 1))
    LeaderInstruction.objects.bulk_create(
        LeaderInstruction(submission=item, level="city", kind="read", instructed_on=dt.date(year, 3, 2), leader=f"领导{i}")
        for i in range(instructions)
    )
    return unit


def login(client, user: User | None):
    """The test client as `user` (None: an anonymous visitor)."""
    if user is not None:
        client.force_login(user)
    return client


# Every table a ledger import writes, to prove that a refused import wrote nothing.
MODELS = [
    Unit,
    SpecialRequest,
    SpecialRequest.targets.through,
    Submission,
    JointUnit,
    Adoption,
    LeaderInstruction,
    UrgentFailure,
    BasicWorkEntry,
    AuditEvent,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# Races, on a database that really runs transactions side by side.
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")


def run_together(*calls) -> list:
    """Start the calls at the same moment in threads, each on its own connection; their results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, call) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each call raised
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def recorded(**filters) -> QuerySet[AuditEvent]:
    """The audit records of changes (not logins, refusals and the other security events), oldest first."""
    return AuditEvent.objects.exclude(kind__in=SECURITY_KINDS).filter(**filters).order_by("at", "id")


def ruleset_form_data(rule_set: RuleSet, **changes) -> dict[str, str]:
    """The edit form as the browser posts it, with the rule set's current values and `changes`."""
    data = {"version": rule_set.version}
    for field in PARAM_FIELDS:
        value = read(rule_set.params, field.path)
        if field.kind == "switch":
            if value:
                data[field.name] = "on"
        elif field.kind == "lines":
            data[field.name] = "\n".join(value)
        else:
            data[field.name] = str(value)
    data.update(changes)
    return data


def run_queued_tasks() -> int:
    """Run the queued background tasks here, in this process and transaction, as `manage.py db_worker --batch`
    would: each is claimed and run by the database backend's own worker; returns how many ran."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test-worker", excluded_queue_names=[])
    count = 0
    while (task_result := DBTaskResult.objects.ready().first()) is not None:
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        count += 1
    return count
