"""Speed of the duplicates page's grouping (`similar_groups`) on a synthetic month of 25,000 items, in memory.

The large year of scripts/benchmark gives every item the same title (one group of a whole month); this month has
mostly distinct titles made of shared phrases, half of them naming their unit, and about 700 events reported by
2–6 units each with small variations. Usage: .venv/bin/python scripts/benchmark_duplicates.py [repeats, default 5]
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

# A development script, not one of the site's commands: it sets Django up itself (no database is read).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbin_infoassess.settings")
django.setup()

from submissions.duplicates import similar_groups  # noqa: E402
from submissions.models import Submission  # noqa: E402

ITEMS, EVENT_ITEMS = 25_000, 3_000


def synthetic_month() -> list[Submission]:
    rng = random.Random(7)

    def chars(n: int) -> str:
        return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))

    units = [(unit_id, chars(2) + rng.choice("区县局委办")) for unit_id in range(1, 1001)]
    actors = [chars(rng.randint(2, 4)) for _ in range(60)]
    actions = ["推进", "开展", "落实", "部署", "召开", "加强", "深化", "启动", "完成", "组织"] + [chars(2) for _ in range(30)]
    matters = [chars(rng.randint(3, 6)) for _ in range(200)]
    results = ["取得成效", "有序推进", "成效明显", "稳步实施", "持续升温", "工作会议", "进展情况"] + [chars(4) for _ in range(33)]
    start = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    items: list[Submission] = []

    def add(unit: tuple[int, str], title: str) -> None:
        item = Submission(pk=len(items) + 1, unit_id=unit[0], title=title,
                          submitted_at=start + dt.timedelta(minutes=rng.randrange(40_000)))
        item.adopted, item.unit_name, item.unit_short_name = False, unit[1], ""
        items.append(item)

    while len(items) < ITEMS - EVENT_ITEMS:
        unit = rng.choice(units)
        title = rng.choice(actors) + rng.choice(actions) + rng.choice(matters) + rng.choice(results)
        add(unit, unit[1] + title if rng.random() < 0.5 else title)
    while len(items) < ITEMS:  # an event, reported by several units
        title = rng.choice(actors) + rng.choice(actions) + rng.choice(matters) + rng.choice(matters) + rng.choice(results)
        for unit in rng.sample(units, rng.randint(2, 6)):
            add(unit, rng.choice([title, title + "。", f"“{title}”", title[:-1] + chars(1), unit[1] + title]))
    return sorted(items, key=lambda item: item.submitted_at)


def main(repeat: int) -> None:
    items = synthetic_month()
    runs = []
    for _ in range(repeat):
        cpu = time.process_time()
        groups = similar_groups(items)
        runs.append(time.process_time() - cpu)
    print(f"{len(items)} items, {len(groups)} groups; similar_groups: {statistics.median(runs) * 1000:.0f} ms of CPU "
          f"(median of {repeat})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
