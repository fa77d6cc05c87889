/* Juxuan bundle verifier for the browser (and Node >= 20): an independent implementation
 * of docs/PROTOCOL.md written from the specification and docs/vectors, sharing no code
 * with the Python verifier. SHA-256 and Ed25519 come from WebCrypto; inflate from
 * DecompressionStream. It runs every check of PROTOCOL.md section 9 (NOT_RUN lists none),
 * and names each check the same way; the winners are decided again by the rules
 * of section 14, and the records counted again paper by paper, in juxuan-rules.js, the
 * risk-limiting audit's assertions and risks recomputed in juxuan-audit.js, the
 * events between elections are checked in juxuan-between.js, and the public recount's
 * checks (recount_*) are in juxuan-recount.js, on the vendored ristretto255 of
 * vendor/noble-ristretto255.js.
 *
 * Licence: Apache-2.0 (the project's). Usage:
 *   const {checks, facts} = await JuxuanVerify.verifyBundle(zipBytes, {key, head, officeKey, receipt});
 */
"use strict";
(function (root) {
  const MAX_ZIP = 128 * 1024 * 1024;
  const MAX_MEMBER = 48 * 1024 * 1024;
  const MAX_TOTAL = 96 * 1024 * 1024;
  // Memory estimate before parsing (PROTOCOL.md §7.1): bytes twice, 64 per JSON value, 200 per record line.
  const MEMORY_BUDGET = 160 * 1024 * 1024;
  const MAX_RECORD_LINE = 64 * 1024;
  const MAX_MEMBERS = 64;
  // The public recount's papers: one member outside MAX_TOTAL and the parse estimate, with its own bound.
  const MAX_STREAMED = 512 * 1024 * 1024;
  const STREAMED = new Set(["recount/papers.jsonl"]);
  const JSON_FILES = ["manifest.json", "deposits.json", "boxes.json", "issuance.json", "spoiled.json", "unused.json",
    "voided.json", "rulebook.json", "tally_input.json", "totals.json", "box_totals.json", "head.sig",
    "countersign.json", "audit.json", "recount.json", "composition.json"];
  const JSONL_FILES = ["chain.jsonl", "records.jsonl"];
  const PEM_FILES = ["election_key.pem", "office_key.pem"];
  const KNOWN = new Set([...JSON_FILES, ...JSONL_FILES, ...PEM_FILES, ...STREAMED]);
  const REQUIRED = ["manifest.json", "deposits.json", "boxes.json", "issuance.json", "spoiled.json", "unused.json",
    "voided.json", "rulebook.json", "tally_input.json", "totals.json", "box_totals.json", "chain.jsonl",
    "head.sig", "election_key.pem"];
  const AUDITOR_ONLY = new Set(["records.jsonl", "audit.json"]);
  const SELF_AUTH = new Set(["chain.jsonl", "head.sig", "countersign.json", "office_key.pem"]);
  const GATING = ["format", "zip_size", "zip_members", "canonical"];
  // Event kinds the checks read, as PROTOCOL.md §3's table names them (area.what_happened).
  const PROTOCOL = "juxuan/v2";
  const KIND = {
    chainStarted: "ledger.chain_started", bundleExported: "ledger.bundle_exported", rollPublished: "roll.published",
    rulebookChanged: "rulebook.changed", rulebookDecided: "rulebook.decided", ballotsPrinted: "ballots.printed",
    resultPublished: "result.published", auditStarted: "audit.started",
    stationCreated: "polling.station_created", boxMerged: "counting.box_merged",
  };
  // The first of these in a round marks the start of its counting.
  const COUNTING = new Set(["counting.paper_counted", "counting.box_counted", "counting.second_entry_recorded",
    "counting.tally_board_entered", KIND.resultPublished]);
  // Kinds that change a round's count: none may follow the round's result in force until a
  // result.reopened withdraws it (event_kinds.COUNT_CHANGING_KINDS, verify._result_in_force).
  const COUNT_CHANGING = new Set(["counting.paper_counted", "counting.doubtful_paper_decided",
    "counting.second_entry_recorded", "counting.second_entry_resolved", "counting.box_counted",
    "counting.box_difference_explained", "counting.tally_board_entered", "counting.tally_board_explained",
    "counting.scan_batch_approved", "counting.scan_paper_confirmed"]);
  const enc = new TextEncoder();
  // A message in both languages: Chinese first (a check's detail), English beside it (its
  // detail_en); as a string (joined, in a template) it is the Chinese.
  const T = (zh, en) => ({ zh, en, toString: () => zh });
  const zhOf = (m) => String(m);
  const enOf = (m) => (m !== null && typeof m === "object" && typeof m.en === "string" ? m.en : String(m));
  // A check's detail from its problems (or its passing detail): the first five, Chinese and English.
  function said(parts, more) {
    const shown = parts.slice(0, 5);
    const rest = parts.length > 5 ? parts.length - 5 : 0;
    return {
      detail: shown.map(zhOf).join("；") + (rest ? `（另有 ${rest} 项）` : ""),
      detail_en: shown.map(enOf).join("; ") + (rest ? ` (and ${rest} more)` : ""),
    };
  }
  const subtle = (root.crypto || require("crypto").webcrypto).subtle;

  // ------------------------------------------------------------------ bytes and hashes
  const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
  const unhex = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  const sha256 = async (u8) => new Uint8Array(await subtle.digest("SHA-256", u8));
  const sha256hex = async (u8) => hex(await sha256(u8));
  const eqBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  const CRC = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  function crc32(u8) {
    let c = 0xffffffff;
    for (let i = 0; i < u8.length; i++) c = CRC[(c ^ u8[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  // ------------------------------------------------------------------ canonical JSON (PROTOCOL.md §2)
  function cmpCodePoints(a, b) {
    const x = Array.from(a), y = Array.from(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }
  function canon(v) {
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new Error("不是 ±(2^53−1) 以内的整数 / not an integer in ±(2^53−1)");
      return String(v);
    }
    if (typeof v === "string") {
      if (!v.isWellFormed()) throw new Error("含孤立代理字符 / lone surrogate");
      return JSON.stringify(v);
    }
    if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
    const keys = Object.keys(v).sort(cmpCodePoints);
    return "{" + keys.map((k) => { if (!k.isWellFormed()) throw new Error("含孤立代理字符 / lone surrogate"); return JSON.stringify(k) + ":" + canon(v[k]); }).join(",") + "}";
  }
  const canonBytes = (v) => enc.encode(canon(v));
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  function parseStrict(u8) {
    const value = JSON.parse(decoder.decode(u8));
    // A value is acceptable only if its canonical form is exactly these bytes (checked by the caller);
    // canon() throws for floats, big integers and lone surrogates.
    canon(value);
    return value;
  }

  // ------------------------------------------------------------------ zip (bounded)
  async function inflate(data, limit) {
    const ds = new DecompressionStream("deflate-raw");
    const writer = ds.writable.getWriter();
    writer.write(data).catch(() => {});
    writer.close().catch(() => {});
    const reader = ds.readable.getReader();
    const chunks = [];
    let n = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > limit) { reader.cancel().catch(() => {}); return { over: true }; }
      chunks.push(value);
    }
    return { data: concat(...chunks) };
  }

  async function readZip(blob) {
    const res = { raw: new Map(), data: new Map(), problems: {} };
    const fail = (c, m) => (res.problems[c] = res.problems[c] || []).push(m);
    if (blob.length > MAX_ZIP) { fail("zip_size", T(`公示包 ${blob.length} 字节，超过上限 ${MAX_ZIP}`, `bundle of ${blob.length} bytes is over ${MAX_ZIP}`)); return res; }
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    let eocd = -1;
    for (let i = blob.length - 22; i >= Math.max(0, blob.length - 22 - 65535); i--) {
      if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
    }
    if (eocd < 0) { fail("format", T("不是 zip 文件", "not a zip file")); return res; }
    // The protocol's zip (PROTOCOL.md section 7.1): the end record and its comment end the file, the
    // central directory (as many entries as the end record says) ends where it starts, the
    // first member starts at byte 0. Readers differ on anything else, so it is refused.
    const count = dv.getUint16(eocd + 10, true);
    const cdSize = dv.getUint32(eocd + 12, true);
    const cdOff = dv.getUint32(eocd + 16, true);
    if (eocd + 22 + dv.getUint16(eocd + 20, true) !== blob.length) { fail("format", T("zip 结束记录之后还有字节", "bytes after the zip's end record")); return res; }
    if (dv.getUint16(eocd + 4, true) || dv.getUint16(eocd + 6, true) || dv.getUint16(eocd + 8, true) !== count || cdOff + cdSize !== eocd) {
      fail("format", T("中央目录不紧接在结束记录之前（分卷、zip64 或偏移量）", "central directory not right before the end record (split, zip64 or offsets)")); return res;
    }
    if (count && dv.getUint32(0, true) !== 0x04034b50) { fail("format", T("第一个成员之前还有字节", "bytes before the first member")); return res; }
    const entries = [];
    let p = cdOff;
    for (let i = 0; i < count; i++) {
      if (p + 46 > eocd || dv.getUint32(p, true) !== 0x02014b50) { fail("format", T("中央目录的条目少于结束记录所说", "central directory holds fewer entries than the end record says")); return res; }
      const flags = dv.getUint16(p + 8, true), method = dv.getUint16(p + 10, true);
      const crc = dv.getUint32(p + 16, true);
      let csize = dv.getUint32(p + 20, true), usize = dv.getUint32(p + 24, true);
      const nlen = dv.getUint16(p + 28, true), xlen = dv.getUint16(p + 30, true), clen = dv.getUint16(p + 32, true);
      let off = dv.getUint32(p + 42, true);
      const nameBytes = blob.subarray(p + 46, p + 46 + nlen);
      const name = flags & 0x800 ? new TextDecoder().decode(nameBytes) : String.fromCharCode(...nameBytes);
      let x = p + 46 + nlen;
      const xend = x + xlen;
      while (x + 4 <= xend) {  // zip64: sizes and offset from the extra field
        const id = dv.getUint16(x, true), len = dv.getUint16(x + 2, true);
        if (id === 1) {
          let q = x + 4;
          const big = () => { const v = Number(dv.getBigUint64(q, true)); q += 8; return v; };
          if (usize === 0xffffffff) usize = big();
          if (csize === 0xffffffff) csize = big();
          if (off === 0xffffffff) off = big();
        }
        x += 4 + len;
      }
      entries.push({ name, method, crc, csize, usize, off, flags });
      p = xend + clen;
    }
    if (p !== eocd) { fail("format", T("中央目录的内容多于结束记录所说", "central directory holds more than the end record says")); return res; }
    if (entries.length > MAX_MEMBERS) { fail("zip_size", T(`${entries.length} 个成员，超过上限`, `${entries.length} members`)); return res; }
    const seen = new Map();
    for (const e of entries) seen.set(e.name, (seen.get(e.name) || 0) + 1);
    for (const [name, n] of [...seen].sort((a, b) => cmpCodePoints(a[0], b[0]))) {
      if (n > 1) fail("zip_members", T(`${name} 出现 ${n} 次`, `${name} appears ${n} times`));
      if (!KNOWN.has(name)) fail("zip_members", T(`未知成员 ${name}`, `unknown member ${name}`));
    }
    let declared = 0;
    for (const e of entries) {
      if (STREAMED.has(e.name)) {
        if (e.usize > MAX_STREAMED) fail("zip_size", T(`${e.name} 声明 ${e.usize} 字节，超过上限`, `${e.name} declares ${e.usize} bytes`));
        continue;
      }
      declared += e.usize;
      if (e.usize > MAX_MEMBER) fail("zip_size", T(`${e.name} 声明 ${e.usize} 字节，超过上限`, `${e.name} declares ${e.usize} bytes`));
    }
    if (declared > MAX_TOTAL) fail("zip_size", T(`各成员共声明 ${declared} 字节，超过上限`, `members declare ${declared} bytes`));
    if (Object.keys(res.problems).length) return res;
    let total = 0;
    for (const e of entries) {
      if (res.raw.has(e.name) || !KNOWN.has(e.name)) continue;
      try {
        if (e.off + 30 > blob.length || dv.getUint32(e.off, true) !== 0x04034b50) throw new Error("本地文件头错误 / bad local header");
        const lnlen = dv.getUint16(e.off + 26, true), lxlen = dv.getUint16(e.off + 28, true);
        const lname = blob.subarray(e.off + 30, e.off + 30 + lnlen);
        const cname = e.flags & 0x800 ? enc.encode(e.name) : Uint8Array.from(e.name, (ch) => ch.charCodeAt(0));
        if (!eqBytes(lname, cname)) throw new Error("目录与文件头中的文件名不同 / file name in directory and header differ");
        const start = e.off + 30 + lnlen + lxlen;
        if (start + e.csize > blob.length) throw new Error("成员被截断 / truncated member");
        const comp = blob.subarray(start, start + e.csize);
        let data;
        if (e.method === 0) data = comp.subarray(0, Math.min(comp.length, e.usize));
        else if (e.method === 8) {
          const out = await inflate(comp, e.usize);
          if (out.over) data = null; else data = out.data;
        } else throw new Error(`不支持的压缩方法 ${e.method} / compression method ${e.method}`);
        if (data === null) { data = new Uint8Array(0); }
        if (data.length !== e.usize || crc32(data) !== e.crc) throw new Error("CRC 或大小不符 / bad CRC or size");
        if (STREAMED.has(e.name)) { res.raw.set(e.name, data); continue; }
        total += data.length;
        if (data.length > MAX_MEMBER || total > MAX_TOTAL) { fail("zip_size", T(`${e.name} 超过上限`, `${e.name} over the bound`)); return res; }
        res.raw.set(e.name, data);
      } catch (err) {
        fail("format", T(`${e.name} 无法读取：${err.message}`, `${e.name}: ${err.message}`));
      }
    }
    return res;
  }

  function countValues(u8) {
    let n = 1;
    for (const b of u8) if (b === 44 || b === 58 || b === 91 || b === 123) n++;
    return n;
  }

  // What was wrong with a JSON text: a nesting too deep for the parser by name (verify_read._why).
  const whyZh = (err) => (err instanceof RangeError ? "嵌套层数过深（数组或对象嵌套上千层）" : err.message);
  const whyEn = (err) => (err instanceof RangeError ? "nested too deep (thousands of arrays or objects)" : err.message);
  function parseMembers(res) {
    const fail = (c, m) => (res.problems[c] = res.problems[c] || []).push(m);
    for (const name of REQUIRED) if (!res.raw.has(name)) fail("format", T(`缺少 ${name}`, `missing ${name}`));
    let estimate = 0;
    for (const [name, b] of res.raw) {
      if (STREAMED.has(name)) continue;
      estimate += 2 * b.length;
      if (name === "records.jsonl") { for (const x of b) if (x === 10) estimate += 200; }
      else if (!PEM_FILES.includes(name)) estimate += 64 * countValues(b);
    }
    if (estimate > MEMORY_BUDGET) { fail("zip_size", T(`解析后约 ${estimate} 字节，超过内存上限`, `about ${estimate} bytes once parsed`)); return; }
    for (const name of JSON_FILES) {
      const blob = res.raw.get(name);
      if (!blob) continue;
      try {
        const value = parseStrict(blob);
        if (!eqBytes(concat(canonBytes(value), enc.encode("\n")), blob)) fail("canonical", T(`${name} 不是规范 JSON`, `${name} is not canonical`));
        res.data.set(name, value);
      } catch (err) { fail("canonical", T(`${name} 无法解析：${whyZh(err)}`, `${name}: ${whyEn(err)}`)); }
    }
    for (const name of JSONL_FILES) {
      const blob = res.raw.get(name);
      if (!blob) continue;
      if (blob.length && blob[blob.length - 1] !== 10) fail("canonical", T(`${name}：最后一行没有换行符`, `${name}: last line has no newline`));
      const lines = [];
      let start = 0, n = 0;
      const parts = [];
      for (let i = 0; i < blob.length; i++) if (blob[i] === 10) { parts.push(blob.subarray(start, i)); start = i + 1; }
      for (const line of parts) {
        n++;
        if (name === "records.jsonl" && line.length > MAX_RECORD_LINE) { fail("zip_size", T(`${name} 第 ${n} 行过长`, `${name} line ${n} is too long`)); break; }
        try {
          const value = parseStrict(line);
          if (!eqBytes(canonBytes(value), line)) { fail("canonical", T(`${name} 第 ${n} 行不是规范 JSON`, `${name} line ${n} is not canonical`)); break; }
          if (name === "records.jsonl") {  // each record's form is checked as it is read, as §7 gives it
            const shape = [];
            shapeCheck(LINE_SHAPES[name], value, `${name} line ${n}`, shape);
            if (shape.length) { fail("format", shape[0]); break; }
          }
          lines.push(value);
        } catch (err) { fail("canonical", T(`${name} 第 ${n} 行无法解析：${whyZh(err)}`, `${name} line ${n}: ${whyEn(err)}`)); break; }
      }
      res.data.set(name, lines);
    }
  }

  // ------------------------------------------------------------------ shapes (PROTOCOL.md §7)
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isUint = (v) => typeof v === "number" && Number.isInteger(v) && v >= 0;
  function typeOk(s, v) {
    switch (s) {
      case "hex": return typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
      case "str": return typeof v === "string";
      case "str?": return v === null || typeof v === "string";
      case "uint": return isUint(v);
      case "bool": return typeof v === "boolean";
      case "obj": return isObj(v);
      default: return s === "any";
    }
  }
  function shapeCheck(s, v, path, out) {
    if (out.length >= 20) return;
    if (typeof s === "string") { if (!typeOk(s, v)) out.push(T(`${path}：应为 ${s}`, `${path}: expected ${s}`)); return; }
    if (Array.isArray(s)) {
      const [kind, inner] = s;
      if (kind === "list") {
        if (!Array.isArray(v)) { out.push(T(`${path}：应为列表`, `${path}: expected a list`)); return; }
        v.forEach((x, i) => shapeCheck(inner, x, `${path}[${i}]`, out));
      } else {
        if (!isObj(v)) { out.push(T(`${path}：应为对象`, `${path}: expected an object`)); return; }
        for (const [k, x] of Object.entries(v)) shapeCheck(inner, x, `${path}.${k}`, out);
      }
      return;
    }
    if (!isObj(v)) { out.push(T(`${path}：应为对象`, `${path}: expected an object`)); return; }
    for (const [key, inner] of Object.entries(s)) {
      const optional = key.endsWith("?"), name = optional ? key.slice(0, -1) : key;
      if (!Object.prototype.hasOwnProperty.call(v, name)) { if (!optional) out.push(T(`${path}.${name}：缺少`, `${path}.${name}: missing`)); continue; }
      shapeCheck(inner, v[name], `${path}.${name}`, out);
    }
  }
  const VOTES = ["map", ["map", "uint"]];
  const SIGNED = { statement: "obj", signature: "str", key: "str" };
  const SHAPES = {
    "manifest.json": ["list", { type: "str", election: "str", batch: "uint", receipt_count: "uint", audit_count: "uint",
      receipts: ["list", "hex"], audits: ["list", "hex"] }],
    "deposits.json": { type: "str", root: "hex", boxes: ["map", { count: "uint", root: "hex", receipts: ["list", "hex"] }] },
    "boxes.json": ["map", { station: "str", deposited: "uint", records: "uint" }],
    "issuance.json": ["map", "uint"],
    "spoiled.json": ["list", "hex"], "unused.json": ["list", "hex"], "voided.json": ["list", "hex"],
    "rulebook.json": "obj",
    "tally_input.json": { registered_voters: "uint", papers_issued: "uint", round: "str",
      posts: ["list", { key: "str", seats: "uint", rank: "uint", body: "str" }],
      candidates: ["list", { person: "str", post: "str", "sex?": "str" }],
      "method?": "str", "body_papers?": ["map", { issued: "uint", returned: "uint" }] },
    "totals.json": { round: "uint", returned: "uint", posts: VOTES,
      counts: { whole_invalid: "uint", posts: ["map", { overvoted: "uint", unreadable: "uint", opposed: ["map", "uint"] }] },
      result: { "valid?": "bool", elected: ["map", ["list", "str"]], "next_round?": "str?" } },
    "box_totals.json": ["list", { boxes: ["list", "str"], papers: "uint", posts: VOTES }],
    "head.sig": SIGNED, "countersign.json": SIGNED, "audit.json": "obj", "recount.json": "obj",
    "composition.json": { posts: ["list", { post: "str", name: "str", seats: "uint", serving: "uint", vacant: "uint" }],
      members: ["list", { post: "str", person: "str", name: "str", round: "uint", since: "str", until: "str?", reason: "str" }] },
  };
  const LINE_SHAPES = {
    "chain.jsonl": { seq: "uint", kind: "str", payload: "obj", prev: "str", at: "str?", hash: "str" },
    "records.jsonl": { d: "hex", box: "str", marks: ["map", "obj"] },
  };
  function shapeProblems(data) {
    const out = [];
    for (const [name, s] of Object.entries(SHAPES)) if (data.has(name)) shapeCheck(s, data.get(name), name, out);
    for (const [name, s] of Object.entries(LINE_SHAPES)) {
      (data.get(name) || []).every((line, i) => { shapeCheck(s, line, `${name} line ${i + 1}`, out); return out.length < 20; });
    }
    return out;
  }

  // ------------------------------------------------------------------ keys (PROTOCOL.md §4)
  function pemToDer(pemBytes) {
    // Exactly three lines and nothing else (PROTOCOL.md section 4): no BOM, no text around, no \r.
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(pemBytes);
    const m = /^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/]{59}=)\n-----END PUBLIC KEY-----\n$/.exec(text);
    if (!m) throw new Error("不是协议规定格式的 PEM 公钥 / not a PEM public key in the protocol's form");
    const bin = atob(m[1]);
    const der = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const prefix = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    if (der.length !== 44 || !prefix.every((b, i) => der[i] === b)) throw new Error("不是 Ed25519 公钥 / not an Ed25519 key");
    return der;
  }
  async function loadKey(pemBytes) {
    const der = pemToDer(pemBytes);
    const raw = der.subarray(12);
    const key = await subtle.importKey("spki", der, { name: "Ed25519" }, false, ["verify"]);
    const h = hex(await sha256(raw)).slice(0, 32).toUpperCase();
    return { key, fp: h.match(/..../g).join(" ") };
  }
  async function verifySigned(k, signed) {
    // 64 bytes as lower-case hex (PROTOCOL.md section 4), nothing else.
    if (signed.key !== k.fp || typeof signed.signature !== "string" || !/^[0-9a-f]{128}$/.test(signed.signature)) return false;
    try {
      return await subtle.verify({ name: "Ed25519" }, k.key, unhex(signed.signature), canonBytes(signed.statement));
    } catch (e) { return false; }
  }
  const normFp = (t) => String(t || "").toUpperCase().replace(/[^0-9A-F]/g, "");

  // ------------------------------------------------------------------ Merkle (PROTOCOL.md §6)
  async function merkleLevels(leaves) {
    let level = await Promise.all(leaves.map((l) => sha256(concat(Uint8Array.of(0), unhex(l)))));
    const levels = [level];
    while (level.length > 1) {
      const next = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(await sha256(concat(Uint8Array.of(1), level[i], level[i + 1])));
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
      levels.push(level);
    }
    return levels;
  }
  const EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  async function merkleRoot(leaves) {
    if (!leaves.length) return EMPTY_ROOT;
    const lv = await merkleLevels(leaves);
    return hex(lv[lv.length - 1][0]);
  }

  // ------------------------------------------------------------------ receipt codes (PROTOCOL.md §1)
  const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  function b32value(ch) {
    const c = ch === "O" ? "0" : ch === "I" || ch === "L" ? "1" : ch;
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error(`无效字符 ${ch} / invalid character ${ch}`);
    return v;
  }
  async function parseReceipt(text) {
    let raw = String(text).trim();
    if (raw.includes("/")) raw = raw.replace(/\/+$/, "").split("/").pop();
    if (raw.toUpperCase().startsWith("JXA:")) throw new Error("这是审计码，不是回执码 / this is an audit code, not a receipt code");
    const s = Array.from(raw.toUpperCase()).filter((ch) => !" -_\u3000".includes(ch)).join("");
    if (s.length !== 26 && s.length !== 28) throw new Error(`回执码应为 28 个字符，实为 ${s.length} 个 / a receipt code has 28 characters, got ${s.length}`);
    let v = 0n;
    for (const ch of s.slice(0, 26)) v = v * 32n + BigInt(b32value(ch));
    if (v >> 128n) throw new Error("第一个字符须为 0-3 / first character must be 0-3");
    const code = new Uint8Array(16);
    for (let i = 15; i >= 0; i--) { code[i] = Number(v & 255n); v >>= 8n; }
    if (s.length === 28) {
      const d = await sha256(concat(enc.encode("juxuan/check/v1"), code));
      const top = ((d[0] << 8) | d[1]) >> 6;
      const want = ALPHABET[top >> 5] + ALPHABET[top & 31];
      const got = Array.from(s.slice(26)).map((ch) => ALPHABET[b32value(ch)]).join("");
      if (want !== got) throw new Error("校验字符不符 / check characters do not match");
    }
    return code;
  }
  const lp = (u8) => { const l = new Uint8Array(4); new DataView(l.buffer).setUint32(0, u8.length); return concat(l, u8); };
  async function receiptHash(election, code) {
    return sha256hex(concat(lp(enc.encode("juxuan/receipt/v1")), lp(enc.encode(election)), lp(code)));
  }

  // ------------------------------------------------------------------ the checks (PROTOCOL.md §9)
  // Raised inside a check with its problem (a T message or text) when it cannot go on.
  class CheckFailed extends Error { constructor(m) { super(String(m)); this.said = m; } }
  const roundOf = (ev) => { const r = ev.payload.round === undefined ? 1 : ev.payload.round; return Number.isInteger(r) ? r : -1; };
  const sortedUnique = (values, what, out) => {
    for (let i = 1; i < values.length; i++) {
      if (!(cmpCodePoints(values[i - 1], values[i]) < 0)) { out.push(T(`${what.zh || what} 未按升序排列或有重复`, `${what.en || what} not sorted or repeated`)); return; }
    }
  };
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const get = (o, k, dflt) => (isObj(o) && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : dflt);
  // A key of the bundle's own (a box, a station, a post, a person) is looked up as an own
  // property, and counted in an object without a prototype: "__proto__", "constructor" or
  // "toString" is a name like any other, as in the Python verifier's dicts.
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const tally = () => Object.create(null);
  function sameVotes(a, b) {
    const diffs = [];
    for (const post of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const ca = get(a, post, {}), cb = get(b, post, {});  // own keys only: a person may be called "constructor"
      for (const who of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
        if (get(ca, who, 0) !== get(cb, who, 0)) diffs.push(T(`${post}/${who}：${get(ca, who, 0)} ≠ ${get(cb, who, 0)}`, `${post}/${who}`));
      }
    }
    return diffs;
  }
  function votesSum(groups) {
    const out = tally();
    for (const g of groups) for (const [post, cands] of Object.entries(g)) {
      out[post] = out[post] || tally();
      for (const [w, v] of Object.entries(cands)) out[post][w] = (out[post][w] || 0) + v;
    }
    return out;
  }

  function makeChecks() {
    const C = {};
    const genesis = (c) => { if (!c.events.length) throw new CheckFailed(T("事件链无效", "the chain is not valid")); return c.events[0].payload; };
    const kindEvents = (c, kinds) => c.events.filter((e) => kinds.has(e.kind));
    const last = (c, kind) => { for (let i = c.events.length - 1; i >= 0; i--) if (c.events[i].kind === kind) return c.events[i]; return null; };
    const firstCounting = (c, round) => kindEvents(c, COUNTING).find((e) => round === undefined || roundOf(e) === round) || null;
    const manifests = (c) => c.d.get("manifest.json");
    // The round's first polling.closed naming its electors before event seq (anywhere when null).
    const closedBefore = (c, seq, round) => c.events.find((e) => e.kind === "polling.closed" && roundOf(e) === (round === undefined ? c.round : round)
      && (seq === null || e.seq < seq) && Number.isInteger(e.payload.registered_voters)) || null;
    // An event's time (PROTOCOL.md §3): null, a day, a day and hour, or to the second (verify.AT_FORM).
    const AT_FORM = /^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}(:[0-9]{2}:[0-9]{2})?)?$/;

    C.chain = async (c) => {
      const evs = c.d.get("chain.jsonl");
      const problems = [];
      if (!evs.length) problems.push(T("事件链为空", "empty chain"));
      let prev = null;
      for (const ev of evs) {
        if (prev === null) {
          if (ev.seq !== 0 || ev.kind !== KIND.chainStarted || ev.prev !== "0".repeat(64)) { problems.push(T("创世事件错误（序号、类型或前一哈希）", "genesis")); break; }
          if (get(ev.payload, "protocol", null) !== PROTOCOL) { problems.push(T(`创世事件的协议不是 ${PROTOCOL}`, `genesis protocol is not ${PROTOCOL}`)); break; }
        } else {
          if (ev.seq !== prev.seq + 1) { problems.push(T(`第 ${prev.seq} 号事件之后的序号不连续`, `seq after ${prev.seq}`)); break; }
          if (ev.kind === KIND.chainStarted) { problems.push(T(`第 ${ev.seq} 号事件是第二个创世事件`, `second genesis at ${ev.seq}`)); break; }
          if (ev.prev !== prev.hash) { problems.push(T(`第 ${ev.seq} 号事件的前一哈希与上一事件不符`, `link at ${ev.seq}`)); break; }
        }
        const body = { at: ev.at, kind: ev.kind, payload: ev.payload, prev: ev.prev, seq: ev.seq };
        if (await sha256hex(concat(enc.encode("juxuan/event/v1\n"), canonBytes(body))) !== ev.hash) { problems.push(T(`第 ${ev.seq} 号事件的哈希不符`, `hash of ${ev.seq}`)); break; }
        prev = ev;
      }
      if (!problems.length) {
        for (const ev of evs) {
          if (ev.at !== null && !AT_FORM.test(ev.at) && problems.length < 5) problems.push(T(`第 ${ev.seq} 号事件的时间 at ${JSON.stringify(ev.at)} 不是 YYYY-MM-DD、YYYY-MM-DDTHH 或 YYYY-MM-DDTHH:MM:SS`, `event ${ev.seq}: at ${JSON.stringify(ev.at)} is not YYYY-MM-DD, YYYY-MM-DDTHH or YYYY-MM-DDTHH:MM:SS`));
        }
      }
      c.events = problems.length ? [] : evs;
      c.facts.head = c.events.length ? c.events[c.events.length - 1].hash : "";
      return [problems, T(`${c.events.length} 个事件，链接与哈希正确；链头 ${c.facts.head}`, `${c.events.length} events; head ${c.facts.head}`)];
    };
    C.election_key = async (c) => {
      const g = genesis(c);
      let k;
      try { k = await loadKey(c.raw.get("election_key.pem")); } catch (e) { throw new CheckFailed(T(`选举公钥：${e.message}`, `election key: ${e.message}`)); }
      c.facts.electionKeyObj = k;
      c.facts.election_key = k.fp;
      return [g.key !== k.fp ? [T("公示包中的选举公钥指纹与创世记录不符", "key fingerprint differs from genesis")] : [],
        T(`选举公钥指纹 ${k.fp}，与创世记录一致（请与选票和报告上印的指纹核对）`, `election key ${k.fp}`)];
    };
    C.pin_key = async (c) => {
      const want = normFp(c.pins.key), got = normFp(c.facts.election_key), gk = normFp(String(get(genesis(c), "key", "")));
      if (want.length !== 32) return [[T("指定的公钥指纹不是 32 位十六进制", "pinned fingerprint is not 32 hex digits")], ""];
      return [got !== want || gk !== want ? [T("公示包的选举公钥不是指定的公钥：事件链由另一把密钥重新制作", "not the pinned election key")] : [],
        T(`选举公钥与指定的指纹 ${c.pins.key} 相同`, `pinned key ${c.pins.key}`)];
    };
    C.head_signature = async (c) => {
      const k = c.facts.electionKeyObj, sig = c.d.get("head.sig");
      const head = c.events.length ? c.events[c.events.length - 1] : null;
      const g = genesis(c);
      if (!k || !(await verifySigned(k, sig))) return [[T("链头签名无法用公示的选举公钥验证", "head signature does not verify")], ""];
      const st = sig.statement;
      if (!head || st.head !== head.hash || st.seq !== head.seq) return [[T("签名的链头不是事件链的最后一个事件", "signed head is not the last event")], ""];
      if (st.type !== "juxuan/head/v1" || st.election !== g.election) return [[T("签名声明的类型或选举编号不符", "statement type or election differs")], ""];
      const notices = await noticesSigned(c, k, String(g.election));
      if (notices.length) return [notices, ""];
      return [[], T(`链头 ${head.hash}（序号 ${head.seq}）的签名有效`, `head ${head.hash} signed`)];
    };
    // Each printed chain-head notice the chain records (ledger.head_notice_printed {day, seq, head,
    // signature}, PROTOCOL.md §10) names an earlier event of this chain by seq and hash, signed by
    // the election key over that head statement (verify._notices_signed).
    async function noticesSigned(c, k, election) {
      const problems = [];
      for (const ev of c.events.filter((e) => e.kind === "ledger.head_notice_printed")) {
        const p = ev.payload, seq = get(p, "seq", null), head = get(p, "head", null), day = get(p, "day", null), sig = get(p, "signature", null);
        if (!(Number.isInteger(seq) && seq >= 0 && seq < ev.seq && typeof head === "string" && typeof day === "string" && typeof sig === "string")) {
          problems.push(T(`第 ${ev.seq} 号事件（链头公告）的 seq、head、day 或 signature 格式错误`, `event ${ev.seq} (head notice): seq, head, day or signature of the wrong form`));
        } else if (c.events[seq].hash !== head) {
          problems.push(T(`第 ${ev.seq} 号事件（链头公告）的链头 ${head.slice(0, 16)}… 不是本事件链第 ${seq} 号事件：公告属于另一选举或另一段历史`,
            `event ${ev.seq} (head notice): head ${head.slice(0, 16)}… is not event ${seq} of this chain: a notice of another election or another history`));
        } else if (!(await verifySigned(k, { statement: { type: "juxuan/head/v1", election, seq, head, date: day }, signature: sig, key: k.fp }))) {
          problems.push(T(`第 ${ev.seq} 号事件（链头公告）的签名不是本选举公钥对第 ${seq} 号链头（${day}）的签名`,
            `event ${ev.seq} (head notice): not signed by this election's key over head ${seq} (${day})`));
        }
      }
      return problems.slice(0, 5);
    }
    C.pin_head = async (c) => {
      let want = String(c.pins.head || "").trim(), election = null, seq = null;
      if (want.toLowerCase().startsWith("jxh:")) {  // the notice's QR: JXH:<election>:<seq>:<head>
        const rest = want.slice(4), i = rest.lastIndexOf(":");
        const front = i < 0 ? "" : rest.slice(0, i), j = front.lastIndexOf(":");
        want = rest.slice(i + 1);
        seq = front.slice(j + 1);
        election = j < 0 ? "" : front.slice(0, j);
      }
      want = want.toLowerCase();
      const genesisElection = String(genesis(c).election);
      if (election !== null && election !== genesisElection) {
        return [[T(`链头公告属于选举 ${JSON.stringify(election)}，本公示包是选举 ${JSON.stringify(genesisElection)} 的`,
          `the head notice is of election ${JSON.stringify(election)}, this bundle of ${JSON.stringify(genesisElection)}`)], ""];
      }
      const ev = c.events.find((e) => e.hash === want);
      if (ev && seq !== null && seq !== String(ev.seq)) {
        return [[T(`链头公告写明序号 ${JSON.stringify(seq)}，该链头却是第 ${ev.seq} 号事件`, `the head notice says seq ${JSON.stringify(seq)}, the head is event ${ev.seq}`)], ""];
      }
      return [ev ? [] : [T("指定的链头不在事件链中：历史被重新制作或截断", "pinned head is not in the chain")],
        T("指定的链头在事件链中，本公示包的事件链由它延续而来", "pinned head found")];
    };
    C.bundle_index = async (c) => {
      const idx = last(c, KIND.bundleExported);
      if (!idx) return [[T("事件链中没有 ledger.bundle_exported（文件索引）事件", "no ledger.bundle_exported event")], ""];
      const listed = idx.payload.files, optional = idx.payload.auditor_only === undefined ? [] : idx.payload.auditor_only;
      if (!isObj(listed) || !Array.isArray(optional)) return [[T(`第 ${idx.seq} 号事件的文件索引格式错误`, "bad index")], ""];
      const problems = [];
      for (const name of [...c.raw.keys()].sort(cmpCodePoints)) {
        if (SELF_AUTH.has(name)) continue;
        if (!(name in listed)) problems.push(T(`文件 ${name} 未列入文件索引`, `${name} not listed`));
        else if (listed[name] !== (await sha256hex(c.raw.get(name)))) problems.push(T(`文件 ${name} 的 SHA-256 与文件索引（第 ${idx.seq} 号事件）不符`, `${name} hash differs`));
      }
      for (const name of Object.keys(listed)) {
        if (!c.raw.has(name) && !(optional.includes(name) && AUDITOR_ONLY.has(name))) problems.push(T(`文件索引列出的 ${name} 不在公示包中`, `${name} missing`));
      }
      return [problems, T(`每个文件的 SHA-256 都列在第 ${idx.seq} 号事件中，由签名的链头覆盖`, `index at ${idx.seq}`)];
    };
    C.rulebook = async (c) => {
      let expected = get(genesis(c), "rulebook");
      for (const ev of kindEvents(c, new Set([KIND.rulebookChanged, KIND.rulebookDecided]))) {
        if ("rulebook_fingerprint" in ev.payload) expected = ev.payload.rulebook_fingerprint;
      }
      const rb = await sha256hex(canonBytes(c.d.get("rulebook.json")));
      return [rb !== expected ? [T("rulebook.json 的指纹与事件链记录的规则不符", "rulebook fingerprint differs")] : [],
        T("规则集与事件链记录的规则一致", "rulebook in force")];
    };
    C.rulebook_order = async (c) => {
      const problems = [];
      const published = kindEvents(c, new Set([KIND.rollPublished]))[0];
      const printed = kindEvents(c, new Set([KIND.ballotsPrinted]))[0];
      const counting = firstCounting(c);
      for (const ev of kindEvents(c, new Set([KIND.rulebookChanged, KIND.rulebookDecided]))) {
        const decision = ev.kind === KIND.rulebookDecided;
        if (published && ev.seq > published.seq && !decision) problems.push(T(`第 ${ev.seq} 号事件在选民名单公布之后修改规则，却不是选举委员会的决定`, `${ev.seq}: change after roll publication`));
        else if (printed && ev.seq > printed.seq && !decision) problems.push(T(`第 ${ev.seq} 号事件在选票印刷（第 ${printed.seq} 号）之后修改规则，却不是选举委员会的决定`, `${ev.seq}: change after the papers were printed (event ${printed.seq}), not a committee decision`));
        if (decision && !String(get(ev.payload, "_why", "")).trim()) problems.push(T(`第 ${ev.seq} 号事件修改冻结的规则，没有写明决定的理由`, `${ev.seq}: decision without reason`));
        if (counting && ev.seq > counting.seq) problems.push(T(`第 ${ev.seq} 号事件在计票开始之后修改规则`, `${ev.seq}: change after counting started`));
      }
      return [problems, T("规则在选民名单公布时冻结，之后只经选举委员会决定修改，计票开始后未改", "rulebook frozen")];
    };
    C.manifest = async (c) => {
      const g = genesis(c);
      const recorded = new Map();
      const problems = [];
      for (const e of kindEvents(c, new Set([KIND.ballotsPrinted]))) {
        if (roundOf(e) !== c.round) continue;
        const batch = get(e.payload, "batch", -1);
        if (!Number.isInteger(batch)) { problems.push(T(`第 ${e.seq} 号事件的批次号 ${JSON.stringify(batch)} 不是整数`, `event ${e.seq}: batch ${JSON.stringify(batch)} is not an integer`)); continue; }
        recorded.set(batch, get(e.payload, "digest", null));
      }
      const ms = manifests(c);
      const batches = [...recorded.keys()];
      const first = batches.length ? Math.min(...batches) : 0;
      if (!ms.length) problems.push(T("没有印刷清单", "no manifest"));
      for (let i = 0; i < ms.length; i++) {
        const m = ms[i];
        if (m.batch !== first + i) problems.push(T(`清单批次 ${m.batch}：批次号顺序不对`, `batch ${m.batch} out of order`));
        if (m.election !== g.election) problems.push(T(`清单批次 ${m.batch}：选举编号与创世记录不符`, "election differs"));
        if (m.type !== "juxuan/manifest/v1") problems.push(T(`清单批次 ${m.batch}：类型应为 juxuan/manifest/v1`, "type"));
        if (m.receipt_count !== m.receipts.length || m.audit_count !== m.audits.length) problems.push(T(`清单批次 ${m.batch}：数量字段与列表长度不符`, "counts"));
        if (m.receipts.length !== m.audits.length) problems.push(T(`清单批次 ${m.batch}：回执哈希与审计哈希的个数不同，每张选票应各一个`, "R and D counts differ"));
        if (recorded.get(m.batch) !== (await sha256hex(canonBytes(m)))) problems.push(T(`清单批次 ${m.batch}：摘要与印刷时记入事件链的摘要不符`, `batch ${m.batch} digest differs from the chain`));
      }
      const have = new Set(ms.map((m) => m.batch));
      for (const b of recorded.keys()) if (!have.has(b)) problems.push(T(`事件链记录了清单批次 ${b}，公示包中却没有`, `batch ${b} recorded but missing`));
      return [problems, T(`第 ${c.round} 轮 ${ms.length} 批清单，摘要与事件链一致`, `${ms.length} batches`)];
    };
    C.manifest_order = async (c) => {
      const problems = [];
      for (const ev of kindEvents(c, new Set([KIND.ballotsPrinted]))) {
        const counting = firstCounting(c, roundOf(ev));
        if (counting && ev.seq > counting.seq) problems.push(T(`第 ${ev.seq} 号事件（印刷清单）记在该轮计票开始之后`, `manifest event ${ev.seq} after counting`));
      }
      return [problems, T("每轮的印刷与补印清单都记在该轮计票开始之前", "manifests before counting")];
    };
    C.lists = async (c) => {
      const out = [];
      for (const m of manifests(c)) { sortedUnique(m.receipts, T("清单的回执哈希", "manifest R"), out); sortedUnique(m.audits, T("清单的审计哈希", "manifest D"), out); }
      // A code printed in two of the round's batches: the first of each kind (verify._in_two_batches).
      for (const [field, zh, en] of [["receipts", "回执哈希 R", "receipt hash R"], ["audits", "审计哈希 D", "audit hash D"]]) {
        const earlier = new Map();
        for (const m of manifests(c)) {
          const again = m[field].find((x) => earlier.has(x));
          if (again !== undefined) {
            out.push(T(`${zh} ${again.slice(0, 16)}… 既在清单批次 ${earlier.get(again)} 又在批次 ${m.batch}：同一编号印在两张选票上`,
              `${en} ${again.slice(0, 16)}… is in manifest batch ${earlier.get(again)} and in batch ${m.batch}: one code on two papers`));
            break;
          }
          for (const x of m[field]) earlier.set(x, m.batch);
        }
      }
      for (const n of ["spoiled.json", "unused.json", "voided.json"]) sortedUnique(c.d.get(n), n, out);
      const unused = new Set(c.d.get("unused.json"));
      if (c.d.get("spoiled.json").some((r) => unused.has(r))) out.push(T("作废与未用选票有重叠", "spoiled and unused overlap"));
      const seen = new Map();
      const boxes = c.d.get("deposits.json").boxes;
      for (const b of Object.keys(boxes).sort(cmpCodePoints)) {
        sortedUnique(boxes[b].receipts, T(`票箱 ${b} 的存根`, `box ${b}`), out);
        for (const r of new Set(boxes[b].receipts)) seen.set(r, (seen.get(r) || 0) + 1);
      }
      if ([...seen.values()].some((n) => n > 1)) out.push(T("有存根出现在两个票箱中", "a receipt in two boxes"));
      for (const g of c.d.get("box_totals.json")) sortedUnique(g.boxes, T("票箱组", "box group"), out);
      if (c.d.has("records.jsonl")) sortedUnique(c.d.get("records.jsonl").map((r) => r.d), T("计票记录", "records"), out);
      return [out, T("每个列表按升序排列、没有重复；作废与未用不相交；每个存根只在一个票箱", "lists sorted and unique")];
    };
    C.deposits = async (c) => {
      const inR = new Set(manifests(c).flatMap((m) => m.receipts));
      const voidR = new Set([...c.d.get("spoiled.json"), ...c.d.get("unused.json")]);
      const problems = [];
      for (const [box, o] of Object.entries(c.d.get("deposits.json").boxes)) {
        if (o.receipts.some((r) => !inR.has(r))) problems.push(T(`票箱 ${box}：有存根回执哈希不在本轮印刷清单中`, `box ${box}: receipt not in manifest`));
        if (o.receipts.some((r) => voidR.has(r))) problems.push(T(`票箱 ${box}：有存根属于作废或未用选票`, `box ${box}: voided receipt deposited`));
      }
      for (const r of voidR) if (!inR.has(r)) problems.push(T("有作废/未用选票的回执哈希不在印刷清单中", "voided receipt not in manifest"));
      return [problems, T("存根均在清单中、不属于作废或未用选票", "deposits in manifest")];
    };
    C.merkle = async (c) => {
      const dep = c.d.get("deposits.json");
      const problems = [];
      const everything = [];
      c.facts.levels = {};
      for (const box of Object.keys(dep.boxes).sort(cmpCodePoints)) {
        const o = dep.boxes[box];
        const leaves = [...o.receipts].sort(cmpCodePoints);
        if (leaves.some((x, i) => i && x === leaves[i - 1])) { problems.push(T(`票箱 ${box} 的存根有重复，无法建树`, `box ${box} has repeated leaves`)); continue; }
        everything.push(...leaves);
        const root = await merkleRoot(leaves);
        if (o.root !== root) problems.push(T(`票箱 ${box} 的默克尔根与重新计算的结果不符`, `box ${box} root differs`));
        if (o.count !== leaves.length) problems.push(T(`票箱 ${box} 的存根数量字段与实际列出的不符`, `box ${box} count differs`));
      }
      const all = [...everything].sort(cmpCodePoints);
      if (all.some((x, i) => i && x === all[i - 1])) problems.push(T("全部存根中有重复，无法建树", "repeated leaves overall"));
      else if ((await merkleRoot(all)) !== dep.root) problems.push(T("全部存根的默克尔根与重新计算的结果不符", "overall root differs"));
      if (dep.type !== "juxuan/deposits/v1") problems.push(T("deposits.json 的类型应为 juxuan/deposits/v1", "type"));
      return [problems, T(`各票箱及总的默克尔根均已重算（总根 ${dep.root}）`, `root ${dep.root}`)];
    };
    // counting.box_merged of the round: a mobile station's box poured into a fixed station's
    // box before counting (as verify.py _merges): mobile box -> receiving box, and problems.
    const merges = (c) => {
      const boxes = c.d.get("boxes.json"), merged = new Map(), problems = [];
      const mobile = new Set(kindEvents(c, new Set([KIND.stationCreated]))
        .filter((e) => e.payload.mobile === true).map((e) => e.payload.station));
      const start = firstCounting(c, c.round);
      for (const e of kindEvents(c, new Set([KIND.boxMerged]))) {
        if (roundOf(e) !== c.round) continue;
        const box = e.payload.box, into = e.payload.into;
        if (typeof box !== "string" || typeof into !== "string" || !own(boxes, box) || !own(boxes, into)) {
          problems.push(T(`第 ${e.seq} 号事件倒入的票箱不在票箱清单中`, `event ${e.seq}: merged boxes not in boxes.json`));
        } else if (!mobile.has(boxes[box].station)) {
          problems.push(T(`第 ${e.seq} 号事件：投票站 ${boxes[box].station} 的票箱 ${box} 不是流动票箱`, `event ${e.seq}: box ${box} of station ${boxes[box].station} is not a mobile box`));
        } else if (mobile.has(boxes[into].station)) {
          problems.push(T(`第 ${e.seq} 号事件把票箱 ${box} 倒入流动票箱 ${into}：只能倒入固定投票站的票箱`, `event ${e.seq}: box ${box} poured into mobile box ${into}`));
        } else if (merged.has(box)) {
          problems.push(T(`第 ${e.seq} 号事件：流动票箱 ${box} 已倒入过，不能再次倒入`, `event ${e.seq}: mobile box ${box} poured twice`));
        } else if (start !== null && start.seq < e.seq) {
          problems.push(T(`第 ${e.seq} 号事件在本轮计票开始（第 ${start.seq} 号事件）之后才倒入流动票箱 ${box}`, `event ${e.seq}: mobile box ${box} poured after counting began (event ${start.seq})`));
        } else merged.set(box, into);
      }
      return [merged, problems];
    };
    C.boxes = async (c) => {
      const boxes = c.d.get("boxes.json"), dep = c.d.get("deposits.json").boxes;
      const [merged, problems] = merges(c);
      const stubs = (b) => (own(dep, b) ? dep[b].receipts.length : 0);
      const expected = new Map(Object.keys(boxes).map((b) => [b, merged.has(b) ? 0 : stubs(b)]));
      for (const [m, into] of merged) expected.set(into, expected.get(into) + stubs(m));
      for (const b of new Set([...Object.keys(boxes), ...Object.keys(dep)])) {
        if (!own(boxes, b)) { problems.push(T(`票箱 ${b} 有存根，但 boxes.json 中没有它`, `box ${b} missing from boxes.json`)); continue; }
        if (boxes[b].deposited !== stubs(b)) problems.push(T(`boxes.json 记票箱 ${b} 的投入张数与 deposits.json 的存根数不同`, `box ${b} deposited field differs`));
        if (boxes[b].records !== expected.get(b)) problems.push(T(`票箱 ${b}：计票记录张数与投入存根（含倒入的流动票箱）不等`, `box ${b} records differ from stubs`));
      }
      return [problems, T("各票箱：投入数与存根列表一致，存根数 = 计票记录数", "boxes agree")];
    };
    C.reconcile = async (c) => {
      const boxes = c.d.get("boxes.json"), iss = c.d.get("issuance.json");
      const problems = [];
      const per = tally();
      for (const o of Object.values(boxes)) per[o.station] = (per[o.station] || 0) + o.deposited;
      for (const [st, n] of Object.entries(per)) if (n > get(iss, st, 0)) problems.push(T(`投票站 ${st}：票箱中的存根多于发出的选票`, `station ${st} deposited more than issued`));
      const issued = sum(Object.values(iss));
      const printed = sum(manifests(c).map((m) => m.receipts.length));
      if (printed !== issued + c.d.get("spoiled.json").length + c.d.get("unused.json").length) problems.push(T("印制张数不等于发出 + 作废 + 未用", "printed ≠ issued + spoiled + unused"));
      if (c.d.get("totals.json").returned > issued) problems.push(T("收回多于发出", "returned > issued"));
      // papers_issued decides validity in the rules: it is the stations' issuance, anchored by the hourly counts.
      const ti = c.d.get("tally_input.json");
      const kind = own(ti, "round") ? ti.round : "main";
      if ((kind === "main" || kind === "runoff") && !(ti.body_papers && Object.keys(ti.body_papers).length) && ti.papers_issued !== issued) {
        problems.push(T(`tally_input.json 的发出选票 ${ti.papers_issued} 张，与各投票站发出合计 ${issued} 张不符`, "tally_input.json papers_issued differs from the stations' issuance"));
      }
      problems.push(...hoursRecorded(c));
      return [problems, T("印制 = 发出 + 作废 + 未用；各投票站发出 ≥ 存根；收回 ≤ 发出", "papers reconcile")];
    };
    // The close of poll's hourly counts against the bundle's (verify._hours_recorded): lower bounds,
    // and exact (those recorded before the count began) once a polling.closed precedes the round's
    // first counting event. Per station issued × papers per voter (one per body printed apart),
    // per box label deposited.
    function hoursRecorded(c) {
      const count = (e, f) => { const v = e.payload[f]; return Number.isInteger(v) && v >= 0 ? v : 0; };
      const start = firstCounting(c, c.round);
      const cut = start ? start.seq : null;
      const exact = closedBefore(c, cut) !== null;
      const issued = new Map(), deposited = new Map(), spoiled = new Map();
      for (const [kind, key, field, into] of [["polling.issuance_hour_recorded", "station", "issued", issued],
        ["polling.issuance_hour_recorded", "station", "spoiled", spoiled],
        ["polling.deposit_hour_recorded", "box", "deposited", deposited]]) {
        for (const e of c.events) {
          if (e.kind === kind && roundOf(e) === c.round && typeof e.payload[key] === "string" && !(exact && cut !== null && e.seq > cut)) {
            into.set(e.payload[key], (into.get(e.payload[key]) || 0) + count(e, field));
          }
        }
      }
      const bodies = new Set(c.events.filter((e) => e.kind === KIND.ballotsPrinted && roundOf(e) === c.round)
        .map((e) => e.payload.body).filter((b) => typeof b === "string" && b !== ""));
      const per = Math.max(1, bodies.size);
      const iss = c.d.get("issuance.json"), boxes = c.d.get("boxes.json"), deps = c.d.get("deposits.json").boxes;
      const problems = [];
      const stations = new Set([...issued.keys(), ...(exact ? Object.keys(iss) : [])]);
      for (const st of stations) {
        const have = own(iss, st) ? iss[st] : 0, n = (issued.get(st) || 0) * per;
        if (have < n) problems.push(T(`投票站 ${st}：issuance.json 的发出张数少于链上逐时记录的`, `station ${st}: issued fewer than the chain's hourly counts`));
        else if (exact && have > n) problems.push(T(`投票站 ${st}：issuance.json 的发出张数多于计票开始前链上逐时记录的`, `station ${st}: issued more than the chain's hourly counts before the count`));
      }
      // Spoiled papers (写错换票), one per exchange whatever the bodies: spoiled.json holds at least
      // those the hours recorded, exactly those once the poll closed before the count.
      const spoiledHave = c.d.get("spoiled.json").length, spoiledN = sum([...spoiled.values()]);
      if (spoiledHave < spoiledN) problems.push(T(`spoiled.json 作废选票 ${spoiledHave} 张，少于链上逐时记录的写错换票 ${spoiledN} 张`, `spoiled.json lists ${spoiledHave} papers, fewer than the chain's hourly spoiled counts (${spoiledN})`));
      else if (exact && spoiledHave > spoiledN) problems.push(T(`spoiled.json 作废选票 ${spoiledHave} 张，多于计票开始前链上逐时记录的写错换票 ${spoiledN} 张（闭票后增加了作废选票）`, `spoiled.json lists ${spoiledHave} papers, more than the chain's hourly spoiled counts before the count (${spoiledN})`));
      const matched = new Set();
      for (const [label, n] of deposited) {
        let held = 0;
        for (const [k, d] of Object.entries(deps)) {
          if (k === label || (own(boxes, k) && k === `${boxes[k].station}/${label}`)) { held += d.receipts.length; matched.add(k); }
        }
        if (held < n) problems.push(T(`票箱 ${label}：存根少于链上逐时记录投入的`, `box ${label}: fewer stubs than the chain's hourly deposits`));
        else if (exact && held > n) problems.push(T(`票箱 ${label}：存根多于计票开始前链上逐时记录投入的`, `box ${label}: more stubs than the chain's hourly deposits before the count`));
      }
      if (exact) {
        for (const [k, d] of Object.entries(deps)) if (!matched.has(k) && d.receipts.length) problems.push(T(`票箱 ${k}：计票开始前链上没有它的逐时投入记录`, `box ${k}: stubs without hourly deposits in the chain`));
      }
      return problems;
    }
    C.totals = async (c) => {
      const t = c.d.get("totals.json"), boxes = c.d.get("boxes.json"), groups = c.d.get("box_totals.json");
      const problems = [];
      if (t.returned !== sum(Object.values(boxes).map((o) => o.records))) problems.push(T("收回票数与各票箱计票记录之和不符", "returned ≠ records"));
      const grouped = groups.flatMap((g) => g.boxes).sort(cmpCodePoints);
      const names = Object.keys(boxes).sort(cmpCodePoints);
      if (grouped.length !== names.length || grouped.some((b, i) => b !== names[i])) problems.push(T("分箱统计的票箱与票箱清单不一致（缺少或重复）", "box groups do not partition the boxes"));
      const mb = get(c.d.get("rulebook.json"), "min_box_size", 30);
      const minBox = Number.isInteger(mb) && typeof mb !== "boolean" ? mb : 30;
      let previous = [];
      for (const g of groups) {
        const n = sum(g.boxes.filter((b) => own(boxes, b)).map((b) => boxes[b].records));
        if (g.papers !== n) problems.push(T(`票箱组 ${g.boxes.join(",")} 的票数与计票记录不符`, "group papers differ"));
        if (n < minBox && groups.length > 1) problems.push(T(`票箱组 ${g.boxes.join(",")} 只有 ${n} 张选票，少于 ${minBox} 张，不得单独公布`, "group under the minimum size"));
        if (previous.length && g.boxes.length && cmpCodePoints(previous[previous.length - 1], g.boxes[0]) >= 0) problems.push(T("票箱组未按顺序排列", "groups out of order"));
        previous = g.boxes;
      }
      problems.push(...sameVotes(votesSum(groups.map((g) => g.posts)), t.posts));
      if (t.round !== c.round) problems.push(T("轮次不符", "round"));
      problems.push(...resultPosts(c));
      return [problems, T(`收回 ${t.returned} 张 = 各票箱计票记录之和；各票箱组票数之和等于总票数`, "totals add up")];
    };
    // totals.json's result.posts are tally_input.json's posts: the same keys, each with its seats,
    // rank, body and its candidates' person ids in order (verify._result_posts).
    const resultPosts = (c) => {
      const posts = get(c.d.get("totals.json").result, "posts", undefined);
      if (posts === undefined) return [];
      const ti = c.d.get("tally_input.json"), want = new Map();
      const val = (o, f) => (isObj(o) && own(o, f) ? o[f] : null);
      for (const p of ti.posts) want.set(p.key, { seats: val(p, "seats"), rank: val(p, "rank"), body: val(p, "body"),
        candidates: ti.candidates.filter((x) => val(x, "post") === p.key).map((x) => val(x, "person")) });
      const keys = isObj(posts) ? Object.keys(posts) : [];
      if (!isObj(posts) || keys.length !== want.size || keys.some((k) => !want.has(k))) return [T("totals.json 的 result.posts 与 tally_input.json 的职位不一致", "totals.json result.posts differ from tally_input.json's posts")];
      const out = [];
      for (const k of [...want.keys()].sort(cmpCodePoints)) {
        for (const f of ["seats", "rank", "body", "candidates"]) {
          const theirs = val(posts[k], f);
          if (!isObj(posts[k]) || canon(theirs) !== canon(want.get(k)[f])) out.push(T(`totals.json 职位 ${k} 的 ${f} 为 ${JSON.stringify(theirs)}，tally_input.json 为 ${JSON.stringify(want.get(k)[f])}`, `totals.json post ${k}: ${f} ${JSON.stringify(theirs)}, tally_input.json ${JSON.stringify(want.get(k)[f])}`));
        }
      }
      return out.slice(0, 5);
    };
    C.bounds = async (c) => {
      const t = c.d.get("totals.json"), ti = c.d.get("tally_input.json");
      const posts = tally();
      for (const p of ti.posts) posts[p.key] = p;
      const problems = [];
      const same = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
      const keys = Object.keys(posts);
      if (!same(Object.keys(t.posts), keys) || !same(Object.keys(t.counts.posts), keys)) problems.push(T("totals.json 的职位与 tally_input.json 不一致", "posts differ from tally_input.json"));
      for (const [key, votes] of Object.entries(t.posts)) {
        if (!own(posts, key) || !own(t.counts.posts, key)) continue;
        const pc = t.counts.posts[key];
        const invalid = pc.overvoted + pc.unreadable + t.counts.whole_invalid;
        if (invalid > t.returned) { problems.push(T(`${key}：无效票多于收回票数`, `${key}: invalid > returned`)); continue; }
        const valid = t.returned - invalid;
        if (sum(Object.values(votes)) > posts[key].seats * valid) problems.push(T(`${key}：赞成票总数超过应选名额 × 有效票`, `${key}: approvals over seats × valid papers`));
        for (const v of Object.values(votes)) if (v > valid) problems.push(T(`${key}：有人的得票多于有效票`, `${key}: votes over valid papers`));
        for (const v of Object.values(pc.opposed)) if (v > valid) problems.push(T(`${key}：有人的反对票多于有效票`, `${key}: oppositions over valid papers`));
      }
      // One paper per body (body_papers): returned <= issued and turnout per body, as in the tally.
      const perBody = Object.entries(ti.body_papers || {}).sort();
      let sheets = [["", t.returned, ti.papers_issued]];
      if (perBody.length) {
        if (sum(perBody.map(([, bp]) => bp.returned)) !== t.returned) problems.push(T("各组织选票的收回数之和不等于收回票数", "body papers do not add up to returned"));
        sheets = perBody.map(([b, bp]) => [`${b} `, bp.returned, bp.issued]);
      }
      for (const [name, back, issued] of sheets) {
        if (back > issued) problems.push(T(`${name}收回多于发出`, `${name}returned > issued`));
        if (back > ti.registered_voters && ti.round === "main") problems.push(T(`${name}收回多于登记选民`, `${name}returned > registered`));
      }
      const turnout = sheets.map(([name, back]) => `${name}${back}/${ti.registered_voters}`);
      return [problems, T(`每个职位赞成票 ≤ 应选名额 × 有效票；收回 ≤ 发出；投票率（以登记选民计）${turnout.join("，")}`, `turnout ${turnout.join(", ")}`)];
    };
    // tally_input.json's registered_voters against the round's close of poll (verify._electors_at_close):
    // fixed before counting; events without the field fix nothing.
    // A round counted needs such a close before its first counting event (verify._closed_before).
    const electorsAtClose = (c) => {
      const problems = c.events.filter((e) => e.kind === "polling.closed" && roundOf(e) === c.round
          && own(e.payload, "registered_voters") && e.payload.registered_voters !== c.d.get("tally_input.json").registered_voters)
        .map((e) => T(`tally_input.json 的登记选民数与投票结束时（第 ${e.seq} 号事件）记录的不同`, `registered_voters differs from the close of poll (event ${e.seq})`));
      // Every round the chain counted, the bundle's and any other (verify._electors_at_close).
      const rounds = [...new Set([...kindEvents(c, COUNTING).map(roundOf), c.round])].sort((a, b) => a - b);
      for (const number of rounds) {
        const start = firstCounting(c, number);
        if (start && closedBefore(c, start.seq, number) === null) {
          problems.push(T(`第 ${number} 轮在第 ${start.seq} 号事件开始计票，此前没有本轮的闭票事件（polling.closed）`, `round ${number}: counting began (event ${start.seq}) with no close of poll before it`));
        }
      }
      return problems;
    };
    // The round's result in force (the last; each earlier one withdrawn by a result.reopened)
    // and what the order of the round's events breaks (verify._result_in_force).
    const resultInForce = (c) => {
      let current = null;
      const problems = [];
      for (const e of c.events) {
        if (roundOf(e) !== c.round) continue;
        if (e.kind === KIND.resultPublished) {
          if (current) problems.push(T(`本轮有不止一个结果公布事件：第 ${e.seq} 号事件之前没有撤回第 ${current.seq} 号事件的 result.reopened`, `more than one result event: none reopens event ${current.seq} before event ${e.seq}`));
          current = e;
        } else if (e.kind === "result.reopened") current = null;
        else if (COUNT_CHANGING.has(e.kind) && current) problems.push(T(`第 ${e.seq} 号事件（${e.kind}）在第 ${current.seq} 号事件（结果公布）之后更改计票，其间没有 result.reopened`, `event ${e.seq} (${e.kind}) changes the count after the result (event ${current.seq}) with no result.reopened between`));
      }
      return [current, problems];
    };
    C.result_event = async (c) => {
      const [inForce, order] = resultInForce(c);
      const evs = inForce ? [inForce] : [];
      const t = c.d.get("totals.json"), elected = t.result.elected;
      const closed = electorsAtClose(c);
      if (!evs.length) return [[...(Object.values(elected).some((v) => v.length) ? [T("totals.json 列有当选人，事件链中却没有结果公布事件", "elected listed but no result event")] : []), ...order, ...closed], T("本轮结果尚未公布", "not published")];
      if (order.length) return [order, ""];
      const p = evs[0].payload;
      const posts = get(p, "posts", {});
      if (!isObj(posts) || !Object.values(posts).every((v) => isObj(v) && isObj(get(v, "votes", {})) && Array.isArray(get(v, "elected", []))
          && get(v, "elected", []).every((x) => typeof x === "string"))) return [[T(`第 ${evs[0].seq} 号事件的职位格式错误`, `event ${evs[0].seq}: posts of the wrong form`)], ""];
      const votes = {};
      for (const [k, v] of Object.entries(posts)) votes[k] = get(v, "votes", {});
      const problems = [...closed, ...sameVotes(t.posts, votes)];
      for (const k of new Set([...Object.keys(posts), ...Object.keys(elected)])) {
        const a = [...get(posts[k] || {}, "elected", [])].sort(), b = [...(elected[k] || [])].sort();
        if (a.length !== b.length || a.some((x, i) => x !== b[i])) problems.push(T(`${k}：当选人与结果公布事件不同`, `${k}: elected differ from the event`));
      }
      if (get(p, "papers_returned", null) !== t.returned) problems.push(T("收回票数与结果公布事件不同", "returned differs"));
      const ti = c.d.get("tally_input.json");
      for (const f of ["papers_issued", "registered_voters"]) if (get(p, f, null) !== ti[f]) problems.push(T(`${f} 与结果公布事件不同`, `${f} differs`));
      for (const f of ["valid", "next_round"]) if (Object.prototype.hasOwnProperty.call(t.result, f) && get(p, f, null) !== t.result[f]) problems.push(T(`${f} 与结果公布事件不同`, `${f} differs`));
      return [problems, T(`票数、当选人、收回与发出票数与第 ${evs[0].seq} 号事件（结果公布）一致`, `agrees with event ${evs[0].seq}`)];
    };
    // The rules of winning (PROTOCOL.md §14, juxuan-rules.js) from tally_input.json, rulebook.json and the counts.
    C.winners = async (c) => {
      const rules = root.JuxuanRules || require("./juxuan-rules.js");
      const events = kindEvents(c, new Set([KIND.resultPublished])).filter((e) => roundOf(e) === c.round);
      const [problems, detail] = rules.winnersProblems({ tallyInput: c.d.get("tally_input.json"), rulebook: c.d.get("rulebook.json"),
        totals: c.d.get("totals.json"), events, fixed: seatsFixed(c),
        relationEvents: c.events.filter((e) => e.kind === "nomination.relation_added") });
      const ti = c.d.get("tally_input.json"), people = rules.publishedPeople(c.events);
      const named = [...rules.lateCorrections(c.events),
        ...rules.asPublished(people, ti.candidates, ["name", "sex"], "tally_input.json candidate"),
        ...rules.asPublished(people, own(ti, "prior_elected") && Array.isArray(ti.prior_elected) ? ti.prior_elected : [], ["sex"],
          "tally_input.json prior_elected"),
        ...rules.asPublished(people, writeInsOf(ti), ["name", "sex"], "tally_input.json write-in"),
        ...writeInsAnchored(c, rules, people)];
      return [[...problems, ...listedBeforePrint(c), ...priorKept(c), ...named, ...rules.namesPlain(ti)], detail];
    };
    const writeInsOf = (ti) => (own(ti, "write_ins") && Array.isArray(ti.write_ins) ? ti.write_ins.filter(isObj) : []);
    // Write-ins (另选他人) are on no list: each tally_input.json write_ins entry has its name and
    // sex in the chain, and every write-in the anchor of the round's last result.published names
    // is in tally_input.json (verify_tally._write_ins_anchored).
    function writeInsAnchored(c, rules, people) {
      const ti = c.d.get("tally_input.json"), problems = [];
      const written = writeInsOf(ti);
      for (const w of written) {
        const known = typeof w.person === "string" && people.has(w.person) ? people.get(w.person) : {};
        if (!("name" in known) || !("sex" in known)) problems.push(T(`tally_input.json 的另选他人 ${JSON.stringify(w.person)}：事件链中（本轮结果公布之前的 result.write_ins_named）没有其姓名与性别`, `tally_input.json write-in ${JSON.stringify(w.person)}: no name and sex in the chain (result.write_ins_named before the round's result.published)`));
      }
      const published = c.events.filter((e) => e.kind === KIND.resultPublished && roundOf(e) === c.round);
      const lastSeq = published.length ? published[published.length - 1].seq : null;
      const last = rules.writeInAnchors(c.events).find((e) => lastSeq !== null && e.seq === lastSeq - 1) || null;
      const have = new Set([...written, ...(Array.isArray(ti.candidates) ? ti.candidates.filter(isObj) : [])].map((x) => x.person));
      for (const x of last !== null && Array.isArray(last.payload.write_ins) ? last.payload.write_ins : []) {
        if (isObj(x) && !have.has(x.person)) problems.push(T(`第 ${last.seq} 号事件：另选他人 ${JSON.stringify(x.person)} 不在 tally_input.json 的 write_ins 中`, `event ${last.seq}: write-in ${JSON.stringify(x.person)} is not in tally_input.json's write_ins`));
      }
      return problems;
    }
    // A later round's prior_elected: the earlier rounds' elected who still serve (verify_tally._prior_kept).
    function priorKept(c) {
      if (c.round <= 1) return [];
      const persons = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);
      const elected = new Map();
      const vacated = new Set();
      const pair = (post, person) => JSON.stringify([post, person]);
      for (const e of c.events) {
        const p = e.payload, r = roundOf(e);
        if (e.kind === "result.published") {
          const set = new Set();
          if (isObj(p.posts)) for (const [k, v] of Object.entries(p.posts)) if (isObj(v)) for (const x of persons(v.elected)) set.add(pair(k, x));
          elected.set(r, set);
        } else if (e.kind === "result.woman_member_decided") {
          const set = new Set();
          if (isObj(p.elected)) for (const [k, v] of Object.entries(p.elected)) for (const x of persons(v)) set.add(pair(k, x));
          elected.set(r, set);
        } else if (e.kind === "result.reopened") elected.delete(r);
        else if (e.kind === "seat.vacated" && typeof p.post === "string" && typeof p.person === "string") vacated.add(pair(p.post, p.person));
      }
      const chain = new Set();
      for (const [r, set] of elected) if (r >= 1 && r < c.round) for (const x of set) if (!vacated.has(x)) chain.add(x);
      const ti = c.d.get("tally_input.json");
      const have = new Set((own(ti, "prior_elected") ? ti.prior_elected : []).map((x) => pair(x.post, x.person)));
      const equal = have.size === chain.size && [...have].every((x) => chain.has(x));
      return equal ? [] : [T("tally_input.json 的 prior_elected 与前几轮当选且仍在任的人不一致", "prior_elected differs from the earlier rounds' elected still serving")];
    }
    // Round 1's candidates: the formal list as it stood at the round's first printing
    // (verify_tally._listed_before_print): ids and persons per post, order aside.
    function listedBeforePrint(c) {
      if (c.round !== 1) return [];
      const prints = c.events.filter((e) => e.kind === KIND.ballotsPrinted && roundOf(e) === 1).map((e) => e.seq);
      const first = prints.length ? Math.min(...prints) : Infinity;
      let lists = new Map();
      for (const e of c.events) {
        if (e.seq >= first || (e.kind !== "nomination.list_published" && e.kind !== "nomination.withdrawn")) continue;
        const entries = e.kind === "nomination.list_published" ? e.payload.candidates : e.payload.list;
        if (!Array.isArray(entries) || (e.kind === "nomination.withdrawn" && !entries.length)) continue;
        if (e.kind === "nomination.list_published") lists = new Map();
        const posts = new Set(entries.filter(isObj).map((x) => x.post));
        for (const post of posts) if (typeof post === "string") lists.set(post, entries.filter((x) => isObj(x) && x.post === post));
      }
      const id = (x) => (typeof x === "string" || Number.isSafeInteger(x) ? String(x) : "");
      const pairs = (xs, key) => xs.map((x) => JSON.stringify([id(own(x, key) ? x[key] : null), id(own(x, "person") ? x.person : null)])).sort();
      const ti = c.d.get("tally_input.json");
      const problems = [];
      for (const p of ti.posts) {
        const entries = lists.get(p.key);
        if (!entries || !entries.length || !entries.every((x) => own(x, "candidate"))) continue;
        const named = pairs(entries, "candidate");
        const have = pairs(ti.candidates.filter((x) => isObj(x) && own(x, "post") && x.post === p.key), "id");
        if (named.length !== have.length || named.some((x, i) => x !== have[i])) problems.push(T(`职位 ${p.key}：候选人与印制选票前公布的名单不同`, `post ${p.key}: candidates differ from the list published before printing`));
      }
      return problems;
    }
    // Each post's seats as the chain fixed them before the round's papers (verify_tally._seats_fixed):
    // round 1's from election.created's bodies (post key <body>_<title>), a later round's from its
    // last round.created or seat.by_election_called; none when the chain holds no such event.
    function seatsFixed(c) {
      const posts = new Map();
      if (c.round === 1) {
        const made = c.events.filter((e) => e.kind === "election.created");
        const bodies = made.length ? made[0].payload.bodies : undefined;
        if (!isObj(bodies)) return { posts, seq: null };
        for (const [body, titles] of Object.entries(bodies)) {
          if (isObj(titles)) for (const [title, n] of Object.entries(titles)) posts.set(`${body}_${title}`, { seats: n });
        }
        return { posts, seq: made[0].seq };
      }
      const called = c.events.filter((e) => (e.kind === "round.created" || e.kind === "seat.by_election_called"
        || e.kind === "nomination.round_candidates_published") && roundOf(e) === c.round);
      const last = called.length ? called[called.length - 1] : null;
      if (!last || !isObj(last.payload.posts)) return { posts, seq: null };
      for (const [k, v] of Object.entries(last.payload.posts)) if (isObj(v)) posts.set(k, v);
      return { posts, seq: last.seq };
    }
    C.voided = async (c) => {
      const inD = new Set(manifests(c).flatMap((m) => m.audits));
      const v = c.d.get("voided.json");
      const problems = [];
      if (v.some((d) => !inD.has(d))) problems.push(T("有作废选票的审计哈希不在清单中", "voided D not in manifest"));
      if (v.length !== c.d.get("spoiled.json").length + c.d.get("unused.json").length) problems.push(T("作废选票审计哈希的个数不等于作废 + 未用张数", "voided count differs"));
      return [problems, T(`${v.length} 张作废与未用选票的审计哈希 D 已公布且都在清单中`, `${v.length} voided D`)];
    };
    C.countersignature = async (c) => {
      if (!c.d.has("countersign.json")) return [[T("公示包中没有街道会签", "no countersignature")], ""];
      let k;
      try { k = await loadKey(c.raw.get("office_key.pem") || new Uint8Array(0)); } catch (e) { throw new CheckFailed(T(`街道公钥：${e.message}`, `office key: ${e.message}`)); }
      const cs = c.d.get("countersign.json");
      c.facts.office_key = k.fp;
      const head = c.events.length ? c.events[c.events.length - 1] : null;
      const st = cs.statement;
      if (!(await verifySigned(k, cs))) return [[T("街道会签无法用公示包中的街道公钥验证", "countersignature does not verify")], ""];
      if (st.type !== "juxuan/result/v1" || st.election !== genesis(c).election) return [[T("会签声明的类型或选举编号不符", "type or election")], ""];
      if (st.totals !== (await sha256hex(c.raw.get("totals.json")))) return [[T("会签的 totals.json 摘要与公示包不符", "totals differ")], ""];
      if (!head || st.head !== head.hash) return [[T("会签的链头不是事件链的最后一个事件", "not the chain's head")], ""];
      // By the office key the round's last request (office.countersign_requested) names (verify._countersignature).
      const asked = c.events.filter((e) => e.kind === "office.countersign_requested" && roundOf(e) === c.round);
      if (asked.length && normFp(String(get(asked[asked.length - 1].payload, "office_key", ""))) !== normFp(k.fp)) {
        const a = asked[asked.length - 1];
        return [[T(`会签所用的公钥 ${k.fp} 不是第 ${a.seq} 号事件（会签备案）登记的街道公钥`, `the countersignature's key ${k.fp} is not the office key event ${a.seq} (the request) registered`)], ""];
      }
      c.facts.countersigned = st;
      return [[], T(`街道办事处公钥指纹 ${k.fp} 对链头与 totals.json 的会签有效`, `office key ${k.fp}`)];
    };
    C.pin_office_key = async (c) => {
      if (!c.facts.countersigned) return [[T("没有有效的街道会签", "no valid countersignature")], ""];
      return [normFp(c.pins.officeKey) !== normFp(c.facts.office_key) ? [T("会签的街道公钥不是指定的公钥", "not the pinned office key")] : [],
        T("会签的街道公钥与指定的指纹相同", "pinned office key")];
    };
    C.records_in_manifest = async (c) => {
      const inD = new Set(manifests(c).flatMap((m) => m.audits));
      return [c.d.get("records.jsonl").some((r) => !inD.has(r.d)) ? [T("有计票记录的审计哈希不在清单中", "record not in manifest")] : [],
        T(`${c.d.get("records.jsonl").length} 条计票记录的审计哈希均在清单中`, "records in manifest")];
    };
    C.records_unique = async (c) => {
      const ds = c.d.get("records.jsonl").map((r) => r.d);
      return [new Set(ds).size !== ds.length ? [T("有重复的计票记录", "repeated record")] : [], T("没有重复的计票记录", "unique")];
    };
    C.records_per_box = async (c) => {
      const per = tally();
      for (const r of c.d.get("records.jsonl")) per[r.box] = (per[r.box] || 0) + 1;
      const boxes = c.d.get("boxes.json");
      const problems = [];
      for (const [b, o] of Object.entries(boxes)) if ((per[b] || 0) !== o.records) problems.push(T(`票箱 ${b} 的记录条数与票箱清单不符`, `box ${b}`));
      for (const b of Object.keys(per)) if (!own(boxes, b)) problems.push(T(`计票记录中的票箱 ${b} 不在票箱清单中`, `unknown box ${b}`));
      return [problems, T("每个票箱的记录条数与票箱清单一致", "per box")];
    };
    C.records_not_voided = async (c) => {
      const v = new Set(c.d.get("voided.json"));
      return [c.d.get("records.jsonl").some((r) => v.has(r.d)) ? [T("有计票记录属于作废或未用的选票", "record of a voided paper")] : [],
        T("没有一条计票记录属于作废或未用的选票", "none voided")];
    };
    // The records counted again paper by paper by the rules (juxuan-rules.js), each box once.
    C.recount = async (c) => {
      const rules = root.JuxuanRules || require("./juxuan-rules.js");
      return rules.recountProblems({ tallyInput: c.d.get("tally_input.json"), rulebook: c.d.get("rulebook.json"),
        totals: c.d.get("totals.json"), boxTotals: c.d.get("box_totals.json"), records: c.d.get("records.jsonl") });
    };
    // The audit's sample (PROTOCOL.md sections 8 and 11): each audit's draws are those its
    // seed gives over its manifest (else the records' boxes), every value of its JSON type.
    C.audit_sample = async (c) => {
      const RC = root.JuxuanRecount || require("./juxuan-recount.js");
      const audit = c.d.get("audit.json");
      const audits = Array.isArray(get(audit, "audits", null)) ? audit.audits : [audit];
      const number = get(audit, "round", c.d.get("totals.json").round);
      if (!Number.isSafeInteger(number)) return [[T(`audit.json：轮次 ${JSON.stringify(number)} 不是整数`, `audit.json: round ${JSON.stringify(number)} is not an integer`)], ""];
      const problems = [];
      for (const [i, a] of audits.entries()) {
        if (!isObj(a)) throw new CheckFailed(T(`第 ${i + 1} 次审计不是对象`, `audit ${i + 1} is not an object`));
        try {
          const got = get(a, "draws", []);
          if (!(Array.isArray(got) && got.every((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === "string" && Number.isSafeInteger(x[1])))) {
            throw new Error(`第 ${i + 1} 次审计：抽样须为 [票箱, 位置] 对 / audit ${i + 1}: draws must be [box, position] pairs`);
          }
          if (!got.length) continue;
          if (typeof get(a, "seed", null) !== "string") throw new Error(`第 ${i + 1} 次审计：种子须为字符串 / audit ${i + 1}: the seed must be a string`);
          let manifest = get(a, "manifest", null);
          if (isObj(manifest)) {
            if (!Object.values(manifest).every((v) => Number.isSafeInteger(v) && v >= 0)) throw new Error("清单的张数须为非负整数 / manifest counts must be counts");
          } else {
            manifest = {};
            for (const r of c.d.get("records.jsonl") || []) manifest[r.box] = (get(manifest, r.box, 0)) + 1;
          }
          const expect = await RC.drawSample(a.seed, manifest, got.length, sha256);
          const k = got.findIndex((g, j) => g[0] !== expect[j].box || g[1] !== expect[j].position);
          if (k >= 0) problems.push(T(`第 ${i + 1} 次审计第 ${k + 1} 次抽样：种子给出票箱 ${expect[k].box} 第 ${expect[k].position} 张，audit.json 却是 ${got[k][0]} ${got[k][1]}`,
            `audit ${i + 1}, draw ${k + 1}: the seed gives box ${expect[k].box} paper ${expect[k].position}, audit.json ${got[k][0]} ${got[k][1]}`));
        } catch (e) { problems.push(T(`audit.json：${e.message}`, `audit.json: ${e.message}`)); }
      }
      return [problems, T("每次审计的抽样都由公布的种子和清单得出", "every audit's draws follow from its published seed and manifest")];
    };
    // The audit's commitment (rla_check._order, PROTOCOL.md section 8): before each seed, the
    // round's manifest recorded, then the records committed, then that commitment's hash signed
    // with the election key; the seed's boxes are the sealed manifest; the last commitment seals
    // this bundle's records.jsonl (SHA-256 of its bytes) and audit.json's manifest.
    const AUDIT_KINDS = { manifest: "audit.manifest_recorded", committed: "audit.records_committed", sealed: "audit.head_sealed",
      seedCommitted: "audit.seed_committed", diceRolled: "audit.dice_rolled" };
    // The seed from two contributions (rla_check._seed, AUDIT.md section 3): the auditor's
    // commitment before the records commitment the seal signed, the dice after the seal before
    // at least two named witnesses (once), the reveal hashing to the commitment, and the seed
    // the decimal SHA-256 of dice and secret (rla.combined_seed). A single dice seed fails.
    const RCS = () => root.JuxuanRecount || require("./juxuan-recount.js");
    const seedCommitment = (secret) => RCS().seedCommitment(secret, sha256);
    const combinedSeed = (dice, secret) => RCS().combinedSeed(dice, secret, sha256);
    const auditSeed = async (ev, between, commitment, seal) => {
      const payload = isObj(ev.payload) ? ev.payload : {};
      if (!Object.hasOwn(payload, "reveal")) {
        return [T(`事件 ${ev.seq}：随机种子只有一个来源（没有审计员在封存前的承诺与揭示，旧格式），无法排除操作者事先用公开的验证程序试算并挑选种子`,
          `event ${ev.seq}: the seed has a single source (no auditor's commitment before the seal and reveal; the earlier format): nothing rules out an operator trying seeds against the public verifier`)];
      }
      const problems = [];
      const commits = between.filter((e) => e.kind === AUDIT_KINDS.seedCommitted && e.seq < commitment.seq);
      const late = between.filter((e) => e.kind === AUDIT_KINDS.seedCommitted && e.seq > commitment.seq);
      const dice = between.filter((e) => e.kind === AUDIT_KINDS.diceRolled && e.seq > seal.seq);
      const early = between.filter((e) => e.kind === AUDIT_KINDS.diceRolled && e.seq < seal.seq);
      if (!commits.length) problems.push(T(`事件 ${ev.seq}：封存（事件 ${commitment.seq}）之前没有审计员的种子承诺${late.length ? `（事件 ${late[late.length - 1].seq} 的承诺在封存之后）` : ""}：种子可能是在看到封存的记录之后选的`,
        `event ${ev.seq}: no auditor's seed commitment before the seal (event ${commitment.seq})${late.length ? ` (event ${late[late.length - 1].seq} committed after it)` : ""}: the seed may have been chosen after the sealed records were seen`));
      if (!dice.length) problems.push(T(`事件 ${ev.seq}：封存签名（事件 ${seal.seq}）之后、审计开始之前没有公开掷骰的记录${early.length ? `（事件 ${early[early.length - 1].seq} 的掷骰在封存之前）` : ""}`,
        `event ${ev.seq}: no public dice roll after the seal's signature (event ${seal.seq}) and before the start${early.length ? ` (event ${early[early.length - 1].seq} rolled before it)` : ""}`));
      if (dice.length > 1) problems.push(T(`事件 ${ev.seq}：封存之后掷骰 ${dice.length} 次，每次封存只能掷一次`, `event ${ev.seq}: dice rolled ${dice.length} times after the seal, once per seal`));
      if (problems.length) return problems;
      const rolled = isObj(dice[dice.length - 1].payload) ? dice[dice.length - 1].payload : {};
      const witnesses = get(rolled, "witnesses", null);
      if (!(Array.isArray(witnesses) && witnesses.every((w) => typeof w === "string" && w.trim()) && new Set(witnesses).size >= 2)) {
        problems.push(T(`事件 ${dice[dice.length - 1].seq}：掷骰须有至少 2 位具名见证人`, `event ${dice[dice.length - 1].seq}: the dice need at least 2 named witnesses`));
      }
      try {
        const reveal = get(payload, "reveal", null), rolledDice = get(rolled, "dice", null);
        if (typeof reveal !== "string" || typeof rolledDice !== "string") throw new Error("揭示的秘密数字与掷骰结果须为文字 / the reveal and the dice must be text");
        if (await seedCommitment(reveal) !== get(commits[commits.length - 1].payload, "commitment", null)) {
          problems.push(T(`事件 ${ev.seq}：审计员揭示的秘密数字与封存前的承诺（事件 ${commits[commits.length - 1].seq}）不符`, `event ${ev.seq}: the auditor's reveal does not match the commitment before the seal (event ${commits[commits.length - 1].seq})`));
        } else if (await combinedSeed(rolledDice, reveal) !== get(payload, "seed", null)) {
          problems.push(T(`事件 ${ev.seq}：随机种子不是掷骰结果（事件 ${dice[dice.length - 1].seq}）与揭示的秘密数字的哈希`, `event ${ev.seq}: the seed is not the hash of the dice (event ${dice[dice.length - 1].seq}) and the reveal`));
        }
      } catch (e) { problems.push(T(`事件 ${ev.seq}：随机种子的组成部分无效：${e.message}`, `event ${ev.seq}: the seed's parts are invalid: ${e.message}`)); }
      return problems;
    };
    const sameValue = (a, b) => { try { return canon(a === undefined ? null : a) === canon(b === undefined ? null : b); } catch (e) { return false; } };
    const auditRound = (c) => {
      const audit = c.d.get("audit.json");
      const number = get(audit, "round", c.d.get("totals.json").round);
      if (!Number.isSafeInteger(number)) throw new CheckFailed(T(`audit.json：轮次 ${JSON.stringify(number)} 不是整数`, `audit.json: round ${JSON.stringify(number)} is not an integer`));
      return [Array.isArray(get(audit, "audits", null)) ? audit.audits : [audit], number];
    };
    const auditManifest = (c, a) => {
      const m = get(a, "manifest", null);
      if (isObj(m)) {
        if (!Object.values(m).every((v) => Number.isSafeInteger(v) && v >= 0)) throw new Error("清单的张数须为非负整数 / manifest counts must be counts");
        return m;
      }
      const counts = {};
      for (const r of c.d.get("records.jsonl") || []) counts[r.box] = get(counts, r.box, 0) + 1;
      return counts;
    };
    C.audit_commitment = async (c) => {
      const [audits, number] = auditRound(c);
      const kinds = new Set([KIND.auditStarted, AUDIT_KINDS.manifest, AUDIT_KINDS.committed, AUDIT_KINDS.sealed,
        AUDIT_KINDS.seedCommitted, AUDIT_KINDS.diceRolled]);
      const mine = c.events.filter((e) => kinds.has(e.kind) && get(e.payload, "round", null) === number);
      const detail = T("审计员的种子承诺在封存之前；清单与计票记录封存、链头签名之后才公开掷骰并揭示，种子是二者的哈希；封存的记录就是本公示包的",
        "the auditor's seed commitment before the seal; manifest and records sealed and the head signed before the dice and the reveal, the seed their hash; the sealed records are this bundle's");
      if (!mine.some((e) => e.kind === KIND.auditStarted)) {
        const draws = audits.length ? get(audits[0], "draws", null) : null;
        return [draws && (!Array.isArray(draws) || draws.length) ? [T("事件链中没有本轮的审计开始事件", "no audit start in the chain for this round")] : [], detail];
      }
      const byHash = new Map(c.events.map((e) => [e.hash, e]));
      const k = c.facts.electionKeyObj;
      if (!k) return [[T("无法读取选举公钥", "the election key cannot be read")], ""];
      const problems = [];
      let previous = -1, latest = null;
      for (const ev of mine.filter((e) => e.kind === KIND.auditStarted)) {
        const seals = mine.filter((e) => e.kind === AUDIT_KINDS.sealed && previous < e.seq && e.seq < ev.seq);
        const since = previous;
        previous = ev.seq;
        if (!seals.length) { problems.push(T(`第 ${ev.seq} 号事件：审计开始（录入种子）之前没有封存计票记录与清单`, `event ${ev.seq}: the audit started (seed entered) with no sealed records and manifest before it`)); continue; }
        const seal = seals[seals.length - 1];
        const commitment = byHash.get(String(get(seal.payload, "head", null)));
        if (!commitment || commitment.kind !== AUDIT_KINDS.committed || commitment.seq >= seal.seq) {
          problems.push(T(`第 ${seal.seq} 号事件：签名的链头不是本轮的封存承诺`, `event ${seal.seq}: the signed head is not this round's commitment`));
          continue;
        }
        const signed = get(seal.payload, "signed", null);
        if (!(isObj(signed) && isObj(signed.statement) && "signature" in signed && "key" in signed)) {
          problems.push(T(`第 ${seal.seq} 号事件：封存签名的格式错误`, `event ${seal.seq}: the seal's signature is of the wrong form`));
        } else if (!(await verifySigned(k, signed)) || get(signed.statement, "head", null) !== commitment.hash) {
          problems.push(T(`第 ${seal.seq} 号事件：封存链头的签名无法用选举公钥验证`, `event ${seal.seq}: the sealed head's signature does not verify with the election key`));
        }
        if (!mine.some((e) => e.kind === AUDIT_KINDS.manifest && e.seq < commitment.seq)) problems.push(T(`第 ${commitment.seq} 号事件：封存承诺之前没有记录清单`, `event ${commitment.seq}: no manifest recorded before the commitment`));
        problems.push(...await auditSeed(ev, mine.filter((e) => since < e.seq && e.seq < ev.seq), commitment, seal));
        latest = commitment;
        if (!sameValue(get(ev.payload, "boxes", null), get(commitment.payload, "manifest", null))) problems.push(T(`第 ${ev.seq} 号事件：审计使用的清单不是封存的清单`, `event ${ev.seq}: the audit's manifest is not the sealed one`));
      }
      if (latest && c.d.has("records.jsonl")) {
        if (await sha256hex(c.raw.get("records.jsonl")) !== get(latest.payload, "records_digest", null)) problems.push(T("本公示包的计票记录不是最近一次审计封存的：封存后被改动", "this bundle's records are not those the latest audit sealed: changed after the seal"));
        if (audits.length && !sameValue(auditManifest(c, audits[audits.length - 1]), get(latest.payload, "manifest", null))) problems.push(T("audit.json 的清单不是封存的清单", "audit.json's manifest is not the sealed one"));
      }
      return [problems, detail];
    };
    // The number of audits of the round (rla_check.checks): one audit.json entry per audit.started
    // of the round with its seed, each one before the last concluded (confirmed or hand counted).
    C.audit_count = async (c) => {
      const [audits, number] = auditRound(c);
      const started = c.events.filter((e) => e.kind === KIND.auditStarted && get(e.payload, "round", null) === number);
      const problems = [];
      if (started.length !== audits.length) {
        problems.push(T(`事件链记录第 ${number} 轮审计 ${started.length} 次，audit.json 列出 ${audits.length} 次：有审计未公布`, `the chain records ${started.length} audits of round ${number}, audit.json lists ${audits.length}: an audit is not published`));
      } else {
        started.forEach((ev, i) => { if (!sameValue(get(ev.payload, "seed", null), get(audits[i], "seed", null))) problems.push(T(`第 ${i + 1} 次审计：种子与事件链记录的不同`, `audit ${i + 1}: the seed is not the chain's`)); });
        audits.slice(0, -1).forEach((a, i) => {
          if (!["confirmed", "hand_counted"].includes(get(a, "status", null))) problems.push(T(`第 ${i + 1} 次审计在下一次开始时尚未得出结论（${get(a, "status", null)}）`, `audit ${i + 1} had not concluded (${get(a, "status", null)}) when the next began`));
        });
        problems.push(...auditShopping(c, audits, started, number));
      }
      return [problems, T(`第 ${number} 轮：审计 ${audits.length} 次，均已公布`, `round ${number}: ${audits.length} audits, all published`)];
    };
    // The records digest each audit.started of the round was sealed with (rla_check._sealed_digests).
    const sealedDigests = (c, number) => {
      const byHash = new Map(c.events.map((e) => [e.hash, e]));
      const out = [];
      let previous = -1;
      for (const ev of c.events) {
        if (ev.kind !== KIND.auditStarted || get(ev.payload, "round", null) !== number) continue;
        const seals = c.events.filter((e) => e.kind === AUDIT_KINDS.sealed && get(e.payload, "round", null) === number && previous < e.seq && e.seq < ev.seq);
        previous = ev.seq;
        const commitment = seals.length ? byHash.get(String(get(seals[seals.length - 1].payload, "head", null))) : undefined;
        out.push(commitment === undefined ? null : get(commitment.payload, "records_digest", null));
      }
      return out;
    };
    // No audit shopping (rla_check._shopping, AUDIT.md section 3): a hand count once ordered binds
    // (no later audit start or reopening of the round); an earlier audit's status is its last
    // conclusion in the chain; records differing between two audits' seals need a reopening between.
    const sameId = (a, b) => { const n = (v) => (v === undefined ? null : typeof v === "boolean" ? Number(v) : v); return n(a) === n(b); };
    const CONCLUSION = { "audit.confirmed": "confirmed", "audit.escalated": "escalated", "audit.full_count_ordered": "full_count" };
    const auditShopping = (c, audits, started, number) => {
      const problems = [];
      const mine = c.events.filter((e) => get(e.payload, "round", null) === number);
      const ordered = mine.filter((e) => e.kind === "audit.full_count_ordered");
      if (ordered.length) {
        const after = mine.filter((e) => e.seq > ordered[0].seq && (e.kind === KIND.auditStarted || e.kind === "result.reopened"));
        if (after.length) problems.push(T(`事件 ${ordered[0].seq} 已决定全面人工计票，事件 ${after[0].seq} 却又${after[0].kind === KIND.auditStarted ? "开始了新的审计" : "重新开启了本轮结果"}：人工计票一经决定即须进行，其结果即本轮结果`, `event ${ordered[0].seq} ordered the full hand count, event ${after[0].seq} then ${after[0].kind === KIND.auditStarted ? "started another audit" : "reopened the result"}: a hand count once ordered binds`));
      }
      audits.slice(0, -1).forEach((a, i) => {
        if (get(a, "status", null) === "hand_counted") problems.push(T(`第 ${i + 1} 次审计已全面人工计票，其结果即本轮结果：不能再开始审计`, `audit ${i + 1} was hand counted, its result is the round's: no later audit`));
        const ends = mine.filter((e) => Object.hasOwn(CONCLUSION, e.kind) && sameId(get(e.payload, "audit", null), get(a, "id", null))).map((e) => CONCLUSION[e.kind]);
        if (get(a, "status", null) === "confirmed" && ends[ends.length - 1] !== "confirmed") problems.push(T(`第 ${i + 1} 次审计称结果得到确认，事件链中该审计的结论却是“${ends.length ? ends[ends.length - 1] : "无"}”`, `audit ${i + 1} says confirmed, the chain's last conclusion of it is ${ends.length ? ends[ends.length - 1] : "none"}`));
      });
      const digests = sealedDigests(c, number);
      if (digests.length === started.length) {
        for (let i = 1; i < started.length; i++) {
          if (!sameValue(digests[i], digests[i - 1]) && !mine.some((e) => e.kind === "result.reopened" && started[i - 1].seq < e.seq && e.seq < started[i].seq)) {
            problems.push(T(`第 ${i} 次与第 ${i + 1} 次审计封存的计票记录不同，其间却没有重新开启本轮结果的记录`, `audits ${i} and ${i + 1} sealed different records with no reopening of the result between them`));
          }
        }
      }
      return problems;
    };
    // The audit recomputed (juxuan-audit.js, AUDIT.md section 6): the round decided again from
    // the records, the assertions with the manifest's N, every finding through the count's
    // rules, the risks; the latest audit's status must follow from its findings.
    C.audit_recompute = async (c) => {
      const [audits, number] = auditRound(c);
      const A = root.JuxuanAudit || require("./juxuan-audit.js");
      // Earlier audits sealed with this bundle's records are recomputed as the latest is.
      const digests = sealedDigests(c, number);
      const mine = c.d.has("records.jsonl") ? await sha256hex(c.raw.get("records.jsonl")) : null;
      const earlier = digests.length === audits.length && mine !== null
        ? audits.slice(0, -1).map((a, i) => i).filter((i) => digests[i] === mine) : [];
      // An earlier audit sealed with other records (the result reopened and corrected since) is
      // not recomputed against these: said in the detail (rla_check.superseded_note).
      const superseded = digests.length === audits.length && mine !== null
        ? audits.slice(0, -1).map((a, i) => i).filter((i) => digests[i] !== mine) : [];
      const [problems, detail] = await A.recomputeProblems({ audit: c.d.get("audit.json"), records: c.d.get("records.jsonl") || null,
        tallyInput: c.d.get("tally_input.json"), rulebook: c.d.get("rulebook.json"), totals: c.d.get("totals.json"),
        events: c.events, recount: c.d.get("recount.json"), earlier });
      if (!superseded.length) return [problems, detail];
      const which = superseded.map((i) => `第 ${i + 1} 次`).join("、");
      return [problems, T(`${String(detail)}；注意：${which}审计封存的是重新开启（更正）之前的计票记录，本包不含那些记录，未重算，其结论不适用于本包的记录`,
        `${detail && detail.en ? detail.en : String(detail)}; note: audit(s) ${superseded.map((i) => i + 1).join(", ")} sealed the records before the result was reopened (corrected); this bundle does not hold them, they are not recomputed and their conclusion does not apply to these records`)];
    };
    C.records_frozen = async (c) => {
      const started = kindEvents(c, new Set([KIND.auditStarted])).filter((e) => roundOf(e) === c.round);
      if (!started.length) return [[], T(`第 ${c.round} 轮尚未开始审计`, "no audit yet")];
      const first = started[0];
      const sealed = kindEvents(c, new Set([KIND.bundleExported])).filter((e) => roundOf(e) === c.round);
      const before = sealed.filter((e) => e.seq < first.seq);
      if (!before.length) return [[], T("审计开始前没有封存的公示包", "nothing sealed before the audit")];
      const base = get(before[before.length - 1].payload, "files", {});
      const problems = [];
      for (const e of sealed) {
        if (e.seq < first.seq) continue;
        const files = get(e.payload, "files", {});
        for (const n of ["records.jsonl", "totals.json", "boxes.json"]) if (get(files, n) !== get(base, n)) problems.push(T(`${n} 在审计开始后被改动（第 ${e.seq} 号事件）`, `${n} changed after the audit (event ${e.seq})`));
      }
      return [problems, T("审计开始后计票记录、票数合计与票箱清单未变", "records frozen")];
    };
    C.receipt = async (c) => {
      let code;
      try { code = await parseReceipt(c.pins.receipt); } catch (e) { return [[T(`回执码：${e.message}`, `receipt code: ${e.message}`)], ""]; }
      const r = await receiptHash(String(get(genesis(c), "election", "")), code);
      const boxes = c.d.get("deposits.json").boxes;
      for (const box of Object.keys(boxes).sort(cmpCodePoints)) {
        const leaves = [...boxes[box].receipts].sort(cmpCodePoints);
        let i = leaves.indexOf(r);
        if (i < 0) continue;
        const levels = await merkleLevels(leaves);
        let h = levels[0][i];
        const path = [];
        for (const level of levels.slice(0, -1)) {
          if (i & 1) { path.push(["L", hex(level[i - 1])]); h = await sha256(concat(Uint8Array.of(1), level[i - 1], h)); }
          else if (i + 1 < level.length) { path.push(["R", hex(level[i + 1])]); h = await sha256(concat(Uint8Array.of(1), h, level[i + 1])); }
          i >>= 1;
        }
        if (hex(h) !== boxes[box].root) return [[T("证明路径算不到票箱的默克尔根", "proof does not reach the box root")], ""];
        c.facts.receipt = { box, r, root: boxes[box].root, path };
        return [[], T(`回执在票箱 ${box} 中，经 ${path.length} 步到达签名的默克尔根`, `receipt in box ${box}, ${path.length} steps to the signed root`)];
      }
      return [[T("该回执不在投入的存根中", "receipt not among the deposited stubs")], ""];
    };
    return C;
  }
  const CHECKS = makeChecks();
  const MAIN = ["head_signature", "bundle_index", "rulebook", "rulebook_order", "manifest", "manifest_order", "lists",
    "deposits", "merkle", "boxes", "reconcile", "totals", "bounds", "result_event", "winners", "voided"];
  const RECORDS = ["records_in_manifest", "records_unique", "records_per_box", "records_not_voided", "recount", "records_frozen"];

  // The public recount (juxuan-recount.js): its papers against the counted D (the records of
  // an auditor bundle, else totals.returned and the manifest's D not voided), then totals.json.
  async function recount(c) {
    const RCS = root.JuxuanRecount || require("./juxuan-recount.js");
    const doc = c.d.get("recount.json");
    if (!doc) return recountProofs(c);
    const sealed = RCS.sealedCheck({ events: c.events, round: c.round, papers: doc && doc.papers,
      papersSha256: await sha256hex(c.raw.get("recount/papers.jsonl") || new Uint8Array(0)) });
    return [...recountProofs(c), sealed];
  }
  // The joint key the chain's last trustees.key_published fixed, or null (verify_recount.joint_key).
  function chainJointKey(c) {
    const published = c.events.filter((e) => e.kind === "trustees.key_published");
    const k = published.length ? published[published.length - 1].payload.joint_key : undefined;
    return k === undefined ? null : k;
  }
  function recountProofs(c) {
    if (!c.d.has("recount.json")) return [{ name: "recount_format", ok: false, detail: T("有 recount/papers.jsonl 却没有 recount.json", "recount/papers.jsonl without recount.json") }];
    const RC = root.JuxuanRecount || require("./juxuan-recount.js");
    const records = c.d.get("records.jsonl");
    const voided = new Set(c.d.get("voided.json") || []);
    const allowed = new Set(c.d.get("manifest.json").flatMap((m) => m.audits).filter((d) => !voided.has(d)));
    const parseLine = (u8) => {
      const value = parseStrict(u8);
      if (!eqBytes(canonBytes(value), u8)) throw new Error("not canonical");
      return value;
    };
    try {
      return RC.recountChecks({ doc: c.d.get("recount.json"), raw: c.raw.get("recount/papers.jsonl"), parseLine,
        counted: records ? records.map((r) => r.d) : null, allowed, returned: c.d.get("totals.json").returned,
        totals: c.d.get("totals.json"), boxTotals: c.d.get("box_totals.json"),
        recordBoxes: records ? new Map(records.map((r) => [r.d, r.box])) : null, jointKey: chainJointKey(c) });
    } catch (e) {
      return [{ name: "recount_format", ok: false, detail: T(`无法核对公开重计（${e.message}）`, `cannot check the public recount (${e.message})`) }];
    }
  }

  // The checks of the Python verifier this one does not run: none.
  const NOT_RUN = [];
  // Every check's Chinese name, as the Python verifier prints it (verify_ctx, verify_recount, verify_between).
  const NAMES_ZH = {
    format: "文件格式", zip_size: "大小上限", zip_members: "zip 成员", canonical: "规范 JSON",
    chain: "事件链", election_key: "选举公钥", pin_key: "指定公钥", head_signature: "链头签名",
    pin_head: "指定链头", bundle_index: "文件索引", rulebook: "规则集", rulebook_order: "规则冻结",
    manifest: "印刷清单", manifest_order: "印刷与补印时间", lists: "列表排序与不重复",
    deposits: "投入存根", merkle: "默克尔根", boxes: "票箱清单", reconcile: "票箱对账",
    totals: "票数合计", bounds: "票数上限", result_event: "与公布结果一致", winners: "重算当选",
    voided: "作废选票审计哈希", countersignature: "街道会签", pin_office_key: "指定街道公钥",
    records_in_manifest: "记录在清单内", records_unique: "记录不重复", records_per_box: "记录与票箱",
    records_not_voided: "记录非作废选票", recount: "重新计票", records_frozen: "审计后记录未变",
    receipt: "回执查验", audit_sample: "审计抽样", audit_commitment: "审计封存顺序", audit_count: "审计次数",
    audit_recompute: "审计重算",
    recount_format: "公开重计格式", recount_trustees: "受托人承诺", recount_papers: "每张选票一份密文",
    recount_selections: "每项为 0 或 1", recount_seats: "不超过应选名额", recount_invalid_posts: "无效不计票",
    recount_decryption: "受托人解密", recount_totals: "公开重计与票数一致",
    recount_box_groups: "公开重计与分票箱组票数一致", recount_sealed: "密文先于审计种子封存",
    audit_sample_decryption: "抽中选票的受托人解密", audit_sample_drawn: "只解密抽中的选票",
    audit_sample_compared: "审计比对解密的记录",
    meeting_decisions: "会议决定", recall_votes: "罢免投票", vacancies: "出缺与补选", composition: "组成人员",
  };

  // The audit's sampled papers decrypted by the trustees (juxuan-recount.js sampleChecks):
  // every partial's proof, exactly the drawn papers, the comparison on the decrypted values.
  async function sample(c) {
    const RC = root.JuxuanRecount || require("./juxuan-recount.js");
    const parseLine = (u8) => {
      const value = parseStrict(u8);
      if (!eqBytes(canonBytes(value), u8)) throw new Error("not canonical");
      return value;
    };
    try {
      return await RC.sampleChecks({ audit: c.d.get("audit.json"), doc: c.d.get("recount.json"),
        raw: c.raw.get("recount/papers.jsonl"), parseLine, sha256 });
    } catch (e) {
      return [{ name: "audit_sample_decryption", ok: false, detail: T(`无法核对审计的解密（${e.message}）`, `cannot check the audit's decryption (${e.message})`) }];
    }
  }

  async function verifyBundle(zipBytes, pins) {
    pins = pins || {};
    const u8 = zipBytes instanceof Uint8Array ? zipBytes : new Uint8Array(zipBytes);
    const res = await readZip(u8);
    if (!Object.keys(res.problems).length) parseMembers(res);
    const gating = GATING.filter((n) => res.problems[n]).map((n) => ({ name: n, ok: false, ...said(res.problems[n]) }));
    if (!gating.length) {
      const shape = shapeProblems(res.data);
      if (shape.length) gating.push({ name: "format", ok: false, ...said(shape) });
    }
    if (gating.length) return { checks: gating.map((ch) => ({ ...ch, name_zh: NAMES_ZH[ch.name] })), facts: {} };
    const c = { d: res.data, raw: res.raw, pins, events: [], round: res.data.get("totals.json").round, checks: [], facts: {} };
    c.checks.push({ name: "format", ok: true, detail: T(`第 ${c.round} 轮${c.d.has("records.jsonl") ? "审计" : "公开"}公示包，${res.raw.size} 个文件，大小在上限之内`, `round ${c.round}, ${res.raw.size} files`) });
    c.checks.push({ name: "canonical", ok: true, detail: T("每个 JSON 文件都是规范字节", "every JSON file is canonical") });
    const run = async (name) => {
      let problems, detail;
      try { [problems, detail] = await CHECKS[name](c); } catch (e) {
        problems = [e instanceof CheckFailed ? e.said : T(`无法完成此项检查（${e.message}）`, `cannot check (${e.message})`)]; detail = "";
      }
      c.checks.push({ name, ok: !problems.length, detail: problems.length ? problems : detail });
    };
    await run("chain");
    await run("election_key");
    if (pins.key != null) await run("pin_key");
    if (pins.head != null) await run("pin_head");
    for (const n of MAIN) await run(n);
    if (c.d.has("countersign.json") || pins.officeKey != null) await run("countersignature");
    if (pins.officeKey != null) await run("pin_office_key");
    if (c.d.has("records.jsonl")) for (const n of RECORDS) await run(n);
    if (c.d.has("audit.json")) for (const n of ["audit_sample", "audit_commitment", "audit_count", "audit_recompute"]) await run(n);
    if (c.d.has("recount.json") || c.raw.has("recount/papers.jsonl")) c.checks.push(...(await recount(c)));
    if (c.d.has("audit.json") && c.d.has("recount.json")) c.checks.push(...(await sample(c)));
    // Between elections (PROTOCOL.md §9, juxuan-between.js): only when the chain holds such events.
    c.checks.push(...(root.JuxuanBetween || require("./juxuan-between.js")).betweenChecks(c.events, c.d.get("rulebook.json"),
      (name) => c.d.get(name)));
    if (pins.receipt != null) await run("receipt");
    const facts = { head: c.facts.head, election_key: c.facts.election_key, office_key: c.facts.office_key,
      countersigned: c.facts.countersigned, receipt: c.facts.receipt };
    for (const ch of c.checks) {
      ch.name_zh = NAMES_ZH[ch.name] || ch.name;
      // Every detail in Chinese (detail) and English (detail_en); a module's plain text serves as both.
      if (typeof ch.detail_en !== "string") Object.assign(ch, said(Array.isArray(ch.detail) ? ch.detail : [ch.detail === undefined ? "" : ch.detail]));
    }
    return { checks: c.checks, facts };
  }

  root.JuxuanVerify = { verifyBundle, canon, merkleRoot, receiptHash, parseReceipt, NOT_RUN, NAMES_ZH };
  if (typeof module !== "undefined") module.exports = root.JuxuanVerify;
})(typeof globalThis !== "undefined" ? globalThis : this);
