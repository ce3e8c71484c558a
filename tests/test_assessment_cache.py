"""Assessments computed once per state of the data: after every kind of write the cached scores and bulletin
numbers equal a recomputation (no write forgets to change the data version), pages show the new numbers, and a
write in one process is seen by another."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Role
from bulletins.publishing import publish_bulletin
from bulletins.services import _build_bulletin, build_bulletin
from scoring import basic_work, rulesets
from scoring.ledger import import_ledger
from scoring.models import BasicWorkEntry, RuleSet
from scoring.rules import RULES_2008
from scoring.services import _compute_scores, compute_scores, scores_json
from submissions import services
from submissions.models import Adoption, JointUnit, LeaderInstruction, Submission, UrgentFailure
from submissions.services import ItemInput
from submissions.tallies import rebuild_all_tallies
from tests.factories import (
    login,
    make_adoption,
    make_basic_work,
    make_request,
    make_submission,
    make_unit,
    make_user,
    shanghai,
)
from tests.ledger_builder import ledger_file
from units import versioning
from units.models import Unit

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2024, 3


def assert_fresh() -> None:
    """The cached year and bulletin equal a computation from the facts as they stand."""
    assert scores_json(compute_scores(YEAR, 12)) == scores_json(_compute_scores(YEAR, 12))
    assert scores_json(compute_scores(YEAR, MONTH)) == scores_json(_compute_scores(YEAR, MONTH))
    assert build_bulletin(YEAR, MONTH) == _build_bulletin(YEAR, MONTH)


def total(unit: Unit) -> Decimal:
    return next(s.total for s in compute_scores(YEAR, 12).scores if s.facts.unit_id == unit.pk)


def item_input(unit: Unit, joint=(), at=None, info_type="general") -> ItemInput:
    return ItemInput(unit=unit, title="测试", body="", info_type=info_type, submitted_at=at or shanghai(YEAR, MONTH, 5),
                     special_request=None, joint_units=list(joint))


def test_every_write_through_the_services_changes_the_cached_numbers():
    staff = make_user(Role.STAFF)
    first, second, third = make_unit(), make_unit(), make_unit()
    assert_fresh()
    item = services.report_item(item_input(first), user=staff, token=uuid.uuid4())
    assert_fresh()
    adoption = services.create_fact(
        Adoption, {"submission": item, "level": "city", "adoption_type": "general", "adopted_on": dt.date(YEAR, MONTH, 9)},
        user=staff, token=uuid.uuid4(),
    )
    assert_fresh()
    instruction = services.create_fact(
        LeaderInstruction, {"submission": item, "level": "city", "kind": "read", "instructed_on": dt.date(YEAR, MONTH, 10)},
        user=staff, token=uuid.uuid4(),
    )
    assert_fresh()
    for change in (item_input(second), item_input(second, joint=[third]), item_input(first, info_type="small_research")):
        item = services.correct_item(item, change, user=staff, version=Submission.objects.get(pk=item.pk).version)
        assert_fresh()
    services.mark_invalid(item, "重复", user=staff)
    assert_fresh()
    services.restore_item(item, user=staff)
    assert_fresh()
    services.update_fact(adoption, {"level": "province", "adoption_type": "general"}, user=staff,
                         version=adoption.version)
    assert_fresh()
    services.delete_fact(instruction, user=staff)
    assert_fresh()
    request = services.save_request(None, {"code": "ZY1", "title": "专约", "deadline": shanghai(YEAR, MONTH, 20)},
                                    [first, second], user=staff, token=uuid.uuid4())
    assert_fresh()
    services.save_request(request, {"deadline": shanghai(YEAR, 2, 20)}, [second], user=staff, version=request.version)
    assert_fresh()


def test_units_basic_work_failures_and_rule_sets_change_the_cached_numbers():
    staff = make_user(Role.ADMIN)
    unit = make_unit()
    make_submission(unit, submitted_at=shanghai(YEAR, MONTH, 2))
    assert_fresh()
    values = {f"item{i}": Decimal("4.5") for i in range(1, 9)} | {"method": "spot_check", "note": ""}
    basic_work.save_confirmed(unit, YEAR, values, staff, version=0)
    assert_fresh()
    UrgentFailure.objects.create(unit=unit, kind="late", occurred_on=dt.date(YEAR, MONTH, 3))
    assert_fresh()
    Unit.objects.filter(pk=unit.pk).update(sequence="district")
    assert_fresh()
    unit.is_ranked = False
    unit.save()
    assert_fresh()
    params = {**RULES_2008, "reporting_item_points": 30}
    strict = RuleSet.objects.create(name="严格", params=RULES_2008)
    rulesets.update_rule_set(strict, params, user=staff, version=strict.version)
    rulesets.assign_rule_set(YEAR, strict, user=staff)
    assert_fresh()
    assert compute_scores(YEAR, 12).rule_set_name == "严格"


def test_bulk_writes_imports_and_rebuilds_change_the_cached_numbers():
    units = [make_unit() for _ in range(3)]
    item = make_submission(units[0], joint=[units[1]], submitted_at=shanghai(YEAR, MONTH, 1))
    make_adoption(item, adopted_on=dt.date(YEAR, MONTH, 3))
    assert_fresh()
    JointUnit.objects.filter(submission=item).delete()
    assert_fresh()
    Submission.objects.bulk_create(
        Submission(ledger_no=f"BULK{i}", unit=units[2], title="批量", info_type="general",
                   submitted_at=shanghai(YEAR, MONTH, 2 + i)) for i in range(3)
    )
    assert_fresh()
    BasicWorkEntry.objects.bulk_create([BasicWorkEntry(unit=units[2], year=YEAR, status="confirmed",
                                                       **{f"item{i}": 5 for i in range(1, 9)})])
    assert_fresh()
    UrgentFailure.objects.bulk_create(  # INSERT OR IGNORE on SQLite
        [UrgentFailure(unit=units[2], kind="late", occurred_on=dt.date(YEAR, MONTH, 4))], ignore_conflicts=True
    )
    assert_fresh()
    Submission.objects.filter(unit=units[2]).update(is_invalid=True, invalid_reason="重复")
    rebuild_all_tallies()  # as after every bulk update
    assert_fresh()
    import_ledger(ledger_file({
        "单位": [{"单位名称": "道里区", "序列": "区政府"}],
        "报送": [{"信息编号": "A1", "单位名称": "道里区", "标题": "一", "报送时间": "2024-03-01 09:00", "信息类型": "一般动态"}],
    }))
    assert_fresh()


def test_a_rolled_back_write_leaves_no_numbers_behind():
    unit = make_unit()
    before = total(unit)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_basic_work(unit, year=YEAR)
        assert total(unit) > before  # computed, and cached, inside the transaction
        raise RuntimeError
    assert total(unit) == before
    make_submission(unit, submitted_at=shanghai(YEAR, 1, 2))  # the next write gets a token of its own
    assert_fresh()


def test_a_second_reading_is_one_query(django_assert_num_queries):
    make_submission(make_unit(), submitted_at=shanghai(YEAR, MONTH, 2))
    compute_scores(YEAR, 12)
    build_bulletin(YEAR, MONTH)
    with django_assert_num_queries(1):
        compute_scores(YEAR, 12)
    with django_assert_num_queries(1):
        build_bulletin(YEAR, MONTH)


def test_a_value_in_use_stays_while_many_others_come_and_go(monkeypatch):
    # A thousand officers each keep an item count; the year's scores, read between them, must not be pushed out.
    make_submission(make_unit(), submitted_at=shanghai(YEAR, MONTH, 2))
    compute_scores(YEAR, 12)
    monkeypatch.setattr("scoring.services._compute_scores", lambda *a: pytest.fail("computed again"))
    monkeypatch.setattr(versioning, "LOCAL_KEYS", 64)  # as with thousands, faster
    for n in range(3 * versioning.LOCAL_KEYS):
        versioning.cached(f"count:{n}", lambda n=n: n)
        compute_scores(YEAR, 12)
    assert len(versioning._local) == versioning.LOCAL_KEYS
    assert "count:0" not in versioning._local and f"count:{3 * versioning.LOCAL_KEYS - 1}" in versioning._local


def test_threads_of_one_process_compute_a_version_once(monkeypatch):
    # Threaded workers (GUNICORN_THREADS): the second thread waits for the first's value. No database here:
    # each thread would have a connection of its own, outside the test's transaction.
    monkeypatch.setattr(versioning, "current", lambda: versioning.Version("token", 1))
    started, release, calls = threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(10)
        return "value"

    results = []
    first = threading.Thread(target=lambda: results.append(versioning.cached("slow", slow)))
    first.start()
    started.wait(10)
    second = threading.Thread(target=lambda: results.append(versioning.cached("slow", slow)))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert results == ["value", "value"] and calls == [1]


def test_a_write_in_one_process_is_seen_by_another(settings, tmp_path, monkeypatch):
    # Two processes: each with its own memory, both with a shared cache (as with Redis).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path)}}
    memories = {"a": OrderedDict(), "b": OrderedDict()}

    def in_process(name: str):
        monkeypatch.setattr(versioning, "_local", memories[name])

    unit = make_unit()
    in_process("a")
    before = total(unit)
    in_process("b")
    with pytest.MonkeyPatch.context() as no_compute:  # b reads what a computed, from the shared cache
        no_compute.setattr("scoring.services._compute_scores", lambda *a: pytest.fail("computed twice"))
        assert total(unit) == before
    make_basic_work(unit, year=YEAR)  # written by b
    after = total(unit)
    assert after > before
    in_process("a")
    assert total(unit) == after


def test_a_write_in_another_process_is_seen_with_memory_caches_only():
    # The default: each process's memory; the other process is one whose memory holds the old numbers.
    unit = make_unit()
    before = total(unit)
    kept = dict(versioning._local)
    make_basic_work(unit, year=YEAR)
    versioning._local.update(kept)  # the other process still remembers the numbers before the write
    assert total(unit) > before


def test_pages_show_the_new_numbers_after_a_write(client):
    staff = make_user(Role.STAFF)
    unit = make_unit()
    make_request([unit], deadline=shanghai(YEAR, MONTH, 20))
    login(client, staff)
    ranking = reverse("scoring:ranking") + f"?year={YEAR}&through=12"
    card = reverse("scoring:scorecard", args=[unit.pk, YEAR]) + "?through=12"
    preview = reverse("bulletins:preview", args=[f"{YEAR}-{MONTH:02d}"])
    pages = [client.get(url).content for url in (ranking, card, preview)]
    response = client.post(reverse("submissions:create"), {
        "unit": unit.pk, "title": "新信息", "body": "", "info_type": "general", "submitted_at": "2024-03-05 09:00",
        "form_token": str(uuid.uuid4()),
    })
    assert response.status_code == 302
    assert_fresh()
    for url, old in zip((ranking, card, preview), pages, strict=True):
        assert client.get(url).content != old


def test_officer_pages_read_a_fixed_number_of_rows_whatever_the_number_of_units(client, django_assert_num_queries):
    own = make_unit()
    login(client, make_user(Role.OFFICER, own))
    # Session and user (with the unit), then the page's own: the home reads the data version (its requests, items
    # on the desk and joint items to confirm, and the year so far for the target planner, are kept under it), the
    # latest bulletin and the unit's rows of the latest versions (one query); the ranking and the scorecard read
    # cached values only (the data version, read once a request).
    pages = {
        reverse("home"): 5,
        reverse("scoring:scorecard", args=[own.pk, YEAR]) + "?through=12": 3,
        reverse("scoring:ranking") + f"?year={YEAR}&through=12": 3,  # the years to choose from kept with them
    }
    for n in (2, 40):
        for i in range(n):
            item = make_submission(make_unit(), joint=[own] if i % 2 else [], submitted_at=shanghai(YEAR, MONTH, 1 + i % 20))
            make_adoption(item, adopted_on=dt.date(YEAR, MONTH, 25))
        publish_bulletin(dt.date(YEAR, MONTH, 1), reason=f"第{n}次")
        for url, count in pages.items():
            client.get(url)  # the first view after the writes computes the assessment
            with django_assert_num_queries(count):
                assert client.get(url).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert "本单位在委办局序列中排名第" in home


def computations(monkeypatch) -> list[int]:
    """Counts whole computations of the year's scores (not the updates of a few units)."""
    made: list[int] = []

    def counted(year, through):
        made.append(year)
        return _compute_scores(year, through)

    monkeypatch.setattr("scoring.services._compute_scores", counted)
    return made


