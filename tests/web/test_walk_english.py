"""What a new user met walking the demo (README, docs/WALKTHROUGH.md) in both languages:
the header named the demo's users twice ("选举委员会（选举委员会）", and in English
"选举委员会（Election committee）"); the turnout and household-representative pages printed
the method's sentence in Chinese in English mode; the new-election form's ballot layouts
were untranslated."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import login


def _who(html: str) -> str:
    found = re.search(r'<span class="who">(.*?)</span>', html, re.S)
    assert found
    return found.group(1).strip()


def test_the_header_names_a_user_once_when_the_name_is_the_role(app, db, world):
    user = world["a"]["users"]["committee"]
    client = app.test_client()
    login(client, "a_committee")
    user.display_name = "选举委员会"  # as the demo names its users
    db.commit()
    assert _who(client.get("/?lang=zh").get_data(as_text=True)) == "选举委员会"
    assert _who(client.get("/?lang=en").get_data(as_text=True)) == "Election committee"
    user.display_name = "王芳"
    db.commit()
    assert _who(client.get("/?lang=zh").get_data(as_text=True)) == "王芳（选举委员会）"
    assert _who(client.get("/?lang=en").get_data(as_text=True)) == "王芳 (Election committee)"


def test_the_method_sentence_in_the_page_language(app, world):
    client = app.test_client()
    login(client, "a_committee")
    election_id = world["a"]["election"].id
    for path in (f"/elections/{election_id}/polling/turnout", f"/elections/{election_id}/roll/household-reps"):
        english = client.get(path + "?lang=en").get_data(as_text=True)
        basis = re.search(r'id="basis">(.*?)</p>', english, re.S).group(1)
        assert basis.startswith("Method: Direct election by all voters.") and "选举方式" not in basis, path
        chinese = client.get(path + "?lang=zh").get_data(as_text=True)
        basis = re.search(r'id="basis">(.*?)</p>', chinese, re.S).group(1)
        assert re.fullmatch(r"选举方式：全体选民直接选举；参加投票和当选票数以登记选民计算（登记选民 \d+ 人）。", basis), basis


def test_the_ballot_layouts_of_a_new_election_in_english(app, world):
    client = app.test_client()
    login(client, "a_street_admin")
    html = client.get(f"/communities/{world['a']['community'].id}/elections/new?lang=en").get_data(as_text=True)
    assert "One ballot with every post" in html and "One ballot per body" in html
    assert "每个机构一张选票" not in html


def test_the_public_result_names_posts_in_english(app, db):
    """The public result page in English named every post in Chinese ("居民委员会主任") and wrote
    "139（on 276 ballots）" and "陈霞娜（184）、王伟刚（214）"."""
    from election.counting.result import enter_board, publish_result, running_tally
    from election.publication import published as publication
    from tests.conftest import DATA_KEY
    from tests.ledger.helpers import simulated

    sim = simulated(db)  # published as `juxuan demo --simulate` does (cli_bundle.run_simulation)
    running = running_tally(db, sim.election, 1)
    enter_board(db, sim.election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]} for p in running["posts"]}, "t")
    publish_result(db, sim.election, 1, "t")
    publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    client = app.test_client()
    english = client.get(f"/e/{sim.election.id}/result?lang=en").get_data(as_text=True)
    outcome = re.search(r'<section class="card outcome".*?</section>', english, re.S).group(0)
    english = english.replace("&#39;", "'")
    outcome = outcome.replace("&#39;", "'")
    assert "<td>Residents' committee chair</td>" in outcome and "居民委员会主任" not in outcome
    assert re.search(r"\d+ \(on \d+ ballots\)", outcome) and "（" not in outcome and "、" not in outcome
    assert "<h3>Residents' committee chair</h3>" in english
    assert "<li>Residents' committee chair: " in english  # the final list, not "居民委员会主任："
    chinese = client.get(f"/e/{sim.election.id}/result?lang=zh").get_data(as_text=True)
    assert "<li>居民委员会主任：" in chinese
    assert "<h3>居民委员会主任</h3>" in chinese and re.search(r"\d+（以 \d+ 张计）", chinese)


def test_the_application_form_lists_statuses_in_english(app, db, world):
    """The registration form's residents read "… · 第一居民小组 · 待申请" in English mode."""
    from tests.factories import add_voters

    election = world["a"]["election"]
    [waiting] = add_voters(db, election, 1)
    waiting.status, waiting.voter_number = "pending", None
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    english = client.get(f"/elections/{election.id}/roll/applications?lang=en").get_data(as_text=True)
    assert f"{waiting.name} · {waiting.id_masked} · 第一居民小组 · Awaiting application" in english
    chinese = client.get(f"/elections/{election.id}/roll/applications?lang=zh").get_data(as_text=True)
    assert f"{waiting.name} · {waiting.id_masked} · 第一居民小组 · 待申请" in chinese


