"""Browser tests of every roll page: overview and search, import (error table, then a real
import), template download, resident status change, applications, publication and freeze,
objections, voter cards. Forms are filled through their labels."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from election import clock
from election.accounts.service import create_user
from election.models import Resident
from election.roll.importing import import_roll
from election.setup.service import ElectionDraft, create_community, create_election
from tests.browser.conftest import PASSWORD, log_in, no_horizontal_scroll, shot, unlabelled_fields
from tests.factories import make_id
from tests.roll.helpers import csv_bytes, row

TODAY = clock.today()


@pytest.fixture
def roll_world(live_app):
    """A community of our own in the shared live database, with six residents imported."""
    tag = uuid.uuid4().hex[:6]
    # ID numbers of our own: the same person in another test's election would be flagged (one roll only).
    region = f"{int(tag, 16) % 900000 + 100000}"
    db = live_app.extensions["juxuan.sessions"]()
    community = create_community(db, f"名册社区{tag}", "名册街道", 200)
    election = create_election(db, "setup", community, ElectionDraft(
        title="第十二届居民委员会换届选举", election_day=TODAY + timedelta(days=40), method="direct",
        preset="national", jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), live_app.config["DATA_KEY"])
    create_user(db, f"rc_{tag}", PASSWORD, "committee", "名册委员", community)
    create_user(db, f"rs_{tag}", PASSWORD, "street_admin", "街道", community, "名册街道")
    rows = [
        row("张伟", make_id(date(1970, 1, 2), region=region), household="0001"),
        row("李娜", make_id(date(1975, 2, 3), male=False, region=region), sex="女", household="0001"),
        row("王强", make_id(date(1990, 4, 5), seq=40, region=region), household="0002", group="第二居民小组", 室号="102"),
        row("陈静", make_id(date(1985, 6, 7), male=False, seq=41, region=region), sex="女", household="0003", 室号="201",
            category="非户籍常住", since=(TODAY - timedelta(days=730)).isoformat()),
    ]
    import_roll(db, election, live_app.config["DATA_KEY"], csv_bytes(rows), "r.csv", "setup", today=TODAY)
    db.commit()
    out = {"election": election.id, "committee": f"rc_{tag}", "street": f"rs_{tag}",
           "ids": {r.name: r.id for r in db.scalars(select(Resident).where(Resident.election_id == election.id))}}
    db.close()
    return out


def test_overview_counts_and_search(page, roll_world):
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{roll_world['election']}/roll/")
    assert page.locator("#voters").inner_text() == "3"
    assert unlabelled_fields(page) == []
    page.get_by_label("姓名、居民小组、身份号码（完整或隐去部分）或末4位、选民编号").fill("第二居民小组")
    page.get_by_role("button", name="查找").click()
    assert page.locator("#results").get_by_role("link", name="王强").is_visible()
    assert "**********" in page.locator("#results").inner_text()  # masked, never the full number
    shot(page, "roll-index")
    page.locator("#results").get_by_role("link", name="王强").click()
    assert page.locator("h1").inner_text() == "王强"


def finished_job(page, state: str = "ready"):
    """Wait on a job's progress page until its script has reloaded the finished page."""
    page.wait_for_selector(f"#job[data-state={state}]", timeout=120000)
    return page


def test_import_page_shows_error_table_then_imports(page, roll_world, tmp_path):
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{roll_world['election']}/roll/import")
    assert unlabelled_fields(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row("赵六", "320102198013401234", household="0009"), row("", make_id(date(1960, 1, 1), seq=50))]))
    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(str(bad))
    page.get_by_label("只检查，不写入（预览）").uncheck()
    page.get_by_role("button", name="上传").click()
    finished_job(page, "failed")
    table = page.locator("#errors").inner_text()
    assert "错误清单（共 2 处）" in table and "出生日期" in table and "必填" in table
    assert "整个文件未导入" in page.content()
    shot(page, "roll-import")
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row("赵六", make_id(date(1966, 6, 6), seq=51), household="0009", 室号="301")]))
    page.goto(f"/elections/{roll_world['election']}/roll/import")
    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(str(good))
    page.get_by_label("只检查，不写入（预览）").check()
    page.get_by_role("button", name="上传").click()
    assert "检查通过" in finished_job(page).locator("#preview").inner_text()
    page.goto(f"/elections/{roll_world['election']}/roll/import")
    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(str(good))
    page.get_by_label("只检查，不写入（预览）").uncheck()
    page.get_by_role("button", name="上传").click()
    assert "已导入 1 名居民" in finished_job(page).locator("#imported").inner_text()
    page.get_by_role("link", name="返回选民名单").click()
    assert page.locator("#voters").inner_text() == "4"


