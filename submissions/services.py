"""Every write of the facts, each under one transaction and kept in the audit trail (the facts' history).

Views validate input with the forms and call these functions; nothing else writes these models from the
web (the ledger import in `scoring.ledger` is the other writer).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from audit.locking import StaleEdit, lock_version, update_versioned
from audit.models import AuditEvent, EventKind
from core.assessment import RequestOutcome, request_outcome
from core.dates import cn_date
from notifications import services as notices
from notifications.models import NoticeKind
from submissions.models import (
    UNIT_EDITABLE_STATES,
    Adoption,
    DeskState,
    FormToken,
    JointUnit,
    LeaderInstruction,
    Level,
    MonthTally,
    SpecialRequest,
    Submission,
    UrgentFailure,
    earliest_answer,
    sync_fact_owners,
    sync_unit_counts,
)
from submissions.tallies import item_units, rebuild_all_tallies
from units.models import Unit
from units.versioning import touching

# The fields each fact's history shows, in the order of its page.
HISTORY_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Submission: ("unit", "title", "body", "info_type", "submitted_at", "special_request", "is_invalid", "invalid_reason"),
    Adoption: ("level", "adoption_type", "adopted_on", "carrier", "issue_no"),
    LeaderInstruction: ("level", "kind", "instructed_on", "leader", "content"),
    UrgentFailure: ("unit", "occurred_on", "kind", "description"),
    SpecialRequest: ("code", "title", "description", "deadline"),
}
JOINT_LABEL = "联合报送单位"
PENDING_MARK = "（待确认）"
TARGETS_LABEL = "对象单位"


class AlreadySubmitted(Exception):
    """The form's one-time token was used before: `object_id` is the row that first POST created."""

    def __init__(self, object_id: int | None) -> None:
        super().__init__("该表单已经提交过。")
        self.object_id = object_id


# --- history -------------------------------------------------------------------------------------------


def snapshot(obj: models.Model, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The fact as its history shows it: field label -> displayed value."""
    return audit.snapshot(obj, HISTORY_FIELDS[type(obj)], extra)


def _parent(obj: models.Model) -> Submission | None:
    # The item a fact belongs to, so the item's page shows its adoptions' and instructions' history too.
    return obj.submission if isinstance(obj, Adoption | LeaderInstruction) else None


def _record(obj: models.Model, kind: str, changes: dict[str, list[str]], user, summary: str = "") -> None:
    audit.record(kind, obj, user=user, changes=changes, summary=summary, parent=_parent(obj))


def history_of(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """A fact's history; an item's includes that of its adoptions and instructions. A row a ledger import created
    shows the record of its import (one for all the rows it created together)."""
    history = audit.history_of(obj, with_children=isinstance(obj, Submission))
    imported = models.Q(pk=obj.import_record) if getattr(obj, "import_record", None) else models.Q(pk__in=[])
    if isinstance(obj, Submission):
        imported |= models.Q(pk__in=obj.adoptions.exclude(import_record=None).values("import_record"))
    return history | AuditEvent.objects.filter(imported)


def _names(units: Iterable[Unit]) -> str:
    return "、".join(sorted(u.name for u in units))


# --- notices to the units concerned (notifications) ------------------------------------------------------------

ADOPTED_BY = {Level.CITY: "市政府办公厅", Level.PROVINCE: "省政府办公厅", Level.STATE: "国务院办公厅"}
LEADERS = {Level.CITY: "市领导", Level.PROVINCE: "省领导", Level.STATE: "国务院领导"}


def _fact_notice(fact: Adoption | LeaderInstruction) -> tuple[str, str]:
    title = fact.submission.title
    if isinstance(fact, Adoption):
        where = "".join(filter(None, [fact.carrier, fact.issue_no]))
        return NoticeKind.ADOPTED, f"“{title}”被{ADOPTED_BY[fact.level]}采用" + (f"（{where}）" if where else "")
    who = fact.leader or LEADERS[fact.level]
    return NoticeKind.INSTRUCTED, f"“{title}”获{who}{fact.get_kind_display()}批示（{LEADERS[fact.level]}）"


def notify_facts(facts: list[Adoption | LeaderInstruction], lead: str = "") -> int:
    """Tell each item's unit and its confirmed joint units (decision 10) of a new adoption or instruction (or,
    with a `lead` saying so, of one corrected or deleted): a constant number of queries however many facts (an
    editorial issue publishes many at once)."""
    if not facts:
        return 0
    items = {f.submission_id for f in facts}
    units: dict[int, set[int]] = {f.submission_id: {f.submission.unit_id} for f in facts}
    for item_id, unit_id in JointUnit.objects.confirmed().filter(submission_id__in=items).values_list("submission_id", "unit_id"):
        units[item_id].add(unit_id)
    officers = notices.officer_ids_by_unit(set().union(*units.values()))
    messages = []
    for fact in facts:
        kind, text = _fact_notice(fact)
        text = lead + text
        recipients = tuple(pk for unit_id in units[fact.submission_id] for pk in officers.get(unit_id, ()))
        messages.append(notices.Message(recipients, kind, text, reverse("submissions:detail", args=[fact.submission_id])))
    return notices.send(messages)


def _notify_pending_joints(item: Submission, joints: Iterable[JointUnit]) -> None:
    """A joint unit an officer named waits for that unit's confirmation: tell its officers (decision 10)."""
    pending = [j.unit_id for j in joints if not j.confirmed]
    if pending:
        notices.notify_units(pending, NoticeKind.JOINT, f"{item.unit.name}报送的“{item.title}”将贵单位列为联合报送单位，请确认。",
                             reverse("submissions:joint_list"))


