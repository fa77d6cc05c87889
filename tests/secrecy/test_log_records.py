"""The logs hold no receipt code and no query string (election/logs.py), whichever logger
writes and whatever the line carries. Before, the scrub was a filter on a few named loggers:
a record of a child logger (``election.jobs``, every ``logging.getLogger(__name__)`` of the
package) reached the handlers unscrubbed, since a logger's filters do not see records that
propagate to it, and a logged exception's traceback — whose text may hold the URL it failed
on — was never scrubbed. Now every record is scrubbed as it is made."""
from __future__ import annotations

import io
import logging

from election import logs
from election.protocol import codes

CODE = codes.human(bytes(range(16)))


def test_child_loggers_and_tracebacks_are_scrubbed(app) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # added after the app, as gunicorn adds its own
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        child = logging.getLogger("election.jobs")
        child.error("lookup of /r/%s failed", CODE)
        logging.getLogger("election.web.polling").warning("GET /elections/1/polling/desks/2?scan=%s", "JXV-0042")
        try:
            raise RuntimeError(f"no sealed bundle for https://jx.example.cn/r/{CODE}?voter=42")
        except RuntimeError:
            child.exception("job %s failed", "abc")
        logging.getLogger("sqlalchemy.engine").error("while reading /R/%s", CODE.replace("-", ""))
    finally:
        root.removeHandler(handler)
    text = stream.getvalue()
    assert "lookup of /r/… failed" in text and "Traceback" in text and "RuntimeError" in text
    assert not codes.mentions_code(text), text
    assert "JXV-0042" not in text and "voter=42" not in text
    assert logs.scrub("/r/x?y") == "/r/…?…"
