"""A resident reading the receipt page in English reads why a code was refused in English
too (the reason came from election.protocol.codes in Chinese only)."""

from __future__ import annotations

import re

from election.protocol import codes

CJK = re.compile(r"[\u4e00-\u9fff]")


def _flash(html: str) -> str:
    found = re.search(r'<ul class="flashes"[^>]*>(.*?)</ul>', html, re.S)
    assert found, html
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_a_refused_code_is_explained_in_english(app, db):
    client = app.test_client()
    text = _flash(client.get("/r/ABCD-EFGH?lang=en").get_data(as_text=True))
    assert text == "Receipt code not recognised: A receipt code has 28 characters (7 groups of 4); 8 were entered"
    back = codes.audit_qr(codes.new_code())
    text = _flash(client.get("/r/" + back + "?lang=en").get_data(as_text=True))
    assert "audit code on the back of the ballot" in text and not CJK.search(text)


def test_in_chinese_the_reason_is_the_protocol_message(app, db):
    html = app.test_client().get("/r/ABCD-EFGH?lang=zh").get_data(as_text=True)
    assert _flash(html) == "回执码无法识别：回执码应为 28 个字符（7 组，每组 4 个），实际输入了 8 个字符"


def test_every_code_refusal_keeps_its_chinese_text() -> None:
    """str() of a CodeError is the filled template (the services and the verifier print it)."""
    error = codes.CodeError("char", pos=3, ch="U")
    assert str(error) == "第 3 个字符“U”不是有效的编码字符"
    assert error.template == codes.MESSAGES["char"] and error.fields == {"pos": 3, "ch": "U"}


def test_a_code_not_found_says_receipts_appear_after_publication(app, db):
    """On polling day a voter checking the stub just deposited was told only "not found … if you
    did vote, file a complaint"; the answer (the same for every code not found) now says that
    receipts are found once the round's result and bundle are published."""
    code = codes.human(codes.new_code())
    html = app.test_client().get("/r/" + code).get_data(as_text=True)
    assert "未查到计入记录" in html and "回执要等本轮结果公布、公示包签名发布后才能查到" in html
    english = app.test_client().get("/r/" + code + "?lang=en").get_data(as_text=True)
    assert (
        "found only once the round&#39;s result is published" in english
        or "found only once the round's result is published" in english
    )


def test_a_lone_slash_typed_or_in_the_url_is_explained_not_a_500(app, db):
    client = app.test_client()
    assert "实际输入了 0 个字符" in _flash(client.get("/r/%20/?lang=zh").get_data(as_text=True))