def _notify_targets(request: SpecialRequest, unit_ids: Iterable[int]) -> None:
    if request.deadline > timezone.now():
        notices.notify_units(unit_ids, NoticeKind.REQUEST,
                             f"专项约稿“{request.title}”，请于{cn_date(request.deadline, 'minute')}前报送。",
                             reverse("submissions:request_detail", args=[request.pk]))


# --- double submission -----------------------------------------------------------------------------------

TOKEN_LIFETIME = dt.timedelta(days=2)


def _claim_token(token: uuid.UUID, model: type[models.Model]) -> FormToken:
    """Take the form's token inside the caller's transaction; a taken token means a repeated POST.

    On PostgreSQL a concurrent second POST waits on the unique index until the first commits, then fails
    here; on SQLite the IMMEDIATE transactions queue, so it sees the committed token.
    """
    # A repeat comes within seconds; old tokens only fill the table.
    FormToken.objects.filter(created_at__lt=timezone.now() - TOKEN_LIFETIME).delete()
    try:
        with transaction.atomic():
            return FormToken.objects.create(token=token, model=model.__name__)
    except IntegrityError:
        existing = FormToken.objects.filter(token=token).first()
        raise AlreadySubmitted(existing.object_id if existing else None) from None


def created_with(token: str | None, model: type[models.Model]) -> int | None:
    """The row a form's token already created: a repeated POST is sent there before it is validated again
    (its own uniqueness checks would otherwise greet a double click with an error)."""
    try:
        value = uuid.UUID(str(token))
    except ValueError:
        return None
    return FormToken.objects.filter(token=value, model=model.__name__).values_list("object_id", flat=True).first()


def _bind_token(claim: FormToken, obj: models.Model) -> None:
    FormToken.objects.filter(pk=claim.pk).update(object_id=obj.pk)


# --- items ---------------------------------------------------------------------------------------------


@dataclass
class ItemInput:
    unit: Unit
    title: str
    body: str
    info_type: str
    submitted_at: dt.datetime
    special_request: SpecialRequest | None
    joint_units: list[Unit]


def ledger_no_for(item: Submission) -> str:
    # Items reported on the web are numbered by year and id; ledger imports keep their own numbers.
    return f"W{timezone.localtime(item.submitted_at).year}-{item.pk:06d}"


def _apply(item: Submission, data: ItemInput) -> None:
    for name in ("unit", "title", "body", "info_type", "submitted_at", "special_request"):
        setattr(item, name, getattr(data, name))


