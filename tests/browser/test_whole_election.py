"""A whole small election tried as a new user would, through the pages only, in a real
browser: the street admin creates the community and the election, the committee imports
and publishes the roll, records the election committee, nominates and publishes the
candidates (the street admin confirms the supervision chair), the public recount's three
trustees make the joint key before printing (each with the trustee tool on "their own
computer", the committee relaying the files through the trustees page), and so on down the
ten stages — the counted round encrypted and decrypted by two trustees, the public bundle's
recount checked by tools/verify — then a run-off (另行选举) for the seat left unfilled, until
the 当选名单 is complete.
On the way: a resident corrected before the freeze, the roll notice and voter cards of one
居民小组, the configured public address on every stub (QR decoded) and the poster, the result
previewed before publishing, and the printed results read back for their local dates with
the project clock at 23:30 (round 1) and 00:30 (round 2, the next day's date) in Beijing.
Each stage is screenshotted as e2e-NN-<stage> (docs/screenshots with `make screenshots`).

The street admin is made with the accounts service, as `juxuan create-user` makes the first
one; the community's users are made on 用户管理. The roll file is a real .xlsx built here with
openpyxl."""
from __future__ import annotations

import io
import uuid
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook

from election import clock
from election.accounts.service import create_user
from election.clock import cn_date
from election.protocol.verify_recount import NAMES_ZH as VERIFY_NAMES
from election.rules.roll_rows import COLUMNS
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import id_number

PASSWORD = "whole-election-1"
TODAY = clock.today()
ELECTION_DAY = TODAY + timedelta(days=21)  # the roll is published today: >= 20 days before (rule)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def _id_number(region: str, birth: date, seq: int, male: bool) -> str:
    return id_number(birth, (seq % 100) * 10 + (seq % 4) * 2 + (1 if male else 2), region)


def _roll_xlsx(region: str, count: int = 40) -> tuple[bytes, list[str]]:
    """A valid roll template: `count` adults in households of two, two residents' groups."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    names = []
    for i in range(count):
        name = SURNAMES[i] + GIVEN[i % len(GIVEN)] + ("" if i < len(GIVEN) else GIVEN[(i * 7) % len(GIVEN)])
        male = i % 2 == 0
        values = {"姓名": name, "性别": "男" if male else "女",
                  "公民身份号码": _id_number(region, date(1950 + i, 1 + i % 12, 1 + i % 28), i, male),
                  "户号": f"{i // 2 + 1:04d}", "楼栋": f"{i // 20 + 1}栋", "单元": "1单元",
                  "室号": f"{(i // 2) % 10 + 1}01", "居民小组": "第一居民小组" if i < 20 else "第二居民小组",
                  "户籍类别": "本社区户籍", "居住起始日期": "", "联系电话": "", "备注": ""}
        sheet.append([values.get(h, "") for h in COLUMNS])
        names.append(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), names


def _shot(page, name: str) -> None:
    """A viewport screenshot (1280x720): the walkthrough's images stay small."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _flash(page) -> str:
    return page.locator(".flashes").inner_text()


PUBLIC = "http://192.168.31.5:5000"  # the laptop's LAN address, as `make lan` sets it


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


