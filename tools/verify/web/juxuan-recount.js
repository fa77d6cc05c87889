/* The public recount's checks for the browser verifier (docs/PROTOCOL.md section 13),
 * written from the specification, sharing no code with election/crypto: recount.json and
 * recount/papers.jsonl checked paper by paper (every range proof), the trustees'
 * commitments and proofs of knowledge, every partial decryption's proof, the decrypted
 * totals, the totals of totals.json, and each box group's decrypted totals (their sum the
 * whole, each equal to its line of box_totals.json). Group and field arithmetic: the vendored
 * @noble/curves ristretto255 (vendor/noble-ristretto255.js). Names each check as the
 * Python verifier does. Licence: Apache-2.0 (the project's). */
"use strict";
(function (root) {
  const R = root.JuxuanRistretto || require("./vendor/noble-ristretto255.js");
  const { Point, Fn, sha512 } = R;
  const N = Fn.ORDER;
  const enc = new TextEncoder();
  const FORMAT = "juxuan-recount-v3";
  const MAX_GROUPS = 4096;
  const PAPERS = "recount/papers.jsonl";
  const CEREMONY = "juxuan-ceremony-v1";
  const TAG = "juxuan-recount-v1";
  const MAX_TRUSTEES = 9, MAX_POSTS = 16, MAX_SEATS = 32, MAX_CANDIDATES = 64, MAX_BRANCHES = 64;
  const G = Point.BASE, ZERO = Point.ZERO;

  // A message in both languages (juxuan-verify.js shows detail and detail_en): as a string, the Chinese.
  const T = (zh, en) => ({ zh, en, toString: () => zh });
  const enOf = (m) => (m !== null && typeof m === "object" && typeof m.en === "string" ? m.en : String(m));
  // A check refused with its message (a T message or text; said keeps both languages).
  class Refused extends Error {
    constructor(check, message) { super(String(message)); this.check = check; this.said = message; }
  }
  const saidOf = (e) => (e && e.said !== undefined ? e.said : T(`无法核对（${e.message}）`, e.message));

  // ------------------------------------------------------------------ bytes, points, scalars
  const unhex = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
  const concat = (parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  const be = (n, size) => { const out = new Uint8Array(size); for (let i = size - 1; i >= 0; i--) { out[i] = n & 0xff; n = Math.floor(n / 256); } return out; };
  const leInt = (u8) => { let x = 0n; for (let i = u8.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(u8[i]); return x; };
  const isHex = (v, size) => typeof v === "string" && v.length === 2 * size && /^[0-9a-f]*$/.test(v);

  function hashToScalar(tag, parts) {
    const framed = [];
    for (const p of [enc.encode(tag), ...parts]) framed.push(be(p.length, 8), p);
    return leInt(sha512(concat(framed))) % N;
  }
  function point(h, what, allowIdentity, check) {
    if (!isHex(h, 32)) throw new Refused(check, T(`${what}：不是 32 字节的点`, `${what}: not a 32-byte point`));
    let p;
    try { p = Point.fromBytes(unhex(h)); } catch (e) { throw new Refused(check, T(`${what}：不是规范的 ristretto255 编码`, `${what}: not a canonical ristretto255 encoding`)); }
    if (p.is0() && !allowIdentity) throw new Refused(check, T(`${what}：此处不允许单位元`, `${what}: the identity is not allowed here`));
    return p;
  }
  function scalar(h, what, check) {
    if (!isHex(h, 32)) throw new Refused(check, T(`${what}：不是 32 字节的标量`, `${what}: not a 32-byte scalar`));
    const x = leInt(unhex(h));
    if (x >= N) throw new Refused(check, T(`${what}：标量未约化`, `${what}: scalar not reduced`));
    return x;
  }
  const mul = (k, p) => (k === 0n || p.is0() ? ZERO : p.multiplyUnsafe(k));
  const small = (m) => (m === 0 ? ZERO : G.multiplyUnsafe(BigInt(m)));
  const bytes = (p) => p.toBytes();

  // ------------------------------------------------------------------ range proof
  function rangeHolds(ctx, key, alpha, beta, proof, bound) {
    if (proof.c.length !== bound + 1 || proof.z.length !== bound + 1) return false;
    const commitments = [];
    let total = 0n;
    for (let j = 0; j <= bound; j++) {
      const cj = proof.c[j], zj = proof.z[j];
      commitments.push(bytes(mul(zj, G).subtract(mul(cj, alpha))));
      commitments.push(bytes(mul(zj, key).subtract(mul(cj, beta.subtract(small(j))))));
      total = (total + cj) % N;
    }
    return total === hashToScalar(TAG + "/range", [ctx, bytes(key), be(bound, 4), bytes(alpha), bytes(beta), ...commitments]);
  }
  function parseProof(v, what) {
    if (!(v && typeof v === "object" && Array.isArray(v.c) && Array.isArray(v.z)) || v.c.length > MAX_BRANCHES || v.c.length !== v.z.length)
      throw new Refused("recount_papers", T(`${what}：证明格式错误`, `${what}: proof of the wrong form`));
    return { c: v.c.map((x) => scalar(x, what, "recount_papers")), z: v.z.map((x) => scalar(x, what, "recount_papers")) };
  }

  // ------------------------------------------------------------------ papers
  function labelsOf(shapes) {
    const out = ["X"];
    for (const s of shapes) {
      out.push(`${s.key}/x`, `${s.key}/w`);
      for (let i = 0; i < s.candidates; i++) out.push(`${s.key}/a${i}`, `${s.key}/o${i}`);
    }
    return out;
  }
  function kindOf(label) {
    const name = label.split("/").pop();
    if (name === "seats") return "recount_seats";
    if (name === "xX" || name.startsWith("m")) return "recount_invalid_posts";
    return "recount_selections";
  }
  const ct = (a, b) => ({ a, b });
  const ctAdd = (x, y) => ct(x.a.add(y.a), x.b.add(y.b));
  const ctTimes = (x, k) => ct(mul(BigInt(k), x.a), mul(BigInt(k), x.b));

  function checkPaper(base, key, d, shapes, paper, what) {
    if (!(paper && typeof paper === "object" && paper.ct && typeof paper.ct === "object" && !Array.isArray(paper.ct)
          && paper.pf && typeof paper.pf === "object" && !Array.isArray(paper.pf)))
      throw new Refused("recount_papers", T(`${what}：不是加密的记录`, `${what}: not an encrypted record`));
    const labels = labelsOf(shapes);
    const given = Object.keys(paper.ct).sort();
    if (given.length !== labels.length || [...labels].sort().some((l, i) => l !== given[i]))
      throw new Refused("recount_papers", T(`${what}：密文的标签与选票不符`, `${what}: ciphertext labels differ from the ballot`));
    const cts = {};
    for (const l of labels) {
      const v = paper.ct[l];
      if (!(Array.isArray(v) && v.length === 2)) throw new Refused("recount_papers", T(`${what} ${l}：密文格式错误`, `${what} ${l}: ciphertext of the wrong form`));
      cts[l] = ct(point(v[0], `${what} ${l} α`, false, "recount_papers"), point(v[1], `${what} ${l} β`, true, "recount_papers"));
    }
    const failed = {};
    const wanted = new Set(["X"]);
    const check = (label, c, bound) => {
      const proof = parseProof(paper.pf[label], `${what} ${label}`);
      const lb = enc.encode(label);
      const ctx = concat([base, d, be(lb.length, 2), lb]);
      if (!rangeHolds(ctx, key, c.a, c.b, proof, bound)) (failed[kindOf(label)] = failed[kindOf(label)] || []).push(label);
    };
    check("X", cts.X, 1);
    for (const s of shapes) {
      const p = s.key;
      check(`${p}/x`, cts[`${p}/x`], 1);
      check(`${p}/w`, cts[`${p}/w`], s.seats);
      for (const n of ["x", "w", "seats", "xX"]) wanted.add(`${p}/${n}`);
      let sum = ctAdd(cts[`${p}/w`], ctTimes(cts[`${p}/x`], s.seats));
      for (let i = 0; i < s.candidates; i++) {
        check(`${p}/a${i}`, cts[`${p}/a${i}`], 1);
        check(`${p}/o${i}`, cts[`${p}/o${i}`], 1);
        check(`${p}/m${i}`, ctAdd(ctAdd(cts[`${p}/a${i}`], cts[`${p}/o${i}`]), cts[`${p}/x`]), 1);
        for (const n of ["a", "o", "m"]) wanted.add(`${p}/${n}${i}`);
        sum = ctAdd(sum, cts[`${p}/a${i}`]);
      }
      check(`${p}/seats`, sum, s.seats);
      check(`${p}/xX`, ct(cts[`${p}/x`].a.subtract(cts.X.a), cts[`${p}/x`].b.subtract(cts.X.b)), 1);
    }
    const proofs = Object.keys(paper.pf);
    if (proofs.length !== wanted.size || proofs.some((l) => !wanted.has(l))) throw new Refused("recount_papers", T(`${what}：证明与选票不符`, `${what}: proofs differ from the ballot`));
    return { cts, failed };
  }

  // ------------------------------------------------------------------ trustees
  function parseCeremony(doc) {
    if (!(doc && doc.format === CEREMONY && Array.isArray(doc.trustees))) throw new Refused("recount_trustees", T("不是居选的受托人仪式记录", "not a Juxuan ceremony"));
    const n = doc.trustees.length, k = doc.quorum;
    if (!(Number.isInteger(k) && k >= 1 && k <= n && n <= MAX_TRUSTEES)) throw new Refused("recount_trustees", T("法定人数或受托人数超出范围", "quorum or number of trustees out of range"));
    if (!isHex(doc.base, 32)) throw new Refused("recount_trustees", T("基准哈希格式错误", "base hash of the wrong form"));
    return { base: unhex(doc.base), quorum: k, n };
  }
  function checkedPublics(cer, publics) {
    const out = publics.map((p) => {
      if (!(p && Number.isInteger(p.index) && Array.isArray(p.commitments) && Array.isArray(p.proofs))
          || p.commitments.length > MAX_TRUSTEES || p.proofs.length !== p.commitments.length)
        throw new Refused("recount_trustees", T("受托人的公开部分格式错误", "trustee's public part of the wrong form"));
      return { index: p.index, points: p.commitments.map((h) => point(h, "commitment", false, "recount_trustees")),
        proofs: p.proofs.map((q) => ({ c: scalar(q && q.c, "commitment proof", "recount_trustees"), z: scalar(q && q.z, "commitment proof", "recount_trustees") })) };
    }).sort((a, b) => a.index - b.index);
    if (out.length !== cer.n || out.some((p, i) => p.index !== i + 1)) throw new Refused("recount_trustees", T("受托人的公开部分缺少或重复", "trustees' public parts missing or repeated"));
    for (const p of out) {
      if (p.points.length !== cer.quorum) throw new Refused("recount_trustees", T(`受托人 ${p.index}：承诺 ${p.points.length} 个，法定人数却是 ${cer.quorum}`, `trustee ${p.index}: ${p.points.length} commitments, quorum ${cer.quorum}`));
      p.points.forEach((A, m) => {
        const t = mul(p.proofs[m].z, G).subtract(mul(p.proofs[m].c, A));
        const ctx = concat([cer.base, be(p.index, 2), be(m, 2)]);
        if (hashToScalar(TAG + "/knowledge", [ctx, bytes(A), bytes(t)]) !== p.proofs[m].c)
          throw new Refused("recount_trustees", T(`受托人 ${p.index}：第 ${m} 个知识证明不成立`, `trustee ${p.index}: proof of knowledge ${m} does not hold`));
      });
    }
    return out;
  }
  function verificationKey(j, published) {
    let out = ZERO;
    for (const p of published) {
      let power = 1n;
      for (const A of p.points) { out = out.add(mul(power % N, A)); power *= BigInt(j); }
    }
    return out;
  }
  function lagrange(i, present) {
    let num = 1n, den = 1n;
    for (const o of present) if (o !== i) { num = Fn.mul(num, BigInt(o)); den = Fn.mul(den, Fn.create(BigInt(o - i))); }
    return Fn.mul(num, Fn.inv(den));
  }

  // ------------------------------------------------------------------ totals.json as labels
  function expectedFromTotals(totals, listed) {
    const whole = totals.counts.whole_invalid;
    const out = { X: whole };
    for (const [p, names] of Object.entries(listed)) {
      const votes = totals.posts[p], per = totals.counts.posts[p];
      if (!votes || !per) throw new Error(`post ${p} missing from totals.json`);
      out[`${p}/x`] = per.overvoted + per.unreadable + whole;
      const on = new Set(names);
      out[`${p}/w`] = Object.entries(votes).filter(([k]) => !on.has(k)).reduce((n, [, v]) => n + v, 0);
      names.forEach((name, i) => { out[`${p}/a${i}`] = votes[name] || 0; out[`${p}/o${i}`] = (per.opposed || {})[name] || 0; });
    }
    return out;
  }

  // ------------------------------------------------------------------ the checks
  function* paperLines(raw) {
    if (!raw) return;
    if (raw.length && raw[raw.length - 1] !== 10) throw new Refused("recount_papers", T(`${PAPERS}：最后一行没有换行符`, `${PAPERS}: last line has no newline`));
    let start = 0, n = 0;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] !== 10) continue;
      const line = raw.subarray(start, i);
      start = i + 1;
      n++;
      if (line.length > 1024 * 1024) throw new Refused("recount_papers", T(`${PAPERS} 第 ${n} 行过长`, `${PAPERS} line ${n} is too long`));
      yield [n, line];
    }
  }

  /* ctx: {doc, raw (papers bytes or undefined), counted (D list or null), allowed (Set or null),
   *       returned, totals, parseLine(u8) -> value or throws when not canonical} */
  function recountChecks(x) {
    const checks = [];
    const fail = (name, detail) => { checks.push({ name, ok: false, detail }); return checks; };
    const doc = x.doc;
    if (!(doc && doc.format === FORMAT && Number.isInteger(doc.papers) && Array.isArray(doc.publics) && Array.isArray(doc.partials)
          && doc.decrypted && typeof doc.decrypted === "object" && !Array.isArray(doc.decrypted)
          && Object.values(doc.decrypted).every(Number.isInteger) && doc.ceremony && typeof doc.ceremony === "object"))
      return fail("recount_format", T("recount.json 不是居选的公开重计文件", "recount.json is not a Juxuan public recount"));
    const shapes = [], listed = {};
    if (!Array.isArray(doc.shapes) || !doc.shapes.length || doc.shapes.length > MAX_POSTS) return fail("recount_format", T("职位的选票格式缺少或过多", "posts' shapes missing or too many"));
    for (const s of doc.shapes) {
      if (!(s && typeof s.key === "string" && !s.key.includes("/") && Number.isInteger(s.seats) && s.seats > 0 && s.seats <= MAX_SEATS
            && Number.isInteger(s.candidates) && s.candidates >= 0 && s.candidates <= MAX_CANDIDATES && Array.isArray(s.listed)
            && s.listed.length === s.candidates && s.listed.every((p) => typeof p === "string") && new Set(s.listed).size === s.listed.length
            && !(s.key in listed)))
        return fail("recount_format", T("有职位的选票格式错误", "a post's shape is of the wrong form"));
      shapes.push({ key: s.key, seats: s.seats, candidates: s.candidates });
      listed[s.key] = s.listed;
    }
    if (doc.publics.length > MAX_TRUSTEES) return fail("recount_format", T("受托人过多", "too many trustees"));
    const groups = parseGroups(doc.groups);
    if (!groups) return fail("recount_format", T("票箱组缺少或格式错误", "box groups missing or of the wrong form"));
    const groupOf = new Map();
    groups.forEach((g, i) => g.boxes.forEach((b) => groupOf.set(b, i)));
    checks.push({ name: "recount_format", ok: true, detail: T(`${doc.papers} 张选票的密文，${shapes.length} 个职位，${groups.length} 个票箱组`, `${doc.papers} papers' ciphertexts, ${shapes.length} posts, ${groups.length} box groups`) });
    let cer, published, key;
    try {
      cer = parseCeremony(doc.ceremony);
      published = checkedPublics(cer, doc.publics);
      key = published.reduce((k, p) => k.add(p.points[0]), ZERO);
      if (key.is0()) throw new Refused("recount_trustees", T("联合公钥是单位元", "joint key is the identity"));
      // The joint key the chain fixed before printing (trustees.key_published): else a server's
      // own ceremony, holding every share, could decrypt what it likes with proofs that hold.
      if (x.jointKey !== null && x.jointKey !== undefined && x.jointKey !== hexOf(key.toBytes())) {
        throw new Refused("recount_trustees", T("受托人的联合公钥不是事件链上公布的那一把", "the trustees' joint key is not the one the chain published"));
      }
      key.precompute(8);  // every proof multiplies the joint key: a table once, a third of the time after
      checks.push({ name: "recount_trustees", ok: true, detail: T(`${cer.n} 名受托人，法定人数 ${cer.quorum}`, `${cer.n} trustees, quorum ${cer.quorum}`) });
    } catch (e) {
      return fail("recount_trustees", saidOf(e));
    }
    const expected = x.counted ? x.counted.length : x.returned;
    const wanted = x.counted ? new Set(x.counted) : null;
    const sums = {};
    const perGroup = groups.map(() => 0);
    let seen = 0, previous = "";
    try {
      for (const [n, line] of paperLines(x.raw)) {
        seen++;
        if (seen > expected) throw new Refused("recount_papers", T(`密文多于计入的 ${expected} 张选票`, `more ciphertexts than the ${expected} counted papers`));
        let paper;
        try { paper = x.parseLine(line); } catch (e) { throw new Refused("recount_papers", T(`${PAPERS} 第 ${n} 行不是规范 JSON`, `${PAPERS} line ${n} is not canonical JSON`)); }
        const d = paper && paper.d;
        if (!isHex(d, 32) || d <= previous) throw new Refused("recount_papers", T(`第 ${n} 行：审计哈希 D 重复、缺少或顺序不对`, `line ${n}: D repeated, missing or out of order`));
        if (wanted && !wanted.has(d)) throw new Refused("recount_papers", T(`第 ${n} 行：审计哈希 D 不属于计入的选票`, `line ${n}: D is not a counted paper's`));
        if (x.allowed && !x.allowed.has(d)) throw new Refused("recount_papers", T(`第 ${n} 行：审计哈希 D 不在清单中或属于作废选票`, `line ${n}: D not in the manifest, or of a voided paper`));
        const box = paper.box;
        if (typeof box !== "string" || (x.recordBoxes && x.recordBoxes.get(d) !== box))
          throw new Refused("recount_papers", T(`第 ${n} 行：票箱缺少或不是其计票记录的票箱`, `line ${n}: box missing or not the box of its record`));
        if (!groupOf.has(box)) throw new Refused("recount_box_groups", T(`第 ${n} 行：票箱 ${box} 不属于任何票箱组`, `line ${n}: box ${box} is in no box group`));
        previous = d;
        const { cts, failed } = checkPaper(cer.base, key, unhex(d), shapes, paper, `D ${d.slice(0, 12)}`);
        if (Object.keys(failed).length) {
          checks.push({ name: "recount_papers", ok: true, detail: T("此前每张选票都有一份格式正确的密文", "every paper before this one has one ciphertext of the right form") });
          for (const name of ["recount_selections", "recount_seats", "recount_invalid_posts"])
            if (failed[name]) checks.push({ name, ok: false, detail: T(`记录 ${d.slice(0, 12)}：${failed[name].slice(0, 5).join("，")} 的证明不成立`, `record ${d.slice(0, 12)}: ${failed[name].slice(0, 5).join(", ")} proof does not hold`) });
          return checks;
        }
        const g = groupOf.get(box);
        perGroup[g]++;
        for (const [l, c] of Object.entries(cts)) {
          sums[l] = sums[l] ? ctAdd(sums[l], c) : c;
          const named = `${g}#${l}`;
          sums[named] = sums[named] ? ctAdd(sums[named], c) : c;
        }
      }
      if (seen !== expected) throw new Refused("recount_papers", T(`计入 ${expected} 张选票，密文却有 ${seen} 份`, `${seen} ciphertexts for ${expected} counted papers`));
      if (seen !== doc.papers) throw new Refused("recount_papers", T(`recount.json 称 ${doc.papers} 张，${PAPERS} 却有 ${seen} 张`, `recount.json says ${doc.papers} papers, ${PAPERS} has ${seen}`));
    } catch (e) {
      if (e instanceof Refused && (e.check === "recount_papers" || e.check === "recount_box_groups")) return fail(e.check, saidOf(e));
      throw e;
    }
    checks.push({ name: "recount_papers", ok: true, detail: T(`${seen} 张选票，每张一份密文，按审计哈希 D 排序`, `${seen} papers, one ciphertext each, sorted by D`) });
    for (const name of ["recount_selections", "recount_seats", "recount_invalid_posts"]) checks.push({ name, ok: true, detail: T(`${seen} 张选票：每个证明都成立`, `${seen} papers: every proof holds`) });
    let decrypted;
    try {
      decrypted = decrypt(cer, published, sums, doc.partials, seen, shapes);
    } catch (e) {
      return fail("recount_decryption", saidOf(e));
    }
    const stated = { ...doc.decrypted };
    groups.forEach((g, i) => { for (const [l, v] of Object.entries(g.decrypted)) stated[`${i}#${l}`] = v; });
    const whole = {};
    for (const [l, v] of Object.entries(decrypted)) if (!l.includes("#")) whole[l] = v;
    const names = new Set([...Object.keys(decrypted), ...Object.keys(stated)]);
    if ([...names].some((l) => decrypted[l] !== stated[l])) return fail("recount_decryption", T("公布的解密票数（或某票箱组的）与密文和部分解密得出的不同", "the published decrypted totals (or a box group's) differ from what the ciphertexts and partials give"));
    checks.push({ name: "recount_decryption", ok: true, detail: T(`${Object.keys(decrypted).length} 个票数由法定人数的受托人解密，每个证明都成立`, `${Object.keys(decrypted).length} totals decrypted by a quorum, every proof holds`) });
    if (x.totals) {
      let want;
      try { want = expectedFromTotals(x.totals, listed); } catch (e) { return fail("recount_totals", T("totals.json 缺少公开重计中的职位或候选人", "totals.json lacks a post or candidate of the recount")); }
      const labels = new Set([...Object.keys(want), ...Object.keys(whole)]);
      const wrong = [...labels].filter((l) => want[l] !== whole[l]).sort();
      if (wrong.length) return fail("recount_totals", T(`解密的票数与 totals.json 不同：${wrong.slice(0, 5).join("，")}`, `decrypted totals differ from totals.json: ${wrong.slice(0, 5).join(", ")}`));
      checks.push({ name: "recount_totals", ok: true, detail: T("解密的票数与公布的票数相同", "the decrypted totals equal the published ones") });
    }
    const problems = groupProblems(groups, perGroup, whole, listed, x.boxTotals);
    if (problems.length) return fail("recount_box_groups", problems);
    checks.push({ name: "recount_box_groups", ok: true, detail: T(`${groups.length} 个票箱组解密的票数之和等于总数${x.boxTotals ? "，并与 box_totals.json 相同" : ""}`,
      `the ${groups.length} box groups' decrypted totals add up to the whole${x.boxTotals ? " and equal box_totals.json" : ""}`) });
    return checks;
  }

  // ------------------------------------------------------------------ box groups
  function parseGroups(raw) {
    if (!Array.isArray(raw) || raw.length > MAX_GROUPS) return null;
    const seen = new Set();
    for (const g of raw) {
      if (!(g && Array.isArray(g.boxes) && g.boxes.length && g.boxes.every((b) => typeof b === "string")
            && Number.isInteger(g.papers) && g.papers >= 0 && g.decrypted && typeof g.decrypted === "object" && !Array.isArray(g.decrypted)
            && Object.values(g.decrypted).every((v) => Number.isInteger(v) && v >= 0))) return null;
      if (new Set(g.boxes).size !== g.boxes.length || g.boxes.some((b) => seen.has(b))) return null;
      g.boxes.forEach((b) => seen.add(b));
    }
    return raw;
  }
  // A box group's votes (box_totals.json) as the approval labels p/a<i> and p/w.
  function expectedFromVotes(votes, listed) {
    const out = {};
    for (const [p, names] of Object.entries(listed)) {
      const row = votes[p];
      if (!row) throw new Error(`post ${p} missing from box_totals.json`);
      const on = new Set(names);
      out[`${p}/w`] = Object.entries(row).filter(([k]) => !on.has(k)).reduce((n, [, v]) => n + v, 0);
      names.forEach((name, i) => { out[`${p}/a${i}`] = row[name] || 0; });
    }
    return out;
  }
  function groupProblems(groups, perGroup, whole, listed, boxTotals) {
    const problems = [];
    const labels = Object.keys(whole);
    const wrong = labels.filter((l) => groups.reduce((n, g) => n + (g.decrypted[l] || 0), 0) !== whole[l]).sort();
    const keysDiffer = groups.some((g) => { const k = Object.keys(g.decrypted); return k.length !== labels.length || k.some((l) => !(l in whole)); });
    if (wrong.length || keysDiffer) problems.push(T(`各票箱组解密的票数之和不等于总数：${wrong.slice(0, 5).join("，")}`, `the box groups' decrypted totals do not add up to the whole: ${wrong.slice(0, 5).join(", ")}`));
    groups.forEach((g, i) => { if (g.papers !== perGroup[i]) problems.push(T(`票箱组 ${g.boxes.join(",")} 称 ${g.papers} 张，密文却有 ${perGroup[i]} 份`, `box group ${g.boxes.join(",")} says ${g.papers} papers, ${perGroup[i]} ciphertexts`)); });
    if (!boxTotals) return problems;
    const same = groups.length === boxTotals.length && groups.every((g, i) => JSON.stringify(g.boxes) === JSON.stringify(boxTotals[i].boxes));
    if (!same) return [...problems, T("票箱组与 box_totals.json 的不同", "the box groups differ from box_totals.json's")];
    groups.forEach((g, i) => {
      let want;
      try { want = expectedFromVotes(boxTotals[i].posts, listed); } catch (e) { problems.push(T(`box_totals.json 的票箱组 ${g.boxes.join(",")} 缺少公开重计中的职位`, `box_totals.json group ${g.boxes.join(",")} lacks a post of the recount`)); return; }
      const off = Object.keys(want).filter((l) => g.decrypted[l] !== want[l]).sort();
      if (off.length || boxTotals[i].papers !== g.papers)
        problems.push(T(`票箱组 ${g.boxes.join(",")}：解密的票数与 box_totals.json 不同：${(off.length ? off : ["张数"]).slice(0, 5).join("，")}`,
          `box group ${g.boxes.join(",")}: decrypted totals differ from box_totals.json: ${(off.length ? off : ["papers"]).slice(0, 5).join(", ")}`));
    });
    return problems;
  }

  // Trustee p's partial decryption of ciphertext c, bound to the label's bytes lb, with its
  // Chaum–Pedersen proof (log_G X = log_α value); keys caches each trustee's verification key.
  function partialHolds(cer, published, keys, p, c, lb) {
    if (!keys.has(p.index)) keys.set(p.index, verificationKey(p.index, published));
    const X = keys.get(p.index);
    const t1 = mul(p.z, G).subtract(mul(p.c, X)), t2 = mul(p.z, c.a).subtract(mul(p.c, p.value));
    const ctx = concat([cer.base, be(p.index, 2), be(lb.length, 4), lb]);
    return hashToScalar(TAG + "/decryption", [ctx, bytes(X), bytes(c.a), bytes(p.value), bytes(t1), bytes(t2)]) === p.c;
  }

  function decrypt(cer, published, sums, partials, papers, shapes) {
    const byLabel = {};
    for (const doc of partials) {
      if (!(doc && Number.isInteger(doc.index) && doc.partials && typeof doc.partials === "object")) throw new Refused("recount_decryption", T("部分解密格式错误", "partial decryption of the wrong form"));
      for (const [label, part] of Object.entries(doc.partials)) {
        if (!(label in sums) || !part || typeof part !== "object") throw new Refused("recount_decryption", T(`部分解密针对未知的票数 ${label}`, `partial of an unknown total ${label}`));
        (byLabel[label] = byLabel[label] || []).push({ index: doc.index, value: point(part.value, "partial", true, "recount_decryption"),
          c: scalar(part.proof && part.proof.c, "partial proof", "recount_decryption"), z: scalar(part.proof && part.proof.z, "partial proof", "recount_decryption") });
      }
    }
    const bound = Math.max(1, papers) * Math.max(1, ...shapes.map((s) => s.seats));
    const table = new Map();
    let acc = ZERO;
    for (let m = 0; m <= bound; m++) { table.set(hexOf(bytes(acc)), m); acc = acc.add(G); }
    const keys = new Map();
    const out = {};
    for (const label of Object.keys(sums).sort()) {
      const c = sums[label];
      const given = byLabel[label] || [];
      if (new Set(given.map((p) => p.index)).size !== given.length || given.some((p) => p.index < 1 || p.index > published.length))
        throw new Error(`${label}: partials repeated or of no trustee`);
      const lb = enc.encode(label);
      for (const p of given) {
        if (!partialHolds(cer, published, keys, p, c, lb))
          throw new Error(`trustee ${p.index}'s partial decryption of ${label}: proof does not hold`);
      }
      const present = [...new Set(given.map((p) => p.index))].sort((a, b) => a - b);
      if (present.length < cer.quorum) throw new Error(`${label}: decryption needs ${cer.quorum} trustees, ${present.length} given`);
      const chosen = present.slice(0, cer.quorum);
      let blind = ZERO;
      for (const i of chosen) blind = blind.add(mul(lagrange(i, chosen), given.find((p) => p.index === i).value));
      const m = table.get(hexOf(bytes(c.b.subtract(blind))));
      if (m === undefined) throw new Error(`${label}: decrypts to no count in 0..${bound}`);
      out[label] = m;
    }
    return out;
  }
  // ------------------------------------------------------------------ sealed before the seed
  // recount_sealed: the ciphertexts are those the audit's commitment sealed before its seed
  // (the round's last audit.started -> its sealed head -> that commitment's ciphertexts).
  // Event kinds as docs/PROTOCOL.md section 3.1 names them.
  const COMMITTED = new Set(["audit.records_committed"]);
  const SEALED = new Set(["audit.head_sealed"]);
  const STARTED = new Set(["audit.started"]);
  function sealedCheck(x) {  // {events, round, papersSha256, papers}
    const check = (ok, detail) => ({ name: "recount_sealed", ok, detail });
    const roundOf = (e) => (e.payload && e.payload.round !== undefined ? e.payload.round : 1);
    const started = x.events.filter((e) => STARTED.has(e.kind) && roundOf(e) === x.round);
    if (!started.length) return check(true, T(`第 ${x.round} 轮尚无审计种子`, `round ${x.round} has no audit seed yet`));
    const seed = started[started.length - 1];
    const byHash = new Map(x.events.map((e) => [e.hash, e]));
    const seal = byHash.get(String(seed.payload.sealed));
    const commitment = seal && SEALED.has(seal.kind) ? byHash.get(String(seal.payload.head)) : undefined;
    if (!commitment || !COMMITTED.has(commitment.kind) || !(commitment.seq < seed.seq)) return check(false, T(`第 ${seed.seq} 号事件的种子之前没有封存`, `the seed of event ${seed.seq} has no seal before it`));
    const sealed = commitment.payload.ciphertexts;
    if (!sealed || typeof sealed !== "object" || Array.isArray(sealed)) return check(false, T(`第 ${commitment.seq} 号事件（审计的封存）没有封存密文：密文可能是在种子之后制作的`, `event ${commitment.seq} (the audit's seal) seals no ciphertexts: they may have been made after the seed`));
    if (sealed.sha256 !== x.papersSha256 || sealed.papers !== x.papers) return check(false, T(`${PAPERS} 与种子之前第 ${commitment.seq} 号事件封存的密文不同`, `${PAPERS} differs from the ciphertexts sealed by event ${commitment.seq} before the seed`));
    return check(true, T(`${x.papers} 张选票的密文由第 ${commitment.seq} 号事件封存，先于第 ${seed.seq} 号事件的种子`, `${x.papers} papers' ciphertexts sealed by event ${commitment.seq}, before the seed of event ${seed.seq}`));
  }

  // ------------------------------------------------------------------ the audit's sampled papers
  // (PROTOCOL section 13.1): audit.json's decryption of the drawn papers' ciphertexts.
  // The audit's seed from two contributions (rla.seed_commitment, rla.combined_seed; PROTOCOL
  // section 8): the auditor's commitment = hex SHA-256("juxuan-audit-seed-commitment:" + S), the
  // seed = decimal SHA-256("juxuan-audit-seed:" + D + ":" + S) zero-padded to 78 digits.
  function seedDigits(v, what) {
    if (typeof v !== "string") throw new Error(`${what}须为文字 / ${what} must be text`);
    const s = v.replace(/[ \-\t]/g, "");
    if (!/^[0-9]{20,}$/.test(s)) throw new Error(`${what}不是 20 位以上的十进制数字 / ${what} is not 20 or more decimal digits`);
    return s;
  }
  async function seedCommitment(secret, sha256) {
    return hexOf(await sha256(enc.encode("juxuan-audit-seed-commitment:" + seedDigits(secret, "揭示的秘密数字"))));
  }
  async function combinedSeed(dice, secret, sha256) {
    const h = await sha256(enc.encode(`juxuan-audit-seed:${seedDigits(dice, "掷骰结果")}:${seedDigits(secret, "揭示的秘密数字")}`));
    let x = 0n;
    for (const byte of h) x = (x << 8n) | BigInt(byte);
    return x.toString().padStart(78, "0");
  }

  async function drawSample(seed, manifest, n, sha256) {  // Rivest's sampler, PROTOCOL section 8
    if (typeof seed !== "string") throw new Error("种子不是文本 / the seed is not text");
    const s = seed.replace(/[ \-\t]/g, "");
    if (!/^[0-9]{20,}$/.test(s)) throw new Error("种子不是 20 位以上的十进制数字 / the seed is not 20 or more decimal digits");
    const names = Object.keys(manifest).sort((a, b) => {  // by code point, as Python's sorted()
      const x = Array.from(a, (ch) => ch.codePointAt(0)), y = Array.from(b, (ch) => ch.codePointAt(0));
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    });
    const ends = [];
    let total = 0;
    for (const b of names) { if (!Number.isInteger(manifest[b]) || manifest[b] < 0) throw new Error("清单的张数格式错误 / manifest count of the wrong form"); total += manifest[b]; ends.push(total); }
    if (total <= 0) throw new Error("清单中没有选票 / the manifest has no papers");
    const out = [];
    for (let i = 1; i <= n; i++) {
      const h = await sha256(enc.encode(`${s},${i}`));
      let x = 0n;
      for (const byte of h) x = (x << 8n) | BigInt(byte);
      const ticket = Number(1n + (x % BigInt(total)));
      let k = 0;
      while (ends[k] < ticket) k++;
      out.push({ box: names[k], position: ticket - (k ? ends[k - 1] : 0) });
    }
    return out;
  }

  function checkSampleProofs(cer, published, lines, partials, bound) {
    // name "<D>:<label>" -> ciphertext of that paper's line; every partial's proof; a quorum each.
    const cts = {};
    for (const line of lines) for (const [label, v] of Object.entries(line.ct || {})) cts[`${line.d}:${label}`] = ct(point(v[0], label, false, "audit_sample_decryption"), point(v[1], label, true, "audit_sample_decryption"));
    const table = new Map();
    let acc = ZERO;
    for (let m = 0; m <= bound; m++) { table.set(hexOf(bytes(acc)), m); acc = acc.add(G); }
    const byName = {};
    for (const doc of partials) {
      if (!(doc && Number.isInteger(doc.index) && doc.partials && typeof doc.partials === "object")) throw new Refused("audit_sample_decryption", T("部分解密格式错误", "partial decryption of the wrong form"));
      for (const [name, part] of Object.entries(doc.partials)) {
        if (!(name in cts)) throw new Refused("audit_sample_drawn", T(`部分解密了 ${name.slice(0, 12)}，它不是抽中的选票`, `partial decryption of ${name.slice(0, 12)}, a paper not in the sample`));
        (byName[name] = byName[name] || []).push({ index: doc.index, value: point(part && part.value, "partial", true, "audit_sample_decryption"),
          c: scalar(part && part.proof && part.proof.c, "partial proof", "audit_sample_decryption"), z: scalar(part && part.proof && part.proof.z, "partial proof", "audit_sample_decryption") });
      }
    }
    const keys = new Map();
    const out = {};
    for (const name of Object.keys(cts).sort()) {
      const c = cts[name], given = byName[name] || [];
      const [d, label] = [name.slice(0, 64), name.slice(65)];
      if (new Set(given.map((p) => p.index)).size !== given.length || given.some((p) => p.index < 1 || p.index > published.length))
        throw new Refused("audit_sample_decryption", T(`${name.slice(0, 20)}：部分解密重复或不属于任何受托人`, `${name.slice(0, 20)}: partials repeated or of no trustee`));
      const present = [...new Set(given.map((p) => p.index))].sort((a, b) => a - b);
      if (present.length < cer.quorum) throw new Refused("audit_sample_drawn", T(`抽中选票 ${d.slice(0, 12)} 的 ${label} 不足 ${cer.quorum} 名受托人的部分解密`, `drawn paper ${d.slice(0, 12)}'s ${label} has no ${cer.quorum} trustees' partials`));
      const lb = enc.encode(name);
      for (const p of given) {
        if (!partialHolds(cer, published, keys, p, c, lb))
          throw new Refused("audit_sample_decryption", T(`受托人 ${p.index} 对 ${d.slice(0, 12)} 的 ${label} 的部分解密：证明不成立`, `trustee ${p.index}'s partial decryption of ${d.slice(0, 12)}'s ${label}: proof does not hold`));
      }
      const chosen = present.slice(0, cer.quorum);
      let blind = ZERO;
      for (const i of chosen) blind = blind.add(mul(lagrange(i, chosen), given.find((p) => p.index === i).value));
      const m = table.get(hexOf(bytes(c.b.subtract(blind))));
      if (m === undefined) throw new Refused("audit_sample_decryption", T(`${d.slice(0, 12)} 的 ${label} 解密后不是 0..${bound} 之间的票数`, `${d.slice(0, 12)}'s ${label} decrypts to no count in 0..${bound}`));
      (out[d] = out[d] || {})[label] = m;
    }
    return out;
  }

  /* x: {audit (audit.json), doc (recount.json), raw (papers bytes), parseLine, sha256 (async u8 -> u8)} */
  async function sampleChecks(x) {
    const DEC = "audit_sample_decryption", DRAWN = "audit_sample_drawn", CMP = "audit_sample_compared";
    const problems = { [DEC]: [], [DRAWN]: [], [CMP]: [] };
    const audits = Array.isArray(x.audit.audits) ? x.audit.audits : [x.audit];
    const wanted = new Set();
    for (const a of audits) {
      for (const f of a.findings || []) wanted.add(String(f.d));
      const dec = a.decryption || {};
      for (const d of Object.keys(dec.decrypted || {})) wanted.add(d);
      for (const doc of dec.partials || []) for (const n of Object.keys((doc && doc.partials) || {})) wanted.add(n.split(":")[0]);
    }
    const lines = new Map(), boxes = new Map();
    for (const [, u8] of paperLines(x.raw)) {
      const line = x.parseLine(u8);
      if (line && typeof line.d === "string") { boxes.set(line.d, String(line.box)); if (wanted.has(line.d)) lines.set(line.d, line); }
    }
    const cer = parseCeremony(x.doc.ceremony);
    const published = checkedPublics(cer, x.doc.publics);
    const bound = Math.max(1, ...(x.doc.shapes || []).map((s) => s.seats));
    let papers = 0;
    for (const [k0, a] of audits.entries()) {
      const k = k0 + 1;
      const findings = a.findings || [];
      const draws = (a.draws || []).length ? await drawSample(a.seed, a.manifest, a.draws.length, x.sha256) : [];
      const drawn = new Map();
      for (const f of findings) {
        const i = f.index;
        if (!(Number.isInteger(i) && i >= 1 && i <= draws.length)) { problems[DRAWN].push(T(`第 ${k} 次审计：第 ${i} 次抽样不在种子给出的抽样之中`, `audit ${k}: draw ${i} is not among those the seed gives`)); continue; }
        if ((f.paper || {}).state !== "missing" && boxes.get(String(f.d)) === draws[i - 1].box) drawn.set(String(f.d), draws[i - 1].box);
      }
      const dec = a.decryption;
      if (!dec || typeof dec !== "object" || Array.isArray(dec)) {
        if (drawn.size) problems[DRAWN].push(T(`第 ${k} 次审计：${drawn.size} 张抽中的选票有密文却没有受托人解密，审计比对的是明文记录`, `audit ${k}: ${drawn.size} drawn papers have ciphertexts and no trustees' decryption: the audit compared plain records`));
        continue;
      }
      const stated = dec.decrypted, partials = dec.partials;
      if (!stated || typeof stated !== "object" || Array.isArray(stated) || !Array.isArray(partials)) { problems[DEC].push(T(`第 ${k} 次审计：解密格式错误`, `audit ${k}: decryption of the wrong form`)); continue; }
      const named = new Set(Object.keys(stated));
      for (const doc of partials) for (const n of Object.keys((doc && doc.partials) || {})) named.add(n.split(":")[0]);
      const absent = [...named].filter((d) => !lines.has(d)).sort();
      if (absent.length) problems[DRAWN].push(T(`第 ${k} 次审计解密了 ${absent[0].slice(0, 12)}，它在 ${PAPERS} 中没有密文`, `audit ${k} decrypted ${absent[0].slice(0, 12)}, which has no ciphertext in ${PAPERS}`));
      try {
        const got = checkSampleProofs(cer, published, [...named].sort().filter((d) => lines.has(d)).map((d) => lines.get(d)), partials, bound);
        const all = new Set([...Object.keys(got), ...Object.keys(stated)]);
        const wrong = [...all].filter((d) => JSON.stringify(sorted(got[d])) !== JSON.stringify(sorted(stated[d]))).sort();
        if (wrong.length) problems[DEC].push(T(`第 ${k} 次审计：${wrong[0].slice(0, 12)} 的解密结果与部分解密得出的不同`, `audit ${k}: the stated decryption of ${wrong[0].slice(0, 12)} is not what the partials give`));
      } catch (e) {
        (e instanceof Refused && e.check === DRAWN ? problems[DRAWN] : problems[DEC]).push(T(`第 ${k} 次审计：${saidOf(e)}`, `audit ${k}: ${enOf(saidOf(e))}`));
      }
      papers += Object.keys(stated).length;
      const extra = Object.keys(stated).filter((d) => !drawn.has(d)).sort();
      const missing = [...drawn.keys()].filter((d) => !(d in stated)).sort();
      if (extra.length) problems[DRAWN].push(T(`第 ${k} 次审计解密了 ${extra.length} 张未抽中的选票（${extra[0].slice(0, 12)}）`, `audit ${k} decrypted ${extra.length} papers not drawn (${extra[0].slice(0, 12)})`));
      if (missing.length) problems[DRAWN].push(T(`第 ${k} 次审计：抽中的选票 ${missing[0].slice(0, 12)} 未解密（共 ${missing.length} 张）`, `audit ${k}: drawn paper ${missing[0].slice(0, 12)} was not decrypted (${missing.length} in all)`));
      for (const f of findings) {
        const d = String(f.d);
        const expect = drawn.has(d) && d in stated ? stated[d] : null;
        if (JSON.stringify(sorted(f.record === undefined ? null : f.record)) !== JSON.stringify(sorted(expect)))
          problems[CMP].push(T(`第 ${k} 次审计第 ${f.index} 次抽样：比对的记录不是受托人解密的结果`, `audit ${k}, draw ${f.index}: the record compared is not the trustees' decryption`));
      }
    }
    const detail = { [DEC]: T(`${papers} 张抽中的选票由受托人解密，每个部分解密的证明都成立`, `${papers} drawn papers decrypted by the trustees, every partial's proof holds`),
      [DRAWN]: T("解密的恰是公布的种子抽中的选票（在抽中的票箱中有密文）", "exactly the papers the published seed draws (with a ciphertext in the drawn box) were decrypted"),
      [CMP]: T("审计把每张选票与受托人对其记录的解密结果比对", "the audit compared each paper with the trustees' decryption of its record") };
    return [DEC, DRAWN, CMP].map((name) => ({ name, ok: !problems[name].length, detail: problems[name].length ? problems[name] : detail[name] }));
  }
  function sorted(v) {  // a JSON value with its objects' keys in order, for comparison
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(sorted);
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  }

  function hexOf(u8) { return Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join(""); }

  root.JuxuanRecount = { recountChecks, sealedCheck, sampleChecks, drawSample, seedCommitment, combinedSeed, PAPERS };
  if (typeof module !== "undefined") module.exports = root.JuxuanRecount;
})(typeof globalThis !== "undefined" ? globalThis : this);