def _named(item: Submission, unit: Unit, user) -> JointUnit:
    """A joint unit as `user` names it (RULES.md decision 10): the office's counts at once, an officer's
    waits for that unit's confirmation."""
    if user is not None and user.is_office_staff:
        return JointUnit(submission=item, unit=unit, confirmed=True, confirmed_by=user, confirmed_at=timezone.now())
    return JointUnit(submission=item, unit=unit)


def _joint_names(joints: Iterable[JointUnit]) -> str:
    return "、".join(sorted(j.unit.name + ("" if j.confirmed else PENDING_MARK) for j in joints))


def _joints_of(item: Submission) -> list[JointUnit]:
    return list(JointUnit.objects.filter(submission=item).select_related("unit"))


def _count_units(item: Submission) -> None:
    """Adoption and instruction points are split among the confirmed units: kept right on every write."""
    items = Submission.objects.filter(pk=item.pk)
    sync_unit_counts(items)
    sync_fact_owners(items)
    item.refresh_from_db(fields=["unit_count"])


def report_item(data: ItemInput, *, user, token: uuid.UUID) -> Submission:
    with transaction.atomic(), touching({data.unit.pk, *(u.pk for u in data.joint_units)}):
        claim = _claim_token(token, Submission)
        # Reported on the web: it lands in the editorial desk's inbox.
        item = Submission(ledger_no=f"NEW-{token}", created_by=user, desk_state=DeskState.PENDING)
        _apply(item, data)
        item.save()
        item.ledger_no = ledger_no_for(item)
        item.save(update_fields=["ledger_no"])
        joints = JointUnit.objects.bulk_create(_named(item, u, user) for u in data.joint_units)
        _count_units(item)
        _notify_pending_joints(item, joints)
        _record(item, EventKind.CREATE, audit.diff({}, snapshot(item, {JOINT_LABEL: _joint_names(joints)})), user)
        _bind_token(claim, item)
    return item


def correct_item(item: Submission, data: ItemInput, *, user, version: int) -> Submission:
    """Save a correction unless someone saved the item since `version` was read (then StaleEdit).

    Joint units kept keep their state (a pending one still waits); those added are named by `user`."""
    with transaction.atomic():
        current = lock_version(Submission.objects.select_related("unit", "special_request"), item.pk, version)
        old_joints = _joints_of(current)
        before = snapshot(current, {JOINT_LABEL: _joint_names(old_joints)})
        _apply(current, data)
        new_ids = {u.pk for u in data.joint_units}
        kept = [j for j in old_joints if j.unit_id in new_ids]
        added = [_named(current, u, user) for u in data.joint_units if u.pk not in {j.unit_id for j in kept}]
        changes = audit.diff(before, snapshot(current, {JOINT_LABEL: _joint_names(kept + added)}))
        if not changes:
            return current
        current.version += 1
        if current.desk_state == DeskState.RETURNED and user.is_officer:
            # The unit's edit of a returned item is its resubmission: back into the inbox.
            current.desk_state = DeskState.PENDING
            changes["采编状态"] = [DeskState.RETURNED.label, DeskState.PENDING.label]
        current.save()
        JointUnit.objects.filter(submission=current).exclude(unit_id__in=new_ids).delete()
        JointUnit.objects.bulk_create(added)
        _count_units(current)
        _notify_pending_joints(current, added)
        _record(current, EventKind.UPDATE, changes, user)
    return current


# --- joint units: confirmed or declined by the unit named (RULES.md decision 10) ----------------------------


class JointRefused(Exception):
    """A confirmation or refusal that no longer applies: already confirmed, or the joint unit was removed."""


