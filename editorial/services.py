"""Every write of the editorial desk, each under one transaction (STYLE.md: lock, check the version, record).

`_history` is the one place the desk writes the audit trail (a fact's item is its parent, so the item's page
shows it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from audit.locking import update_versioned
from audit.models import EventKind
from editorial.models import Carrier, Decision, DecisionAction, Issue, IssueItem, IssueStatus
from notifications import services as notices
from notifications.models import NoticeKind
from submissions.models import Adoption, DeskState, Submission
from submissions.services import notify_facts, snapshot


class DeskError(Exception):
    """A desk write refused, with the Chinese reason shown to the editor."""


def _history(rows: list[tuple[Submission | Adoption, str, dict, str]], user) -> None:
    """Record (item or adoption, kind, changes, summary) on the audit trail in one statement; the item and
    its unit must be loaded (a publication records fifty at once)."""
    audit.record_many(
        audit.event(kind, obj, user=user, changes=changes, summary=summary,
                    unit=(obj if isinstance(obj, Submission) else obj.submission).unit,
                    parent=None if isinstance(obj, Submission) else obj.submission)
        for obj, kind, changes, summary in rows
    )


def _locked_item(item: Submission, version: int) -> Submission:
    current = Submission.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
    if current.version != version:
        # Two editors on one item: the first decision wins, the second sees what happened.
        state = current.get_desk_state_display()
        raise DeskError(f"该信息已被他人处理或修改（当前状态：{state}），您的处理没有保存，请刷新后重试。")
    return current


def _locked_draft(issue: Issue) -> Issue:
    current = Issue.objects.select_for_update(of=("self",)).select_related("carrier").get(pk=issue.pk)
    if not current.is_draft:
        raise DeskError("该期已刊发或已撤回，不能再修改。")
    return current


def _set_state(item: Submission, state: str, note: str, user, summary: str) -> None:
    before = item.get_desk_state_display()
    item.desk_state, item.desk_note = state, note
    item.version += 1
    item.save(update_fields=["desk_state", "desk_note", "version", "updated_at"])
    _history([(item, EventKind.UPDATE, {"采编状态": [before, item.get_desk_state_display()]}, summary)], user)


def decide(item: Submission, action: str, *, user, version: int, comment: str = "", issue: Issue | None = None,
           adoption_type: str = "") -> Submission:
    """An editor's decision: 采用 into a draft issue, 备用, 不采用 (reason optional), 退回修改 (comment required)."""
    comment = comment.strip()
    if action == DecisionAction.RETURN and not comment:
        raise DeskError("退回修改必须填写修改意见。")
    with transaction.atomic():
        current = _locked_item(item, version)
        if current.desk_state in (DeskState.OFF_DESK, DeskState.WITHDRAWN):
            raise DeskError("该信息不在采编流程中。")
        published = current.desk_state == DeskState.ADOPTED
        if published and action != DecisionAction.SELECT:
            raise DeskError("该信息已刊发，只能再采用到其他刊物；如需取消，请撤回所在的期。")
        if action == DecisionAction.SELECT:
            if issue is None:
                raise DeskError("请选择采用到哪一期草稿。")
            _add_entry(_locked_draft(issue), current, adoption_type)
        Decision.objects.create(submission=current, action=action, comment=comment, issue=issue, user=user)
        note = comment if action in (DecisionAction.RETURN, DecisionAction.REJECT) else ""
        summary = "".join([f"采编：{DecisionAction(action).label}", f"（{issue}）" if issue else "",
                           f"：{comment}" if comment else ""])
        # A published item stays 已采用 while it waits in another carrier's draft.
        _set_state(current, DeskState.ADOPTED if published else action, note, user, summary)
        if action == DecisionAction.RETURN:
            # To the reporting unit, the one that edits and resubmits (joint units do not edit the item).
            notices.notify_units([current.unit_id], NoticeKind.RETURNED, f"“{current.title}”被退回修改：{comment}",
                                 reverse("submissions:detail", args=[current.pk]))
    return current


def _add_entry(issue: Issue, item: Submission, adoption_type: str) -> IssueItem:
    allowed = [t for t, _ in issue.carrier.type_choices()]
    adoption_type = adoption_type or (allowed[0] if len(allowed) == 1 else "")
    if adoption_type not in allowed:
        raise DeskError(f"{issue.carrier}的采用类型只能是：{'、'.join(label for _, label in issue.carrier.type_choices())}。")
    if issue.entries.filter(submission=item).exists():
        raise DeskError("该信息已在这一期中。")
    position = (issue.entries.aggregate(last=Max("position"))["last"] or 0) + 1
    return IssueItem.objects.create(issue=issue, submission=item, position=position, title=item.title, body=item.body,
                                    adoption_type=adoption_type)


# --- carriers and issues -----------------------------------------------------------------------------------