def _download(page, link_name: str, path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(path)
    return path.read_bytes()


def _print_round(page, base: str, n: int, tmp_path, number: int) -> list[tuple[str, str]]:
    """Print n papers of the current round; the (T, A) codes read back from the PDF."""
    from pypdf import PdfReader

    from tests.ballots.pdfcheck import qr_payloads, render_page

    page.goto(f"{base}/polling")
    assert page.locator("#check-url code").inner_text() == f"{PUBLIC}/r" and page.locator("#loopback-warning").count() == 0
    page.get_by_label("印制张数").fill(str(n))
    page.get_by_role("button", name="开始印制").click()
    link = page.get_by_role("link", name="下载选票 PDF")
    link.wait_for(state="visible", timeout=120000)
    if number == 1:
        _shot(page, "e2e-08-ballots-printed")
    pdf = _download(page, "下载选票 PDF", tmp_path / f"ballots-{number}.pdf")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    papers = []
    for index in range(0, len(reader.pages), 2):
        # Two pages per paper: T on the front's stub, A on the back (issue 15).
        found = qr_payloads(render_page(pdf, index, dpi=150)) + qr_payloads(render_page(pdf, index + 1, dpi=150))
        t_code = [q for q in found if not q.startswith("JXA:")]
        a_code = [q for q in found if q.startswith("JXA:")]
        assert len(t_code) == 1 and len(a_code) == 1, found
        # The public address, set once, is the stub QR's address and is printed beside it.
        assert t_code[0].startswith(f"{PUBLIC}/r/"), t_code
        assert f"查询网站：{PUBLIC}/r" in reader.pages[index].extract_text()
        papers.append((t_code[0], a_code[0]))
    assert len(papers) == n
    return papers


def _hand_out(page, stub: str) -> None:
    """The clerk scans the stub of the paper handed across (the station's pool, issue 23)."""
    page.get_by_label("发出选票：扫描所发选票的存根二维码").fill(stub)
    with page.expect_navigation():
        page.get_by_role("button", name="登记发出").click()
    assert "已发出一张选票" in page.content()


def _issue(page, desk_url: str, voters, papers) -> None:
    """The clerk scans each voter card, issues one paper and scans the stub of the paper
    handed across; the scan field is empty again."""
    page.goto(desk_url)
    for voter, (stub, _body) in zip(voters, papers, strict=True):
        page.get_by_label("扫描选民证二维码").fill(voter.card_code)  # a handheld scanner types the code
        with page.expect_navigation():
            page.get_by_role("button", name="查找").click()
        assert page.get_by_label("扫描选民证二维码").input_value() == ""
        with page.expect_navigation():
            page.locator(f"#voter-{voter.id}").get_by_role("button", name="发给本人一张选票").click()
        assert f"已向 {voter.name} 发出一张选票" in page.content()
        _hand_out(page, stub)


def _deposit(page, base: str, box_url: str, papers, used: int) -> None:
    """The scrutineer scans each stub into the box; the unused papers are voided."""
    page.goto(box_url)
    for t_code, _a_code in papers[:used]:
        page.get_by_label("扫描选票存根二维码（投入票箱时）").fill(t_code)
        with page.expect_navigation():
            page.get_by_role("button", name="登记投入").click()
        assert "已投入" in page.locator("[role=status]").inner_text()
    page.goto(f"{base}/polling/spoiled")
    # All unused papers in one go: the scanner types stub and back of each (Enter after each).
    page.get_by_label("逐张扫描存根和背面（每张两次，顺序不限），全部扫完后提交").click()
    for t_code, a_code in papers[used:]:
        for code in (t_code, a_code):
            page.keyboard.type(code)
            page.keyboard.press("Enter")
    with page.expect_navigation():
        page.get_by_role("button", name="作废扫描的全部未用选票").click()
    assert f"已作废 {len(papers) - used} 张未用选票" in _flash(page)
    assert page.locator("#scan-outcomes tr.good").count() == len(papers) - used


def _enter(page, base: str, number: int, box_id: int, papers, keys: str) -> None:
    """The counter scans each paper's A code and presses one key per candidate."""
    page.goto(f"{base}/counting/{number}/entry?box={box_id}")
    page.get_by_label("监票人").fill("监票人甲、乙")  # the box was mixed before counting (issue 15)
    with page.expect_navigation():
        page.get_by_role("button", name="确认本票箱选票已混合").click()
    for _t_code, a_code in papers:
        page.locator("#scan").focus()  # the page's autofocus, made sure of after each navigation
        page.keyboard.type(a_code)
        page.keyboard.press("Enter")
        for key in keys:
            page.keyboard.press(key)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "已记录" in _flash(page)
    assert f"已录入 {len(papers)} 张，存根 {len(papers)} 张" in page.locator("#box-count").inner_text()


def _board(page, base: str, number: int) -> dict:
    """The scrutineer types the tally board's totals (the hand count agrees with the records)."""
    tally = page.request.get(f"{base}/counting/{number}/tally.json").json()
    page.goto(f"{base}/counting/{number}/board")
    for post in tally["posts"]:
        for row in post["rows"]:
            page.locator(f"#b-{post['key']}-{row['person']}").fill(str(row["votes"]))
            if not row["write_in"]:  # 反对 and 弃权 from the board too
                page.locator(f"#o-{post['key']}-{row['person']}").fill(str(row["opposed"]))
                page.locator(f"#a-{post['key']}-{row['person']}").fill(str(row["abstained"]))
    if number == 1:
        _shot(page, "e2e-13b-tally-board")
    page.get_by_role("button", name="录入合计").click()
    page.wait_for_url(f"**{base}/counting")
    assert "计票板合计已录入" in _flash(page)
    return tally


TRUSTEE_PASS = "一位受托人在自己电脑上的长口令"


def _trustee(tmp_path, *args: str) -> None:
    """One step of a trustee's own tool (python -m tools.trustee), as the trustee runs it."""
    import subprocess
    import sys

    secret = tmp_path / "trustee-pass.txt"
    secret.write_text(TRUSTEE_PASS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tools.trustee", "--passphrase-file", str(secret), *args],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _trustee_upload(page, path, form: str) -> None:
    page.locator(form).first.locator("input[type=file]").set_input_files(str(path))
    page.locator(form).first.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def _save_download(page, link_name: str, path) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(path)
    return str(path)


def _key_ceremony(page, base: str, tmp_path) -> None:
    """The committee starts the ceremony (3 trustees, 2 to decrypt); each trustee makes their
    part with their own tool; the committee relays the files until the joint key is fixed."""
    page.goto(base)
    page.get_by_role("link", name="公开重计（受托人）").click()
    page.get_by_role("button", name="开始受托人仪式").click()
    assert "受托人仪式已开始" in _flash(page)
    doc = _save_download(page, "仪式文件", tmp_path / "ceremony.json")
    form = "form[enctype]"
    for i in (1, 2, 3):
        _trustee(tmp_path, "start", doc, "--index", str(i), "--public-out", str(tmp_path / f"public{i}.json"),
                 "--private-out", str(tmp_path / f"private{i}.bin"))
        _trustee_upload(page, tmp_path / f"public{i}.json", form)
        assert f"已收到第 {i} 位受托人的文件" in _flash(page)
    publics = _save_download(page, "公开部分", tmp_path / "publics.json")
    for i in (1, 2, 3):
        _trustee(tmp_path, "shares", doc, publics, "--private", str(tmp_path / f"private{i}.bin"),
                 "--out", str(tmp_path / f"shares{i}.json"))
        _trustee_upload(page, tmp_path / f"shares{i}.json", form)
    shares = _save_download(page, "份额", tmp_path / "shares.json")
    for i in (1, 2, 3):
        _trustee(tmp_path, "finish", doc, publics, shares, "--private", str(tmp_path / f"private{i}.bin"),
                 "--key-out", str(tmp_path / f"key{i}.bin"), "--out", str(tmp_path / f"ready{i}.json"))
        _trustee_upload(page, tmp_path / f"ready{i}.json", form)
    assert "联合公钥已确定" in page.locator("#ceremony-stage").inner_text()
    _shot(page, "e2e-07b-trustees-key")


def _recount_round(page, base: str, tmp_path, number: int) -> None:
    """The committee encrypts a published round's records (a job); two trustees decrypt the
    encrypted totals with their own tool and the committee uploads their partials."""
    page.goto(base)
    page.get_by_role("link", name="公开重计（受托人）").click()
    page.get_by_role("button", name=f"加密第 {number} 轮计票记录").click()
    page.wait_for_selector("#job[data-state=ready]", timeout=300000)
    page.goto(base)
    page.get_by_role("link", name="公开重计（受托人）").click()
    doc, publics = tmp_path / "ceremony.json", tmp_path / "publics.json"
    totals = _save_download(page, "下载加密总数（交给受托人解密）", tmp_path / f"totals{number}.json")
    for i in (1, 3):
        out = tmp_path / f"partials{number}-{i}.json"
        _trustee(tmp_path, "decrypt", str(doc), str(publics), totals, "--key", str(tmp_path / f"key{i}.bin"),
                 "--index", str(i), "--out", str(out))
        _trustee_upload(page, out, f"#round-{number} form[enctype]")
        assert f"已收到第 {i} 位受托人的文件" in _flash(page)
    assert "已达门限" in page.locator(f"#round-{number}").inner_text()
    _shot(page, "e2e-14b-recount-decrypted")


def test_a_whole_election_through_the_pages(page, live_app, tmp_path):
    live_app.config["PUBLIC_BASE_URL"] = PUBLIC
    try:
        _whole_election(page, live_app, tmp_path)
    finally:
        live_app.config["PUBLIC_BASE_URL"] = ""
        clock.pin(None)  # the conftest pins it again for the next test


def _whole_election(page, live_app, tmp_path):
    tag = uuid.uuid4().hex[:6]
    region = f"{int(tag, 16) % 800000 + 110000}"
    db = live_app.extensions["juxuan.sessions"]()
    create_user(db, f"street_{tag}", PASSWORD, "street_admin", "街道干部", None, f"全程街道{tag}")
    db.commit()

    # 1. The street admin creates the community and the election.
    log_in(page, f"street_{tag}", PASSWORD)
    page.goto("/communities/new")
    page.get_by_label("社区名称").fill(f"全程社区{tag}")
    page.get_by_label("所属街道办事处").select_option(f"全程街道{tag}")  # chosen from a list, not typed
    page.get_by_label("户数").fill("20")
    page.get_by_role("button", name="建立").click()
    page.wait_for_url("**/communities/*")
    assert "社区已建立" in _flash(page)
    page.get_by_role("link", name="新建换届选举").click()
    page.get_by_label("选举名称").fill(f"全程社区{tag}第十二届居民委员会换届选举")
    page.get_by_label("选举日").fill(ELECTION_DAY.isoformat())
    page.get_by_label("居委会副主任人数").fill("1")
    page.get_by_label("居委会委员人数").fill("3")
    page.get_by_label("监督委员会副主任人数").fill("0")
    page.get_by_label("监督委员会委员人数").fill("2")
    page.get_by_role("button", name="建立").click()
    page.wait_for_url("**/elections/*")
    assert "选举已建立" in _flash(page)
    election_id = int(page.url.rstrip("/").split("/")[-1])
    _shot(page, "e2e-01-election-created")

    # The street admin creates the community's users on the user management page.
    users = {}
    page.goto("/users")
    for role, label in (("committee", "选举委员会"), ("clerk", "发票员"), ("counter", "计票员"),
                        ("scrutineer", "监票员"), ("auditor", "审计员")):
        users[role] = f"{role}_{tag}"
        page.get_by_label("用户名").fill(users[role])
        page.get_by_label("姓名").fill(label)
        page.get_by_label("角色").select_option(role)
        page.get_by_label("所属社区").select_option(label="（审计员不属于社区）" if role == "auditor" else f"全程社区{tag}")
        page.get_by_label("初始密码").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="建立用户").click()
        assert f"用户“{users[role]}”已建立" in _flash(page)
    assert page.locator("#changes tbody tr").count() == 5
    _shot(page, "e2e-01b-users")
    base = f"/elections/{election_id}"

    # 2. The committee imports the roll file and publishes the roll today (>= 20 days before).
    content, names = _roll_xlsx(region)
    roll_file = tmp_path / "roll.xlsx"
    roll_file.write_bytes(content)
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/roll/import")
    page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(str(roll_file))
    page.get_by_label("只检查，不写入（预览）").uncheck()
    page.get_by_role("button", name="上传").click()
    page.wait_for_url("**/jobs/*")  # the import runs as a job: its progress page follows it to the end
    page.wait_for_selector("#job[data-state=ready]", timeout=120000)
    assert "已导入 40 名居民" in page.locator("#imported").inner_text()
    assert "已处理 40 / 40" in page.locator("#job-status").inner_text()
    page.get_by_role("link", name="返回选民名单").click()
    assert page.locator("#voters").inner_text() == "40"
    _shot(page, "e2e-02-roll-imported")
    # A typing mistake in the roll file is corrected on the resident's page (before the freeze).
    from election.models import Resident

    misspelt = db.query(Resident).filter_by(election_id=election_id, name=names[39]).one()
    names[39] = "龚佳"
    page.goto(f"{base}/roll/residents/{misspelt.id}")
    edit = page.locator("#edit")
    edit.get_by_label("姓名", exact=True).fill(names[39])
    edit.get_by_label("更正理由（记入事件记录）").fill("名册录入错误，按户口簿更正")
    edit.get_by_role("button", name="保存更正").click()
    assert "已更正：姓名" in _flash(page) and page.locator("h1").inner_text() == names[39]
    assert "roll.resident_corrected" in page.locator(".events").inner_text()
    _shot(page, "e2e-02b-resident-corrected")
    page.goto(f"{base}/roll/publication")
    page.get_by_label("公布日期").fill(TODAY.isoformat())
    page.get_by_role("button", name="登记公布").click()
    assert "已于" in page.locator("#published").inner_text()
    _shot(page, "e2e-03-roll-published")
    # The notice of one 居民小组 for its own board: only that group's voters, the corrected name.
    page.locator("#notice-group-1").select_option("第二居民小组")
    page.locator(".notice-form").first.get_by_role("button", name="生成选民名单公告（PDF）").click()
    page.wait_for_selector("#job[data-state=ready]", timeout=120000)
    notice = _pdf_text(_download(page, "下载 选民名单公告（第二居民小组）.pdf", tmp_path / "notice-2.pdf"))
    assert names[39] in notice and names[20] in notice and names[0] not in notice and "第一居民小组" not in notice
    assert cn_date(TODAY) in notice and cn_date(ELECTION_DAY) in notice
    page.goto(f"{base}/roll/cards")
    page.get_by_role("button", name="分配选民编号和选民证码").click()
    assert "已为 40 名选民分配" in page.content()
    page.get_by_label("打印哪个居民小组").select_option("第一居民小组")
    page.get_by_role("button", name="下载选民证").click()
    page.wait_for_selector("#job[data-state=ready]", timeout=120000)
    cards = _pdf_text(_download(page, "下载 选民证第一居民小组.pdf", tmp_path / "cards-1.pdf"))
    assert names[0] in cards and names[19] in cards and names[39] not in cards
    assert f"选举日 {cn_date(ELECTION_DAY)}" in cards
    _shot(page, "e2e-03b-group-cards")

    # 3. The election committee (chosen by a residents' meeting).
    page.goto(f"{base}/election-committee")
    page.get_by_label("推选方式").select_option("residents_meeting")
    page.get_by_label("选举委员会人数").fill("5")
    page.get_by_label("推选结果（全部被推选人及得票）").fill("\n".join(f"{n} {30 - k}" for k, n in enumerate(names[30:35])))
    page.get_by_label("主任", exact=True).fill(names[30])
    page.get_by_role("button", name="保存推选结果").click()
    assert names[30] in page.content()
    _shot(page, "e2e-04-election-committee")

    # 4. Nominations: more candidates than seats on every post (差额), women among them.
    slate = {"居民委员会主任": names[0:2], "居民委员会副主任": names[2:4], "居民委员会委员": names[4:8],
             "居务监督委员会主任": names[8:10], "居务监督委员会委员": names[10:13]}
    for post, people in slate.items():
        for name in people:
            page.goto(f"{base}/nomination/new")
            page.get_by_label("职位").select_option(label=post)
            page.get_by_label("被提名人（选民编号或姓名）").fill(name)
            party = post == "居务监督委员会主任"
            page.get_by_label("提名方式").select_option(label="社区党组织提名" if party else "自荐")
            page.get_by_label("提名依据（文字说明或文件编号）").fill("党组织提名书第1号" if party else "自荐书")
            page.get_by_label("文化程度").fill("大专")
            page.get_by_label("现任职务").fill("楼组长")
            page.get_by_role("button", name="登记").click()
            page.wait_for_url(f"**{base}/nomination")
            assert f"已登记提名：{name}" in _flash(page)
    _shot(page, "e2e-05-nominees")

    # The street admin confirms the supervision chair nominees.
    log_in(page, f"street_{tag}", PASSWORD)
    page.goto(f"{base}/nomination/confirm")
    for name in slate["居务监督委员会主任"]:
        section = page.locator("section", has_text=name).first
        section.get_by_label("审核确认机关").select_option("街道纪工委")
        section.get_by_label("审核确认依据（文件编号）").fill("街纪工委〔2026〕2号")
        section.get_by_role("button", name=f"确认 {name}").click()
        assert "已审核确认" in _flash(page)
    _shot(page, "e2e-06-chair-confirmed")

    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/nomination/publish")
    page.get_by_label("公布日期").fill(TODAY.isoformat())
    page.get_by_role("button", name="公布正式候选人名单").click()
    assert "正式候选人名单已公布" in _flash(page)
    _shot(page, "e2e-07-candidates-published")

    # 4b. The public recount's key: the trustees' ceremony, before any paper is printed.
    _key_ceremony(page, base, tmp_path)

    # 5. Ballots printed (one paper per voter who will come, a PDF downloaded once); the
    # receipt-check poster for the notice board carries the same public address.
    voting = 22  # more than half of the 40 voters: the election is valid (rule: 过半数参加投票)
    papers = _print_round(page, base, voting + 2, tmp_path, 1)
    from tests.ballots.pdfcheck import qr_payloads, render_page

    poster = page.request.get(f"{base}/polling/receipt-poster.pdf").body()
    assert qr_payloads(render_page(poster, 0, dpi=150)) == [f"{PUBLIC}/r"] and f"查询地址：{PUBLIC}/r" in _pdf_text(poster)

    # 6. A polling station with a desk and a box.
    page.goto(f"{base}/polling")
    page.get_by_label("名称").fill("第一投票站")
    page.get_by_label("发票台数").fill("1")
    page.get_by_label("票箱数").fill("1")
    page.get_by_role("button", name="建立").click()
    desk_link = page.locator("#stations").get_by_role("link").first
    desk_url = desk_link.get_attribute("href")
    box_url = page.locator("#stations").get_by_role("link").nth(1).get_attribute("href")
    assert "/desks/" in desk_url and "/boxes/" in box_url
    _shot(page, "e2e-09-station")

    # 7. Polling day: the desk clerk checks voters in, by name and by scanning the card code.
    from election.models import Resident

    db.rollback()
    voters = db.query(Resident).filter(Resident.election_id == election_id,
                                       Resident.card_code.is_not(None)).order_by(Resident.voter_number).all()
    assert len(voters) == 40
    # Polling day (papers are issued only on the round's voting day, the roll frozen first).
    clock.pin(datetime.combine(ELECTION_DAY, time(8, 0), tzinfo=clock.zone()))
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/roll/publication")
    assert page.locator("#window-warning").count() == 0  # the objection window closed weeks ago
    page.get_by_label("冻结说明").fill("投票日发票前冻结")
    page.get_by_role("button", name="冻结名单").click()
    assert "名单已于" in page.locator("#frozen").inner_text()
    log_in(page, users["clerk"], PASSWORD)
    page.goto(desk_url)
    first = voters[0]
    page.get_by_label("按姓名、居民小组或身份证号（脱敏）查找").fill(first.name)
    with page.expect_navigation():
        page.get_by_role("button", name="搜索").click()
    with page.expect_navigation():
        page.locator(f"#voter-{first.id}").get_by_role("button", name="发给本人一张选票").click()
    assert f"已向 {first.name} 发出一张选票" in page.content()
    _hand_out(page, papers[0][0])
    _shot(page, "e2e-10-desk-by-name")
    _issue(page, desk_url, voters[1:voting], papers[1:voting])
    _shot(page, "e2e-11-desk-by-scan")

    # 8. The scrutineer at the box registers each stub as the paper goes in.
    box_id = int(box_url.rstrip("/").split("/")[-1])
    log_in(page, users["scrutineer"], PASSWORD)
    _deposit(page, base, box_url, papers, voting)
    page.goto(box_url)
    _shot(page, "e2e-12-box")

    # 9. The counter enters each paper with the keyboard: scan the A code, one key per candidate.
    # 13 candidates in list order; every voter approves one 主任, one 副主任, only two of the
    # three 委员 (the third seat stays unfilled: a run-off follows), one 监委会主任, two 委员.
    keys = "1010110010110"
    log_in(page, users["counter"], PASSWORD)
    _enter(page, base, 1, box_id, papers[:voting], keys)
    _shot(page, "e2e-13-counting-entry")

    # 10. The scrutineer types the tally board's totals (here: the totals the board shows,
    # which the hand count on the board agrees with), then the committee publishes.
    log_in(page, users["scrutineer"], PASSWORD)
    tally = _board(page, base, 1)
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/counting")
    page.get_by_role("link", name="预览第 1 轮结果").click()  # the result as it would be published, nothing written
    assert "当选" in page.locator("#preview-jwh_zhuren").inner_text()
    assert "尚缺 1 名" in page.locator("#preview-jwh_weiyuan").inner_text()
    assert "须另行选举" in page.locator("#next-step").inner_text()
    _shot(page, "e2e-14a-result-preview")
    # Published at 23:30 on election day, Beijing time (15:30 UTC).
    clock.pin(datetime.combine(ELECTION_DAY, time(23, 30), tzinfo=clock.zone()))
    log_in(page, users["committee"], PASSWORD)  # three weeks later: the session has expired
    page.goto(f"{base}/counting/1/preview")
    page.get_by_role("button", name="公布第 1 轮结果").click()
    page.wait_for_url(f"**{base}/counting")
    assert "选举尚未完成" in page.locator("#final-state").inner_text()
    _shot(page, "e2e-14-result-published")
    report = _pdf_text(page.request.get(f"{base}/counting/1/report.pdf").body())
    assert f"投票日期：{cn_date(ELECTION_DAY)}" in report and report.count(cn_date(ELECTION_DAY)) >= 2
    assert cn_date(ELECTION_DAY + timedelta(days=1)) not in report
    result_notice = _pdf_text(page.request.get(f"{base}/counting/1/notice.pdf").body())
    assert cn_date(ELECTION_DAY) in result_notice and cn_date(TODAY) not in result_notice
    page.get_by_role("button", name="报街道备案").click()
    page.wait_for_url(f"**{base}/counting")
    # The counted records encrypted under the trustees' key, the totals decrypted by two.
    _recount_round(page, base, tmp_path, 1)
    # The street office returns the filing with its reason; the committee files it again.
    log_in(page, users["auditor"], PASSWORD)
    page.goto("/filings")
    page.get_by_label("驳回理由").fill("报告单缺总监票人签名，请补签后重新报备")
    page.get_by_role("button", name="驳回").click()
    assert "已驳回" in _flash(page)
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/counting")
    assert "报告单缺总监票人签名" in page.locator("#filing-1").inner_text()
    _shot(page, "e2e-14b-filing-returned")
    page.get_by_role("button", name="重新报街道备案").click()
    page.wait_for_url(f"**{base}/counting")
    assert "已报街道备案，待签收" in page.locator("#filing-1").inner_text()

    # Publishing the result does not seal the bundle: the counting page leads to where it is.
    page.get_by_role("link", name="公开结果页：签名发布公示包").click()
    page.wait_for_url(f"**/e/{election_id}/result")
    page.get_by_role("button", name="签名发布公示包").click()
    page.wait_for_selector("#job[data-state=ready]", timeout=120000)  # sealing runs as a job
    assert "公示包已签名并发布" in page.locator("#job-message").inner_text()
    page.get_by_role("link", name="返回选举结果页").click()

    # 11. A resident checks the receipt code from the stub of their paper on the public page.
    page.context.clear_cookies()
    page.goto("/r")
    page.get_by_label("回执码（选票存根上的 28 位编码）").fill(papers[5][0].rsplit("/", 1)[1])
    page.get_by_role("button", name="查验").click()
    assert "已计入" in page.content()
    for name in names[:13]:
        assert name not in page.content()  # the receipt never shows how the paper was marked
    _shot(page, "e2e-15-receipt")
    page.goto(f"/e/{election_id}/result")
    _shot(page, "e2e-16-public-result")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载公开公示包").click()
    bundle_path = tmp_path / "bundle.zip"
    info.value.save_as(bundle_path)
    import subprocess
    import sys

    checked = subprocess.run([sys.executable, "-m", "tools.verify", str(bundle_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The public recount: every paper's ciphertext and proofs, the trustees' decryption, and
    # the decrypted totals equal to the published ones, all checked without a plain record.
    for name in ("recount_trustees", "recount_papers", "recount_decryption", "recount_totals"):
        assert f"[ok] {VERIFY_NAMES[name]} / {name}" in checked.stdout, checked.stdout

    # 12. The street-office auditor runs a risk-limiting audit: commitment, dice, reveal, draws, blind entry.
    log_in(page, users["auditor"], PASSWORD)
    page.goto(f"/audit/e/{election_id}")
    # The scrutineers' count of each box goes in first, then the records and the count are sealed.
    from election.audit.service import box_paper_counts
    from election.models import Election
    from election.protocol import rla

    db.rollback()  # a fresh read: the count was made through the pages
    # The auditor's commitment to a secret (its hash, computed on the auditor's own computer) before the seal.
    secret = "2718 2818 2845 9045 2353"
    page.get_by_label("种子承诺（秘密数字的 SHA-256，64 位十六进制）").fill(rla.seed_commitment(secret))
    page.get_by_role("button", name="提交种子承诺").click()
    assert "种子承诺已记入事件链" in page.content()
    for label, n in box_paper_counts(db, db.get(Election, election_id), 1).items():
        page.get_by_label(f"票箱 {label} 清点的选票张数").fill(str(n))
    page.get_by_role("button", name="录入票箱清单").click()
    assert "票箱清单已录入" in page.content()
    page.get_by_role("button", name="封存计票记录与票箱清单").click()
    assert "已封存" in page.content()
    # The dice rolled in public before two named witnesses, then the auditor reveals the secret.
    page.get_by_label("掷骰结果（公开掷骰得到的数字，至少 20 位）").fill("6543 2156 4321 5613 2465")
    page.get_by_label("见证人姓名（至少 2 位，每行一位）").fill("王监票\n李代表")
    page.get_by_role("button", name="录入掷骰结果").click()
    assert "掷骰结果与见证人已记入事件链" in page.content()
    page.get_by_label("审计员的秘密数字（封存前已提交其承诺）").fill(secret)
    page.get_by_role("button", name="计算样本并列出抽取清单").click()
    page.wait_for_selector("#draws")
    assert int(page.locator("#sample-size").inner_text()) > 0
    _shot(page, "e2e-17-audit")
    # The auditor takes the drawn paper from the box (papers kept in the order of their D,
    # which the auditor computes from each paper's body code) and enters what it shows, blind.
    from election.counting.service import d_from_scan

    page.get_by_role("link", name="录入").first.click()
    heading = page.locator("h1").inner_text()
    position = int(heading.split("第 ")[2].split(" ")[0])
    election = db.get(Election, election_id)
    in_box = sorted((d_from_scan(election, a_code), a_code) for _t, a_code in papers[:voting])
    drawn = in_box[position - 1][1]
    page.get_by_label("扫描选票背面的审计二维码").fill(drawn)
    approved = [row["name"] for post in tally["posts"] for row in post["rows"] if row["votes"] == voting]
    for name in approved:
        page.locator("fieldset.choice", has=page.locator(f"legend:text-is('{name}')")).first.get_by_label("赞成（○）").check()
    assert "居民委员会主任" in page.locator("fieldset legend").first.inner_text()  # not the key jwh_zhuren
    _shot(page, "e2e-18-audit-draw")
    page.get_by_role("button", name="录入").click()
    assert "已录入第 1 次抽取" in page.content()

    # 13. The run-off (另行选举) for the unfilled 委员 seat, a week later: printed with its own
    # day, voted, counted, previewed and published at 00:30 Beijing time the day after it
    # (16:30 UTC on its voting day); then the 当选名单 is complete.
    runoff_day = ELECTION_DAY + timedelta(days=7)
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/polling")
    assert page.locator("#round").inner_text() == "第 2 轮 · 另行选举"
    page.get_by_label("本轮投票日期（印在选票上，印制前可以修改）").fill(runoff_day.isoformat())
    page.get_by_role("button", name="保存投票日期").click()
    second = _print_round(page, base, voting + 1, tmp_path, 2)
    _shot(page, "e2e-19-runoff-printed")
    clock.pin(datetime.combine(runoff_day, time(8, 0), tzinfo=clock.zone()))  # the run-off's polling day
    log_in(page, users["clerk"], PASSWORD)
    _issue(page, desk_url, voters[:voting], second[:voting])
    log_in(page, users["scrutineer"], PASSWORD)
    _deposit(page, base, box_url, second, voting)
    log_in(page, users["counter"], PASSWORD)
    _enter(page, base, 2, box_id, second[:voting], "10")  # two run-off candidates, one seat
    log_in(page, users["scrutineer"], PASSWORD)
    _board(page, base, 2)
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/counting")
    page.get_by_role("link", name="预览第 2 轮结果").click()
    assert "当选" in page.locator("#preview-jwh_weiyuan").inner_text() and page.locator("#next-step").count() == 0
    clock.pin(datetime.combine(runoff_day + timedelta(days=1), time(0, 30), tzinfo=clock.zone()))
    log_in(page, users["committee"], PASSWORD)
    page.goto(f"{base}/counting/2/preview")
    page.get_by_role("button", name="公布第 2 轮结果").click()
    page.wait_for_url(f"**{base}/counting")
    published_on = runoff_day + timedelta(days=1)  # the local date; in UTC it is still runoff_day
    report = _pdf_text(page.request.get(f"{base}/counting/2/report.pdf").body())
    assert f"投票日期：{cn_date(runoff_day)}" in report and cn_date(published_on) in report
    certificates = _pdf_text(page.request.get(f"{base}/counting/certificates.pdf").body())
    assert certificates.count(f"在{cn_date(ELECTION_DAY)}举行的") == 7  # round 1's elected
    assert certificates.count(f"在{cn_date(runoff_day)}举行的") == 1  # the run-off's member
    assert "（任期五年）" in certificates and cn_date(TODAY) not in certificates
    page.goto(f"/elections/{election_id}/final-list")
    assert "全部名额已选出" in page.locator("#final-state").inner_text()
    assert page.locator("#final-list tbody tr").count() == 8
    _shot(page, "e2e-20-final-list")
    link = page.get_by_role("link", name="当选名单公告（PDF）").get_attribute("href")
    final = _pdf_text(page.request.get(link).body())
    assert "当选名单公告" in final and cn_date(published_on) in final
    assert final.index("居民委员会（") < final.index("居务监督委员会（")
    public = page.request.get(f"/e/{election_id}/result").text()
    titles = [public.index(f"<h3>{t}</h3>") for t in ("居民委员会主任", "居民委员会副主任", "居民委员会委员",
                                                       "居务监督委员会主任", "居务监督委员会委员")]
    assert titles == sorted(titles) and "当选" in public
    papers = papers + second
    db.close()

    # Privacy (DESIGN.md): the database holds neither code of any paper, only their hashes.
    from pathlib import Path

    db_file = Path(live_app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in (db_file, Path(f"{db_file}-wal")) if p.exists())
    assert db_file.exists() and len(stored) > 100_000
    for t_code, a_code in papers:
        assert t_code.rsplit("/", 1)[1].encode() not in stored
        assert a_code.removeprefix("JXA:").encode() not in stored
