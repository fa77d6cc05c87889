"""What a ballot paper shows: plain input dataclasses filled by the caller (no web, no database)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

ROUNDS = ("第一轮", "另行选举", "再次投票", "补选", "罢免投票", "会议表决")
PAPER_SIZES = ("A4", "A5")


class PaperCodes(NamedTuple):
    """The two unlinked codes of one paper (DESIGN.md ledger protocol); a plain tuple works too.

    ``t_human`` is printed on the stub, ``t_qr`` (the public verification URL holding T) is the
    stub's QR, ``a_qr`` is the body's QR. ballots/ never creates, logs or keeps them.
    """

    t_human: str
    t_qr: str
    a_qr: str


@dataclass(frozen=True)
class PostSection:
    """One post on the paper, e.g. body 居民委员会, post 委员, 应选 ``seats`` 名.

    ``candidates`` are printed in the order given (the caller sorts them by 姓氏笔画).
    ``write_in_lines`` (另选他人) defaults to ``seats``.
    """

    body: str
    post: str
    seats: int
    candidates: tuple[str, ...]
    write_in_lines: int | None = None

    @property
    def write_ins(self) -> int:
        return self.seats if self.write_in_lines is None else self.write_in_lines

    @property
    def heading(self) -> str:
        return f"{self.body}{self.post}"


@dataclass(frozen=True)
class BallotSpec:
    """One kind of paper: all posts of one election round, or of one body if the committee splits.

    ``key_fingerprint`` is the election's Ed25519 public-key fingerprint, printed on every paper.
    ``overvote_voids_paper`` selects the instruction text of the overvote rule (RULES.md
    Validity: default only that post is void; variant [P:BJ] the whole paper).
    """

    title: str
    election: str
    date: str
    round: Literal["第一轮", "另行选举", "再次投票", "补选", "罢免投票", "会议表决"]
    sections: tuple[PostSection, ...]
    key_fingerprint: str
    committee: str
    paper_size: Literal["A4", "A5"] = "A4"
    verify_hint: str = ""
    overvote_voids_paper: bool = False
    extra_instructions: tuple[str, ...] = field(default=())
    # The rulebook's marks (mark_approve, mark_oppose; RULES.md "marks"), printed in the
    # instructions and over each post.
    approve_mark: str = "○"
    oppose_mark: str = "×"
    # A yes/no question (表决票, e.g. "罢免居民委员会委员王芳"): one section of one line, marked
    # 同意 with approve_mark, 不同意 with oppose_mark, blank for 弃权; no 另选他人, no seats.
    question: str = ""
    # What the two marks of a question's line say: 同意/不同意 (a recall), 赞成/反对 (a motion).
    answers: tuple[str, str] = ("同意", "不同意")

    def problems(self) -> list[str]:
        """Every reason (in Chinese, naming the field) why this paper cannot be printed."""
        out: list[str] = []
        if self.round not in ROUNDS:
            out.append(f"选票轮次“{self.round}”无效，应为：{'、'.join(ROUNDS)}。")
        if self.paper_size not in PAPER_SIZES:
            out.append(f"纸张“{self.paper_size}”无效，应为 A4 或 A5。")
        if not self.title.strip():
            out.append("选票标题为空。")
        if not self.key_fingerprint.strip():
            out.append("选举公钥指纹为空：每张选票都须印有公钥指纹。")
        if not self.sections:
            out.append("选票上没有任何职务。")
        if self.question and (len(self.sections) != 1 or len(self.sections[0].candidates) != 1
                              or self.sections[0].write_ins):
            out.append(f"表决票“{self.question}”只能有一栏一人，且不设另选他人栏。")
        for i, section in enumerate(self.sections, start=1):
            where = f"第 {i} 个职务（{section.heading}）"
            if section.seats < 1:
                out.append(f"{where}的应选人数为 {section.seats}，至少应为 1。")
            if section.write_ins < 0:
                out.append(f"{where}的另选他人栏数为 {section.write_ins}，不能为负数。")
            if not section.candidates:
                out.append(f"{where}没有候选人。")
            seen: set[str] = set()
            for name in section.candidates:
                if not name.strip():
                    out.append(f"{where}有一个候选人姓名为空。")
                elif name in seen:
                    out.append(f"{where}的候选人“{name}”重复出现。")
                seen.add(name)
        return out


def split_by_body(spec: BallotSpec, titles: Mapping[str, str]) -> tuple[BallotSpec, ...]:
    """One paper per body (e.g. 居民委员会, 居务监督委员会) when the committee prints them apart.

    ``titles`` maps each body to its paper's title; bodies keep the order they have in ``spec``.
    """
    bodies = list(dict.fromkeys(section.body for section in spec.sections))
    missing = [body for body in bodies if body not in titles]
    if missing:
        raise ValueError(f"分开印制选票时缺少以下组织的选票标题：{'、'.join(missing)}。")
    return tuple(
        replace(spec, title=titles[body], sections=tuple(s for s in spec.sections if s.body == body)) for body in bodies
    )
