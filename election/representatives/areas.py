"""Constituencies for choosing 居民代表: proposing 推选片区 from the roll (household
method, election.rules.partition), or one constituency per 居民小组 (group method), and
the committee's hand adjustments, each checked by partition.check_area."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..db import of_election
from ..errors import UserError
from ..ledger.events import record_event, write_at_head
from ..models import REP_METHODS, Election, Household, RepArea, RepAreaHousehold, RepPlan, SelectionMeeting
from ..protocol import event_kinds as ek
from ..rules import partition
from ..settings import rulebook_of


def plan_method(db: Session, election: Election) -> str:
    plan = db.scalar(select(RepPlan).where(RepPlan.election_id == election.id))
    return plan.method if plan else "households"


def _has_meetings(db: Session, election: Election) -> bool:
    return (db.scalar(
        select(func.count(SelectionMeeting.id)).where(
            SelectionMeeting.election_id == election.id, SelectionMeeting.kind == "representative"
        )
    ) or 0) > 0


def _ensure_changeable(db: Session, election: Election) -> None:
    if _has_meetings(db, election):
        raise UserError("已有片区记录了推选会议，不能再重新划分或调整片区")


def _households(db: Session, election: Election) -> list[Household]:
    return list(db.scalars(select(Household).where(Household.election_id == election.id)))


def _as_rule(h: Household) -> partition.Household:
    return partition.Household(str(h.id), h.building, h.unit or "", h.room or "")


def set_method(db: Session, election: Election, method: str, actor: str) -> None:
    write_at_head(db, election)
    if method not in REP_METHODS:
        raise UserError(f"居民代表推选方式“{method}”无效，可选：{'、'.join(REP_METHODS.values())}")
    _ensure_changeable(db, election)
    plan = db.scalar(select(RepPlan).where(RepPlan.election_id == election.id))
    if plan is None:
        plan = RepPlan(election_id=election.id, method=method)
        db.add(plan)
    elif plan.method == method:
        return
    plan.method = method
    db.execute(delete(RepArea).where(RepArea.election_id == election.id))
    db.flush()
    record_event(db, election, ek.REPRESENTATIVES_METHOD_SET, {"method": method}, actor)


def _clear_areas(db: Session, election: Election) -> None:
    for area in db.scalars(select(RepArea).where(RepArea.election_id == election.id)):
        db.delete(area)
    db.flush()


def propose_areas(db: Session, election: Election, actor: str) -> list[RepArea]:
    """Household method: replace the areas by partition.propose over the roll's households."""
    write_at_head(db, election)
    if plan_method(db, election) != "households":
        raise UserError("本次选举按居民小组推选居民代表，不划分推选片区")
    _ensure_changeable(db, election)
    rules = rulebook_of(election)
    households = _households(db, election)
    if not households:
        raise UserError("户册中还没有户，无法划分推选片区（请先导入选民名册）")
    try:
        proposal = partition.propose([_as_rule(h) for h in households], rules.rep_households_min, rules.rep_households_max)
    except partition.PartitionError as error:
        raise UserError(str(error)) from None
    _check_total(rules, len(proposal))
    _clear_areas(db, election)
    areas = []
    for proposed in proposal:
        area = RepArea(election_id=election.id, number=proposed.number, seats=1, explanation=proposed.explanation)
        area.members = [
            RepAreaHousehold(household_id=int(h.household_id), position=k) for k, h in enumerate(proposed.households)
        ]
        db.add(area)
        areas.append(area)
    db.flush()
    record_event(
        db, election, ek.REPRESENTATIVES_AREAS_PROPOSED,
        {"areas": [{"number": a.number, "households": len(a.members), "explanation": a.explanation} for a in areas],
         "bounds": [rules.rep_households_min, rules.rep_households_max]},
        actor,
    )
    return areas


def group_areas(db: Session, election: Election, seats: int, actor: str) -> list[RepArea]:
    """Group method: one constituency per 居民小组, `seats` representatives each."""
    write_at_head(db, election)
    if plan_method(db, election) != "groups":
        raise UserError("本次选举按户数划分推选片区，不按居民小组推选")
    _ensure_changeable(db, election)
    rules = rulebook_of(election)
    if not rules.rep_per_group_min <= seats <= rules.rep_per_group_max:
        raise UserError(f"每个居民小组推选{seats}名居民代表，不在{rules.rep_per_group_min}至{rules.rep_per_group_max}名之间")
    households = _households(db, election)
    missing = [h.number for h in households if not (h.group_name or "").strip()]
    if missing:
        raise UserError(f"{len(missing)}户未填居民小组（如户号{missing[0]}），不能按居民小组推选")
    if not households:
        raise UserError("户册中还没有户，无法按居民小组推选")
    groups: dict[str, list[Household]] = {}
    for h in households:
        groups.setdefault(h.group_name.strip(), []).append(h)
    _check_total(rules, seats * len(groups))
    _clear_areas(db, election)
    areas = []
    for number, name in enumerate(sorted(groups, key=partition.natural_key), start=1):
        ordered = partition.order_households([_as_rule(h) for h in groups[name]])
        area = RepArea(election_id=election.id, number=number, group_name=name, seats=seats,
                       explanation=f"{name}：共{len(ordered)}户，推选{seats}名居民代表")
        area.members = [RepAreaHousehold(household_id=int(h.household_id), position=k) for k, h in enumerate(ordered)]
        db.add(area)
        areas.append(area)
    db.flush()
    record_event(db, election, ek.REPRESENTATIVES_GROUPS_SET,
                 {"groups": [{"group": a.group_name, "households": len(a.members)} for a in areas], "seats": seats}, actor)
    return areas


