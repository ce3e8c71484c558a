"""Year-end writes: finalizing a year (RULES.md decision 13), flagging officers, picking individual awards.

Each write is one transaction; a refusal raises `AwardsRefused` with a Chinese message before anything is
written.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from audit.models import EventKind
from awards.eligibility import eligible_index
from awards.models import AwardKind, AwardPick, SpecialContribution, YearResult
from core.assessment import TIME_ZONE, Period
from notifications import services as notices
from notifications.models import NoticeKind
from scoring.models import BasicWorkEntry
from scoring.services import compute_scores, scores_json
from submissions.models import Submission
from units.models import Person, PersonRole, Sequence, Unit


class AwardsRefused(Exception):
    """A year-end action the rules do not allow; `units` names the units that block it, if any."""

    def __init__(self, message: str, units: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.units = units or []

    def __str__(self) -> str:
        if not self.units:
            return self.message
        return f"{self.message}{'、'.join(self.units)}"


def current_year() -> int:
    """The assessment year is the calendar year in Asia/Shanghai time (decision 1)."""
    return timezone.now().astimezone(TIME_ZONE).year


def build_snapshot(year: int) -> dict:
    """The year's score report (INTERFACES.md) plus what the award pages read back from a frozen result."""
    report = compute_scores(year, 12)
    data = scores_json(report)
    by_name = {s.facts.name: s for s in report.scores}
    for row in data["units"]:
        score = by_name[row["unit"]]
        row.update(
            unit_id=score.facts.unit_id,
            sequence_label=Sequence(score.facts.sequence).label,
            barred=score.barred,
        )
    rules = report.rules
    data.update(
        tier_places={seq: list(places) for seq, places in rules.tier_places.items()},
        concealment_bars_awards=rules.concealment_bars_awards,
        award_targets=dict(rules.award_targets),
    )
    return data


def units_missing_basic_work(year: int) -> list[str]:
    """Ranked units with no confirmed basic-work entry for the year (decision 7), in office order."""
    confirmed = BasicWorkEntry.objects.confirmed().filter(year=year).values("unit_id")
    return [u.name for u in Unit.objects.ranked().exclude(pk__in=confirmed).in_office_order()]


def check_finalizable(year: int) -> None:
    """Raise `AwardsRefused` unless the year has ended, has data and every ranked unit's basic work is in."""
    if year >= current_year():
        raise AwardsRefused(f"{year}年度尚未结束，不能确定年度考核结果。")
    period = Period(year=year)
    has_items = Submission.objects.submitted_between(period.start, period.end).exists()
    if not has_items or not Unit.objects.active().exists():
        raise AwardsRefused(f"{year}年度没有报送信息或考核单位，无法确定年度考核结果。")
    missing = units_missing_basic_work(year)
    if missing:
        raise AwardsRefused("以下参加评比的单位尚无办公厅确认的基础工作考核，不能确定年度考核结果：", missing)


def latest_result(year: int) -> YearResult | None:
    return YearResult.objects.filter(year=year).order_by("-version").first()


