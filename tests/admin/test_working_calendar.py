"""The office's working-day calendar from its settings (HOLIDAYS, MAKEUP_WORKDAYS): 按月排班 skips the holidays
and puts shifts on a make-up working Saturday; a value that is not a day stops the start with its name."""
import datetime as dt

import pytest

from admin_app import create_app
from admin_app.config import day_list
from models import deadlines
from models.casework import DutyShift
from models.people import Representative

pytestmark = pytest.mark.usefixtures("counting_rule")


def test_days_are_read_from_the_setting_or_a_file(tmp_path):
    assert day_list("2026-10-01, 2026-10-02 2026-10-03\n2026-10-05") == [
        dt.date(2026, 10, 1), dt.date(2026, 10, 2), dt.date(2026, 10, 3), dt.date(2026, 10, 5)]
    listed = tmp_path / "holidays.txt"
    listed.write_text("# 国庆节\n2026-10-01\n2026-10-02  # 星期五\n", encoding="utf-8")
    assert day_list("@%s" % listed) == [dt.date(2026, 10, 1), dt.date(2026, 10, 2)]
    assert day_list(None) == [] and day_list("") == []


def test_a_value_that_is_not_a_day_stops_the_start_naming_it():
    with pytest.raises(ValueError, match="2026-13-01"):
        day_list("2026-10-01,2026-13-01")


def test_the_roster_follows_the_office_s_calendar(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("HOLIDAYS", "2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07")
    monkeypatch.setenv("MAKEUP_WORKDAYS", "2026-10-10")  # a Saturday worked
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "t", "TESTING": True,
                      "AUDIT_ANCHORS": str(tmp_path / "anchors.jsonl")})
    assert not deadlines.is_working_day(dt.date(2026, 10, 1)) and deadlines.is_working_day(dt.date(2026, 10, 10))
    from models import schema
    from models.people import User
    from models.workflow import roster

    with app.app_context():
        schema.upgrade()
        clerk = User.create(username="clerk", display_name="王小红", role="staff", password_hash="x")
        deputy = Representative.create(name="王春月", kind="npc_deputy")
        roster.make_roster(2026, 10, [deputy], [0, 1, 2, 3, 4, 5], ["am"], by=clerk, place="联合接访大厅")
    days = sorted(s.on_date.day for s in DutyShift.select().where(DutyShift.on_date < dt.date(2026, 10, 13)))
    assert days == [8, 9, 10, 12]  # 1–7 the National Day holidays (3rd and 4th a weekend), the 10th made up