def test_reporting_and_adoptions_update_the_units_they_touch_and_nothing_else_computes_whole(monkeypatch):
    staff = make_user(Role.STAFF)
    first, second, joint = make_unit(), make_unit(), make_unit()
    other = make_submission(second, submitted_at=shanghai(YEAR, MONTH, 2))
    make_adoption(other, adopted_on=dt.date(YEAR, MONTH, 3))
    compute_scores(YEAR, 12)
    build_bulletin(YEAR, MONTH)
    made = computations(monkeypatch)
    bulletins = []
    monkeypatch.setattr("bulletins.services._build_bulletin", lambda year, month: bulletins.append(month))
    item = services.report_item(item_input(first, joint=[joint]), user=staff, token=uuid.uuid4())  # named by staff: confirmed
    assert_fresh()
    # The adoption's points are split with the joint unit: both units' scores change.
    adoption = services.create_fact(
        Adoption, {"submission": item, "level": "city", "adoption_type": "general", "adopted_on": dt.date(YEAR, MONTH, 9)},
        user=staff, token=uuid.uuid4(),
    )
    assert_fresh()
    services.update_fact(adoption, {"level": "province", "adoption_type": "general"}, user=staff, version=adoption.version)
    assert_fresh()
    failure = services.create_fact(UrgentFailure, {"unit": second, "kind": "late", "occurred_on": dt.date(YEAR, MONTH, 4)},
                                   user=staff, token=uuid.uuid4())
    assert_fresh()
    services.update_fact(failure, {"unit": first}, user=staff, version=failure.version)
    assert_fresh()
    services.delete_fact(Adoption.objects.get(pk=adoption.pk), user=staff)
    assert_fresh()
    services.report_item(item_input(second), user=staff, token=uuid.uuid4())
    assert_fresh()
    # The cache computed whole once, the first assessment through MONTH; after that it updated units only.
    assert made == [YEAR]
    assert bulletins == []
    assert total(joint) == next(s.total for s in _compute_scores(YEAR, 12).scores if s.facts.unit_id == joint.pk)


