"""A plausible year of activity for the demo units (seed_demo): items, requests, adoptions, instructions...

Deterministic (random.Random(year)) and idempotent: a year that already has demo items (ledger numbers
`DEMO{year}-…`) is left alone. Everything is written with bulk_create so a year takes a few seconds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from core.assessment import TIME_ZONE
from scoring.models import BASIC_ITEM_FIELDS, AssessmentMethod, BasicWorkEntry, BasicWorkStatus
from scoring.services import rules_for_year
from submissions.models import (
    ALLOWED_ADOPTION_TYPES,
    Adoption,
    AdoptionType,
    FailureKind,
    InfoType,
    InstructionKind,
    JointUnit,
    LeaderInstruction,
    Level,
    SpecialRequest,
    Submission,
    UrgentFailure,
    unit_count,
)
from units.models import Sequence, Unit

TOPICS = [
    "优化营商环境专项行动取得阶段性成效", "冬季供热保障工作有序推进", "推进“放管服”改革提升政务服务效能",
    "开展安全生产大检查", "城市更新和老旧小区改造稳步实施", "冰雪旅游带动消费持续升温", "招商引资签约项目加快落地",
    "稳就业保民生各项举措落实情况", "乡村振兴重点项目建设进展", "生态环境综合整治成效明显", "防汛抗旱工作部署落实",
    "数字政府建设取得新进展", "民生实事项目推进情况", "中小企业纾困解难工作", "春耕备耕生产有序开展",
    "社区治理创新实践", "重点项目建设“百日攻坚”", "医疗保障服务便民举措", "义务教育“双减”工作落实",
    "对俄经贸合作持续深化", "文明城市创建工作", "粮食安全和耕地保护", "食品药品安全监管", "信访积案化解工作",
]
RESEARCH_TOPICS = ["关于{}的调研报告", "{}情况的调查与思考", "推动{}高质量发展的对策建议"]
LEADERS = {
    Level.CITY: ["市长", "常务副市长", "副市长"],
    Level.PROVINCE: ["省长", "副省长"],
    Level.STATE: ["国务院领导"],
}
CARRIERS = {Level.CITY: "哈尔滨政务信息", Level.PROVINCE: "黑龙江政务信息", Level.STATE: "国务院办公厅信息专报"}
QUOTA = {Sequence.DISTRICT: 15, Sequence.COUNTY: 15, Sequence.OFFICE_ABROAD: 15, Sequence.BUREAU: 10}
TYPE_WEIGHTS = [(InfoType.GENERAL, 75), (InfoType.URGENT, 12), (InfoType.SMALL_RESEARCH, 9), (InfoType.LARGE_RESEARCH, 4)]
# Share of items adopted at each level (issue: city ~15%, province ~3%, State Council ~0.5%).
ADOPTION_RATE = {Level.CITY: 0.15, Level.PROVINCE: 0.03, Level.STATE: 0.005}


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60), tzinfo=TIME_ZONE)


class _Year:
    """The generator's state: the year, its end (now, for the current year) and what was made so far."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.rng = random.Random(year)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.last_month = self.today.month if year == self.today.year else 12
        self.items: list[Submission] = []
        self.joint: dict[str, list[Unit]] = {}

    def day_in(self, month: int) -> dt.date | None:
        last = calendar.monthrange(self.year, month)[1]
        if (self.year, month) == (self.today.year, self.today.month):
            last = self.today.day
        return dt.date(self.year, month, self.rng.randint(1, last))

    def add_item(self, unit: Unit, at: dt.datetime, creator: User | None, **kw) -> Submission:
        info_type = kw.pop("info_type", None) or self.rng.choices(*zip(*TYPE_WEIGHTS, strict=True))[0]
        topic = self.rng.choice(TOPICS)
        research = info_type in (InfoType.SMALL_RESEARCH, InfoType.LARGE_RESEARCH)
        title = self.rng.choice(RESEARCH_TOPICS).format(topic) if research else f"{unit.label}{topic}"
        item = Submission(
            ledger_no=f"DEMO{self.year}-{len(self.items) + 1:05d}", unit=unit, title=kw.pop("title", title),
            body=f"{unit.name}报送：{topic}。（演示数据）", info_type=info_type, submitted_at=at, created_by=creator, **kw,
        )
        self.items.append(item)
        return item


