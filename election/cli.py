"""The `juxuan` command: set-up, users, demo, and the commands of each capability.

Help texts are bilingual (Chinese first) because committees and developers both use it.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup

from .app import create_app
from .cli_common import fail
from .errors import UserError


def session():
    """A session for one command; use it in a `with` block so it is always closed."""
    return current_app.extensions["juxuan.sessions"]()


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True,
             help="居选 Juxuan：社区居民委员会换届选举管理。\n\nJuxuan: community residents' committee elections.")
def main() -> None:
    pass


@main.command("init-db", help="运行数据库迁移，建立全部数据表。\n\nRun the migrations: create or upgrade the schema.")
def init_db() -> None:
    from .schema import upgrade

    upgrade(current_app.extensions["juxuan.engine"])
    click.echo("数据库已就绪 / database ready")


@main.command("backup", help="备份本实例：数据库（SQLite 在线备份；PostgreSQL 用 pg_dump）、密钥和已封存文件。\n\n"
              "Back up this instance: database, keys and sealed files, into one tar file (mode 0600).")
@click.argument("out", type=click.Path(dir_okay=False))
def backup_cmd(out: str) -> None:
    from pathlib import Path

    from .backup import backup

    try:
        result = backup(current_app.extensions["juxuan.engine"], Path(current_app.instance_path),
                        current_app.config["DATA_KEY"], current_app.config["SECRET_KEY"], Path(out))
    except UserError as error:
        fail(error)
    click.echo(f"已备份到 {result.path}（{result.database}，密钥，{result.files} 个文件）。备份含数据密钥，请离线妥善保管。")
    click.echo(f"backup written to {result.path}")


@main.command("restore", help="把备份恢复到全新的实例（空数据库、无密钥）。\n\n"
              "Restore a backup into a fresh instance (empty database, no keys yet).")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--data-key-file", type=click.Path(dir_okay=False, exists=True),
              help="备份中没有数据密钥时，另行提供的 data.key / the data key when the backup lacks it")
def restore_cmd(archive: str, data_key_file: str | None) -> None:
    from pathlib import Path

    from .backup import restore

    instance = Path(current_app.instance_path)
    if current_app.config.get("DATA_KEY_NEW"):
        # Starting the command made a key for this empty instance: the backup's replaces it.
        (instance / "data.key").unlink(missing_ok=True)
    key = Path(data_key_file).read_text("ascii").strip() if data_key_file else None
    try:
        done = restore(Path(archive), current_app.extensions["juxuan.engine"], instance, key)
    except UserError as error:
        fail(error)
    click.echo("已恢复 / restored: " + "、".join(done))


@main.command("create-user", help="新建用户。\n\nCreate a user with a role (street_admin, committee, clerk, counter, scrutineer, auditor).")
@click.option("--username", required=True, help="用户名 / login name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="密码 / password")
@click.option("--role", required=True, type=click.Choice(["street_admin", "committee", "clerk", "counter", "scrutineer", "auditor"]), help="角色 / role")
@click.option("--community", "community_id", type=int, help="所属社区编号 / community id")
@click.option("--street-office", help="所属街道办事处（街道角色） / street office (street roles)")
@click.option("--name", "display_name", default="", help="显示名称 / display name")
def create_user_cmd(username, password, role, community_id, street_office, display_name) -> None:
    from .accounts.service import create_user
    from .models import Community

    with session() as db:
        try:
            community = db.get(Community, community_id) if community_id else None
            if community_id and community is None:
                raise UserError(f"社区编号 {community_id} 不存在")
            create_user(db, username, password, role, display_name, community, street_office)
            db.commit()
        except UserError as error:
            db.rollback()
            fail(error)
    click.echo(f"用户 {username} 已建立 / user created")


@main.command("scrub", help="闭票后清除存储中的先后顺序（按哈希顺序重写发票、投票、计票记录并整理数据库）。\n\n"
              "Close-of-poll scrub: rewrite issuance, deposit and record rows in hash order and compact storage.")
@click.option("--election", "election_id", type=int, required=True, help="选举编号 / election id")
@click.option("--actor", default="committee", show_default=True, help="操作人 / who runs it")
def scrub_cmd(election_id: int, actor: str) -> None:
    from .models import Election
    from .polling.scrub import scrub

    with session() as db:
        election = db.get(Election, election_id)
        if election is None:
            fail(UserError(f"选举编号 {election_id} 不存在"))
        report = scrub(db, election, actor)
    click.echo(f"已重写 / rewritten: 发票 {report.issuances}，存根 {report.receipts}，计票记录 {report.records}，"
               f"写错换票 {report.spoils}；{report.detail}")
    if not report.compacted:
        sys.exit(1)


@main.command("demo", help="建立一个完整的示范社区（选举、选民、各角色用户）。\n\nBuild a complete demo community: election, roll and a user for every role.")
@click.option("--households", default=300, show_default=True, help="户数 / households")
@click.option("--seed", default=1, show_default=True, help="随机种子 / random seed")
@click.option("--if-empty", is_flag=True, help="已有数据时跳过 / skip when the database already holds a community")
def demo_cmd(households: int, seed: int, if_empty: bool) -> None:
    from .demo import build_demo, has_data

    with session() as db:
        if if_empty and has_data(db):
            click.echo("数据库已有社区，不再建立示范社区 / the database already holds a community: no demo community built")
            return
        try:
            result = build_demo(db, current_app.config["DATA_KEY"], households=households, seed=seed)
        except UserError as error:
            db.rollback()
            fail(error)
        db.commit()
    click.echo(f"示范社区：{result.community_name}（选举编号 {result.election_id}）")
    click.echo("示范登录 / demo logins (用户名 / 密码):")
    for username, password, role in result.logins:
        click.echo(f"  {role:<8} {username:<16} {password}")
    if result.election_day is not None:
        # Beijing's date, not the machine's: a demo built after 16:00 UTC is a day ahead of UTC.
        day = result.election_day.isoformat()
        click.echo(f"投票日 / election day: {day}；预演投票日（仅限示范）/ rehearse polling day (demo only): "
                   f"JUXUAN_CLOCK_AT={day}T08:00+08:00 make run")


@main.command("sort-names", help="按姓氏笔画排列姓名，每行一个。\n\nPrint names in surname-stroke (ballot) order, one per line.")
@click.argument("names", nargs=-1, required=True)
def sort_names_cmd(names: tuple[str, ...]) -> None:
    from .rules.strokes import sort_names

    for name in sort_names(list(names)):
        click.echo(name)


@main.group("roll", help="选民登记：导入名册等。\n\nThe voter roll: import households and residents.")
def roll_group() -> None:
    pass


@roll_group.command("import", help="从 .xlsx 或 .csv 导入户和居民；有错误时整个文件不导入并列出全部错误。\n\n"
                    "Import households and residents; on any error nothing is written and every error is listed.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--election", "election_id", required=True, type=int, help="选举编号 / election id")
@click.option("--dry-run", is_flag=True, help="只检查不写入 / check only, write nothing")
@click.option("--actor", default="cli", show_default=True, help="记入事件记录的操作人 / actor for the event log")
def roll_import_cmd(file: str, election_id: int, dry_run: bool, actor: str) -> None:
    from pathlib import Path

    from .models import Election
    from .roll.importing import import_roll

    path = Path(file)
    with session() as db:
        election = db.get(Election, election_id)
        if election is None:
            fail(UserError(f"选举编号 {election_id} 不存在"))
        try:
            report = import_roll(db, election, current_app.config["DATA_KEY"], path.read_bytes(), path.name,
                                 actor, dry_run=dry_run)
            if dry_run:
                db.rollback()
            else:
                db.commit()
        except UserError as error:
            db.rollback()
            if error.rows:
                click.echo("行号\t列\t规则\t说明 / row\tcolumn\trule\tmessage", err=True)
                for row in error.rows:
                    click.echo(f"{row.row_number}\t{row.column}\t{row.code}\t{row.message}", err=True)
            fail(error)
    for warning in report.warnings:
        click.echo(f"提示 / warning: {warning.message}")
    verb = "检查通过（未写入） / dry run ok" if dry_run else "已导入 / imported"
    click.echo(f"{verb}: {report.rows} 名居民 / residents, {report.households} 户 / households, "
               f"登记 {report.registered}, 待申请 {report.pending}, 未满18周岁 {report.under_age}, "
               f"重复登记待核实 {report.flagged}")


@main.command("tally", help="按场景文件（JSON）计票，输出结果 JSON（格式见 docs/TALLY.md）。\n\nTally a scenario file and print the result as JSON.")
# A plain argument: tally_file says in Chinese why a path cannot be read (a directory too),
# where click.Path would answer with its own English usage error.
@click.argument("scenario")
def tally_cmd(scenario: str) -> None:
    from .counting.scenario_file import tally_file

    try:
        click.echo(tally_file(scenario))
    except UserError as error:
        fail(error)


@main.group("scan", help="扫描计票。\n\nCounting from scanned papers.")
def scan_group() -> None:
    pass


@scan_group.command("count", help="读取文件夹中的扫描件（PDF、TIFF、PNG、JPEG，正反两面），提出每张选票的计票记录；"
                    "确定的选票经监票人确认（--approve-as）后记入，其余交人工录入。\n\n"
                    "Read a folder of duplex scans into proposed records; with --approve-as the scrutineer "
                    "approves the batch and its confident papers are recorded, the rest go to people.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--election", "election_id", required=True, type=int, help="选举编号 / election id")
@click.option("--round", "round_number", required=True, type=int, help="轮次 / round number")
@click.option("--box", "box_id", type=int, default=None, help="票箱编号（记入时必填） / ballot box id (to record)")
@click.option("--approve-as", "scrutineer", default="", help="确认本批的监票人 / the scrutineer approving the batch")
@click.option("--to-pages", "reader", default="",
              help="以此用户名把本批存为扫描批次，交网页确认和人工认定（须指定 --box） / keep the batch for the web pages, "
                   "read by this user (needs --box)")
def scan_count_cmd(folder: str, election_id: int, round_number: int, box_id: int | None, scrutineer: str,
                   reader: str) -> None:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy import select

    from ballots.scan_reader import Image, PageRejected, load_pages

    from .counting.scanning import batch_counts, interpret, record_confident
    from .models import Election, Resident
    from .settings import box_of

    if scrutineer and box_id is None:
        fail(UserError("记入计票记录须指定票箱（--box）"))
    if reader and (box_id is None or scrutineer):
        fail(UserError("--to-pages 须指定票箱（--box），且不与 --approve-as 同用：本批在网页上由监票员确认"))
    files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"))
    if not files:
        fail(UserError(f"文件夹 {folder} 中没有扫描件（PDF、TIFF、PNG、JPEG）"))
    labels: list[str] = []

    def pages() -> Iterator[Image]:
        # One file at a time: a batch of hundreds of pages never sits in memory at once.
        for path in files:
            try:
                found = load_pages(path.read_bytes())
            except PageRejected as error:
                fail(UserError(f"{path.name}：{error}"))
            for i, page in enumerate(found):
                labels.append(f"{path.name}#{i + 1}" if len(found) > 1 else path.name)
                yield page

    def progress(done: int) -> None:
        if done % 50 == 0:
            click.echo(f"已读 {done} 张 / {done} papers read", err=True)

    with session() as db:
        election = db.get(Election, election_id)
        if election is None:
            fail(UserError(f"选举编号 {election_id} 不存在"))
        if reader and box_id is not None:
            from .counting.scan_batches import batch_view, read_batch

            try:
                batch = read_batch(db, election, round_number, box_id, pages(), Path(folder).name, reader, progress)
                db.commit()
            except UserError as error:
                db.rollback()
                fail(error)
            view = batch_view(db, election, batch.id)
            click.echo(f"扫描批次 {batch.id}：确定 {view.states.get('confident', 0)} 张，需人工 {view.states.get('to_people', 0)} 张，"
                       f"搁置 {view.states.get('set_aside', 0)} 张；请在网页“扫描计票”确认 / batch {batch.id} kept: "
                       f"/elections/{election.id}/scan/batches/{batch.id}")
            return
        try:
            proposals = interpret(db, election, round_number, pages(), progress)
        except UserError as error:
            fail(error)
        sure = [p for p in proposals if p.confident]
        for p in proposals:
            where = "、".join(labels[n - 1] for n in p.pages)
            state = "确定 / confident" if p.confident else "需人工 / to people: " + "；".join(p.reasons)
            click.echo(f"{where}\t{state}")
        click.echo(f"共 {len(proposals)} 张选票：确定 {len(sure)} 张，需人工 {len(proposals) - len(sure)} 张 / "
                   f"papers {len(proposals)}, confident {len(sure)}, to people {len(proposals) - len(sure)}")
        counted = batch_counts(proposals)
        ids = [int(rid) for counts in counted.values() for rid in counts]
        names = dict(db.execute(select(Resident.id, Resident.name).where(Resident.id.in_(ids))).all()) if ids else {}
        for post, counts in sorted(counted.items()):
            click.echo(f"{post}\t" + "  ".join(f"{names.get(int(rid), rid)} ○{yes} ×{no}"
                                                for rid, (yes, no) in sorted(counts.items())))
        if scrutineer and box_id is not None:
            try:
                done = record_confident(db, election, box_of(db, election, box_id), proposals, scrutineer)
                db.commit()
            except UserError as error:
                db.rollback()
                fail(error)
            click.echo(f"已记入 {done} 张 / recorded {done}")


# Bundles: `juxuan bundle export` and `juxuan demo --simulate` (election/cli_bundle.py).
from .cli_bundle import add_simulate as _add_simulate  # noqa: E402
from .cli_bundle import bundle_group as _bundle_group  # noqa: E402

main.add_command(_bundle_group)

from .cli_office import office_group as _office_group  # noqa: E402

main.add_command(_office_group)
from .demo import STREET as _DEMO_STREET  # noqa: E402

_add_simulate(demo_cmd, _DEMO_STREET)

from .cli_archive import election_group as _election_group  # noqa: E402

main.add_command(_election_group)
