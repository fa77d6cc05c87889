"""A whole election where the 居民代表会议 chooses the 居务监督委员会 (jdw_chosen_by
representatives_meeting, [seed 江苏 §17] [V art.32]), run through the services: the rulebook
page takes the field (that one change recorded), the workflow's stages wait on no 监督委员会 candidate, the printed
paper (read back) has no 监督委员会 section, round 1 is printed, issued, deposited, counted and
published for the 居委会 alone, the representatives' meeting then chooses the 监督委员会 by
an adopted decision, and the public bundle verifies with composition.json naming the chosen
members with their decision. Then [V art.32] after the fact: a chosen member who is the
near relative of an elected 居委会 member is named in the workflow's warnings (service and
election page) until the member's term ends, recorded with the end reason of its own
("barred": refused for a member not barred), which the bundle and both verifiers carry."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader

from election import clock
from election.errors import UserError
from election.ledger import keys
from election.ledger.events import events_of
from election.mandates import chosen
from election.mandates import service as mandates
from election.meetings import service as meetings
from election.models import Relation, RepArea, Representative
from election.polling import printing
from election.protocol import bundle
from election.publication.bundle import export_bundle
from election.roll.cards import assign_cards
from election.settings import posts_of, rulebook_of, seat_posts_of
from election.workflow import stages
from tests.conftest import DATA_KEY, csrf_token, login
from tests.counting import voting
from tests.meetings.test_by_election import _browser_verifier_agrees
from tools import verify

# Round 1: the first candidate of every 居委会 post approved on every paper (all seats filled).
JWH_FILLED = {"jwh_zhuren": [0], "jwh_fu_zhuren": [0], "jwh_weiyuan": [0, 1, 2]}


def _page_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _rulebook_form(election) -> dict[str, str]:
    """The rulebook page's form as it stands (a box ticked is "on", an unticked one absent)."""
    values = rulebook_of(election).to_dict()
    return {k: ("on" if v else "") if isinstance(v, bool) else str(v) for k, v in values.items()
            if not isinstance(v, bool) or v}