def test_a_write_is_bumped_at_the_end_of_its_transaction_not_at_its_first_statement(django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff, unit = make_user(Role.STAFF), make_unit()
    before = versioning.current()
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            services.report_item(item_input(unit), user=staff, token=uuid.uuid4())
            assert versioning.current() == before  # nothing bumped (nor locked) inside the transaction
            assert total(unit) > 0  # its own writes counted, computed without the cache
        after = versioning.current()
    statements = [q["sql"] for q in queries.captured_queries]
    bump = next(i for i, sql in enumerate(statements) if "INSERT INTO units_dataversion" in sql)
    release = max(i for i, sql in enumerate(statements) if sql.startswith("RELEASE SAVEPOINT"))
    # The last write of the transaction, committed with it: a reader that sees the new version sees the data.
    after_bump = [sql for sql in statements[bump + 1:release] if "units_unitchange" not in sql]
    assert bump < release and not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in after_bump)
    assert after.token == before.token and after.seq == before.seq + 1
    assert versioning.changed_units(before.seq, after.seq) == {unit.pk}
    with django_assert_max_num_queries(0):  # each process reads a number's units once
        assert versioning.changed_units(before.seq, after.seq) == {unit.pk}


def test_one_process_computes_a_version_while_the_others_wait_for_it(settings, tmp_path, monkeypatch):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(tmp_path)}}
    make_submission(make_unit(), submitted_at=shanghai(YEAR, MONTH, 2))
    version = versioning.current()
    key = f"scores:{YEAR}:12@{version}"
    expected = _compute_scores(YEAR, 12)
    cache.add(f"{key}:computing", 1)  # another process is computing it

    def other_process_finishes(seconds):
        cache.set(key, expected)

    monkeypatch.setattr(versioning.time, "sleep", other_process_finishes)
    monkeypatch.setattr("scoring.services._compute_scores", lambda *a: pytest.fail("computed twice"))
    assert scores_json(compute_scores(YEAR, 12)) == scores_json(expected)


