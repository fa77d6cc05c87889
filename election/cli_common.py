"""What every `juxuan` command group shares: the one way a command refuses (each Chinese
message on stderr, exit status 1). The command modules (cli.py, cli_bundle.py, cli_office.py,
cli_archive.py) sit beside each other and may not import one another, so it lives here."""
from __future__ import annotations

from typing import NoReturn

import click

from .errors import UserError
from .protocol.office import OfficeError


def fail(error: UserError | OfficeError) -> NoReturn:
    """Print each of the refusal's messages and end the command with status 1."""
    for message in error.messages:
        click.echo(f"错误 / error: {message}", err=True)
    raise SystemExit(1)
