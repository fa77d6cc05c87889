"""`juxuan election export` and `juxuan election import`: move one election to another
instance as a signed, passphrase-encrypted archive (election/archive.py). Bilingual help,
like the rest of the command."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .cli_common import fail
from .errors import UserError


def _session():
    return current_app.extensions["juxuan.sessions"]()


def _passphrase(path: str | None, confirm: bool) -> str:
    if path:
        return Path(path).read_text("utf-8").strip()
    return str(click.prompt("档案口令 / archive passphrase", hide_input=True, confirmation_prompt=confirm))


@click.group("election", cls=AppGroup, help="把一场选举整体迁移到另一个实例（签名、口令加密的档案）。\n\n"
             "Move one election to another instance as a signed, encrypted archive.")
def election_group() -> None:
    pass


@election_group.command("export", help="导出一场选举的全部记录和已封存文件为档案（选举密钥签名，口令加密）。\n\n"
                        "Export an election's records and sealed files as an archive.")
@click.argument("election_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--passphrase-file", type=click.Path(dir_okay=False, exists=True), help="口令文件 / passphrase file")
def export_cmd(election_id: int, out: str, passphrase_file: str | None) -> None:
    from .archive import export_election
    from .models import Election

    passphrase = _passphrase(passphrase_file, confirm=True)
    with _session() as db:
        election = db.get(Election, election_id)
        if election is None:
            fail(UserError(f"选举编号 {election_id} 不存在"))
            return
        try:
            report = export_election(db, election, current_app.config["DATA_KEY"], passphrase,
                                     current_app.instance_path, out)
        except UserError as error:
            fail(error)
            return
    click.echo(f"已导出“{report.title}”：{sum(report.rows.values())} 条记录、{len(report.files)} 个已封存文件 → {out}")
    click.echo(f"选举密钥指纹 / key fingerprint: {report.fingerprint}")
    click.echo(f"事件链头 / chain head: {report.head_seq} {report.head_hash}")


@election_group.command("import", help="核对档案（签名、指纹、口令、事件链）后导入本实例。\n\n"
                        "Check an archive (signature, fingerprint, passphrase, chain) and import it.")
@click.argument("archive", type=click.Path(dir_okay=False, exists=True))
@click.option("--expect-key", default=None, help="选票上印的选举密钥指纹 / the election key fingerprint on the papers")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, exists=True), help="口令文件 / passphrase file")
def import_cmd(archive: str, expect_key: str | None, passphrase_file: str | None) -> None:
    from .archive import import_election

    passphrase = _passphrase(passphrase_file, confirm=False)
    with _session() as db:
        try:
            report = import_election(db, archive, current_app.config["DATA_KEY"], passphrase,
                                     current_app.instance_path, expect_key)
            db.commit()
        except UserError as error:
            db.rollback()
            fail(error)
            return
    click.echo(f"已导入“{report.title}”（本实例选举编号 {report.election_id}）：{sum(report.rows.values())} 条记录、"
               f"{len(report.files)} 个已封存文件")
    click.echo(f"选举密钥指纹 / key fingerprint: {report.fingerprint}")
    click.echo(f"事件链头 / chain head: {report.head_seq} {report.head_hash}")
