/* Node's built-in test runner: the browser verifier's audit recomputation (juxuan-audit.js)
 * against the Python verifier's on random audits. JUXUAN_AUDIT_CASES names a JSON file made
 * by tests/protocol/audit_cases.py (each audit with the Python evaluation: status, next size,
 * posts to hand count, every assertion's risk, discrepancy counts and size); without it, the
 * file registers no test. The risks are doubles from logarithms on both sides: equal within
 * 1e-12 relative (the two languages' log and exp may differ in the last bit). */
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const A = require("../juxuan-audit.js");

const file = process.env.JUXUAN_AUDIT_CASES;
if (file) {
  const cases = JSON.parse(fs.readFileSync(file, "utf8"));
  test(`the audit is recomputed as the Python verifier does on ${cases.length} random audits`, () => {
    const wrong = [];
    for (const c of cases) {
      const { evaluation } = A.recompute({ audit: c.audit, records: c.records, tallyInput: c.tally_input, rulebook: c.rulebook,
        totals: { returned: c.records.length }, events: [], recount: c.recount });
      let mine = { refused: true };
      if (evaluation) {
        const risks = evaluation.risks.map((r) => [r.a.kind, r.a.post, r.a.a, r.a.b, r.a.m, r.risk, r.need, r.counts]);
        const key = (r) => JSON.stringify(r.slice(0, 5));
        risks.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
        mine = { status: evaluation.status, next: evaluation.next, hand: [...evaluation.hand].sort(), risks };
      }
      const theirs = c.python;
      if (theirs.risks) {
        const key = (r) => JSON.stringify(r.slice(0, 5));
        theirs.risks.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
      }
      // Risks equal within 1e-12 relative: then compared as equal.
      if (mine.risks && theirs.risks && mine.risks.length === theirs.risks.length) {
        mine.risks.forEach((r, i) => { if (Math.abs(r[5] - theirs.risks[i][5]) <= 1e-12 * Math.max(1, Math.abs(r[5]))) r[5] = theirs.risks[i][5]; });
      }
      try { assert.deepStrictEqual(mine, theirs); } catch (e) { wrong.push(`${c.name}: ${e.message.slice(0, 900)}`); }
    }
    assert.deepStrictEqual(wrong.slice(0, 3), []);
  });
}
