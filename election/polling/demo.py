"""Demo polling set-up: one station with two desks and two boxes, and one mobile box."""
from __future__ import annotations

import random

from sqlalchemy.orm import Session

from ..models import Election
from ..settings import rulebook_of
from .stations import create_station


def add_demo_polling(db: Session, election: Election, rng: random.Random) -> None:
    create_station(db, election, "demo", "社区活动中心投票站", desks=2, boxes=2)
    names = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]
    need = rulebook_of(election).mobile_box_scrutineers
    scrutineers = [rng.choice(names) + rng.choice(["建华", "秀兰", "志强", "丽娟", "国庆"]) + f"{i + 1}" for i in range(need)]
    create_station(db, election, "demo", "流动票箱一", mobile=True, scrutineers=scrutineers)
