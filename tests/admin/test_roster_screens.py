"""坐诊日历 and 按月排班 (admin_app/views/roster.py), 保存并添加另一个 on a duty shift, a visit started from a shift,
and the petition timeline's 复诊 and names."""
import datetime as dt
import re

import pytest

from models import deadlines, workflow
from models.audit import AuditEntry
from models.casework import DutyShift, VisitLog, VisitRepresentative
from models.db import now
from models.organisation import Department
from models.people import Representative

from tests.admin.helpers import alerts, csrf_token, field_errors, submission_token, visible_text

D = dt.date


pytestmark = pytest.mark.usefixtures("counting_rule")  # each test may change the counting rule (tests/conftest.py)


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干事")


@pytest.fixture
def reps(db):
    return [Representative.create(name="王春月", kind="npc_deputy"),
            Representative.create(name="李建国", kind="cppcc_member")]


def roster_form(reps, **change):
    data = {"month": "2026-12", "representatives": [str(r.id) for r in reps], "weekdays": ["0"],
            "sessions": ["am"], "place": "联合接访大厅"}
    data.update(change)
    return data


def cell(page, day):
    """The visible text of one day of the calendar."""
    found = re.search(r'(?s)<td id="day-%s"[^>]*>(.*?)</td>' % day.isoformat(), page)
    assert found, day
    return visible_text(found.group(1))


# -- 按月排班 -------------------------------------------------------------------------------------------

