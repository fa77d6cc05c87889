"""Reading a form's typed values: a value that is not what the field asks for is a
`UserError` with the page's own message, so a view catches one error type only (never
`ValueError`, which would also hide a service's bug as bad input)."""
from __future__ import annotations

import json
from datetime import date
from fractions import Fraction

from werkzeug.datastructures import FileStorage

from ..errors import UserError
from ..rules.rulebook import parse_fraction


def integer(text: str | None, message: str, *, default: int | None = None) -> int:
    """``text`` as an integer; blank gives ``default`` (refused with ``message`` when None)."""
    if text is None or not str(text).strip():
        if default is None:
            raise UserError(message)
        return default
    try:
        return int(text)
    except ValueError:
        raise UserError(message) from None


def optional_integer(text: str | None, message: str) -> int | None:
    """``text`` as an integer, or None when blank."""
    if text is None or not str(text).strip():
        return None
    return integer(text, message)


def iso_date(text: str | None, message: str) -> date:
    """A date typed as 年-月-日 (ISO 8601)."""
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise UserError(message) from None


def fraction(text: str | None, message: str) -> Fraction | None:
    """A fraction typed as ``1/20`` or ``0.05``; None when blank. Read as the rulebook reads
    a share (rules.rulebook.parse_fraction): ``1e99999999``, ten characters, would otherwise
    make Fraction build a hundred-million-digit integer (minutes of the server's CPU)."""
    if text is None or not text.strip():
        return None
    value = parse_fraction(text.strip())
    if value is None:
        raise UserError(message)
    return value


def upload(file: FileStorage | None, limit: int, message: str) -> bytes:
    """The bytes of an uploaded file, read to at most ``limit`` + 1 so that the service
    refuses a file that is too long by its own rule without the page holding more; no file
    chosen is refused with ``message``."""
    if file is None or not file.filename:
        raise UserError(message)
    return file.read(limit + 1)


def upload_or_pasted(file: FileStorage | None, pasted: str | None, limit: int, message: str) -> bytes:
    """An uploaded file's bytes as ``upload`` reads them, or, when no file was chosen, the
    text pasted in the form instead (UTF-8, cut at ``limit`` + 1 bytes likewise); neither is
    refused with ``message``."""
    if (file is None or not file.filename) and pasted and pasted.strip():
        return pasted.encode("utf-8")[:limit + 1]
    return upload(file, limit, message)


def json_document(data: bytes) -> object | None:
    """An upload read as UTF-8 JSON to tell what kind of file it is, or None when it is not
    JSON (bad UTF-8, bad syntax, an integer of more digits than Python converts, nesting
    deeper than its recursion): the service it goes to then says what is wrong in Chinese."""
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
