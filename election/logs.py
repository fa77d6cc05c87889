"""Logs that hold no receipt code, card code or searched name.

A resident's receipt code is in the path of the receipt page (``/r/<code>``, the QR's URL),
and a desk's search and a scanned card arrive in the query string (``?q=``, ``?scan=``).
Every logged line passes through `scrub`: receipt paths lose their code and query strings
are dropped whole. `ScrubFilter` applies it to the app's and the development server's
loggers; `AccessLogger` is gunicorn's logger class with the same rule for its access log
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


def install(*names: str) -> None:
    """Put the filter on the named loggers and on every handler of the root logger."""
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
