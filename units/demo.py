"""The real structure of Harbin's government system for demo data (HARBIN.md), with generated people."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from units.models import Person, PersonRole, Sequence, Unit


@dataclass(frozen=True)
class DemoUnit:
    name: str
    sequence: str
    short_name: str = ""
    central_provincial: bool = False
    ranked: bool = True
    # A unit created during the year: its quota runs from this month (RULES.md decision 3).
    assessed_from_month: int | None = None


DISTRICTS = ["道里区", "道外区", "南岗区", "香坊区", "平房区", "松北区", "呼兰区", "阿城区", "双城区"]
COUNTIES = ["尚志市", "五常市", "依兰县", "方正县", "宾县", "巴彦县", "木兰县", "通河县", "延寿县"]
BUREAUS = [
    ("市发展和改革委员会", "市发改委"), ("市教育局", ""), ("市科学技术局", "市科技局"), ("市工业和信息化局", "市工信局"),
    ("市公安局", ""), ("市民政局", ""), ("市司法局", ""), ("市财政局", ""),
    ("市人力资源和社会保障局", "市人社局"), ("市自然资源和规划局", "市自然资源局"), ("市生态环境局", ""),
    ("市住房和城乡建设局", "市住建局"), ("市城市管理和综合执法局", "市城管局"), ("市交通运输局", "市交通局"),
    ("市水务局", ""), ("市农业农村局", "市农业局"), ("市商务局", ""), ("市文化广电和旅游局", "市文广旅局"),
    ("市卫生健康委员会", "市卫健委"), ("市退役军人事务局", "市退役军人局"), ("市应急管理局", "市应急局"),
    ("市审计局", ""), ("市人民政府国有资产监督管理委员会", "市国资委"), ("市市场监督管理局", "市市场监管局"),
    ("市体育局", ""), ("市统计局", ""), ("市医疗保障局", "市医保局"), ("市信访局", ""),
    ("市营商环境建设监督局", "市营商局"),
]
CENTRAL_PROVINCIAL = [("哈尔滨海关", ""), ("国家税务总局哈尔滨市税务局", "市税务局"), ("哈尔滨市气象局", "市气象局")]
OFFICES_ABROAD = ["驻北京办事处", "驻上海办事处", "驻深圳办事处", "驻广州办事处", "驻大连办事处"]


def demo_units() -> list[DemoUnit]:
    return [
        *(DemoUnit(name, Sequence.DISTRICT) for name in DISTRICTS),
        *(DemoUnit(name, Sequence.COUNTY) for name in COUNTIES),
        *(DemoUnit(name, Sequence.BUREAU, short) for name, short in BUREAUS),
        # Created mid-year, so assessed from July.
        DemoUnit("市数据局", Sequence.BUREAU, assessed_from_month=7),
        *(DemoUnit(name, Sequence.BUREAU, short, central_provincial=True) for name, short in CENTRAL_PROVINCIAL),
        # Reports to the city government without being part of it: assessed by reference, not ranked.
        DemoUnit("哈尔滨工业大学", Sequence.BUREAU, "哈工大", ranked=False),
        *(DemoUnit(name, Sequence.OFFICE_ABROAD) for name in OFFICES_ABROAD),
    ]


def seed_units(year: int) -> list[Unit]:
    """Create or update the demo units, numbered in the office's order within each sequence."""
    units = []
    position: dict[str, int] = {}
    for demo in demo_units():
        position[demo.sequence] = position.get(demo.sequence, 0) + 1
        assessed_from = dt.date(year, demo.assessed_from_month, 1) if demo.assessed_from_month else None
        unit, _ = Unit.objects.update_or_create(
            name=demo.name,
            defaults={
                "short_name": demo.short_name, "sequence": demo.sequence, "is_central_provincial": demo.central_provincial,
                "is_ranked": demo.ranked, "display_order": position[demo.sequence] * 10, "assessed_from": assessed_from,
                "is_active": True,
            },
        )
        units.append(unit)
    return units


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子"
    "杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮"
    "政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航"
    "弘秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳"
    "嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕"
    "馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)


def _posts(unit: Unit) -> tuple[str, str]:
    """The usual posts of the leader in charge and the supervising leader of such a unit."""
    if unit.sequence == Sequence.DISTRICT:
        return "副区长", "区政府办公室主任"
    if unit.sequence == Sequence.COUNTY:
        head = "副市长" if unit.name.endswith("市") else "副县长"
        return head, f"{unit.name[-1]}政府办公室主任"
    if unit.sequence == Sequence.OFFICE_ABROAD:
        return "副主任", "综合处处长"
    if unit.name.endswith("大学"):
        return "副校长", "党政办公室主任"
    deputy = "副主任" if unit.name.endswith("委员会") else "副局长"
    return deputy, "办公室主任"


def _people_for(unit: Unit) -> list[tuple[str, str, str, str]]:
    """(role, name, post, phone) for a unit; the same unit always gets the same people."""
    rng = random.Random(f"harbin-demo:{unit.name}")
    names: set[str] = set()

    def new_name() -> str:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in names:
                names.add(name)
                return name

    def landline() -> str:
        return f"0451-8{rng.randrange(1000000, 9999999)}"

    leader_post, supervisor_post = _posts(unit)
    people = [
        (PersonRole.LEADER_IN_CHARGE, new_name(), leader_post, landline()),
        (PersonRole.SUPERVISING_LEADER, new_name(), supervisor_post, landline()),
    ]
    for i in range(rng.randint(1, 3)):
        post = "信息科科长" if i == 0 else "信息员"
        people.append((PersonRole.INFORMATION_OFFICER, new_name(), post, f"13{rng.randrange(100000000, 999999999)}"))
    return people


def seed_people(units: list[Unit]) -> int:
    """Create or update each unit's responsibility chain; returns how many people the demo units have."""
    count = 0
    for unit in units:
        for role, name, post, phone in _people_for(unit):
            Person.objects.update_or_create(
                unit=unit, role=role, name=name, defaults={"post": post, "phone": phone, "is_active": True},
            )
            count += 1
    return count