def test_the_items_count_kept_for_an_officer_follows_every_write_of_its_unit(client):
    from submissions.access import visible_submissions

    staff = make_user(Role.STAFF)
    own, other = make_unit(), make_unit()
    officer = make_user(Role.OFFICER, own)
    login(client, officer)

    def shown() -> int:
        return client.get(reverse("submissions:list")).context["page"].paginator.count

    assert shown() == 0
    writes = [
        lambda: services.report_item(item_input(other), user=staff, token=uuid.uuid4()),  # kept: another unit's
        lambda: services.report_item(item_input(other, joint=[own]), user=staff, token=uuid.uuid4()),  # named
        lambda: services.report_item(item_input(own), user=staff, token=uuid.uuid4()),
        lambda: services.mark_invalid(Submission.objects.filter(unit=other).first(), "重复", user=staff),
        lambda: JointUnit.objects.filter(unit=own).delete(),
    ]
    for write in writes:
        write()
        assert shown() == visible_submissions(officer).count()
    assert shown() == 1


def test_the_ranking_tables_updated_after_a_write_equal_a_fresh_rendering(client):
    """The all-units ranking after a write starts from the tables before it (scoring/ranking_tables.py)."""
    from scoring import ranking_tables

    staff = make_user(Role.STAFF)
    units = [make_unit(sequence="district") for _ in range(4)]
    county = make_unit(sequence="county")
    for i, unit in enumerate([*units, county]):
        for day in range(i + 1):
            make_submission(unit, submitted_at=shanghai(YEAR, MONTH, 1 + day))
    login(client, staff)
    ranking = reverse("scoring:ranking") + f"?year={YEAR}&through=12"
    before = ranking_tables.all_units(compute_scores(YEAR, 12))
    client.get(ranking)
    for _ in range(3):  # the last unit climbs past the others, one place at a time
        services.report_item(item_input(units[0]), user=staff, token=uuid.uuid4())
        services.report_item(item_input(units[0]), user=staff, token=uuid.uuid4())
        kept = client.get(ranking).context["tables"]
        after = ranking_tables.all_units(compute_scores(YEAR, 12), before)
        # The county sequence had no write: its table is the one before; the district's was made again.
        assert [a is b for a, b in zip(before.sequences, after.sequences, strict=True)] == [False, True]
        assert after.html == kept
        ranking_tables._row_html.clear()
        ranking_tables._charts_kept.clear()
        versioning.forget_local()
        assert client.get(ranking).context["tables"] == kept
        before = ranking_tables.all_units(compute_scores(YEAR, 12))  # from the scores computed whole again
        assert before.html == kept