def _creators() -> tuple[User | None, dict[int, User]]:
    staff = User.objects.filter(role=Role.STAFF).order_by("pk").first()
    officers = {u.unit_id: u for u in User.objects.filter(role=Role.OFFICER).order_by("-pk")}
    return staff, officers


def _regular_items(y: _Year, units: list[Unit], staff: User | None, officers: dict[int, User]) -> None:
    """Each unit's monthly items around its quota; about one unit in seven falls short of it."""
    for unit in units:
        diligence = y.rng.uniform(0.45, 0.8) if y.rng.random() < 0.15 else y.rng.uniform(0.95, 1.3)
        first = unit.assessed_from.month if unit.assessed_from and unit.assessed_from.year == y.year else 1
        for month in range(first, y.last_month + 1):
            count = round(QUOTA[unit.sequence] * diligence * y.rng.uniform(0.8, 1.2))
            if (y.year, month) == (y.today.year, y.today.month):
                count = round(count * y.today.day / calendar.monthrange(y.year, month)[1])
            for _ in range(count):
                at = _moment(y.rng, y.day_in(month))
                if at >= y.now:
                    continue
                item = y.add_item(unit, at, officers.get(unit.pk) or staff)
                if y.rng.random() < 0.01:
                    item.is_invalid, item.invalid_reason = True, y.rng.choice(["重复报送", "单位撤回", "不属于政务信息"])
                if y.rng.random() < 0.03:
                    peers = [u for u in units if u.sequence == unit.sequence and u.pk != unit.pk]
                    y.joint[item.ledger_no] = y.rng.sample(peers, k=min(len(peers), y.rng.choice((1, 1, 2))))


