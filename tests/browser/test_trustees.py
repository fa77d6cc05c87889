"""The public recount through the committee's page in a real browser: the trustees' key
ceremony (each trustee's files made by the trustee's own tool), a counted round encrypted
as a job, two of three trustees' partial decryptions uploaded, and the sealed bundle's
recount checked by the verifier."""
from __future__ import annotations

import json
from pathlib import Path

from election import clock
from election.accounts.service import create_user
from election.audit.simulate import simulate
from election.counting.result import enter_board, publish_result, running_tally
from election.crypto import ceremony
from election.models import Election
from election.protocol.verify import verify_bundle
from election.publication.published import publish_bundle
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields

PASS = "一位受托人的长口令"


def _upload(page, path: Path, form: str = "form[enctype]") -> None:
    page.locator(form).first.locator("input[type=file]").set_input_files(str(path))
    page.locator(form).first.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def test_trustees_make_the_key_and_decrypt_through_the_page(page, live_app, tmp_path: Path):
    db = live_app.extensions["juxuan.sessions"]()
    key = live_app.config["DATA_KEY"]
    community = create_community(db, "重计社区", "浏览器街道", 200)
    election = create_election(db, "test", community, ElectionDraft(
        title="重计社区换届选举", election_day=clock.today(), method="direct", preset="national",
        jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), key)
    create_user(db, "recount_committee", PASSWORD, "committee", "选举委员会", community)
    db.commit()
    eid = election.id
    log_in(page, "recount_committee")
    page.goto(f"/e/{eid}/trustees")
    assert unlabelled_fields(page) == []
    page.get_by_role("button", name="开始受托人仪式").click()
    assert "受托人仪式已开始" in page.content()

    def download(what: str) -> object:
        return json.loads(page.request.get(f"/e/{eid}/trustees/{what}").text())

    doc = download("ceremony.json")
    started = {i: ceremony.start(doc, i, PASS) for i in (1, 2, 3)}   # on each trustee's own computer
    for i, (public, _) in started.items():
        (tmp_path / f"public{i}.json").write_text(json.dumps(public))
        _upload(page, tmp_path / f"public{i}.json")
        assert f"已收到第 {i} 位受托人的文件" in page.content()
    publics = download("publics.json")
    for i, (_, private) in started.items():
        (tmp_path / f"shares{i}.json").write_text(json.dumps(ceremony.shares(doc, publics, private, PASS)))
        _upload(page, tmp_path / f"shares{i}.json")
    shares = download("shares.json")
    keys = {}
    for i, (_, private) in started.items():
        ready, keys[i] = ceremony.finish(doc, publics, shares, private, PASS)
        (tmp_path / f"ready{i}.json").write_text(json.dumps(ready))
        _upload(page, tmp_path / f"ready{i}.json")
    assert "联合公钥已确定" in page.locator("#ceremony-stage").inner_text()
    shot(page, "trustees-key")

    db = live_app.extensions["juxuan.sessions"]()
    election = db.get(Election, eid)
    simulate(db, election, voters=40, seed=5)
    running = running_tally(db, election, 1)
    enter_board(db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, "s")
    publish_result(db, election, 1, "committee")
    db.commit()
    page.goto(f"/e/{eid}/trustees")
    page.get_by_role("button", name="加密第 1 轮计票记录").click()
    page.wait_for_url("**/jobs/**")
    progress = page.url.split("?")[0] + "/progress"
    for _ in range(600):
        if page.request.get(progress).json()["state"] != "running":
            break
        page.wait_for_timeout(200)
    assert page.request.get(progress).json()["state"] == "ready"
    # The job page reloads itself once it sees the job end: let that happen before leaving it.
    page.locator("#job-status").filter(has_text="已完成").wait_for()
    page.goto(f"/e/{eid}/trustees")
    totals = json.loads(page.request.get(f"/e/{eid}/trustees/round/1/totals.json").text())
    for i in (1, 3):
        part = ceremony.decrypt(doc, publics, totals, keys[i], PASS, i)
        (tmp_path / f"part{i}.json").write_text(json.dumps(part))
        _upload(page, tmp_path / f"part{i}.json", "#round-1 form")
    assert "已达门限" in page.locator("#round-1").inner_text()
    assert no_horizontal_scroll(page)
    shot(page, "trustees-round")

    out = publish_bundle(db, db.get(Election, eid), key, "committee", live_app.instance_path)
    db.commit()
    checks = {c.name_en: c for c in verify_bundle(out.data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["recount_totals"].ok and checks["recount_decryption"].ok
    db.close()
