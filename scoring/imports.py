"""Ledger imports as background jobs (issue 13): the upload is kept, a worker imports it, the job page follows it.

The import itself is `scoring.ledger.import_ledger`, the same call as the command's; a job only stores the
file, runs that call in a worker (django-tasks, database backend) and records what it reports.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from audit.context import current_request
from audit.services import client_address
from exports import Report
from scoring.ledger import SHEETS, LedgerInvalid, Progress, import_ledger
from scoring.models import ImportJob, ImportStage, ImportStatus

logger = logging.getLogger(__name__)
# Seconds between two writes of a job's progress: the page polls about this often.
FLUSH_SECONDS = 1.0
LOCK_CLASS = 13  # PostgreSQL advisory locks: (LOCK_CLASS, job id) is held by the worker running that job


class ImportCancelled(Exception):
    pass


def start_import(upload: UploadedFile, request: HttpRequest) -> ImportJob:
    """Keep the uploaded workbook and queue its import, as the request's user's, from its address."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    job = ImportJob(user=request.user, address=client_address(request), file_name=Path(upload.name).name[:255],
                    size=upload.size, sha256=digest.hexdigest())
    # The stored name is ours: the user's file name is only shown, never used as a path.
    job.file.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    with transaction.atomic():
        job.save()
        _enqueue(job)
    return job


def retry_import(job: ImportJob, request: HttpRequest) -> ImportJob:
    """Run a failed or cancelled import again, from the same stored file, as a new job of the request's user."""
    if job.status not in (ImportStatus.FAILED, ImportStatus.CANCELLED):
        raise ValueError("only a failed or cancelled import is run again")
    with transaction.atomic():
        again = ImportJob.objects.create(
            user=request.user, address=client_address(request), file=job.file.name, file_name=job.file_name,
            size=job.size, sha256=job.sha256,
        )
        _enqueue(again)
    return again


def _enqueue(job: ImportJob) -> None:
    # Queued in the job's own transaction: a job row never waits for a task that was not queued.
    job.task_id = str(run_import_job.enqueue(job.pk).id)
    job.save(update_fields=["task_id"])


def cancel_import(job: ImportJob) -> bool:
    """Cancel a job that has not begun writing; False when it is too late (or over)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.QUEUED:
            _finish(job, ImportStatus.CANCELLED, reason="已取消，未写入任何数据。")
            return True
        if job.status == ImportStatus.RUNNING and job.stage == ImportStage.CHECKING:
            job.cancel_requested = True
            job.save(update_fields=["cancel_requested", "updated_at"])
            return True
    return False


@contextmanager
def worker_lock(job_id: int, using: BaseDatabaseWrapper = connection) -> Iterator[bool]:
    """Held by the worker while it runs the job, and released when its process ends however it ends: a
    PostgreSQL session lock (workers on any machine), or a file lock beside the uploads (SQLite: one machine).
    Never waits: yields whether it was taken."""
    if using.vendor == "postgresql":
        with using.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job_id])
            taken = cursor.fetchone()[0]
            try:
                yield taken
            finally:
                if taken:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job_id])
        return
    path = Path(settings.MEDIA_ROOT) / "ledgers" / "running" / f"{job_id}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            path.unlink(missing_ok=True)  # no one else holds it, and a job that ends needs it no more


@task()
def run_import_job(job_id: int) -> None:
    """The worker's side: import the job's file, recording progress and the outcome on the job."""
    with worker_lock(job_id) as taken:
        if taken:  # else another worker runs it
            _run(job_id)


def _run(job_id: int) -> None:
    started = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=started, stage_started_at=started, stage=ImportStage.CHECKING,
        updated_at=started,
    )
    if not claimed:  # cancelled while queued
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        with _on_behalf_of(job), job.file.open("rb") as source:
            result = import_ledger(source, user=job.user, max_bytes=settings.LEDGER_UPLOAD_MAX_BYTES, progress=JobProgress(job))
    except ImportCancelled:
        _finish(job, ImportStatus.CANCELLED, reason="已按要求在检查阶段取消，未写入任何数据。")
    except LedgerInvalid as invalid:
        _finish(job, ImportStatus.FAILED, reason=str(invalid), problems=[asdict(e) for e in invalid.errors],
                problem_total=invalid.total)
    except Exception as exc:  # the transaction was rolled back: say so, keep the traceback in the log
        logger.exception("ledger import job %s failed", job_id)
        _finish(job, ImportStatus.FAILED, reason=f"导入过程出错（{type(exc).__name__}），未写入任何数据，可重新导入。")
    else:
        _finish(job, ImportStatus.DONE, summary=result.summary)


@contextmanager
def _on_behalf_of(job: ImportJob) -> Iterator[None]:
    """The audit trail records the import's changes as the uploader's, from the address of the upload."""
    request = HttpRequest()
    request.user = job.user or AnonymousUser()
    request.META["REMOTE_ADDR"] = job.address or ""
    token = current_request.set(request)
    try:
        yield
    finally:
        current_request.reset(token)


def _finish(job: ImportJob, status: ImportStatus, **fields) -> None:
    fields.update(status=status, finished_at=timezone.now(), cancel_requested=False, updated_at=timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


class JobProgress(Progress):
    """Records an import's progress on its job, at most every FLUSH_SECONDS; stops it when cancelled."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.flushed_at = 0.0

    def stage(self, stage: ImportStage, totals: dict[str, int | None]) -> None:
        if stage == ImportStage.WRITING:
            self._stop_if_cancelled()  # the last moment a cancel can take effect: nothing is written yet
        self.job.stage, self.job.rows_total, self.job.rows_done = stage, totals, {}
        self.job.stage_started_at = timezone.now()
        self._flush()

    def rows(self, sheet: str, done: int) -> None:
        self.job.rows_done[sheet] = done
        if time.monotonic() - self.flushed_at >= FLUSH_SECONDS:
            if self.job.stage == ImportStage.CHECKING:
                self._stop_if_cancelled()
            self._flush()

    def _stop_if_cancelled(self) -> None:
        if ImportJob.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise ImportCancelled

    def _flush(self) -> None:
        self.flushed_at = time.monotonic()
        fields = ("stage", "rows_total", "rows_done", "stage_started_at")
        ImportJob.objects.filter(pk=self.job.pk).update(updated_at=timezone.now(), **{f: getattr(self.job, f) for f in fields})


