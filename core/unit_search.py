"""Units typed by name, with suggestions loaded as one types (`units:choices`, static/js/unit-search.js), instead
of a drop-down or a box per unit of a thousand units on every page.

In core, below every app that picks a unit (the audit filter among them): the fields take their queryset of units
from the form, and reach the units' URL by its name only.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.html import format_html

# Names of several units: one a line, or separated by 、，,;； (as they are written in an office's document).
SEPARATORS = re.compile(r"[\r\n、，,;；]+")
NAMES_MAX = 20000  # characters: a few hundred units' names, far more than any list the forms need


def _unknown(queryset: QuerySet, names: list[str]) -> list[str]:
    """Why each name is refused: a unit the field does not offer because it was deactivated, or none of that name."""
    searched = [name for name in names if _searchable(name)]
    inactive = set(queryset.model.objects.filter(name__in=searched, is_active=False).values_list("name", flat=True))
    return [f"单位“{name}”已停用，不能选择。" if name in inactive else f"没有名为“{name}”的单位。" for name in names]


def _is_id(value) -> bool:
    # An id is ASCII digits of bounded length ("²" is a digit to str.isdigit, not to the database).
    return isinstance(value, int) or isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18


def _searchable(name: str) -> bool:
    # No unit's name holds a NUL, and PostgreSQL refuses one in a query.
    return "\x00" not in name


class SuggestedInput(forms.TextInput):
    """A name typed, with the matching names suggested as one types: the JSON `{"names": [...]}` of the view
    `url_name` (with `query` added) for `q`, the text typed."""

    def __init__(self, url_name: str, *, placeholder: str, query: str = "", attrs: dict | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "placeholder": placeholder, **(attrs or {})})
        self.url_name, self.query = url_name, query

    def render(self, name, value, attrs=None, renderer=None) -> str:
        list_id = f"{(attrs or {}).get('id') or name}-choices"
        attrs = {**(attrs or {}), "list": list_id, "data-choices-url": reverse(self.url_name) + self.query}
        return super().render(name, value, attrs, renderer) + format_html('<datalist id="{}"></datalist>', list_id)


def _unit_query(active_only: bool) -> str:
    # `units:choices` suggests the units the user may read, or with active=1 the active units (units.views).
    return "?active=1" if active_only else ""


class UnitNameSearchField(forms.CharField):
    """Part of a unit's name, narrowing a list of units to those whose name contains it; the names are suggested
    as one types (the units the user may read)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", SuggestedInput("units:choices", placeholder="单位名称或其中几个字"))
        super().__init__(label="单位名称", max_length=100, required=False, **kwargs)


class UnitsSearchTextarea(forms.Textarea):
    """Several units' names, one a line: typed by hand without a script; with one, a search box (shown by the
    script) suggests names and adds the one picked as a line."""

    def __init__(self, *, active_only: bool = True) -> None:
        super().__init__(attrs={"rows": 3, "placeholder": "每行一个单位名称"})
        self.active_only = active_only

    def render(self, name, value, attrs=None, renderer=None) -> str:
        area_id = (attrs or {}).get("id") or name
        return super().render(name, value, attrs, renderer) + format_html(
            '<div class="input-group mt-1" data-unit-adder hidden>'
            '<input type="search" class="form-control" id="{0}-search" list="{0}-choices" autocomplete="off" '
            'placeholder="输入名称查找单位，选中后加入" aria-label="查找单位" data-choices-url="{1}" data-adds-to="{0}">'
            '<button type="button" class="btn btn-outline-secondary" data-add-unit="{0}">加入</button></div>'
            '<datalist id="{0}-choices"></datalist>',
            area_id, reverse("units:choices") + _unit_query(self.active_only),
        )


class UnitByNameField(forms.ModelChoiceField):
    """A unit by its exact name, or by its id (links from other pages); shown by name."""

    def __init__(self, queryset: QuerySet, *, placeholder: str = "输入单位名称", active_only: bool = False,
                 **kwargs) -> None:
        kwargs.setdefault("widget", SuggestedInput("units:choices", placeholder=placeholder, query=_unit_query(active_only)))
        super().__init__(queryset, **kwargs)

    def to_python(self, value) -> Model | None:
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        unit = self.queryset.filter(name=value).first() if _searchable(value) else None
        if unit is None and _is_id(value):
            unit = self.queryset.filter(pk=value).first()
        if unit is None:
            raise forms.ValidationError(_unknown(self.queryset, [value]), code="invalid_choice")
        return unit

    def prepare_value(self, value):
        if isinstance(value, Model):
            return value.name
        if _is_id(value):
            return self.queryset.filter(pk=value).values_list("name", flat=True).first() or value
        return value


class UnitsByNameField(forms.Field):
    """Several units by their exact names (SEPARATORS between them), each checked against `queryset`: the units in
    the order typed, a name typed twice counted once. Shown as the units' names, one a line."""

    widget = UnitsSearchTextarea

    def __init__(self, queryset: QuerySet, **kwargs) -> None:
        self.queryset = queryset
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        value = str(value or "")
        if len(value) > NAMES_MAX:
            raise forms.ValidationError(f"{self.label}不能超过{NAMES_MAX}字。", code="max_length")
        return list(dict.fromkeys(name.strip() for name in SEPARATORS.split(value) if name.strip()))

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value) -> list[Model]:
        names = self.to_python(value)
        self.validate(names)
        found = {unit.name: unit for unit in self.queryset.filter(name__in=[n for n in names if _searchable(n)])}
        missing = [name for name in names if name not in found]
        if missing:
            raise forms.ValidationError(_unknown(self.queryset, missing), code="invalid_choice")
        return [found[name] for name in names]

    def prepare_value(self, value) -> str:
        # What was typed (a bound form shown again), or the units a fact names (an edit's initial).
        return value if isinstance(value, str) else "\n".join(unit.name for unit in value or [])
