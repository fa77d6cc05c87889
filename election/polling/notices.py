"""The polling notices for the notice board: approved proxies, mobile-box voters and the
receipt-check poster. The service gathers the values; `ballots.notices` draws them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ballots.notices import notice_bytes

from .. import clock
from ..clock import cn_date
from ..models import Election
from ..rounds import current_round, day_of
from . import issuance, stations


def _signature(election: Election) -> str:
    return f"{election.community.name}居民选举委员会"


def proxies_pdf(db: Session, election: Election) -> bytes:
    """委托投票公告: every approved proxy, holder and voter by name, with the date signed."""
    rows = [(str(i), h.name, v.name, cn_date(p.signed_on))
            for i, (p, v, h) in enumerate(issuance.proxies_of(db, election), 1)]
    return notice_bytes(f"{election.title}委托投票公告", ["经选举委员会审核批准的委托投票如下："], ["序号", "受委托人", "委托人", "委托日期"],
                        rows or [("—", "无", "—", "—")], [_signature(election), cn_date(clock.today())])


def mobile_voters_pdf(db: Session, election: Election) -> bytes:
    """流动票箱投票选民名单公告. A public notice: the reason a voter cannot come (often their
    health) stays off it."""
    rows = [(str(i), b.label, v.name, v.group_name or "—")
            for i, (_m, v, b) in enumerate(stations.mobile_voters(db, election), 1)]
    return notice_bytes(f"{election.title}流动票箱投票选民名单公告", ["以下选民因故不能到投票站投票，经登记使用流动票箱："],
                        ["序号", "流动票箱", "姓名", "居民小组"], rows or [("—", "—", "无", "—")],
                        [_signature(election), cn_date(clock.today())])


def receipt_poster_pdf(db: Session, election: Election, url: str) -> bytes:
    """A notice-board poster: the receipt-check address ``url`` as text and as a QR code,
    dated the current round's voting day."""
    return notice_bytes(
        "选票回执查询", [election.title,
                   "投票后请保存选票存根。用手机扫描下方二维码，或在浏览器中输入以下地址，"
                   "再输入存根上的查询码，即可查询您的选票是否已投入票箱并计入；查询不显示选票内容。",
                   f"查询地址：{url}"],
        [], [], [_signature(election), cn_date(day_of(election, current_round(db, election)))],
        qr_payload=url, qr_caption="扫码查询选票回执",
    )
