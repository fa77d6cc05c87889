"""tools/load: a polling day against a real server, run as a process of its own.

    from tools.load import LoadConfig, run_load
    report = run_load(LoadConfig(database="postgresql", communities=10, desks=5, seconds=60,
                                 workers=4, threads=4, kill_at=30))
    report["actions"]["issue"]["per_second"], report["verified"]["lost"], ...

or ``python -m tools.load --communities 10 --desks 5 --seconds 60 --database postgresql
--workers 4 --kill-at 30``. It builds N communities (one election each, a station with M
desks and two boxes, a roll, formal candidates, printed papers whose codes it keeps as a
scanner would read them), starts gunicorn on 127.0.0.1, and drives it over HTTP with CSRF
tokens: desk clerks scanning cards and issuing papers, scrutineers scanning stubs at the
boxes, counters entering papers, residents looking up receipts (each from an address of
their own behind the trusted-proxy setting), a watcher polling the live tally. With
``kill_at`` it kill -9s the server's process group in the middle and restarts it; clients
retry what was in flight. Afterwards it reads the database and checks that every
acknowledged issuance, deposit and record is there exactly once, and that the chain holds
one ``counting.paper_counted`` event per counted paper. Bounded: loopback only, at most
MAX_SECONDS, MAX_DESKS and MAX_COMMUNITIES; the databases and folders it makes are removed.
"""
from .run import LoadConfig, run_load

__all__ = ["LoadConfig", "run_load"]
