"""Two trustees' uploads, or two encryptions of a round, at once: one result and a Chinese
refusal, on both databases. On SQLite each read the ceremony as a reader, did its crypto,
then wrote: the second writer's lock upgrade failed at once with "database is locked" (the
busy timeout does not apply to a reader that must become the writer); on PostgreSQL both
passed their checks and both were recorded. The crypto now runs before the write lock
(``begin_write``) and the chain head's lock, and the ceremony is read again under them."""
from __future__ import annotations

import json
from pathlib import Path

from election.audit.simulate import simulate
from election.crypto import ceremony, recount_doc
from election.ledger.events import events_of
from election.models import Election
from election.protocol import event_kinds as ek
from election.trustees import service as trustees
from tests.factories import TRUSTEE_PASS, new_election, trustee_keys
from tests.races import meet_after, race


def _kinds(db, election, kind: str) -> int:
    db.rollback()
    return [e.kind for e in events_of(db, election)].count(kind)


def test_two_encryptions_and_two_uploads_of_one_partial_at_once_give_one(app, db, tmp_path: Path, monkeypatch):
    election = new_election(db)
    keys = trustee_keys(db, election)
    simulate(db, election, voters=20, seed=5)
    db.commit()
    sessions = app.extensions["juxuan.sessions"]

    def encrypt(s):
        trustees.encrypt_round(s, s.get(Election, election.id), 1, tmp_path, "committee")
        s.commit()
        return "encrypted"

    meet_after(monkeypatch, recount_doc, "encrypted_totals")
    outcomes = race(sessions, [encrypt, encrypt])
    assert sorted(outcomes) == ["encrypted", "refused: 第 1 轮的计票记录已经加密，记录没有变化"], outcomes
    assert _kinds(db, election, ek.TRUSTEES_ROUND_ENCRYPTED) == 1

    totals = trustees.totals_for_trustees(tmp_path, election, 1)
    docs = trustees.documents(db, election)
    part = json.dumps(ceremony.decrypt(docs["ceremony"], docs["publics"], totals, keys[0], TRUSTEE_PASS, 1)).encode()

    def upload(s):
        trustees.add_partials(s, s.get(Election, election.id), 1, part, tmp_path, "committee")
        s.commit()
        return "added"

    meet_after(monkeypatch, recount_doc, "check_partials")
    outcomes = race(sessions, [upload, upload])
    assert sorted(outcomes) == ["added", "refused: 选举委员会主任已经上传了第 1 轮的部分解密"], outcomes
    assert _kinds(db, election, ek.TRUSTEES_PARTIALS_ADDED) == 1
    assert list(trustees.ceremony_of(db, election).partials[1]) == [1]


def test_the_last_two_confirmations_at_once_fix_the_joint_key(app, db, monkeypatch):
    """Two trustees confirm their shares at once, the last two of three: each used to count
    the confirmations it had read (two of three) and neither recorded the joint key."""
    election = new_election(db)
    doc = trustees.issue(db, election, list(trustees.DEFAULT_TRUSTEES), 2, "committee")
    started = [ceremony.start(doc, i, TRUSTEE_PASS) for i in (1, 2, 3)]
    for public, _ in started:
        trustees.add_public(db, election, json.dumps(public).encode(), "committee")
    publics = trustees.documents(db, election)["publics"]
    for _, private in started:
        trustees.add_shares(db, election, json.dumps(ceremony.shares(doc, publics, private, TRUSTEE_PASS)).encode(),
                            "committee")
    shares = trustees.documents(db, election)["shares"]
    ready = [json.dumps(ceremony.finish(doc, publics, shares, private, TRUSTEE_PASS)[0]).encode()
             for _, private in started]
    trustees.add_ready(db, election, ready[0], "committee")
    db.commit()

    def confirm(text: bytes):
        def act(s):
            index = trustees.add_ready(s, s.get(Election, election.id), text, "committee")
            s.commit()
            return f"confirmed {index}"
        return act

    from election.crypto import trustees as crypto_trustees

    meet_after(monkeypatch, crypto_trustees, "verification_key")
    outcomes = race(app.extensions["juxuan.sessions"], [confirm(ready[1]), confirm(ready[2])])
    assert sorted(outcomes) == ["confirmed 2", "confirmed 3"], outcomes
    assert _kinds(db, election, ek.TRUSTEES_KEY_PUBLISHED) == 1
    assert trustees.ceremony_of(db, election).stage == "key"
