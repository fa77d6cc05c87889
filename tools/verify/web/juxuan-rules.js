/* The rules of winning for the browser verifier (docs/PROTOCOL.md section 14), written from
 * the specification, sharing no code with election/rules: from a bundle's tally_input.json,
 * rulebook.json and the published counts of totals.json it decides again whether the round
 * is valid, who is elected to each post, and what the next round holds (re-vote of the
 * tied, run-offs, the woman member's seat, nominations still needed). The check `winners`
 * compares that with totals.json's result and the round's result.published event, and
 * refuses a write-in named below the rulebook's write_in_public_min.
 * Every count is an integer and every share an exact fraction (BigInt-free: counts stay
 * far below 2^53 / denominator). Licence: Apache-2.0 (the project's).
 *
 *   JuxuanRules.decide(tallyInput, rulebook, totals) -> {valid, elected, next_round, next_posts}
 *   JuxuanRules.winnersProblems(bundle) -> [problems, detail]
 */
"use strict";
(function (root) {
  // A message in both languages (juxuan-verify.js shows detail and detail_en): as a string, the Chinese.
  const T = (zh, en) => ({ zh, en, toString: () => zh });
  const enOf = (m) => (m !== null && typeof m === "object" && typeof m.en === "string" ? m.en : String(m));
  const OTHER = "其他（另选他人）";
  const FEMALE = new Set(["女", "F", "f", "female"]);
  // A person's sex as written (section 14.2), lower-cased without surrounding spaces -> 女 / 男
  // ("" unknown); any other value is refused, never read as "not a woman".
  const SEX_WORDS = new Map([["", ""], ["女", "女"], ["女性", "女"], ["f", "女"], ["female", "女"], ["woman", "女"],
    ["男", "男"], ["男性", "男"], ["m", "男"], ["male", "男"], ["man", "男"]]);
  // Every post key of an election: prior_elected may name a post of an earlier round by these (section 14.2).
  const POST_KEYS = new Set(["jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan", "jdw_zhuren", "jdw_fu_zhuren", "jdw_weiyuan"]);
  const METHODS = new Set(["direct", "household", "representative"]);
  const WOMAN_METHODS = new Set(["reserved_line", "replace_lowest", "separate_round"]);
  const WOMAN_DECISIONS = new Set(["replace_lowest", "accept_without"]);
  // The national preset (PROTOCOL.md section 14.1): a rulebook.json key that is missing keeps this value.
  const DEFAULTS = {
    turnout_fraction: "1/2", majority_fraction: "1/2", runoff_floor: "1/3", returned_le_issued: true,
    near_relatives_rule: true, jdw_incompat_extended: false, woman_member_required: true,
    woman_member_method: "reserved_line", jwh_size_min: 5, jwh_size_max: 9, jwh_size_odd: true,
    vacancy_min_members: 3, vacancy_needs_zhuren: false, runoff_extra_candidates: 1,
    jdw_zhuren_threshold: "majority", jdw_weiyuan_threshold: "plurality", write_in_public_min: 5,
    recall_turnout: "1/2", recall_approve: "1/2", meeting_decision: "1/2", rep_meeting_decision: "2/3",
    overvote_scope: "post", multi_post_rule: "higher_post_first",
  };
  // The kinds of meeting that may vote a motion on paper (section 14.10) and the rulebook key of their decision share.
  const MEETING_DECISION = { residents: "meeting_decision", group: "meeting_decision", representatives: "rep_meeting_decision" };

  // Every key rulebook.json may hold, by JSON type (PROTOCOL.md section 14.1); any other key is refused.
  const RULEBOOK_TYPES = {
    boolean: ["committee_meeting_decision_required", "committee_member_withdraws_when_candidate", "committee_relative_withdraws", "committee_size_odd", "community_worker_recommendation", "doubtful_by_committee", "exclude_no_legal_capacity", "jdw_incompat_extended", "jdw_members_party_confirmed", "jwh_size_odd", "near_relatives_rule", "no_zhuren_fu_presides", "nomination_meeting_allowed", "nomination_self_allowed", "nonhukou_consent_required", "one_person_two_bodies", "one_roll_only", "papers_sealed_until_next", "primary_mobile_box_allowed", "primary_proxy_allowed", "primary_when_over_max", "proxy_candidates_may_hold", "proxy_relatives_only", "rep_total_larger_may_exceed", "returned_le_issued", "secret_booth_required", "signer_limit_equals_seats", "uncontested_allowed", "vacancy_needs_zhuren", "woman_member_required"],
    int: ["candidate_list_days_before", "committee_size_max", "committee_size_min", "community_worker_months", "complaint_window_days", "group_households_max", "group_households_min", "handover_days", "jdw_fu_zhuren_max", "jdw_fu_zhuren_min", "jdw_size_max", "jdw_size_min", "jwh_fu_zhuren_max", "jwh_fu_zhuren_min", "jwh_size_max", "jwh_size_min", "margin_jdw_weiyuan_max", "margin_jdw_weiyuan_min", "margin_jdw_zhuren_max", "margin_jdw_zhuren_min", "margin_jwh_fu_zhuren_max", "margin_jwh_fu_zhuren_min", "margin_jwh_weiyuan_max", "margin_jwh_weiyuan_min", "margin_jwh_zhuren_max", "margin_jwh_zhuren_min", "meeting_notice_days", "min_box_size", "mobile_box_scrutineers", "nomination_min_household_signers", "nomination_min_joint_signers", "nonhukou_residence_months", "objection_decision_days", "objection_window_days", "proxy_days_before", "proxy_max_per_holder", "rep_households_max", "rep_households_min", "rep_per_group_max", "rep_per_group_min", "rep_total_max", "rep_total_min", "roll_published_days_before", "runoff_extra_candidates", "runoff_within_days", "term_years", "vacancy_min_members", "voter_min_age", "withdrawal_days_before", "write_in_public_min"],
    fraction: ["group_leader_turnout", "majority_fraction", "meeting_decision", "meeting_quorum", "meeting_request", "meeting_request_groups", "primary_turnout", "recall_approve", "recall_propose_reps", "recall_propose_voters", "recall_turnout", "rep_election_turnout", "rep_meeting_decision", "rep_meeting_quorum", "rep_meeting_request", "rla_risk_limit", "runoff_floor", "turnout_fraction"],
  };
  const RULEBOOK_CHOICES = {"ballot_order": ["surname_strokes"], "jdw_chosen_by": ["voters", "residents_meeting", "representatives_meeting"], "mark_approve": ["○", "√"], "mark_oppose": ["×"], "overvote_scope": ["post", "paper"], "jdw_zhuren_threshold": ["majority", "plurality"], "jdw_weiyuan_threshold": ["majority", "plurality"], "tie_rule": ["revote"], "multi_post_rule": ["higher_post_first", "paper_invalid_for_person", "higher_counts_for_lower"], "woman_member_method": ["reserved_line", "replace_lowest", "separate_round"], "resignation_accepted_by": ["residents_meeting", "representatives_meeting"]};
  class RulesError extends Error {}
  const fail = (m) => { throw new RulesError(m); };
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isInt = (v) => typeof v === "number" && Number.isSafeInteger(v);
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  function cmp(a, b) {  // Unicode code points, as the protocol sorts
    const x = Array.from(a), y = Array.from(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }
  const byVotes = (a, b) => b[1] - a[1] || cmp(a[0], b[0]);

  // ------------------------------------------------------------------ the rulebook in force
  // A fraction as the protocol's reference reads one (PROTOCOL.md section 14.1): an integer, or a
  // string "p/q", a decimal "0.5" or "1e-1", optionally signed, "_" between digits, ASCII
  // white space around, ASCII digits only; reduced, as [p, q] with q > 0. Anything else (a zero
  // q, an exponent beyond ±400, p or q beyond 2^53−1) is refused, as rulebook.parse_fraction does.
  const RATIONAL = /^[ \t\n\r\f\v]*([-+]?)(?=[0-9]|\.[0-9])([0-9]*|[0-9]+(?:_[0-9]+)*)(?:(?:\/([0-9]+(?:_[0-9]+)*))?|(?:\.([0-9]*|[0-9]+(?:_[0-9]+)*))?(?:[eE]([-+]?[0-9]+(?:_[0-9]+)*))?)[ \t\n\r\f\v]*$/;
  function parseFraction(raw) {
    if (isInt(raw)) return [raw, 1];
    const m = typeof raw === "string" ? RATIONAL.exec(raw) : null;
    if (!m) return null;
    const big = (t) => BigInt((t || "0").replace(/_/g, ""));
    let n = big(m[2]), d = 1n;
    if (m[3] !== undefined) d = big(m[3]);
    else {
      if (m[4] !== undefined) { const scale = 10n ** BigInt(m[4].replace(/_/g, "").length); n = n * scale + big(m[4]); d = scale; }
      if (m[5] !== undefined) {
        const e = big(m[5]);
        if (e > 400n || e < -400n) return null;  // beyond any share a rulebook means
        if (e >= 0n) n *= 10n ** e; else d *= 10n ** -e;
      }
    }
    if (d === 0n) return null;
    if (m[1] === "-") n = -n;
    let a = n < 0n ? -n : n, b = d;
    while (b) [a, b] = [b, a % b];
    if (a > 1n) { n /= a; d /= a; }
    const lim = BigInt(Number.MAX_SAFE_INTEGER);
    if (n > lim || -n > lim || d > lim) return null;
    return [Number(n), Number(d)];
  }
  function fraction(key, raw) {
    return parseFraction(raw) || fail(`rulebook.json: ${key} must be a fraction "p/q", got ${JSON.stringify(raw)}`);
  }
  const TYPE_OF = new Map([...Object.entries(RULEBOOK_TYPES).flatMap(([t, ks]) => ks.map((k) => [k, t])),
    ...Object.keys(RULEBOOK_CHOICES).map((k) => [k, "choice"])]);
  function rulebook(raw) {
    if (!isObj(raw)) fail("rulebook.json is not an object");
    for (const [key, v] of Object.entries(raw)) {
      const t = TYPE_OF.get(key);
      if (t === undefined) fail(`rulebook.json: unknown parameter ${key}`);
      if (t === "boolean" && typeof v !== "boolean") fail(`rulebook.json: ${key} must be true or false`);
      if (t === "int" && !isInt(v)) fail(`rulebook.json: ${key} must be an integer`);
      if (t === "fraction") fraction(key, v);
      if (t === "choice" && !RULEBOOK_CHOICES[key].includes(v)) fail(`rulebook.json: ${key} must be one of ${RULEBOOK_CHOICES[key].join(", ")}`);
    }
    const rb = {};
    for (const [key, dflt] of Object.entries(DEFAULTS)) {
      const v = has(raw, key) ? raw[key] : dflt;
      if (typeof dflt === "boolean" && typeof v !== "boolean") fail(`rulebook.json: ${key} must be true or false`);
      if (typeof dflt === "number" && !isInt(v)) fail(`rulebook.json: ${key} must be an integer`);
      rb[key] = v;
    }
    for (const k of ["turnout_fraction", "majority_fraction", "runoff_floor", "recall_turnout", "recall_approve", "meeting_decision", "rep_meeting_decision"]) rb[k] = fraction(k, rb[k]);
    if (!WOMAN_METHODS.has(rb.woman_member_method)) fail(`rulebook.json: woman_member_method ${rb.woman_member_method}`);
    for (const k of ["jdw_zhuren_threshold", "jdw_weiyuan_threshold"]) {
      if (rb[k] !== "majority" && rb[k] !== "plurality") fail(`rulebook.json: ${k} must be majority or plurality`);
    }
    return rb;
  }

  // ------------------------------------------------------------------ the tally input (section 14.2)
  function field(o, key, where, type, dflt) {
    if (!has(o, key)) { if (dflt === undefined) fail(`${where}${key}: missing`); return dflt; }
    const v = o[key];
    const ok = type === "int" ? isInt(v) : type === "list" ? Array.isArray(v) : type === "obj" ? isObj(v) : typeof v === type;
    if (!ok) fail(`${where}${key}: must be ${type}`);
    return v;
  }
  function sexOf(o, where) {
    const raw = field(o, "sex", where, "string", "");
    const sex = SEX_WORDS.get(raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "").toLowerCase());
    if (sex === undefined) fail(`${where}sex must be 女/男 (F/M, female/male in any case) or absent`);
    return sex;
  }
  function readInput(ti, rb, returned) {
    if (!isObj(ti)) fail("tally_input.json is not an object");
    const posts = field(ti, "posts", "", "list").map((p, i) => {
      const w = `posts[${i}].`;
      if (!isObj(p)) fail(`posts[${i}] is not an object`);
      const key = p.key;
      const body = field(p, "body", w, "string");
      if (body !== "jwh" && body !== "jdw") fail(`${w}body must be jwh or jdw`);
      const dflt = key === "jdw_zhuren" ? rb.jdw_zhuren_threshold : key === "jdw_weiyuan" ? rb.jdw_weiyuan_threshold : "majority";
      const threshold = field(p, "threshold", w, "string", dflt);
      if (threshold !== "majority" && threshold !== "plurality") fail(`${w}threshold must be majority or plurality`);
      const seats = field(p, "seats", w, "int");
      if (seats < 1) fail(`${w}seats must be at least 1`);
      const title = field(p, "title", w, "string");
      const reserved = field(p, "reserved_woman_seats", w, "int", 0);
      // The reserved woman's line is a 居委会 委员 line only (RULES.md "woman member").
      if (reserved > 0 && !(body === "jwh" && title === "委员")) fail(`${w}reserved_woman_seats only on the jwh 委员 post`);
      return { key: field(p, "key", w, "string"), body, title, seats, rank: field(p, "rank", w, "int"), threshold, reserved };
    });
    const keys = new Set(posts.map((p) => p.key));
    const candidates = field(ti, "candidates", "", "list", []).map((c, i) => {
      const w = `candidates[${i}].`;
      if (!isObj(c)) fail(`candidates[${i}] is not an object`);
      const post = field(c, "post", w, "string");
      if (!keys.has(post)) fail(`${w}post ${post} is not a post`);
      const person = field(c, "person", w, "string");
      field(c, "id", w, "string", person);
      field(c, "name", w, "string");
      return { person, sex: sexOf(c, w), post };
    });
    for (const [i, c] of field(ti, "write_ins", "", "list", []).entries()) {
      const w = `write_ins[${i}].`;
      if (!isObj(c)) fail(`write_ins[${i}] is not an object`);
      field(c, "name", w, "string");
      candidates.push({ person: field(c, "person", w, "string"), sex: sexOf(c, w), post: null });
    }
    const relations = [], extended = [];
    for (const [i, r] of field(ti, "relations", "", "list", []).entries()) {
      if (!(Array.isArray(r) && (r.length === 2 || r.length === 3) && r.every((x) => typeof x === "string")
        && (r.length === 2 || r[2] === "near" || r[2] === "extended"))) fail(`relations[${i}] must be two person ids`);
      if (r[0] === r[1]) fail(`relations[${i}] relates a person to themself`);
      (r.length === 3 && r[2] === "extended" ? extended : relations).push([r[0], r[1]]);
    }
    const bodyPapers = [];
    for (const [body, bp] of Object.entries(field(ti, "body_papers", "", "obj", {}))) {
      if ((body !== "jwh" && body !== "jdw") || !isObj(bp)) fail(`body_papers.${body} must be jwh or jdw`);
      bodyPapers.push([body, field(bp, "issued", `body_papers.${body}.`, "int"), field(bp, "returned", `body_papers.${body}.`, "int")]);
    }
    const womanDecision = field(ti, "woman_decision", "", "string", "");
    if (womanDecision && !WOMAN_DECISIONS.has(womanDecision)) fail(`woman_decision ${womanDecision}`);
    const prior = field(ti, "prior_elected", "", "list", []).map((pe, i) => {
      const w = `prior_elected[${i}].`;
      if (!isObj(pe)) fail(`prior_elected[${i}] is not an object`);
      const post = field(pe, "post", w, "string");
      if (!keys.has(post) && !POST_KEYS.has(post)) fail(`${w}post ${post} is neither a post of the round nor of the election`);
      return { person: field(pe, "person", w, "string"), post, sex: sexOf(pe, w) };
    });
    const held = field(ti, "held", "", "list", []).map((h, i) => {
      const w = `held[${i}].`;
      if (!isObj(h)) fail(`held[${i}] is not an object`);
      const ranked = field(h, "ranked", w, "list").map((r, j) => {
        if (!isObj(r)) fail(`${w}ranked[${j}] is not an object`);
        const person = field(r, "person", `${w}ranked[${j}].`, "string");
        field(r, "name", `${w}ranked[${j}].`, "string", person);
        return [person, field(r, "votes", `${w}ranked[${j}].`, "int")];
      });
      const seats = field(h, "seats", w, "int");
      if (seats < 1) fail(`${w}seats must be at least 1`);
      field(h, "post_name", w, "string", "");
      return { post: field(h, "post", w, "string"), seats, womenOnly: field(h, "women_only", w, "boolean", false),
        ranked, womanSeat: field(h, "woman_seat", w, "boolean", false) };
    });
    const round = field(ti, "round", "", "string", "main");
    if (!["main", "revote", "runoff", "recall", "motion"].includes(round)) fail(`round ${round}`);
    const meeting = field(ti, "meeting", "", "string", "");
    if (round === "motion" && !has(MEETING_DECISION, meeting)) fail(`meeting ${meeting}`);
    const method = field(ti, "method", "", "string", "direct");
    if (!METHODS.has(method)) fail(`method ${method}`);
    const inp = { registered: field(ti, "registered_voters", "", "int"), issued: field(ti, "papers_issued", "", "int"),
      returned, posts, candidates, relations, extended, bodyPapers, womanDecision, prior, held, round, method, meeting };
    // The input must be consistent before anything is decided (section 14.2).
    for (const k of ["registered", "issued", "returned"]) if (!isInt(inp[k]) || inp[k] < 0) fail(`${k} must be a count`);
    if (bodyPapers.length) {
      const bodies = new Set(posts.map((p) => p.body));
      const named = bodyPapers.map((b) => b[0]);
      if (new Set(named).size !== named.length || named.length !== bodies.size || named.some((b) => !bodies.has(b))) fail("body_papers must name each body of the round once");
      if (bodyPapers.reduce((n, b) => n + b[2], 0) !== returned) fail("body_papers' returned papers must add up to the papers returned");
    }
    if (keys.size !== posts.length) fail("a post key is repeated");
    for (const p of posts) if (p.reserved < 0 || p.reserved > p.seats) fail(`${p.key}: reserved_woman_seats out of 0..seats`);
    return inp;
  }

  // ------------------------------------------------------------------ seats of one post (section 14.4)
  function fill(cands, n) {  // n seats from a ranking; a tie across the cut takes none of the tied
    if (n <= 0 || !cands.length) return [[], []];
    if (cands.length <= n) return [[...cands], []];
    const cut = cands[n - 1][1];
    if (cands[n][1] === cut) return [cands.filter((c) => c[1] > cut), cands.filter((c) => c[1] === cut)];
    return [cands.slice(0, n), []];
  }
  function* combinations(items, k, start = 0, acc = []) {
    if (acc.length === k) { yield [...acc]; return; }
    for (let i = start; i < items.length; i++) { acc.push(items[i]); yield* combinations(items, k, i + 1, acc); acc.pop(); }
  }
  function binom(n, k) { let r = 1; for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i; return Math.round(r); }
  const tkey = (c) => `${c[1]}\u0000${c[0]}`;

  function reservedTie(post, q, got, tied, tieSeats, general) {
    if (binom(tied.length, tieSeats) > 64) return null;
    const outcomes = [];
    const contenders = new Map();
    let unfilled = 0;
    for (const winners of combinations(tied, tieSeats)) {
      const taken = new Set([...got, ...winners].map((c) => c[0]));
      const [gen, genTied] = fill(q.filter((c) => !taken.has(c[0])), general);
      const these = new Map([...got, ...winners, ...gen].map((c) => [tkey(c), c]));
      outcomes.push(these);
      for (const c of [...these.values(), ...genTied]) contenders.set(tkey(c), c);
      const genTieSeats = genTied.length ? general - gen.length : 0;
      unfilled = general - gen.length - genTieSeats;
    }
    const sure = [...outcomes[0].values()].filter((c) => outcomes.every((o) => o.has(tkey(c))));
    const sureKeys = new Set(sure.map(tkey));
    if (contenders.size === sure.length && [...contenders.keys()].every((k) => sureKeys.has(k))) return [sure, [], unfilled];
    const seatsLeft = got.length + tieSeats + general - sure.length - unfilled;
    const rest = [...contenders.values()].filter((c) => !sureKeys.has(tkey(c))).sort(byVotes);
    const ties = [{ post, persons: tied.map((c) => c[0]), votes: tied[0][1], seats: tieSeats, womenOnly: true }];
    if (seatsLeft > tieSeats) ties.push({ post, persons: rest.map((c) => c[0]), votes: tied[0][1], seats: seatsLeft - tieSeats, womenOnly: false });
    return [sure, ties, unfilled];
  }

  function selectPost(post, ranking, minVotes, excluded, female, held) {
    const seats = Math.max(0, post.seats - held);
    let q = ranking.filter(([p, v]) => v >= minVotes && !excluded.has(p));
    const sel = { elected: [], ties: [], unfilledGeneral: 0, unfilledReserved: 0, reservedWomen: [] };
    const reserved = Math.min(post.reserved, seats);
    const general = seats - reserved;
    if (reserved) {
      const [got, tied] = fill(q.filter((c) => female.has(c[0])), reserved);
      let tieSeats = 0;
      if (tied.length) {
        tieSeats = reserved - got.length;
        const decided = reservedTie(post.key, q, got, tied, tieSeats, general);
        if (decided !== null) {
          const [sure, ties, unfilled] = decided;
          sel.elected = [...sure].sort(byVotes);
          sel.ties = ties;
          sel.unfilledGeneral = unfilled;
          const women = new Set(tied.map((c) => c[0]));
          sel.reservedWomen = [...got.map((c) => c[0]), ...sure.filter((c) => women.has(c[0])).map((c) => c[0])];
          return sel;
        }
        sel.ties.push({ post: post.key, persons: tied.map((c) => c[0]), votes: tied[0][1], seats: tieSeats, womenOnly: true });
      }
      sel.elected.push(...got);
      sel.reservedWomen = got.map((c) => c[0]);
      sel.unfilledReserved = reserved - got.length - tieSeats;
      const gone = new Set([...got, ...tied].map((c) => c[0]));
      q = q.filter((c) => !gone.has(c[0]));
    }
    const [got, tied] = fill(q, general);
    let tieSeats = 0;
    if (tied.length) {
      tieSeats = general - got.length;
      sel.ties.push({ post: post.key, persons: tied.map((c) => c[0]), votes: tied[0][1], seats: tieSeats, womenOnly: false });
    }
    sel.elected.push(...got);
    sel.elected.sort(byVotes);
    sel.unfilledGeneral = general - got.length - tieSeats;
    return sel;
  }

  // ------------------------------------------------------------------ near relatives (section 14.5)
  function relativesMap(pairs) {
    const m = new Map();
    for (const [a, b] of pairs) {
      if (!m.has(a)) m.set(a, new Set());
      if (!m.has(b)) m.set(b, new Set());
      m.get(a).add(b);
      m.get(b).add(a);
    }
    return m;
  }
  const related = (m, a, b) => !!m && m.has(a) && m.get(a).has(b);

  function relativeConflict(electedAt, priorBody, rel, provincial, cross) {
    const order = [...electedAt.entries()].sort((x, y) => {
      const [px, vx] = x[1], [py, vy] = y[1];
      return (px.body !== "jwh") - (py.body !== "jwh") || py.rank - px.rank || vy - vx || cmp(x[0], y[0]);
    });
    const bodyOf = new Map(priorBody);
    const kept = [...priorBody.keys()].filter((p) => rel.has(p) || (cross && cross.has(p)));
    for (const [pid, [post, votes]] of order) {
      bodyOf.set(pid, post.body);
      for (const k of kept) {
        const across = bodyOf.get(k) !== post.body;
        const isRelated = related(rel, pid, k) || (across && cross !== null && related(cross, pid, k));
        if (!isRelated || !(across || provincial)) continue;
        if (priorBody.has(k)) return [k, pid, across ? "bar" : "aside"];
        if (across) return [k, pid, "bar"];
        const [kpost, kvotes] = electedAt.get(k);
        if (kpost.rank === post.rank && kvotes === votes) return [k, pid, "tie"];
        return [k, pid, "aside"];
      }
      kept.push(pid);
    }
    return null;
  }

  /* A person tied for a seat who may not serve beside someone who keeps a seat whatever the
   * re-vote decides (an earlier round's member; across the bodies a 居委会 member; in one body
   * a higher post, or more votes on a post of the same rank): [kept, tied, post] or null. The
   * Python rules' tied_relative; ties: [post, tie] in the order seats are decided. */
  function tiedRelative(ties, rankings, electedAt, priorBody, rel, provincial, cross) {
    for (const [post, tie] of ties) {
      for (const pid of tie.persons) {
        const near = rel.get(pid) || new Set();
        const wide = (cross && cross.get(pid)) || new Set();
        for (const k of [...new Set([...near, ...wide])].sort(cmp)) {
          let kbody;
          if (priorBody.has(k)) kbody = priorBody.get(k);
          else if (electedAt.has(k)) kbody = electedAt.get(k)[0].body;
          else continue;
          const across = kbody !== post.body;
          if (!(near.has(k) || (across && wide.has(k))) || !(across || provincial)) continue;
          if (priorBody.has(k) || (across && post.body === "jdw")) return [k, pid, post];
          if (across) continue;
          const [kpost, kvotes] = electedAt.get(k);
          const mine = (rankings.get(post.key).find(([p]) => p === pid) || [pid, 0])[1];
          if (kpost.rank > post.rank || (kpost.rank === post.rank && kvotes > mine)) return [k, pid, post];
        }
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ run-offs and the next round (section 14.7)
  function poolRanking(ranking, zeroVote, blocked, womenOnly, female) {
    const pool = ranking.filter(([p]) => !blocked.has(p) && (!womenOnly || female.has(p)));
    const inPool = new Set(pool.map((c) => c[0]));
    for (const p of zeroVote) {
      if (!blocked.has(p) && !inPool.has(p) && (!womenOnly || female.has(p))) { pool.push([p, 0]); inPool.add(p); }
    }
    return pool;
  }
  function takePool(pool, n) {
    if (pool.length <= n) return pool.map((c) => c[0]);
    const cut = pool[n - 1][1];
    return pool.filter((c) => c[1] >= cut).map((c) => c[0]);
  }
  function resolve(held, elected, womanNeeded, extra) {
    const seat = womanNeeded ? held.find((h) => h.womanSeat) || null : null;
    const pool = (h, n) => takePool(h.ranked.filter(([p]) => !elected.has(p)), n);
    const out = [];
    let converted = false;
    for (const h of held) {
      if (h.womanSeat) continue;
      let seats = h.seats;
      if (seat && !converted && h.post === seat.post && !h.womenOnly) { seats -= 1; converted = true; }
      if (seats > 0) out.push({ post: h.post, seats, persons: pool(h, seats + extra), womenOnly: h.womenOnly });
    }
    if (seat) out.push({ post: seat.post, seats: 1, persons: pool(seat, 1 + extra), womenOnly: true });
    return out;
  }
  function merge(needs, order, votes) {
    const seats = new Map(), reserved = new Map(), people = new Map();
    for (const n of needs) {
      seats.set(n.post, (seats.get(n.post) || 0) + n.seats);
      reserved.set(n.post, (reserved.get(n.post) || 0) + (n.womenOnly ? n.seats : 0));
      if (!people.has(n.post)) people.set(n.post, []);
      const listed = people.get(n.post);
      for (const p of n.persons) if (!listed.includes(p)) listed.push(p);
    }
    const rank = new Map(order.map((k, i) => [k, i]));
    const keys = [...seats.keys()].map((k, i) => [k, i])
      .sort((a, b) => (rank.has(a[0]) ? rank.get(a[0]) : rank.size) - (rank.has(b[0]) ? rank.get(b[0]) : rank.size) || a[1] - b[1])
      .map((x) => x[0]);
    return keys.map((k) => {
      const listed = people.get(k);
      const cands = listed.map((p, i) => [p, i]).sort((a, b) => (votes.get(b[0]) || 0) - (votes.get(a[0]) || 0) || a[1] - b[1]).map((x) => x[0]);
      return { post: k, seats: seats.get(k), reserved: reserved.get(k), candidates: cands };
    });
  }

  // ------------------------------------------------------------------ the woman member (section 14.6)
  function womanRule(inp, rb, method, st) {
    const { sels, electedAt, female, thresholds, rankings, prior, aside, pending, rel, bodyOf } = st;
    const jwh = inp.posts.filter((p) => p.body === "jwh");
    if (!rb.woman_member_required || !jwh.length) return { status: "not_required" };
    const womenIn = [];
    for (const p of jwh) for (const [pid] of sels.get(p.key).elected) if (female.has(pid)) womenIn.push(pid);
    for (const pe of inp.prior) if (female.has(pe.person) && bodyOf(pe.post) === "jwh") womenIn.push(pe.person);
    if (womenIn.length) return { status: "satisfied" };
    if (method === "replace_lowest") {
      let low = jwh[0];
      for (const p of jwh) if (p.rank < low.rank) low = p;
      const sel = sels.get(low.key);
      const th = thresholds.get(low.key);
      const busy = new Set([...electedAt.keys(), ...prior, ...aside.keys(), ...pending]);
      const options = rankings.get(low.key).filter(([p, v]) => female.has(p) && v >= th && !busy.has(p));
      if (!options.length || !sel.elected.length) return { status: "needs_round" };
      const best = options[0];
      const lowestV = Math.min(...sel.elected.map((c) => c[1]));
      const lowest = sel.elected.filter((c) => c[1] === lowestV).map((c) => c[0]);
      if ((options.length > 1 && options[1][1] === best[1]) || lowest.length > 1) return { status: "undecided" };
      const out = lowest[0];
      if (rel.size && [...electedAt.keys()].some((o) => o !== out && related(rel, best[0], o))) return { status: "needs_round" };
      sel.elected = [...sel.elected.filter((c) => c[0] !== out), best].sort(byVotes);
      electedAt.delete(out);
      electedAt.set(best[0], [low, best[1]]);
      return { status: "replaced" };
    }
    return { status: "needs_round" };
  }
  function womanSeatRoom(inp, rb, woman, st) {
    if (woman.status !== "needs_round" || inp.round === "revote") return woman;
    const jwh = inp.posts.filter((p) => p.body === "jwh");
    const wp = jwh.find((p) => p.title === "委员");
    const { sels, bodyOf } = st;
    if (!wp || sels.get(wp.key).unfilledGeneral > 0 || sels.get(wp.key).unfilledReserved > 0 || jwh.some((p) => sels.get(p.key).ties.length)) return woman;
    const size = jwh.reduce((n, p) => n + p.seats, 0) + inp.prior.filter((pe) => bodyOf(pe.post) === "jwh").length;
    const bigger = size + 1;
    if (bigger <= rb.jwh_size_max && (!rb.jwh_size_odd || bigger % 2 === 1)) return woman;
    let decision = inp.womanDecision;
    if (decision === "replace_lowest") {
      const out = womanRule(inp, rb, "replace_lowest", st);
      if (out.status !== "needs_round") return out;
      decision = "";
    }
    if (decision === "accept_without") return { status: "accepted_without" };
    return { status: "needs_decision" };
  }

  // ------------------------------------------------------------------ the decision (section 14)
  function decide(ti, rawRulebook, totals) {
    const out = decision(ti, rawRulebook, totals);
    delete out.detail;
    return out;
  }
  /* decide, and with a valid election round the `detail` the audit's assertions are made from
   * (juxuan-audit.js): per post its ranking, winners, ties, the persons set aside as near
   * relatives and the run-offs it orders; the woman member's status; the female persons. */
  function decision(ti, rawRulebook, totals) {
    const rb = rulebook(rawRulebook);
    if (!isObj(totals) || !isObj(totals.posts) || !isObj(totals.counts) || !isObj(totals.counts.posts)) fail("totals.json has no counts");
    const inp = readInput(ti, rb, totals.returned);
    const female = new Set();
    const persons = new Set();
    for (const c of inp.candidates) { persons.add(c.person); if (FEMALE.has(c.sex)) female.add(c.person); }
    for (const pe of inp.prior) if (FEMALE.has(pe.sex)) female.add(pe.person);
    if (inp.round === "recall" || inp.round === "motion") return recallQuestion(inp, rb, totals);
    const voidResult = () => ({ valid: false, elected: Object.fromEntries(inp.posts.map((p) => [p.key, []])),
      next_round: "new_election", next_posts: {} });
    // Validity of the round (section 14.3): per paper (one for all posts, or one per body).
    const sheets = inp.bodyPapers.length ? inp.bodyPapers : [["", inp.issued, inp.returned]];
    const [tn, td] = rb.turnout_fraction;
    for (const [, issued, back] of sheets) {
      if (rb.returned_le_issued && back > issued) return voidResult();
      // More papers than electors: void (registered 0 is the running count's "no roll figure").
      if (inp.registered && back > inp.registered) return voidResult();
      if (back * td <= inp.registered * tn) return voidResult();
    }
    const returnedOf = new Map(inp.bodyPapers.map((b) => [b[0], b[2]]));
    const R = (body) => (returnedOf.has(body) ? returnedOf.get(body) : inp.returned);
    // The published counts: votes per person, 其他（另选他人） and zero votes left out.
    const rankings = new Map();
    for (const key of Object.keys(totals.posts).sort(cmp)) {
      const row = totals.posts[key];
      if (!isObj(row) || !isObj(totals.counts.posts[key])) fail(`totals.json: counts of ${key} missing`);
      rankings.set(key, Object.entries(row).filter(([p, v]) => v && p !== OTHER).sort(byVotes));
    }
    for (const p of inp.posts) if (!rankings.has(p.key)) fail(`totals.json has no votes for post ${p.key}`);
    const byKey = new Map(inp.posts.map((p) => [p.key, p]));
    const bodyOf = (post) => (byKey.has(post) ? byKey.get(post).body : post.split("_")[0]);
    const thresholds = new Map(inp.posts.map((p) => {
      const back = R(p.body);
      if (inp.round === "runoff") { const [n, d] = rb.runoff_floor; return [p.key, Math.max(1, Math.ceil((back * n) / d))]; }
      if (inp.round === "revote" || p.threshold === "plurality") return [p.key, 1];
      const [n, d] = rb.majority_fraction;
      return [p.key, Math.floor((back * n) / d) + 1];
    }));
    // Higher post first, the 居委会's before the 监督委员会's whatever the ranks ([V art.32]: a
    // 居委会 member may not sit on the 监督委员会; the Python rules' posts_sorted).
    const postsSorted = inp.posts.map((p, i) => [p, i])
      .sort((a, b) => (a[0].body !== "jwh") - (b[0].body !== "jwh") || b[0].rank - a[0].rank || a[1] - b[1]).map((x) => x[0]);
    const prior = new Set(inp.prior.map((pe) => pe.person));
    const priorBody = new Map(inp.prior.map((pe) => [pe.person, bodyOf(pe.post)]));
    const rel = relativesMap(inp.relations);
    const cross = rb.jdw_incompat_extended && inp.extended.length ? relativesMap(inp.extended) : null;

    // Near relatives set aside change who moves up: decide again until nobody conflicts.
    const aside = new Map();
    const pending = new Set();
    const seatsHeld = new Map();
    const relTies = new Map();
    let sels = new Map(), electedAt = new Map();
    const rounds = persons.size + [...rankings.values()].reduce((n, r) => n + r.length, 0) + 2;
    for (let i = 0; i < rounds; i++) {
      electedAt = new Map();
      sels = new Map();
      for (const post of postsSorted) {
        const excl = new Set([...prior, ...aside.keys(), ...pending, ...electedAt.keys()]);
        const sel = selectPost(post, rankings.get(post.key), thresholds.get(post.key), excl, female, seatsHeld.get(post.key) || 0);
        for (const [pid, v] of sel.elected) electedAt.set(pid, [post, v]);
        sels.set(post.key, sel);
      }
      const conflict = rel.size || cross ? relativeConflict(electedAt, priorBody, rel, rb.near_relatives_rule, cross) : null;
      if (conflict === null) {
        // A tied person who could not serve whoever wins the re-vote is set aside first.
        const ties = [];
        for (const post of postsSorted) for (const t of sels.get(post.key).ties) ties.push([post, t]);
        const moot = (rel.size || cross) && ties.length
          ? tiedRelative(ties, rankings, electedAt, priorBody, rel, rb.near_relatives_rule, cross) : null;
        if (moot === null) break;
        aside.set(moot[1], moot[2].key);
        continue;
      }
      const [kept, other, verdict] = conflict;
      const [opost, ovotes] = electedAt.get(other);
      if (verdict === "tie") {
        pending.add(kept); pending.add(other);
        seatsHeld.set(opost.key, (seatsHeld.get(opost.key) || 0) + 1);
        if (!relTies.has(opost.key)) relTies.set(opost.key, []);
        relTies.get(opost.key).push({ post: opost.key, persons: [kept, other].sort(cmp), votes: ovotes, seats: 1, womenOnly: false });
      } else {
        aside.set(other, opost.key);
      }
    }

    const st = { sels, electedAt, female, thresholds, rankings, prior, aside, pending,
      rel: rb.near_relatives_rule ? rel : new Map(), bodyOf };
    const woman = womanSeatRoom(inp, rb, womanRule(inp, rb, rb.woman_member_method, st), st);

    const electedPost = new Map();
    for (const [key, sel] of sels) for (const [pid] of sel.elected) electedPost.set(pid, key);
    const candByPost = new Map(inp.posts.map((p) => [p.key, []]));
    for (const c of inp.candidates) if (c.post) candByPost.get(c.post).push(c.person);
    const blocked = new Set([...electedPost.keys(), ...prior, ...aside.keys(), ...pending]);
    // Nor a relative who could not serve beside someone who serves (the Python barred_from_runoff).
    const serving = new Map([...[...electedPost].map(([p, k]) => [p, byKey.get(k).body]), ...priorBody]);
    const barred = new Map(["jwh", "jdw"].map((body) => {
      const out = new Set(blocked);
      for (const [k, kbody] of serving) {
        const across = kbody !== body;
        if ((across || rb.near_relatives_rule) && rel.has(k)) for (const p of rel.get(k)) out.add(p);
        if (across && cross && cross.has(k)) for (const p of cross.get(k)) out.add(p);
      }
      return [body, out];
    }));
    const own = [];
    const allTies = [];
    const bodyUnfilled = new Map(), bodyTieSeats = new Map();
    const add = (m, k, n) => m.set(k, (m.get(k) || 0) + n);
    for (const post of inp.posts) {
      const sel = sels.get(post.key);
      const ties = [...sel.ties, ...(relTies.get(post.key) || [])];
      allTies.push(...ties);
      add(bodyTieSeats, post.body, ties.reduce((n, t) => n + t.seats, 0));
      for (const [n, womenOnly] of [[sel.unfilledReserved, true], [sel.unfilledGeneral, false]]) {
        if (n > 0) own.push({ post: post.key, seats: n, womenOnly, womanSeat: false,
          ranked: poolRanking(rankings.get(post.key), candByPost.get(post.key), barred.get(post.body), womenOnly, female) });
      }
      add(bodyUnfilled, post.body, sel.unfilledGeneral + sel.unfilledReserved);
    }
    // No woman elected to the 居委会 and no woman-only seat open on its 委员 post: one is hers.
    const womanPost = inp.posts.find((p) => p.body === "jwh" && p.title === "委员");
    if (woman.status === "needs_round" && inp.round !== "revote" && womanPost
        && !own.some((h) => h.womenOnly && h.post === womanPost.key)) {
      own.push({ post: womanPost.key, seats: 1, womenOnly: true, womanSeat: true,
        ranked: poolRanking(rankings.get(womanPost.key), candByPost.get(womanPost.key), barred.get("jwh"), true, female) });
    }
    const extra = rb.runoff_extra_candidates;
    // The run-offs held for this re-vote, now that the tied are decided.
    let carried = [];
    if (inp.held.length && !allTies.length) {
      const womenIn = [...electedPost].filter(([p, k]) => female.has(p) && byKey.get(k).body === "jwh").length
        + inp.prior.filter((pe) => female.has(pe.person) && bodyOf(pe.post) === "jwh").length;
      // Their pools leave out, as this round's own, whoever could not serve beside someone elected.
      const pools = inp.held.map((h) => ({ ...h, ranked: h.ranked.filter(([p]) => !(barred.get(bodyOf(h.post)) || blocked).has(p)) }));
      carried = resolve(pools, new Set([...prior, ...electedPost.keys()]), rb.woman_member_required && !womenIn, extra);
    }
    // Which bodies need another round (section 14.7).
    const needsRound = new Set();
    const bodies = [...new Set([...inp.posts.map((p) => p.body), ...carried.map((n) => bodyOf(n.post))])];
    for (const body of bodies) {
      const bposts = inp.posts.filter((p) => p.body === body);
      const now = bposts.reduce((n, p) => n + sels.get(p.key).elected.length, 0);
      const total = now + inp.prior.filter((pe) => bodyOf(pe.post) === body).length;
      const isZhuren = (p) => p.title === "主任" || (p.key.endsWith("_zhuren") && !p.key.endsWith("fu_zhuren"));
      const zhuren = bposts.some((p) => isZhuren(p) && sels.get(p.key).elected.length) || inp.prior.some((pe) => pe.post === `${body}_zhuren`);
      const enough = total + (bodyTieSeats.get(body) || 0) >= rb.vacancy_min_members && (zhuren || !rb.vacancy_needs_zhuren);
      if (bodyUnfilled.get(body) && (inp.round !== "runoff" || !enough)) needsRound.add(body);
    }
    const going = own.filter((h) => needsRound.has(bodyOf(h.post)) || (h.womenOnly && woman.status === "needs_round"));
    const order = inp.posts.map((p) => p.key);
    const votes = new Map();
    for (const r of rankings.values()) for (const [p, v] of r) votes.set(p, v);
    for (const h of [...inp.held, ...going]) for (const [p, v] of h.ranked) if (!votes.has(p)) votes.set(p, v);
    let nextPosts, nextRound;
    if (allTies.length) {
      nextPosts = merge(allTies, order, votes).map((s) => ({ ...s, short: 0, womenShort: 0 }));
      nextRound = "revote";
    } else {
      const goes = resolve(going, new Set(), woman.status === "needs_round", extra);
      goes.push(...carried);
      const unplaced = woman.status === "needs_round" && inp.round !== "revote" && !goes.some((n) => n.womenOnly);
      if (unplaced && !goes.length) goes.push({ post: womanPost ? womanPost.key : "jwh_weiyuan", seats: 1, persons: [], womenOnly: true });
      nextPosts = merge(goes, order, votes).map((s) => {
        const women = s.candidates.filter((p) => female.has(p)).length;
        return { ...s, short: Math.max(0, s.seats + extra - s.candidates.length),
          womenShort: s.reserved ? Math.max(0, s.reserved + extra - women) : 0 };
      });
      nextRound = nextPosts.some((s) => s.short || s.womenShort) ? "nomination" : nextPosts.length ? "runoff" : "none";
    }
    const elected = {};
    for (const p of inp.posts) elected[p.key] = sels.get(p.key).elected.map((c) => c[0]).sort(cmp);
    const next = {};
    for (const s of nextPosts) next[s.post] = { seats: s.seats, reserved_woman_seats: s.reserved, candidates: s.candidates, short: s.short, women_short: s.womenShort };
    // The run-offs this round orders, post by post (the tied left out while they are re-voted).
    const tiedIds = new Set(allTies.flatMap((t) => t.persons));
    const shown = allTies.length ? resolve(own, tiedIds, false, extra) : resolve(own, new Set(), woman.status === "needs_round", extra);
    const posts = new Map(inp.posts.map((p) => {
      const here = new Set(sels.get(p.key).elected.map((c) => c[0]));
      const listing = [...rankings.get(p.key).map((c) => c[0]), ...candByPost.get(p.key)];
      const nearRelatives = [...new Set(listing)].filter((pid) => !here.has(pid) && !prior.has(pid)
        && !(electedPost.has(pid) && electedPost.get(pid) !== p.key) && aside.has(pid));
      return [p.key, { ranking: rankings.get(p.key), elected: sels.get(p.key).elected.map((c) => c[0]),
        ties: [...sels.get(p.key).ties, ...(relTies.get(p.key) || [])], nearRelatives,
        runoffs: shown.filter((n) => n.post === p.key) }];
    }));
    return { valid: true, elected, next_round: nextRound, next_posts: next, detail: { inp, rb, posts, woman: woman.status, female } };
  }

  // ------------------------------------------------------------------ the check `winners` (PROTOCOL.md section 9)
  // JSON values equal type for type (PROTOCOL.md section 9): objects whatever their key
  // order; true is not 1.
  function same(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
    if (isObj(a) || isObj(b)) {
      if (!isObj(a) || !isObj(b)) return false;
      const ka = Object.keys(a), kb = Object.keys(b);
      return ka.length === kb.length && ka.every((k) => has(b, k) && same(a[k], b[k]));
    }
    return a === b;
  }
  const NAMING = new Set(["person", "persons", "candidates", "replaced", "elected"]);
  function resultPersons(result) {  // everyone the published result names (section 14.8)
    const found = new Set();
    const walk = (v, naming) => {
      if (isObj(v)) { for (const [k, inner] of Object.entries(v)) if (k !== "votes" && k !== "not_elected") walk(inner, NAMING.has(k)); }
      else if (Array.isArray(v)) for (const x of v) walk(x, naming);
      else if (naming && typeof v === "string") found.add(v);
    };
    walk(result || {}, false);
    return found;
  }
  function writeInProblems(ti, rawRulebook, totals) {
    const min = rulebook(rawRulebook).write_in_public_min;
    const listed = new Map();
    for (const c of ti.candidates || []) { if (!listed.has(c.post)) listed.set(c.post, new Set()); listed.get(c.post).add(c.person); }
    const keep = resultPersons(totals.result);
    const out = [];
    for (const post of Object.keys(totals.posts).sort(cmp)) {
      const row = totals.posts[post];
      for (const pid of Object.keys(row).sort(cmp)) {
        if (pid === OTHER || (listed.get(post) || new Set()).has(pid)) continue;
        if (row[pid] < min && !keep.has(pid)) out.push(T(`${post}：另选他人 ${pid} 只得 ${row[pid]} 票，少于 ${min} 票，不得单独列名`, `${post}: write-in ${pid} named with ${row[pid]} votes, under ${min}`));
      }
    }
    return out;
  }

  /* b: {tallyInput, rulebook, totals, events: the round's result.published events}. */
  // A recall voted on paper (PROTOCOL.md section 14.9): one post, one line (the member); the
  // question is decided, nobody is elected and no round follows.
  const QUESTION = ["subject", "registered", "voted", "agree", "disagree", "abstain", "invalid", "valid", "carried"];
  function recallQuestion(inp, rb, totals) {
    const listed = inp.candidates.filter((c) => c.post !== null && c.post !== undefined);
    if (inp.posts.length !== 1 || listed.length !== 1 || inp.bodyPapers.length) fail("a recall round has one post with one person");
    const key = inp.posts[0].key, subject = listed[0].person;
    const votes = totals.posts[key], pc = totals.counts.posts[key];
    if (!isObj(votes) || !isObj(pc)) fail(`totals.json: counts of ${key} missing`);
    const opposed = isObj(pc.opposed) ? pc.opposed : {};
    for (const [p, v] of [...Object.entries(votes), ...Object.entries(opposed)]) if (v && p !== subject) fail(`a vote for ${p} in a recall round`);
    const agree = votes[subject] || 0, disagree = opposed[subject] || 0;
    const invalid = pc.overvoted + pc.unreadable + totals.counts.whole_invalid;
    for (const v of [agree, disagree, invalid]) if (!isInt(v) || v < 0) fail("recall counts must be counts");
    const R = inp.returned, N = inp.registered;
    if (agree + disagree + invalid > R) fail("more 同意, 不同意 and invalid than papers returned");
    let valid, carried;
    if (inp.round === "motion") {
      // A meeting's motion (section 14.10): adopted with more than the meeting's share of those present.
      const [mn, md] = rb[MEETING_DECISION[inp.meeting]];
      valid = true;
      carried = agree * md > Math.max(N, R) * mn;
    } else {
      const [tn, td] = rb.recall_turnout, [an, ad] = rb.recall_approve;
      valid = R * td > Math.max(N, R) * tn;
      carried = valid && agree * ad > R * an;
    }
    if (R > N || (rb.returned_le_issued && R > inp.issued)) { valid = false; carried = false; }
    return { valid, elected: { [key]: [] }, next_round: "none", next_posts: {},
      question: { subject, registered: N, voted: R, agree, disagree, abstain: R - agree - disagree - invalid, invalid, valid, carried } };
  }

  // tally_input.json's posts against what the rulebook and the chain fixed before the count
  // (verify_tally.posts_anchored): a main round's or a run-off's threshold is the rulebook's for
  // the post's key; seats and reserved seats are those of the chain's event for the round
  // (fixed: {posts: Map key -> {seats, reserved_woman_seats}, seq}, made by juxuan-verify.js).
  function postsAnchored(ti, rb, fixed) {
    const problems = [];
    const kind = has(ti, "round") ? ti.round : "main";
    const rule = (k) => (has(rb, k) ? rb[k] : DEFAULTS[k]);
    for (const p of ti.posts) {
      if ((kind === "main" || kind === "runoff") && has(p, "threshold")) {
        const want = p.key === "jdw_zhuren" ? rule("jdw_zhuren_threshold") : p.key === "jdw_weiyuan" ? rule("jdw_weiyuan_threshold") : "majority";
        if (!same(p.threshold, want)) problems.push(T(`职位 ${p.key}：当选票数规则为 ${JSON.stringify(p.threshold)}，规则集规定为 ${want}`, `post ${p.key}: threshold ${JSON.stringify(p.threshold)}, the rulebook's is ${want}`));
      }
      const f = fixed.posts.get(p.key);
      for (const field of ["seats", "reserved_woman_seats"]) {
        if (f !== undefined && has(f, field) && !same(has(p, field) ? p[field] : 0, f[field])) {
          problems.push(T(`职位 ${p.key}：${field} 与第 ${fixed.seq} 号事件不同`, `post ${p.key}: ${field} differs from event ${fixed.seq}`));
        }
      }
      // A later round's candidates are those its event lists (ids, in ballot order).
      if (f !== undefined && has(f, "candidates") && Array.isArray(f.candidates)) {
        const id = (x) => (typeof x === "string" || Number.isSafeInteger(x) ? String(x) : null);
        const want = f.candidates.map(id);
        const have = ti.candidates.filter((x) => isObj(x) && has(x, "post") && x.post === p.key).map((x) => id(has(x, "id") ? x.id : null));
        if (!same(have, want)) problems.push(T(`职位 ${p.key}：候选人与第 ${fixed.seq} 号事件不同`, `post ${p.key}: candidates differ from event ${fixed.seq}`));
      }
    }
    return problems;
  }

  // Every relation the chain recorded (nomination.relation_added with persons and extended)
  // is in tally_input.json's relations, either order, "extended" exactly when it is
  // (verify_tally._relations_kept).
  function relationsKept(ti, events) {
    const listed = new Map();
    const key = (x, y) => JSON.stringify(cmp(x, y) <= 0 ? [x, y] : [y, x]);
    for (const r of has(ti, "relations") ? ti.relations : []) listed.set(key(r[0], r[1]), r.length === 3 && r[2] === "extended");
    const problems = [];
    for (const e of events) {
      const persons = e.payload.persons, extended = e.payload.extended;
      if (!(Array.isArray(persons) && persons.length === 2 && persons.every((p) => typeof p === "string")
        && persons[0] !== persons[1] && typeof extended === "boolean")) continue;
      const k = key(persons[0], persons[1]);
      if (!listed.has(k) || listed.get(k) !== extended) problems.push(T(`第 ${e.seq} 号事件记录的近亲属关系不在 tally_input.json 中`, `relation of event ${e.seq} not in tally_input.json`));
    }
    return problems;
  }

  function winnersProblems(b) {
    const mine = decide(b.tallyInput, b.rulebook, b.totals);
    const t = b.totals.result;
    const problems = [];
    const nonEmpty = (m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v.length).map(([k, v]) => [k, [...v].sort(cmp)]));
    const published = nonEmpty(t.elected);
    if (!same(nonEmpty(mine.elected), published) && (Object.keys(published).length || b.events.length)) {
      problems.push(T(`按规则当选的是 ${JSON.stringify(mine.elected)}，totals.json 却是 ${JSON.stringify(t.elected)}`, `the rules elect ${JSON.stringify(mine.elected)}, totals.json says ${JSON.stringify(t.elected)}`));
    }
    for (const f of ["valid", "next_round", "next_posts"]) {
      if (has(t, f) && !same(t[f], mine[f])) problems.push(T(`按规则 ${f} 为 ${JSON.stringify(mine[f])}，totals.json 却是 ${JSON.stringify(t[f])}`, `the rules give ${f} ${JSON.stringify(mine[f])}, totals.json ${JSON.stringify(t[f])}`));
    }
    for (const ev of b.events) {
      const posts = isObj(ev.payload.posts) ? ev.payload.posts : {};
      const theirs = {};
      for (const [k, v] of Object.entries(posts)) theirs[k] = [...(isObj(v) && Array.isArray(v.elected) ? v.elected : [])].sort(cmp);
      if (!same(theirs, mine.elected)) problems.push(T(`按规则的当选人与第 ${ev.seq} 号事件不同`, `the rules' winners differ from event ${ev.seq}`));
      if (!same(ev.payload.next_round, mine.next_round) || !same(ev.payload.valid, mine.valid)) problems.push(T(`按规则的下一步（${mine.next_round}）与第 ${ev.seq} 号事件不同`, `the rules' next round (${mine.next_round}) differs from event ${ev.seq}`));
    }
    if (has(mine, "question") || has(t, "question")) {
      const pick = (q) => (isObj(q) ? Object.fromEntries(QUESTION.map((k) => [k, has(q, k) ? q[k] : null])) : null);
      const theirs = pick(t.question);
      if ((Object.keys(published).length || b.events.length || has(t, "question")) && !same(theirs, pick(mine.question))) {
        problems.push(T(`按规则表决结果为 ${JSON.stringify(mine.question)}，totals.json 却是 ${JSON.stringify(t.question)}`, `the rules decide the question ${JSON.stringify(mine.question)}, totals.json says ${JSON.stringify(t.question)}`));
      }
      if (has(mine, "question")) {
        for (const ev of b.events) if (!same(pick(isObj(ev.payload.question) ? ev.payload.question : {}), pick(mine.question))) problems.push(T(`表决结果与第 ${ev.seq} 号事件不同`, `the question differs from event ${ev.seq}`));
      }
    }
    problems.push(...writeInProblems(b.tallyInput, b.rulebook, b.totals));
    problems.push(...postsAnchored(b.tallyInput, b.rulebook, b.fixed || { posts: new Map(), seq: null }));
    problems.push(...relationsKept(b.tallyInput, b.relationEvents || []));
    const posts = Object.keys(mine.elected).sort(cmp);
    const who = posts.map((k) => `${k}：${mine.elected[k].join("、") || "无"}`).join("；");
    const whoEn = posts.map((k) => `${k}: ${mine.elected[k].join(", ") || "none"}`).join("; ");
    return [problems, T(`规则引擎按公布的票数重新决定：${who}；下一步 ${mine.next_round}`,
      `the rules decide again from the published counts: ${whoEn}; next ${mine.next_round}`)];
  }

  // ------------------------------------------------------------------ the check `recount` (PROTOCOL.md section 9)
  // A record's marks read strictly: per post of the round an object with approve, oppose and
  // write_ins (lists of person ids) and unreadable (true or false), each optional, nothing else.
  const MARK_FIELDS = ["approve", "oppose", "write_ins", "unreadable"];
  function paperMarks(marks, keys, where) {
    if (!isObj(marks)) fail(`${where}: marks must be an object`);
    return Object.entries(marks).map(([post, m]) => {
      const w = `${where}.${post}`;
      if (!keys.has(post)) fail(`${w}: not a post of the round`);
      if (!isObj(m)) fail(`${w} must be an object`);
      for (const k of Object.keys(m)) if (!MARK_FIELDS.includes(k)) fail(`${w}.${k}: unknown field`);
      const unreadable = has(m, "unreadable") ? m.unreadable : false;
      if (typeof unreadable !== "boolean") fail(`${w}.unreadable must be true or false`);
      const ids = (k) => {
        const v = has(m, k) ? m[k] : [];
        if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) fail(`${w}.${k} must be a list of person ids`);
        return new Set(v);
      };
      return [post, { approve: ids("approve"), oppose: ids("oppose"), writeIns: ids("write_ins"), unreadable }];
    });
  }
  // One post of one paper: ["u"] unreadable, ["o"] overvoted, or ["", approved, opposed].
  function judge(pm, seats) {
    if (pm.unreadable) return ["u"];
    const appr = new Set([...pm.approve, ...pm.writeIns]);
    if (appr.size > seats) return ["o"];
    for (const x of pm.oppose) if (appr.has(x)) return ["u"];  // both marks for one person
    return ["", appr, pm.oppose];
  }
  const addTo = (m, people, w) => { for (const x of people) m.set(x, (m.get(x) || 0) + w); };
  const emptyCount = (posts) => new Map(posts.map((p) => [p.key, { overvoted: 0, unreadable: 0, votes: new Map(), opposed: new Map() }]));
  // The count of papers ([marks, weight] each) as the rules count them (RULES.md "Validity"):
  // an invalid post adds nothing; under overvote_scope "paper" one overvote voids the paper;
  // multi_post_rule "paper_invalid_for_person" drops a person approved for two posts of one
  // paper, "higher_counts_for_lower" carries a higher post's approvals down its body.
  function countPapers(posts, papers, scope, multi) {
    const ordered = [...posts].sort((a, b) => b.rank - a.rank);
    const seats = new Map(ordered.map((p) => [p.key, p.seats])), body = new Map(ordered.map((p) => [p.key, p.body]));
    const counts = emptyCount(ordered);
    let wholeInvalid = 0;
    for (const [marks, weight] of papers) {
      const valid = new Map(), bad = [];
      let isVoid = false;
      for (const [key, pm] of marks) {
        const [kind, appr, opp] = judge(pm, seats.get(key));
        if (kind) { bad.push([key, kind]); if (kind === "o" && scope === "paper") isVoid = true; }
        else valid.set(key, [appr, opp]);
      }
      if (isVoid) { wholeInvalid += weight; continue; }
      for (const [key, kind] of bad) counts.get(key)[kind === "o" ? "overvoted" : "unreadable"] += weight;
      if (multi === "paper_invalid_for_person" && valid.size > 1) {
        const seen = new Map();
        for (const [appr] of valid.values()) addTo(seen, appr, 1);
        const dup = new Set([...seen].filter(([, k]) => k > 1).map(([x]) => x));
        if (dup.size) for (const [k, [a, o]] of valid) valid.set(k, [new Set([...a].filter((x) => !dup.has(x))), o]);
      }
      if (multi === "higher_counts_for_lower") {
        const carried = new Map(), invalidHere = new Set(bad.map(([k]) => k));
        for (const { key } of ordered) {
          if (invalidHere.has(key)) continue;
          const [appr, opp] = valid.get(key) || [new Set(), new Set()];  // a blank post still takes the higher posts' approvals
          const above = carried.get(body.get(key)) || new Set();
          addTo(counts.get(key).votes, new Set([...appr, ...above]), weight);
          addTo(counts.get(key).opposed, opp, weight);
          carried.set(body.get(key), new Set([...above, ...appr]));
        }
        continue;
      }
      for (const [key, [appr, opp]] of valid) { addTo(counts.get(key).votes, appr, weight); addTo(counts.get(key).opposed, opp, weight); }
    }
    return { wholeInvalid, posts: counts };
  }
  function sumCounts(parts, posts) {
    const total = { wholeInvalid: 0, posts: emptyCount(posts) };
    for (const part of parts) {
      total.wholeInvalid += part.wholeInvalid;
      for (const [k, pc] of part.posts) {
        const acc = total.posts.get(k);
        acc.overvoted += pc.overvoted;
        acc.unreadable += pc.unreadable;
        for (const [x, n] of pc.votes) acc.votes.set(x, (acc.votes.get(x) || 0) + n);
        for (const [x, n] of pc.opposed) acc.opposed.set(x, (acc.opposed.get(x) || 0) + n);
      }
    }
    return total;
  }
  const nonZero = (entries) => new Map([...entries].filter(([, n]) => n));
  // Write-ins a table may name (issue 15, section 14.8), as writeins.py: the listed are always
  // named, another person with at least the minimum or in `elected`; the rest go to OTHER.
  function mergeWriteIns(votes, listed, named) {  // votes: Map post -> Map person -> n
    const out = new Map();
    for (const [post, row] of votes) {
      const keep = (x) => (listed.get(post) || new Set()).has(x) || (named.get(post) || new Set()).has(x);
      const merged = new Map();
      let other = 0;
      for (const [x, n] of row) { if (keep(x)) merged.set(x, n); else other += n; }
      if (other) merged.set(OTHER, other);
      out.set(post, merged);
    }
    return out;
  }
  const shownIn = (row, listedHere) => [...row.keys()].filter((x) => x !== OTHER && !listedHere.has(x));
  function sameVoteMaps(a, b, where) {  // a, b: Map post -> Map person -> n; missing counts as 0
    const out = [];
    for (const post of new Set([...a.keys(), ...b.keys()])) {
      const ca = a.get(post) || new Map(), cb = b.get(post) || new Map();
      for (const x of new Set([...ca.keys(), ...cb.keys()])) {
        if ((ca.get(x) || 0) !== (cb.get(x) || 0)) {
          out.push(T(`${where}${post}/${x}：${ca.get(x) || 0} ≠ ${cb.get(x) || 0}`, `${enOf(where)}${post}/${x}: ${ca.get(x) || 0} != ${cb.get(x) || 0}`));
        }
      }
    }
    return out;
  }
  const voteMaps = (o) => new Map(Object.entries(o).map(([k, row]) => [k, new Map(Object.entries(row))]));

  /* b: {tallyInput, rulebook, totals, boxTotals, records: [{d, box, marks}]}. The records are
   * counted again by the rules, each box once; every published count must follow: the votes
   * (write-ins merged as totals.json merges them), whole papers invalid, overvoted, unreadable
   * and opposed per post, each box group's votes; and no write-in who reached the minimum (or
   * whom the result names) is merged into OTHER. */
  function recountProblems(b) {
    const rb = rulebook(b.rulebook);
    const t = b.totals;
    const inp = readInput(b.tallyInput, rb, t.returned);
    if (inp.round === "recall" || inp.round === "motion") {
      if (inp.posts.length !== 1 || inp.candidates.filter((c) => c.post !== null).length !== 1 || inp.bodyPapers.length) fail("a question round has one post with one line");
    }
    const keys = new Set(inp.posts.map((p) => p.key));
    const byBox = new Map();  // box -> Map marks text -> [marks, weight]
    for (const r of b.records) {
      if (!byBox.has(r.box)) byBox.set(r.box, new Map());
      const distinct = byBox.get(r.box), text = JSON.stringify(r.marks);
      const seen = distinct.get(text);
      if (seen) seen[1] += 1; else distinct.set(text, [paperMarks(r.marks, keys, `record ${r.d.slice(0, 16)}`), 1]);
    }
    const perBox = new Map([...byBox].map(([box, distinct]) => [box, countPapers(inp.posts, distinct.values(), rb.overvote_scope, rb.multi_post_rule)]));
    const counts = sumCounts(perBox.values(), inp.posts);
    const listed = new Map(inp.posts.map((p) => [p.key, new Set(inp.candidates.filter((c) => c.post === p.key).map((c) => c.person))]));
    const named = new Map(Object.entries(t.posts).map(([post, row]) => [post, new Set(shownIn(new Map(Object.entries(row)), listed.get(post) || new Set()))]));
    const votesOf = (cs) => mergeWriteIns(new Map([...cs.posts].map(([k, pc]) => [k, nonZero(pc.votes)])), listed, named);
    const problems = sameVoteMaps(votesOf(counts), new Map([...voteMaps(t.posts)].map(([k, row]) => [k, nonZero(row)])), "");
    if (counts.wholeInvalid !== t.counts.whole_invalid) problems.push(T(`整张无效票重算为 ${counts.wholeInvalid}，公布的是 ${t.counts.whole_invalid}`, `whole papers invalid ${counts.wholeInvalid}, published ${t.counts.whole_invalid}`));
    for (const [k, pc] of counts.posts) {
      const pub = has(t.counts.posts, k) ? t.counts.posts[k] : {};
      if (pc.overvoted !== pub.overvoted || pc.unreadable !== pub.unreadable) problems.push(T(`${k}：多选/无法辨认重算为 ${pc.overvoted}/${pc.unreadable}，公布的是 ${pub.overvoted}/${pub.unreadable}`, `${k}: overvoted/unreadable ${pc.overvoted}/${pc.unreadable}, published ${pub.overvoted}/${pub.unreadable}`));
      const mine = nonZero(pc.opposed), theirs = nonZero(Object.entries(isObj(pub.opposed) && has(pub, "opposed") ? pub.opposed : {}));
      if (mine.size !== theirs.size || [...mine].some(([x, n]) => theirs.get(x) !== n)) problems.push(T(`${k}：反对票与公布的不同`, `${k}: oppositions differ from the published`));
    }
    for (const g of b.boxTotals) {
      const gc = sumCounts(g.boxes.filter((box) => perBox.has(box)).map((box) => perBox.get(box)), inp.posts);
      problems.push(...sameVoteMaps(votesOf(gc), new Map([...voteMaps(g.posts)].map(([k, row]) => [k, nonZero(row)])), T(`票箱组 ${g.boxes.join(",")}：`, `box group ${g.boxes.join(",")}: `)));
    }
    // Issue 15: no write-in the records give the minimum (or the result names) hidden in OTHER.
    const keep = resultPersons(t.result);
    const min = rb.write_in_public_min;
    const recounted = new Map([...counts.posts].map(([k, pc]) => [k, nonZero(pc.votes)]));
    const expectedNamed = new Map([...recounted].map(([post, row]) => [post, new Set([...row].filter(([x, n]) => x !== OTHER
      && !(listed.get(post) || new Set()).has(x) && (n >= min || (has(t.posts, post) && keep.has(x)))).map(([x]) => x))]));
    const expected = mergeWriteIns(recounted, listed, expectedNamed);
    for (const post of new Set([...expected.keys(), ...Object.keys(t.posts)])) {
      const published = has(t.posts, post) ? t.posts[post] : {};
      for (const x of shownIn(expected.get(post) || new Map(), listed.get(post) || new Set())) {
        if (!has(published, x)) problems.push(T(`${post}：另选他人 ${x} 已达 ${min} 票，却被并入“${OTHER}”`, `${post}: write-in ${x} reached ${min} votes but is merged into ${OTHER}`));
      }
    }
    return [problems, T(`按 ${b.records.length} 条记录以规则重新计票，各职位票数、无效票与各票箱组票数均与公布的一致`, `the rules count the ${b.records.length} records again: every published count agrees`)];
  }

  // Each published person's name and sex as the chain last published them (Python
  // verify_ctx.published_people): the lists' entries with person, the write-ins an anchoring
  // result.write_ins_named names (writeInAnchors) and the members a meeting chose
  // (seat.chosen_by_meeting), then a later roll.resident_corrected's changed (姓名, 性别) of that
  // person, unless it is late (lateCorrections). A field an entry lacks fixes nothing.
  function publishedPeople(events) {
    return people(events)[0];
  }

  // A roll.resident_corrected naming 姓名 or 性别 of a person already published, after the
  // chain's first roll.frozen, ballots.printed or result.published (verify_ctx.late_corrections):
  // the app refuses it there; one in the chain is refused and changes nothing.
  // Each candidate's and write-in's name in tally_input.json is plain text as printed: no
  // control, format (zero-width, direction marks), line or paragraph separator or private-use
  // character, in NFC, only single ordinary spaces inside; and no two candidates of one post
  // whose names differ in their characters but not after NFKC with spaces removed
  // (verify_tally.names_plain).
  const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}]/u;
  function nameProblem(name) {
    if (HIDDEN.test(name)) return ["含有不可见或控制字符", "holds a hidden or control character"];
    if (name.normalize("NFC") !== name) return ["不是 NFC 规范形式", "is not in NFC"];
    if (name !== name.replace(/^ +| +$/g, "") || name.includes("  ") || /[^\P{Zs} ]/u.test(name)) return ["首尾有空格、连续空格或非普通空格", "has spaces at its ends, doubled, or other than the ordinary space"];
    return null;
  }
  function namesPlain(ti) {
    const problems = [];
    const people = [...ti.candidates, ...(has(ti, "write_ins") && Array.isArray(ti.write_ins) ? ti.write_ins : [])].filter(isObj);
    const seen = new Map();
    for (const x of people) {
      const name = has(x, "name") ? x.name : null;
      if (typeof name !== "string") continue;
      const why = nameProblem(name);
      const person = JSON.stringify(has(x, "person") ? x.person : null);
      if (why) problems.push(T(`tally_input.json 中 ${person} 的姓名 ${JSON.stringify(name)} ${why[0]}`, `tally_input.json: the name ${JSON.stringify(name)} of ${person} ${why[1]}`));
      const post = has(x, "post") ? x.post : null;
      const folded = JSON.stringify([post, name.normalize("NFKC").replace(/ /g, "")]);
      if (seen.has(folded) && seen.get(folded) !== name) problems.push(T(`tally_input.json 职位 ${post} 的姓名 ${JSON.stringify(seen.get(folded))} 与 ${JSON.stringify(name)} 看起来相同而字符不同`, `tally_input.json post ${post}: the names ${JSON.stringify(seen.get(folded))} and ${JSON.stringify(name)} look alike but differ`));
      if (!seen.has(folded)) seen.set(folded, name);
    }
    return problems.slice(0, 5);
  }

  function lateCorrections(events) {
    return people(events)[1];
  }

  const CORRECTIONS_CLOSED_BY = new Set(["roll.frozen", "ballots.printed", "result.published"]);

  function people(events) {
    const people = new Map(), late = [];
    let closed = null;
    const lists = { "nomination.list_published": "candidates", "nomination.withdrawn": "list",
      "nomination.round_candidates_published": "candidates", "seat.chosen_by_meeting": "members" };
    const anchors = new Set(writeInAnchors(events).map((e) => e.seq));
    const person = (x) => (typeof x === "string" || Number.isSafeInteger(x) ? String(x) : null);
    for (const e of events) {
      const p = e.payload;
      if (closed === null && CORRECTIONS_CLOSED_BY.has(e.kind)) closed = e;
      if (e.kind === "roll.resident_corrected") {
        const who = has(p, "resident") ? person(p.resident) : null;
        if (who !== null && people.has(who) && has(p, "changed") && isObj(p.changed)) {
          const fields = ["姓名", "性别"].filter((label) => has(p.changed, label));
          if (closed !== null && fields.length) {
            late.push(T(`第 ${e.seq} 号事件（roll.resident_corrected）在第 ${closed.seq} 号事件（${closed.kind}）之后更改已公布的 ${who} 的${fields.join("、")}`,
              `event ${e.seq} roll.resident_corrected changes ${fields.join(", ")} of the published ${who} after event ${closed.seq} ${closed.kind}`));
            continue;
          }
          for (const [label, key] of [["姓名", "name"], ["性别", "sex"]]) {
            if (has(p.changed, label) && typeof p.changed[label] === "string") people.get(who)[key] = p.changed[label];
          }
        }
        continue;
      }
      let entries = null;
      if (e.kind === "result.write_ins_named") entries = anchors.has(e.seq) && has(p, "write_ins") ? p.write_ins : null;
      else if (has(lists, e.kind)) entries = has(p, lists[e.kind]) ? p[lists[e.kind]] : null;
      for (const x of Array.isArray(entries) ? entries : []) {
        const who = isObj(x) && has(x, "person") ? person(x.person) : null;
        if (who === null) continue;
        for (const key of ["name", "sex"]) {
          if (has(x, key) && typeof x[key] === "string") {
            if (!people.has(who)) people.set(who, Object.create(null));
            people.get(who)[key] = x[key];
          }
        }
      }
    }
    return [people, late];
  }

  // The result.write_ins_named events that anchor write-ins: each directly followed by the same
  // round's result.published (Python verify_ctx.write_in_anchors). One anywhere else anchors nothing.
  function writeInAnchors(events) {
    const roundOf = (e) => (isObj(e.payload) && has(e.payload, "round") ? e.payload.round : 1);
    const out = [];
    for (let i = 0; i + 1 < events.length; i++) {
      const e = events[i], after = events[i + 1];
      if (e.kind === "result.write_ins_named" && after.kind === "result.published" && same(roundOf(e), roundOf(after))) out.push(e);
    }
    return out;
  }

  // Problems of rows (objects with person) whose fields differ from publishedPeople's values.
  function asPublished(people, rows, fields, where) {
    const problems = [];
    for (const r of rows) {
      const who = isObj(r) && has(r, "person") && (typeof r.person === "string" || Number.isSafeInteger(r.person)) ? String(r.person) : null;
      const known = who !== null && people.has(who) ? people.get(who) : null;
      if (known === null) continue;
      for (const key of fields) {
        if (key in known && (!has(r, key) || r[key] !== known[key])) problems.push(T(`${where} ${who}：${key} 与事件链上公布的“${known[key]}”不同`, `${where} ${who}: ${key} differs from the chain's published ${known[key]}`));
      }
    }
    return problems;
  }

  root.JuxuanRules = { decide, decision, winnersProblems, recountProblems, RulesError, parseFraction, rulebook, readInput, countPapers, FEMALE, MEETING_DECISION,
    publishedPeople, lateCorrections, namesPlain, asPublished, writeInAnchors, cmp };
  if (typeof module !== "undefined") module.exports = root.JuxuanRules;
})(typeof globalThis !== "undefined" ? globalThis : this);
