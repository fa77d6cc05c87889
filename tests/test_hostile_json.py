"""JSON files a user hands Juxuan -- the tally command's scenario file, a trustee's upload,
the street office's countersignature -- are refused with the project's own error however
they are made: nesting deeper than the parser recurses (a RecursionError of json.loads) and
an integer of more than 4300 digits (a ValueError that is no JSONDecodeError) once escaped
as tracebacks. A short hypothesis run in the suite; a long one under `soak`."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from election.counting.scenario_file import tally_file
from election.errors import UserError
from election.protocol.office import OfficeError, attach
from election.trustees import service as trustees

DEEP = b"[" * 200_000 + b"]" * 200_000
DIGITS = b'{"registered_voters": 1' + b"0" * 5000 + b"}"

# Hostile texts: deep nesting of either bracket, long integers where a number goes, and
# arbitrary bytes around them.
hostile = st.one_of(
    st.builds(lambda n, c: c * n, st.integers(2_000, 60_000), st.sampled_from([b"[", b'{"a":', b"[{\"x\":"])),
    st.builds(lambda n, pre: pre + b"9" * n, st.integers(4_301, 9_000), st.sampled_from([b"", b"-", b"[", b'{"index":'])),
    st.binary(max_size=200),
)


def _refused(text: bytes, tmp: Path) -> None:
    """Each reader returns or raises the project's error, nothing else (a valid JSON text of
    random bytes, such as ``0``, may be read)."""
    scenario = tmp / "scenario.json"
    scenario.write_bytes(text)
    for read, error in ((lambda: tally_file(str(scenario)), UserError), (lambda: trustees._upload(text, "公开部分"), UserError),
                        (lambda: attach({}, text, b""), OfficeError)):
        try:
            read()
        except error:
            pass


@pytest.mark.parametrize("text", [DEEP, DIGITS], ids=["deep", "digits"])
def test_the_known_cases_are_refused_in_chinese(text: bytes, tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_bytes(text)
    with pytest.raises(UserError, match="不是有效的 JSON") as caught:
        tally_file(str(scenario))
    assert ("嵌套过深" if text is DEEP else "整数位数过多") in caught.value.messages[0]
    with pytest.raises(UserError, match="不是受托人工具生成的 JSON 文件"):
        trustees._upload(text, "公开部分")
    with pytest.raises(OfficeError, match="会签文件无法读取"):
        attach({}, text, b"")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_hostile_json_short(text: bytes, tmp_path: Path) -> None:
    _refused(text, tmp_path)


@pytest.mark.soak
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_hostile_json_soak(text: bytes, tmp_path: Path) -> None:
    _refused(text, tmp_path)


@pytest.mark.parametrize("text", [DEEP, DIGITS, b"\xff not utf-8"], ids=["deep", "digits", "bytes"])
def test_the_trustees_page_refuses_them_in_chinese(app, world, text: bytes) -> None:
    """The trustees' page tells the kind of file from its JSON (web/parse.json_document, the
    one place a view's input may fail as ValueError): not JSON is no trustee's file."""
    import io

    from tests.conftest import csrf_token, login

    client = app.test_client()
    login(client, "a_committee")
    url = f"/e/{world['a']['election'].id}/trustees"
    res = client.post(f"{url}/upload", data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(text), "x.json")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert res.status_code == 200 and "这不是受托人工具生成的文件" in res.get_data(as_text=True)
