"""Polling stations, desks, ballot boxes, mobile boxes and their voters, paper hand-over."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write, of_election
from ..errors import UserError
from ..ledger.events import record_event
from ..models import BallotBox, Desk, Election, MobileBoxVoter, PollingStation, Resident
from ..protocol import event_kinds as ek
from ..roll.lookup import resolve_voter
from ..roll.register import is_voter_of
from ..rules.rulebook import Rulebook
from ..settings import box_of, rulebook_of


def stations_of(db: Session, election: Election) -> list[PollingStation]:
    return list(db.scalars(select(PollingStation).where(PollingStation.election_id == election.id).order_by(PollingStation.id)))


def boxes_of(db: Session, election: Election) -> list[BallotBox]:
    return list(db.scalars(select(BallotBox).where(BallotBox.election_id == election.id).order_by(BallotBox.id)))


def _box_label(station: str, number: int, mobile: bool) -> str:
    """A box's name on pages, counting sheets and the bundle: the station's name and the box's
    number, or for a mobile box its station's name once ("流动票箱一", not "流动票箱一流动票箱")."""
    if mobile:
        return station if "流动票箱" in station else f"{station}流动票箱"
    return f"{station}{number}号票箱"


def create_station(
    db: Session, election: Election, actor: str, name: str, desks: int = 1, boxes: int = 1,
    mobile: bool = False, scrutineers: list[str] | None = None, booths: int = 1,
) -> PollingStation:
    """A station with its desks, boxes and secret booths (秘密写票处: at least one where the
    rulebook makes them mandatory, secret_booth_required [V art.15] [P:SH]); a mobile box
    (流动票箱) is a station of its own with one box and at least
    rulebook.mobile_box_scrutineers named scrutineers."""
    begin_write(db)
    name = name.strip()
    scrutineers = [s.strip() for s in (scrutineers or []) if s.strip()]
    errors = []
    if not name:
        errors.append("投票站名称不能为空")
    elif db.scalar(select(PollingStation.id).where(PollingStation.election_id == election.id, PollingStation.name == name)):
        errors.append(f"投票站“{name}”已存在")
    if mobile:
        need = rulebook_of(election).mobile_box_scrutineers
        if len(scrutineers) < need:
            errors.append(f"流动票箱“{name}”须有至少 {need} 名监票人员（规则：每个流动票箱的监票人员最少人数），现填写 {len(scrutineers)} 名")
        desks, boxes = 1, 1
    elif not 1 <= desks <= 20 or not 1 <= boxes <= 20:
        errors.append("每个投票站的发票台和票箱数须在 1 至 20 之间")
    if mobile:
        booths = 0  # the mobile box goes to the voter; no booth is set up
    elif not 0 <= booths <= 50:
        errors.append(f"秘密写票处数为 {booths}，须在 0 至 50 之间")
    elif booths < 1 and rulebook_of(election).secret_booth_required:
        errors.append(f"投票站“{name}”须设立秘密写票处（{Rulebook.label('secret_booth_required')}），至少 1 处")
    if errors:
        raise UserError(*errors)
    station = PollingStation(election_id=election.id, name=name, mobile=mobile, scrutineers=scrutineers, booths=booths)
    db.add(station)
    db.flush()
    for i in range(1, desks + 1):
        db.add(Desk(station_id=station.id, name=f"{i}号发票台"))
    for i in range(1, boxes + 1):
        db.add(BallotBox(election_id=election.id, station_id=station.id, mobile=mobile, label=_box_label(name, i, mobile)))
    db.flush()
    record_event(db, election, ek.POLLING_STATION_CREATED, {
        "station": name, "mobile": mobile, "desks": desks, "boxes": boxes, "scrutineers": scrutineers,
        "booths": booths,
    }, actor)
    return station


def hand_over(db: Session, election: Election, actor: str, station_id: int, count: int, signed_by: str) -> PollingStation:
    """Papers handed over to a station, signed for by name (added to earlier hand-overs). The
    write lock (SQLite) and the station's row (PostgreSQL) first, the count read afresh under
    them: two hand-overs at once add up, neither is lost."""
    begin_write(db)
    station = station_of(db, election, station_id)
    db.execute(select(PollingStation.id).where(PollingStation.id == station.id).with_for_update())
    db.refresh(station)
    if count < 1:
        raise UserError(f"交接张数为 {count}，须为正整数")
    if not signed_by.strip():
        raise UserError("请填写签收人姓名")
    station.papers_handed_over += count
    station.handover_signed_by = signed_by.strip()
    record_event(db, election, ek.POLLING_PAPERS_HANDED_OVER, {"station": station.name, "count": count, "signed_by": signed_by.strip()}, actor)
    return station


def station_of(db: Session, election: Election, station_id: int) -> PollingStation:
    return of_election(db, PollingStation, station_id, election.id, UserError(f"投票站 {station_id} 不存在"))


def desk_of(db: Session, election: Election, desk_id: int) -> Desk:
    desk = db.get(Desk, desk_id)
    if desk is None or desk.station.election_id != election.id:
        raise UserError(f"发票台 {desk_id} 不存在")
    return desk


def register_mobile_voter(db: Session, election: Election, actor: str, box_id: int, voter: Resident | str,
                          reason: str) -> MobileBoxVoter:
    """A voter who cannot come (年老、患病、残疾) served by this mobile box; recorded in advance.
    The voter may be given as typed (voter number, name or card scan: roll.lookup). The write
    lock (SQLite) and the voter's row (PostgreSQL, as a desk locks it) before the check that
    the voter is not registered already: two registrations at once are one after the other."""
    begin_write(db)
    if isinstance(voter, str):
        voter = resolve_voter(db, election, voter, "选民")
    db.execute(select(Resident.id).where(Resident.id == voter.id).with_for_update())
    box = box_of(db, election, box_id)
    if not box.mobile:
        raise UserError(f"“{box.label}”不是流动票箱")
    if not is_voter_of(voter, election):
        raise UserError(f"“{voter.name}”不是本次选举的登记选民")
    if not reason.strip():
        raise UserError(f"请填写“{voter.name}”使用流动票箱的原因（如年老体弱、患病、残疾）")
    if db.scalar(select(MobileBoxVoter.id).where(MobileBoxVoter.election_id == election.id, MobileBoxVoter.voter_id == voter.id)):
        raise UserError(f"“{voter.name}”已登记使用流动票箱")
    row = MobileBoxVoter(election_id=election.id, box_id=box.id, voter_id=voter.id, reason=reason.strip())
    db.add(row)
    db.flush()
    record_event(db, election, ek.POLLING_MOBILE_VOTER_REGISTERED, {"box": box.label, "voter": voter.id}, actor)
    return row


def mobile_voters(db: Session, election: Election) -> list[tuple[MobileBoxVoter, Resident, BallotBox]]:
    return list(db.execute(
        select(MobileBoxVoter, Resident, BallotBox)
        .join(Resident, Resident.id == MobileBoxVoter.voter_id)
        .join(BallotBox, BallotBox.id == MobileBoxVoter.box_id)
        .where(MobileBoxVoter.election_id == election.id)
        .order_by(BallotBox.id, Resident.name)
    ).all())
