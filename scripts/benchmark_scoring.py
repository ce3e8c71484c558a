"""Speed of the full-year scoring on a large generated year, next to the floor of one plain SQL aggregate.

Run it on an empty scratch database (scripts/benchmark does, on SQLite and PostgreSQL, as
`python scripts/benchmark_scoring.py [--items N …]`); it refuses a
database that already holds items so that it never mixes with real data.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

# A development script, not one of the site's commands: it sets Django up itself (scripts/benchmark runs it).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbin_infoassess.settings")
django.setup()

from django.core.management.base import BaseCommand, CommandError  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from core.assessment import TIME_ZONE  # noqa: E402
from scoring.models import BasicWorkEntry, BasicWorkStatus  # noqa: E402
from scoring.services import compute_scores  # noqa: E402
from submissions.models import (  # noqa: E402
    ALLOWED_ADOPTION_TYPES,
    Adoption,
    JointUnit,
    LeaderInstruction,
    SpecialRequest,
    StaleTally,
    Submission,
    UrgentFailure,
)
from submissions.tallies import refresh_tallies  # noqa: E402
from units.models import Sequence, Unit  # noqa: E402

YEAR = 2024
BATCH = 5000


class Command(BaseCommand):
    help = "在空的临时数据库中生成大规模年度数据，测量全年计分耗时与单条 SQL 聚合（下限）的对比。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--units", type=int, default=1000)
        parser.add_argument("--items", type=int, default=300_000)
        parser.add_argument("--adoptions", type=int, default=60_000)
        parser.add_argument("--instructions", type=int, default=10_000)
        parser.add_argument("--repeat", type=int, default=9)

    def handle(self, *args, **opts) -> None:
        if Submission.objects.exists():
            raise CommandError("数据库中已有政务信息：请在空的临时数据库上运行基准测试。")
        started = time.perf_counter()
        units = self.generate(opts["units"], opts["items"], opts["adoptions"], opts["instructions"])
        self.stdout.write(f"generated in {time.perf_counter() - started:.1f} s on {connection.vendor}")
        started = time.perf_counter()
        refresh_tallies()
        rebuilt = time.perf_counter() - started
        with connection.cursor() as cursor:
            # Planner statistics and the visibility map, as autovacuum leaves a PostgreSQL database in use.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        gc.freeze()  # as harbin_infoassess/wsgi.py does for the served application
        floor, _ = self.timed(self.plain_aggregate, opts["repeat"])
        scoring, in_sql = self.timed(lambda: compute_scores(YEAR, 12), opts["repeat"])

        def after_a_write() -> None:
            StaleTally.mark([units[len(units) // 2].pk])  # as an officer's report or a correction does
            compute_scores(YEAR, 12)

        after_write, _ = self.timed(after_a_write, opts["repeat"])
        self.stdout.write(
            f"{connection.vendor}: units={opts['units']} items={opts['items']} adoptions={opts['adoptions']} "
            f"instructions={opts['instructions']}\n"
            f"  floor (one SQL aggregate over the items): {floor * 1000:.0f} ms\n"
            f"  full-year scoring (compute_scores):       {scoring * 1000:.0f} ms  = {scoring / floor:.1f} x floor"
            f"  (queries {in_sql * 1000:.0f} ms, Python {(scoring - in_sql) * 1000:.0f} ms)\n"
            f"  the same after a write to one unit:       {after_write * 1000:.0f} ms  = {after_write / floor:.1f} x floor\n"
            f"  every unit's month tallies rebuilt (after a bulk load or a ledger import): {rebuilt * 1000:.0f} ms"
        )

    @staticmethod
    def timed(fn, repeat: int) -> tuple[float, float]:
        """Median wall time of `fn` and median time spent in its queries."""
        in_sql = 0.0

        def clock(execute, *args):
            nonlocal in_sql
            started = time.perf_counter()
            try:
                return execute(*args)
            finally:
                in_sql += time.perf_counter() - started

        fn()  # warm caches
        runs, queries = [], []
        with connection.execute_wrapper(clock):
            for _ in range(repeat):
                in_sql, started = 0.0, time.perf_counter()
                fn()
                runs.append(time.perf_counter() - started)
                queries.append(in_sql)
        return statistics.median(runs), statistics.median(queries)

    @staticmethod
    def plain_aggregate() -> None:
        table = Submission._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT unit_id, COUNT(*) FROM {table} WHERE submitted_at >= %s AND submitted_at < %s GROUP BY unit_id",
                [dt.datetime(YEAR, 1, 1, tzinfo=TIME_ZONE), dt.datetime(YEAR + 1, 1, 1, tzinfo=TIME_ZONE)],
            )
            cursor.fetchall()

    @transaction.atomic
    def generate(self, n_units: int, n_items: int, n_adoptions: int, n_instructions: int) -> list[Unit]:
        rng = random.Random(2024)
        sequences = [Sequence.DISTRICT] * 9 + [Sequence.COUNTY] * 9 + [Sequence.OFFICE_ABROAD] * 10
        units = Unit.objects.bulk_create(
            Unit(name=f"基准单位{i:04d}", sequence=sequences[i] if i < len(sequences) else Sequence.BUREAU, display_order=i)
            for i in range(n_units)
        )
        BasicWorkEntry.objects.bulk_create(
            BasicWorkEntry(
                unit=u, year=YEAR, status=BasicWorkStatus.CONFIRMED, **{f"item{k}": rng.choice([4, 4.5, 5]) for k in range(1, 9)}
            )
            for u in units
        )
        requests = SpecialRequest.objects.bulk_create(
            SpecialRequest(code=f"BZ{i}", title="基准专约", deadline=dt.datetime(YEAR, 1 + i % 12, 20, 18, tzinfo=TIME_ZONE))
            for i in range(24)
        )
        SpecialRequest.targets.through.objects.bulk_create(
            SpecialRequest.targets.through(specialrequest_id=r.pk, unit_id=u.pk) for r in requests for u in rng.sample(units, 50)
        )
        start = dt.datetime(YEAR, 1, 1, tzinfo=TIME_ZONE)
        types = ["general"] * 7 + ["urgent", "small_research", "large_research"]
        items = [
            Submission(
                ledger_no=f"B{i:07d}",
                unit=rng.choice(units),
                title="基准信息",
                info_type=rng.choice(types),
                submitted_at=start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                is_invalid=i % 50 == 0,
                invalid_reason="重复" if i % 50 == 0 else "",
                special_request=requests[i % 24] if i % 100 == 1 else None,
            )
            for i in range(n_items)
        ]
        joint = {i for i in range(0, n_items, 20)}
        for i in joint:
            items[i].unit_count = 2
        Submission.objects.bulk_create(items, batch_size=BATCH)
        JointUnit.objects.bulk_create(
            (JointUnit(submission=items[i], unit=rng.choice(units), confirmed=True) for i in joint),
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        levels = [lv for lv in ("city",) * 8 + ("province",) * 3 + ("state",)]
        adopted = rng.sample(items, n_adoptions)
        Adoption.objects.bulk_create(
            (
                Adoption(
                    submission=s,
                    level=lv,
                    adoption_type=rng.choice(ALLOWED_ADOPTION_TYPES[lv]),
                    adopted_on=(s.submitted_at + dt.timedelta(days=10)).date(),
                )
                for s, lv in ((s, rng.choice(levels)) for s in adopted)
            ),
            batch_size=BATCH,
        )
        LeaderInstruction.objects.bulk_create(
            (
                LeaderInstruction(
                    submission=s,
                    level=rng.choice(["city", "province", "state"]),
                    kind=rng.choice(["read", "affirm", "reference", "decision"]),
                    instructed_on=(s.submitted_at + dt.timedelta(days=15)).date(),
                    leader=f"领导{i}",
                )
                for i, s in enumerate(rng.sample(adopted, n_instructions))
            ),
            batch_size=BATCH,
        )
        UrgentFailure.objects.bulk_create(
            UrgentFailure(
                unit=u, occurred_on=dt.date(YEAR, 1 + i % 12, 1 + i % 28), kind=rng.choice(["late", "omission", "concealment"])
            )
            for i, u in enumerate(rng.sample(units, min(200, n_units)))
        )
        return units


if __name__ == "__main__":
    Command().run_from_argv([sys.argv[0], "benchmark_scoring", *sys.argv[1:]])