def test_a_whole_election_with_the_supervisors_chosen_by_the_representatives_meeting(app, db, world, monkeypatch,
                                                                                     tmp_path):
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/rulebook"
    page = client.get(url).get_data(as_text=True)
    assert "居务监督委员会成员的产生方式" in page and 'value="representatives_meeting"' in page
    form = {**_rulebook_form(election), "jdw_chosen_by": "representatives_meeting", "csrf_token": csrf_token(client, url)}
    saved = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "规则已保存。" in saved, saved[saved.find("<main"):saved.find("<main") + 2000]
    db.expire_all()
    assert events_of(db, election)[-1].payload["changes"] == {"jdw_chosen_by": "representatives_meeting"}
    assert [p.body for p in posts_of(election)] == ["jwh"] * 3
    assert {p.body for p in seat_posts_of(election)} == {"jwh", "jdw"}

    w = voting.setup(db, election, voters=40)
    views = {v.key: v for v in stages.stages(db, election)}
    assert not views["printing"].blocked, views["printing"]

    layout = election.paper_layout  # one paper per body: only the 居委会's is printed
    election.paper_layout = "per_body"
    assert [body for body, _ in printing.ballot_specs(db, election)] == ["jwh"]
    election.paper_layout = layout

    pdf = io.BytesIO()
    row = voting.vote_round(db, w, monkeypatch, 1, w.voters[:30], lambda i: JWH_FILLED, out=pdf)
    text = _page_text(pdf.getvalue())
    assert "居民委员会" in text and "主任" in text
    assert "监督委员会" not in text, text[:2000]
    assert set(row.result["posts"]) == {"jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan"}
    assert row.result["next_round"] == "none"
    views = {v.key: v for v in stages.stages(db, election)}
    assert views["result"].status == stages.DONE, views["result"]
    assert stages.round_step(db, election) is None

    # The 居民代表会议 chooses the 监督委员会 from people who are neither candidates nor
    # relatives of the elected (w.voters[20:] stood for nothing).
    assign_cards(db, election, "a_committee")
    area = RepArea(election_id=election.id, number=1, seats=15, explanation="")
    db.add(area)
    db.flush()
    for p in w.voters[20:35]:
        db.add(Representative(election_id=election.id, area_id=area.id, resident_id=p.id, since=clock.today()))
    day = clock.today() + timedelta(days=10)
    m = meetings.convene(db, election, kind="representatives", basis="representatives", title="推选居务监督委员会",
                         agenda="推选居务监督委员会成员", held_on=day, place="活动室", convened_by="committee",
                         actor="a_committee")
    clock.pin(datetime.combine(day, time(9, 0), tzinfo=clock.zone()))
    for p in w.voters[20:32]:
        meetings.attend(db, election, m.id, str(p.voter_number), "a_clerk")
    chair, first, second = w.voters[36:39]
    motion = f"推选{chair.name}为居务监督委员会主任，{first.name}、{second.name}为委员"
    decision = meetings.decide(db, election, m.id, motion, 10, 1, 1, "a_committee")
    meetings.close(db, election, m.id, "a_committee")
    db.commit()
    assert decision.adopted
    chosen.record_choice(db, election, decision.id, {"jdw_zhuren": [str(chair.voter_number)],
                                                     "jdw_weiyuan": [str(first.voter_number), str(second.voter_number)]},
                         "a_committee")
    db.commit()
    comp = mandates.composition(db, election)
    assert not any(comp.vacancies.values()), comp.vacancies

    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=False).data
    db.commit()
    checks = {c.name_en: c for c in verify.run(data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    composition = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("composition.json"))
    jdw = {(m["post"], m["name"]): m for m in composition["members"] if m["post"].startswith("jdw")}
    assert set(jdw) == {("jdw_zhuren", chair.name), ("jdw_weiyuan", first.name), ("jdw_weiyuan", second.name)}
    assert stages.warnings(db, election) == []
    cited = {"meeting": decision.meeting_id, "number": decision.number}
    assert all(member["round"] == 0 and member["decision"] == cited for member in jdw.values())
    # The chain anchors each chosen member's name and sex (seat.chosen_by_meeting): a member
    # renamed in composition.json and re-sealed with the election's key fails composition.
    choice = next(e for e in events_of(db, election) if e.kind == "seat.chosen_by_meeting")
    assert [(m["person"], m["name"], m["sex"]) for m in choice.payload["members"]] == [
        (str(p.id), p.name, p.sex) for p in (chair, first, second)]
    files = bundle.read_files(data)
    renamed = json.loads(files["composition.json"])
    next(m for m in renamed["members"] if m["person"] == str(first.id))["name"] = "冒名"
    files["composition.json"] = bundle.canonical_json(renamed) + b"\n"
    resealed = bundle.write_files(bundle.seal_files(files, keys.private_key(db, election, DATA_KEY), "2026-11-25"))
    failed = {c.name_en: c.detail for c in verify.run(resealed) if not c.ok}
    assert list(failed) == ["composition"] and first.name in failed["composition"], failed

    # [V art.32] after the fact: a chosen member turns out to be the spouse of an elected
    # 居委会 member (the relation recorded later): the result stands, the workflow says the
    # meeting must choose again for that seat.
    elected = next(m for m in mandates.composition(db, election).serving if m.post == "jwh_zhuren")
    db.add(Relation(election_id=election.id, resident_id=first.id, relative_id=elected.resident_id, kind="spouse"))
    db.commit()
    why = (f"会议推选的居务监督委员会委员{first.name}是新当选居民委员会主任{elected.name}的近亲属，不得担任居务监督委员会成员"
           "（[V art.32]）")
    warning = why + "：须在组成人员页面以“任职回避（本人或近亲属为居民委员会成员）”记录其居务监督委员会职务终止，由会议另行推选"
    assert stages.warnings(db, election) == [warning]
    login(client, "a_committee")  # the session ran out while the clock moved to the meeting's day
    assert warning in client.get(f"/elections/{election.id}").get_data(as_text=True)
    # The incompatibility is its own end reason, only for a member it bars.
    with pytest.raises(UserError, match=f"{second.name}（居务监督委员会委员）：“任职回避.*”只适用于.*该成员没有这种情形"):
        mandates.vacate(db, election, f"jdw_weiyuan:{second.id}", "barred", clock.today(), "", "a_committee")
    db.rollback()
    # Recorded through the composition page: no resignation, no decision cited; the reason
    # is written from the rule; the warning is gone, the seat vacant for the meeting.
    url = f"/elections/{election.id}/composition"
    page = client.get(url).get_data(as_text=True)
    assert 'value="barred"' in page
    done = client.post(url, data={"csrf_token": csrf_token(client, url), "member": f"jdw_weiyuan:{first.id}",
                                  "reason": "barred", "ended_on": clock.today().isoformat(), "decision": "", "note": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "已记录离任，该职位出缺。" in done
    db.rollback()  # this session's snapshot predates the page's commit
    vacated = events_of(db, election)[-1]
    assert vacated.kind == "seat.vacated" and vacated.payload["reason"] == "barred" and why in vacated.reason
    assert stages.warnings(db, election) == []
    comp = mandates.composition(db, election)
    assert comp.vacancies["jdw_weiyuan"] == 1
    gone = next(m for m in comp.mandates if m.resident_id == first.id)
    assert gone.reason == "任职回避（本人或近亲属为居民委员会成员）" and gone.note == why
    # The bundle says so (composition.json "barred", as the chain's seat.vacated), and both verifiers agree.
    data = export_bundle(db, election, DATA_KEY, "a_committee", auditor=False).data
    db.commit()
    composition = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("composition.json"))
    assert next(m for m in composition["members"] if m["person"] == str(first.id))["reason"] == "barred"
    checks = verify.run(data)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    _browser_verifier_agrees(data, checks, tmp_path)
