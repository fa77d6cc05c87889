#!/usr/bin/env node
/* node tools/verify/web/cli.js [--expect-key FP] [--expect-head HASH] [--expect-office-key FP]
 *   [--receipt CODE] [--json] [--en] BUNDLE.zip
 * The browser verifier run by Node (>= 20): the same checks the page shows, each detail in
 * Chinese as the Python verifier prints it (--en: in English). */
"use strict";
const fs = require("fs");
const { verifyBundle } = require("./juxuan-verify.js");

async function main(argv) {
  const pins = {};
  let json = false, en = false, file = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--expect-key") pins.key = argv[++i];
    else if (a === "--expect-head") pins.head = argv[++i];
    else if (a === "--expect-office-key") pins.officeKey = argv[++i];
    else if (a === "--receipt") pins.receipt = argv[++i];
    else if (a === "--json") json = true;
    else if (a === "--en") en = true;
    else file = a;
  }
  if (!file) { console.error("用法 / usage: cli.js [options] BUNDLE.zip"); return 2; }
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
    for (const c of checks) console.log(`[${c.ok ? "ok" : "FAILED"}] ${c.name_zh} / ${c.name}: ${en ? c.detail_en : c.detail}`);
    if (facts.head) console.log(`链头 / head: ${facts.head}`);
    if (facts.election_key) console.log(`选举公钥指纹 / election key: ${facts.election_key}`);
    if (facts.office_key) console.log(`街道公钥指纹 / office key: ${facts.office_key}`);
    const failed = checks.filter((c) => !c.ok).length;
    console.log(failed ? `${failed} 项检查未通过 / ${failed} check(s) FAILED` : "全部检查通过 / all checks passed");
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(3); });