def test_the_scorecard_kept_after_a_write_equals_a_fresh_rendering_and_other_units_writes_compute_nothing(
        client, monkeypatch):
    """The scorecard's sections of the unit's own facts are kept per unit: after each kind of write they equal a
    rendering from scratch, show the new numbers after a write to the unit, and are not computed again after a
    write touching other units only."""
    from django.template.loader import render_to_string as views_render_to_string

    from scoring import views

    staff = make_user(Role.ADMIN)
    own, other = make_unit(), make_unit()
    login(client, staff)
    card = reverse("scoring:scorecard", args=[own.pk, YEAR]) + "?through=12"
    own_items = [services.report_item(item_input(own), user=staff, token=uuid.uuid4()) for _ in range(2)]
    their_item = services.report_item(item_input(other), user=staff, token=uuid.uuid4())
    built: list[str] = []  # the sections rendered

    def render_to_string(name, context):
        built.append(name)
        return views_render_to_string(name, context)

    monkeypatch.setattr(views, "render_to_string", render_to_string)

    def adopt(item: Submission, level: str = "city") -> Adoption:
        return services.create_fact(Adoption, {"submission": item, "level": level, "adoption_type": "general",
                                               "adopted_on": dt.date(YEAR, MONTH, 9)}, user=staff, token=uuid.uuid4())

    def fail(unit: Unit, day: int) -> UrgentFailure:
        return services.create_fact(UrgentFailure, {"unit": unit, "kind": "late", "occurred_on": dt.date(YEAR, MONTH, day)},
                                    user=staff, token=uuid.uuid4())

    basic = {f"item{i}": Decimal("4.5") for i in range(1, 9)} | {"method": "spot_check", "note": ""}
    kept, same, new = "kept", "same", "new"  # not computed; computed again (a new token), unchanged; changed
    writes = [
        (lambda: services.report_item(item_input(other), user=staff, token=uuid.uuid4()), kept),
        (lambda: adopt(their_item), kept),
        (lambda: fail(other, 4), kept),
        (lambda: basic_work.save_confirmed(other, YEAR, basic, staff, version=0), same),
        (lambda: services.report_item(item_input(own), user=staff, token=uuid.uuid4()), new),
        (lambda: adopt(own_items[0]), new),
        (lambda: services.update_fact(adoption := Adoption.objects.get(submission=own_items[0]),
                                      {"level": "province", "adoption_type": "general"}, user=staff,
                                      version=adoption.version), new),
        (lambda: services.create_fact(LeaderInstruction, {"submission": own_items[1], "level": "city", "kind": "read",
                                                          "instructed_on": dt.date(YEAR, MONTH, 10)},
                                      user=staff, token=uuid.uuid4()), new),
        (lambda: fail(own, 5), new),
        (lambda: services.update_fact(failure := UrgentFailure.objects.get(unit=other), {"unit": own}, user=staff,
                                      version=failure.version), new),
        (lambda: services.report_item(item_input(other, joint=[own]), user=staff, token=uuid.uuid4()), new),
        (lambda: adopt(Submission.objects.get(unit=other, joint_units__unit=own), "province"), new),
        (lambda: services.delete_fact(Adoption.objects.get(submission=own_items[0]), user=staff), new),
        (lambda: services.save_request(None, {"code": "ZY1", "title": "专约", "deadline": shanghai(YEAR, MONTH, 20)},
                                       [own], user=staff, token=uuid.uuid4()), new),
        (lambda: basic_work.save_confirmed(own, YEAR, basic, staff, version=0), new),
        (lambda: services.mark_invalid(own_items[1], "重复", user=staff), new),
    ]
    before = client.get(card).context["sections"]
    for write, expected in writes:
        write()
        built.clear()
        shown = client.get(card).context["sections"]
        assert (built == [], shown == before) == {kept: (True, True), same: (False, True), new: (False, False)}[expected]
        versioning.forget_local()
        assert client.get(card).context["sections"] == shown
        before = shown


