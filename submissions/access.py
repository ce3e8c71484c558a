"""What each user may see of the facts: one helper per object the views load (STYLE.md).

Officers see only their unit's items (its own and the joint items it is on, pending or confirmed) and the
requests sent to it; another unit's object does not exist for them (404). Office roles and viewers see
everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from submissions.models import UNIT_EDITABLE_STATES, DeskState, JointUnit, SpecialRequest, Submission, UrgentFailure


def visible_submissions(user) -> QuerySet[Submission]:
    items = Submission.objects.all()
    if user.can_read_all:
        return items
    return items.of_unit(user.unit_id)


def get_submission_for_user(user, pk: int) -> Submission:
    try:
        return visible_submissions(user).select_related("unit", "special_request", "created_by").get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("没有找到该信息。") from None


def check_settles_joint(user, item_id: int, unit_id: int) -> None:
    """Who confirms or declines a joint unit (RULES.md decision 10): that unit's officer, or the office.

    Anyone else is refused (403) on an item they may read, and finds nothing (404) on one they may not.
    """
    if user.is_office_staff or (user.is_officer and user.unit_id == unit_id):
        return
    get_submission_for_user(user, item_id)
    raise PermissionDenied("只有被列为联合报送单位的单位信息员或办公厅可以确认或拒绝。")


def visible_pending_joints(user) -> QuerySet[JointUnit]:
    """Joint units awaiting confirmation: an officer's are those named to their unit and those their unit
    named; the office and viewers see all."""
    pending = JointUnit.objects.pending()
    if user.can_read_all:
        return pending
    return pending.filter(Q(unit_id=user.unit_id) | Q(submission__unit_id=user.unit_id))


def visible_requests(user) -> QuerySet[SpecialRequest]:
    if user.can_read_all:
        return SpecialRequest.objects.all()
    return SpecialRequest.objects.for_unit(user.unit)


def get_request_for_user(user, pk: int) -> SpecialRequest:
    try:
        return visible_requests(user).get(pk=pk)
    except SpecialRequest.DoesNotExist:
        raise Http404("没有找到该专约。") from None


def can_report(user) -> bool:
    """Officers report for their unit; office staff enter items for any unit; viewers change nothing."""
    return user.is_office_staff or user.is_officer


def can_edit_item(user, item: Submission) -> bool:
    """Staff correct any item; its own unit edits it while the desk has it pending or returned it."""
    return user.is_office_staff or (
        user.is_officer and item.unit_id == user.unit_id and item.desk_state in UNIT_EDITABLE_STATES
    )


def can_withdraw_item(user, item: Submission) -> bool:
    return user.is_officer and item.unit_id == user.unit_id and item.desk_state == DeskState.PENDING


def check_reads_failures(user) -> None:
    """Urgent-information failures are the office's records: officers never see them."""
    if user.is_officer:
        raise PermissionDenied("您没有权限查看紧急信息问题记录。")


def get_failure_for_user(user, pk: int) -> UrgentFailure:
    check_reads_failures(user)
    try:
        return UrgentFailure.objects.select_related("unit", "created_by").get(pk=pk)
    except UrgentFailure.DoesNotExist:
        raise Http404("没有找到该记录。") from None
