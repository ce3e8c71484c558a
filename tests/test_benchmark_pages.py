"""scripts/benchmark_pages on a small generated year: every page it times answers (one that no longer does stops
it), and no page's queries grow with the data — issue 12: "none grows with the number of units or items"."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Role, User
from awards.services import finalize_year
from bulletins.publishing import publish_bulletin
from submissions.models import Submission
from tests.factories import (
    make_adoption,
    make_basic_work,
    make_failure,
    make_instruction,
    make_person,
    make_request,
    make_submission,
    make_unit,
    make_user,
    shanghai,
)
from units.models import Sequence

pytestmark = pytest.mark.django_db
YEAR = 2024  # scripts/benchmark_scoring.py's


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, settings.BASE_DIR / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def benchmark(tmp_path):
    _script("benchmark_scoring").Command().generate(50, 1_000, 200, 40)
    call_command("loadtest_data", sessions=str(tmp_path / "sessions.json"), officers=2, staff=1)
    return _script("benchmark_pages")


def test_every_page_of_the_page_benchmark_answers_on_a_small_year(benchmark, capsys):
    items = Submission.objects.count()

    benchmark.main(repeat=1)

    out = capsys.readouterr().out
    pages = int(out.split(" pages,")[0].split()[-1])
    rows = [line for line in out.splitlines() if line.startswith(("| officer", "| staff", "| admin", "| download"))]
    assert pages >= 50 and len(rows) == pages
    assert "First view after the officer reported an item" in out
    assert Submission.objects.count() == items + 1


def _grow(unit) -> None:
    """Twenty more units with people, officers, basic work, a request, and items, joint items, adoptions,
    instructions and failures in the published month, some of them the benchmark officer's unit's."""
    units = [make_unit(sequence=Sequence.values[i % 4]) for i in range(20)]
    request = make_request(targets=[unit, *units], deadline=shanghai(YEAR, 3, 20))
    for n, other in enumerate(units):
        make_person(other)
        make_user(Role.OFFICER, other)
        make_basic_work(other, year=YEAR)
        make_failure(other, occurred_on=dt.date(YEAR, 3, 1 + n))
        for day in (2, 9):
            item = make_submission(other, joint=[unit] if n % 2 else [], submitted_at=shanghai(YEAR, 3, day + n // 4),
                                   special_request=request if day == 2 else None)
            make_adoption(item, adopted_on=dt.date(YEAR, 3, 25))
            make_instruction(item, instructed_on=dt.date(YEAR, 3, 26))
        own = make_submission(unit, submitted_at=shanghai(YEAR, 3, 10 + n // 2))
        make_adoption(own, level="province", adoption_type="general", adopted_on=dt.date(YEAR, 3, 27))
        make_instruction(own, instructed_on=dt.date(YEAR, 3, 28))
    make_failure(unit, occurred_on=dt.date(YEAR, 3, 30))


def test_no_page_of_the_benchmark_reads_more_queries_with_more_data(benchmark):
    def counts() -> dict[str, tuple[int, int]]:
        """Per page, the queries of its first view (computing what it keeps) and of a repeat view."""
        every, _ = benchmark.pages()
        timings = {f"{page.who} {page.name}": benchmark.timed(page, 1) for page in every}
        return {name: (t.first_queries, t.queries) for name, t in timings.items()}

    before = counts()
    _grow(User.objects.get(username="load_officer0").unit)
    # The frozen documents again, with the new units in them.
    publish_bulletin(dt.date(YEAR, 3, 1), reason="增加单位")
    finalize_year(YEAR, reason="增加单位")

    assert counts() == before
