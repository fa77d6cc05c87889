"""Realistic demo residents: valid ID numbers (GB 11643 check digit), Chinese names,
buildings, units and rooms, 居民小组 of about 120 households, some 非户籍常住 residents
and minors; imported through the same service path as a committee's file."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock
from ..models import Election, Resident
from ..rules.eligibility import months_between
from ..rules.idcard import check_digit
from ..settings import rulebook_of
from .cards import assign_cards
from .files import rows_to_csv
from .importing import ImportReport, import_roll
from .register import apply_for_registration

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文玉春海峰鹏辉宇欣怡晨浩然子轩梓涵一诺雨桐思远佳琪俊博雅婷嘉诚"
REGIONS = ("320102", "320104", "320105", "320106", "110101", "310104", "330106", "420106")
GROUP_SIZE = 120
NUMERALS = "一二三四五六七八九十"


def id_number(rng: random.Random, birth: date, male: bool, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
        first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
        number = first17 + check_digit(first17)
        if number not in used:
            used.add(number)
            return number


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def group_name(index: int) -> str:
    n = index + 1
    label = NUMERALS[n - 1] if n <= 10 else (f"十{NUMERALS[n - 11]}" if n < 20 else str(n))
    return f"第{label}居民小组"


def resident_row(rng: random.Random, used: set[str], household: int, birth: date, male: bool,
                 category: str, since: date | None) -> dict[str, str]:
    building, unit = household // 24 + 1, (household // 8) % 3 + 1
    return {
        "姓名": chinese_name(rng), "性别": "男" if male else "女", "公民身份号码": id_number(rng, birth, male, used),
        "户号": f"{household + 1:05d}", "楼栋": f"{building}栋", "单元": f"{unit}单元",
        "室号": f"{(household % 8) // 2 + 1}0{household % 2 + 1}", "居民小组": group_name(household // GROUP_SIZE),
        "户籍类别": category, "居住起始日期": since.isoformat() if since else "",
        "联系电话": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.7 else "", "备注": "",
    }


def generate_rows(households: int, rng: random.Random, today: date, limit: int | None = None) -> list[dict[str, str]]:
    """Rows of the import template for `households` households (at most `limit` residents)."""
    used: set[str] = set()
    rows: list[dict[str, str]] = []
    for h in range(households):
        nonlocal_household = rng.random() < 0.12
        category = "非户籍常住" if nonlocal_household else "本社区户籍"
        since = today - timedelta(days=rng.randrange(60, 3000)) if nonlocal_household else None
        adults = rng.choice((1, 2, 2, 2, 3))
        for i in range(adults + rng.choice((0, 0, 1, 1, 2))):
            age_days = rng.randrange(19 * 365, 90 * 365) if i < adults else rng.randrange(200, 18 * 365)
            birth = today - timedelta(days=age_days)
            rows.append(resident_row(rng, used, h, birth, rng.random() < 0.5, category, since))
            if limit is not None and len(rows) >= limit:
                return rows
    return rows


def add_demo_roll(db: Session, election: Election, data_key: str, households: int, rng: random.Random,
                  today: date | None = None, actor: str = "demo") -> ImportReport:
    """Import generated residents, register the 非户籍常住 who qualify, assign voter cards."""
    today = today or clock.today()
    rows = generate_rows(households, rng, today)
    report = import_roll(db, election, data_key, rows_to_csv(rows), "示范名册.csv", actor, today=today)
    months = rulebook_of(election).nonhukou_residence_months
    pending = db.scalars(select(Resident).where(Resident.election_id == election.id, Resident.status == "pending",
                                                Resident.category == "resident"))
    for resident in list(pending):
        if resident.residence_since and months_between(resident.residence_since, election.election_day) >= months:
            apply_for_registration(db, election, resident, "resident", resident.residence_since, True, actor,
                                   "示范数据：居住满期限，本人申请")
    assign_cards(db, election, actor)
    return report