CARRIER_FIELDS = ("name", "level", "adoption_type", "frequency", "order", "is_active")


@transaction.atomic
def create_carrier(values: dict[str, Any], *, user) -> Carrier:
    carrier = Carrier.objects.create(**values)
    audit.record_created(carrier, CARRIER_FIELDS, user=user)
    return carrier


def update_carrier(carrier: Carrier, values: dict[str, Any], *, user, version: int) -> Carrier:
    """Save the carrier unless someone saved it since `version` was read (then StaleEdit)."""
    return update_versioned(Carrier.objects.all(), carrier.pk, version, values, CARRIER_FIELDS, user=user)


def start_issue(carrier: Carrier, *, user) -> Issue:
    return Issue.objects.create(carrier=carrier, created_by=user)


ISSUE_FIELDS = ("editor_note", "responsible_editor", "signed_by")
ENTRY_FIELDS = ("title", "body", "adoption_type")


def edit_issue(issue: Issue, values: dict[str, Any], *, user, version: int) -> Issue:
    """Save a draft's 编者按/责任编辑/签发 unless someone saved it since `version` was read (StaleEdit)."""
    with transaction.atomic():
        _locked_draft(issue)
        return update_versioned(Issue.objects.all(), issue.pk, version, values, ISSUE_FIELDS, user=user)


def edit_entry(entry: IssueItem, values: dict[str, Any], *, user, version: int) -> IssueItem:
    """Save the text edited for publication unless someone saved it since `version` was read (StaleEdit); on the
    issue's and the item's history."""
    with transaction.atomic():
        _locked_draft(entry.issue)
        return update_versioned(IssueItem.objects.select_related("issue__carrier", "submission__unit"), entry.pk,
                                version, values, ENTRY_FIELDS, user=user, parent=entry.issue,
                                unit=entry.submission.unit)


def _take_out(entry: IssueItem, user) -> None:
    """Take an item out of a draft; it goes back to 待处理 unless another draft still holds it."""
    item = Submission.objects.select_for_update(of=("self",)).select_related("unit").get(pk=entry.submission_id)
    entry.delete()
    if item.desk_state == DeskState.SELECTED and not item.issue_entries.filter(issue__status=IssueStatus.DRAFT).exists():
        _set_state(item, DeskState.PENDING, "", user, f"采编：移出{entry.issue}")


def remove_entry(entry: IssueItem, *, user) -> None:
    with transaction.atomic():
        _locked_draft(entry.issue)
        _take_out(entry, user)


def discard_draft(issue: Issue, *, user) -> None:
    """Delete a draft (never a published issue); its items go back to the inbox."""
    with transaction.atomic():
        current = _locked_draft(issue)
        for entry in current.entries.select_related("issue__carrier"):
            _take_out(entry, user)
        current.delete()


def move_entry(entry: IssueItem, step: int, *, user) -> None:
    """Swap the item with its neighbour above (-1) or below (+1); the order before and after is recorded."""
    with transaction.atomic():
        issue = _locked_draft(entry.issue)
        entries = list(issue.entries.order_by("position", "id"))
        i = next(n for n, e in enumerate(entries) if e.pk == entry.pk)
        j = i + step
        if 0 <= j < len(entries):
            before = _order(entries)
            entries[i], entries[j] = entries[j], entries[i]
            for position, e in enumerate(entries, start=1):
                e.position = position
            IssueItem.objects.bulk_update(entries, ["position"])
            audit.record(EventKind.UPDATE, issue, user=user, summary=f"调整{issue}的刊发顺序",
                         changes={"刊发顺序": [before, _order(entries)]})


def _order(entries: list[IssueItem]) -> str:
    return "；".join(f"{n}. {e.title}" for n, e in enumerate(entries, start=1))


def _numbers(carrier: Carrier, year: int) -> tuple[int, int]:
    numbered = Issue.objects.filter(carrier=carrier, number__isnull=False)
    last = numbered.aggregate(total=Max("total_number"), this_year=Max("number", filter=models.Q(year=year)))
    return (last["this_year"] or 0) + 1, (last["total"] or 0) + 1