def test_roll_import_progress_page_counts_up_to_done(phone, roll_world, tmp_path):
    """A large file, from a phone: the progress page shows 已处理 X / N while the job runs,
    then the result, and fits the screen."""
    page = phone
    import random

    from election.roll.demo import generate_rows
    from election.roll.files import rows_to_csv

    rows = generate_rows(400, random.Random(int(roll_world["election"])), TODAY)
    big = tmp_path / "big.csv"
    big.write_bytes(rows_to_csv(rows))
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{roll_world['election']}/roll/import")
    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(str(big))
    page.get_by_label("只检查，不写入（预览）").uncheck()
    page.get_by_role("button", name="上传").click()
    page.wait_for_url("**/jobs/*")
    # The page reloads itself the moment the job ends (a 400-row import can end within the
    # first poll): the checks wait and retry across that reload instead of reading once.
    expect(page.locator("progress#job-bar")).to_have_count(1)
    expect(page.locator("#job-status")).to_contain_text("已处理")
    finished_job(page)
    assert page.locator("#job-status").inner_text().startswith(f"已处理 {len(rows)} / {len(rows)}")
    assert page.locator("#job-bar").get_attribute("value") == str(len(rows))
    assert f"已导入 {len(rows)} 名居民" in page.locator("#imported").inner_text()
    assert unlabelled_fields(page) == [] and no_horizontal_scroll(page)
    shot(page, "roll-import-progress")


def test_roll_export_link_downloads_the_roll(page, roll_world, tmp_path):
    """导出 Excel on the roll page: a real .xlsx download named in Chinese, masked IDs."""
    log_in(page, roll_world["street"])
    page.goto(f"/elections/{roll_world['election']}/roll/")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx") and "选民名单" in info.value.suggested_filename
    path = tmp_path / "roll.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path)["选民名单"].iter_rows(values_only=True))
    assert rows[0][:5] == ("选民编号", "姓名", "性别", "选举日年龄", "公民身份号码")
    assert sorted(r[1] for r in rows[1:]) == sorted(["张伟", "李娜", "王强", "陈静"])
    assert all("*" in r[4] for r in rows[1:])  # ID numbers masked, as on the pages


def test_resident_status_change_needs_reason(page, roll_world):
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{roll_world['election']}/roll/residents/{roll_world['ids']['李娜']}")
    assert unlabelled_fields(page) == []
    page.get_by_label("新的登记状态").select_option(label="迁出")
    page.get_by_role("button", name="变更").click()
    assert "请填写变更理由" in page.content()
    page.get_by_label("新的登记状态").select_option(label="迁出")
    page.get_by_label("变更理由").fill("户口已迁往外区，见迁移证明")
    page.get_by_role("button", name="变更").click()
    assert page.locator("#current-status").inner_text() == "已迁出"
    assert "roll.status_changed" in page.content()
    shot(page, "roll-resident")


def test_application_registers_a_nonlocal_resident(page, roll_world):
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{roll_world['election']}/roll/applications")
    assert unlabelled_fields(page) == []
    page.get_by_label("申请人", exact=True).select_option(value=str(roll_world["ids"]["陈静"]))
    page.get_by_label("申请类别").select_option(label="非户籍常住居民申请登记")
    page.get_by_label("居住（工作）起始日期").fill((TODAY - timedelta(days=730)).isoformat())
    page.get_by_label("申请人声明未在其他地方登记为选民").check()
    page.get_by_role("button", name="记录申请").click()
    assert "陈静已登记为选民" in page.content()
    assert "已登记" in page.locator("#applications").inner_text()
    shot(page, "roll-applications")