def _settle_joint(item_id: int, unit_id: int, user, confirm: bool) -> JointUnit:
    """Confirm or decline a pending joint unit, locked against the reporting side's edits and a repeat."""
    with transaction.atomic():
        current = Submission.objects.select_for_update(of=("self",)).filter(pk=item_id).first()
        joint = (
            JointUnit.objects.select_for_update(of=("self",)).select_related("unit")
            .filter(submission_id=item_id, unit_id=unit_id).first()
        )
        if current is None or joint is None:
            raise JointRefused("该联合报送单位已被移除，无需再确认或拒绝。")
        if joint.confirmed:
            raise JointRefused(f"{joint.unit.name}已经确认联合报送，无需再次操作。")
        before = snapshot(current, {JOINT_LABEL: _joint_names(_joints_of(current))})
        if confirm:
            joint.confirmed, joint.confirmed_by, joint.confirmed_at = True, user, timezone.now()
            joint.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])
        else:
            joint.delete()
        # A new version: an edit form opened before this would otherwise put back what was declined.
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        _count_units(current)
        action, verb = (EventKind.CONFIRM_JOINT, "确认") if confirm else (EventKind.DECLINE_JOINT, "拒绝")
        changes = audit.diff(before, snapshot(current, {JOINT_LABEL: _joint_names(_joints_of(current))}))
        _record(current, action, changes, user, f"{joint.unit.name}{verb}联合报送")
    return joint


def confirm_joint(item_id: int, unit_id: int, *, user) -> JointUnit:
    """The named unit (or the office) confirms: from now on the item counts for that unit too."""
    return _settle_joint(item_id, unit_id, user, confirm=True)


def decline_joint(item_id: int, unit_id: int, *, user) -> JointUnit:
    """The named unit (or the office) declines: the joint unit is removed, the refusal kept in the history."""
    return _settle_joint(item_id, unit_id, user, confirm=False)


def mark_invalid(item: Submission, reason: str, *, user) -> Submission:
    """RULES.md decision 2: an invalid item stops counting; the reason is required and kept."""
    reason = reason.strip()
    if not reason:
        raise ValueError("标记无效必须填写原因。")
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=item.pk)
        before = snapshot(current)
        current.is_invalid, current.invalid_reason = True, reason
        current.save(update_fields=["is_invalid", "invalid_reason", "updated_at"])
        _record(current, EventKind.INVALIDATE, audit.diff(before, snapshot(current)), user, f"标记无效：{reason}")
    return current


def withdraw_item(item: Submission, *, user) -> Submission:
    """The unit takes back an item the desk has not decided on yet: it stops counting and leaves the inbox."""
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=item.pk)
        if current.desk_state != DeskState.PENDING:
            raise ValueError("该信息已由办公厅处理，不能撤回。")
        before = snapshot(current)
        current.is_invalid, current.invalid_reason = True, "报送单位撤回"
        current.desk_state = DeskState.WITHDRAWN
        current.version += 1
        current.save(update_fields=["is_invalid", "invalid_reason", "desk_state", "version", "updated_at"])
        _record(current, EventKind.INVALIDATE, audit.diff(before, snapshot(current)), user, "报送单位撤回")
    return current


def restore_item(item: Submission, *, user) -> Submission:
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=item.pk)
        before = snapshot(current)
        current.is_invalid, current.invalid_reason = False, ""
        current.save(update_fields=["is_invalid", "invalid_reason", "updated_at"])
        _record(current, EventKind.RESTORE, audit.diff(before, snapshot(current)), user, "恢复有效")
    return current


# --- likely duplicates of several units merged into one joint item (issue 16, RULES.md decision 10) -----------


class MergeRefused(Exception):
    """A merge the items no longer allow (each reason in Chinese)."""


def check_mergeable(main: Submission, others: list[Submission]) -> None:
    if main.is_invalid or any(o.is_invalid for o in others):
        raise MergeRefused("所选信息中有已标记无效的信息，不能合并。")
    for other in others:
        name = f"{other.ledger_no}《{other.title}》"
        if other.adoptions.exists() or other.instructions.exists():
            raise MergeRefused(f"{name}已有采用或批示记录，不能并入其他信息；请选它作为主信息。")
        if other.special_request_id:
            # Its unit's answer (and so the special-request credit, decision 5) would change.
            raise MergeRefused(f"{name}是专约的答复，不能并入其他信息。")
        if other.desk_state in (DeskState.SELECTED, DeskState.ADOPTED):
            raise MergeRefused(f"{name}已编入刊物，不能并入其他信息。")


