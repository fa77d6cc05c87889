"""The rulebook in English: the election page and the rulebook form showed every parameter's
Chinese label, unit and choice in English mode ("居民委员会成员人数下限 · 5 人"), though each
field carries its English label (found walking the demo in English)."""

from __future__ import annotations

import dataclasses
import html as markup
import re

from election.rules.rulebook import CHOICE_LABELS, CHOICE_LABELS_EN, UNIT_EN, Rulebook
from tests.conftest import login

CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese(text: str) -> list[str]:
    """Chinese outside the glosses some English labels keep in brackets ("Uncontested (等额)")."""
    return CJK.findall(re.sub(r"\([^()]*(\([^()]*\)[^()]*)*\)", "", text))


def _table(html: str, table_id: str | None = None) -> str:
    found = re.search(r'<table class="data"' + (f' id="{table_id}"' if table_id else "") + r"[^>]*>(.*?)</table>", html, re.S)
    assert found, table_id
    text = re.sub(r"<option[^>]*>", " ", found.group(1))
    text = re.sub(r'<details class="source">.*?</details>', "", text, flags=re.S)  # legal sources stay Chinese
    return markup.unescape(re.sub(r"<[^>]+>", " ", text))


def test_every_unit_and_choice_has_english() -> None:
    units = {f.metadata["unit"] for f in dataclasses.fields(Rulebook)}
    assert units <= set(UNIT_EN)
    choices = {c for f in dataclasses.fields(Rulebook) for c in (f.metadata["choices"] or ())}
    assert set(CHOICE_LABELS_EN) == set(CHOICE_LABELS)  # marks (○, √, ×) are shown as they are
    assert [c for c in choices if c not in CHOICE_LABELS_EN and CJK.search(c)] == []
    rows = Rulebook().describe()
    assert [r.key for r in rows if CJK.search(r.value_en)] == []
    size = next(r for r in rows if r.key == "jwh_size_min")
    assert (size.value_zh, size.value_en) == ("5 人", "5 people")


def test_the_election_page_and_rulebook_form_in_english(app, world):
    client = app.test_client()
    login(client, "a_committee")
    election_id = world["a"]["election"].id
    page = client.get(f"/elections/{election_id}?lang=en").get_data(as_text=True)
    rules = _table(page, "rulebook")
    assert "Residents' committee size, minimum" in rules and "5 people" in rules
    assert _chinese(rules) == []
    form = _table(client.get(f"/elections/{election_id}/rulebook?lang=en").get_data(as_text=True))
    assert "Residents' committee size, minimum" in form and "people" in form
    assert _chinese(form) == []
    chinese = _table(client.get(f"/elections/{election_id}/rulebook?lang=zh").get_data(as_text=True))
    assert "居民委员会成员人数下限" in chinese and " 人" in chinese
