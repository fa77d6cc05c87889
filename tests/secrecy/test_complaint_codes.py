"""A complaint holds no receipt code. The form for "查不到我的回执" asks for the text and a
contact; before, a resident who typed the stub's code into the text (the form only asked
them not to) left the database holding the code beside their phone number — a resident
paired with a receipt for whoever copies the database or the complaints export — and the
committee's answer quoting it went into the public chain. Now the complaint and the answer
are refused, in Chinese, with nothing written; ordinary texts with phone, ID card and bank
card numbers, dates and English words still go in."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from election import clock
from election.errors import UserError
from election.models import Complaint, ElectionEvent
from election.protocol import codes
from election.publication import published as publication
from election.publication.complaints import answer_complaint, file_complaint
from tests.conftest import DATA_KEY, csrf_token, login
from tests.ledger.helpers import simulated

CODE = codes.new_code()
HUMAN = codes.human(CODE)
MENTIONS = [
    f"我的回执码是 {HUMAN}，网上查不到",
    f"回执码：{HUMAN.replace('-', ' ').lower()}",
    f"扫存根二维码打开 https://jx.example.cn/r/{codes.compact(CODE)} 显示查不到",
    f"前几位是 {'-'.join(HUMAN.split('-')[:4])}",
    "全角也算：" + "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in HUMAN),
]
PLAIN = [
    "投票站开门晚了", "我的回执查不到，第一投票站，上午十点左右投的票", "电话 13800000000", "+86 138 0000 0000",
    "身份证 11010519491231002X", "银行卡 6222021234567890123", "2026-11-30 下午3点",
    "I could not find my receipt; box 2 of station one, about 10 am", "THIS WORK WELL DONE",
]


def test_code_detector_finds_codes_and_leaves_ordinary_text() -> None:
    assert [t for t in MENTIONS if not codes.mentions_code(t)] == []
    assert [t for t in PLAIN if codes.mentions_code(t)] == []
    for _ in range(500):  # every whole code, however it is separated
        human = codes.human(codes.new_code())
        assert codes.mentions_code(human) and codes.mentions_code(human.replace("-", ""))
        assert codes.mentions_code(" ".join(human.split("-")))


def _count(db, election) -> tuple[int, int]:
    rows = db.scalar(select(func.count()).select_from(Complaint).where(Complaint.election_id == election.id))
    events = db.scalar(select(func.count()).select_from(ElectionEvent).where(ElectionEvent.election_id == election.id))
    return rows, events


def test_a_complaint_or_answer_holding_a_receipt_code_is_refused(app, db, world) -> None:
    election = world["a"]["election"]
    simulated(db, world)
    publication.publish_bundle(db, election, DATA_KEY, "a_committee", app.instance_path)
    db.commit()
    before = _count(db, election)
    for text in MENTIONS:
        with pytest.raises(UserError, match="不能填写回执码"):
            file_complaint(db, election, "receipt", text, "138****0000", clock.today())
        db.rollback()
        with pytest.raises(UserError, match="联系方式中不能填写回执码"):
            file_complaint(db, election, "receipt", "查不到", text, clock.today())
        db.rollback()
    assert _count(db, election) == before  # nothing stored, nothing in the chain

    # Through the public form: refused, the code stored nowhere.
    client = app.test_client()
    url = f"/e/{election.id}/complaint"
    page = client.post(url, data={"kind": "receipt", "text": MENTIONS[0], "contact": "13800000000",
                                  "csrf_token": csrf_token(client, url)}, follow_redirects=True).get_data(as_text=True)
    assert "不能填写回执码" in page
    db.rollback()
    assert _count(db, election) == before
    stored = " ".join(f"{c.text} {c.contact}" for c in db.scalars(select(Complaint)))
    assert not codes.mentions_code(stored)

    # Ordinary complaints go in; the committee's answer may not quote a code either.
    rows = [file_complaint(db, election, "receipt", text, "13800000000", clock.today()) for text in PLAIN]
    db.commit()
    with pytest.raises(UserError, match="答复中不能写回执码"):
        answer_complaint(db, election, rows[1].id, f"经核对，{HUMAN} 已投入第一票箱", "a_committee")
    db.rollback()
    committee = app.test_client()
    login(committee, "a_committee")
    url = f"/e/{election.id}/complaints"
    page = committee.post(url, data={"complaint": rows[1].id, "answer": f"回执 {codes.compact(CODE)} 在第一票箱",
                                     "csrf_token": csrf_token(committee, url)}, follow_redirects=True)
    assert "答复中不能写回执码" in page.get_data(as_text=True)
    db.rollback()
    answered = answer_complaint(db, election, rows[1].id, "已核实：第一投票站的回执都已公布，请按投票站和时间再查一次", "a_committee")
    db.commit()
    assert answered.answered_by == "a_committee"
    chain = " ".join(str(e.payload) for e in db.scalars(select(ElectionEvent).where(ElectionEvent.election_id == election.id)))
    assert codes.compact(CODE) not in chain.upper().replace("-", "").replace(" ", "")


def test_a_public_difference_explanation_holding_a_code_is_refused(db, poll) -> None:
    """The reconciliation's explanation of a difference goes into the public chain too."""
    from election.polling import close

    election = poll["election"]
    before = _count(db, election)
    with pytest.raises(UserError, match="差异情况说明中不能写回执码"):
        close.explain(db, election, "a_committee", "stubs", "第一投票站", "存根少一张", f"选民李四的存根 {HUMAN} 没有扫描")
    db.rollback()
    assert _count(db, election) == before
    close.explain(db, election, "a_committee", "stubs", "第一投票站", "存根少一张", "一位选民把存根带走了")
    db.commit()
