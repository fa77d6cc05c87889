"""Building a small community roll directly in the database (the roll import is another
capability): households by building/unit/room and one adult resident per household."""
from __future__ import annotations

import random
from datetime import date

from election.models import Election, Household, Resident
from election.pii import PersonalData
from election.rules.idcard import check_digit, mask_id

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def id_number(serial: int, birth: date = date(1970, 1, 1)) -> str:
    first17 = f"110101{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def add_resident(db, election: Election, household: Household, name: str, serial: int, data_key: str,
                 birth: date = date(1970, 1, 1)) -> Resident:
    pii = PersonalData(data_key)
    number = id_number(serial, date(birth.year, birth.month, 1 + serial // 1000 % 28))
    person = Resident(
        election_id=election.id, household_id=household.id, name=name, sex="男" if int(number[16]) % 2 else "女",
        birth_date=birth, id_cipher=pii.encrypt(number), id_hash=pii.lookup_hash(number), id_masked=mask_id(number),
        group_name=household.group_name, category="hukou", status="registered", eligible=True,
    )
    db.add(person)
    db.flush()
    return person


def build_roll(db, election: Election, data_key: str, buildings: list[int], seed: int = 7,
               per_group: int = 120) -> list[Household]:
    """`buildings[k]` households in building k+1 (2 units, floors of 2 rooms), one resident each."""
    rng = random.Random(seed)
    households: list[Household] = []
    serial = 0
    for b, size in enumerate(buildings, start=1):
        for k in range(size):
            unit = 1 + k * 2 // max(size, 1)
            within = k - (unit - 1) * ((size + 1) // 2)
            room = f"{1 + within // 2}0{1 + within % 2}"
            number = len(households) + 1
            h = Household(election_id=election.id, number=f"H{number:04d}", building=f"{b}号楼",
                          unit=f"{unit}单元", room=room, group_name=f"第{1 + (number - 1) // per_group}居民小组")
            db.add(h)
            households.append(h)
    db.flush()
    for h in households:
        serial += 1
        add_resident(db, election, h, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), serial, data_key)
    return households
