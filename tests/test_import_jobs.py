"""Ledger imports as background jobs (issue 13): lifecycle, cancel, dead workers, progress, history, downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from audit.models import AuditEvent, EventKind
from scoring import imports, ledger
from scoring.models import ImportJob, ImportStage, ImportStatus
from submissions.models import Adoption, Submission
from submissions.services import history_of
from tests.factories import make_user
from tests.ledger_builder import INVALID_LEDGER, ledger_bytes, write_ledger
from units.models import Unit

pytestmark = pytest.mark.django_db

GOOD = {
    "单位": [{"单位名称": "道里区", "序列": "区政府"}, {"单位名称": "南岗区", "序列": "区政府"}],
    "报送": [
        {"信息编号": f"DL-{i:03d}", "单位名称": "道里区", "标题": f"第{i}条", "报送时间": "2024-03-01 09:00",
         "信息类型": "一般动态"}
        for i in range(1, 6)
    ],
    "采用": [{"信息编号": "DL-001", "采用层级": "市", "采用类型": "一般动态", "采用日期": "2024-03-05"}],
}
BAD = INVALID_LEDGER


def _start(sheets, user, name: str = "台账.xlsx") -> ImportJob:
    return imports.start_import(SimpleUploadedFile(name, ledger_bytes(sheets)), _request(user))


def _request(user, address: str = "10.1.2.3"):
    request = RequestFactory().post("/scoring/import/", REMOTE_ADDR=address)
    request.user = user
    return request


def _facts() -> list[tuple]:
    """What the import wrote, as plain values to compare two imports by."""
    units = sorted(Unit.objects.filter(name__in=["道里区", "南岗区"]).values_list("name", "sequence", "is_ranked"))
    items = sorted(Submission.objects.values_list("ledger_no", "unit__name", "title", "submitted_at", "info_type"))
    adoptions = sorted(Adoption.objects.values_list("submission__ledger_no", "level", "adoption_type", "adopted_on"))
    return [units, items, adoptions]


def _reload(job: ImportJob) -> ImportJob:
    return ImportJob.objects.get(pk=job.pk)


@contextmanager
def _worker_running(job: ImportJob) -> Iterator[None]:
    """A worker elsewhere holds the job: its own database session (PostgreSQL) or its own file handle."""
    worker = connection.copy() if connection.vendor == "postgresql" else connection
    try:
        with imports.worker_lock(job.pk, worker) as taken:
            assert taken
            yield
    finally:
        if worker is not connection:
            worker.close()


# ---------------------------------------------------------------- lifecycle


def test_a_job_is_queued_then_run_by_the_worker_to_done(personas, run_tasks):
    content = ledger_bytes(GOOD)
    job = imports.start_import(SimpleUploadedFile("三月台账.xlsx", content), _request(personas["staff"]))
    assert (job.status, job.stage, job.started_at) == (ImportStatus.QUEUED, "", None)
    assert (job.file_name, job.size, job.sha256) == ("三月台账.xlsx", len(content), hashlib.sha256(content).hexdigest())
    assert job.file.read() == content and "三月" not in job.file.name  # stored under a name of ours
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"

    assert run_tasks() == 1
    job = _reload(job)
    assert job.status == ImportStatus.DONE and job.reason == "" and job.problems == []
    assert job.started_at <= job.finished_at
    assert job.summary["报送"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert job.summary["采用"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert Submission.objects.count() == 5
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    # On the audit trail as the uploader's import, from the address of the upload.
    imported = AuditEvent.objects.get(kind=EventKind.IMPORT)
    # The items it created share one record (one per batch), which each item's history shows.
    created = AuditEvent.objects.get(kind=EventKind.CREATE, model="submissions.Submission")
    assert "新增 5 条" in created.summary
    assert {(e.user, e.address) for e in [imported, created]} == {(personas["staff"], "10.1.2.3")}
    assert all(created in history_of(item) for item in Submission.objects.all())
    adoption, adopted = Adoption.objects.get(), AuditEvent.objects.get(kind=EventKind.CREATE, model="submissions.Adoption")
    assert adopted in history_of(adoption) and adopted in history_of(adoption.submission)


def test_an_invalid_ledger_fails_with_its_problems_and_writes_nothing(personas, run_tasks):
    job = _start(BAD, personas["staff"])
    run_tasks()
    job = _reload(job)
    assert job.status == ImportStatus.FAILED and job.problem_total == 2 and "未导入任何数据" in job.reason
    assert [(p["sheet"], p["row"], p["column"], p["value"]) for p in job.problems] == [
        ("报送", 3, "单位名称", "不存在区"),
        ("报送", 4, "信息类型", "小道消息"),
    ]
    assert not Submission.objects.exists() and not Unit.objects.filter(name="道里区").exists()


def test_a_queued_job_cancelled_never_runs(personas, run_tasks):
    job = _start(GOOD, personas["staff"])
    assert imports.cancel_import(job)
    run_tasks()
    job = _reload(job)
    assert job.status == ImportStatus.CANCELLED and job.started_at is None
    assert not Submission.objects.exists()


def test_a_job_cancelled_while_checking_stops_before_writing(personas, run_tasks, monkeypatch):
    monkeypatch.setattr(ledger, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "FLUSH_SECONDS", 0)
    job = _start(GOOD, personas["staff"])
    report_rows = imports.JobProgress.rows

    def cancel_on_the_first_rows(progress, sheet, done):
        # The office clicks "cancel" while the worker is checking the first sheet.
        assert _reload(job).stage == ImportStage.CHECKING
        assert imports.cancel_import(job)
        report_rows(progress, sheet, done)

    monkeypatch.setattr(imports.JobProgress, "rows", cancel_on_the_first_rows)
    run_tasks()
    job = _reload(job)
    assert job.status == ImportStatus.CANCELLED and "未写入任何数据" in job.reason
    assert not Submission.objects.exists() and not Unit.objects.filter(name="道里区").exists()


def test_a_job_that_is_writing_can_no_longer_be_cancelled(personas):
    job = _start(GOOD, personas["staff"])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, stage=ImportStage.WRITING)
    assert not imports.cancel_import(_reload(job))
    assert _reload(job).status == ImportStatus.RUNNING and not _reload(job).cancel_requested


def test_a_worker_dying_mid_write_leaves_no_partial_rows_and_the_job_failed(personas, run_tasks, monkeypatch):
    def crash(*args, **kwargs):
        raise MemoryError  # the last sheet's write: units and items are written by now, in the transaction

    monkeypatch.setattr(ledger, "_write_basic", crash)
    job = _start(GOOD, personas["staff"])
    run_tasks()
    job = _reload(job)
    assert job.status == ImportStatus.FAILED and "MemoryError" in job.reason and "未写入任何数据" in job.reason
    assert not Submission.objects.exists() and not Adoption.objects.exists()
    assert not Unit.objects.filter(name__in=["道里区", "南岗区"]).exists()

    monkeypatch.undo()
    again = imports.retry_import(job, _request(personas["admin"]))
    assert (again.file.name, again.sha256, again.user) == (job.file.name, job.sha256, personas["admin"])
    run_tasks()
    assert _reload(again).status == ImportStatus.DONE and Submission.objects.count() == 5


def test_a_worker_terminated_during_the_task_is_shown_as_failed(personas, run_tasks, monkeypatch, client):
    def terminated(*args, **kwargs):
        raise SystemExit(1)  # a second SIGTERM: db_worker exits mid-task and records the task as failed

    monkeypatch.setattr(imports, "import_ledger", terminated)
    job = _start(GOOD, personas["staff"])
    run_tasks()
    assert _reload(job).status == ImportStatus.RUNNING  # the worker never came back to finish it
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    client.force_login(personas["staff"])
    html = client.get(reverse("scoring:import_job", args=[job.pk])).content.decode()
    job = _reload(job)
    assert job.status == ImportStatus.FAILED and "SystemExit" in job.reason and "重新导入" in html


def test_a_running_job_is_dead_once_its_worker_no_longer_holds_its_lock(personas):
    dead, alive = _start(GOOD, personas["staff"]), _start(GOOD, personas["staff"])
    ImportJob.objects.filter(pk__in=[dead.pk, alive.pk]).update(status=ImportStatus.RUNNING, stage=ImportStage.WRITING)
    with _worker_running(alive):
        imports.fail_dead_jobs()
    assert _reload(dead).status == ImportStatus.FAILED and "后台进程已中断" in _reload(dead).reason
    assert _reload(alive).status == ImportStatus.RUNNING
    assert not Submission.objects.exists()


# ---------------------------------------------------------------- progress


def _running(user, **fields) -> ImportJob:
    job = _start(GOOD, user)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, **fields)
    return _reload(job)


def test_job_view_works_out_percent_elapsed_and_estimate(personas):
    now = timezone.now()
    job = _running(
        personas["staff"],
        stage=ImportStage.CHECKING,
        rows_total={"单位": 0, "报送": 1000, "采用": 500},
        rows_done={"报送": 300},
        started_at=now - dt.timedelta(seconds=12),
        stage_started_at=now - dt.timedelta(seconds=10),
    )
    view = imports.job_view(job, now)
    assert [(s.sheet, s.done, s.total) for s in view.sheets] == [("报送", 300, 1000), ("采用", 0, 500)]
    assert view.percent == 300 * 100 // 1500
    assert view.elapsed == dt.timedelta(seconds=12)
    # 300 rows in 10 s: the 1,200 left take 40 s.
    assert view.remaining == dt.timedelta(seconds=40) and view.remaining_text == "40秒"

    unknown = imports.job_view(_running(personas["staff"], rows_total={"报送": None}, rows_done={"报送": 7}), now)
    assert unknown.percent is None and unknown.remaining is None


def test_the_status_fragment_shows_rows_per_sheet(client, personas, django_assert_num_queries):
    job = _running(
        personas["staff"],
        stage=ImportStage.CHECKING,
        rows_total={"报送": 1000, "采用": 500},
        rows_done={"报送": 1000, "采用": 125},
        started_at=timezone.now(),
        stage_started_at=timezone.now(),
    )
    client.force_login(personas["staff"])
    url = reverse("scoring:import_job_status", args=[job.pk])
    with _worker_running(job), django_assert_num_queries(5):  # session, user, unfinished jobs, task results, job
        html = client.get(url).content.decode()
    assert 'data-finished="0"' in html and 'value="75" max="100"' in html  # 1,125 of 1,500 rows
    assert '<td>报送</td><td class="num">1000</td><td class="num">1000</td>' in html
    assert '<td>采用</td><td class="num">125</td><td class="num">500</td>' in html
    assert "取消导入" in html and "检查阶段" in html


def test_progress_is_recorded_on_the_job_stage_by_stage(personas, run_tasks, monkeypatch):
    monkeypatch.setattr(ledger, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(imports, "FLUSH_SECONDS", 0)
    seen = []
    flush = imports.JobProgress._flush

    def record(progress):
        flush(progress)
        job = _reload(progress.job)
        seen.append((job.stage, dict(job.rows_done)))

    monkeypatch.setattr(imports.JobProgress, "_flush", record)
    _start(GOOD, personas["staff"])
    run_tasks()
    checking = [done for stage, done in seen if stage == ImportStage.CHECKING]
    writing = [done for stage, done in seen if stage == ImportStage.WRITING]
    assert checking[0] == {} and {"单位": 2, "报送": 2} in checking and {"单位": 2, "报送": 5, "采用": 1} in checking
    assert writing[-1] == {"单位": 2, "专约": 0, "报送": 5, "采用": 1, "批示": 0, "紧急信息问题": 0, "基础工作": 0}
    assert seen[-1][0] == ImportStage.REBUILDING


# ---------------------------------------------------------------- the page's buttons


@pytest.mark.parametrize(("persona", "status"), [("officer_a", 403), ("viewer", 403), ("anonymous", 302)])
def test_job_pages_and_buttons_are_for_office_staff(client, personas, persona, status):
    job = _start(BAD, personas["staff"])
    if personas[persona]:
        client.force_login(personas[persona])
    for name in ("import_job", "import_job_status", "import_job_file"):
        assert client.get(reverse(f"scoring:{name}", args=[job.pk])).status_code == status
    for name in ("import_job_cancel", "import_job_retry"):
        assert client.post(reverse(f"scoring:{name}", args=[job.pk])).status_code == status
    assert _reload(job).status == ImportStatus.QUEUED and ImportJob.objects.count() == 1


def test_the_job_page_in_a_fixed_number_of_queries(client, personas, run_tasks, django_assert_num_queries):
    job = _start(INVALID_LEDGER, personas["staff"])
    run_tasks()
    client.force_login(personas["admin"])
    with django_assert_num_queries(4):  # session, user, unfinished jobs, the job with its user
        html = client.get(reverse("scoring:import_job", args=[job.pk])).content.decode()
    assert "未导入" in html and _reload(job).sha256 in html and "import_job.js" in html


def test_an_unknown_job_is_404(client, personas):
    client.force_login(personas["staff"])
    for name in ("import_job", "import_job_status", "import_job_file", "import_job_problems"):
        assert client.get(reverse(f"scoring:{name}", args=[999999])).status_code == 404


def test_cancel_and_retry_buttons(client, personas, run_tasks):
    client.force_login(personas["staff"])
    job = _start(GOOD, personas["admin"])
    response = client.post(reverse("scoring:import_job_cancel", args=[job.pk]), follow=True)
    assert "已取消导入" in response.content.decode() and _reload(job).status == ImportStatus.CANCELLED
    response = client.post(reverse("scoring:import_job_cancel", args=[job.pk]), follow=True)
    assert "不能再取消" in response.content.decode()

    response = client.post(reverse("scoring:import_job_retry", args=[job.pk]))
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert response.url == reverse("scoring:import_job", args=[again.pk]) and again.user == personas["staff"]
    run_tasks()
    assert _reload(again).status == ImportStatus.DONE
    response = client.post(reverse("scoring:import_job_retry", args=[again.pk]), follow=True)
    assert "只有未导入或已取消的导入可以重新导入" in response.content.decode() and ImportJob.objects.count() == 2


def test_the_cancel_and_retry_buttons_take_only_post(client, personas):
    client.force_login(personas["staff"])
    job = _start(GOOD, personas["staff"])
    assert client.get(reverse("scoring:import_job_cancel", args=[job.pk])).status_code == 405
    assert _reload(job).status == ImportStatus.QUEUED


# ---------------------------------------------------------------- the problems workbook


def test_the_problems_workbook_lists_sheet_row_column_value_and_message(client, personas, run_tasks):
    job = _start(BAD, personas["staff"], name="有问题的台账.xlsx")
    run_tasks()
    client.force_login(personas["staff"])
    response = client.get(reverse("scoring:import_job_problems", args=[job.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "台账问题清单：有问题的台账.xlsx" and "共 2 个问题" in rows[1][0]
    assert rows[2] == ["工作表", "行", "列", "值", "问题"]
    messages = {p["column"]: p["message"] for p in _reload(job).problems}
    assert rows[3:] == [
        ["报送", 3, "单位名称", "不存在区", messages["单位名称"]],
        ["报送", 4, "信息类型", "小道消息", messages["信息类型"]],
    ]


def test_a_job_without_problems_has_no_problems_workbook(client, personas, run_tasks):
    job = _start(GOOD, personas["staff"])
    run_tasks()
    client.force_login(personas["staff"])
    assert client.get(reverse("scoring:import_job_problems", args=[job.pk])).status_code == 404


# ---------------------------------------------------------------- history and the original file


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("staff", 200), ("officer_a", 403), ("officer_b", 403), ("viewer", 403), ("anonymous", 302)],
)
def test_the_history_is_for_office_staff(client, personas, persona, status):
    _start(GOOD, personas["staff"])
    if personas[persona]:
        client.force_login(personas[persona])
    assert client.get(reverse("scoring:import_history")).status_code == status


def test_the_history_lists_every_import_in_a_fixed_number_of_queries(client, personas, run_tasks, django_assert_num_queries):
    good, bad = _start(GOOD, personas["staff"], "好.xlsx"), _start(BAD, personas["admin"], "坏.xlsx")
    run_tasks()
    for _ in range(30):
        _start(GOOD, make_user("staff"))
    client.force_login(personas["admin"])
    url = reverse("scoring:import_history")
    with django_assert_num_queries(6):  # session, user, unfinished jobs, their task results, count, page
        html = client.get(url).content.decode()
    for job in (_reload(good), _reload(bad)):
        assert job.file_name in html and job.sha256 in html and reverse("scoring:import_job_file", args=[job.pk]) in html
    assert "已完成" in html and "未导入（2 个问题）" in html and "排队中" in html


def test_the_original_file_downloads_again_for_staff_only(client, personas):
    content = ledger_bytes(GOOD)
    job = imports.start_import(SimpleUploadedFile("三月台账.xlsx", content), _request(personas["staff"]))
    url = reverse("scoring:import_job_file", args=[job.pk])
    client.force_login(personas["officer_a"])
    assert client.get(url).status_code == 403
    client.force_login(personas["admin"])
    response = client.get(url)
    assert b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"] and quote("三月台账.xlsx") in response["Content-Disposition"]
    job.file.delete(save=False)
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- the page and the command alike


def test_the_page_and_the_command_give_the_same_result(client, personas, run_tasks, tmp_path):
    path = write_ledger(tmp_path / "台账.xlsx", GOOD)
    client.force_login(personas["staff"])
    with transaction.atomic():
        client.post(reverse("scoring:import"), {"file": SimpleUploadedFile("台账.xlsx", path.read_bytes())})
        run_tasks()
        job = ImportJob.objects.get()
        page_summary, page_facts = imports.job_view(job, timezone.now()).summary, _facts()
        transaction.set_rollback(True)
    assert not Submission.objects.exists()
    out = io.StringIO()
    call_command("import_ledger", str(path), stdout=out)
    assert _facts() == page_facts and page_facts[1]
    lines = out.getvalue().splitlines()
    expected = [f"{s}：新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}" for s, c in page_summary]
    assert lines[:-1] == expected


def test_the_page_and_the_command_list_the_same_problems(personas, run_tasks, tmp_path):
    path = write_ledger(tmp_path / "台账.xlsx", BAD)
    job = imports.start_import(SimpleUploadedFile("台账.xlsx", path.read_bytes()), _request(personas["staff"]))
    run_tasks()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(path), stderr=err)
    listed = [f"{p['sheet']}\t第{p['row'] or '-'}行\t{p['column'] or '-'}\t{p['message']}" for p in _reload(job).problems]
    assert err.getvalue().splitlines() == listed


def test_the_command_stays_quiet_on_stderr_when_it_is_not_a_terminal(tmp_path):
    err = io.StringIO()
    call_command("import_ledger", str(write_ledger(tmp_path / "台账.xlsx", GOOD)), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_shows_progress_on_a_terminal(tmp_path):
    out, err = io.StringIO(), _Terminal()
    call_command("import_ledger", str(write_ledger(tmp_path / "台账.xlsx", GOOD)), stdout=out, stderr=err)
    lines = err.getvalue().split("\n")
    assert lines[0].endswith(" 行/秒）") and "检查：单位 2 报送 5 采用 1（" in lines[0]
    assert "写入：单位 2 专约 0 报送 5 采用 1 批示 0 紧急信息问题 0 基础工作 0（" in lines[1] and "重建统计：—" in lines[2]
    assert out.getvalue().splitlines()[-1] == "台账导入完成。"
