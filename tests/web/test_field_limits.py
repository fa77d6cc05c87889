"""Every text field has its column's length and one character rule (election/fields.py):
an over-long value posted to any form is refused in Chinese on both databases, never a 500;
control and bidirectional-override characters are refused (issue 17)."""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from election import clock
from election.errors import UserError
from election.fields import check_text
from election.models import Election, PollingStation
from election.polling.stations import create_station
from tests.conftest import CSRF, login

LONG = "长" * 5000
RAW_NAME = re.compile(r"“[a-z_]+”(?:最多|第)")
PAGE_ARGS = {"election_id", "community_id", "number"}


class Forms(HTMLParser):
    """The POST forms of a page: (action, {name: value}) with every text field filled long."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str | None, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.forms.append((a.get("action"), {}))
            else:
                self.forms.append(("__get__", {}))
            return
        if not self.forms or self.forms[-1][0] == "__get__" or not a.get("name"):
            if tag == "option" and self._select and self.forms and self._select not in self.forms[-1][1]:
                self.forms[-1][1][self._select] = a.get("value", "")
            return
        fields = self.forms[-1][1]
        name = a["name"]
        if tag == "textarea":
            fields[name] = LONG
        elif tag == "select":
            self._select = name
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "hidden":
                fields[name] = a.get("value", "")
            elif kind in ("text", "search", "tel", "email", "url", "password"):
                fields[name] = LONG
            elif kind == "number":
                fields[name] = "9" * 400
            elif kind == "date":
                fields[name] = a.get("value") or "2027-01-01"
            elif kind in ("checkbox", "radio") and name not in fields:
                fields[name] = a.get("value", "on")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _pages(app, world) -> list[str]:
    values = {"election_id": world["a"]["election"].id, "community_id": world["a"]["community"].id, "number": 1}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not set(rule.arguments) <= PAGE_ARGS or rule.endpoint == "static":
            continue
        if any(s in rule.rule for s in (".pdf", ".xlsx", ".json", ".zip", "/progress", "/download", "/logout")):
            continue
        urls.append(rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1])
    return sorted(set(urls))


def test_over_long_values_posted_to_every_form_never_give_500(app, world):
    posted, seen, unnamed = 0, set(), []
    for role in ("street_admin", "committee", "clerk", "counter", "scrutineer"):
        client = app.test_client()
        login(client, f"a_{role}")
        for url in _pages(app, world):
            page = client.get(url)
            if page.status_code != 200 or "text/html" not in page.content_type:
                continue
            parser = Forms()
            parser.feed(page.get_data(as_text=True))
            for action, fields in parser.forms:
                target = action or url
                if action == "__get__" or "logout" in target or (target, tuple(sorted(fields))) in seen:
                    continue
                seen.add((target, tuple(sorted(fields))))
                if not any(v == LONG or v.startswith("999") for v in fields.values()):
                    continue
                answer = client.post(target, data=fields, follow_redirects=True)
                posted += 1
                assert answer.status_code < 500, (role, url, target, answer.status_code)
                # The refusal names the field as the form does, never by its column ("“title”最多 …").
                unnamed += [(target, m) for m in RAW_NAME.findall(answer.get_data(as_text=True))]
    assert posted >= 15, posted
    assert unnamed == []


@pytest.mark.parametrize("value,why", [
    ("一" * 81, "最多 80 个字符"), ("第一\u202e站", "文字方向控制符（U+202E）"), ("第一\x07站", "控制字符（U+0007）"),
    ("\u2067第二站", "文字方向控制符（U+2067）"),
])
def test_station_name_rule_refuses_and_stores_nothing(db, world, value, why):
    election = world["a"]["election"]
    with pytest.raises(UserError) as info:
        create_station(db, election, "t", value)
    db.rollback()
    assert any(why in m and "投票站名称" in m for m in info.value.messages), info.value.messages
    assert db.scalar(select(func.count()).select_from(PollingStation)) == 0


def test_election_title_over_200_is_refused_over_http_not_500(app, db, world):
    client = app.test_client()
    login(client, "a_street_admin")
    url = f"/communities/{world['a']['community'].id}/elections/new"
    parser = Forms()
    parser.feed(client.get(url).get_data(as_text=True))
    _action, fields = next((a, f) for a, f in parser.forms if a != "__get__" and "title" in f)
    fields.update(title="居" * 201, election_day=(clock.today() + timedelta(days=40)).isoformat(), jwh_deputies="1",
                  jwh_members="3", jdw_deputies="0", jdw_members="2")
    before = db.scalar(select(func.count()).select_from(Election))
    answer = client.post(url, data=fields)
    html = answer.get_data(as_text=True)
    assert answer.status_code in (200, 400) and "“选举名称”最多 200 个字符，填写的有 201 个" in html
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Election)) == before


def test_character_rule_itself():
    assert check_text("张三", "姓名", 40) is None
    assert check_text("第一行\n第二行", "说明", None, multiline=True) is None
    assert "控制字符" in check_text("第一行\n第二行", "姓名", 40)
    assert "最多 4 个字符" in check_text("12345", "单元", 4)
    assert check_text("𠀀龘", "姓名", 40) is None  # characters beyond the BMP are names too


def test_nul_in_any_form_or_query_is_refused_in_chinese(app, db, world):
    client = app.test_client()
    login(client, "a_committee")
    election = world["a"]["election"]
    url = f"/elections/{election.id}/polling"
    token = CSRF.search(client.get(url).get_data(as_text=True)).group(1)
    answer = client.post(url + "/stations", data={"name": "第一\x00站", "desks": "1", "boxes": "1", "csrf_token": token})
    assert answer.status_code == 400 and "空字符（U+0000）" in answer.get_data(as_text=True)
    assert client.get(f"/elections/{election.id}/roll/?q=a%00b").status_code == 400
    db.rollback()
    assert db.scalar(select(func.count()).select_from(PollingStation)) == 0


def test_every_field_label_names_a_real_column():
    """LABELS named "desk.label", "candidate.note" and "resident.note", columns that do not exist."""
    from election.fields import LABELS
    from election.models import Base

    columns = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns}
    assert sorted(set(LABELS) - columns) == []


def test_a_meeting_title_too_long_is_named_as_the_form_names_it(app, db, world):
    from tests.factories import add_voters

    add_voters(db, world["a"]["election"], 5)  # a meeting of no voters is refused before its title
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    url = f"/elections/{world['a']['election'].id}/meetings"
    parser = Forms()
    parser.feed(client.get(url).get_data(as_text=True))
    _action, fields = next((a, f) for a, f in parser.forms if a != "__get__" and "title" in f)
    fields.update(title="会" * 600, held_on=(clock.today() + timedelta(days=30)).isoformat(), convened_by="committee",
                  agenda="", place="", supporters="", group="", request_base="")
    html = client.post(url, data=fields, follow_redirects=True).get_data(as_text=True)
    assert "“会议名称”最多 200 个字符，填写的有 600 个" in html and "“title”" not in html