def test_a_request_reads_the_data_version_once_and_again_after_its_own_write(django_assert_num_queries):
    unit, staff = make_unit(), make_user(Role.STAFF)
    versioning._request_started()  # as at request_started (sent here, it would also close the connection)
    try:
        first = versioning.current()
        with django_assert_num_queries(0):
            assert versioning.current() == first
        services.report_item(item_input(unit), user=staff, token=uuid.uuid4())
        after = versioning.current()
        assert after != first and after.seq == first.seq + 1
    finally:
        versioning._request_finished()
    with django_assert_num_queries(1):  # outside a request: read each time
        assert versioning.current() == after


def test_the_award_candidates_kept_after_touching_writes_equal_a_fresh_reading_and_are_not_read_whole(monkeypatch):
    """A finalized year's research candidates are updated for the units a report, adoption, instruction or failure
    touched (awards.eligibility.eligible), and equal a reading from scratch after each."""
    from awards import eligibility
    from awards.models import AwardKind
    from awards.services import finalize_year

    staff = make_user(Role.STAFF)
    own, partner, other = (make_unit(sequence="district") for _ in range(3))
    for unit in (own, partner, other):
        make_basic_work(unit, year=YEAR)
    researched = make_submission(own, info_type="small_research", submitted_at=shanghai(YEAR, MONTH, 2))
    make_adoption(researched, adoption_type="small_research", adopted_on=dt.date(YEAR, MONTH, 3))
    joint = make_submission(other, joint=[partner], info_type="small_research", submitted_at=shanghai(YEAR, MONTH, 4))
    result = finalize_year(YEAR)
    whole = []
    finder = eligibility.FINDERS[AwardKind.ORGANIZER]
    monkeypatch.setitem(eligibility.FINDERS, AwardKind.ORGANIZER, lambda r: whole.append(r) or finder(r))

    def adopt(item: Submission, level: str = "city", kind: str = "small_research") -> Adoption:
        return services.create_fact(Adoption, {"submission": item, "level": level, "adoption_type": kind,
                                               "adopted_on": dt.date(YEAR, MONTH, 9)}, user=staff, token=uuid.uuid4())

    writes = [
        lambda: services.report_item(item_input(own, info_type="small_research"), user=staff, token=uuid.uuid4()),
        lambda: adopt(joint),  # the partner's too
        lambda: adopt(researched, "province", "research"),
        lambda: services.update_fact(adoption := Adoption.objects.get(submission=joint), {"level": "city",
                                     "adoption_type": "general"}, user=staff, version=adoption.version),
        lambda: services.create_fact(LeaderInstruction, {"submission": researched, "level": "city", "kind": "affirm",
                                                         "instructed_on": dt.date(YEAR, MONTH, 10)},
                                     user=staff, token=uuid.uuid4()),
        lambda: services.delete_fact(Adoption.objects.get(submission=researched, level="city"), user=staff),
        lambda: services.create_fact(UrgentFailure, {"unit": other, "kind": "late", "occurred_on": dt.date(YEAR, MONTH, 4)},
                                     user=staff, token=uuid.uuid4()),
    ]
    before, changed = eligibility.eligible(result)[AwardKind.RESEARCH], []
    for write in writes:
        write()
        whole.clear()
        kept = eligibility.eligible(result)
        assert whole == []
        versioning.forget_local()
        assert kept == eligibility.eligible(result) and whole == [result]
        changed.append(kept[AwardKind.RESEARCH] != before)
        before = kept[AwardKind.RESEARCH]
    # A report without adoptions and a failure change no research candidate; every change of a research item does.
    assert changed == [False, True, True, True, True, True, False]


