"""The roll from the command line (`juxuan roll import`) and over HTTP: error tables,
roles (street office reads, committee writes), community scoping, downloads."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from election.cli import main
from election.models import Resident
from election.rules.roll_rows import COLUMNS
from tests.conftest import csrf_token, finish_job, login
from tests.factories import make_id
from tests.roll.helpers import csv_bytes, row


def good_rows():
    return [row("张伟", make_id(date(1970, 1, 2))), row("李娜", make_id(date(1975, 2, 3), male=False), sex="女")]


def test_cli_import_prints_error_table_and_exits_nonzero(app, world, db, tmp_path):
    election = world["a"]["election"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row("张伟", "123"), row("", make_id(date(1970, 1, 2)))]))
    result = app.test_cli_runner().invoke(main, ["roll", "import", str(bad), "--election", str(election.id)])
    assert result.exit_code == 1
    assert "2\t公民身份号码\tid_format" in result.output and "3\t姓名\tempty_field" in result.output
    assert "整个文件未导入" in result.output
    assert db.scalar(select(func.count(Resident.id))) == 0


def test_cli_dry_run_then_import(app, world, db, tmp_path):
    election = world["a"]["election"]
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(good_rows()))
    dry = app.test_cli_runner().invoke(main, ["roll", "import", str(good), "--election", str(election.id), "--dry-run"])
    assert dry.exit_code == 0 and "未写入" in dry.output
    assert db.scalar(select(func.count(Resident.id))) == 0
    real = app.test_cli_runner().invoke(main, ["roll", "import", str(good), "--election", str(election.id)])
    assert real.exit_code == 0, real.output
    db.rollback()  # end this session's read snapshot to see the CLI's commit
    assert db.scalar(select(func.count(Resident.id))) == 2


def test_web_import_shows_every_error_and_writes_nothing(app, world, db):
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{election.id}/roll/import"
    token = csrf_token(client, url)
    content = csv_bytes([row("张伟", make_id(date(1970, 1, 2))), row("李四", "320102198005011234", sex="男")])
    response = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(content), "r.csv")},
                           content_type="multipart/form-data")
    page = finish_job(client, response)
    assert "错误清单" in page and "校验码错误" in page and "整个文件未导入" in page
    assert "320102198005011234" not in page  # the table shows masked numbers
    assert db.scalar(select(func.count(Resident.id))) == 0
    response = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(good_rows())), "r.csv")},
                           content_type="multipart/form-data")
    assert "已导入 2 名居民" in finish_job(client, response)
    db.rollback()
    assert db.scalar(select(func.count(Resident.id))) == 2


def test_street_admin_reads_but_cannot_change_other_community_is_404(app, world, db):
    election = world["a"]["election"]
    client = app.test_client()
    login(client, "a_street_admin")
    assert client.get(f"/elections/{election.id}/roll/").status_code == 200
    assert client.get(f"/elections/{election.id}/roll/import").status_code == 403
    token = csrf_token(client, f"/elections/{election.id}/roll/publication")
    assert client.post(f"/elections/{election.id}/roll/publication",
                       data={"csrf_token": token, "published_on": "2020-01-01"}).status_code == 403
    assert client.get(f"/elections/{world['b']['election'].id}/roll/").status_code == 404
    clerk = app.test_client()
    login(clerk, "a_clerk")
    assert clerk.get(f"/elections/{election.id}/roll/").status_code == 403


def test_template_download_has_the_twelve_columns(app, world):
    client = app.test_client()
    login(client, "a_committee")
    response = client.get(f"/elections/{world['a']['election'].id}/roll/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    header = next(book.active.iter_rows(values_only=True))
    assert tuple(header) == COLUMNS
