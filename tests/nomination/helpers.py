"""Test helpers: an election of a chosen size and residents on its roll (rows created directly)."""
from __future__ import annotations

from datetime import date, timedelta

from election import clock
from election.models import Community, Election, Household, Resident
from election.pii import PersonalData
from election.rules.idcard import check_digit, mask_id
from election.setup.service import ElectionDraft, create_community, create_election
from tests.conftest import DATA_KEY


def make_election(db, *, jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2, days=40,
                  community: Community | None = None, data_key: str = DATA_KEY) -> Election:
    community = community or create_community(db, "提名测试社区", "东街道", 300)
    election = create_election(db, "test", community, ElectionDraft(
        title="提名测试社区换届选举", election_day=clock.today() + timedelta(days=days),
        method="direct", preset="national", jwh_deputies=jwh_deputies, jwh_members=jwh_members,
        jdw_deputies=jdw_deputies, jdw_members=jdw_members,
    ), data_key)
    db.flush()
    return election


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
        seq = self.count * 2 + (1 if sex == "男" else 0)
        first17 = f"110101{birth:%Y%m%d}{seq % 1000:03d}"
        number = first17 + check_digit(first17)
        resident = Resident(
            election_id=self.election.id, household_id=self.household.id, name=name, sex=sex,
            birth_date=birth, id_cipher=self.pii.encrypt(number), id_hash=self.pii.lookup_hash(number),
            id_masked=mask_id(number), category="hukou",
            status="registered" if voter else "ineligible", eligible=voter,
            voter_number=self.count,
        )
        self.db.add(resident)
        self.db.flush()
        return resident

    def many(self, names: list[str], sex: str = "男") -> list[Resident]:
        return [self.add(n, sex) for n in names]


SLATE = {
    "jwh_zhuren": ["王建国", "丁玉兰"],
    "jwh_fu_zhuren": ["李明", "马红"],
    "jwh_weiyuan": ["欧阳春", "万里", "司马光明", "赵小英"],
    "jdw_zhuren": ["钱正", "孙立"],
    "jdw_weiyuan": ["周平", "吴静", "郑和"],
}
WOMEN = {"丁玉兰", "马红", "赵小英", "吴静"}


def full_slate(db, election: Election, roll: Roll, *, confirm: bool = True) -> dict[str, list[Resident]]:
    """A differential set of nominees for the default sizes (居委会 1+1+3, 监督委员会 1+0+2)."""
    from election.nomination.service import confirm_chair, nominate

    out: dict[str, list[Resident]] = {}
    for post, names in SLATE.items():
        out[post] = []
        for name in names:
            resident = roll.add(name, "女" if name in WOMEN else "男")
            channel = "party" if post == "jdw_zhuren" else "self"
            result = nominate(db, election, "committee", post, str(resident.voter_number), channel,
                              "自荐书（2026）第1号", education="大专", current_job="社区网格员")
            if post == "jdw_zhuren" and confirm:
                confirm_chair(db, election, "street", result.candidate.id, "街道党工委", "街党工委〔2026〕5号")
            out[post].append(resident)
    return out
