"""The auditor's pages (role auditor, scoped to the street office): the manifest and the
seal, then an audit from a dice seed, a drawn paper entered whole and blind, conclude, countersign (备案) and
download the auditor bundle that carries both signatures and verifies."""
from __future__ import annotations

import io

import pytest

from election.audit import service
from election.errors import UserError
from election.models import StreetOfficeKey
from election.protocol import bundle, rla
from election.protocol.office import countersign as office_countersign
from election.protocol.office import keygen
from election.protocol.verify import Pins
from election.publication.countersign import (
    auditor_bundle_path,
    register_office_key,
    seal_for_countersign,
    upload_countersignature,
)
from tests.audit import seeding
from tests.audit.test_rla_service import SEED, _boxes, _enter_all, _record_of, _sealed
from tests.conftest import DATA_KEY, csrf_token, finish_job, login
from tests.ledger.helpers import simulated
from tools.verify import run


def _fields(db, e, entry) -> list[tuple[str, str]]:
    """The audit form's fields for a whole paper (the counting entry's own field names)."""
    from election.counting.service import ballot_of
    from election.models import Resident

    out = []
    for spec, cands in ballot_of(db, e, 1).posts:
        m = entry["posts"].get(spec.key, {})
        for c in cands:
            pid = c.person
            out.append((f"m-{spec.key}-{c.id}", "1" if pid in m.get("approve", []) else "2" if pid in m.get("oppose", []) else "0"))
        names = [f"{r.name}#{r.voter_number}" for r in (db.get(Resident, int(x)) for x in m.get("write_ins", []))]
        out.append((f"w-{spec.key}", "，".join(names)))
        if m.get("unreadable"):
            out.append((f"u-{spec.key}", "on"))
    return out


def _kept_scan(db, e, d: str) -> None:
    """The paper D as the scan batches keep it once counted from a scan."""
    from election.models import BallotBox, ScanBatch, ScanPaper

    box = db.query(BallotBox).filter_by(election_id=e.id).first()
    batch = ScanBatch(election_id=e.id, round_number=1, box_id=box.id, label="scan.pdf", pages=2, read_by="c",
                      state="approved", approved_by="s")
    db.add(batch)
    db.flush()
    db.add(ScanPaper(election_id=e.id, token="ab" * 16, batch_id=batch.id, pages="1-2", d_hash=d, state="recorded",
                     reasons=[], boxes=[], image=b"\xff\xd8kept"))
    db.commit()


