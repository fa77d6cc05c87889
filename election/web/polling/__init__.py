"""Pages of polling day, one module per concern, all on the one `polling` blueprint (the
endpoint names `polling.*` stay those the templates use):

- `stations`: the overview, the round's date and day override, stations and hand-over;
- `printing`: print jobs, their progress and one-time download;
- `desks`: the check-in desk (search, issue, hand-out);
- `boxes`: the ballot box (deposit, scanner sync, mobile box), spoiled and unused papers;
- `proxies`: proxies and mobile-box voters;
- `notices`: the printed notices (proxies, mobile-box voters, receipt-check poster);
- `close`: turnout and the reconciliation at close of poll.
"""
from __future__ import annotations

from . import boxes, close, desks, notices, printing, proxies, stations
from .common import bp

__all__ = ["bp", "boxes", "close", "desks", "notices", "printing", "proxies", "stations"]
