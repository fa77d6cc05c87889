#!/usr/bin/env node
/* node tools/verify/web/cli.js [--expect-key FP] [--expect-head HASH] [--expect-office-key FP]
 *   [--receipt CODE] [--json] BUNDLE.zip
 * The browser verifier run by Node (>= 20): the same checks the page shows. */
"use strict";
const fs = require("fs");
const { verifyBundle } = require("./juxuan-verify.js");

async function main(argv) {
  const pins = {};
  let json = false, file = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--expect-key") pins.key = argv[++i];
    else if (a === "--expect-head") pins.head = argv[++i];
    else if (a === "--expect-office-key") pins.officeKey = argv[++i];
    else if (a === "--receipt") pins.receipt = argv[++i];
    else if (a === "--json") json = true;
    else file = a;
  }
  if (!file) { console.error("usage: cli.js [options] BUNDLE.zip"); return 2; }
  const fd = fs.openSync(file, "r");
  const buf = Buffer.alloc(128 * 1024 * 1024 + 1);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const { checks, facts } = await verifyBundle(new Uint8Array(buf.buffer, buf.byteOffset, n), pins);
  if (json) {
    const out = {};
    for (const c of checks) out[c.name] = c.ok;
    console.log(JSON.stringify(out));
  } else {
    for (const c of checks) console.log(`[${c.ok ? "ok" : "FAILED"}] ${c.name_zh} / ${c.name}: ${c.detail}`);
    if (facts.head) console.log(`head: ${facts.head}`);
    if (facts.election_key) console.log(`election key: ${facts.election_key}`);
    if (facts.office_key) console.log(`office key: ${facts.office_key}`);
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(3); });