def merge_as_joint(main_id: int, other_ids: list[int], versions: dict[int, int], *, user) -> Submission:
    """Turn likely duplicates (the same event reported by several units) into one joint item: `main` stays,
    the units of the others (their own and their confirmed joint units) become confirmed joint units of it,
    as joint units the office enters are (decision 10); joint units still pending on the others move to it,
    still pending; the others are marked invalid as duplicates (decision 2) and leave the editorial inbox.

    Every item is locked and must still be at its version in `versions` (else StaleEdit)."""
    with transaction.atomic():
        ids = [main_id, *other_ids]
        locked = Submission.objects.select_for_update(of=("self",)).select_related("unit").in_bulk(ids)
        if len(locked) != len(set(ids)):
            raise MergeRefused("所选信息已不存在，请刷新页面。")
        for pk in ids:
            if locked[pk].version != versions.get(pk):
                raise StaleEdit(locked[pk])
        main, others = locked[main_id], [locked[pk] for pk in other_ids]
        check_mergeable(main, others)
        joints = {j.unit_id: j for j in _joints_of(main)}
        before = snapshot(main, {JOINT_LABEL: _joint_names(joints.values())})
        confirmed = {o.unit_id: o.unit for o in others}
        pending = {}
        for joint in JointUnit.objects.filter(submission__in=others).select_related("unit"):
            (confirmed if joint.confirmed else pending)[joint.unit_id] = joint.unit
        added = []
        for unit_id, unit in {**pending, **confirmed}.items():
            if unit_id == main.unit_id:
                continue
            joint = joints.get(unit_id)
            if joint is None:
                joint = joints[unit_id] = JointUnit(submission=main, unit=unit)
                added.append(joint)
            if unit_id in confirmed and not joint.confirmed:
                joint.confirmed, joint.confirmed_by, joint.confirmed_at = True, user, timezone.now()
                if joint.pk:
                    joint.save(update_fields=["confirmed", "confirmed_by", "confirmed_at"])
        JointUnit.objects.bulk_create(added)
        main.version += 1
        main.save(update_fields=["version", "updated_at"])
        _count_units(main)
        numbers = "、".join(o.ledger_no for o in others)
        changes = audit.diff(before, snapshot(main, {JOINT_LABEL: _joint_names(joints.values())}))
        _record(main, EventKind.UPDATE, changes, user, f"合并重复信息{numbers}为联合报送")
        for other in others:
            other_joints = _joints_of(other)
            before_other = snapshot(other, {JOINT_LABEL: _joint_names(other_joints)})
            # Its pending joint units moved to the main item: they are asked there, not twice.
            JointUnit.objects.filter(submission=other, confirmed=False).delete()
            other.is_invalid, other.invalid_reason = True, f"重复报送，已并入联合报送信息{main.ledger_no}"
            if other.desk_state in UNIT_EDITABLE_STATES:
                other.desk_state = DeskState.WITHDRAWN
            other.version += 1
            other.save(update_fields=["is_invalid", "invalid_reason", "desk_state", "version", "updated_at"])
            after_other = snapshot(other, {JOINT_LABEL: _joint_names(j for j in other_joints if j.confirmed)})
            _record(other, EventKind.INVALIDATE, audit.diff(before_other, after_other), user,
                    f"并入联合报送信息{main.ledger_no}")
    return main


# --- adoptions, instructions, failures: plain facts ----------------------------------------------------------


def _units_touched(fact: models.Model) -> set[int] | None:
    """The units whose scores a write to `fact` can change (units.versioning.touching): a failure's unit; every
    unit of an adoption's or instruction's item, its own and joint ones (the points are split among them).
    Called inside the write's transaction: the item is locked, so that a correction or a joint unit's
    confirmation (which lock it too) cannot change its units before this transaction's version is bumped."""
    if isinstance(fact, UrgentFailure):
        return {fact.unit_id}
    if isinstance(fact, Adoption | LeaderInstruction):
        list(Submission.objects.select_for_update().filter(pk=fact.submission_id).values_list("pk"))
        return item_units(fact.submission_id)
    return None


def create_fact(model: type[models.Model], fields: dict, *, user, token: uuid.UUID) -> models.Model:
    with transaction.atomic(), touching(_units_touched(model(**fields))):
        claim = _claim_token(token, model)
        obj = model.objects.create(created_by=user, **fields)
        audit.record_created(obj, HISTORY_FIELDS[model], user=user, parent=_parent(obj))
        if isinstance(obj, Adoption | LeaderInstruction):
            notify_facts([obj])
        _bind_token(claim, obj)
    return obj


