"""The tests' factories in one module: valid 公民身份号码, an election, and residents written
straight into its roll (the roll import, nomination and polling are tested through their
own services; these only set the stage). Every builder of tests elsewhere starts here."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta

from election import clock
from election.crypto import ceremony
from election.models import Community, Election, Household, Meeting, MeetingDecision, Resident, SecondEntry
from election.pii import PersonalData
from election.rules.idcard import check_digit, mask_id
from election.setup.service import ElectionDraft, create_community, create_election
from election.trustees import service as trustees
from tests.conftest import DATA_KEY

# ---------------------------------------------------------------------- ID numbers


def with_check_digit(first17: str) -> str:
    """The 18-digit number whose first 17 digits are `first17` (GB 11643-1999)."""
    return first17 + check_digit(first17)


def id_number(birth: date, serial: int, region: str = "110101") -> str:
    """A valid number: region, birth date, a three-digit serial (odd for 男, even for 女)."""
    return with_check_digit(f"{region}{birth:%Y%m%d}{serial % 1000:03d}")


def make_id(birth: date, male: bool = True, seq: int = 12, region: str = "320102") -> str:
    """A valid number for a roll row: two digits `seq`, then the sex digit 1 (男) or 2 (女)."""
    return id_number(birth, seq * 10 + (1 if male else 2), region)


# ---------------------------------------------------------------------- an election


def new_election(db, name: str = "丙社区", street: str = "东街道", *, households: int = 400, days: int = -1,
                 jwh_deputies: int = 1, jwh_members: int = 3, jdw_deputies: int = 0, jdw_members: int = 2,
                 community: Community | None = None, data_key: str = DATA_KEY) -> Election:
    """A direct election under the national preset, `days` from the project's today (the
    day before by default, as the simulated whole elections have it)."""
    community = community or create_community(db, name, street, households)
    election = create_election(db, "test", community, ElectionDraft(
        title=f"{name}换届选举", election_day=clock.today() + timedelta(days=days),
        method="direct", preset="national", jwh_deputies=jwh_deputies, jwh_members=jwh_members,
        jdw_deputies=jdw_deputies, jdw_members=jdw_members,
    ), data_key)
    db.flush()
    return election


def make_election(db, *, jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2, days=40,
                  community: Community | None = None, data_key: str = DATA_KEY) -> Election:
    """The nomination tests' election: 提名测试社区, `days` ahead."""
    return new_election(db, "提名测试社区", households=300, days=days, jwh_deputies=jwh_deputies,
                        jwh_members=jwh_members, jdw_deputies=jdw_deputies, jdw_members=jdw_members,
                        community=community, data_key=data_key)


# ---------------------------------------------------------------------- residents


def add_resident(db, election: Election, household: Household, name: str, number: str, *, birth: date,
                 sex: str | None = None, pii: PersonalData | None = None, voter: bool = True,
                 voter_number: int | None = None, group_name: str | None = None) -> Resident:
    """A 本社区户籍 resident with this ID number (stored as the roll stores it), registered
    and eligible unless `voter` is False; sex from the number unless given. Not flushed."""
    pii = pii or PersonalData(DATA_KEY)
    person = Resident(
        election_id=election.id, household_id=household.id, name=name,
        sex=sex or ("男" if int(number[16]) % 2 else "女"), birth_date=birth,
        id_cipher=pii.encrypt(number), id_hash=pii.lookup_hash(number), id_masked=mask_id(number),
        group_name=group_name, category="hukou", status="registered" if voter else "ineligible", eligible=voter,
        voter_number=voter_number,
    )
    db.add(person)
    return person