def test_the_election_page_punctuates_english_in_english(app, world):
    """ "Next step：Voter registration （Publish the voter roll）" and "To do：…" on the election
    page in English; the Chinese page keeps its full-width marks."""
    client = app.test_client()
    login(client, "a_committee")
    election_id = world["a"]["election"].id
    english = re.sub(r"\s+", " ", client.get(f"/elections/{election_id}?lang=en").get_data(as_text=True))
    nxt = re.search(r'<p class="next">(.*?)<a ', english).group(1)
    assert re.sub(r"<[^>]+>", "", nxt).startswith("Next step: ") and "：" not in nxt and "（" not in nxt
    assert "To do: " in english and "To do：" not in english
    chinese = re.sub(r"\s+", " ", client.get(f"/elections/{election_id}?lang=zh").get_data(as_text=True))
    assert '<p class="next">下一步：<strong>' in chinese and "待办：" in chinese


def test_the_roll_notice_forms_label_their_groups_apart(app, db, world):
    """The publication page's two notice forms (the roll notice, the correction notice) each had
    a select labelled just 居民小组."""
    election = world["a"]["election"]
    election.roll_published_on = election.election_day - timedelta(days=25)
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    html = client.get(f"/elections/{election.id}/roll/publication?lang=zh").get_data(as_text=True)
    labels = re.findall(r'<label for="notice-group-\d">([^<]*)</label>', html)
    assert labels == ["居民小组（选民名单公告）", "居民小组（更正公告）"]
    english = client.get(f"/elections/{election.id}/roll/publication?lang=en").get_data(as_text=True)
    assert "Residents&#39; group (correction notice)" in english or "Residents' group (correction notice)" in english


def test_no_template_writes_a_full_width_mark_outside_the_catalogue():
    """About 120 places in templates wrote "：", "（", "）", "，", "；" or "、" between a
    translated label and a value, so English pages read "Member（Chair）", "Scrutineers：…"
    or "Awaiting sync：0". Template text outside {{ }} and {% %} writes those marks through
    the page's marks (colon, lp, rp, comma, semi, sep); Chinese text belongs in _()."""
    from pathlib import Path

    token = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#})", re.S)
    offenders = []
    for path in sorted(Path("templates").rglob("*.html")):
        for number, part in enumerate(token.split(path.read_text(encoding="utf-8"))):
            if number % 2 == 0 and re.search(r"[：（），；、。｜\u4e00-\u9fff]", part.replace(">中文<", "")):
                offenders.append(f"{path}: {part.strip()[:60]}")
    assert offenders == []


def test_marks_follow_the_page_language(app):
    """The marks in English: "Member (Chair)", never "Member（Chair）"; in Chinese they stay
    full-width. The login page links the receipt check it names."""
    from flask import render_template_string

    marks = "成员{{ lp }}主任{{ rp }}{{ comma }}a{{ semi }}b{{ colon }}c{{ sep }}d{{ stop }}"
    with app.test_request_context("/?lang=en"):
        assert render_template_string(marks) == "成员 (主任), a; b: c, d."
    with app.test_request_context("/?lang=zh"):
        assert render_template_string(marks) == "成员（主任），a；b：c、d。"
    client = app.test_client()
    for lang in ("zh", "en"):
        page = client.get(f"/login?lang={lang}").get_data(as_text=True)
        assert '<a href="/r" id="receipt-link">' in page


def test_the_services_warnings_in_english(app):
    """The representatives' size warnings and the reconciliation's "no manifest" finding
    stayed Chinese on English pages ("居民代表共7名，少于一般要求的50名")."""
    from election.rules.partition import group_size_warnings, representatives_total_warning
    from election.web.i18n import say

    low = representatives_total_warning(7)
    groups = group_size_warnings({"第一居民小组": 80}, 100, 150)
    with app.test_request_context("/?lang=en"):
        assert say(low) == "7 residents' representatives, fewer than the usual minimum of 50"
        assert say(groups[0]).endswith("has 80 households, fewer than the residents' group minimum of 100")
    with app.test_request_context("/?lang=zh"):
        assert say(low) == low == "居民代表共7名，少于一般要求的50名"


