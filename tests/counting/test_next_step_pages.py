"""The pages lead from every outcome to a completed committee (issue 16, must show 4):
from a `nomination` result the election page names the step and links to the 另行选举候选人
page, the committee nominates and publishes there, the round is voted and the page then
says every stage of the result is done; from a void round the election page names the
re-election round and links to the polling page."""
from __future__ import annotations

import re

from election.rounds import current_round
from tests.conftest import csrf_token, login

from .test_next_round import JDW, _on_paper
from .voting import setup, vote_round


def _next_step(client, election_id: int) -> tuple[str, str]:
    page = client.get(f"/elections/{election_id}").get_data(as_text=True)
    m = re.search(r'<p class="next">(.*?)<a class="button primary" id="next-action" href="([^"]+)"', page, re.S)
    assert m, "the election page names a next step"
    return re.sub(r"<[^>]+>", "", m.group(1)), m.group(2)


def test_from_a_nomination_result_the_pages_lead_to_a_complete_committee(app, db, world, monkeypatch):
    w = setup(db, world["a"]["election"])
    w.voters[5].sex = "男"  # only p7 stands for 委员 as a woman
    db.commit()

    def first(i: int) -> dict[str, list[int]]:
        order = _on_paper(db, w, current_round(db, w.election), "jwh_weiyuan")
        picks = (4, 5, 6) if i < 19 else (4, 5, 7)
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [order.index(k) for k in picks], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:24], first).result
    assert one["next_round"] == "nomination"
    eid = w.election.id
    client = app.test_client()
    login(client, "a_committee")
    text, href = _next_step(client, eid)
    assert "第 2 轮另行选举：提名补足候选人" in text and href.endswith(f"/elections/{eid}/nomination/round")

    page = client.get(href).get_data(as_text=True)
    assert 'id="round-sections"' in page and "妇女委员定位" in page
    token = csrf_token(client, href)
    refused = client.post(href, data={"csrf_token": token, "action": "publish"}, follow_redirects=True).get_data(as_text=True)
    assert "还须提名" in refused
    added = client.post(href, data={"csrf_token": token, "action": "add", "post": "jwh_weiyuan",
                                    "nominee": str(w.voters[21].voter_number), "evidence": "选委会决定第 3 号"},
                        follow_redirects=True).get_data(as_text=True)
    assert "已提名" in added and w.voters[21].name in added
    done = client.post(href, data={"csrf_token": token, "action": "publish"}, follow_redirects=True).get_data(as_text=True)
    assert "候选人名单已公布" in done
    assert client.get(f"/elections/{eid}/nomination/round/2/notice.pdf").status_code == 200
    text, href = _next_step(client, eid)
    assert "第 2 轮（另行选举）" in text and href.endswith(f"/elections/{eid}/polling")

    rnd = current_round(db, w.election)
    at = _on_paper(db, w, rnd, "jwh_weiyuan").index(7)
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], lambda i: {"jwh_weiyuan": [at] if i < 10 else []}).result
    assert two["next_round"] == "none" and two["woman"]["status"] == "reserved_filled"
    page = client.get(f"/elections/{eid}").get_data(as_text=True)
    assert 'data-stage="result"' in page
    assert re.search(r'class="stage done[^"]*" data-stage="result"', page)


def test_from_a_void_round_the_pages_name_the_re_election(app, db, world, monkeypatch):
    w = setup(db, world["a"]["election"])

    def first(i: int) -> dict[str, list[int]]:
        order = _on_paper(db, w, current_round(db, w.election), "jwh_weiyuan")
        return {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [order.index(k) for k in (4, 5, 7)], **JDW}

    one = vote_round(db, w, monkeypatch, 1, w.voters[:15], first).result
    assert one["valid"] is False
    client = app.test_client()
    login(client, "a_committee")
    text, href = _next_step(client, w.election.id)
    assert "第 2 轮（重新选举）" in text and href.endswith("/polling")
    assert "第 2 轮" in client.get(href).get_data(as_text=True)
    counting = client.get(f"/elections/{w.election.id}/counting").get_data(as_text=True)
    assert "选举方式：全体选民直接选举" in counting and "登记选民 40 人" in counting and "选举无效" in counting
    # A void round elects no one: no 当选证书 button that would only answer "尚无当选人".
    assert 'id="certificates-1"' not in counting
    # Nor a threshold of "0（以 15 张计）" for its posts: a void round has no line to reach.
    assert '<td class="num threshold">—</td>' in counting and "0（以" not in counting
    # In English the next step and what blocks round 2's result are English too (they were
    # "第 2 轮（重新选举）：印制选票、…" and "尚未录入计票板合计" on English pages).
    page = client.get(f"/elections/{w.election.id}?lang=en").get_data(as_text=True)
    step = re.search(r'<p class="next">(.*?)</p>', page, re.S).group(1)
    assert "Round 2 (Election held again): print the papers" in step and "Hold round 2" in step, step
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", step)), step
    english = client.get(f"/elections/{w.election.id}/counting?lang=en").get_data(as_text=True)
    assert "The tally board&#39;s totals are not entered yet" in english and "尚未录入计票板合计" not in english
    # The published reason the round is void, stored as its Chinese, said in English.
    assert re.search(r"15 of 40 electors voted \(papers returned\), not more than 1/2 \(at least 21 were needed\): "
                     r"the election is void and must be held again\.", english), english
    assert "参加投票的" not in english
    client.get(f"/elections/{w.election.id}?lang=zh")
    two = vote_round(db, w, monkeypatch, 2, w.voters[:24], first).result
    assert two["valid"] is True and two["next_round"] == "none"
    counting = client.get(f"/elections/{w.election.id}/counting").get_data(as_text=True)
    assert 'id="certificates-2"' in counting and 'id="certificates-1"' not in counting
    page = client.get(f"/elections/{w.election.id}").get_data(as_text=True)
    assert re.search(r'class="stage done[^"]*" data-stage="result"', page)
