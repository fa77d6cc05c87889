"""The bodies and posts of one election: 居民委员会 (jwh) and 居务监督委员会 (jdw).

A committee chooses how many 副主任 and 委员 each body gets; the sizes are checked
against the rulebook's ranges (RULES.md "Bodies and posts") and turned into the posts
that the ballot and the tally use.
"""

from __future__ import annotations

from dataclasses import dataclass

from election.rules.rulebook import Rulebook
from election.rules.tally_types import BODY_ZH, PostSpec


class BodiesError(ValueError):
    """Sizes that the rulebook does not allow; the messages are Chinese."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Post:
    """One post: key like 'jwh_zhuren', its body, Chinese title, seats and rank (higher first)."""

    key: str
    body: str
    title_zh: str
    seats: int
    rank: int

    @property
    def name_zh(self) -> str:
        return f"{BODY_ZH[self.body]}{self.title_zh}"


def bodies_errors(jwh_fu: int, jwh_wei: int, jdw_fu: int, jdw_wei: int, rb: Rulebook) -> list[str]:
    """Every size problem as a Chinese message naming the body and the numbers."""
    errs: list[str] = []
    jwh_total = 1 + jwh_fu + jwh_wei
    if not rb.jwh_fu_zhuren_min <= jwh_fu <= rb.jwh_fu_zhuren_max:
        errs.append(f"居民委员会副主任为 {jwh_fu} 人，须为 {rb.jwh_fu_zhuren_min}–{rb.jwh_fu_zhuren_max} 人")
    if jwh_wei < 1:
        errs.append(f"居民委员会委员为 {jwh_wei} 人，至少须有 1 名委员")
    odd = "之间的奇数" if rb.jwh_size_odd else "之间"
    if not rb.jwh_size_min <= jwh_total <= rb.jwh_size_max or (rb.jwh_size_odd and jwh_total % 2 == 0):
        errs.append(f"居民委员会成员总数为 {jwh_total} 人，须为 {rb.jwh_size_min}–{rb.jwh_size_max} 人{odd}")
    jdw_total = 1 + jdw_fu + jdw_wei
    if not rb.jdw_fu_zhuren_min <= jdw_fu <= rb.jdw_fu_zhuren_max:
        errs.append(f"居务监督委员会副主任为 {jdw_fu} 人，须为 {rb.jdw_fu_zhuren_min}–{rb.jdw_fu_zhuren_max} 人")
    if jdw_wei < 1:
        errs.append(f"居务监督委员会委员为 {jdw_wei} 人，至少须有 1 名委员")
    if not rb.jdw_size_min <= jdw_total <= rb.jdw_size_max:
        errs.append(f"居务监督委员会成员总数为 {jdw_total} 人，须为 {rb.jdw_size_min}–{rb.jdw_size_max} 人之间")
    return errs


@dataclass(frozen=True)
class BodiesConfig:
    """Seats of both bodies; build with BodiesConfig.build(...) which validates."""

    jwh_fu_zhuren: int
    jwh_weiyuan: int
    jdw_fu_zhuren: int
    jdw_weiyuan: int

    @classmethod
    def build(cls, jwh_fu: int, jwh_wei: int, jdw_fu: int, jdw_wei: int, rulebook: Rulebook | None = None) -> BodiesConfig:
        errs = bodies_errors(jwh_fu, jwh_wei, jdw_fu, jdw_wei, rulebook or Rulebook())
        if errs:
            raise BodiesError(errs)
        return cls(jwh_fu, jwh_wei, jdw_fu, jdw_wei)

    @property
    def jwh_total(self) -> int:
        return 1 + self.jwh_fu_zhuren + self.jwh_weiyuan

    @property
    def jdw_total(self) -> int:
        return 1 + self.jdw_fu_zhuren + self.jdw_weiyuan

    def posts(self) -> list[Post]:
        """All posts, higher post first; a post with no seats (jdw 副主任 0) is left out."""
        rows = [
            Post("jwh_zhuren", "jwh", "主任", 1, 6),
            Post("jwh_fu_zhuren", "jwh", "副主任", self.jwh_fu_zhuren, 5),
            Post("jwh_weiyuan", "jwh", "委员", self.jwh_weiyuan, 4),
            Post("jdw_zhuren", "jdw", "主任", 1, 3),
            Post("jdw_fu_zhuren", "jdw", "副主任", self.jdw_fu_zhuren, 2),
            Post("jdw_weiyuan", "jdw", "委员", self.jdw_weiyuan, 1),
        ]
        return [p for p in rows if p.seats > 0]

    def post_specs(self, rulebook: Rulebook, reserved_woman_seats: int = 0) -> list[PostSpec]:
        """The tally's posts with thresholds from the rulebook (监督委员会 per its parameters)."""
        out = []
        for p in self.posts():
            threshold = "majority"
            if p.key == "jdw_zhuren":
                threshold = rulebook.jdw_zhuren_threshold
            elif p.key == "jdw_weiyuan":
                threshold = rulebook.jdw_weiyuan_threshold
            reserved = reserved_woman_seats if p.key == "jwh_weiyuan" else 0
            out.append(PostSpec(p.key, p.body, p.title_zh, p.seats, p.rank, threshold, reserved))  # type: ignore[arg-type]
        return out