def _check_total(rules, total: int) -> None:
    """More 居民代表 than rep_total_max only where a larger community may decide more
    (rep_total_larger_may_exceed, [seed 江苏 §9])."""
    if total > rules.rep_total_max and not rules.rep_total_larger_may_exceed:
        raise UserError(f"共需推选居民代表{total}名，多于{rules.label('rep_total_max')} {rules.rep_total_max} 名，"
                        f"本选举规则不允许增加（{rules.label('rep_total_larger_may_exceed')}为否）")


def area_of(db: Session, election: Election, area_id: int) -> RepArea:
    """One selection area of the election (an area of another election reads as none)."""
    return of_election(db, RepArea, area_id, election.id, UserError("该推选片区不存在"))


def areas_of(db: Session, election: Election) -> list[RepArea]:
    return list(db.scalars(select(RepArea).where(RepArea.election_id == election.id).order_by(RepArea.number)))


def area_households(db: Session, area: RepArea) -> list[Household]:
    ids = [m.household_id for m in area.members]
    by_id = {h.id: h for h in db.scalars(select(Household).where(Household.id.in_(ids)))}
    return [by_id[i] for i in ids]


def adjust_area(db: Session, election: Election, area_number: int, neighbour_number: int, count: int,
                actor: str, reason: str = "") -> tuple[RepArea, RepArea]:
    """Move the `count` households at the shared edge of one area into its neighbour."""
    write_at_head(db, election)
    if plan_method(db, election) != "households":
        raise UserError("只有按户数划分的推选片区可以调整")
    _ensure_changeable(db, election)
    if abs(area_number - neighbour_number) != 1:
        raise UserError(f"第{area_number}片区与第{neighbour_number}片区不相邻，只能在相邻片区之间移动连续的户")
    if count < 1:
        raise UserError(f"移动户数为{count}，须至少1户")
    areas = {a.number: a for a in areas_of(db, election)}
    source, target = areas.get(area_number), areas.get(neighbour_number)
    if source is None or target is None:
        raise UserError(f"第{area_number if source is None else neighbour_number}片区不存在")
    src, dst = area_households(db, source), area_households(db, target)
    if count >= len(src):
        raise UserError(f"第{area_number}片区共{len(src)}户，不能移出{count}户（片区不能被移空）")
    # Areas follow address order: the edge towards a later area is the end, towards an earlier one the start.
    moving = src[-count:] if neighbour_number > area_number else src[:count]
    new_src = [h for h in src if h not in moving]
    new_dst = dst + moving if neighbour_number > area_number else moving + dst
    rules = rulebook_of(election)
    community = [_as_rule(h) for h in _households(db, election)]
    problems = []
    for number, part in ((area_number, new_src), (neighbour_number, new_dst)):
        check = partition.check_area([_as_rule(h) for h in part], rules.rep_households_min,
                                     rules.rep_households_max, community)
        if not check.ok:
            problems.append(f"调整后第{number}片区：{check.reason}")
    if problems:
        raise UserError(*problems)
    sizes: dict[str, int] = {}
    for h in community:
        sizes[h.building] = sizes.get(h.building, 0) + 1
    for area, part in ((source, new_src), (target, new_dst)):
        ordered = partition.order_households([_as_rule(h) for h in part])
        area.members.clear()
        db.flush()
        area.members.extend(RepAreaHousehold(household_id=int(h.household_id), position=k) for k, h in enumerate(ordered))
        # partition's own wording, so proposed and adjusted areas read the same
        area.explanation = partition._describe(area.number, ordered, sizes)
    db.flush()
    record_event(
        db, election, ek.REPRESENTATIVES_AREA_ADJUSTED,
        {"from": area_number, "to": neighbour_number, "moved": [h.number for h in moving],
         "sizes": {str(area_number): len(new_src), str(neighbour_number): len(new_dst)}},
        actor, reason,
    )
    return source, target


@dataclass(frozen=True)
class Overview:
    method: str
    areas: list[RepArea]
    counts: dict[int, int]
    total_seats: int
    warning: str | None
    notes: tuple[str, ...] = ()  # the warning's sentences, each a Phrase the page says in its language


def overview(db: Session, election: Election) -> Overview:
    rules = rulebook_of(election)
    areas = areas_of(db, election)
    total = sum(a.seats for a in areas)
    notes = [partition.representatives_total_warning(total, rules.rep_total_min, rules.rep_total_max,
                                                     rules.rep_total_larger_may_exceed)] if areas else []
    if areas and plan_method(db, election) == "groups":
        # 居民小组 of 100–150 households (group_households_min/max, [seed 江苏 §8]).
        notes += partition.group_size_warnings({a.group_name: len(a.members) for a in areas},
                                               rules.group_households_min, rules.group_households_max)
    said = tuple(n for n in notes if n)
    warning = "；".join(said) or None
    return Overview(plan_method(db, election), areas, {a.id: len(a.members) for a in areas}, total, warning, said)
