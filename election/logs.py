"""Logs that hold no receipt code, card code or searched name.

A resident's receipt code is in the path of the receipt page (``/r/<code>``, the QR's URL),
and a desk's search and a scanned card arrive in the query string (``?q=``, ``?scan=``).
Every logged line passes through `scrub`: receipt paths lose their code and query strings
are dropped whole. `install` makes every log record of the process scrubbed as it is made
(a record factory): its message with the arguments merged in, and the traceback of an
exception logged with it (an exception's text may hold the URL it failed on). A logger's
filter alone misses records of its child loggers (``election.jobs`` propagates to the
handlers without passing ``election``'s filters) and never sees a traceback. `ScrubFilter`
stays on the app's and the development server's loggers and the root's handlers; `AccessLogger` is gunicorn's logger class with the same rule for its access log
(``gunicorn -c election/gunicorn_conf.py`` sets both). Referrer-Policy ``no-referrer``
keeps the code out of other sites' logs too.
"""
from __future__ import annotations

import logging
import re

# /r/<code> or /R/<code> (the QR's upper-case form), with or without the host before it.
_RECEIPT_PATH = re.compile(r"(/[rR]/)[^\s\"'?#]+")
# A query string up to the end of the URL; the separator stays so the line still reads.
_QUERY = re.compile(r"\?[^\s\"'#]*")
REDACTED = "…"


def scrub(text: str) -> str:
    """The text with every receipt code of a URL path and every query string removed."""
    if "/" not in text and "?" not in text:
        return text
    return _QUERY.sub("?" + REDACTED, _RECEIPT_PATH.sub(r"\1" + REDACTED, text))


class ScrubFilter(logging.Filter):
    """Rewrites a record's message (with its arguments merged in) through `scrub`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _scrub_record(record: logging.LogRecord) -> None:
    """Scrub a record in place: the merged message, and the formatted traceback (kept in
    ``exc_text``, which formatters use instead of formatting ``exc_info`` again)."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken record is logged as it is
        return
    cleaned = scrub(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


def _install_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "juxuan_scrubs", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record)
        return record

    factory.juxuan_scrubs = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def install(*names: str) -> None:
    """Scrub every record of the process as it is made; put the filter on the named loggers
    and on every handler of the root logger."""
    _install_factory()
    flt = ScrubFilter()
    for name in names or ("werkzeug", "gunicorn.access", "gunicorn.error", "election"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubFilter) for f in logger.filters):
            logger.addFilter(flt)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(flt)


try:  # gunicorn is the production server; the verifier's installs need not have it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:
    class AccessLogger(_GunicornLogger):
        """gunicorn's logger whose access-log atoms (request line, path, query, referer)
        pass through `scrub`, whatever access_log_format names."""

        def atoms(self, resp, req, environ, request_time):  # noqa: ANN001 - gunicorn's signature
            atoms = super().atoms(resp, req, environ, request_time)
            for key in ("r", "U", "q", "f"):
                if key in atoms and isinstance(atoms[key], str):
                    atoms[key] = "" if key == "q" else scrub(atoms[key])
            return atoms