def next_version(year: int, reason: str) -> int:
    """The version finalizing would make; a version after the first needs a reason."""
    version = (YearResult.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
    if version > 1 and not reason.strip():
        raise AwardsRefused(f"{year}年度考核结果已确定，重新确定（第{version}版）须填写原因。")
    return version


def finalize_year(year: int, user=None, reason: str = "") -> YearResult:
    """Freeze the year's scores, ranks and tiers as a new version; a version after the first needs a reason."""
    reason = reason.strip()
    check_finalizable(year)
    with transaction.atomic():
        YearResult.objects.select_for_update().filter(year=year).order_by("-version").first()  # picks wait (set_picks)
        version = next_version(year, reason)
        data = build_snapshot(year)
        try:
            with transaction.atomic():
                result = YearResult.objects.create(
                    year=year, version=version, rule_set_name=data["rule_set"], data=data,
                    reason=reason, finalized_by=user,
                )
                audit.record(EventKind.FINALIZE, result, user=user,
                             summary=f"确定{year}年度考核结果第{version}版" + (f"：{reason}" if reason else ""))
                notices.notify_units(None, NoticeKind.FINALIZED, f"{year}年度考核结果已确定（第{version}版）。",
                                     reverse("awards:year", args=[year]))
                return result
        except IntegrityError:
            # Two administrators finalizing at once: the second one's version number is taken.
            raise AwardsRefused(f"{year}年度考核结果刚刚被其他用户确定，请刷新页面后再试。") from None


def flag_contribution(year: int, person: Person, note: str, user=None) -> SpecialContribution:
    """Flag an information officer for a special contribution (Art. 11), or update the note."""
    if person.role != PersonRole.INFORMATION_OFFICER or not person.is_active:
        raise AwardsRefused(f"{person.name}不是在岗信息员，不能标记为特殊贡献信息员。")
    if not note.strip():
        raise AwardsRefused("请填写特殊贡献说明。")
    with transaction.atomic():
        before = SpecialContribution.objects.filter(year=year, person=person).values_list("note", flat=True).first()
        flag, created = SpecialContribution.objects.update_or_create(
            year=year, person=person, defaults={"note": note.strip(), "created_by": user},
        )
        audit.record(EventKind.CREATE if created else EventKind.UPDATE, flag, user=user, unit=person.unit,
                     changes=audit.diff({"特殊贡献说明": before or ""}, {"特殊贡献说明": flag.note}))
    return flag


@transaction.atomic
def unflag_contribution(year: int, person_id: int) -> bool:
    flag = SpecialContribution.objects.select_related("person__unit").filter(year=year, person_id=person_id).first()
    if flag is None:
        return False
    audit.record(EventKind.DELETE, flag, unit=flag.person.unit, changes={"特殊贡献说明": [flag.note, ""]})
    flag.delete()
    return True


class StalePicks(AwardsRefused):
    """The page was opened on an older version of the year's result: its candidates may have changed."""


def _latest_locked(year: int, version: int | None) -> YearResult:
    """The year's latest result, locked for the caller's transaction (picks of one year queue behind each other
    and behind finalizing); `version`: the one the page showed, refused if the year was finalized again since."""
    YearResult.objects.select_for_update().filter(year=year).order_by("-version").first()
    # Read again once the lock is held: a version finalized while we waited is committed now, and PostgreSQL's
    # locking read above returns the row it waited for, not one that appeared meanwhile.
    result = latest_result(year)
    if result is None:
        raise AwardsRefused(f"{year}年度考核结果尚未确定，不能评选个人奖项。")
    if version is not None and version != result.version:
        raise StalePicks(f"{year}年度考核结果已重新确定为第{result.version}版，候选名单可能已变化，本次评选没有保存。"
                         "请刷新页面，按最新名单重新评选。")
    return result


PICK_SHOWN = ("kind", "person", "submission")


@transaction.atomic
def set_picks(year: int, kind: str, target_ids: list[int], picked: bool, version: int | None = None, user=None) -> int:
    """Pick (or unpick) several candidates of one award at once (decision 12); returns how many changed.

    Picking refuses the whole request if any target is not an eligible candidate of the latest result; picking
    someone picked already, or unpicking someone not picked, changes nothing. Each change is on the audit trail.
    """
    result = _latest_locked(year, version)
    field = "submission_id" if kind == AwardKind.RESEARCH else "person_id"
    existing = AwardPick.objects.filter(year=year, kind=kind, **{f"{field}__in": target_ids})
    if not picked:
        gone = list(existing.select_related("person__unit", "submission__unit"))
        audit.record_many(audit.event(EventKind.DELETE, p, user=user, unit=_pick_unit(p), summary=f"取消评选{p}",
                                      changes=audit.diff(audit.snapshot(p, PICK_SHOWN), {})) for p in gone)
        AwardPick.objects.filter(pk__in=[p.pk for p in gone]).delete()
        return len(gone)
    if not set(target_ids) <= eligible_index(result)[kind].keys():
        raise AwardsRefused(f"所选对象不符合{AwardKind(kind).label}的评选条件，未保存。")
    new_ids = set(target_ids) - set(existing.values_list(field, flat=True))
    if kind == AwardKind.RESEARCH:
        made = [AwardPick(year=year, kind=kind, submission=s, picked_by=user)
                for s in Submission.objects.filter(pk__in=new_ids).select_related("unit")]
    else:
        made = [AwardPick(year=year, kind=kind, person=p, picked_by=user)
                for p in Person.objects.filter(pk__in=new_ids).select_related("unit")]
    AwardPick.objects.bulk_create(made)  # no duplicate can slip in: every pick of the year holds the lock above
    audit.record_many(audit.event(EventKind.CREATE, p, user=user, unit=_pick_unit(p), summary=f"评选{p}",
                                  changes=audit.diff({}, audit.snapshot(p, PICK_SHOWN))) for p in made)
    return len(made)


def pick_award(year: int, kind: str, target_id: int, user=None) -> int:
    """One pick against the latest result (the commands' and tests' shorthand of `set_picks`)."""
    return set_picks(year, kind, [target_id], picked=True, user=user)


def unpick_award(year: int, kind: str, target_id: int, user=None) -> bool:
    return bool(set_picks(year, kind, [target_id], picked=False, user=user))


def _pick_unit(pick: AwardPick) -> Unit:
    return pick.person.unit if pick.person_id else pick.submission.unit