def update_fact(obj: models.Model, fields: dict, *, user, version: int) -> models.Model:
    """Save a correction unless someone saved the fact since `version` was read (then StaleEdit)."""
    with transaction.atomic():
        touched = _units_touched(obj)
        if touched is not None and "unit" in fields:  # a failure moved to another unit
            touched.add(fields["unit"].pk)
        with touching(touched):
            saved = update_versioned(type(obj).objects.all(), obj.pk, version, fields, HISTORY_FIELDS[type(obj)],
                                     user=user, parent=_parent(obj))
        if isinstance(saved, Adoption | LeaderInstruction) and saved.version != version:  # changed: the units told
            notify_facts([saved], lead="记录已更正为：")
    return saved


def delete_fact(obj: models.Model, *, user) -> None:
    with transaction.atomic(), touching(_units_touched(obj)):
        audit.record_deleted(obj, HISTORY_FIELDS[type(obj)], user=user, parent=_parent(obj))
        if isinstance(obj, Adoption | LeaderInstruction):
            notify_facts([obj], lead="记录已删除：")
        obj.delete()


# --- special requests -------------------------------------------------------------------------------------


def save_request(request: SpecialRequest | None, fields: dict, targets: list[Unit], *, user,
                 token: uuid.UUID | None = None, version: int | None = None) -> SpecialRequest:
    """Create (with `token`) or change (at `version`, else StaleEdit) a special request and its target units."""
    with transaction.atomic():
        if request is None:
            claim = _claim_token(token, SpecialRequest)
            obj, before, action = SpecialRequest(created_by=user), {}, EventKind.CREATE
            told = set()
        else:
            claim = None
            obj = lock_version(SpecialRequest.objects.all(), request.pk, version)
            told = set(obj.targets.values_list("pk", flat=True))
            before = snapshot(obj, {TARGETS_LABEL: _names(obj.targets.all())})
            action = EventKind.UPDATE
        for name, value in fields.items():
            setattr(obj, name, value)
        changes = audit.diff(before, snapshot(obj, {TARGETS_LABEL: _names(targets)}))
        if changes:
            if request is not None:
                obj.version += 1
            obj.save()
            obj.targets.set(targets)
            _record(obj, action, changes, user)
            _notify_targets(obj, {u.pk for u in targets} - told)
        if claim:
            _bind_token(claim, obj)
    return obj


def first_answers(request: SpecialRequest) -> dict[int, dt.datetime]:
    """Each target unit's earliest valid answer to the request, its own or a confirmed joint item (decision 5)."""
    targets = request.targets.annotate(first=earliest_answer(request.pk, models.OuterRef("pk")))
    return {pk: first for pk, first in targets.values_list("pk", "first") if first is not None}


def outcome(deadline: dt.datetime, first_answer: dt.datetime | None, now: dt.datetime) -> RequestOutcome:
    """The scoring rule's outcome, with "not yet" while an unanswered request is still open."""
    if first_answer is None and now <= deadline:
        return RequestOutcome.PENDING
    return request_outcome(first_answer, deadline)


# --- repair --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Repaired:
    unit_counts: int  # items whose unit count was wrong
    fact_owners: int  # adoptions and instructions whose copy of their item's unit or unit count was wrong
    tallies: int  # month tally rows after the rebuild
    unread_counts: int = 0  # users whose count of unread notices (the header's bell) was wrong


def repair_derived() -> Repaired:
    """Rebuild every stored copy from the facts, for after the database was changed outside the system (the
    system's own writes keep them right): the items' unit counts first, then the copies of them and of
    the items' units on adoptions and instructions, then every month tally, and the users' unread counts."""
    with transaction.atomic():
        unit_counts = sync_unit_counts()
        fact_owners = sync_fact_owners()
        rebuild_all_tallies()
        return Repaired(unit_counts, fact_owners, MonthTally.objects.count(), notices.recount_unread())