def test_a_phrase_survives_a_copy_and_a_job_state():
    """dataclasses.asdict deep-copies a Phrase and a job keeps its state as JSON: the sentence,
    its msgid and its parameters come back (str's own copy called Phrase() with the text alone)."""
    import copy
    import json
    import pickle

    from election.rules.phrase import phrase
    from election.web.i18n import kept

    said = phrase("第 %(n)s 轮结果已公布", n=2)
    for again in (copy.deepcopy(said), pickle.loads(pickle.dumps(said))):
        assert again == "第 2 轮结果已公布" and again.msgid == said.msgid and again.params == {"n": 2}
    assert json.loads(json.dumps(kept(said))) == {"msgid": "第 %(n)s 轮结果已公布", "params": {"n": 2}}


def test_the_candidate_list_check_in_english(app):
    """The candidate list's check (差额核对) listed its refusals and warnings in Chinese on English
    pages ("居民委员会主任：应选 1 名，正式候选人 1 名，差额选举须多于应选人数 1 名")."""
    from election.rules import nomination as rules
    from election.web.i18n import say

    short = rules.check_differential("居民委员会主任", 1, 1)
    relatives = rules.relative_flags(["王芳"], ["李强"], [("王芳", "李强", "配偶")])
    with app.test_request_context("/?lang=en"):
        assert say(short) == ("Residents' committee chair: 1 to elect, 1 formal candidates; a differential "
                              "election needs 1 more candidates than seats")
        assert say(relatives[0]).startswith("Supervisory committee candidate 王芳 is a near relative (")
    with app.test_request_context("/?lang=zh"):
        assert say(short) == short == "居民委员会主任：应选 1 名，正式候选人 1 名，差额选举须多于应选人数 1 名"


def test_a_stored_sentence_is_recognised_and_said_again(app):
    """A published result keeps why a round is void as Chinese text; the page recognises the
    sentence (rules.phrase.recognise) and says it in English; other text stays as it is."""
    from election.web.i18n import say_recorded

    void = "参加投票的选民 6 人（收回选票）未超过登记选民 586 人的 1/2（至少须有 294 人），选举无效，须重新选举。"
    more = "收回选票 7 张多于发出选票 6 张，本次投票无效，须重新投票。"
    with app.test_request_context("/?lang=en"):
        assert say_recorded(void) == ("6 of 586 electors voted (papers returned), not more than 1/2 (at least 294 were "
                                      "needed): the election is void and must be held again.")
        assert say_recorded(more) == "7 papers returned, more than the 6 issued: this vote is void and must be held again."
        assert say_recorded("收回选票 7 张多于发出选票 8 张") == "收回选票 7 张多于发出选票 8 张"
    with app.test_request_context("/?lang=zh"):
        assert say_recorded(void) == void and say_recorded(more) == more


def test_a_refused_roll_import_in_english(app, world):
    """A refused import's page listed every row error in Chinese in English mode
    ("第2行“性别”：应填“男”或“女”，实际为“M”"); the errors are kept as phrases and said."""
    import io
    from datetime import date

    from tests.conftest import csrf_token, finish_job
    from tests.factories import make_id
    from tests.roll.helpers import csv_bytes, row

    base = f"/elections/{world['a']['election'].id}/roll"
    client = app.test_client()
    login(client, "a_committee")
    token = csrf_token(client, f"{base}/import")
    started = client.post(f"{base}/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(csv_bytes([row("张伟", make_id(date(1970, 1, 2), seq=11), sex="M")])), "roll.csv")})
    chinese = finish_job(client, started)
    assert "第2行“性别”：应填“男”或“女”，实际为“M”" in chinese and "有1处错误，整个文件未导入" in chinese
    english = client.get(started.headers["Location"] + "?lang=en").get_data(as_text=True).replace("&#34;", '"')
    client.get(f"{base}/?lang=zh")
    assert "Row 2, “Sex”: should be “男” or “女”, is “M”" in english, english
    assert "has 1 errors: nothing of it was imported" in english and "整个文件未导入" not in english
