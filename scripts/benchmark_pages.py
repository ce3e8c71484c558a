"""One user at a time: the server time of every page on the large year of scripts/loadtest.

Run by scripts/benchmark_pages (which builds or reuses that database). Each page is viewed once (the first view
computes what it keeps), then as many times as asked (default 7); printed per page: the first view's wall time,
the median CPU and wall time of the repeats, the queries and the size of a repeat, and a mark where a repeat takes
more than the 50 ms the README promises (downloads: 1 s). Then an officer reports an item, and the pages that show
the new numbers are timed on their first view after that write (the README: the scoring time plus 50 ms at most).

Django's test client in this process, as the site's code runs under gunicorn, without the network and the web
server's own work: the load test (scripts/loadtest) measures those.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import django

# A development script, not one of the site's commands: it sets Django up itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbin_infoassess.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from awards.models import YearResult  # noqa: E402
from awards.services import finalize_year  # noqa: E402
from bulletins.models import BulletinVersion  # noqa: E402
from submissions.models import SpecialRequest, Submission  # noqa: E402
from units.models import Sequence, Unit  # noqa: E402

PAGE_LIMIT_MS, DOWNLOAD_LIMIT_MS = 50, 1000


def client_for(username: str, role: str, unit: Unit | None = None) -> Client:
    user, _ = User.objects.get_or_create(username=username, defaults={"role": role, "unit": unit})
    client = Client()
    client.force_login(user, backend="accounts.backends.UnitModelBackend")
    return client


def view(client: Client, url: str) -> tuple[float, float, int, int]:
    """CPU ms, wall ms, queries and bytes of one view; a view that is not a 200 stops the benchmark."""
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(url)
        body = b"".join(response) if response.streaming else response.content
        cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return cpu, wall, len(queries), len(body)


class Page(NamedTuple):
    who: str  # officer, staff, admin, or download (a file, whoever asks)
    client: Client
    url: str
    name: str


class Timing(NamedTuple):
    first: float  # wall ms of the first view
    first_queries: int
    cpu: float  # median CPU ms of the repeats
    wall: float  # median wall ms of the repeats
    queries: int  # of the last repeat
    size: int  # bytes of the last repeat


def timed(page: Page, repeat: int) -> Timing:
    _, first, first_queries, _ = view(page.client, page.url)
    runs = [view(page.client, page.url) for _ in range(repeat)]
    cpu, wall = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    return Timing(first, first_queries, cpu, wall, *runs[-1][2:])


def pages() -> tuple[list[Page], list[Page]]:
    """Every page of the three roles on the latest year with a published bulletin, and the pages that show the
    numbers of the officer's unit (timed again after the officer reports an item)."""
    year = BulletinVersion.objects.latest("month").month.year
    published = BulletinVersion.objects.filter(month__year=year).latest("month")
    month = published.month.strftime("%Y-%m")
    unit = User.objects.get(username="load_officer0").unit
    officer = client_for("load_officer0", Role.OFFICER, unit)
    staff, admin = client_for("load_staff0", Role.STAFF), client_for("load_bench_admin", Role.ADMIN)
    item = Submission.objects.filter(unit=unit, submitted_at__year=year).latest("submitted_at").pk
    request = SpecialRequest.objects.order_by("pk").first().pk
    catalogue = f"/bulletins/{month}/v{published.version}/catalogue/"
    scorecard = f"/scoring/scorecard/{unit.pk}/{year}/?through=12"
    if not YearResult.objects.filter(year=year).exists():
        finalize_year(year)  # once: the finalized year's pages and workbook
    preview_month = (published.month + dt.timedelta(days=31)).strftime("%Y-%m")
    every = [
        ("officer", officer, "/", "start page"),
        ("officer", officer, scorecard, "scorecard"),
        ("officer", officer, f"/scoring/?year={year}&through=12", "ranking, own row"),
        ("officer", officer, "/items/", "items"),
        ("officer", officer, f"/items/{item}/", "an item"),
        ("officer", officer, "/items/new/", "report form"),
        ("officer", officer, f"/bulletins/{month}/", "published bulletin"),
        ("officer", officer, f"{catalogue}{unit.sequence}/", "its sequence's catalogue"),
        ("officer", officer, "/bulletins/", "bulletins"),
        ("officer", officer, "/items/requests/", "special requests"),
        ("officer", officer, f"/units/{unit.pk}/", "own unit"),
        ("officer", officer, "/notifications/", "notices"),
        ("officer", officer, "/items/joint/", "joint items"),
        ("officer", officer, f"/scoring/basic/{unit.pk}/{year}/", "own basic work"),
        ("staff", staff, "/", "office start page"),
        ("staff", staff, f"/scoring/?year={year}&through=12", "ranking, all units"),
        ("staff", staff, "/items/?unit=&info_type=general&page=3", "items, filtered"),
        ("staff", staff, "/items/?page=1400", "items, page 1,400"),
        ("staff", staff, "/items/requests/", "special requests"),
        ("staff", staff, f"/items/requests/{request}/", "a special request"),
        ("staff", staff, "/items/failures/", "urgent failures"),
        ("staff", staff, f"/scoring/basic/?year={year}", "basic work"),
        ("staff", staff, f"/bulletins/{preview_month}/preview/", "bulletin preview"),
        ("staff", staff, f"{catalogue}{Sequence.BUREAU}/", "bureaus' catalogue"),
        ("staff", staff, f"/bulletins/{month}/?print=1", "bulletin, print view"),
        ("staff", staff, "/editorial/", "editorial desk"),
        ("staff", staff, f"/items/duplicates/?month={month}", "duplicates"),
        ("staff", staff, "/units/", "units"),
        ("staff", staff, f"/units/{unit.pk}/", "a unit"),
        ("staff", staff, scorecard, "a unit's scorecard"),
        ("staff", staff, f"/scoring/basic/{unit.pk}/{year}/", "a unit's basic work"),
        ("staff", staff, f"/items/{item}/edit/", "item correction form"),
        ("staff", staff, "/items/joint/", "joint items"),
        ("staff", staff, "/items/failures/new/", "urgent failure form"),
        ("staff", staff, "/items/requests/new/", "special request form"),
        ("staff", staff, "/editorial/issues/", "editorial issues"),
        ("staff", staff, "/editorial/forwarded/", "forwarded items"),
        ("staff", staff, "/editorial/carriers/", "carriers"),
        ("admin", admin, "/scoring/rulesets/", "rule sets"),
        ("admin", admin, "/scoring/years/", "assessment years"),
        ("staff", staff, "/scoring/import/history/", "ledger imports"),
        ("staff", staff, "/awards/", "awards"),
        ("admin", admin, "/status/", "system status"),
        ("admin", admin, "/audit/", "audit trail"),
        ("staff", staff, f"/awards/{year}/review/", "awards, before finalizing"),
        ("admin", admin, f"/awards/{year}/", "awards, the finalized year"),
        ("admin", admin, f"/awards/{year}/candidates/research/", "award candidates, a page of their own"),
        ("staff", staff, f"/awards/{year}/review/{Sequence.BUREAU}/", "review, bureaus without a tier"),
        ("admin", admin, "/accounts/", "accounts"),
        ("download", staff, f"/bulletins/{month}/export.xlsx", "bulletin workbook"),
        ("download", staff, f"/scoring/?year={year}&through=12&format=xlsx", "scores workbook"),
        ("download", admin, f"/awards/{year}/workbook/", "awards workbook"),
    ]
    written = [("officer", officer, scorecard, "scorecard"), ("officer", officer, "/", "start page"),
               ("staff", staff, f"/scoring/?year={year}&through=12", "ranking, all units"),
               ("staff", staff, f"/bulletins/{preview_month}/preview/", "bulletin preview"),
               ("admin", admin, f"/awards/{year}/", "awards, the finalized year")]
    return [Page(*page) for page in every], [Page(*page) for page in written]


