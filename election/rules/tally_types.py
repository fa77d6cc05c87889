"""Input and output values of the tally (RULES.md "Validity" and "Winning").

Plain frozen dataclasses only, so the counting service, the verifier and the scenario
runner all feed the same engine and read the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from election.rules.question import QuestionOutcome
from election.rules.rulebook import Rulebook

Body = Literal["jwh", "jdw"]
ThresholdRule = Literal["majority", "plurality"]
# "recall": a yes/no question on the one line of its paper (rules.question), not a seat.
# "motion": a meeting's motion on secret paper (rules.question.decide_motion): its electors
# are those recorded present at the meeting (registered_voters), decided by the meeting's rule.
RoundKind = Literal["main", "revote", "runoff", "recall", "motion"]
QUESTION_ROUNDS = ("recall", "motion")
BodyStatus = Literal["complete", "revote_needed", "runoff_needed", "vacancies_allowed", "new_round_needed"]

BODY_ZH: dict[str, str] = {"jwh": "居民委员会", "jdw": "居务监督委员会"}
FEMALE = frozenset({"女", "F", "f", "female"})
# A scenario's (docs/TALLY.md) ``sex``, written as a committee or a reviewer would, to the
# engine's 女 / 男; "" (omitted) is unknown, as for a motion's line. The key is the value
# lower-cased without surrounding spaces; anything else is refused, never read as "not a woman".
SEX_WORDS: dict[str, str] = {
    "": "", "女": "女", "女性": "女", "f": "女", "female": "女", "woman": "女",
    "男": "男", "男性": "男", "m": "男", "male": "男", "man": "男",
}
# Every post key of an election (rules.bodies): a run-off's prior_elected names posts of
# earlier rounds by these keys (the body by its prefix, the 主任 by *_zhuren).
POST_KEYS = ("jwh_zhuren", "jwh_fu_zhuren", "jwh_weiyuan", "jdw_zhuren", "jdw_fu_zhuren", "jdw_weiyuan")


# What the election committee may decide when the 居委会's seats are full, no woman is
# elected and a woman member's extra seat would exceed the legal size (RULES.md "woman
# member" variants; docs/DECISIONS.md).
WOMAN_DECISIONS: dict[str, str] = {
    "replace_lowest": "得票达到当选票数的最多票女性替换得票最少的当选委员",
    "accept_without": "本届居民委员会暂无妇女成员，记录在案并报街道备案，待补选时解决",
}


class TallyInputError(ValueError):
    """Input the tally cannot count; the message is Chinese and names the field."""


@dataclass(frozen=True)
class PostSpec:
    """One post on the ballot: its seats, rank (higher post = larger rank) and threshold."""

    key: str
    body: Body
    title: str
    seats: int
    rank: int
    threshold: ThresholdRule = "majority"
    reserved_woman_seats: int = 0

    @property
    def name_zh(self) -> str:
        if self.key == MOTION_KEY:  # a meeting's motion is of no body (MOTION_POST)
            return self.title
        return f"{BODY_ZH.get(self.body, self.body)}{self.title}"


# The one section of a meeting's motion paper (round kind "motion", PROTOCOL §14.10): one
# seat, one line (the motion, not a person), not a post of either body.
MOTION_KEY = "motion"
MOTION_POST = PostSpec(MOTION_KEY, "jwh", "表决事项", 1, 1)


def motion_person(vote_id: int) -> str:
    """The person id a motion's line is marked and counted under (its MeetingVote's id)."""
    return f"m{vote_id}"


@dataclass(frozen=True)
class Candidate:
    """A person on the ballot for one post; write-in persons are given as Candidate too
    (with post None) so that their names and sex are known."""

    id: str
    person_id: str
    name: str
    sex: str
    post: str | None


@dataclass(frozen=True)
class PostMarks:
    """The marks of one paper for one post; write-ins are approvals of that person."""

    approve: frozenset[str] = frozenset()
    oppose: frozenset[str] = frozenset()
    write_ins: frozenset[str] = frozenset()
    unreadable: bool = False


@dataclass(frozen=True)
class Paper:
    """One returned paper; a post missing from marks is a blank (弃权) for that post."""

    marks: dict[str, PostMarks] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorElected:
    """Someone elected in an earlier round of the same election."""

    person_id: str
    post: str
    sex: str = ""


@dataclass(frozen=True)
class TallyInput:
    rulebook: Rulebook
    registered_voters: int
    papers_issued: int
    papers_returned: int
    posts: tuple[PostSpec, ...]
    candidates: tuple[Candidate, ...]
    papers: tuple[Paper, ...] | list[Paper]
    relations: tuple[tuple[str, str], ...] = ()
    round_kind: RoundKind = "main"
    prior_elected: tuple[PriorElected, ...] = ()
    # In a re-vote round: the run-offs of the round whose ties it decides, held back until
    # the tied are decided (the previous result's `held`).
    held: tuple[HeldRunoff, ...] = ()
    # Relations beyond near relatives (grandparents, grandchildren) that bar only across
    # the bodies, when the rulebook widens the 监督委员会 incompatibility (jdw_incompat_extended).
    extended_relations: tuple[tuple[str, str], ...] = ()
    # The election committee's recorded choice when the 居委会's seats are full, no woman is
    # elected and one more seat would exceed its legal size (WOMAN_DECISIONS); "" = none yet.
    woman_decision: str = ""
    # Separate papers per body (paper_layout "per_body"): (body, issued, returned) for each
    # body of the round; turnout, validity and thresholds are then per body. Empty: one paper.
    body_papers: tuple[tuple[str, int, int], ...] = ()
    # The election method (election/rules/methods.py): registered_voters is then the count of
    # its electors (registered voters, household representatives or 居民代表).
    method: str = "direct"
    # A motion round (round_kind "motion"): the kind of meeting that votes (rules.meetings
    # MEETING_KINDS); its decision share is the rulebook's for that kind of meeting.
    meeting_kind: str = ""


# ---------------------------------------------------------------------------- output

# Reason codes of a person not elected on a post.
R_BELOW = "below_threshold"
R_SEATS_FILLED = "seats_filled"
R_TIE = "tie_revote"
R_HIGHER_POST = "elected_higher_post"
R_NEAR_RELATIVE = "near_relative"
R_REPLACED = "replaced_by_woman"
R_ELECTION_VOID = "election_void"


@dataclass(frozen=True)
class PersonVotes:
    person_id: str
    name: str
    votes: int
    opposed: int
    candidate: bool


@dataclass(frozen=True)
class Elected:
    person_id: str
    name: str
    votes: int


@dataclass(frozen=True)
class NotElected:
    person_id: str
    name: str
    votes: int
    reason: str
    explanation: str


@dataclass(frozen=True)
class SetAside:
    person_id: str
    name: str
    post: str
    kind: Literal["multi_post", "near_relative"]
    explanation: str


@dataclass(frozen=True)
class Tie:
    post: str
    person_ids: tuple[str, ...]
    votes: int
    seats: int
    women_only: bool = False  # a tie for a woman's reserved seat (定位)


@dataclass(frozen=True)
class RunoffNeed:
    post: str
    seats: int
    candidates: tuple[str, ...]
    women_only: bool


@dataclass(frozen=True)
class Ranked:
    """One person who may stand in a run-off, with the votes that rank them."""

    person_id: str
    name: str
    votes: int


@dataclass(frozen=True)
class HeldRunoff:
    """A run-off held back while the ties of the same result are re-voted (RULES.md: the
    tied are re-voted first; who they elect changes who stands in the run-off).

    ``ranked`` is everyone who may stand, highest votes first; the candidates are taken
    from it once the re-vote is decided. ``woman_seat``: the woman member's seat (RULES.md
    "woman member"), kept only while no woman is elected to the 居委会."""

    post: str
    seats: int
    women_only: bool
    ranked: tuple[Ranked, ...]
    woman_seat: bool = False
    post_name: str = ""  # the post's Chinese name, for a re-vote round that does not hold it


@dataclass(frozen=True)
class NextSection:
    """One post on the next round's paper: seats, of them reserved for a woman, candidates
    in ballot order (highest votes first)."""

    post: str
    seats: int
    reserved_woman_seats: int
    candidates: tuple[str, ...]
    # Candidates still to be nominated by the committee before the round (a run-off stays
    # differential: seats + runoff_extra_candidates, women: reserved + the same margin).
    short: int = 0
    women_short: int = 0


@dataclass(frozen=True)
class PostResult:
    key: str
    body: str
    title: str
    seats: int
    valid_papers: int
    invalid_papers: int
    overvoted: int
    unreadable: int
    votes: tuple[PersonVotes, ...]
    threshold_rule: str
    threshold_base: int
    threshold_fraction: Fraction | None
    threshold_min_votes: int
    elected: tuple[Elected, ...]
    not_elected: tuple[NotElected, ...]
    ties: tuple[Tie, ...]
    unfilled_seats: int
    runoffs: tuple[RunoffNeed, ...]


@dataclass(frozen=True)
class WomanOutcome:
    required: bool
    method: str
    status: Literal["not_required", "satisfied", "reserved_filled", "replaced", "needs_round", "undecided",
                    "needs_decision", "accepted_without"]
    person_id: str | None
    replaced_person_id: str | None
    explanation: str
    # needs_decision: the 居委会's seats are full and one more seat would break its legal
    # size; the committee chooses one of these (WOMAN_DECISIONS) and records it.
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class BodyOutcome:
    body: str
    seats: int  # this round's seats of the body
    elected_total: int  # elected in this round and still serving from earlier rounds
    status: BodyStatus
    explanation: str
    elected_before: int = 0  # of elected_total, those elected in earlier rounds (prior_elected)


@dataclass(frozen=True)
class TallyResult:
    valid: bool
    reason: str
    round_kind: str
    registered_voters: int
    papers_issued: int
    papers_returned: int
    whole_papers_invalid: int
    posts: tuple[PostResult, ...]
    set_asides: tuple[SetAside, ...]
    woman: WomanOutcome
    bodies: tuple[BodyOutcome, ...]
    # nomination: a run-off is needed but no one may stand; the committee nominates first.
    next_round: Literal["none", "revote", "runoff", "new_election", "nomination"]
    explanation: tuple[str, ...]
    # What the next round's paper holds, one section per post (empty when no round follows).
    next_posts: tuple[NextSection, ...] = ()
    # Run-offs waiting for this result's re-vote (passed to the re-vote round's input).
    held: tuple[HeldRunoff, ...] = ()
    # Separate papers per body: (body, issued, returned), as counted (empty: one paper).
    body_papers: tuple[tuple[str, int, int], ...] = ()
    method: str = "direct"
    # A question round (round_kind "recall"): the decided question; None for an election round.
    question: QuestionOutcome | None = None

    def post(self, key: str) -> PostResult:
        for p in self.posts:
            if p.key == key:
                return p
        raise KeyError(key)

    def elected_ids(self, key: str) -> list[str]:
        return [e.person_id for e in self.post(key).elected]
