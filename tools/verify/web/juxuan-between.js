/* The checks of the events between elections for the browser verifier (docs/PROTOCOL.md
 * section 9, "Between elections", and section 15), written from the specification, sharing
 * no code with election/protocol/verify_between.py: every meeting decision, recall vote and
 * vacancy the chain records is decided again from its own numbers and rulebook.json.
 * Each check is its own function, run only when the chain holds its events; further
 * between-elections checks are added beside them (CHECKS). Licence: Apache-2.0.
 *
 *   JuxuanBetween.betweenChecks(events, rulebook, file) -> [{name, ok, detail}]
 *
 * ``file(name)``: another parsed member of the bundle (composition.json), or undefined.
 * A recall voted on paper (recall.vote_called, recall.vote_counted against the question its
 * round's result.published holds), a meeting's motion voted on paper (meeting.vote_called,
 * the decision naming its round) and composition.json are checked as the Python verifier
 * does (election/protocol/verify_between.py).
 */
"use strict";
(function (root) {
  // A message in both languages (juxuan-verify.js shows detail and detail_en): as a string, the Chinese.
  const T = (zh, en) => ({ zh, en, toString: () => zh });
  const enOf = (m) => (m !== null && typeof m === "object" && typeof m.en === "string" ? m.en : String(m));
  const MEETING_ZH = { residents: "居民会议", representatives: "居民代表会议" };
  const DEFAULTS = {
    meeting_quorum: "1/2", meeting_decision: "1/2", rep_meeting_quorum: "1/2", rep_meeting_decision: "2/3",
    meeting_notice_days: 10, meeting_request: "1/5", meeting_request_groups: "1/3", rep_meeting_request: "1/5",
    recall_propose_voters: "1/5", recall_propose_reps: "1/3", recall_turnout: "1/2", recall_approve: "1/2",
  };
  const KINDS = new Set(["residents", "representatives", "group"]);
  const has = (o, k) => o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, k);
  const need = (o, k) => { if (!has(o, k)) throw new Error(`missing ${k}`); return o[k]; };
  const count = (v) => { if (!Number.isSafeInteger(v)) throw new Error(`${JSON.stringify(v)} is not a count`); return v; };
  // Truth and text as the protocol's reference reads them: 0, "", [], {} and null are false.
  const truthy = (v) => !(v === null || v === undefined || v === false || v === 0 || v === ""
    || (Array.isArray(v) && !v.length) || (typeof v === "object" && !Array.isArray(v) && !Object.keys(v).length));
  const text = (v) => (v === null || v === undefined ? "None" : v === true ? "True" : v === false ? "False" : String(v));

  // The JSON type of every field the checks read, per event kind (PROTOCOL.md section 9: a
  // missing field or a value of the wrong type fails the check), as verify_between.FIELDS.
  const FIELDS = {
    "meeting.convened": { meeting: "int", kind: "str", notice_on: "str", held_on: "str", members: "int", entitled: "ints" },
    "meeting.decision_recorded": { meeting: "int", members: "int", present: "int", in_favour: "int", against: "int", abstain: "int", adopted: "bool" },
    "meeting.closed": { meeting: "int", present: "int" },
    "meeting.vote_called": { meeting: "int", round: "int", present: "int" },
    "meeting.attendee_arrived": { meeting: "int", resident: "int", present: "int" },
    "meeting.attendee_left": { meeting: "int", resident: "int", present: "int" },
    "recall.petition_filed": { recall: "int", post: "str", person: "str", base: "str", signers: "int", total: "int" },
    "recall.vote_recorded": { recall: "int", post: "str", person: "str", registered: "int", voted: "int", in_favour: "int", valid: "bool", carried: "bool" },
    "recall.vote_called": { recall: "int", round: "int", post: "str", person: "str" },
    "recall.vote_counted": { recall: "int", round: "int", post: "str", person: "str", registered: "int", voted: "int", agree: "int",
      disagree: "int", invalid: "int", valid: "bool", carried: "bool" },
  };
  const REQUEST = { base: "str", supporters: "int", total: "int" };
  const ofType = (v, t) => (t === "ints" ? Array.isArray(v) && v.every((x) => Number.isSafeInteger(x))
    : t === "bool" ? typeof v === "boolean" : t === "str" ? typeof v === "string" : Number.isSafeInteger(v));
  function typed(ev) {
    const p = ev.payload;
    const check = (o, spec, prefix) => {
      for (const [k, t] of Object.entries(spec)) if (!ofType(has(o, k) ? o[k] : null, t)) throw new Error(`event ${ev.seq} (${ev.kind}): ${prefix}${k} must be ${t}`);
    };
    check(p, FIELDS[ev.kind] || {}, "");
    if (ev.kind === "meeting.convened" && has(p, "request") && p.request !== null) {
      if (!(typeof p.request === "object" && !Array.isArray(p.request))) throw new Error(`event ${ev.seq}: request must be null or an object`);
      check(p.request, REQUEST, "request.");
    }
    return p;
  }
  const get = (o, k) => (has(o, k) ? o[k] : undefined);
  // Each seat.vacated as [seq, post, person], those two strings (another value names nobody).
  const vacatedOf = (events) => events.filter((ev) => ev.kind === "seat.vacated" && typeof get(ev.payload, "post") === "string"
    && typeof get(ev.payload, "person") === "string").map((ev) => [ev.seq, ev.payload.post, ev.payload.person]);

  function share(raw) {  // a fraction as PROTOCOL.md section 14.1 reads one, as [p, q]
    const f = (root.JuxuanRules || require("./juxuan-rules.js")).parseFraction(raw);
    if (f === null) throw new Error(`${JSON.stringify(raw)} is not a fraction`);
    return f;
  }
  const sameShare = (a, b) => a[0] * b[1] === b[0] * a[1];
  const atLeast = (part, whole, [n, d]) => part * d >= whole * n;
  const moreThan = (part, whole, [n, d]) => part * d > whole * n;
  function book(raw) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error("rulebook.json is not an object");
    const out = {};
    for (const [k, dflt] of Object.entries(DEFAULTS)) {
      const v = has(raw, k) ? raw[k] : dflt;
      out[k] = typeof dflt === "number" ? count(v) : share(v);
    }
    return out;
  }
  function rulesOf(rb, kind) {
    if (!KINDS.has(kind)) throw new Error(`unknown meeting kind ${JSON.stringify(kind)}`);
    const reps = kind === "representatives";
    return { quorum: reps ? rb.rep_meeting_quorum : rb.meeting_quorum, decision: reps ? rb.rep_meeting_decision : rb.meeting_decision,
      decisionKey: reps ? "rep_meeting_decision" : "meeting_decision", notice: rb.meeting_notice_days,
      requestKey: (base) => (reps ? "rep_meeting_request" : base === "groups" ? "meeting_request_groups" : "meeting_request") };
  }
  function day(s) {  // YYYY-MM-DD, year 1 to 9999 (Date.UTC would read year 26 as 1926)
    const m = typeof s === "string" && /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
    const d = new Date(0);
    if (m) d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (!m || Number(m[1]) < 1 || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) throw new Error(`${JSON.stringify(s)} is not a date`);
    return d.getTime() / 86400000;
  }

  function meetingDecisions(events, rulebook) {
    const rb = book(rulebook);
    const convened = new Map(), closed = new Set(), called = new Map(), published = new Map();
    // Who is present at each meeting, replayed from arrivals and departures; how many left
    // after a paper vote's first paper (a departure naming its round), still its electors.
    const here = new Map(), leftIn = new Map();
    const presentAt = (meeting, round) => (here.has(meeting) ? here.get(meeting).size : 0)
      + (round === null ? 0 : leftIn.get(`${meeting} ${round}`) || 0);
    const problems = [];
    // Those each meeting's convening named entitled to attend (its base).
    const entitled = new Map();
    // A vote's call or a meeting's close says how many are present: the door's count then.
    const asReplayed = (ev, p) => {
      const counted = presentAt(p.meeting, null);
      if (p.present !== counted) problems.push(T(`第 ${ev.seq} 号事件：记到会 ${p.present} 人，按到会与离会记录应为 ${counted} 人`, `event ${ev.seq}: ${p.present} present, the arrivals and departures give ${counted}`));
    };
    let decisions = 0, papers = 0;
    for (const ev of events) {
      const kind = ev.kind, p = typed(ev);
      if (kind === "meeting.attendee_arrived" || kind === "meeting.attendee_left") {
        if (!convened.has(p.meeting) || closed.has(p.meeting)) problems.push(T(`第 ${ev.seq} 号事件：会议 ${text(p.meeting)} 未召集或已闭会，不能记到会或离会`, `event ${ev.seq}: meeting ${text(p.meeting)} is not open for arrivals or departures`));
        else if (kind === "meeting.attendee_arrived" && !entitled.get(p.meeting).has(p.resident)) problems.push(T(`第 ${ev.seq} 号事件：${p.resident} 不在会议 ${p.meeting} 召集时公布的应到人员中`, `event ${ev.seq}: ${p.resident} is not among those meeting ${p.meeting} was convened with`));
        if (!here.has(p.meeting)) here.set(p.meeting, new Set());
        const set = here.get(p.meeting);
        if (kind === "meeting.attendee_arrived") {
          if (set.has(p.resident)) problems.push(T(`第 ${ev.seq} 号事件：${p.resident} 已在会议 ${p.meeting} 到会`, `event ${ev.seq}: ${p.resident} is already present at meeting ${p.meeting}`));
          set.add(p.resident);
        } else {
          if (!set.has(p.resident)) problems.push(T(`第 ${ev.seq} 号事件：${p.resident} 未在会议 ${p.meeting} 到会，不能离会`, `event ${ev.seq}: ${p.resident} is not present at meeting ${p.meeting} and cannot leave`));
          set.delete(p.resident);
          if (has(p, "round")) { const key = `${p.meeting} ${count(p.round)}`; leftIn.set(key, (leftIn.get(key) || 0) + 1); }
        }
        if (p.present !== set.size) problems.push(T(`第 ${ev.seq} 号事件：记到会 ${p.present} 人，按到会与离会记录应为 ${set.size} 人`, `event ${ev.seq}: ${p.present} present, the arrivals and departures give ${set.size}`));
      } else if (kind === "meeting.convened") {
        const mr = rulesOf(rb, need(p, "kind"));
        const gap = day(need(p, "held_on")) - day(need(p, "notice_on"));
        if (gap < mr.notice) problems.push(T(`第 ${ev.seq} 号事件：从通知到开会 ${gap} 日，规则集要求 ${mr.notice} 日`, `event ${ev.seq}: ${gap} days from notice to meeting, the rulebook asks ${mr.notice}`));
        const req = has(p, "request") ? p.request : null;
        if (req !== null) {
          const s = rb[mr.requestKey(need(req, "base"))];
          if (!atLeast(count(need(req, "supporters")), count(need(req, "total")), s)) problems.push(T(`第 ${ev.seq} 号事件：提议人数 ${req.supporters}/${req.total}，少于 ${s.join("/")}`, `event ${ev.seq}: request ${req.supporters}/${req.total} under ${s.join("/")}`));
        }
        convened.set(need(p, "meeting"), p);
        entitled.set(p.meeting, new Set(p.entitled));
      } else if (kind === "meeting.decision_recorded") {
        decisions++;
        const m = convened.get(need(p, "meeting"));
        if (m === undefined) { problems.push(T(`第 ${ev.seq} 号事件：会议 ${p.meeting} 未见召集记录`, `event ${ev.seq}: meeting ${p.meeting} was never convened`)); continue; }
        if (closed.has(p.meeting)) problems.push(T(`第 ${ev.seq} 号事件：会议 ${p.meeting} 闭会之后又记录决定`, `event ${ev.seq}: a decision after meeting ${p.meeting} closed`));
        const mr = rulesOf(rb, m.kind);
        const present = count(need(p, "present")), members = count(need(p, "members"));
        if (members !== m.members) problems.push(T(`第 ${ev.seq} 号事件：应到 ${members} 人，会议召集时却为 ${m.members} 人`, `event ${ev.seq}: ${members} members, the meeting was convened with ${m.members}`));
        if (has(p, "round")) {
          // A motion voted on paper (section 9): its round called for this meeting and motion,
          // the figures those of the round's published question; a void question adopts nothing.
          papers++;
          const round = count(p.round), c = called.get(round), q = published.get(round);
          if (c === undefined || c.meeting !== p.meeting || c.motion !== p.motion) problems.push(T(`第 ${ev.seq} 号事件：第 ${round} 轮不是为会议 ${text(p.meeting)} 的表决事项召集的`, `event ${ev.seq}: round ${round} was not called for meeting ${text(p.meeting)}'s motion`));
          if (q === undefined || q.kind !== "motion" || q.registered !== present || q.agree !== count(need(p, "in_favour")) || q.disagree !== count(need(p, "against"))) {
            problems.push(T(`第 ${ev.seq} 号事件：到会、赞成或反对人数与第 ${round} 轮公布的表决结果不符`, `event ${ev.seq}: present, in favour or against differ from round ${round}'s published question`));
          }
          if (q !== undefined && q.valid === false) {
            if (truthy(need(p, "adopted"))) problems.push(T(`第 ${ev.seq} 号事件：第 ${round} 轮表决无效，会议决定却记为通过`, `event ${ev.seq}: round ${round}'s vote is void, recorded adopted`));
            continue;
          }
        }
        const counted = presentAt(p.meeting, has(p, "round") ? count(p.round) : null);
        if (present !== counted) problems.push(T(`第 ${ev.seq} 号事件：记到会 ${present} 人，按到会与离会记录应为 ${counted} 人`, `event ${ev.seq}: ${present} present, the arrivals and departures give ${counted}`));
        if (!moreThan(present, members, mr.quorum)) problems.push(T(`第 ${ev.seq} 号事件：${members} 人中到会 ${present} 人，不足法定人数`, `event ${ev.seq}: ${present} of ${members} present is no quorum`));
        if (count(need(p, "in_favour")) + count(need(p, "against")) + count(need(p, "abstain")) > present) problems.push(T(`第 ${ev.seq} 号事件：表决票数多于到会人数`, `event ${ev.seq}: more votes than members present`));
        const rule = has(p, "rule") ? p.rule : {};
        if (!has(rule, "key") || rule.key !== mr.decisionKey || !sameShare(share(has(rule, "share") ? rule.share : null), mr.decision)) {
          problems.push(T(`第 ${ev.seq} 号事件：表决规则不是规则集的 ${mr.decisionKey}`, `event ${ev.seq}: decision rule is not the rulebook's ${mr.decisionKey}`));
        }
        if (truthy(need(p, "adopted")) !== moreThan(p.in_favour, present, mr.decision)) problems.push(T(`第 ${ev.seq} 号事件：赞成 ${p.in_favour}/${present}，却记为${truthy(p.adopted) ? "通过" : "未通过"}`, `event ${ev.seq}: ${p.in_favour}/${present} in favour, recorded adopted ${p.adopted}`));
      } else if (kind === "meeting.closed") {
        asReplayed(ev, p);
        closed.add(need(p, "meeting"));
      } else if (kind === "meeting.vote_called") {
        const m = convened.get(need(p, "meeting"));
        if (m === undefined || closed.has(p.meeting)) problems.push(T(`第 ${ev.seq} 号事件：会议 ${text(p.meeting)} 未召集或已闭会，不能书面表决`, `event ${ev.seq}: meeting ${text(p.meeting)} is not open for a vote on paper`));
        else {
          asReplayed(ev, p);
          if (!moreThan(p.present, m.members, rulesOf(rb, m.kind).quorum)) problems.push(T(`第 ${ev.seq} 号事件：${m.members} 人中到会 ${p.present} 人，不足法定人数，不能书面表决`, `event ${ev.seq}: ${p.present} of ${m.members} present is no quorum for a vote on paper`));
        }
        called.set(count(need(p, "round")), p);
      } else if (kind === "result.published" && has(p, "question") && p.question !== null && typeof p.question === "object" && !Array.isArray(p.question)) {
        published.set(has(p, "round") ? count(p.round) : 0, p.question);
      }
    }
    const paper = papers ? ` (${papers} on paper, as their rounds published)` : "";
    const paperZh = papers ? `（其中 ${papers} 项以表决票表决，与各轮公布的一致）` : "";
    return [problems, T(`${convened.size} 次会议、${decisions} 项决定符合规则集${paperZh}`, `${convened.size} meetings and ${decisions} decisions agree with the rulebook${paper}`)];
  }

  function recallVotes(events, rulebook) {
    const rb = book(rulebook);
    const filed = new Map();
    const problems = [];
    let votes = 0;
    const vacated = vacatedOf(events);
    for (const ev of events) {
      const kind = ev.kind, p = typed(ev);
      if (kind === "recall.petition_filed") {
        const s = need(p, "base") === "voters" ? rb.recall_propose_voters : rb.recall_propose_reps;
        const signers = count(need(p, "signers")), total = count(need(p, "total"));
        if (!atLeast(signers, Math.max(total, signers, 1), s)) problems.push(T(`第 ${ev.seq} 号事件：罢免要求联名 ${signers}/${total}，少于 ${s.join("/")}`, `event ${ev.seq}: recall signed by ${signers}/${total}, under ${s.join("/")}`));
        filed.set(need(p, "recall"), p);
      } else if (kind === "recall.vote_recorded") {
        votes++;
        if (!filed.has(need(p, "recall"))) { problems.push(T(`第 ${ev.seq} 号事件：未见相符的罢免要求 ${p.recall}`, `event ${ev.seq}: recall ${p.recall} was never proposed`)); continue; }
        const registered = count(need(p, "registered")), voted = count(need(p, "voted")), favour = count(need(p, "in_favour"));
        if (!(favour >= 0 && favour <= voted && voted <= registered)) {
          problems.push(T(`第 ${ev.seq} 号事件：罢免投票赞成 ${favour} 票、投票 ${voted} 人、登记选民 ${registered} 人，不合 0 ≤ 赞成 ≤ 投票 ≤ 登记`,
            `event ${ev.seq}: recall vote of ${favour} in favour, ${voted} voted, ${registered} registered: not 0 ≤ in favour ≤ voted ≤ registered`));
          continue;
        }
        const valid = moreThan(voted, registered, rb.recall_turnout);
        const carried = valid && moreThan(favour, voted, rb.recall_approve);
        if (valid !== truthy(need(p, "valid")) || carried !== truthy(need(p, "carried"))) problems.push(T(`第 ${ev.seq} 号事件：按规则集，表决${valid ? "有效" : "无效"}，罢免${carried ? "通过" : "未通过"}，与记录不符`, `event ${ev.seq}: valid ${valid}, carried ${carried} by the rulebook`));
        if (carried && !vacated.some(([seq, post, person]) => seq > ev.seq && post === text(need(p, "post")) && person === text(need(p, "person")))) {
          problems.push(T(`第 ${ev.seq} 号事件：罢免通过，之后没有该成员职位出缺（seat.vacated）`, `event ${ev.seq}: recall carried, but no seat.vacated follows`));
        }
      }
    }
    return [problems, T(`${filed.size} 项罢免要求、${votes} 次投票符合规则集`, `${filed.size} recalls and ${votes} votes agree with the rulebook`)];
  }

  // A recall voted on paper: a round of kind "recall" called for the proposal's member, its
  // result.published carrying the decided question, recall.vote_counted with the same figures.
  const QUESTION = ["registered", "voted", "agree", "disagree", "invalid", "valid", "carried"];
  function paperRecalls(events, rulebook) {
    const rb = book(rulebook);
    const filed = new Map(), called = new Map(), published = new Map();
    const problems = [];
    let papers = 0;
    const vacated = vacatedOf(events);
    for (const ev of events) {
      const kind = ev.kind, p = typed(ev);
      if (kind === "recall.petition_filed") {
        filed.set(need(p, "recall"), p);
      } else if (kind === "recall.vote_called") {
        const petition = filed.get(need(p, "recall"));
        if (petition === undefined || text(petition.post) !== text(need(p, "post")) || text(petition.person) !== text(need(p, "person"))) {
          problems.push(T(`第 ${ev.seq} 号事件：未见相符的罢免要求（该成员、该次表决票投票）`, `event ${ev.seq}: no recall proposal of that member for this vote on paper`));
        }
        called.set(p.recall, p);
      } else if (kind === "result.published" && has(p, "question") && p.question !== null && typeof p.question === "object" && !Array.isArray(p.question)) {
        published.set(has(p, "round") ? count(p.round) : 0, p.question);
      } else if (kind === "recall.vote_counted") {
        papers++;
        const call = called.get(need(p, "recall"));
        if (call === undefined || !has(call, "round") || call.round !== p.round) problems.push(T(`第 ${ev.seq} 号事件：第 ${text(p.round)} 轮未为罢免要求 ${text(p.recall)} 召集`, `event ${ev.seq}: round ${text(p.round)} was never called for recall ${text(p.recall)}`));
        const q = published.get(has(p, "round") ? count(p.round) : 0);
        if (q === undefined || QUESTION.some((k) => JSON.stringify(q[k]) !== JSON.stringify(p[k]))) problems.push(T(`第 ${ev.seq} 号事件：票数与第 ${text(p.round)} 轮公布的表决结果不符`, `event ${ev.seq}: figures differ from round ${text(p.round)}'s published question`));
        let shares = false;
        try { shares = sameShare(share(p.turnout), rb.recall_turnout) && sameShare(share(p.approve), rb.recall_approve); } catch (e) { shares = false; }
        if (!shares) problems.push(T(`第 ${ev.seq} 号事件：比例 ${text(p.turnout)}、${text(p.approve)} 不是规则集的`, `event ${ev.seq}: shares ${text(p.turnout)}, ${text(p.approve)} are not the rulebook's`));
        let registered, voted, agree;
        try {
          registered = count(need(p, "registered")); voted = count(need(p, "voted")); agree = count(need(p, "agree"));
          if (!(agree >= 0 && agree <= voted && voted <= registered)) throw new Error("figures");
        } catch (e) { problems.push(T(`第 ${ev.seq} 号事件：票数自相矛盾`, `event ${ev.seq}: the figures do not hold`)); continue; }
        const valid = moreThan(voted, registered, rb.recall_turnout);
        const carried = valid && moreThan(agree, voted, rb.recall_approve);
        // Void for more papers than issued (the tally's own check) never carries.
        if ((truthy(need(p, "valid")) && (!valid || carried !== truthy(need(p, "carried")))) || (!truthy(p.valid) && truthy(need(p, "carried")))) {
          problems.push(T(`第 ${ev.seq} 号事件：按规则集，表决${valid ? "有效" : "无效"}，罢免${carried ? "通过" : "未通过"}，与记录不符`, `event ${ev.seq}: valid ${valid}, carried ${carried} by the rulebook`));
        }
        if (truthy(p.carried) && !vacated.some(([seq, post, person]) => seq > ev.seq && post === text(need(p, "post")) && person === text(need(p, "person")))) {
          problems.push(T(`第 ${ev.seq} 号事件：罢免通过，之后没有该成员职位出缺（seat.vacated）`, `event ${ev.seq}: recall carried, but no seat.vacated follows`));
        }
      }
    }
    return [problems, T(`${papers} 次表决票投票与各轮公布的及规则集一致`, `${papers} votes on paper agree with their rounds and the rulebook`)];
  }

  // The 监督委员会 members a meeting chose (seat.chosen_by_meeting): each cites an adopted decision
  // earlier in the chain of the kind of meeting rulebook.json's jdw_chosen_by names.
  const CHOOSING_MEETING = { residents_meeting: "residents", representatives_meeting: "representatives" };
  function chosenByMeeting(events, rulebook) {
    const chosenBy = has(rulebook, "jdw_chosen_by") ? rulebook.jdw_chosen_by : "voters";
    const wanted = has(CHOOSING_MEETING, chosenBy) ? CHOOSING_MEETING[chosenBy] : null;
    const kinds = new Map(), adopted = new Set(), chosen = new Map(), problems = [];
    for (const ev of events) {
      const kind = ev.kind, p = ev.payload;
      if (kind === "meeting.convened") kinds.set(JSON.stringify(p.meeting), p.kind);
      else if (kind === "meeting.decision_recorded" && truthy(p.adopted)) adopted.add(JSON.stringify([p.meeting, p.number]));
      else if (kind === "seat.chosen_by_meeting") {
        const d = has(p, "decision") && p.decision !== null ? p.decision : {};
        const cited = { meeting: has(d, "meeting") ? d.meeting : null, number: has(d, "number") ? d.number : null };
        if (wanted === null) problems.push(T(`第 ${ev.seq} 号事件：rulebook.json 的 jdw_chosen_by 是选民直接选举，没有会议推选`, `event ${ev.seq}: rulebook.json's jdw_chosen_by is the voters, no meeting chooses`));
        else if (!adopted.has(JSON.stringify([cited.meeting, cited.number])) || kinds.get(JSON.stringify(cited.meeting)) !== wanted) {
          problems.push(T(`第 ${ev.seq} 号事件：所引用的不是此前${MEETING_ZH[wanted] || wanted}通过的决定`, `event ${ev.seq}: the decision cited is not an adopted decision of a ${wanted} meeting before it`));
        }
        for (const m of (has(p, "members") ? p.members : [])) chosen.set(JSON.stringify([text(m.post), text(m.person)]), cited);
      }
    }
    return [problems, chosen];
  }

  // composition.json against the chain (PROTOCOL.md section 9, "composition").
  function composition(events, comp, rulebook) {
    const [problems, chosen] = chosenByMeeting(events, rulebook);
    const R = root.JuxuanRules || require("./juxuan-rules.js");
    problems.push(...R.lateCorrections(events));
    problems.push(...R.asPublished(R.publishedPeople(events), need(comp, "members"), ["name"], "composition.json member"));
    const elected = new Map(), vacated = new Map();
    const roundOf = (p) => (has(p, "round") ? count(p.round) : 1);
    for (const ev of events) {
      const kind = ev.kind, p = ev.payload;
      if (kind === "result.published") {
        const s = new Set();
        for (const [post, info] of Object.entries(has(p, "posts") ? p.posts : {})) {
          for (const x of (has(info, "elected") ? info.elected : [])) s.add(JSON.stringify([post, text(x)]));
        }
        elected.set(roundOf(p), s);
      } else if (kind === "result.woman_member_decided") {
        const s = new Set();
        for (const [post, xs] of Object.entries(has(p, "elected") ? p.elected : {})) for (const x of xs) s.add(JSON.stringify([post, text(x)]));
        elected.set(roundOf(p), s);
      } else if (kind === "result.reopened") {
        elected.delete(roundOf(p));
      } else if (kind === "seat.vacated") {
        vacated.set(JSON.stringify([text(need(p, "post")), text(need(p, "person"))]), p);
      }
    }
    elected.set(0, new Set(chosen.keys()));
    const chain = new Set();
    for (const [r, s] of elected) for (const k of s) chain.add(JSON.stringify([String(r), ...JSON.parse(k)]));
    const members = need(comp, "members"), posts = need(comp, "posts");
    const listed = new Set(members.map((m) => JSON.stringify([text(need(m, "round")), need(m, "post"), need(m, "person")])));
    for (const m of members) {
      if (m.round !== 0 && !has(m, "decision")) continue;
      const cited = chosen.get(JSON.stringify([m.post, m.person]));
      const d = has(m, "decision") ? m.decision : undefined;
      const same = cited !== undefined && d !== undefined && d !== null && d.meeting === cited.meeting && d.number === cited.number
        && Object.keys(d).length === 2;
      if (!same) problems.push(T(`${m.name}（${m.post}）：composition.json 中的会议决定与事件链不符`, `${m.name} (${m.post}): the meeting decision in composition.json differs from the chain's`));
    }
    for (const k of listed) if (!chain.has(k)) problems.push(T(`composition.json 列出 ${k}，却不是任何公布的结果选出的`, `composition.json lists ${k}, elected by no published result`));
    for (const k of chain) if (!listed.has(k)) problems.push(T(`事件链上当选的 ${k} 不在 composition.json 中`, `${k} elected in the chain is not in composition.json`));
    const serving = new Map();
    for (const m of members) {
      const end = vacated.get(JSON.stringify([m.post, m.person]));
      if (need(m, "until") === null) {
        serving.set(m.post, (serving.get(m.post) || 0) + 1);
        if (end !== undefined) problems.push(T(`${m.name}（${m.post}）已离任，却仍列为在任`, `${m.name} (${m.post}) left, listed as serving`));
      } else if (end === undefined || end.ended_on !== m.until || end.reason !== need(m, "reason")) {
        problems.push(T(`${m.name}（${m.post}）：离任记录与链中的出缺记录不符`, `${m.name} (${m.post}): the end differs from the chain's seat.vacated`));
      }
    }
    for (const post of posts) {
      const n = serving.get(need(post, "post")) || 0;
      if (need(post, "serving") !== n || need(post, "vacant") !== Math.max(count(need(post, "seats")) - n, 0)) {
        problems.push(T(`${post.name}：在任 ${post.serving} 人、出缺 ${post.vacant} 席，成员名单却是 ${n} 人`, `${post.name}: serving ${post.serving}, vacant ${post.vacant}; the members say ${n}`));
      }
    }
    const vacant = posts.reduce((a, p) => a + p.vacant, 0);
    return [problems, T(`${members.length} 名成员、出缺 ${vacant} 席与事件链一致`, `${members.length} members and ${vacant} vacant seats agree with the chain`)];
  }

  function vacancies(events) {
    const problems = [];
    const elected = new Set(), gone = new Set();
    const key = (post, person) => JSON.stringify([post, person]);
    for (const ev of events) {
      const kind = ev.kind, p = ev.payload;
      if (kind === "result.published") {
        const posts = has(p, "posts") ? p.posts : {};
        for (const [post, info] of Object.entries(posts)) for (const person of (has(info, "elected") ? info.elected : [])) elected.add(key(post, text(person)));
      } else if (kind === "seat.chosen_by_meeting") {
        for (const m of (has(p, "members") ? p.members : [])) elected.add(key(text(m.post), text(m.person)));
      } else if (kind === "seat.vacated") {
        const who = key(text(need(p, "post")), text(need(p, "person")));
        if (!elected.has(who)) problems.push(T(`第 ${ev.seq} 号事件：${text(p.person)} 并非由公布的结果当选为 ${text(p.post)}`, `event ${ev.seq}: ${text(p.person)} was not elected to ${text(p.post)} by a published result`));
        else if (gone.has(who)) problems.push(T(`第 ${ev.seq} 号事件：${text(p.person)} 已离开 ${text(p.post)}`, `event ${ev.seq}: ${text(p.person)} has left ${text(p.post)} already`));
        gone.add(who);
      }
    }
    problems.push(...byElectionsBounded(events));
    return [problems, T(`${gone.size} 名成员离任，每人此前当选且在任`, `${gone.size} members left, each elected before and serving`)];
  }

  // Each seat.by_election_called asks for no more seats of a post than are vacant then: the
  // first election.created's bodies' seats less those serving (each round's last
  // result.published, a result.woman_member_decided replacing it, a result.reopened
  // withdrawing it; seat.chosen_by_meeting), not vacated (verify_between._by_elections_bounded).
  function byElectionsBounded(events) {
    const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
    const created = events.find((e) => e.kind === "election.created");
    const bodies = created && has(created.payload, "bodies") ? created.payload.bodies : null;
    if (!isObj(bodies)) return [];
    const seats = new Map();
    for (const [body, titles] of Object.entries(bodies)) {
      if (!isObj(titles)) continue;
      for (const [title, n] of Object.entries(titles)) if (Number.isInteger(n)) seats.set(`${body}_${title}`, n);
    }
    const roundOf = (p) => { const r = has(p, "round") ? p.round : 1; return Number.isInteger(r) ? r : -1; };
    const key = (post, person) => JSON.stringify([post, person]);
    const byRound = new Map(), chosen = new Set(), gone = new Set(), problems = [];
    for (const ev of events) {
      const kind = ev.kind, p = ev.payload;
      if (kind === "result.published" && has(p, "posts") && isObj(p.posts)) {
        const s = new Set();
        for (const [post, info] of Object.entries(p.posts)) {
          if (isObj(info) && has(info, "elected") && Array.isArray(info.elected)) for (const x of info.elected) if (typeof x === "string") s.add(key(post, x));
        }
        byRound.set(roundOf(p), s);
      } else if (kind === "result.woman_member_decided" && has(p, "elected") && isObj(p.elected)) {
        const s = new Set();
        for (const [post, xs] of Object.entries(p.elected)) if (Array.isArray(xs)) for (const x of xs) if (typeof x === "string") s.add(key(post, x));
        byRound.set(roundOf(p), s);
      } else if (kind === "result.reopened") {
        byRound.delete(roundOf(p));
      } else if (kind === "seat.chosen_by_meeting" && has(p, "members") && Array.isArray(p.members)) {
        for (const m of p.members) if (isObj(m) && typeof m.post === "string" && typeof m.person === "string") chosen.add(key(m.post, m.person));
      } else if (kind === "seat.vacated") {
        if (typeof p.post === "string" && typeof p.person === "string") gone.add(key(p.post, p.person));
      } else if (kind === "seat.by_election_called" && has(p, "posts") && isObj(p.posts)) {
        const serving = new Set([...[...byRound.values()].flatMap((s) => [...s]), ...chosen].filter((k) => !gone.has(k)));
        for (const post of Object.keys(p.posts).sort()) {
          const info = p.posts[post], asked = isObj(info) && has(info, "seats") ? info.seats : null;
          if (!seats.has(post) || !Number.isInteger(asked)) continue;
          const vacant = Math.max(seats.get(post) - [...serving].filter((k) => JSON.parse(k)[0] === post).length, 0);
          if (asked > vacant) problems.push(T(`第 ${ev.seq} 号事件：补选 ${post} ${asked} 席，该职位应选 ${seats.get(post)} 席，此时出缺只有 ${vacant} 席`,
            `event ${ev.seq}: a by-election of ${asked} seats of ${post}, which has ${seats.get(post)} seats, ${vacant} vacant then`));
        }
      }
    }
    return problems;
  }

  // name -> [kinds that make it apply, the check]; another check of these events goes here.
  const CHECKS = [
    ["meeting_decisions", new Set(["meeting.convened", "meeting.decision_recorded", "meeting.closed", "meeting.vote_called"]), meetingDecisions],
    ["recall_votes", new Set(["recall.petition_filed", "recall.vote_recorded", "recall.vote_called", "recall.vote_counted"]),
      (events, rulebook) => {
        const [a, da] = recallVotes(events, rulebook), [b, db] = paperRecalls(events, rulebook);
        return [[...a, ...b], T(`${da}；${db}`, `${enOf(da)}; ${enOf(db)}`)];
      }],
    ["vacancies", new Set(["seat.vacated", "seat.by_election_called", "seat.chosen_by_meeting"]), (events) => vacancies(events)],
  ];

  function betweenChecks(events, rulebook, file) {
    const kinds = new Set(events.map((e) => e.kind));
    const comp = typeof file === "function" ? file("composition.json") : undefined;
    const todo = CHECKS.filter(([, when]) => [...when].some((k) => kinds.has(k)));
    if (comp !== undefined) todo.push(["composition", null, (evs, rb) => composition(evs, comp, rb)]);
    const out = [];
    for (const [name, , fn] of todo) {
      let problems, detail;
      try { [problems, detail] = fn(events, rulebook); } catch (e) { problems = [T(`无法完成此项检查（${e.message}）`, `cannot check (${e.message})`)]; detail = ""; }
      out.push({ name, ok: !problems.length, detail: problems.length ? problems : detail });
    }
    return out;
  }

  root.JuxuanBetween = { betweenChecks, CHECKS };
  if (typeof module !== "undefined") module.exports = root.JuxuanBetween;
})(typeof globalThis !== "undefined" ? globalThis : this);
