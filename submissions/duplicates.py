"""Likely duplicate items: a unit reporting the same item twice, and several units reporting the same event.

Titles are compared normalized (`normalize_title`): NFKC (full-width letters, digits and punctuation become
half-width), case folded, whitespace, punctuation and symbols removed. Two normalized titles are "nearly the
same" (`nearly_same`) when they are equal, when one contains the other and the shorter has at least
`CONTAINED_MIN` characters, or when difflib's similarity ratio is at least `NEAR_RATIO`.

Across units, two different titles that each name their own unit ("道里区优化营商环境…", "南岗区优化营商环境…")
are each unit's own work on a shared theme, not one event: they are not paired.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from difflib import SequenceMatcher

from django.db.models import Exists, OuterRef

from core.assessment import Period
from submissions.models import Adoption, Submission
from units.models import Unit

RECENT_DAYS = 30  # a unit's items this close in time to a new one are compared with it
NEAR_RATIO = 0.9
CONTAINED_MIN = 8
GRAM = 4  # the month's titles are paired only when they share a run of this many characters...
GRAM_CAP = 50  # ...that at most this many titles have (a common phrase such as 哈尔滨市 pairs nothing)


def normalize_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    # Unicode categories P (punctuation), S (symbols), Z (spaces) and C (controls) are dropped.
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


def nearly_same(a: str, b: str) -> bool:
    """Two normalized titles that name the same item (the rule in the module's docstring)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= CONTAINED_MIN and short in long:
        return True
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= NEAR_RATIO and matcher.quick_ratio() >= NEAR_RATIO and matcher.ratio() >= NEAR_RATIO


def names_own_unit(normalized: str, unit: Unit) -> bool:
    """The normalized title names the item's own unit, by its name or short name."""
    return any(name and name in normalized for name in (normalize_title(unit.name), normalize_title(unit.short_name)))


def recent_duplicates(unit: Unit, title: str, at: dt.datetime, exclude: int | None = None) -> list[Submission]:
    """The unit's valid items within `RECENT_DAYS` of `at` whose titles are nearly the same as `title`: one
    query on the unit's items of those days (index submission_unit_time_idx)."""
    wanted = normalize_title(title)
    window = dt.timedelta(days=RECENT_DAYS)
    nearby = (Submission.objects.counted().filter(unit=unit).submitted_between(at - window, at + window)
              .exclude(pk=exclude).only("pk", "ledger_no", "title", "submitted_at", "unit_id"))
    return [item for item in nearby if nearly_same(wanted, normalize_title(item.title))]


def _gram_pairs(titles: dict[str, int]) -> set[tuple[int, int]]:
    """Pairs of distinct titles worth comparing: those sharing a run of GRAM characters that few titles have."""
    buckets: dict[str, list[int]] = defaultdict(list)
    for title, i in titles.items():
        for gram in {title[k:k + GRAM] for k in range(len(title) - GRAM + 1)}:
            buckets[gram].append(i)
    return {(a, b) for members in buckets.values() if len(members) <= GRAM_CAP
            for n, a in enumerate(members) for b in members[n + 1:]}


def month_groups(year: int, month: int) -> list[list[Submission]]:
    """Groups of the month's valid items of two or more units with nearly the same titles (the same event
    reported by several units), largest groups first; in a group adopted items (`adopted`: the one to keep,
    since their points cannot move) first, then in time order. One query."""
    period = Period.month(year, month)
    adopted = Exists(Adoption.objects.filter(submission=OuterRef("pk")))
    items = list(Submission.objects.counted().submitted_between(period.start, period.end)
                 .select_related("unit").annotate(adopted=adopted).order_by("submitted_at", "pk"))
    found = [sorted(g, key=lambda item: not item.adopted) for g in similar_groups(items)]
    return sorted(found, key=lambda g: (-len(g), min(item.submitted_at for item in g), g[0].pk))


def similar_groups(items: list[Submission]) -> list[list[Submission]]:
    """The items (with their units loaded) in groups of nearly the same titles that span two or more units."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    titles = [normalize_title(item.title) for item in items]
    first: dict[str, int] = {}  # each distinct normalized title -> its first item
    for i, title in enumerate(titles):
        parent[i] = first.setdefault(title, i)
    for a, b in _gram_pairs(first):
        if items[a].unit_id == items[b].unit_id or root(a) == root(b):
            continue  # a unit's own similar titles are the form's warning, not an event of several units
        own_work = names_own_unit(titles[a], items[a].unit) and names_own_unit(titles[b], items[b].unit)
        if not own_work and nearly_same(titles[a], titles[b]):
            parent[root(b)] = root(a)
    groups: dict[int, list[Submission]] = defaultdict(list)
    for i, item in enumerate(items):
        groups[root(i)].append(item)
    return [g for g in groups.values() if len({item.unit_id for item in g}) > 1]
