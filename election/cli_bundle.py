"""`juxuan bundle export` and the `--simulate` option of `juxuan demo` (attached to the
shared CLI by election/cli.py). Bilingual help, like the rest of the command."""
from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from . import clock
from .cli_common import fail
from .errors import UserError


def _session():
    return current_app.extensions["juxuan.sessions"]()


@click.group("bundle", cls=AppGroup, help="公示包：导出并签名。\n\nPublished bundles: export and seal.")
def bundle_group() -> None:
    pass


@bundle_group.command("export", help="导出一轮投票的公示包（写入 ledger.bundle_exported 事件并签名链头）。\n\n"
                      "Export the bundle of one round: records a ledger.bundle_exported event and signs the new chain head.")
@click.option("--election", "election_id", required=True, type=int, help="选举编号 / election id")
@click.option("--round", "round_number", type=int, default=None,
              help="轮次，默认为最后公布结果的一轮 / round (default: the last round with a published result)")
@click.option("--public", "public_out", type=click.Path(dir_okay=False), help="公开公示包输出文件 / public bundle file")
@click.option("--auditor", "auditor_out", type=click.Path(dir_okay=False), help="审计公示包输出文件（含计票记录） / auditor bundle with records")
@click.option("--actor", default="cli", show_default=True, help="记入事件记录的操作人 / actor for the event log")
def export_cmd(election_id: int, round_number: int | None, public_out: str | None, auditor_out: str | None, actor: str) -> None:
    from .models import Election
    from .protocol.bundle import write_files
    from .publication.bundle import export_bundle, public_files

    if not public_out and not auditor_out:
        raise click.UsageError("请指定 --public 或 --auditor 输出文件 / give --public and/or --auditor")
    with _session() as db:
        election = db.get(Election, election_id)
        if election is None:
            click.echo(f"错误 / error: 选举编号 {election_id} 不存在", err=True)
            raise SystemExit(1)
        try:
            out = export_bundle(db, election, current_app.config["DATA_KEY"], actor, auditor=True, round_number=round_number,
                                instance=current_app.instance_path)
            db.commit()
        except UserError as error:
            db.rollback()
            fail(error)
    # One seal, two cuts: both files carry the same signed head.
    if auditor_out:
        with open(auditor_out, "wb") as fh:
            fh.write(write_files(out.files))
        click.echo(f"审计公示包 / auditor bundle: {auditor_out}")
    if public_out:
        with open(public_out, "wb") as fh:
            fh.write(write_files(public_files(out.files)))
        click.echo(f"公开公示包 / public bundle: {public_out}")
    click.echo(f"轮次 / round {out.round_number}")
    click.echo(f"链头 / head #{out.head_seq} {out.head}")
    click.echo(f"默克尔根 / Merkle root {out.root}")


def add_simulate(demo_cmd: click.Command, street: str) -> None:
    """Give `juxuan demo` the options --simulate and --voters: after the demo community,
    a second community of the demo's ``street`` office runs a whole election end to end
    (election/audit/simulate.py)."""
    original = demo_cmd.callback
    assert original is not None

    def callback(simulate: bool = False, voters: int = 300, **kwargs: Any) -> None:
        if simulate:
            # After `make run` the demo community is there already: a second one with the
            # same seed would register the same residents again (none of them eligible).
            kwargs["if_empty"] = True
        original(**kwargs)
        if simulate:
            run_simulation(voters, int(kwargs.get("seed", 1)), street)

    demo_cmd.params.append(click.Option(["--simulate"], is_flag=True,
                                        help="另建一个模拟社区并完整运行一次选举 / also run a whole simulated election"))
    demo_cmd.params.append(click.Option(["--voters"], default=300, show_default=True, type=int,
                                        help="模拟选民人数 / simulated voters"))
    demo_cmd.callback = callback


def run_simulation(voters: int, seed: int, street: str) -> None:
    """A community of the demo's street office whose election is simulated, counted,
    published and sealed: the demo's street admin and auditor see it (the audit and the
    office's countersignature can be tried on it), residents check its receipts."""
    from .audit.simulate import simulate
    from .counting.result import enter_board, publish_result, running_tally
    from .publication.published import publish_bundle
    from .setup.service import ElectionDraft, create_community, create_election

    data_key = current_app.config["DATA_KEY"]
    with _session() as db:
        try:
            community = create_community(db, f"模拟社区{seed}", street, max(voters, 1))
            election = create_election(db, "simulate", community, ElectionDraft(
                title=f"模拟社区{seed}换届选举", election_day=clock.today(), method="direct", preset="national",
                jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2,
            ), data_key)
            sim = simulate(db, election, voters=voters, seed=seed)
            # The tally board agrees with the records, and the result is published as the
            # committee would (the winners on the public page, result.published in the chain).
            running = running_tally(db, election, 1)
            enter_board(db, election, 1, {p["key"]: {r["person"]: r["votes"] for r in p["rows"]}
                                          for p in running["posts"]}, "simulate")
            publish_result(db, election, 1, "simulate")
            out = publish_bundle(db, election, data_key, "simulate", current_app.instance_path)
            db.commit()
        except UserError as error:
            db.rollback()
            fail(error)
        click.echo(f"模拟选举 / simulated election {election.id}: {len(sim.deposited_codes)} 张选票计入 / papers counted")
        click.echo(f"公开公示包 / public bundle: /e/{election.id}/result  (head #{out.head_seq})")
        for t in list(sim.deposited_codes.values())[:3]:
            from .protocol.codes import human

            click.echo(f"  示例回执码 / sample receipt code: {human(t)}")
