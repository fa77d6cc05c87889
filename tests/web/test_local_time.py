"""Times are stored in UTC and shown in the committee's zone (election.clock): Beijing by
default, another zone by JUXUAN_TIMEZONE; UTC hour stamps become local hours."""
from datetime import datetime, timezone

from election import clock
from tests.conftest import login


def test_hour_stamps_and_moments_in_beijing_time(monkeypatch) -> None:
    monkeypatch.delenv("JUXUAN_TIMEZONE", raising=False)
    assert clock.local_hour("2026-11-23T01").strftime("%Y-%m-%d %H:%M") == "2026-11-23 09:00"
    assert clock.local_hour("2026-11-22T17").strftime("%Y-%m-%d %H:%M") == "2026-11-23 01:00"
    # a naive moment is a UTC one, as SQLite hands it back
    assert clock.local(datetime(2026, 11, 23, 16, 5)).strftime("%d %H:%M") == "24 00:05"


def test_another_zone_by_setting(monkeypatch) -> None:
    monkeypatch.setenv("JUXUAN_TIMEZONE", "Asia/Urumqi")  # UTC+6
    assert clock.local_hour("2026-11-23T01").hour == 7


def test_page_shows_a_stored_moment_in_local_time(app, db, world, monkeypatch) -> None:
    monkeypatch.delenv("JUXUAN_TIMEZONE", raising=False)
    election = world["a"]["election"]
    election.roll_frozen_at = datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc)
    db.commit()
    client = app.test_client()
    login(client, "a_committee")
    page = client.get(f"/elections/{election.id}/roll/publication").get_data(as_text=True)
    assert "名单已于 2026-11-23 09:30 冻结" in page
    assert "01:30" not in page


def test_excel_times_are_local(monkeypatch) -> None:
    import io

    from openpyxl import load_workbook

    from election.xlsx import Sheet, workbook_bytes

    monkeypatch.delenv("JUXUAN_TIMEZONE", raising=False)
    data = workbook_bytes(Sheet("时间", ["时刻"], [[datetime(2026, 11, 23, 1, 30, tzinfo=timezone.utc)]]))
    cell = load_workbook(io.BytesIO(data)).active["A2"].value
    assert cell == datetime(2026, 11, 23, 9, 30)
