"""The street office auditor in a real browser: commit to a secret before the seal, record
the manifest and the seal, roll the dice before witnesses, reveal the secret and start the
audit, see the draw list, enter a drawn paper (scan + marks) without seeing its record."""
from __future__ import annotations

from election.accounts.service import create_user
from election.models import AuditCode, Community, Election
from election.protocol import rla
from tests.browser.conftest import no_horizontal_scroll, shot, unlabelled_fields
from tests.browser.test_public_pages import _published


def test_auditor_starts_an_audit_and_enters_a_draw(page, live_app):
    sim, out, eid = _published(live_app, "审计社区")
    db = live_app.extensions["juxuan.sessions"]()
    election = db.get(Election, eid)
    community = db.get(Community, election.community_id)
    create_user(db, "browser_auditor", "browser-pass-1", "auditor", "审计员", community)
    db.commit()
    page.goto("/login")
    page.get_by_label("用户名").fill("browser_auditor")
    page.get_by_label("密码").fill("browser-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.goto(f"/audit/e/{eid}")
    assert unlabelled_fields(page) == []
    assert page.get_by_label("掷骰结果（公开掷骰得到的数字，至少 20 位）").count() == 0  # no dice before the seal
    secret = "2718 2818 2845 9045 2353"  # the auditor's, committed by its hash (computed off the server)
    page.get_by_label("种子承诺（秘密数字的 SHA-256，64 位十六进制）").fill(rla.seed_commitment(secret))
    page.get_by_role("button", name="提交种子承诺").click()
    assert "种子承诺已记入事件链" in page.content()
    from collections import Counter

    from election.settings import box_keys

    names = box_keys(db, election)
    counted = Counter(names[b] for (b,) in db.query(AuditCode.box_id).filter(
        AuditCode.election_id == eid, AuditCode.state == "counted"))
    for label, n in counted.items():  # the scrutineers' count of each box
        page.get_by_label(f"票箱 {label} 清点的选票张数").fill(str(n))
    page.get_by_role("button", name="录入票箱清单").click()
    assert "票箱清单已录入" in page.content()
    page.get_by_role("button", name="封存计票记录与票箱清单").click()
    assert "已封存" in page.content()
    assert unlabelled_fields(page) == []
    page.get_by_label("掷骰结果（公开掷骰得到的数字，至少 20 位）").fill("6543 2156 4321 5613 2465")
    page.get_by_label("见证人姓名（至少 2 位，每行一位）").fill("王监票\n李代表")
    page.get_by_role("button", name="录入掷骰结果").click()
    assert "掷骰结果与见证人已记入事件链" in page.content()
    page.get_by_label("审计员的秘密数字（封存前已提交其承诺）").fill(secret)
    page.get_by_role("button", name="计算样本并列出抽取清单").click()
    page.wait_for_selector("#draws")
    n = int(page.locator("#sample-size").inner_text())
    assert n > 0 and page.locator("#draws tbody tr").count() == n
    assert no_horizontal_scroll(page)
    shot(page, "audit-overview")
    page.get_by_role("link", name="录入").first.click()
    assert unlabelled_fields(page) == []
    heading = page.locator("h1").inner_text()
    box = heading.split("票箱 ")[1].split(" ")[0]
    position = int(heading.split("第 ")[2].split(" ")[0])
    ds = sorted(d for d, b in db.query(AuditCode.d_hash, AuditCode.box_id)
                .filter(AuditCode.election_id == eid, AuditCode.state == "counted") if names[b] == box)
    d = ds[position - 1]
    assert d not in page.content()  # blind: the record is not shown
    page.get_by_label("扫描选票背面的审计二维码").fill(d)
    shot(page, "audit-draw")
    page.get_by_role("button", name="录入").click()
    assert "已录入第 1 次抽取" in page.content()
    db.close()
