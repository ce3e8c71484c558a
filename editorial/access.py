"""Who may use the desk: office staff decide and compose, viewers read, unit officers never see it (drafts,
other units' items). One helper per object the views load (STYLE.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from editorial.models import Carrier, Issue, IssueItem
from submissions.models import DeskState, Submission


def check_reads_desk(user) -> None:
    if user.is_officer:
        raise PermissionDenied("采编工作由市政府办公厅进行，单位信息员不能查看。")


def get_desk_item(user, pk: int) -> Submission:
    check_reads_desk(user)
    try:
        return Submission.objects.exclude(desk_state=DeskState.OFF_DESK).select_related("unit").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("没有找到该信息，或它不在采编流程中。") from None


def get_item(pk: int) -> Submission:
    """Any item, for the office (the views that call it are staff only)."""
    try:
        return Submission.objects.select_related("unit").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("没有找到该信息。") from None


def get_issue_for_user(user, pk: int) -> Issue:
    check_reads_desk(user)
    try:
        return Issue.objects.select_related("carrier", "created_by").get(pk=pk)
    except Issue.DoesNotExist:
        raise Http404("没有找到该期。") from None


def get_entry(issue: Issue, pk: int) -> IssueItem:
    try:
        return issue.entries.select_related("submission__unit", "issue__carrier").get(pk=pk)
    except IssueItem.DoesNotExist:
        raise Http404("该期中没有这条信息。") from None


def get_carrier(pk: int) -> Carrier:
    try:
        return Carrier.objects.get(pk=pk)
    except Carrier.DoesNotExist:
        raise Http404("没有找到该刊物。") from None
