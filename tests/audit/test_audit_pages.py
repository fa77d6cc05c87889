"""The auditor's pages (role auditor, scoped to the street office): start an audit from a
dice seed, enter a drawn paper blind through the form, conclude, countersign (备案) and
download the auditor bundle that carries both signatures and verifies."""
from __future__ import annotations

from election.audit import service
from election.protocol import bundle
from tests.audit.test_rla_service import SEED, _enter_all, _record_of
from tests.conftest import csrf_token, finish_job, login
from tests.ledger.helpers import simulated
from tools.verify import run


def test_audit_countersign_and_auditor_bundle(app, db, world):
    sim = simulated(db, world)
    e = sim.election
    client = app.test_client()
    login(client, "a_auditor")
    url = f"/audit/e/{e.id}"
    res = client.post(url, data={"seed": "12", "risk_limit": "", "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "至少需要 20 位数字" in res.get_data(as_text=True)
    res = client.post(url, data={"seed": SEED, "risk_limit": "1/20", "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    html = res.get_data(as_text=True)
    db.rollback()
    audit = service.current_audit(db, e)
    assert audit is not None and f'<span id="sample-size">{audit.sample_size}</span>' in html
    # Enter the first draw through the form, blind: the page shows no record.
    draw = service.draws_of(db, audit)[0]
    durl = f"/audit/e/{e.id}/draw/{draw.index}"
    page = client.get(durl).get_data(as_text=True)
    d, paper = _record_of(db, e, draw)
    assert d not in page
    form = {"scanned": d, "csrf_token": csrf_token(client, durl)}
    data = list(form.items()) + [(f"p-{p}", c) for p, cs in paper.items() for c in cs]
    from werkzeug.datastructures import MultiDict

    res = client.post(durl, data=MultiDict(data), follow_redirects=True)
    assert "已录入第 1 次抽取" in res.get_data(as_text=True)
    db.rollback()  # end the test session's read snapshot
    assert service.draws_of(db, audit)[0].d_hash == d
    _enter_all(db, e, audit)
    db.commit()
    res = client.post(f"/audit/e/{e.id}/conclude", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "结果得到确认" in res.get_data(as_text=True)
    res = client.post(f"/audit/e/{e.id}/countersign", data={"csrf_token": csrf_token(client, url)})
    assert "已会签备案" in finish_job(client, res)  # sealing runs as a job with a progress page
    zipped = client.get(f"/audit/e/{e.id}/bundle.zip").data
    files = bundle.read_files(zipped)
    assert {"countersign.json", "office_key.pem", "head.sig", "records.jsonl", "audit.json"} <= set(files)
    checks = {c.name_en: c for c in run(zipped)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["countersignature"].ok and checks["audit_sample"].ok
    # The public bundle now published is cut from the same sealed head and is countersigned too.
    pub = client.get(f"/e/{e.id}/bundle.zip").data
    pfiles = bundle.read_files(pub)
    assert "countersign.json" in pfiles and "records.jsonl" not in pfiles
    assert all(c.ok for c in run(pub))


def test_auditor_of_another_street_office_gets_404(app, db, world):
    sim = simulated(db, world)
    client = app.test_client()
    login(client, "b_auditor")
    assert client.get(f"/audit/e/{sim.election.id}").status_code == 404
    login(client, "a_committee")
    assert client.get(f"/audit/e/{sim.election.id}").status_code in (403, 302)


def test_auditor_exports_a_fresh_auditor_bundle(app, db, world):
    """Auditor bundle download for the auditor role: records and audit, verifies, no countersignature."""
    sim = simulated(db, world)
    client = app.test_client()
    login(client, "a_auditor")
    url = f"/audit/e/{sim.election.id}"
    res = client.post(f"{url}/export", data={"csrf_token": csrf_token(client, url)})
    assert "审计公示包已导出" in finish_job(client, res)
    res = client.get(f"{url}/bundle.zip")
    files = bundle.read_files(res.data)
    assert "records.jsonl" in files and "countersign.json" not in files
    assert all(c.ok for c in run(res.data))
