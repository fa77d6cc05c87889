"""居民小组 in their own order on the meetings and group-leader forms: the demo's meeting form
offered 第一, 第三, 第二 (code-point order) while the roll's notices and cards go 第一, 第二,
第三 (README: groups come in numeral order)."""

from __future__ import annotations

import re

from tests.conftest import login
from tests.factories import add_voters

GROUPS = ["第十居民小组", "第三居民小组", "第一居民小组", "第二居民小组"]
ORDER = ["第一居民小组", "第二居民小组", "第三居民小组", "第十居民小组"]


def _options(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, select_id
    return [o for o in re.findall(r"<option[^>]*>([^<]*)</option>", found.group(1)) if o.endswith("小组")]


def test_groups_are_listed_first_second_third_tenth(app, db, world):
    election = world["a"]["election"]
    for k, group in enumerate(GROUPS):
        add_voters(db, election, 2, group=group, start=100 * k)
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    meetings = client.get(f"/elections/{election.id}/meetings").get_data(as_text=True)
    assert _options(meetings, "group") == ORDER
    leaders = client.get(f"/elections/{election.id}/group-leaders").get_data(as_text=True)
    assert _options(leaders, "group") == ORDER
