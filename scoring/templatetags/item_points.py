"""`{% item_points item as points %}`: the item page's points of its facts (scoring.item_points)."""

from __future__ import annotations

from django import template

from scoring.item_points import ItemPoints
from scoring.item_points import item_points as points_of
from submissions.models import Submission

register = template.Library()


@register.simple_tag
def item_points(item: Submission) -> ItemPoints:
    return points_of(item)