def test_a_month_roster_made_on_the_form_skips_the_holidays_and_shows_on_the_calendar(client, staff, form_post, reps):
    deadlines.configure(holidays=[D(2026, 12, 28)])  # a Monday made a holiday
    response = form_post("/admin/roster/new/", roster_form(reps), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已排 6 个班次。" in alerts(page)  # Mondays 7, 14 and 21, two representatives each
    assert sorted({s.on_date for s in DutyShift.select()}) == [D(2026, 12, 7), D(2026, 12, 14), D(2026, 12, 21)]
    assert "2026年12月坐诊日历" in visible_text(page)
    assert cell(page, D(2026, 12, 14)) == "14 上午 李建国 联合接访大厅 记录接访 王春月 联合接访大厅 记录接访"
    assert cell(page, D(2026, 12, 28)) == "28 休息日"
    assert cell(page, D(2026, 12, 27)) == "27 休息日"  # a Sunday
    entries = AuditEntry.select().where(AuditEntry.model == DutyShift._meta.table_name)
    assert entries.count() == 6 and {e.username for e in entries} == {"staff"}


def test_the_roster_form_posted_twice_makes_the_roster_once(client, staff, reps):
    """排班 clicked twice (or Back and 排班 again): the second post says it was saved and adds nothing."""
    page = client.get("/admin/roster/new/").get_data(as_text=True)
    data = dict(roster_form(reps), csrf_token=csrf_token(page), submission_token=submission_token(page))
    first = client.post("/admin/roster/new/", data=data, follow_redirects=True).get_data(as_text=True)
    again = client.post("/admin/roster/new/", data=data, follow_redirects=True).get_data(as_text=True)
    assert "已排 8 个班次。" in alerts(first)  # the four Mondays of December 2026, two representatives
    assert "此表单已保存，未重复登记。" in alerts(again) and "冲突" not in alerts(again)
    assert DutyShift.select().count() == 8


def test_a_roster_that_meets_a_shift_on_the_roster_is_refused_naming_the_dates(client, staff, form_post, reps):
    DutyShift.create(representative=reps[1], on_date=D(2026, 12, 14), session="am")
    DutyShift.create(representative=reps[1], on_date=D(2026, 12, 21), session="am")
    before = AuditEntry.select().count()
    page = form_post("/admin/roster/new/", roster_form(reps)).get_data(as_text=True)
    message = "以下班次已在排班表中，本次未添加任何班次：2026年12月14日上午李建国、2026年12月21日上午李建国。"
    assert message in alerts(page) and message in field_errors(page)
    assert DutyShift.select().count() == 2 and AuditEntry.select().count() == before
    assert 'name="month" required type="month" value="2026-12"' in page  # the form again, as it was filled in


@pytest.mark.parametrize("change, message", [
    pytest.param({"representatives": []}, "请至少选择一位代表委员。", id="no-one"),
    pytest.param({"weekdays": []}, "请至少选择星期中的一天。", id="no-weekday"),
    pytest.param({"weekdays": ["5", "6"]}, "该月所选星期几中没有工作日。", id="weekends-only"),
    pytest.param({"sessions": []}, "请选择上午、下午或两者。", id="no-session"),
    pytest.param({"month": "十二月"}, "请选择月份。", id="no-month"),
])
def test_an_incomplete_roster_says_why_on_the_form_and_writes_nothing(client, staff, form_post, reps, change,
                                                                     message):
    page = form_post("/admin/roster/new/", roster_form(reps, **change)).get_data(as_text=True)
    assert message in field_errors(page)
    assert not DutyShift.select().exists()


def test_the_calendar_links_the_months_around_it(client, staff):
    page = client.get("/admin/roster/?month=2026-01").get_data(as_text=True)
    assert "2026年1月坐诊日历" in visible_text(page)
    assert re.search(r'id="roster-before" href="/admin/roster/\?month=2025-12"', page)
    assert re.search(r'id="roster-after" href="/admin/roster/\?month=2026-02"', page)
    assert 'href="/admin/roster/new/?month=2026-01"' in page  # 按月排班 for that month
    assert cell(page, D(2026, 1, 3)) == "3 休息日" and cell(page, D(2026, 1, 5)) == "5"
    today = dt.date.today()
    nonsense = visible_text(client.get("/admin/roster/?month=2026-13").get_data(as_text=True))
    assert "%d年%d月坐诊日历" % (today.year, today.month) in nonsense  # a month that is none: this month


def test_a_representative_reads_the_calendar_records_visits_on_its_own_shifts_and_makes_no_roster(
        client, login_as, reps, form_post):
    login_as("representative", representative=reps[0])
    DutyShift.create(representative=reps[0], on_date=D(2026, 12, 7), session="am")
    other = DutyShift.create(representative=reps[1], on_date=D(2026, 12, 7), session="pm")
    page = client.get("/admin/roster/?month=2026-12").get_data(as_text=True)
    assert cell(page, D(2026, 12, 7)) == "7 上午 王春月 联合接访大厅 记录接访 下午 李建国"
    assert "按月排班" not in visible_text(page)
    assert client.get("/admin/roster/new/").status_code == 403
    assert client.post("/admin/roster/new/", data=roster_form(reps, month="2027-01")).status_code == 403
    form = client.get("/admin/visitlog/new/?shift=%d" % other.id).get_data(as_text=True)
    assert "来自坐诊班次" not in visible_text(form)  # not its shift: the form is not filled from it
    assert 'name="representatives_present-0-representative"' not in form
    assert DutyShift.select().count() == 2


# -- 保存并添加另一个, and a visit started from a shift ------------------------------------------------------

def test_save_and_add_another_keeps_the_representative(client, staff, form_post, reps):
    response = form_post("/admin/dutyshift/new/", {"representative": str(reps[1].id), "on_date": "2026-12-07",
                                                    "session": "am", "place": "联合接访大厅", "_add_another": "1"})
    assert response.status_code == 302 and "representative=%d" % reps[1].id in response.location
    page = client.get(response.location).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="representative"[^>]*>', page).group(0)
    assert 'value="%d"' % reps[1].id in field and "\\u674e\\u5efa\\u56fd" in field  # 李建国, chosen already
    response = form_post(response.location, {"representative": str(reps[1].id), "on_date": "2026-12-08",
                                             "session": "am", "place": "联合接访大厅"})
    assert [s.representative.name for s in DutyShift.select()] == ["李建国", "李建国"]


def test_a_visit_started_from_the_calendar_names_the_shift_and_the_representative_present(client, staff, form_post,
                                                                                         reps):
    shift = DutyShift.create(representative=reps[0], on_date=D(2024, 3, 4), session="pm", place="心理咨询室")
    calendar = client.get("/admin/roster/?month=2024-03").get_data(as_text=True)
    link = re.search(r'<a href="(/admin/dutyshift/visit/\?id=%d)"' % shift.id, calendar).group(1)
    form_url = client.get(link).location
    page = client.get(form_url).get_data(as_text=True)
    assert "来自坐诊班次：2024年3月4日下午，王春月，心理咨询室" in visible_text(page)
    present = re.search(r'(?s)<select[^>]*name="representatives_present-0-representative"[^>]*>(.*?)</select>',
                        page).group(1)
    assert re.search(r'<option selected value="%d">王春月</option>' % reps[0].id, present)
    assert "2024-03-04 14:30" in page
    response = form_post(form_url, {"visited_at": "2024-03-04 14:30", "kind": "on_duty", "place": "心理咨询室",
                                    "summary": "接待来访群众一人。", "shift": str(shift.id),
                                    "representatives_present-0-representative": str(reps[0].id)})
    assert response.status_code == 302
    visit = VisitLog.get()
    assert [p.representative.name for p in visit.representatives_present] == ["王春月"]  # once, not twice
    assert visit.kind == "on_duty" and visit.visited_at == dt.datetime(2024, 3, 4, 14, 30)


# -- the timeline: 复诊 and people's names ---------------------------------------------------------------

def test_the_timeline_shows_the_follow_up_date_and_comments_and_display_names(client, staff, make_petition, reps):
    petition = workflow.register(make_petition(received_at=now() - dt.timedelta(days=3)), staff)
    workflow.accept(petition, staff)
    referral = workflow.refer(petition, Department.create(name="县住建局", short_name="住建局", kind="county"), staff)
    workflow.record_reply(referral, staff, outcome="support", facts="经核查属实。", opinion="恢复道路通行。",
                          legal_basis="《中华人民共和国民法典》第二百八十八条")
    workflow.answer(petition, staff)
    workflow.follow_up(petition, staff, followed_on=now().date() - dt.timedelta(days=1), method="phone",
                       evaluation="basically", comments="信访人表示基本满意，希望尽快落实。")
    visit = VisitLog.create(visited_at=now() - dt.timedelta(days=2), kind="on_duty", place="联合接访大厅",
                            petition=petition, summary="坐诊接待。")
    VisitRepresentative.create(visit=visit, representative=reps[0])
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    timeline = re.search(r'(?s)<table[^>]*id="timeline">(.*?)</table>', page).group(1)
    rows = [visible_text(row) for row in re.findall(r"(?s)<tr>(.*?)</tr>", timeline)[1:]]
    followed = now().date() - dt.timedelta(days=1)
    follow_up = [row for row in rows if " 复诊 " in row]
    assert len(follow_up) == 1
    assert "%d年%d月%d日回访（电话）：基本满意；信访人表示基本满意，希望尽快落实。" % (
        followed.year, followed.month, followed.day) in follow_up[0]
    assert follow_up[0].endswith("张干事")
    assert [row for row in rows if "坐诊接待" in row][0].endswith("王春月")
    assert not any(row.endswith(" staff") for row in rows)  # the login name is never shown