def _requests(y: _Year, units: list[Unit], staff: User | None, officers: dict[int, User]) -> None:
    """About ten requests with on-time, late and missing answers (and, this year, some still open)."""
    months = list(range(1, y.last_month + 1))
    for n in range(1, 11):
        if n > 8 and y.year == y.today.year:
            deadline = y.now + dt.timedelta(days=3 * n - 20)  # two requests still open
        else:
            month = months[(n - 1) * len(months) // 8] if n <= 8 else y.rng.choice(months)
            deadline = _moment(y.rng, y.day_in(month)).replace(hour=17, minute=30)
        if deadline >= y.now and n <= 8:
            deadline = y.now - dt.timedelta(days=1)
        topic = y.rng.choice(TOPICS)
        sequences = y.rng.sample(list(QUOTA), k=y.rng.choice((1, 2, 4)))
        targets = [u for u in units if u.sequence in sequences]
        request = SpecialRequest.objects.create(
            code=f"DEMO{y.year}-ZY{n:02d}", title=f"关于报送{topic}情况的专约", deadline=deadline, created_by=staff,
            description=f"请各单位围绕“{topic}”报送专题信息，重点反映主要做法、成效和存在问题。",
        )
        request.targets.set(targets)
        for unit in targets:
            if unit.assessed_from and unit.assessed_from > timezone.localdate(deadline):
                continue
            draw = y.rng.random()
            if draw < 0.7:
                at = deadline - dt.timedelta(hours=y.rng.randint(2, 120))
            elif draw < 0.85:
                at = deadline + dt.timedelta(hours=y.rng.randint(2, 144))
            else:
                continue  # not delivered
            if at < y.now and at.year == y.year and not (unit.assessed_from and timezone.localdate(at) < unit.assessed_from):
                y.add_item(unit, at, officers.get(unit.pk) or staff, special_request=request,
                           title=f"{unit.label}关于{topic}情况的专报")


def _adoption_type(rng: random.Random, level: str, item: Submission) -> str:
    if level == Level.CITY:
        return item.info_type
    research = item.info_type in (InfoType.SMALL_RESEARCH, InfoType.LARGE_RESEARCH)
    return AdoptionType.RESEARCH if research or rng.random() < 0.15 else AdoptionType.GENERAL


def _adoptions(y: _Year, staff: User | None) -> tuple[list[Adoption], list[LeaderInstruction]]:
    adoptions, instructions = [], []
    kinds_seen: set[tuple[str, str]] = set()
    for item in y.items:
        if item.is_invalid:
            continue
        submitted = timezone.localdate(item.submitted_at)
        for level, rate in ADOPTION_RATE.items():
            if y.rng.random() >= rate:
                continue
            adopted_on = submitted + dt.timedelta(days=y.rng.randint(2, 25))
            if adopted_on > y.today:
                continue
            kind = _adoption_type(y.rng, level, item)
            adoptions.append(Adoption(
                submission=item, level=level, adoption_type=kind, adopted_on=adopted_on, carrier=CARRIERS[level],
                issue_no=f"{adopted_on.year}年第{adopted_on.month * 4 + y.rng.randint(0, 3)}期", created_by=staff,
            ))
            if y.rng.random() < 0.06:  # leaders comment on a few adopted items, mostly city leaders
                lead = y.rng.choices(list(LEADERS), weights=[85, 12, 3])[0]
                instructed_on = adopted_on + dt.timedelta(days=y.rng.randint(1, 10))
                if instructed_on <= y.today:
                    kind = y.rng.choice(InstructionKind.values)
                    kinds_seen.add((lead, kind))
                    instructions.append(LeaderInstruction(
                        submission=item, level=lead, kind=kind, instructed_on=instructed_on, created_by=staff,
                        leader=y.rng.choice(LEADERS[lead]), content="请有关部门认真研究，抓好落实。",
                    ))
    _cover_every_kind(y, adoptions, instructions, kinds_seen, staff)
    return adoptions, instructions


def _cover_every_kind(y: _Year, adoptions: list[Adoption], instructions: list[LeaderInstruction],
                      kinds_seen: set[tuple[str, str]], staff: User | None) -> None:
    """Make sure every adoption type of every level and every instruction kind of every level occurs."""
    adopted = {(a.submission.ledger_no, a.level) for a in adoptions}
    seen = {(a.level, a.adoption_type) for a in adoptions}
    early = [i for i in y.items if not i.is_invalid and timezone.localdate(i.submitted_at) + dt.timedelta(days=3) <= y.today]
    for level, types in ALLOWED_ADOPTION_TYPES.items():
        for kind in types:
            if (level, kind) in seen or not early:
                continue
            item = y.rng.choice(early)
            if (item.ledger_no, level) in adopted:
                continue
            adopted.add((item.ledger_no, level))
            day = timezone.localdate(item.submitted_at) + dt.timedelta(days=2)
            adoptions.append(Adoption(submission=item, level=level, adoption_type=kind, adopted_on=day,
                                      carrier=CARRIERS[level], issue_no=f"{day.year}年增刊", created_by=staff))
    for level in Level.values:
        for kind in InstructionKind.values:
            if (level, kind) in kinds_seen or not adoptions:
                continue
            adoption = y.rng.choice(adoptions)
            day = min(adoption.adopted_on + dt.timedelta(days=1), y.today)
            instructions.append(LeaderInstruction(
                submission=adoption.submission, level=level, kind=kind, instructed_on=day, created_by=staff,
                leader=LEADERS[level][0], content="此件很好，请转发学习借鉴。",
            ))


def _failures(y: _Year, units: list[Unit], staff: User | None) -> list[UrgentFailure]:
    failures, keys = [], set()
    for kind, count in ((FailureKind.LATE, 4), (FailureKind.OMISSION, 3), (FailureKind.CONCEALMENT, 1)):
        for _ in range(count):
            unit = y.rng.choice(units)
            day = y.day_in(y.rng.randint(1, y.last_month))
            if (unit.pk, day, kind) in keys or (unit.assessed_from and day < unit.assessed_from):
                continue
            keys.add((unit.pk, day, kind))
            failures.append(UrgentFailure(unit=unit, occurred_on=day, kind=kind, created_by=staff,
                                          description=f"{FailureKind(kind).label}紧急重要信息（演示数据）。"))
    return failures


def _basic_work(y: _Year, units: list[Unit], staff: User | None) -> list[BasicWorkEntry]:
    """A confirmed entry for most ranked units; a few show "not assessed"; a few have a pending self-check."""
    existing = set(BasicWorkEntry.objects.filter(year=y.year).values_list("unit_id", "status"))
    fields = BASIC_ITEM_FIELDS[: rules_for_year(y.year).rules().basic_item_count]
    entries = []
    for unit in units:
        draw = y.rng.random()
        status = BasicWorkStatus.CONFIRMED if draw < 0.92 else BasicWorkStatus.SELF_CHECK if draw < 0.97 else None
        if status is None or (unit.pk, status) in existing:
            continue
        values = {f: Decimal(y.rng.choice(["5", "5", "5", "4.5", "4", "3.5"])) for f in fields}
        method = AssessmentMethod.SELF_CHECK if status == BasicWorkStatus.SELF_CHECK else y.rng.choice(
            [AssessmentMethod.SPOT_CHECK, AssessmentMethod.CROSS_CHECK])
        entries.append(BasicWorkEntry(unit=unit, year=y.year, status=status, method=method, entered_by=staff,
                                      note="演示数据", **values))
    return entries


def _pending_joint(y: _Year, officers: dict[int, User]) -> list[JointUnit]:
    """The first officer account's unit names the next one's as a joint unit of its latest single item, still
    waiting for that unit's confirmation (RULES.md decision 10): the demo's 南岗区 officer has one to confirm."""
    if len(officers) < 2:
        return []
    reporter, partner = sorted(officers)[:2]
    single = [i for i in y.items if i.unit_id == reporter and i.ledger_no not in y.joint]
    return [JointUnit(submission=max(single, key=lambda i: i.submitted_at), unit_id=partner)] if single else []


def seed_activity(year: int) -> None:
    """A plausible year of facts up to today (the whole year for a past year); nothing for a future year."""
    prefix = f"DEMO{year}-"
    if year > timezone.localdate().year or Submission.objects.filter(ledger_no__startswith=prefix).exists():
        return
    units = list(Unit.objects.active().order_by("pk"))
    if not units:
        return
    y = _Year(year)
    staff, officers = _creators()
    with transaction.atomic():
        _regular_items(y, units, staff, officers)
        _requests(y, units, staff, officers)
        for item in y.items:
            item.unit_count = unit_count(y.joint.get(item.ledger_no, []))
        Submission.objects.bulk_create(y.items, batch_size=1000)
        # Not every backend returns ids from bulk_create: read them back by ledger number.
        ids = dict(Submission.objects.filter(ledger_no__startswith=prefix).values_list("ledger_no", "pk"))
        for item in y.items:
            item.pk = ids[item.ledger_no]
        JointUnit.objects.bulk_create(
            [*(JointUnit(submission_id=ids[no], unit=u, confirmed=True) for no, joint in y.joint.items() for u in joint),
             *_pending_joint(y, officers)]
        )
        adoptions, instructions = _adoptions(y, staff)
        Adoption.objects.bulk_create(adoptions, batch_size=1000)
        LeaderInstruction.objects.bulk_create(instructions, batch_size=1000)
        UrgentFailure.objects.bulk_create(_failures(y, units, staff), ignore_conflicts=True)
        BasicWorkEntry.objects.bulk_create(_basic_work(y, [u for u in units if u.is_ranked], staff))