def test_the_bulletin_updated_after_touching_writes_equals_a_fresh_one_with_every_line_of_a_joint_item(
        django_assert_num_queries):
    """The bulletin's update (bulletins.services._update_bulletin) reads again the rows and directory lines of the
    units a write touched, an item's lines together: a joint unit's line of an item of another unit included."""
    staff = make_user(Role.STAFF)
    own, partner, bystander = (make_unit(sequence="bureau") for _ in range(3))
    kept = make_submission(bystander, submitted_at=shanghai(YEAR, MONTH, 2))
    make_adoption(kept, adopted_on=dt.date(YEAR, MONTH, 3))
    item = services.report_item(item_input(own, joint=[partner]), user=staff, token=uuid.uuid4())
    before = build_bulletin(YEAR, MONTH)
    adoption = services.create_fact(
        Adoption, {"submission": item, "level": "city", "adoption_type": "general", "adopted_on": dt.date(YEAR, MONTH, 9)},
        user=staff, token=uuid.uuid4(),
    )
    after = build_bulletin(YEAR, MONTH)
    assert after == _build_bulletin(YEAR, MONTH)
    assert [(e["unit_id"], e["submission_id"]) for e in after["adopted_items"]] == sorted(
        [(own.pk, item.pk), (partner.pk, item.pk), (bystander.pk, kept.pk)])
    # The bystander's row and line are the objects kept: nothing of it was read again.
    def bystanders(bulletin: dict) -> list[dict]:
        return [*(r for r in bulletin["units"] if r["unit_id"] == bystander.pk),
                *(e for e in bulletin["adopted_items"] if e["unit_id"] == bystander.pk)]

    assert all(a is b for a, b in zip(bystanders(after), bystanders(before), strict=True))
    services.create_fact(LeaderInstruction, {"submission": item, "level": "city", "kind": "read",
                                             "instructed_on": dt.date(YEAR, MONTH, 10)}, user=staff, token=uuid.uuid4())
    rebuild_all_tallies()
    # The version and its units (2), the rule set (2), the units (1); the touched units' month and year to date
    # (3 each); their items (2) and those items' lines (3). Whatever the number of units and items.
    with django_assert_num_queries(16):
        updated = build_bulletin(YEAR, MONTH)
    assert updated == _build_bulletin(YEAR, MONTH)
    services.delete_fact(Adoption.objects.get(pk=adoption.pk), user=staff)
    assert build_bulletin(YEAR, MONTH) == _build_bulletin(YEAR, MONTH)
    assert [e["submission_id"] for e in build_bulletin(YEAR, MONTH)["adopted_items"]] == [kept.pk]


