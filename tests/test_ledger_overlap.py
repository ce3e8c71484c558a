"""On PostgreSQL a ledger's rows are written while the rest is checked (issue 13: the database server works on its
own core): the same result as checking first, nothing kept at a problem, a cancel or a failure, progress seen
from outside the import's transaction. The writing overlaps the check only outside a transaction, hence
transactional tests; on SQLite the import checks first and these are skipped."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import RequestFactory

from audit.models import AuditEvent
from scoring import imports, ledger
from scoring.models import ImportJob, ImportStage, ImportStatus
from submissions.models import Adoption, LeaderInstruction, Submission
from tests.ledger_builder import ledger_file
from units.models import Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the writing overlaps the check on PostgreSQL only"),
]

UNITS = [{"单位名称": "道里区", "序列": "区政府"}, {"单位名称": "南岗区", "序列": "区政府"}]
ITEMS = [
    {"信息编号": f"DL-{i:03d}", "单位名称": "道里区" if i % 2 else "南岗区", "标题": f"第{i}条",
     "报送时间": "2024-03-01 09:00", "信息类型": "一般动态", "联合报送单位": "南岗区" if i == 3 else None}
    for i in range(1, 8)
]
ADOPTIONS = [{"信息编号": f"DL-{i:03d}", "采用层级": "市", "采用类型": "一般动态", "采用日期": "2024-03-05"} for i in (1, 2, 3)]
INSTRUCTIONS = [{"信息编号": "DL-001", "领导层级": "市", "批示类型": "肯定性", "批示日期": "2024-03-06"}]
GOOD = {"单位": UNITS, "报送": ITEMS, "采用": ADOPTIONS, "批示": INSTRUCTIONS}


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK_KEYS", 2)  # several chunks handed over even for a few rows


def _facts() -> list:
    return [
        sorted(Unit.objects.filter(name__in=["道里区", "南岗区"]).values_list("name", "sequence")),
        sorted(Submission.objects.values_list("ledger_no", "unit__name", "title", "unit_count")),
        sorted(Adoption.objects.values_list("submission__ledger_no", "level", "unit__name", "unit_count")),
        sorted(LeaderInstruction.objects.values_list("submission__ledger_no", "level", "kind")),
    ]


def _nothing_written() -> bool:
    return not (Submission.objects.exists() or Adoption.objects.exists()
                or Unit.objects.filter(name__in=["道里区", "南岗区"]).exists())


def _import_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("ledger-")]


def _checking_first(sheets) -> tuple:
    """The import as it runs inside a transaction (check first, then write), rolled back: its result or problems."""
    with transaction.atomic():
        try:
            outcome = ledger.import_ledger(ledger_file(sheets)).summary, _facts()
        except ledger.LedgerInvalid as invalid:
            outcome = invalid.errors, invalid.total
        transaction.set_rollback(True)
    return outcome


def test_the_rows_are_written_by_one_thread_while_another_checks_with_the_same_result(monkeypatch):
    expected = _checking_first(GOOD)
    writers = set()
    insert_rows = ledger.insert_rows

    def recorded(model, columns, rows):
        writers.add(threading.current_thread().name)
        return insert_rows(model, columns, rows)

    monkeypatch.setattr(ledger, "insert_rows", recorded)
    checkers = set()
    check_items = ledger._Checker._check_items

    def checking(checker, sheet):
        checkers.add(threading.current_thread().name)
        check_items(checker, sheet)

    monkeypatch.setattr(ledger._Checker, "_check_items", checking)
    result = ledger.import_ledger(ledger_file(GOOD))
    assert (result.summary, _facts()) == expected
    assert checkers == {"ledger-check"} and writers == {threading.current_thread().name}
    assert not connection.in_atomic_block and not _import_threads()  # the check's and the reporter's ended
    # Loaded again: nothing changes, and only the import itself is recorded.
    records = AuditEvent.objects.count()
    again = ledger.import_ledger(ledger_file(GOOD)).summary
    assert again["报送"] == {"created": 0, "updated": 0, "unchanged": 7} and _facts() == expected[1]
    assert AuditEvent.objects.count() == records + 1


@pytest.mark.parametrize("broken", ["报送", "批示"])
def test_a_problem_found_after_rows_were_written_keeps_nothing_and_every_problem_is_listed(broken):
    sheets = {**GOOD, broken: [*GOOD[broken], {**GOOD[broken][0], "信息编号": "DL-404"}]}
    if broken == "报送":  # a bad row among the last: the first chunks are written by then
        sheets["报送"][-1].update({"单位名称": "不存在区", "信息类型": "小道消息"})
    expected = _checking_first(sheets)
    with pytest.raises(ledger.LedgerInvalid) as invalid:
        ledger.import_ledger(ledger_file(sheets))
    assert (invalid.value.errors, invalid.value.total) == expected and invalid.value.total >= 1
    assert _nothing_written() and not _import_threads()


def test_a_failure_while_writing_stops_the_check_and_keeps_nothing(monkeypatch):
    def crash(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(ledger, "_write_adoptions", crash)
    with pytest.raises(MemoryError):
        ledger.import_ledger(ledger_file(GOOD))
    assert _nothing_written() and not _import_threads()


def test_a_job_cancelled_while_rows_are_written_keeps_nothing(personas, run_tasks, monkeypatch):
    monkeypatch.setattr(ledger, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(imports, "FLUSH_SECONDS", 0)
    job = imports.start_import(_upload(), _request(personas["staff"]))
    report_rows = imports.JobProgress.rows

    def cancel_in_the_adoptions(progress, sheet, done):
        if sheet == "采用":  # the items are written by now, in the import's transaction
            assert ImportJob.objects.get(pk=job.pk).stage == ImportStage.CHECKING  # seen from outside
            assert imports.cancel_import(job)
        report_rows(progress, sheet, done)

    monkeypatch.setattr(imports.JobProgress, "rows", cancel_in_the_adoptions)
    run_tasks()
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportStatus.CANCELLED and "未写入任何数据" in job.reason
    assert _nothing_written()


def test_the_job_page_sees_every_stage_while_the_import_writes(personas, run_tasks, monkeypatch):
    monkeypatch.setattr(imports, "FLUSH_SECONDS", 0)
    seen = []
    flush = imports.JobProgress._flush

    def record(progress):
        flush(progress)
        seen.append(ImportJob.objects.get(pk=progress.job.pk).stage)  # as the page reads it, on its own connection

    monkeypatch.setattr(imports.JobProgress, "_flush", record)
    job = imports.start_import(_upload(), _request(personas["staff"]))
    run_tasks()
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    stages = list(dict.fromkeys(seen))
    assert stages == [ImportStage.CHECKING, ImportStage.WRITING, ImportStage.REBUILDING]


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("台账.xlsx", ledger_file(GOOD).getvalue())


def _request(user):
    request = RequestFactory().post("/scoring/import/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request

