"""The large year of scripts/benchmark, with accounts and logged-in sessions for scripts/loadtest.

Run it on a scratch database: it generates the year only when the database holds no items, and then reuses it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand
from django.db import connection

from accounts.models import Role, User
from bulletins.models import BulletinVersion
from bulletins.publishing import publish_bulletin
from submissions.models import Submission
from submissions.tallies import refresh_tallies
from units.models import Unit

PUBLISHED_MONTHS = (1, 2, 3)


def _benchmark():
    """scripts/benchmark_scoring.py, the generator of the large year (a script, not a module of the site)."""
    path = Path(settings.BASE_DIR) / "scripts" / "benchmark_scoring.py"
    spec = importlib.util.spec_from_file_location("benchmark_scoring", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Command(BaseCommand):
    help = "在临时数据库中生成（或沿用）大规模年度数据、压测账号及其登录会话，会话写入 --sessions 文件。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sessions", required=True, help="写入压测会话的 JSON 文件")
        parser.add_argument("--officers", type=int, default=200)
        parser.add_argument("--staff", type=int, default=10)

    def handle(self, *args, **opts) -> None:
        benchmark = _benchmark()
        year = benchmark.YEAR
        if not Submission.objects.exists():
            self.stdout.write("generating the large year (1,000 units, 300,000 items)…")
            benchmark.Command().generate(1000, 300_000, 60_000, 10_000)
            refresh_tallies()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
        for month in PUBLISHED_MONTHS:
            if not BulletinVersion.objects.filter(month=dt.date(year, month, 1)).exists():
                publish_bulletin(dt.date(year, month, 1))
        units = list(Unit.objects.order_by("pk")[: opts["officers"]])
        accounts = [(f"load_officer{i}", Role.OFFICER, unit) for i, unit in enumerate(units)]
        accounts += [(f"load_staff{i}", Role.STAFF, None) for i in range(opts["staff"])]
        # Logged in by sessions made here: hashing a password per simulated user would load the machine more
        # than the pages measured.
        store = import_module(settings.SESSION_ENGINE).SessionStore
        backend = next(b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend"))
        sessions: dict[str, list[dict]] = {"officer": [], "staff": []}
        for username, role, unit in accounts:
            user, _ = User.objects.get_or_create(username=username, defaults={"role": role, "unit": unit})
            session = store()
            session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                            HASH_SESSION_KEY: user.get_session_auth_hash()})
            session.create()
            sessions["officer" if role == Role.OFFICER else "staff"].append(
                {"session": session.session_key, "unit": user.unit_id}
            )
        sessions["year"] = year
        sessions["items"] = list(Submission.objects.order_by("pk").values_list("pk", flat=True)[::100])
        with open(opts["sessions"], "w", encoding="utf-8") as out:
            json.dump(sessions, out)
        self.stdout.write(f"{len(accounts)} sessions written to {opts['sessions']}")
