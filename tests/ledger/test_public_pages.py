"""Must show 2 (page half): a resident's receipt is confirmed on the public page, whose
HTML names no candidate; printed-but-not-deposited and never-printed codes get the same
answer (no oracle beyond counted / not counted); lookups are rate-limited per client IP;
the public result page shows the signed root and serves the sealed public bundle."""
from __future__ import annotations

import re

from election import clock
from election.protocol import codes
from election.publication import published as publication
from tests.conftest import DATA_KEY, csrf_token
from tests.ledger.helpers import simulated
from tools.verify import run


def _published(app, db):
    sim = simulated(db)
    out = publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    return sim, out


def _strip(html: str, code: str) -> str:
    html = html.replace(code, "CODE")
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


def test_deposited_receipt_is_confirmed_without_candidate_names(app, db):
    sim, out = _published(app, db)
    client = app.test_client()
    r, t = next(iter(sim.deposited_codes.items()))
    for form in (codes.human(t), codes.compact(t), codes.receipt_qr(t, "https://jx.example.cn/r")):
        if "/" in form:
            res = client.get("/r/" + form.rsplit("/", 1)[1])
        else:
            res = client.post("/r", data={"code": form, "csrf_token": csrf_token(client, "/r")}, follow_redirects=True)
        html = res.get_data(as_text=True)
        assert res.status_code == 200
        assert "已计入" in html and r in html and out.root in html
        for name in sim.names.values():
            assert name not in html, f"candidate {name} named on the receipt page"
    # The QR form with the upper-case prefix lands here as well.
    res = client.get("/R/" + codes.compact(t))
    assert "已计入" in res.get_data(as_text=True)


def test_not_deposited_and_never_printed_answer_identically(app, db):
    sim, _ = _published(app, db)
    client = app.test_client()
    taken = next(iter(sim.undeposited_codes.values()))
    never = codes.new_code()
    a = client.get("/r/" + codes.human(taken)).get_data(as_text=True)
    b = client.get("/r/" + codes.human(never)).get_data(as_text=True)
    assert "未查到计入记录" in a
    assert _strip(a, codes.human(taken)) == _strip(b, codes.human(never))
    assert "申诉截止" in a  # whom to contact and the deadline (complaint_window_days)


def test_malformed_code_names_the_problem(app, db):
    res = app.test_client().get("/r/ABCD-EFGH")
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and "回执码无法识别" in html and "28" in html


def test_lookups_are_rate_limited_per_ip(app, db):
    app.config.update(RECEIPT_LOOKUP_RATE=0.0001, RECEIPT_LOOKUP_BURST=3)
    client = app.test_client()
    never = codes.human(codes.new_code())
    statuses = [client.get("/r/" + never, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    other = client.get("/r/" + never, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 200


def test_result_page_shows_signed_root_and_serves_the_sealed_bundle(app, db):
    sim, out = _published(app, db)
    client = app.test_client()
    html = client.get(f"/e/{sim.election.id}/result").get_data(as_text=True)
    assert out.root in html and out.head in html and "下载公开公示包" in html
    data = client.get(f"/e/{sim.election.id}/bundle.zip").data
    assert data == out.data
    assert [c.name_en for c in run(data) if not c.ok] == []


def test_complaint_is_recorded_in_the_ledger(app, db):
    from election.ledger.events import events_of
    sim, _ = _published(app, db)
    client = app.test_client()
    url = f"/e/{sim.election.id}/complaint"
    res = client.post(url, data={"kind": "receipt", "text": "上午十点在第一投票站投票，查不到", "contact": "",
                                 "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "申诉已登记" in res.get_data(as_text=True)
    last = events_of(db, sim.election)[-1]
    assert last.kind == "complaint.filed" and "text" not in last.payload


def test_committee_answers_a_complaint_in_the_ledger(app, db, world):
    """ISSUE: complaints recorded (public form) and answered (committee) in the ledger;
    a complaint after the window (complaint_window_days) is refused with the deadline."""
    from datetime import timedelta

    from election.errors import UserError
    from election.ledger.events import events_of
    from election.publication.complaints import file_complaint
    from tests.conftest import login

    e = world["a"]["election"]
    simulate_and_publish = simulated(db, world)
    publication.publish_bundle(db, e, DATA_KEY, "a_committee", app.instance_path)
    row = file_complaint(db, e, "procedure", "投票站开门晚了", "", clock.today())
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/e/{e.id}/complaints"
    assert "投票站开门晚了" in client.get(url).get_data(as_text=True)
    res = client.post(url, data={"complaint": row.id, "answer": "已核实，已延长关门时间", "csrf_token": csrf_token(client, url)},
                      follow_redirects=True)
    assert "答复已记入事件记录" in res.get_data(as_text=True)
    db.rollback()
    last = events_of(db, e)[-1]
    assert last.kind == "complaint.answered" and last.payload["complaint"] == row.id
    deadline = publication.complaint_deadline(db, e)
    try:
        file_complaint(db, e, "receipt", "查不到", "", deadline + timedelta(days=1))
    except UserError as error:
        assert deadline.isoformat() in error.messages[0]
    else:
        raise AssertionError("a complaint after the window was accepted")
    assert simulate_and_publish.election.id == e.id
