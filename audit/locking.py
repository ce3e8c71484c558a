"""Optimistic locking for every edit form: a save refuses to overwrite what someone else saved meanwhile.

A model with a `version` integer carries it in the form (`VersionedForm`); its service locks the row
(`lock_version`), refuses a different version with `StaleEdit` and adds one on save. The message says who
changed the row and when, from the audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models, transaction

from audit.models import EventKind
from audit.services import diff, last_change, record, snapshot
from core.dates import cn_date

FORM_EXPIRED = "表单已失效，请刷新页面后重新填写。"


class StaleEdit(Exception):
    """The row was saved by someone else since the form was opened (its `version` moved on)."""

    def __init__(self, current: models.Model) -> None:
        self.current = current
        last = last_change(current)
        who = f"{last.username or '系统'}" if last else "他人"
        when = f"于 {cn_date(last.at, 'minute')}" if last else ""
        noun = current._meta.verbose_name
        self.message = (f"该{noun}已被他人修改（{who}{when}），您的修改没有保存。"
                        "请对照最新内容核对；如仍以您的内容为准，请再次点击保存。")
        super().__init__(self.message)


def lock_version(queryset: models.QuerySet, pk: int, version: int) -> models.Model:
    """The row locked for the caller's transaction; StaleEdit unless it is still at `version`."""
    current = queryset.select_for_update(of=("self",)).get(pk=pk)
    if current.version != version:
        raise StaleEdit(current)
    return current


@transaction.atomic
def update_versioned(queryset: models.QuerySet, pk: int, version: int, values: dict[str, Any], shown: Sequence[str],
                     **record_kwargs: Any) -> models.Model:
    """Lock the row, refuse a stale `version`, set `values`; when the `shown` fields changed, save the row one
    version on and record before and after (`record_kwargs`: user, parent, summary)."""
    current = lock_version(queryset, pk, version)
    before = snapshot(current, shown)
    for name, value in values.items():
        setattr(current, name, value)
    changes = diff(before, snapshot(current, shown))
    if changes:
        current.version += 1
        current.save()
        record(EventKind.UPDATE, current, changes=changes, **record_kwargs)
    return current


class VersionedForm(forms.Form):
    """The version of the row the form was opened on, sent back with the save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                 error_messages={"required": FORM_EXPIRED, "invalid": FORM_EXPIRED, "min_value": FORM_EXPIRED})

    def __init__(self, *args, version: int | None = None, **kwargs) -> None:
        """`version`: of a row that is not the form's instance (0: not there yet); a create form has none."""
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if version is None and (instance is None or instance.pk is None):
            del self.fields["version"]
        else:
            self.fields["version"].initial = version if version is not None else instance.version

    def model_values(self) -> dict[str, Any]:
        """A model form's cleaned values of its model fields, for the service that saves them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def refuse_stale(self, stale: StaleEdit) -> None:
        """Keep what the user typed, say who changed the row; a second save then deliberately overwrites it."""
        self.add_error(None, stale.message)
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = stale.current.version
