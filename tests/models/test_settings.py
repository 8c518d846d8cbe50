"""系统设置 (models/settings.py): where a value comes from (the deployment, else the page, else the default), how
each kind of value is read and refused, the holiday calendar in Chinese dates, and all-or-nothing saving."""
import datetime as dt

import pytest

from models import deadlines, settings
from models.audit import AuditEntry
from models.errors import StaleRecord, ValidationError
from models.organisation import Department
from models.settings import OfficeSetting

D = dt.date


def test_a_setting_is_the_deployment_s_else_the_page_s_else_the_default(db):
    assert settings.value("LETTER_REVIEW_ORGAN") == "县人民政府"  # the built-in default
    settings.save({"LETTER_REVIEW_ORGAN": "高唐县人民政府"}, {}, by=None)
    assert settings.value("LETTER_REVIEW_ORGAN") == "高唐县人民政府"  # the page's
    settings.fix({"LETTER_REVIEW_ORGAN": "聊城市高唐县人民政府"})
    assert settings.value("LETTER_REVIEW_ORGAN") == "聊城市高唐县人民政府"  # the environment's wins
    assert settings.value("LETTER_REVIEW_ORGAN", {"LETTER_REVIEW_ORGAN": None}) == "高唐县人民政府"  # None: not set
    assert settings.fixed() == {"LETTER_REVIEW_ORGAN": "聊城市高唐县人民政府"}


def test_a_saved_empty_value_is_the_default_again(db):
    settings.save({"LETTER_RECHECK_ORGAN": "聊城市人民政府"}, {}, by=None)
    settings.save({"LETTER_RECHECK_ORGAN": "  "}, {}, by=None)
    assert settings.value("LETTER_RECHECK_ORGAN") == "市人民政府"


def test_a_key_the_deployment_fixes_is_not_saved_from_the_page(db):
    settings.fix({"LETTER_CONTACT": "赵六"})
    assert settings.save({"LETTER_CONTACT": "李明"}, {}, by=None) == []
    assert OfficeSetting.select().count() == 0


@pytest.mark.parametrize("typed", [
    pytest.param("2026-10-01、2026/10/2，2026年10月3日", id="three-formats"),
    pytest.param("2026年10月1日至2026年10月3日", id="a-run"),
    pytest.param("２０２６年１０月１日~2026-10-03", id="full-width-and-tilde"),
    pytest.param("2026-10-03\n2026-10-01 2026-10-02 2026-10-01", id="lines-and-repeats"),
])
def test_holidays_are_read_from_chinese_dates(typed):
    assert settings.parse_days(typed) == [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3)]


@pytest.mark.parametrize("typed, named", [
    pytest.param("2026-10-01、2026年13月1日", "2026年13月1日", id="no-such-month"),
    pytest.param("2026-02-30", "2026-02-30", id="no-such-day"),
    pytest.param("国庆节", "国庆节", id="a-word"),
    pytest.param("2026-10-08至2026-10-01", "2026-10-08至2026-10-01", id="a-run-backwards"),
])
def test_a_value_that_is_not_a_day_is_refused_naming_it(typed, named):
    with pytest.raises(ValidationError) as refused:
        settings.parse_days(typed)
    assert refused.value.params["value"] == named


def test_the_page_shows_the_days_a_year_a_line_with_runs():
    days = [D(2026, 10, n) for n in range(1, 8)] + [D(2026, 1, 1), D(2027, 1, 1), D(2027, 1, 2)]
    assert settings.show_days(days) == "2026年1月1日、2026年10月1日至2026年10月7日\n2027年1月1日、2027年1月2日"
    assert settings.parse_days(settings.show_days(days)) == sorted(days)  # what the page shows reads back


def test_a_holiday_saved_moves_a_working_day_deadline(db, counting_rule):
    referred = D(2026, 9, 28)  # a Monday: 5 working days end on Monday 5 October
    assert deadlines.objection_due(referred) == D(2026, 10, 5)
    settings.save({"HOLIDAYS": "2026年10月1日至2026年10月7日", "MAKEUP_WORKDAYS": "2026年10月10日"}, {}, by=None)
    assert deadlines.objection_due(referred) == D(2026, 10, 10)  # 29, 30 Sep, 8, 9 Oct and the Saturday worked
    assert deadlines.is_working_day(D(2026, 10, 10)) and not deadlines.is_working_day(D(2026, 10, 1))


def test_the_issuing_organ_is_a_department_with_a_short_name(db):
    Department.create(name="县联席办", kind="county")
    with pytest.raises(settings.Invalid) as refused:
        settings.save({"LETTER_ISSUER": "县联席会"}, {}, by=None)
    assert refused.value.errors["LETTER_ISSUER"].params == {"value": "县联席会"}
    with pytest.raises(settings.Invalid) as refused:
        settings.save({"LETTER_ISSUER": "县联席办"}, {}, by=None)  # no 文号简称
    assert "short name" in refused.value.errors["LETTER_ISSUER"].message


def test_the_contact_phone_is_read_as_every_phone(db):
    settings.save({"LETTER_CONTACT_PHONE": "0635 - 3921234".replace(" ", "")}, {}, by=None)
    assert settings.value("LETTER_CONTACT_PHONE") == "0635-3921234"
    with pytest.raises(settings.Invalid) as refused:
        settings.save({"LETTER_CONTACT_PHONE": "12345"}, {}, by=None)
    assert set(refused.value.errors) == {"LETTER_CONTACT_PHONE"}


def test_hotline_column_names_are_lines_of_the_usual_header_and_the_export_s():
    assert settings.parse_columns("工单编号：单号、编号\n来电时间: 来电日期") == {
        "number": ["单号", "编号"], "called_at": ["来电日期"]}
    with pytest.raises(ValidationError) as refused:
        settings.parse_columns("工单：单号")
    assert refused.value.params["value"] == "工单：单号"
    assert settings.show_columns({"number": ["单号", "编号"]}) == "工单编号：单号、编号"


def test_one_bad_value_writes_nothing_at_all(db):
    with pytest.raises(settings.Invalid) as refused:
        settings.save({"LETTER_CONTACT": "李明", "HOLIDAYS": "2026-10-01,2026-13-01"}, {}, by=None)
    assert set(refused.value.errors) == {"HOLIDAYS"}
    assert OfficeSetting.select().count() == 0 and AuditEntry.select().count() == 0


def test_each_change_is_audited_with_before_and_after(db):
    settings.save({"LETTER_CONTACT": "李明"}, {}, by=None)
    settings.save({"LETTER_CONTACT": "王芳", "LETTER_REVIEW_ORGAN": ""}, {}, by=None)  # the organ unchanged
    entries = list(AuditEntry.select().where(AuditEntry.model == "office_setting").order_by(AuditEntry.id))
    assert [(e.summary, e.before, e.after) for e in entries] == [
        ("LETTER_CONTACT", '{"LETTER_CONTACT": ""}', '{"LETTER_CONTACT": "李明"}'),
        ("LETTER_CONTACT", '{"LETTER_CONTACT": "李明"}', '{"LETTER_CONTACT": "王芳"}')]


def test_a_save_over_someone_else_s_is_refused(db):
    settings.save({"LETTER_CONTACT": "李明"}, {}, by=None)
    read = settings.stored("LETTER_CONTACT").version
    settings.save({"LETTER_CONTACT": "王芳"}, {"LETTER_CONTACT": read}, by=None)
    with pytest.raises(StaleRecord):
        settings.save({"LETTER_CONTACT": "张三"}, {"LETTER_CONTACT": read}, by=None)
    assert settings.value("LETTER_CONTACT") == "王芳"