def report_an_item(officer: Client) -> None:
    token = str(uuid.uuid4())
    response = officer.post("/items/new/", {"title": f"基准测试信息{token[:12]}", "info_type": "general", "body": "基准",
                                            "form_token": token})
    if response.status_code != 302:
        raise SystemExit(f"the report was not saved ({response.status_code})")


def main(repeat: int) -> None:
    every, written = pages()
    year = BulletinVersion.objects.latest("month").month.year
    print(f"{len(every)} pages, year {year}, {Unit.objects.count()} units, {Submission.objects.count()} items; "
          f"{repeat} repeats each, ms")
    print("| who | page | first view | CPU (median) | wall (median) | queries | KB | |")
    print("|---|---|---|---|---|---|---|---|")
    for page in every:
        t = timed(page, repeat)
        limit = DOWNLOAD_LIMIT_MS if page.who == "download" else PAGE_LIMIT_MS
        print(f"| {page.who} | {page.name} | {t.first:.0f} | {t.cpu:.1f} | {t.wall:.1f} | {t.queries} | {t.size / 1024:.0f} | "
              f"{'**over**' if t.wall > limit else ''} |")
    report_an_item(written[0].client)
    print("\nFirst view after the officer reported an item (ms, wall):")
    for page in written:
        print(f"- {page.name}: {view(page.client, page.url)[1]:.0f}")


if __name__ == "__main__":
    gc.collect()
    gc.freeze()  # as harbin_infoassess/wsgi.py does after loading
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