def fail_dead_jobs() -> None:
    """Mark failed the jobs whose worker died: the task ended without finishing the job, or a running job's
    worker no longer holds its lock. Their import was one transaction, so nothing was written."""
    unfinished = list(ImportJob.objects.unfinished().only("pk", "status", "updated_at", "task_id"))
    if not unfinished:
        return
    ended = {
        str(task_id): cause
        for task_id, cause in DBTaskResult.objects.filter(id__in=[j.task_id for j in unfinished if j.task_id])
        .finished()
        .values_list("id", "exception_class_path")
    }
    for job in unfinished:
        if job.task_id in ended:
            cause = ended[job.task_id].rsplit(".", 1)[-1] or "任务已结束"
            reason = f"后台任务异常结束（{cause}），未写入任何数据，可重新导入。"
        elif job.status == ImportStatus.RUNNING and _worker_gone(job.pk):
            reason = "处理该导入的后台进程已中断，未写入任何数据，可重新导入。"
        else:
            continue
        # Only if the job is still where we saw it: a worker may have finished it meanwhile.
        ImportJob.objects.filter(pk=job.pk, status=job.status, updated_at=job.updated_at).update(
            status=ImportStatus.FAILED, reason=reason, finished_at=timezone.now(), updated_at=timezone.now()
        )


def _worker_gone(job_id: int) -> bool:
    # Its own connection on PostgreSQL: a session lock is shared by everything on one session.
    probe = connection.copy() if connection.vendor == "postgresql" else connection
    try:
        with worker_lock(job_id, probe) as taken:
            return taken
    finally:
        if probe is not connection:
            probe.close()


@dataclass(frozen=True)
class SheetProgress:
    sheet: str
    done: int
    total: int | None


@dataclass(frozen=True)
class JobView:
    """What the job page shows of a job's progress, worked out from its fields at one moment."""

    sheets: list[SheetProgress]
    summary: list[tuple[str, dict[str, int]]]  # per sheet, in the workbook's order
    percent: int | None  # of the current stage; None when the totals are unknown
    elapsed: dt.timedelta | None
    remaining: dt.timedelta | None  # estimate for the current stage, from its rate so far

    @property
    def elapsed_text(self) -> str:
        return _duration_text(self.elapsed)

    @property
    def remaining_text(self) -> str:
        return _duration_text(self.remaining)


def _duration_text(span: dt.timedelta | None) -> str:
    if span is None:
        return "—"
    minutes, seconds = divmod(round(span.total_seconds()), 60)
    return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"


def job_view(job: ImportJob, now: dt.datetime) -> JobView:
    # In the workbook's order: PostgreSQL's jsonb keeps no key order.
    sheets = [
        SheetProgress(sheet, job.rows_done.get(sheet, 0), job.rows_total.get(sheet))
        for sheet in SHEETS
        if sheet in job.rows_total and (job.rows_total[sheet] != 0 or job.rows_done.get(sheet))
    ]
    summary = [(sheet, job.summary[sheet]) for sheet in SHEETS if sheet in job.summary]
    done = sum(s.done for s in sheets)
    known = all(s.total is not None for s in sheets) and sheets
    total = sum(s.total for s in sheets) if known else None
    percent = min(100, done * 100 // total) if total else None
    elapsed = (job.finished_at or now) - job.started_at if job.started_at else None
    remaining = None
    if job.status == ImportStatus.RUNNING and total and done and job.stage_started_at:
        rate = done / max((now - job.stage_started_at).total_seconds(), 0.001)
        remaining = dt.timedelta(seconds=round(max(total - done, 0) / rate))
    return JobView(sheets, summary, percent, elapsed, remaining)


def problems_report(job: ImportJob) -> Report:
    """The problems of a refused import, to fix in Excel: sheet, row, column, value, message."""
    listed = len(job.problems)
    return Report(
        title=f"台账问题清单：{job.file_name}",
        subtitle=f"共 {job.problem_total} 个问题" + (f"，列出前 {listed} 个" if job.problem_total > listed else ""),
        header=["工作表", "行", "列", "值", "问题"],
        rows=[[p["sheet"], p["row"], p["column"], p.get("value", ""), p["message"]] for p in job.problems],
        sheet_name="问题",
        widths=(14, 8, 14, 30, 60),
    )
