"""Form messages as the General Office writes them: Django's default messages of a field, said with the
field's label ("标题不能超过300字，现有320字。"), and "请选择" for an empty choice instead of "---------".

Messages a form sets itself are kept; only Django's defaults are replaced. The wording of Django's messages
without a label (login, passwords, uniqueness) lives in locale/zh_Hans.
"""

from __future__ import annotations

from django import forms

EMPTY_CHOICE = "请选择"
DJANGO_EMPTY_LABEL = "---------"
# Fields whose value is picked rather than typed: "请选择…" rather than "请填写…".
PICKED = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)


def _defaults(field: forms.Field) -> dict:
    messages: dict = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def office_messages(field: forms.Field) -> None:
    """Put the field's label into Django's default messages and "请选择" into its empty choice; idempotent."""
    label = str(field.label or "").rstrip("：:")
    defaults = _defaults(field)
    picked = isinstance(field, PICKED)
    worded = {
        "required": f"请选择{label}。" if picked else f"请填写{label}。",
        "invalid_choice": f"所选{label}不在可选范围内，请重新选择。",
        "max_length": f"{label}不能超过%(limit_value)d字，现有%(show_value)d字。",
        "min_length": f"{label}不能少于%(limit_value)d字，现有%(show_value)d字。",
    }
    for code, message in worded.items():
        current = field.error_messages.get(code)
        if current is None and code in ("max_length", "min_length") or current is not None and current == defaults.get(code):
            field.error_messages[code] = message
    if getattr(field, "empty_label", None) == DJANGO_EMPTY_LABEL:
        field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = list(field.choices)
        if ("", DJANGO_EMPTY_LABEL) in choices:
            field.choices = [("", EMPTY_CHOICE) if c == ("", DJANGO_EMPTY_LABEL) else c for c in choices]


class OfficeMessagesMixin:
    """For every form the users fill in. Applied when the form cleans and when a field is rendered, so fields
    a form adds in its own __init__ are covered too."""

    def full_clean(self) -> None:
        for field in self.fields.values():
            office_messages(field)
        super().full_clean()

    def __getitem__(self, name: str) -> forms.BoundField:
        if name in self.fields:
            office_messages(self.fields[name])
        return super().__getitem__(name)
