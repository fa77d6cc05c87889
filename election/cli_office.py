"""`juxuan office keygen`, `juxuan office seed-commit` and `juxuan office countersign`: run on the street office's own
computer, with no server and no database. The private key stays in the office's file,
encrypted with its passphrase; what goes to the server is the public key (keygen) and a
signature file (countersign). Bilingual help, like the rest of the command."""
from __future__ import annotations

from pathlib import Path

import click

from . import clock
from .cli_common import fail


def _passphrase(path: str | None, confirm: bool) -> bytes:
    if path:
        return Path(path).read_bytes().strip()
    return click.prompt("口令 / passphrase", hide_input=True, confirmation_prompt=confirm).encode("utf-8")


@click.group("office", help="街道办事处：在本单位电脑上生成密钥、核对并会签公示包（不连接服务器）。\n\n"
             "Street office: make its key and countersign a bundle on the office's own computer.")
def office_group() -> None:
    pass


@office_group.command("keygen", help="生成街道办事处密钥：私钥（口令加密）留在本机，公钥上传到服务器登记。\n\n"
                      "Make the office key: the encrypted private key stays here; upload the public key.")
@click.option("--out", "out_dir", default=".", type=click.Path(file_okay=False), show_default=True,
              help="写入 office-key.pem 与 office-key.pub.pem 的目录 / folder for the key files")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, exists=True), help="口令文件 / passphrase file")
def keygen_cmd(out_dir: str, passphrase_file: str | None) -> None:
    from .protocol.office import OfficeError, keygen

    folder = Path(out_dir)
    private = folder / "office-key.pem"
    if private.exists():
        raise click.ClickException(f"{private} 已存在，不覆盖 / already exists, not overwritten")
    try:
        key = keygen(_passphrase(passphrase_file, confirm=True))
    except OfficeError as error:
        raise click.ClickException("；".join(error.messages)) from None
    folder.mkdir(parents=True, exist_ok=True)
    private.write_bytes(key.private_pem)
    private.chmod(0o600)
    (folder / "office-key.pub.pem").write_bytes(key.public_pem)
    click.echo(f"公钥指纹 / key fingerprint: {key.fingerprint}")
    click.echo(f"请把 {folder / 'office-key.pub.pem'} 登记到审计页面，并公布上面的指纹。"
               " / Register the public key on the audit page and publish the fingerprint.")


@office_group.command("seed-commit", help="审计员的种子承诺：输入至少 20 位秘密数字（例如私下掷骰），打印其承诺哈希，"
                      "封存之前提交到审计页面；秘密数字在公开掷骰之后才输入审计页面（docs/AUDIT.md §3）。\n\n"
                      "The auditor's seed commitment: type at least 20 secret digits, submit the printed hash "
                      "before the seal, and the digits only after the public dice.")
def seed_commit_cmd() -> None:
    from .protocol import rla

    secret = click.prompt("秘密数字 / secret digits", hide_input=True, confirmation_prompt=True)
    try:
        commitment = rla.seed_commitment(secret)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"种子承诺 / seed commitment: {commitment}")
    click.echo("请把上面的哈希提交到审计页面（封存之前）；秘密数字自己保管，掷骰之后再输入。"
               " / Submit the hash on the audit page before the seal; keep the digits until after the dice.")


@office_group.command("countersign", help="核对封存的审计公示包（全部检查）并会签其结果，生成待上传的会签文件。\n\n"
                      "Check a sealed auditor bundle (every check) and countersign its result into a file to upload.")
@click.argument("bundle", type=click.Path(dir_okay=False, exists=True))
@click.option("--key", "key_file", default="office-key.pem", show_default=True, type=click.Path(dir_okay=False, exists=True),
              help="街道办事处私钥文件 / the office's private key file")
@click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False),
              help="会签文件，默认 BUNDLE.countersign.json / the signature file")
@click.option("--expect-key", default=None, help="选票上印的选举公钥指纹 / the election key fingerprint on the papers")
@click.option("--expect-head", default=None, help="公告栏链头公告的链头哈希 / a head hash from the notice board")
@click.option("--passphrase-file", type=click.Path(dir_okay=False, exists=True), help="口令文件 / passphrase file")
def countersign_cmd(bundle: str, key_file: str, out_file: str | None, expect_key: str | None, expect_head: str | None,
                    passphrase_file: str | None) -> None:
    from .protocol.office import OfficeError, countersign
    from .protocol.verify import Pins
    from .protocol.verify_read import MAX_ZIP

    with open(bundle, "rb") as fh:
        data = fh.read(MAX_ZIP + 1)
    try:
        out = countersign(data, Path(key_file).read_bytes(), _passphrase(passphrase_file, confirm=False),
                          clock.today().isoformat(), Pins(key=expect_key, head=expect_head))
    except OfficeError as error:
        fail(error)
    target = Path(out_file or f"{bundle}.countersign.json")
    target.write_bytes(out.signature_file)
    click.echo(f"已核对 {len(out.checks)} 项检查并会签链头 {out.statement['head']} / checked and countersigned")
    click.echo(f"会签文件 / signature file: {target}")
