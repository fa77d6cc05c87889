/* The risk-limiting audit recomputed for the browser verifier (the check `audit_recompute`,
 * docs/AUDIT.md sections 1, 2, 4, 6 and 7), written from the specification, sharing no code
 * with election/protocol/rla*.py. From audit.json's latest audit of the round, records.jsonl,
 * tally_input.json with rulebook.json, totals.json and the chain it decides the round again
 * from the records (juxuan-rules.js), makes the assertions with the manifest's N, reads every
 * finding's record and paper through the count's own validity rules, measures each
 * assertion's Kaplan-Markov risk and requires the audit's status to follow from its findings.
 *
 * Counts and thresholds are integers (BigInt where a count meets a rulebook fraction); the
 * statistic is in floating point, as the specification writes it (logarithms): the assorters'
 * bounds are the exact n/(2(m-1)) rounded once, as the reference rounds them.
 * Licence: Apache-2.0 (the project's).
 *
 *   JuxuanAudit.recomputeProblems({audit, records, tallyInput, rulebook, totals, events, recount}) -> [problems, detail]
 */
"use strict";
(function (root) {
  // A message in both languages (juxuan-verify.js shows detail and detail_en): as a string, the Chinese.
  const T = (zh, en) => ({ zh, en, toString: () => zh });
  const prefixed = (p, zh, en) => (typeof p === "string" ? T(zh + p, en + p) : T(zh + p.zh, en + p.en));
  const R = root.JuxuanRules || require("./juxuan-rules.js");
  const GAMMA = 1.03905;  // the error inflator (AUDIT.md section 4)
  const OTHER = "*";  // anyone not on the post's list
  const UNKNOWN = "\u0000";  // a person outside every list: whom OTHER's worst case names
  const MISSING = "missing";  // a finding's paper state: no paper at the drawn position
  const HAND_COUNTED = "audit.hand_counted";
  const CONCLUDED = "confirmed";
  class AuditError extends Error {}
  const fail = (m) => { throw new AuditError(m); };
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const has = (o, k) => isObj(o) && Object.prototype.hasOwnProperty.call(o, k);
  const get = (o, k, dflt) => (has(o, k) ? o[k] : dflt);
  const isInt = (v) => typeof v === "number" && Number.isSafeInteger(v);
  // Keys of the bundle's own (posts, persons, boxes) in objects without a prototype: "__proto__"
  // or "toString" is a name like any other.
  const table = () => Object.create(null);
  const cmp = R.cmp;  // Unicode code points, as the protocol sorts

  // ------------------------------------------------------------------ JSON values as the reference reads them
  // A mark's person ids and flags are read leniently (the auditor's entry form, not a record
  // format): a list of ids, text as its characters, a flag by its truth.
  const text = (v) => (v === true ? "True" : v === false ? "False" : v === null ? "None" : String(v));
  const truthy = (v) => !(v === null || v === undefined || v === false || v === 0 || v === ""
    || (Array.isArray(v) && !v.length) || (isObj(v) && !Object.keys(v).length));
  function items(v) {
    if (!truthy(v)) return [];
    if (Array.isArray(v)) return v;
    if (typeof v === "string") return Array.from(v);
    if (isObj(v)) return Object.keys(v);
    return fail(`${JSON.stringify(v)} is not a list`);
  }
  function iter(v) {  // a value iterated as Python iterates it: a list, text's characters, an object's keys
    if (Array.isArray(v)) return v;
    if (typeof v === "string") return Array.from(v);
    if (isObj(v)) return Object.keys(v);
    return fail(`${JSON.stringify(v)} is not a list`);
  }
  function count(v) {  // an integer as int() takes it
    if (typeof v === "boolean") return v ? 1 : 0;
    if (isInt(v)) return v;
    if (typeof v === "string" && /^\s*[-+]?[0-9]+(_[0-9]+)*\s*$/.test(v)) return Number(v.replace(/_/g, "").trim());
    return fail(`${JSON.stringify(v)} is not an integer`);
  }
  const same = (a, b) => {  // == of two JSON scalars (true is 1, a missing value null)
    const n = (v) => (v === undefined ? null : typeof v === "boolean" ? Number(v) : v);
    return n(a) === n(b);
  };

  // ------------------------------------------------------------------ one paper through the count's rules (section 2)
  // marks {post: {approve, oppose, write_ins, unreadable}} as juxuan-rules.js counts them; null
  // when the count cannot read it (not an object per post, a post not of the round).
  function readMarks(marks, keys) {
    if (marks === null || marks === undefined) return [];
    if (!isObj(marks)) fail("marks must be an object");
    const out = [];
    for (const [post, m] of Object.entries(marks)) {
      if (!isObj(m) || !keys.has(post)) return null;
      const ids = (k) => new Set(items(get(m, k, [])).map(text));
      out.push([post, { approve: ids("approve"), oppose: ids("oppose"), writeIns: ids("write_ins"), unreadable: truthy(get(m, "unreadable", false)) }]);
    }
    return out;
  }
  // Who one paper counts a vote for on each post: the count of that paper alone.
  function counted(marks, inp, rb) {
    if (marks === null) return null;
    const read = readMarks(marks, new Set(inp.posts.map((p) => p.key)));
    if (read === null) return null;
    const c = R.countPapers(inp.posts, [[read, 1]], rb.overvote_scope, rb.multi_post_rule);
    return new Map([...c.posts].map(([k, pc]) => [k, new Set([...pc.votes].filter(([, n]) => n).map(([x]) => x))]));
  }
  const sameSet = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));

  // ------------------------------------------------------------------ the round decided again from the records
  // The records counted as one count and decided by the rules (juxuan-rules.js); the paper
  // checks the count makes before a re-vote or a question is decided.
  function tallyRecords(records, ti, rawRulebook) {
    const rb = R.rulebook(rawRulebook);
    const inp = R.readInput(ti, rb, records.length);
    const keys = new Set(inp.posts.map((p) => p.key));
    const papers = records.map((r, i) => {
      const read = readMarks(r.marks, keys);
      if (read === null) fail(`record ${i + 1}: a post not of the round`);
      return read;
    });
    const listed = new Map(inp.posts.map((p) => [p.key, new Set(inp.candidates.filter((c) => c.post === p.key).map((c) => c.person))]));
    const question = inp.round === "recall" || inp.round === "motion";
    if (question && (inp.posts.length !== 1 || inp.candidates.filter((c) => c.post).length !== 1 || inp.bodyPapers.length)) fail("a question's paper has one line");
    if (inp.round === "revote" || question) {
      for (const [i, marks] of papers.entries()) {
        for (const [key, pm] of marks) {
          const stray = [...pm.approve, ...pm.oppose].filter((x) => !listed.get(key).has(x));
          if (pm.writeIns.size || stray.length) fail(`record ${i + 1}: ${key} marks someone not on the paper`);
        }
      }
    }
    const c = R.countPapers(inp.posts, papers.map((m) => [m, 1]), rb.overvote_scope, rb.multi_post_rule);
    const totals = { returned: records.length, posts: table(), counts: { whole_invalid: c.wholeInvalid, posts: table() } };
    for (const [k, pc] of c.posts) {
      totals.posts[k] = Object.fromEntries([...pc.votes].filter(([, n]) => n));
      totals.counts.posts[k] = { overvoted: pc.overvoted, unreadable: pc.unreadable, opposed: Object.fromEntries(pc.opposed) };
    }
    return { inp, rb, result: R.decision(ti, rawRulebook, totals) };
  }

  // ------------------------------------------------------------------ assertions (section 1)
  const big = (n) => BigInt(n);
  const floorDiv = (a, b) => { const q = a / b; return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q; };
  const moreThan = (whole, [p, q]) => Number(floorDiv(big(whole) * big(p), big(q))) + 1;  // smallest count > whole·p/q
  const atLeast = (whole, [p, q]) => -Number(floorDiv(-big(whole) * big(p), big(q)));  // smallest count >= whole·p/q
  function minVotes(post, round, rb, n) {
    if (round === "runoff") return Math.max(1, atLeast(n, rb.runoff_floor));
    if (round === "revote" || post.threshold === "plurality") return 1;
    return moreThan(n, rb.majority_fraction);
  }
  function claim(kind, post, a, b, m, mean, upper, label) {
    const margin = 2 * mean - 1;
    return { kind, post, a, b, m, mean, upper, label, dm: margin / upper };
  }
  // "a has at least m votes": V_a > m - 1, A = b_a / (2f), f = (m - 1)/N.
  function above(post, who, m, votes, n) {
    if (m - 1 <= 0) return null;
    const u = n / (2 * (m - 1));
    return claim("above", post, who, null, m, (votes * u) / n, u, `${who} has at least ${m} votes`);
  }
  // "who has fewer than m votes": (N - V) > (N - m), A = (1 - b) / (2g), g = (N - m)/N.
  function below(post, who, m, votes, n) {
    if (n - m <= 0) return null;
    const u = n / (2 * (n - m));
    return claim("below", post, who, null, m, ((n - votes) * u) / n, u, `${who} has fewer than ${m} votes`);
  }
  const beats = (post, w, lo, vw, vl, n) => claim("beats", post, w, lo, 0, 0.5 + (vw - vl) / (2 * n), 1.0, `${w} has more votes than ${lo}`);
  function assort(a, votes, known) {
    const b = (who) => (who === OTHER ? [...votes].some((p) => !known.has(p)) : votes.has(who)) ? 1 : 0;
    if (a.kind === "above") return b(a.a) * a.upper;
    if (a.kind === "below") return (1 - b(a.a)) * a.upper;
    return (b(a.a) - b(a.b) + 1) / 2;
  }
  const weakest = (group) => (!group.length || group.some((a) => a === null) ? -Infinity : Math.min(...group.map((a) => a.dm)));
  const handCount = (post, known, why) => ({ post, known, assertions: [], hand: why });

  function plan(inp, rb, result, n, records) {
    if (n <= 0) fail("the manifest's papers must add up to a positive number");
    // More records than papers in the boxes: the draws are positions among the papers, so the
    // records beyond them are never compared and their votes stand untested.
    if (records > n) return inp.posts.map((p) => handCount(p.key, new Set(), `${records} records for ${n} papers in the manifest: hand count`));
    if (!result.valid) return inp.posts.map((p) => handCount(p.key, new Set(), "the round is void: its validity comes from issuance and turnout, which compliance checks"));
    if (result.question) return [planQuestion(inp, rb, result.question, n)];
    const d = result.detail;
    const female = d.female;
    const prior = new Set(inp.prior.map((pe) => pe.person));
    const rel = new Map();
    for (const [x, y] of inp.relations) {
      if (!rel.has(x)) rel.set(x, new Set());
      if (!rel.has(y)) rel.set(y, new Set());
      rel.get(x).add(y);
      rel.get(y).add(x);
    }
    const ranked = inp.posts.map((p, i) => [p, i]).sort((a, b) => b[0].rank - a[0].rank || a[1] - b[1]).map((x) => x[0]);
    const out = new Map();
    const before = new Set();  // elected at a post decided earlier (the higher post first)
    for (const spec of ranked) {
      const pr = d.posts.get(spec.key);
      const votes = new Map(pr.ranking);
      const listed = inp.candidates.filter((c) => c.post === spec.key).map((c) => c.person);
      const known = new Set([...listed, ...votes.keys(), ...prior, ...before]);
      out.set(spec.key, planPost(spec, pr, inp, rb, n, votes, known, prior, before, female, rel));
      for (const e of pr.elected) before.add(e);
    }
    if (d.woman === "replaced" || d.woman === "undecided") {
      let low = null;
      for (const p of inp.posts) if (p.body === "jwh" && (low === null || p.rank < low.rank)) low = p;
      const pp = out.get(low.key);
      if (!pp.hand) out.set(low.key, { ...pp, hand: "the woman member chosen by replacement: no assertion, hand count" });
    }
    return inp.posts.map((p) => out.get(p.key));
  }

  // A question (recall, a meeting's motion): carried is "同意 has at least m", else "fewer than m".
  function planQuestion(inp, rb, q, n) {
    const post = inp.posts[0];
    const m = inp.round === "motion" ? moreThan(inp.registered, rb[R.MEETING_DECISION[inp.meeting]]) : moreThan(n, rb.recall_approve);
    const a = q.carried ? above(post.key, q.subject, m, q.agree, n) : below(post.key, q.subject, m, q.agree, n);
    const known = new Set([q.subject]);
    if (a === null) return handCount(post.key, known, `${m} votes needed of ${n} papers: no assertion, hand count`);
    return { post: post.key, known, assertions: [a], hand: "" };
  }

  function planPost(spec, pr, inp, rb, n, votes, known, prior, before, female, rel) {
    const key = spec.key;
    const v = (p) => votes.get(p) || 0;
    if (pr.ties.length) return handCount(key, known, `${pr.ties.map((t) => t.persons.join(", ")).join("; ")} tied: hand count`);
    const m = minVotes(spec, inp.round, rb, n);
    const elected = pr.elected;
    const excluded = new Set([...prior, ...before]);
    const assertions = [];
    for (const ne of pr.nearRelatives) {
      const kept = [...(rel.get(ne) || [])].filter((k) => prior.has(k) || before.has(k) || elected.includes(k));
      if (kept.some((k) => prior.has(k) || before.has(k))) excluded.add(ne);  // the relative holds a higher post
      else if (kept.length) {  // the relative on this post was kept for having more votes
        excluded.add(ne);
        for (const k of kept) assertions.push(beats(key, k, ne, v(k), v(ne), n));
      } else return handCount(key, known, `${ne} set aside for a relative on another post: hand count`);
    }
    for (const e of elected) {
      const a = above(key, e, m, v(e), n);
      if (a) assertions.push(a);
    }
    const pool = [...known, OTHER].filter((p, i, all) => all.indexOf(p) === i && !excluded.has(p) && !elected.includes(p))
      .sort((a, b) => (a === OTHER) - (b === OTHER) || v(b) - v(a) || cmp(a, b));
    const reservedN = Math.min(spec.reserved, spec.seats);
    const women = elected.filter((e) => female.has(e)).map((e, i) => [e, i]).sort((a, b) => v(b[0]) - v(a[0]) || a[1] - b[1]).map((x) => x[0]);
    const reservedWinners = women.slice(0, reservedN);
    const general = elected.filter((e) => !reservedWinners.includes(e));
    const generalShort = general.length < spec.seats - reservedN;
    const reservedShort = reservedWinners.length < reservedN;
    for (const lo of pool) {
      const vl = lo === OTHER ? 0 : v(lo);
      const mayBeWoman = female.has(lo) || lo === OTHER;
      // Who must beat lo: the general winners, and the reserved (woman) winners when lo may be a woman.
      const rivals = [...general, ...(mayBeWoman ? reservedWinners : [])];
      if (!mayBeWoman && spec.seats - reservedN === 0) continue;  // every seat is a woman's
      const under = [below(key, lo, m, vl, n)];
      const over = rivals.map((e) => beats(key, e, lo, v(e), vl, n));
      const options = generalShort || (reservedShort && mayBeWoman) || !rivals.length ? [under] : vl >= m ? [over] : [under, over];
      let best = options[0];
      for (const o of options.slice(1)) if (weakest(o) > weakest(best)) best = o;
      if (best.some((a) => a === null)) return handCount(key, known, `${lo} must have fewer than ${m} votes of ${n} papers: hand count`);
      assertions.push(...best);
    }
    if (m <= 1) {  // plurality: "at least one vote" follows from beating OTHER
      for (const e of elected) if (!assertions.some((a) => a.kind === "beats" && a.a === e)) assertions.push(beats(key, e, OTHER, v(e), 0, n));
    }
    // Those named for the run-off beat everyone passed over for votes.
    const womanCandidate = (p) => inp.candidates.some((c) => c.person === p && R.FEMALE.has(c.sex));
    for (const need of pr.runoffs) {
      const chosen = new Set(need.persons);
      if (!chosen.size) continue;
      const passed = [...votes.keys()].filter((p) => !chosen.has(p) && !excluded.has(p) && !elected.includes(p) && (!need.womenOnly || womanCandidate(p)));
      for (const c of chosen) for (const p of passed) if (v(c) > v(p)) assertions.push(beats(key, c, p, v(c), v(p), n));
    }
    if (!assertions.length) return handCount(key, known, "no assertion for this post's outcome: hand count");
    const seen = new Set();
    const unique = assertions.filter((a) => { const k = JSON.stringify([a.kind, a.a, a.b, a.m]); if (seen.has(k)) return false; seen.add(k); return true; });
    return { post: key, known, assertions: unique, hand: "" };
  }

  // ------------------------------------------------------------------ the statistic (section 4)
  function measuredRisk(dm, errors) {
    if (dm <= 0) return 1.0;
    let logP = 0.0;
    const step = Math.log(1 - dm / (2 * GAMMA));
    for (const e of errors) logP += step - Math.log(1 - e / GAMMA);
    return Math.min(1.0, Math.exp(logP));
  }
  function sampleSize(dm, alpha, o1, o2, u1, u2) {
    const g = GAMMA;
    const rho = -2 * g * (Math.log(alpha) + o1 * Math.log(1 - 1 / (2 * g)) + o2 * Math.log(1 - 1 / g)
      + u1 * Math.log(1 + 1 / (2 * g)) + u2 * Math.log(1 + 1 / g));
    return Math.max(Math.ceil(rho / dm), o1 + o2 + u1 + u2);
  }

  // A decrypted record (section 7): per post the listed persons it approves and its number of
  // approvals for persons not listed.
  function vectorRecord(vector, listed) {
    if (vector === null) return null;
    const votes = new Map(), unnamed = new Map();
    for (const [p, names] of Object.entries(listed)) {
      votes.set(p, new Set(names.filter((who, i) => same(get(vector, `${p}/a${i}`, null), 1))));
      unnamed.set(p, count(get(vector, `${p}/w`, 0)));
    }
    return { votes, unnamed };
  }
  // Its assorter: exact for listed persons; for anyone else (and OTHER) the largest value any
  // names of its unnamed approvals could give.
  function recordAssort(a, rec, onList, known) {
    const base = rec.votes.get(a.post) || new Set();
    const unnamed = rec.unnamed.get(a.post) || 0;
    const free = [...new Set([a.a, a.b])].filter((x) => x !== null && !onList.has(x));
    let best = -Infinity;
    for (let bits = 0; bits < 1 << free.length; bits++) {
      const chosen = free.filter((_, i) => bits & (1 << i));
      if (chosen.length > unnamed) continue;
      best = Math.max(best, assort(a, new Set([...base, ...chosen.map((x) => (x === OTHER ? UNKNOWN : x))]), known));
    }
    return best;
  }

  // Every assertion's risk after the findings, the posts to hand count and the status.
  function evaluate(posts, nAll, inp, rb, findings, alpha, listed) {
    const compared = findings.map((f) => {
      if (listed) return [vectorRecord(f.vector, listed), counted(f.paper, inp, rb)];
      return [counted(f.record, inp, rb), counted(f.paper, inp, rb)];
    });
    const hand = new Map(posts.filter((p) => p.hand).map((p) => [p.post, p.hand]));
    const risks = [];
    const sampled = findings.length;
    for (const pp of posts) {
      for (const a of pp.assertions) {
        const onList = new Set(listed ? get(listed, a.post, []) : []);
        const none = new Set();
        const errs = compared.map(([rec, pap]) => {
          if (rec === null || pap === null) return 1.0;  // the phantom rule: the worst case
          const paper = pap.get(a.post) || none;
          if (listed) {
            if (!rec.unnamed.get(a.post) && sameSet(rec.votes.get(a.post) || none, paper)) return 0.0;
            return (recordAssort(a, rec, onList, pp.known) - assort(a, paper, pp.known)) / a.upper;
          }
          const record = rec.get(a.post) || none;
          if (rec.has(a.post) === pap.has(a.post) && sameSet(record, paper)) return 0.0;
          return (assort(a, record, pp.known) - assort(a, paper, pp.known)) / a.upper;
        });
        const c = (k) => errs.filter((e) => Math.abs(e - k) < 1e-9).length;
        const risk = measuredRisk(a.dm, errs);
        let need;
        if (risk <= alpha) need = sampled;
        else if (a.dm <= 0) need = nAll;
        else need = Math.max(sampleSize(a.dm, alpha, c(0.5), c(1.0), c(-0.5), c(-1.0)), sampled + 1);
        risks.push({ a, risk, need: Math.min(need, nAll), counts: [c(0.5), c(1.0), c(-0.5), c(-1.0)] });
        if (risk > alpha && need >= nAll && !hand.has(a.post)) hand.set(a.post, `${a.label}: risk ${risk.toFixed(4)} over ${alpha}, the sample would reach all ${nAll} papers`);
      }
    }
    if (!posts.length || (!risks.length && !hand.size)) hand.set("*", "no assertion at all: zero assertions never confirm");
    const unmet = risks.filter((r) => r.risk > alpha);
    if (hand.size) {  // the hand count reads whole papers: it settles the other unmet posts too
      for (const r of unmet) if (!hand.has(r.a.post)) hand.set(r.a.post, `${r.a.label} not met (risk ${r.risk.toFixed(4)}): settled by the hand count`);
    }
    const out = { risks, hand: [...hand.keys()], next: Math.max(sampled, ...unmet.map((r) => r.need)) };
    if (hand.size) return { ...out, status: "full_count", next: nAll, message: [...hand].map(([k, why]) => `${k}: ${why}`).join("; ") };
    if (unmet.length) {
      const worst = unmet.reduce((w, r) => (r.risk > w.risk ? r : w));
      return { ...out, status: "escalated", message: `${worst.a.label}: risk ${worst.risk.toFixed(4)} over ${alpha}, draw up to ${out.next}` };
    }
    return { ...out, status: "confirmed", message: `${sampled} papers drawn, all ${risks.length} assertions within the risk limit ${alpha}` };
  }

  // The first sample (section 4): n = ceil(-2 gamma ln alpha / mu) for the smallest diluted
  // margin, no errors expected; every paper (nothing drawn) when a post goes to a hand count.
  function initialSize(posts, n, alpha) {
    const all = posts.flatMap((p) => p.assertions);
    if (posts.some((p) => p.hand) || !all.length) return n;
    const mu = Math.min(...all.map((a) => a.dm));
    if (mu <= 0) return n;
    return Math.min(n, sampleSize(mu, alpha, 0, 0, 0, 0));
  }
  // The sizes the protocol fixes, recomputed: the first sample, then each escalation to the
  // size the findings of the sample before it give. The draws, the audit's sample_size and the
  // chain's audit.started must be these.
  function sizeProblems(a, first, n, drawn, findings, events, evalPrefix) {
    const problems = [];
    const started = events.filter((e) => e.kind === "audit.started" && same(get(e.payload, "audit", null), get(a, "id", null)));
    const said = started.length ? get(started[started.length - 1].payload, "sample_size", null) : null;
    if (said !== null && !(isInt(said) && said === first)) problems.push(T(`事件链的 audit.started 记第一次抽样 ${JSON.stringify(said)} 张，按公式应为 ${first} 张`, `the chain's audit.started has a first sample of ${JSON.stringify(said)}, the formula gives ${first}`));
    let size = first;
    const steps = [];
    if (first >= n) {
      if (drawn) problems.push(T(`第一次抽样即全部 ${n} 张（人工计票，无须抽取），审计却抽取了 ${drawn} 张`, `the first sample is every paper (${n}: a hand count, nothing drawn), the audit drew ${drawn}`));
    } else if (drawn < first) problems.push(T(`按公式第一次抽样为 ${first} 张，审计只抽取了 ${drawn} 张`, `the first sample is ${first} papers by the formula, the audit drew ${drawn}`));
    while (first < n && drawn > size) {
      const prefix = findings.filter((f) => f.index <= size);
      if (prefix.length < size) { problems.push(T(`审计在前 ${size} 张抽中的选票录入之前就扩大了抽样`, `the audit escalated before its first ${size} draws were entered`)); break; }
      const step = evalPrefix(prefix);
      if (step.status !== "escalated" || step.next >= n) { problems.push(T(`按前 ${size} 张的发现无须扩大抽样（${step.message}），审计却抽取了 ${drawn} 张`, `the findings of the first ${size} draws call for no escalation (${step.message}), the audit drew ${drawn}`)); break; }
      if (drawn < step.next) problems.push(T(`按前 ${size} 张的发现须扩大到 ${step.next} 张，审计只抽取了 ${drawn} 张`, `the findings of the first ${size} draws escalate to ${step.next} papers, the audit drew ${drawn}`));
      size = step.next;
      steps.push(size);
    }
    // Each audit.escalated of the chain says the size it escalated to: the recomputed one.
    events.filter((e) => e.kind === "audit.escalated" && same(get(e.payload, "audit", null), get(a, "id", null))).forEach((e, k) => {
      const told = get(e.payload, "next_sample_size", null);
      if (k >= steps.length || !(isInt(told) && told === steps[k])) {
        problems.push(k < steps.length
          ? T(`事件 ${e.seq}（第 ${k + 1} 次扩大抽样）记录的样本量为 ${JSON.stringify(told)}，应为 ${steps[k]} 张`, `event ${e.seq} (escalation ${k + 1}) says ${JSON.stringify(told)} papers, the findings give ${steps[k]}`)
          : T(`事件 ${e.seq}（第 ${k + 1} 次扩大抽样）记录的样本量为 ${JSON.stringify(told)}，按发现不应有这次扩大抽样`, `event ${e.seq} (escalation ${k + 1}) says ${JSON.stringify(told)} papers, the findings call for no such escalation`));
      }
    });
    if (has(a, "sample_size") && !(isInt(a.sample_size) && a.sample_size === size)) problems.push(T(`audit.json 的 sample_size 为 ${JSON.stringify(a.sample_size)}，按公式与扩大抽样应为 ${size}`, `audit.json's sample_size is ${JSON.stringify(a.sample_size)}, the formula and the escalations give ${size}`));
    return problems;
  }

  // ------------------------------------------------------------------ the check (section 6)
  // recount.json's listed persons per post (the labels' order), or null when its shapes cannot be read.
  function listedOf(recount) {
    const shapes = get(recount, "shapes", null);
    if (!Array.isArray(shapes) || !shapes.length || shapes.length > 16) return null;
    const out = table();
    for (const s of shapes) {
      if (!(isObj(s) && typeof s.key === "string" && !s.key.includes("/") && !has(out, s.key) && isInt(s.seats) && s.seats > 0 && s.seats <= 32
            && isInt(s.candidates) && s.candidates >= 0 && s.candidates <= 64 && Array.isArray(s.listed) && s.listed.length === s.candidates
            && s.listed.every((p) => typeof p === "string") && new Set(s.listed).size === s.listed.length)) return null;
      out[s.key] = s.listed;
    }
    return out;
  }
  function paperPosts(paper) {  // the marks of an auditor's whole-paper entry
    const p = get(paper, "posts", null);
    if (!truthy(p)) return {};
    return isObj(p) ? p : fail("a paper's posts must be an object");
  }
  function manifestOf(a, records) {
    const m = get(a, "manifest", null);
    if (isObj(m)) {
      if (!Object.values(m).every((x) => isInt(x) && x >= 0)) fail("the manifest's counts must be counts");
      return m;
    }
    const out = table();
    for (const r of records) out[r.box] = (out[r.box] || 0) + 1;
    return out;
  }
  // A risk limit "p/q" as a number (a float, as the specification compares it).
  function riskLimit(raw) {
    const [num, den] = text(raw).split(/\/(.*)/s);
    const whole = (t) => {
      if (!/^\s*[-+]?[0-9]+(_[0-9]+)*\s*$/.test(t)) fail(`risk_limit ${JSON.stringify(raw)} is not a fraction`);
      return Number(BigInt(t.replace(/_/g, "").trim()));
    };
    const q = den ? whole(den) : 1;
    if (q === 0) fail("risk_limit divides by zero");
    return whole(num) / q;
  }

  /* x: {audit (audit.json), records (records.jsonl or null), tallyInput, rulebook, totals,
   * events (the chain), recount (recount.json or undefined)} */
  function recomputeProblems(x) {
    const { problems, evaluation, status } = recompute(x);
    const audits = Array.isArray(get(x.audit, "audits", null)) ? x.audit.audits : [x.audit];
    for (const i of x.earlier || []) {  // earlier audits of the same records (rla_check.checks)
      problems.push(...recompute({ ...x, audit: { audits: [audits[i]] } }).problems.map((p) => prefixed(p, `第 ${i + 1} 次审计：`, `audit ${i + 1}: `)));
    }
    return [problems, evaluation ? T(`按记录重算了断言、逐张比对与风险：审计的状态（${status}）与其发现相符`,
      `the assertions, every comparison and the risks recomputed from the records: the audit's status (${status}) follows from its findings`) : ""];
  }
  // The same, with the evaluation of the findings (status, every assertion's risk) when there is one.
  function recompute(x) {
    const doc = x.audit;
    const audits = Array.isArray(get(doc, "audits", null)) ? doc.audits : [doc];
    const a = audits.length ? audits[audits.length - 1] : {};
    const early = (m) => ({ problems: [m], evaluation: null });
    if (!isObj(a)) return early(T("最近一次审计不是对象", "the latest audit is not an object"));
    const decrypted = isObj(get(a, "decryption", null));
    const listed = isObj(x.recount) ? listedOf(x.recount) : null;
    if (decrypted && listed === null) return early(T("审计比对了受托人的解密，公示包中却没有可读的 recount.json", "the audit compared the trustees' decryptions but the bundle has no readable recount.json"));
    if (!x.records) return early(T("公示包没有计票记录，无法重算审计", "the bundle has no records: the audit cannot be recomputed"));
    let inp, rb;
    try {
      rb = R.rulebook(x.rulebook);
      inp = R.readInput(x.tallyInput, rb, get(x.totals, "returned", 0));
    } catch (e) {
      if (!(e instanceof R.RulesError)) throw e;
      return early(T(`无法读取 tally_input.json（${e.message}），无法重算审计`, `tally_input.json cannot be read (${e.message}): the audit cannot be recomputed`));
    }
    const problems = [];
    let ev, draws, findings;
    try {
      const round = tallyRecords(x.records, x.tallyInput, x.rulebook);
      inp = round.inp;
      const result = round.result;
      const published = get(get(x.totals, "result", {}) || {}, "posts", {});
      for (const p of inp.posts) {
        const pub = get(get(published, p.key, {}), "elected", null);
        if (pub === null) continue;
        const mine = (result.elected[p.key] || []).slice().sort(cmp);
        const theirs = items(pub).map((e) => (isObj(e) || Array.isArray(e) ? JSON.stringify(e) : text(e))).sort(cmp);
        if (mine.length !== theirs.length || mine.some((e, i) => e !== theirs[i])) problems.push(T(`${p.key}：按记录当选的人与公布的结果不同`, `${p.key}: the records elect others than the published result`));
      }
      const manifest = manifestOf(a, x.records);
      const n = Object.values(manifest).reduce((s, k) => s + k, 0);
      const posts = plan(inp, rb, result, n, x.records.length);
      const byD = new Map(x.records.map((r) => [r.d, r]));
      draws = iter(get(a, "draws", [])).map((d) => iter(d));
      findings = iter(get(a, "findings", [])).map((f) => {
        if (!isObj(f) || !has(f, "index")) fail("a finding without its draw's index");
        const i = f.index;
        if (!(isInt(i) && i >= 1)) fail(`a finding's index must be a positive integer, got ${JSON.stringify(i)}`);
        if (i > draws.length) fail(`finding ${i} is beyond the draws`);
        if (draws[i - 1].length !== 2) fail(`draw ${i} is not [box, position]`);
        const [box] = draws[i - 1];
        count(draws[i - 1][1]);
        const paper = truthy(get(f, "paper", null)) ? f.paper : {};
        if (!isObj(paper)) fail(`finding ${i}: the paper is not an object`);
        const rec = byD.get(text(get(f, "d", null)));
        const vector = decrypted ? get(f, "record", null) : null;
        return { index: i, record: rec !== undefined && rec.box === box ? rec.marks : null,
          paper: get(paper, "state", null) === MISSING ? null : paperPosts(paper),
          vector: isObj(vector) ? vector : null };
      });
      if (!has(a, "risk_limit")) fail("the audit has no risk_limit");
      const alpha = riskLimit(a.risk_limit);
      const limit = R.parseFraction(get(x.rulebook, "rla_risk_limit", "1/20"));
      if (limit && alpha > limit[0] / limit[1]) problems.push(T(`审计的风险限度 ${a.risk_limit} 高于规则集的 ${limit[0]}/${limit[1]}`, `the audit's risk limit ${a.risk_limit} is over the rulebook's ${limit[0]}/${limit[1]}`));
      ev = evaluate(posts, n, inp, rb, findings, alpha, decrypted ? listed : null);
      problems.push(...sizeProblems(a, initialSize(posts, n, alpha), n, draws.length, findings, x.events,
        (prefix) => evaluate(posts, n, inp, rb, prefix, alpha, decrypted ? listed : null)));
    } catch (e) {  // whatever the count or this check cannot read
      return early(T(`无法重算审计：${e.message}`, `the audit cannot be recomputed: ${e.message}`));
    }
    const status = get(a, "status", null);
    const pending = draws.length - findings.length;
    if (status === CONCLUDED) {
      if (pending) problems.push(T(`审计称结果得到确认，却有 ${pending} 张抽中的选票未录入`, `the audit says confirmed with ${pending} draws not entered`));
      if (ev.status !== "confirmed") problems.push(T(`审计称结果得到确认，按其发现却是：${ev.message}`, `the audit says confirmed, its findings give: ${ev.message}`));
    } else if (status === "escalated") {
      if (ev.status === "confirmed" && !pending) problems.push(T("审计称须扩大抽样，按其发现每项风险却都在限度之内", "the audit says escalated, but its findings bring every risk within the limit"));
      if (ev.status === "full_count" && !pending) problems.push(T(`审计称须扩大抽样，按其发现却须全部人工计票：${ev.message}`, `the audit says escalated, its findings call for a full hand count: ${ev.message}`));
    } else if (status === "full_count") {
      if (ev.status !== "full_count" && !pending) problems.push(T(`审计称须全部人工计票，按其发现却是：${ev.message}`, `the audit says full hand count, its findings give: ${ev.message}`));
    } else if (status === "hand_counted") {
      if (!x.events.some((e) => e.kind === HAND_COUNTED && same(get(e.payload, "audit", null), get(a, "id", null)))) problems.push(T("审计称已人工计票，事件链中却没有人工计票的结果", "the audit says hand counted, but the chain has no hand count's result"));
    } else if (status !== "open") problems.push(T(`未知的审计状态 ${JSON.stringify(status)}`, `unknown audit status ${JSON.stringify(status)}`));
    return { problems, evaluation: ev, status };
  }

  root.JuxuanAudit = { recomputeProblems, recompute, measuredRisk, sampleSize, initialSize, GAMMA };
  if (typeof module !== "undefined") module.exports = root.JuxuanAudit;
})(typeof globalThis !== "undefined" ? globalThis : this);
