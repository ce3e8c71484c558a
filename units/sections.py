"""Sections that apps above `units` add to a unit's page: they know the unit's facts, and units may not import
them (the layers point one way). Each app adds its section in its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from units.models import Unit

# A section: a dict with the "template" to include and its values, or None when it has nothing to show.
Section = Callable[[HttpRequest, Unit], dict | None]
_sections: list[Section] = []


def add_section(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def sections_for(request: HttpRequest, unit: Unit) -> list[dict]:
    return [shown for section in _sections if (shown := section(request, unit))]
