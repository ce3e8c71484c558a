"""scripts/benchmark_pages keeps working: on a small generated year every page it times answers (one that no
longer does stops it) and gets its line, and the report it makes is saved."""

from __future__ import annotations

import importlib.util

import pytest
from django.conf import settings
from django.core.management import call_command

from submissions.models import Submission


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, settings.BASE_DIR / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_every_page_of_the_page_benchmark_answers_on_a_small_year(tmp_path, capsys):
    _script("benchmark_scoring").Command().generate(50, 1_000, 200, 40)
    call_command("loadtest_data", sessions=str(tmp_path / "sessions.json"), officers=2, staff=1)
    benchmark = _script("benchmark_pages")
    items = Submission.objects.count()

    benchmark.main(repeat=1)

    out = capsys.readouterr().out
    pages = int(out.split(" pages,")[0].split()[-1])
    rows = [line for line in out.splitlines() if line.startswith(("| officer", "| staff", "| admin", "| download"))]
    assert pages >= 50 and len(rows) == pages
    assert "First view after the officer reported an item" in out
    assert Submission.objects.count() == items + 1