def test_publication_objection_freeze_and_notice(page, roll_world):
    election = roll_world["election"]
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{election}/roll/publication")
    assert unlabelled_fields(page) == []
    page.get_by_label("公布日期").fill((TODAY + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="登记公布").click()
    assert "至少提前20天" in page.content()
    page.get_by_label("公布日期").fill(TODAY.isoformat())
    page.get_by_role("button", name="登记公布").click()
    assert "已于" in page.locator("#published").inner_text()
    shot(page, "roll-publication")
    page.get_by_role("button", name="生成选民名单公告（PDF）").click()
    with page.expect_download() as info:
        finished_job(page).get_by_role("link", name="下载 选民名单公告.pdf").click()
    assert info.value.suggested_filename == "选民名单公告.pdf"
    assert open(info.value.path(), "rb").read(4) == b"%PDF"

    page.goto(f"/elections/{election}/roll/objections")
    assert unlabelled_fields(page) == []
    page.get_by_label("申诉人", exact=True).fill("王强")
    page.get_by_label("申诉内容").fill("张伟已于上月迁出，不应列入")
    page.get_by_label("申诉日期").fill((TODAY + timedelta(days=9)).isoformat())
    page.get_by_role("button", name="登记申诉").click()
    assert "申诉期限已过" in page.content()
    page.get_by_label("申诉人", exact=True).fill("王强")
    page.get_by_label("涉及的居民（选民编号或姓名，可不填）").fill("张伟")
    page.get_by_label("申诉内容").fill("张伟已于上月迁出，不应列入")
    page.get_by_label("申诉日期").fill(TODAY.isoformat())
    page.get_by_role("button", name="登记申诉").click()
    assert "申诉已登记" in page.content()
    card = page.locator(".objection").first
    card.get_by_label("处理结果").select_option(label="申诉成立")
    card.get_by_label("同时变更该居民的登记状态").select_option(label="迁出")
    card.get_by_label("处理决定及理由").fill("经核实已迁出，予以除名")
    card.get_by_role("button", name="记录决定").click()
    assert "处理决定已记录" in page.content() and "申诉成立" in page.content()
    shot(page, "roll-objections")

    page.goto(f"/elections/{election}/roll/publication")
    assert "申诉期至" in page.locator("#window-warning").inner_text()  # published today: the window is open
    page.get_by_label("冻结说明").fill("发放选票前冻结")
    page.get_by_role("button", name="冻结名单").click()
    assert "确需现在冻结" in page.content() and page.locator("#frozen").count() == 0
    page.get_by_label("冻结说明").fill("申诉已处理完毕，经选举委员会决定提前冻结")
    page.get_by_label("申诉期尚未结束，确认现在冻结（请在上栏写明理由）").check()
    page.get_by_role("button", name="冻结名单").click()
    assert "名单已于" in page.locator("#frozen").inner_text()


def test_voter_cards_page_assigns_and_prints(page, roll_world):
    election = roll_world["election"]
    log_in(page, roll_world["committee"])
    page.goto(f"/elections/{election}/roll/cards")
    assert unlabelled_fields(page) == []
    page.get_by_role("button", name="分配选民编号和选民证码").click()
    assert "已为 3 名选民分配" in page.content()
    page.get_by_label("投票站分配（每行：居民小组=投票站；未填写的印默认投票站）").fill("第二居民小组=第二投票站")
    page.get_by_role("button", name="下载选民证").click()
    with page.expect_download() as info:
        finished_job(page).get_by_role("link", name="下载 选民证.pdf").click()
    assert open(info.value.path(), "rb").read(4) == b"%PDF"
    shot(page, "roll-cards")


def test_roll_pages_fit_a_phone_and_street_office_reads_only(phone, roll_world):
    log_in(phone, roll_world["street"])
    for path in ("", "applications", "publication", "objections", "cards",
                 f"residents/{roll_world['ids']['张伟']}"):
        phone.goto(f"/elections/{roll_world['election']}/roll/{path}")
        assert no_horizontal_scroll(phone), path
        assert phone.get_by_role("button", name="变更").count() == 0
    shot(phone, "roll-phone")