class Roll:
    """Adds residents to one election's roll, numbering voters 1, 2, 3, ..."""

    def __init__(self, db, election: Election, data_key: str = DATA_KEY) -> None:
        self.db, self.election, self.pii = db, election, PersonalData(data_key)
        self.household = Household(election_id=election.id, number="H1", building="1")
        db.add(self.household)
        db.flush()
        self.count = 0

    def add(self, name: str, sex: str = "男", birth: date = date(1975, 6, 1), *, voter: bool = True) -> Resident:
        self.count += 1
        number = id_number(birth, self.count * 2 + (1 if sex == "男" else 0))
        resident = add_resident(self.db, self.election, self.household, name, number, birth=birth, sex=sex,
                                pii=self.pii, voter=voter, voter_number=self.count)
        self.db.flush()
        return resident

    def many(self, names: list[str], sex: str = "男") -> list[Resident]:
        return [self.add(n, sex) for n in names]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def add_adult(db, election: Election, household: Household, name: str, serial: int, data_key: str,
              birth: date = date(1970, 1, 1)) -> Resident:
    """One adult of the household's group, the day of birth taken from the serial."""
    number = id_number(date(birth.year, birth.month, 1 + serial // 1000 % 28), serial)
    person = add_resident(db, election, household, name, number, birth=birth, pii=PersonalData(data_key),
                          group_name=household.group_name)
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
        add_adult(db, election, h, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), serial, data_key)
    return households


VOTER_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
VOTER_GIVEN = "建国秀英伟静丽强敏磊军洋艳勇杰娟涛明超霞平刚"


def add_voters(db, election, n: int, group: str = "第一居民小组", start: int = 0) -> list[Resident]:
    """`n` registered voters in one household of `group`, numbered from `start` + 1, written
    without real ID numbers (a placeholder cipher and hash: fast, for polling and counting)."""
    household = Household(election_id=election.id, number=f"H{start}", building="1栋", group_name=group)
    db.add(household)
    db.flush()
    out = []
    for i in range(start, start + n):
        name = (VOTER_SURNAMES[i % len(VOTER_SURNAMES)] + VOTER_GIVEN[(i // len(VOTER_SURNAMES)) % len(VOTER_GIVEN)]
               + VOTER_GIVEN[(i * 7) % len(VOTER_GIVEN)])
        r = Resident(
            election_id=election.id, household_id=household.id, name=name, sex="男", birth_date=date(1970, 1, 1),
            id_cipher="x", id_hash=f"{election.id}-{i}", id_masked=f"1101**********{i:04d}"[-18:], group_name=group,
            category="hukou", status="registered", eligible=True, voter_number=i + 1, card_code=f"C{election.id}V{i:05d}",
        )
        db.add(r)
        out.append(r)
    db.flush()
    return out


def second_entry(db, election: Election, d_hash: str, marks: dict, counter: str = "counter2",
                 round_number: int = 1) -> SecondEntry:
    """A second counter's entry of one paper that differs from the first (the mismatch the
    committee resolves). Flushed."""
    row = SecondEntry(election_id=election.id, d_hash=d_hash, round_number=round_number, marks=marks, counter=counter)
    db.add(row)
    db.flush()
    return row


# ---------------------------------------------------------------------- the public recount's trustees

TRUSTEE_PASS = "一位受托人的长口令"


def offline_ceremony(election_uid: str, base: bytes) -> tuple[dict, list[dict], list[bytes], bytes]:
    """A 2-of-3 key ceremony done wholly here, each trustee's device's work in turn (no server,
    no database): the ceremony document, the trustees' publics, each one's sealed key and the
    joint public key."""
    doc = ceremony.issue(election_uid, base, 2, ["主任", "总监票人", "街道办"])
    started = [ceremony.start(doc, i, TRUSTEE_PASS) for i in (1, 2, 3)]
    publics = [public for public, _ in started]
    shares = [ceremony.shares(doc, publics, private, TRUSTEE_PASS) for _, private in started]
    finished = [ceremony.finish(doc, publics, shares, private, TRUSTEE_PASS) for _, private in started]
    return doc, publics, [key for _, key in finished], bytes.fromhex(finished[0][0]["joint_key"])


def trustee_keys(db, election: Election) -> list[bytes]:
    """The key ceremony of three trustees (two of three decrypt) through the committee's
    uploads, each device's work done here; returns each trustee's sealed key. Committed."""
    doc = trustees.issue(db, election, ["选举委员会主任", "总监票人", "街道办事处"], 2, "committee")
    started = [ceremony.start(doc, i, TRUSTEE_PASS) for i in (1, 2, 3)]
    for public, _ in started:
        trustees.add_public(db, election, json.dumps(public).encode(), "committee")
    publics = trustees.documents(db, election)["publics"]
    for _, private in started:
        shares = ceremony.shares(doc, publics, private, TRUSTEE_PASS)
        trustees.add_shares(db, election, json.dumps(shares).encode(), "committee")
    shares = trustees.documents(db, election)["shares"]
    keys = []
    for _, private in started:
        ready, key = ceremony.finish(doc, publics, shares, private, TRUSTEE_PASS)
        trustees.add_ready(db, election, json.dumps(ready).encode(), "committee")
        keys.append(key)
    db.commit()
    return keys


def meeting_decision(db, election: Election, kind: str, adopted: bool = True, number: int = 1,
                     motion: str = "同意非户籍常住居民登记参加选举") -> MeetingDecision:
    """A meeting's recorded decision, written straight into its tables (the meetings
    service's own tests cover convening, attendance and the vote); a meeting per call."""
    meeting = Meeting(election_id=election.id, kind=kind, basis="representatives" if kind == "representatives" else
                      "adults", title="议事会议", convened_by="committee", notice_on=clock.today(),
                      held_on=clock.today(), members=10, created_by="a_committee")
    db.add(meeting)
    db.flush()
    row = MeetingDecision(meeting_id=meeting.id, number=number, motion=motion, present=8,
                          in_favour=7 if adopted else 3, against=1, abstain=0, adopted=adopted, message="",
                          recorded_by="a_committee")
    db.add(row)
    db.flush()
    return row
