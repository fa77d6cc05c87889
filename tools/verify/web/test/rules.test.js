/* Node's built-in test runner: the browser verifier's rules engine (juxuan-rules.js) against
 * the Python rules on random tally scenarios. JUXUAN_TALLY_CASES names a JSON file made by
 * tests/protocol/tally_cases.py (each scenario with the Python decision); without it, the
 * file registers no test. */
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const R = require("../juxuan-rules.js");

const file = process.env.JUXUAN_TALLY_CASES;
if (file) {
  const cases = JSON.parse(fs.readFileSync(file, "utf8"));
  test(`the rules engine decides ${cases.length} random scenarios as the Python rules do`, () => {
    const wrong = [];
    for (const c of cases) {
      let mine;
      try { mine = R.decide(c.tally_input, c.rulebook, c.totals); } catch (e) {
        if (!(e instanceof R.RulesError)) throw e;
        mine = { refused: true };
      }
      try { assert.deepStrictEqual(mine, c.python); } catch (e) { wrong.push(`${c.name}: ${e.message.slice(0, 600)}`); }
    }
    assert.deepStrictEqual(wrong.slice(0, 3), []);
  });
}
