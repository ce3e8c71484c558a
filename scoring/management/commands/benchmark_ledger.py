"""Speed and peak memory of the ledger import on a large generated ledger: a first load, then the same file again.

Each load runs in its own process (`--load`), so its peak memory is its own. Run it on an empty scratch
database (scripts/benchmark_ledger does, on SQLite and PostgreSQL); it refuses a database that holds items.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from openpyxl import Workbook

from scoring.ledger import import_ledger
from submissions.models import Submission

UNITS = 1000
ADOPTED = 0.3  # of all rows, the rest are items


def write_ledger(path: Path, rows: int) -> None:
    """UNITS units, then items and adoptions making `rows` rows in all, as an office's year might look."""
    adoptions = int(rows * ADOPTED)
    items = rows - adoptions - UNITS
    workbook = Workbook(write_only=True)
    units = workbook.create_sheet("单位")
    units.append(["单位名称", "序列"])
    for u in range(UNITS):
        units.append([f"单位{u:04d}", "委办局"])
    sheet = workbook.create_sheet("报送")
    sheet.append(["信息编号", "单位名称", "标题", "报送时间", "信息类型"])
    start = dt.datetime(2024, 1, 1, 9, 0)
    for i in range(items):
        submitted = start + dt.timedelta(minutes=i % 500_000)
        sheet.append([f"X{i:07d}", f"单位{i % UNITS:04d}", f"第{i}条政务信息标题", submitted, "一般动态"])
    sheet = workbook.create_sheet("采用")
    sheet.append(["信息编号", "采用层级", "采用类型", "采用日期"])
    for i in range(adoptions):
        sheet.append([f"X{i:07d}", "市", "一般动态", dt.date(2024, 1, 1) + dt.timedelta(days=i % 360)])
    workbook.save(path)


class Command(BaseCommand):
    help = "在空的临时数据库中生成大型台账，测量首次导入与重复导入的速度（行/秒）和内存峰值。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=1_000_000, help="rows in all (default 1,000,000)")
        parser.add_argument("--file", help="reuse (or keep) this generated ledger")
        parser.add_argument("--load", help=argparse.SUPPRESS)  # internal: one load in this process, as JSON

    def handle(self, *args, rows: int, file: str | None, load: str | None, **options) -> None:
        if load:
            self._load(Path(load))
            return
        if Submission.objects.exists():
            raise CommandError("数据库中已有政务信息：请在空的临时数据库上运行基准测试。")
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(file or Path(scratch) / "ledger.xlsx")
            if not path.exists():
                started = time.perf_counter()
                write_ledger(path, rows)
                self.stdout.write(f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
                                  f"{time.perf_counter() - started:.0f} s")
            for label in ("first load", "reload, unchanged"):
                result = json.loads(subprocess.run(
                    [sys.executable, sys.argv[0], "benchmark_ledger", "--load", str(path)],
                    check=True, capture_output=True, text=True,
                ).stdout)
                self.stdout.write(
                    f"{connection.vendor} {label}: {result['rows']:,} rows in {result['seconds']:.1f} s = "
                    f"{result['rows'] / result['seconds']:,.0f} rows/s (CPU of the loading process "
                    f"{result['cpu']:.1f} s = {result['rows'] / result['cpu']:,.0f} rows/s), "
                    f"peak memory {result['peak_mb']:.0f} MB, load average {result['load']:.1f}"
                    + (f"; with the database server's own CPU {result['cpu'] + result['server_cpu']:.1f} s = "
                       f"{result['rows'] / (result['cpu'] + result['server_cpu']):,.0f} rows/s"
                       if result["server_cpu"] is not None else "")
                )

    def _load(self, path: Path) -> None:
        started = time.perf_counter()
        result = import_ledger(path)
        seconds = time.perf_counter() - started
        rows = sum(sum(counts.values()) for counts in result.summary.values())
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # CPU time too: on a shared machine the wall clock also counts the neighbours.
        self.stdout.write(json.dumps({"rows": rows, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                                      "server_cpu": _server_cpu(),
                                      "peak_mb": usage.ru_maxrss / 1024,  # ru_maxrss: kilobytes on Linux
                                      "load": os.getloadavg()[0]}))  # the machine's, over the last minute


def _server_cpu() -> float | None:
    """The CPU seconds PostgreSQL's process serving this connection has used (COPY, indexes, the tallies' SQL),
    when the server runs on this machine; None on SQLite (its work is the loading process's own)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
