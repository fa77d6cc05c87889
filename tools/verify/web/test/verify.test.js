/* Node's built-in test runner (node --test): the browser verifier against docs/vectors,
 * and, when JUXUAN_FORGED_DIR names a folder of bundles with the Python verifier's
 * verdicts (cases.json), agreement with it on every check both run. */
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const V = require("../juxuan-verify.js");

const VECTORS = path.join(__dirname, "..", "..", "..", "..", "docs", "vectors");
const vec = JSON.parse(fs.readFileSync(path.join(VECTORS, "vectors.json"), "utf8"));
const sha = (s) => crypto.createHash("sha256").update(s).digest("hex");
const read = (f) => new Uint8Array(fs.readFileSync(f));
const verdicts = (checks) => Object.fromEntries(checks.map((c) => [c.name, c.ok]));
// Each check's detail in Chinese (detail) and English (detail_en), as the page shows them: the
// Chinese has Chinese in it, or only ids, hashes and figures (a post/person's two counts).
const CJK = /[\u4e00-\u9fff]/;
function saidInBoth(checks, where) {
  for (const c of checks) {
    assert.strictEqual(typeof c.detail, "string", `${where} ${c.name}`);
    assert.strictEqual(typeof c.detail_en, "string", `${where} ${c.name}`);
    const words = c.detail.replace(/[0-9a-f]{12,}/g, "").replace(/[\w.]+\.(json|jsonl|pem|sig)\b/g, "").replace(/\b(true|false|null)\b/g, "");
    assert.ok(!c.detail || CJK.test(c.detail) || !/[A-Za-z]{5,}/.test(words), `${where} ${c.name}: not in Chinese: ${c.detail}`);
    assert.ok(!c.detail || c.detail_en, `${where} ${c.name}: no English`);
  }
}

test("canonical JSON examples", () => {
  for (const ex of vec.canonical_examples) assert.strictEqual(V.canon(ex.value), ex.bytes);
});

test("every event hash from its canonical body", () => {
  for (const ev of vec.events) {
    assert.strictEqual(V.canon(JSON.parse(ev.body_canonical)), ev.body_canonical);
    assert.strictEqual(sha(Buffer.concat([Buffer.from("juxuan/event/v1\n"), Buffer.from(ev.body_canonical, "utf8")])), ev.hash);
  }
});

test("receipt code, receipt hash and the box's Merkle root", async () => {
  const ex = vec.receipt_example;
  const code = await V.parseReceipt(ex.human);
  assert.strictEqual(Buffer.from(code).toString("hex"), ex.code_hex);
  assert.strictEqual(await V.receiptHash(vec.election, code), ex.R);
  const { checks, facts } = await V.verifyBundle(read(path.join(VECTORS, "public.zip")), { receipt: ex.compact });
  assert.ok(checks.find((c) => c.name === "receipt").ok);
  assert.strictEqual(facts.receipt.root, ex.box_root);
  assert.deepStrictEqual(facts.receipt.path, ex.proof);
});

test("the audit's seed from the auditor's commitment and the dice, and its draws", async () => {
  const RC = require("../juxuan-recount.js");
  const ex = vec.audit_seed_example;
  const sha256 = async (u8) => new Uint8Array(crypto.createHash("sha256").update(u8).digest());
  assert.strictEqual(await RC.seedCommitment(ex.secret, sha256), ex.commitment);
  assert.strictEqual(await RC.combinedSeed(ex.dice, ex.secret, sha256), ex.seed);
  const draws = await RC.drawSample(ex.seed, ex.manifest, ex.draws.length, sha256);
  assert.deepStrictEqual(draws.map((d) => [d.box, d.position]), ex.draws);
});

test("file hashes and zips", () => {
  assert.strictEqual(sha(fs.readFileSync(path.join(VECTORS, "public.zip"))), vec.zip_sha256["public.zip"]);
  assert.strictEqual(sha(fs.readFileSync(path.join(VECTORS, "auditor.zip"))), vec.zip_sha256["auditor.zip"]);
});

for (const name of ["public.zip", "auditor.zip"]) {
  test(`the vector ${name} passes every check, with every pin`, async () => {
    const pins = { key: vec.election_key, head: vec.events[vec.events.length - 1].hash, officeKey: vec.office_key };
    const { checks, facts } = await V.verifyBundle(read(path.join(VECTORS, name)), pins);
    assert.deepStrictEqual(checks.filter((c) => !c.ok), []);
    saidInBoth(checks, name);
    assert.ok(checks.every((c) => CJK.test(c.detail)), "every passing check says what it found in Chinese");
    assert.ok(["pin_key", "pin_head", "pin_office_key", "countersignature", "merkle"].every((n) => checks.some((c) => c.name === n)));
    assert.strictEqual(facts.head, vec.events[vec.events.length - 1].hash);
    for (const [box, root] of Object.entries(vec.merkle_roots)) assert.ok(root.length === 64, box);
  });
}

const forged = process.env.JUXUAN_FORGED_DIR;
if (forged) {
  const cases = JSON.parse(fs.readFileSync(path.join(forged, "cases.json"), "utf8"));
  for (const c of cases) {
    test(`agrees with the Python verifier: ${c.name}`, async () => {
      const { checks } = await V.verifyBundle(read(path.join(forged, c.file)), c.pins);
      const mine = verdicts(checks);
      const theirs = Object.fromEntries(Object.entries(c.python).filter(([n]) => !V.NOT_RUN.includes(n)));
      assert.deepStrictEqual(mine, theirs);
      if (c.must_fail) assert.strictEqual(mine[c.must_fail], false, `${c.must_fail} must fail`);
      if (c.name === "audit_after_reopening") {  // an earlier audit of records a reopening changed is flagged, not recomputed
        const rc = checks.find((x) => x.name === "audit_recompute");
        assert.ok(rc.detail.includes("第 1 次审计封存的是重新开启") && rc.detail_en.includes("before the result was reopened"), rc.detail);
      }
      saidInBoth(checks, c.name);
    });
  }
}