def publish_issue(issue: Issue, *, user, version: int, issued_on: dt.date) -> Issue:
    """Freeze the draft with its number and date and record one adoption per item, in a fixed number of queries.

    An item that already has an adoption at the carrier's level earns none here (one adoption per level,
    RULES.md Art. 9); it is still printed.
    """
    with transaction.atomic():
        current = _locked_draft(issue)
        if current.version != version:
            raise DeskError("该期已被他人修改，没有刊发，请刷新后核对。")
        entries = list(current.entries.select_related("submission__unit"))
        if not entries:
            raise DeskError("该期还没有信息，不能刊发。")
        carrier = current.carrier
        late = [e for e in entries if timezone.localdate(e.submission.submitted_at) > issued_on]
        if late:
            raise DeskError(f"刊发日期不能早于信息的报送日期（{late[0].title}）。")
        current.year = issued_on.year
        # Two drafts of one carrier published at once queue here, so they cannot take the same number.
        Carrier.objects.select_for_update().get(pk=carrier.pk)
        current.number, current.total_number = _numbers(carrier, current.year)
        taken = set(Adoption.objects.filter(submission__in=[e.submission_id for e in entries], level=carrier.level)
                    .values_list("submission_id", flat=True))
        earning = [e for e in entries if e.submission_id not in taken]
        adoptions = Adoption.objects.bulk_create(
            Adoption(submission=e.submission, level=carrier.level, adoption_type=e.adoption_type, adopted_on=issued_on,
                     carrier=carrier.name, issue_no=current.number_label, created_by=user)
            for e in earning
        )
        for entry, adoption in zip(earning, adoptions, strict=True):
            entry.adoption = adoption
        if earning:
            IssueItem.objects.bulk_update(earning, ["adoption"])
        Submission.objects.filter(pk__in=[e.submission_id for e in entries]).update(
            desk_state=DeskState.ADOPTED, desk_note="", version=models.F("version") + 1, updated_at=timezone.now())
        _history([(a, EventKind.CREATE, audit.diff({}, snapshot(a)), f"刊发{current}：{a}") for a in adoptions], user)
        notify_facts(adoptions)
        current.status, current.issued_on, current.published_at = IssueStatus.PUBLISHED, issued_on, timezone.now()
        current.version += 1
        current.save()
    return current


def withdraw_issue(issue: Issue, reason: str, *, user) -> Issue:
    """Take a published issue back: its adoptions are deleted (their history stays), its items go back to 待处理."""
    reason = reason.strip()
    if not reason:
        raise DeskError("撤回必须填写原因。")
    with transaction.atomic():
        current = Issue.objects.select_for_update(of=("self",)).select_related("carrier").get(pk=issue.pk)
        if current.status != IssueStatus.PUBLISHED:
            raise DeskError("只有已刊发的期可以撤回。")
        adoptions = list(Adoption.objects.filter(issue_entry__issue=current).select_related("submission__unit"))
        _history([(a, EventKind.DELETE, audit.diff(snapshot(a), {}), f"撤回{current}（{reason}）：{a}") for a in adoptions], user)
        for adoption in adoptions:
            adoption.delete()  # one by one: the tally signals mark the units stale
        current.status, current.withdraw_reason = IssueStatus.WITHDRAWN, reason
        current.version += 1
        current.save()
        # Back to the inbox, unless another published issue still carries the item.
        still_published = IssueItem.objects.filter(issue__status=IssueStatus.PUBLISHED).values("submission_id")
        Submission.objects.filter(pk__in=current.entries.values("submission_id"), desk_state=DeskState.ADOPTED).exclude(
            pk__in=still_published).update(desk_state=DeskState.PENDING, version=models.F("version") + 1,
                                           updated_at=timezone.now())
    return current


# --- upward submission ------------------------------------------------------------------------------------


def forward_entries(entries: list[IssueItem], forwarded_on: dt.date) -> int:
    """Mark published items as sent up to the provincial General Office (报送省政府)."""
    with transaction.atomic():
        return IssueItem.objects.filter(pk__in=[e.pk for e in entries], issue__status=IssueStatus.PUBLISHED).update(
            forwarded_on=forwarded_on)


def record_adoption(item: Submission, carrier: Carrier, *, adoption_type: str, adopted_on: dt.date, issue_no: str,
                    user) -> Adoption:
    """An adoption in a listed carrier outside the desk's issues (e.g. the province adopted a forwarded item)."""
    with transaction.atomic():
        item = Submission.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
        if item.adoptions.filter(level=carrier.level).exists():
            raise DeskError("该信息在这一层级已有采用记录，每个层级只能采用一次。")
        adoption = Adoption.objects.create(submission=item, level=carrier.level, adoption_type=adoption_type,
                                           adopted_on=adopted_on, carrier=carrier.name, issue_no=issue_no, created_by=user)
        _history([(adoption, EventKind.CREATE, audit.diff({}, snapshot(adoption)), f"{carrier}采用：{adoption}")], user)
        notify_facts([adoption])
    return adoption


def carriers_from_adoptions() -> int:
    """List every carrier named by an adoption (typed by hand or imported from a ledger) that is not listed yet."""
    listed = set(Carrier.objects.values_list("name", flat=True))
    named = Adoption.objects.exclude(carrier="").values_list("carrier", "level").distinct().order_by()
    new = {}
    for name, level in named:
        name = name.strip().strip("《》").strip()
        if name and name not in listed:
            new.setdefault(name, level)
    with transaction.atomic():
        Carrier.objects.bulk_create([Carrier(name=n, level=lv) for n, lv in new.items()], ignore_conflicts=True)
    return len(new)
