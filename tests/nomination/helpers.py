"""Nomination test helpers: a differential slate of nominees (the election and its roll come
from tests.factories)."""
from __future__ import annotations

from election.models import Election, Resident
from tests.factories import Roll

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