def test_audit_countersign_and_auditor_bundle(app, db, world):
    sim = simulated(db, world)
    e = sim.election
    client = app.test_client()
    login(client, "a_auditor")
    url = f"/audit/e/{e.id}"
    page = client.get(url).get_data(as_text=True)
    assert "开始审计" not in page  # no seed before the seal
    assert "公开掷骰" in page and 'id="commit-command"' in page
    # The auditor's commitment first (its hash only), then the manifest and the seal.
    res = client.post(f"{url}/commit", data={"commitment": "12", "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "须为 64 位十六进制" in res.get_data(as_text=True)
    res = client.post(f"{url}/commit", data={"commitment": rla.seed_commitment(seeding.SECRET),
                                             "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "种子承诺已记入事件链" in res.get_data(as_text=True) and rla.seed_commitment(seeding.SECRET) in res.get_data(as_text=True)
    boxes = {b: str(len(ds)) for b, ds in _boxes(db, e).items()}
    res = client.post(f"{url}/manifest", data={**{f"box-{b}": n for b, n in boxes.items()}, "csrf_token": csrf_token(client, url)},
                      follow_redirects=True)
    assert "票箱清单已录入" in res.get_data(as_text=True)
    res = client.post(f"{url}/seal", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    html = res.get_data(as_text=True)
    assert "已封存" in html and 'id="dice-form"' in html and 'id="start-form"' not in html
    # The dice before two named witnesses, then the auditor's reveal.
    res = client.post(f"{url}/dice", data={"dice": SEED, "witnesses": "王监票", "csrf_token": csrf_token(client, url)},
                      follow_redirects=True)
    assert "见证人须至少 2 位" in res.get_data(as_text=True)
    res = client.post(f"{url}/dice", data={"dice": SEED, "witnesses": "王监票\n李代表",
                                           "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    html = res.get_data(as_text=True)
    assert "掷骰结果与见证人已记入事件链" in html and 'id="start-form"' in html and "王监票、李代表" in html
    res = client.post(url, data={"reveal": "12", "risk_limit": "", "csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "至少需要 20 位数字" in res.get_data(as_text=True)
    res = client.post(url, data={"reveal": "9" * 20, "risk_limit": "", "csrf_token": csrf_token(client, url)},
                      follow_redirects=True)
    assert "与封存前提交的承诺" in res.get_data(as_text=True)
    res = client.post(url, data={"reveal": seeding.SECRET, "risk_limit": "1/10", "csrf_token": csrf_token(client, url)},
                      follow_redirects=True)
    assert "不超过规则集规定的 1/20" in res.get_data(as_text=True)
    res = client.post(url, data={"reveal": seeding.SECRET, "risk_limit": "1/20", "csrf_token": csrf_token(client, url)},
                      follow_redirects=True)
    html = res.get_data(as_text=True)
    db.rollback()
    audit = service.current_audit(db, e)
    assert audit is not None and f'<span id="sample-size">{audit.sample_size}</span>' in html
    # The audit shows what its seed is made of, for the committee and the witnesses to compare.
    parts = html.split('id="seed-parts"', 1)[1].split("</p>", 1)[0]
    assert SEED.replace(" ", "") in parts and "王监票、李代表" in parts and rla.normalise_seed(seeding.SECRET) in parts
    # Beside the draw list: how a position is found (the top of the box's sealed stack, face
    # down), and no voter anywhere near a position.
    retrieval = html.split('id="retrieval"', 1)[1].split("</div>", 1)[0]
    assert "从最上面一张往下数" in retrieval and "背面朝上" in retrieval and "不写任何选民" in retrieval
    # Enter the first draw through the form, whole paper, blind: the page shows no record.
    draw = service.draws_of(db, audit)[0]
    durl = f"/audit/e/{e.id}/draw/{draw.index}"
    page = client.get(durl).get_data(as_text=True)
    d, entry = _record_of(db, e, draw)
    assert d not in page and "居民委员会主任" in page and "jwh_zhuren（" not in page
    assert f"在票箱 {draw.box} 封存的那一叠选票中，背面朝上从最上面一张往下数到第 {draw.position} 张" in page
    from werkzeug.datastructures import MultiDict

    res = client.post(durl, data=MultiDict([("scanned", d), ("csrf_token", csrf_token(client, durl))] + _fields(db, e, entry)),
                      follow_redirects=True)
    assert "已录入第 1 次抽取" in res.get_data(as_text=True)
    db.rollback()  # end the test session's read snapshot
    first = service.draws_of(db, audit)[0]
    assert first.d_hash == d and first.paper["posts"]["jwh_zhuren"]["approve"] == entry["posts"]["jwh_zhuren"]["approve"]
    # Issue 21: a paper counted from a scan shows its kept image beside the auditor's reading;
    # one counted by hand has none to show.
    assert "对照扫描图像" not in client.get(url).get_data(as_text=True)
    assert client.get(f"{durl}/scan").status_code == 404
    _kept_scan(db, e, d)
    page = client.get(url).get_data(as_text=True)
    assert f'href="/audit/e/{e.id}/draw/{first.index}/scan' in page
    page = client.get(f"{durl}/scan").get_data(as_text=True)
    assert 'id="draw-image"' in page and "居民委员会主任" in page
    image = client.get(f"{durl}/scan.jpg")
    assert image.status_code == 200 and image.data == b"\xff\xd8kept" and "no-store" in image.headers["Cache-Control"]
    _enter_all(db, e, audit)
    db.commit()
    res = client.post(f"/audit/e/{e.id}/conclude", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    html = res.get_data(as_text=True)
    assert "结果得到确认" in html and "得票不少于" in html  # assertions named in Chinese
    # The office's key is made on its own computer; the server registers only the public key.
    office = keygen(b"office-pass-1")
    key_url = f"/audit/e/{e.id}/office-key"
    # Neither a file nor pasted text: refused in Chinese, nothing registered.
    res = client.post(key_url, data={"csrf_token": csrf_token(client, url)}, content_type="multipart/form-data",
                      follow_redirects=True)
    assert "请选择 juxuan office keygen 生成的街道办事处公钥文件" in res.get_data(as_text=True)
    assert db.get(StreetOfficeKey, e.community.street_office) is None
    # Not a key, and a file far too long for one: refused by the service's rules.
    res = client.post(key_url, data={"csrf_token": csrf_token(client, url),
                                     "public_key": (io.BytesIO(b"not a key"), "office-key.pub.pem")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "街道办事处公钥无法读取" in res.get_data(as_text=True)
    res = client.post(key_url, data={"csrf_token": csrf_token(client, url),
                                     "public_key": (io.BytesIO(b"x" * 20000), "office-key.pub.pem")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "街道办事处公钥文件过大" in res.get_data(as_text=True)
    # Its text pasted instead of a file is read the same way.
    pasted = keygen(b"office-pass-2")
    res = client.post(key_url, data={"csrf_token": csrf_token(client, url), "public_pem": pasted.public_pem.decode()},
                      content_type="multipart/form-data", follow_redirects=True)
    assert pasted.fingerprint in res.get_data(as_text=True)
    # The file, chosen, replaces it.
    res = client.post(key_url, data={"csrf_token": csrf_token(client, url),
                                     "public_key": (io.BytesIO(office.public_pem), "office-key.pub.pem")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert office.fingerprint in res.get_data(as_text=True)
    db.rollback()
    row = db.get(StreetOfficeKey, e.community.street_office)
    assert row.fingerprint == office.fingerprint and row.private_pem == ""
    res = client.post(f"/audit/e/{e.id}/countersign", data={"csrf_token": csrf_token(client, url)})
    done = finish_job(client, res)  # sealing runs as a job with a progress page
    # Sealed, not yet countersigned: the page says what the office does next.
    assert "待会签" in done and "juxuan office countersign" in done and "已会签备案" not in done
    sealed = client.get(f"/audit/e/{e.id}/bundle.zip").data
    # On the office's computer: every check, then the signature file.
    signed = office_countersign(sealed, office.private_pem, b"office-pass-1", "2026-11-25")
    # No file chosen: refused in Chinese, nothing attached.
    res = client.post(f"/audit/e/{e.id}/countersign/upload", data={"csrf_token": csrf_token(client, url)},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "请选择 juxuan office countersign 生成的会签文件" in res.get_data(as_text=True)
    assert "已会签备案" not in res.get_data(as_text=True)
    # A signature by any other key is refused at the upload.
    other = keygen(b"other-pass-1")
    forged = office_countersign(sealed, other.private_pem, b"other-pass-1", "2026-11-25")
    res = client.post(f"/audit/e/{e.id}/countersign/upload", data={"csrf_token": csrf_token(client, url),
                      "signature": (io.BytesIO(forged.signature_file), "x.countersign.json")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "不是由登记的街道办事处公钥" in res.get_data(as_text=True)
    res = client.post(f"/audit/e/{e.id}/countersign/upload", data={"csrf_token": csrf_token(client, url),
                      "signature": (io.BytesIO(signed.signature_file), "x.countersign.json")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "已会签备案" in res.get_data(as_text=True)
    zipped = client.get(f"/audit/e/{e.id}/bundle.zip").data
    files = bundle.read_files(zipped)
    assert {"countersign.json", "office_key.pem", "head.sig", "records.jsonl", "audit.json"} <= set(files)
    checks = {c.name_en: c for c in run(zipped, Pins(office_key=office.fingerprint))}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["countersignature"].ok and checks["pin_office_key"].ok and checks["audit_sample"].ok
    assert checks["audit_recompute"].ok and checks["audit_commitment"].ok and checks["audit_count"].ok
    assert not {c.name_en: c for c in run(zipped, Pins(office_key=other.fingerprint))}["pin_office_key"].ok
    # The public bundle now published is cut from the same sealed head and is countersigned too.
    pub = client.get(f"/e/{e.id}/bundle.zip").data
    pfiles = bundle.read_files(pub)
    assert "countersign.json" in pfiles and "records.jsonl" not in pfiles
    assert all(c.ok for c in run(pub, Pins(office_key=office.fingerprint)))


def test_countersigning_is_refused_while_the_audit_is_unconcluded(app, db, world, tmp_path):
    sim = simulated(db, world)
    e = sim.election
    office = keygen(b"office-pass-1")
    register_office_key(db, e.community.street_office, office.public_pem, "auditor")
    # Refused already when the bundle to sign is sealed: the office does not check and sign
    # a bundle on its own computer only to see the upload refused.
    with pytest.raises(UserError, match="尚未进行风险限制审计"):
        seal_for_countersign(db, e, DATA_KEY, "auditor", tmp_path)
    assert not auditor_bundle_path(tmp_path, e).exists()
    signature = b'{"statement": {}, "signature": ""}'  # the audit is checked before the file
    with pytest.raises(UserError, match="尚未进行风险限制审计"):
        upload_countersignature(db, e, signature, "auditor", tmp_path)
    _sealed(db, e)
    seeding.start(db, e, SEED, "auditor")
    db.commit()
    with pytest.raises(UserError, match="尚未得出确认结论"):
        seal_for_countersign(db, e, DATA_KEY, "auditor", tmp_path)
    with pytest.raises(UserError, match="尚未得出确认结论"):
        upload_countersignature(db, e, signature, "auditor", tmp_path)


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


def test_trustees_decrypt_the_drawn_papers_through_the_audit_page(app, db, world, tmp_path, capsys):
    """Under the trustees' key the audit page offers the drawn papers' ciphertexts to download,
    takes each trustee's file (python -m tools.trustee decrypt's output) and then compares."""
    import json

    from election.audit.simulate import simulate
    from election.crypto import ceremony
    from election.trustees import service as trustees
    from tests.factories import TRUSTEE_PASS as PASS
    from tests.factories import trustee_keys as run_ceremony

    e = world["a"]["election"]
    keys = run_ceremony(db, e)
    simulate(db, e, voters=30, seed=5)
    db.commit()
    _sealed(db, e)
    audit = seeding.start(db, e, SEED, "auditor")
    db.commit()
    client = app.test_client()
    login(client, "a_auditor")
    url = f"/audit/e/{e.id}"
    assert 'id="sample"' in client.get(url).get_data(as_text=True)
    res = client.get(f"{url}/sample.json", follow_redirects=True)
    assert "没有待受托人解密" in res.get_data(as_text=True)  # nothing entered yet
    _enter_all(db, e, audit)
    db.commit()
    res = client.post(f"{url}/conclude", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "未经受托人解密" in res.get_data(as_text=True)
    cts = client.get(f"{url}/sample.json")
    assert cts.status_code == 200 and "attachment" in cts.headers["Content-Disposition"]
    docs = trustees.documents(db, e)
    # Trustee 1 with their own tool, their sealed key share and passphrase, as for the totals.
    from tools.trustee import main as trustee_tool

    files = {name: tmp_path / f"{name}.json" for name in ("ceremony", "publics", "sample", "out")}
    files["ceremony"].write_text(json.dumps(docs["ceremony"]), "utf-8")
    files["publics"].write_text(json.dumps(docs["publics"]), "utf-8")
    files["sample"].write_bytes(cts.data)
    (tmp_path / "key.bin").write_bytes(keys[0])
    (tmp_path / "pw").write_text(PASS, "utf-8")
    assert trustee_tool(["--passphrase-file", str(tmp_path / "pw"), "decrypt", str(files["ceremony"]), str(files["publics"]),
                         str(files["sample"]), "--key", str(tmp_path / "key.bin"), "--index", "1",
                         "--out", str(files["out"])]) == 0
    assert "审计抽中的" in capsys.readouterr().out
    made = [files["out"].read_bytes(),
            json.dumps(ceremony.decrypt(docs["ceremony"], docs["publics"], json.loads(cts.data), keys[1], PASS, 2)).encode()]
    res = client.post(f"{url}/sample", data={"csrf_token": csrf_token(client, url)},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "请选择受托人工具生成的部分解密文件" in res.get_data(as_text=True)
    for i, part in enumerate(made, 1):
        res = client.post(f"{url}/sample", data={"csrf_token": csrf_token(client, url),
                                                  "partials": (io.BytesIO(part), f"p{i}.json")},
                          content_type="multipart/form-data", follow_redirects=True)
        assert "已收到受托人对抽中选票的部分解密" in res.get_data(as_text=True)
    res = client.post(f"{url}/conclude", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "结果得到确认" in res.get_data(as_text=True)