def test_the_preview_rendered_after_each_kind_of_write_equals_a_fresh_rendering(client):
    """The staff's preview keeps each line's HTML by what it shows (bulletins.preview_lines): after each kind of write
    it equals a preview rendered from nothing kept."""
    from bulletins import preview_lines

    staff = make_user(Role.STAFF)
    first, second, joint = (make_unit(sequence=sequence) for sequence in ("district", "bureau", "bureau"))
    item = make_submission(second, submitted_at=shanghai(YEAR, MONTH, 2))
    make_adoption(item, adopted_on=dt.date(YEAR, MONTH, 3))
    login(client, staff)
    preview = reverse("bulletins:preview", args=[f"{YEAR}-{MONTH:02d}"])
    shown = [client.get(preview).context["notice_html"]]

    def adopt(item: Submission, level: str) -> Adoption:
        return services.create_fact(Adoption, {"submission": item, "level": level, "adoption_type": "general",
                                               "adopted_on": dt.date(YEAR, MONTH, 9)}, user=staff, token=uuid.uuid4())

    reported = services.report_item(item_input(first, joint=[joint]), user=staff, token=uuid.uuid4())
    writes = [
        lambda: adopt(reported, "city"),
        lambda: services.update_fact(adoption := Adoption.objects.get(submission=reported), {"level": "province",
                                     "adoption_type": "general"}, user=staff, version=adoption.version),
        lambda: services.create_fact(LeaderInstruction, {"submission": reported, "level": "city", "kind": "affirm",
                                                         "instructed_on": dt.date(YEAR, MONTH, 10)},
                                     user=staff, token=uuid.uuid4()),
        lambda: services.create_fact(UrgentFailure, {"unit": second, "kind": "late", "occurred_on": dt.date(YEAR, MONTH, 4)},
                                     user=staff, token=uuid.uuid4()),
        lambda: services.delete_fact(Adoption.objects.get(submission=item), user=staff),
        lambda: services.mark_invalid(reported, "重复", user=staff),  # a new token: computed whole
    ]
    for write in [lambda: None, *writes]:
        write()
        kept = client.get(preview).context["notice_html"]
        preview_lines._lines.clear()
        versioning.forget_local()
        assert client.get(preview).context["notice_html"] == kept
        shown.append(kept)
    assert len(set(shown)) == len(shown) - 1  # every write but the first (none) shows


def test_the_officers_panel_kept_after_each_write_equals_a_fresh_reading_and_other_units_writes_read_nothing(
        client, monkeypatch):
    """The start page's requests, desk items and joint items to confirm are kept per unit (submissions.panels):
    after each kind of write they equal a reading from scratch, are read again after a write to the unit, not after
    writes touching other units only; a request whose deadline passed leaves the panel without any write."""
    from types import SimpleNamespace

    from django.utils import timezone

    from editorial import services as desk
    from editorial.models import DecisionAction
    from submissions import panels

    staff, own, other = make_user(Role.STAFF), make_unit(), make_unit()
    officer = make_user(Role.OFFICER, own)
    login(client, officer)
    readings: list[str] = []  # the panel reads its rows' links once a reading
    links = panels.url_by_id
    monkeypatch.setattr(panels, "url_by_id", lambda name: readings.append(name) or links(name))
    soon = timezone.now() + dt.timedelta(hours=1)
    request = services.save_request(None, {"code": "ZY9", "title": "专约", "deadline": soon}, [own], user=staff,
                                    token=uuid.uuid4())

    def shown() -> tuple:
        panel = client.get(reverse("home")).context["panels"][0]
        return ([(r.pk, r.my_answer) for r in panel["requests"]], panel["to_confirm"],
                [(i.pk, i.desk_state, i.desk_note, [a.pk for a in i.adoption_list]) for i in panel["desk_items"]])

    answer = ItemInput(unit=own, title="作答", body="", info_type="general", submitted_at=timezone.now(),
                       special_request=request, joint_units=[])
    kept, read = "kept", "read"
    writes = [
        (lambda: services.report_item(item_input(other), user=staff, token=uuid.uuid4()), kept),
        (lambda: services.report_item(answer, user=officer, token=uuid.uuid4()), read),
        # Named by the other unit's officer: waits for this unit's confirmation.
        (lambda: services.report_item(item_input(other, joint=[own]), user=make_user(Role.OFFICER, other),
                                      token=uuid.uuid4()), read),
        (lambda: services.confirm_joint(JointUnit.objects.get(unit=own).submission_id, own.pk, user=officer), read),
        (lambda: desk.decide(item := Submission.objects.get(title="作答"), DecisionAction.RETURN, user=staff,
                             version=item.version, comment="请补充"), read),
        (lambda: services.create_fact(UrgentFailure, {"unit": other, "kind": "late", "occurred_on": dt.date(YEAR, MONTH, 4)},
                                      user=staff, token=uuid.uuid4()), kept),
    ]
    before = shown()
    for write, expected in writes:
        write()
        readings.clear()
        now = shown()
        assert (readings == [], now == before) == {kept: (True, True), read: (False, False)}[expected]
        versioning.forget_local()
        assert shown() == now
        before = now
    assert before[0][0][1] is not None and before[1] == 0 and before[2][0][2] == "请补充"
    monkeypatch.setattr(panels, "timezone", SimpleNamespace(now=lambda: soon + dt.timedelta(minutes=1)))
    readings.clear()
    assert shown()[0] == [] and readings == []  # the request closed: gone from the kept panel, nothing read
