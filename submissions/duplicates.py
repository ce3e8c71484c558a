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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from django.db.models import Exists, F, OuterRef

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
    # Two upper bounds of the ratio, checked before the matcher is made (which costs more than all the rest over a
    # month's pairs): the lengths (difflib's real_quick_ratio), then the characters in common, each counted at
    # most as often as it repeats in either title (above difflib's quick_ratio).
    total = len(a) + len(b)
    if 2.0 * len(short) / total < NEAR_RATIO:
        return False
    chars_a, chars_b = set(a), set(b)
    common = len(chars_a & chars_b) + min(len(a) - len(chars_a), len(b) - len(chars_b))
    if 2.0 * common / total < NEAR_RATIO:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_RATIO


def unit_names(name: str, short_name: str) -> tuple[str, ...]:
    """A unit's name and short name, normalized, as `names_own_unit` looks for them in a title."""
    return tuple(filter(None, (normalize_title(name), normalize_title(short_name))))


def names_own_unit(normalized: str, names: tuple[str, ...]) -> bool:
    """The normalized title names the item's own unit (`unit_names`)."""
    return any(name in normalized for name in names)


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


@dataclass(frozen=True)
class DuplicateGroup(Sequence):
    """Items of two or more units with nearly the same titles: adopted ones first (`adopted`: the one to keep,
    since their points cannot move), then in time order."""

    items: tuple[Submission, ...]
    units: int  # how many units reported them
    same_title: bool  # every title the same once normalized: the likeliest duplicates

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)


def month_groups(year: int, month: int) -> list[DuplicateGroup]:
    """Groups of the month's valid items of two or more units with nearly the same titles (the same event
    reported by several units), the likeliest first: groups of the same title, then of nearly the same; the
    larger, then the earlier first. One query, of the columns the duplicates page shows."""
    period = Period.month(year, month)
    adopted = Exists(Adoption.objects.filter(submission=OuterRef("pk")))
    items = list(Submission.objects.counted().submitted_between(period.start, period.end)
                 .only("ledger_no", "title", "submitted_at", "special_request", "version", "unit")
                 .annotate(adopted=adopted, unit_name=F("unit__name"), unit_short_name=F("unit__short_name"))
                 .order_by("submitted_at", "pk"))
    groups = similar_groups(items)  # each in time order, and in the order of their first items
    return sorted((replace(g, items=tuple(sorted(g, key=lambda item: not item.adopted))) for g in groups),
                  key=lambda g: (not g.same_title, -len(g)))


def similar_groups(items: list[Submission]) -> list[DuplicateGroup]:
    """The items (with `unit_name` and `unit_short_name`) in groups of nearly the same titles that span two or
    more units, in the order of the items, as are the groups (by their first items)."""
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
    units = [item.unit_id for item in items]  # read once: a foreign key's attribute is a descriptor
    names: dict[int, tuple[str, ...]] = {}  # unit id -> its names, normalized once
    own: dict[int, bool] = {}  # item -> its title names its own unit

    def own_work(i: int) -> bool:
        if i not in own:
            if units[i] not in names:
                names[units[i]] = unit_names(items[i].unit_name, items[i].unit_short_name)
            own[i] = names_own_unit(titles[i], names[units[i]])
        return own[i]

    for a, b in _gram_pairs(first):
        if units[a] == units[b] or root(a) == root(b):
            continue  # a unit's own similar titles are the form's warning, not an event of several units
        if not (own_work(a) and own_work(b)) and nearly_same(titles[a], titles[b]):
            parent[root(b)] = root(a)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[root(i)].append(i)
    return [DuplicateGroup(tuple(items[i] for i in members), count, len({titles[i] for i in members}) == 1)
            for members in groups.values() if (count := len({units[i] for i in members})) > 1]
