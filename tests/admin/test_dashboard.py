"""The home page's statistics and the monthly report: Chinese, the period chooser, links to the lists behind
the numbers, the figures equal to models.statistics, and the xlsx read back."""
import datetime as dt
import html
import io
import re
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from models.reports import statistics
from models.casework import (
    Consultation, ConsultationRepresentative, DutyShift, FollowUp, Referral, VisitLog, VisitRepresentative,
)
from models.demo import seed_demo
from models.organisation import Category
from models.people import Representative, Team

from tests.admin.helpers import PASSWORD, alerts, csrf_token, english_words, log_out, visible_text

TODAY = dt.date.today()
LAST = statistics.month(*((TODAY.year - 1, 12) if TODAY.month == 1 else (TODAY.year, TODAY.month - 1)))
LAST_ARGS = {"period": "month", "year": LAST.start.year, "month": LAST.start.month}
NUMBER = re.compile(r"XF-\d{4}-\d{6}")


def at(day, hour=9):
    """A moment of last month (the period of these tests)."""
    return dt.datetime.combine(LAST.start + dt.timedelta(days=day - 1), dt.time(hour))


BEFORE = LAST.starts_at - dt.timedelta(days=20)


@pytest.fixture
def office(db, login_as, make_petition, make_town):
    """Last month at a small office: what each petition is, the answer the page must give."""
    staff = login_as("staff", display_name="张干事")
    land, labour = Category.create(name="土地宅基地"), Category.create(name="劳动社保")
    liangzhuang, chengguan = make_town("梁庄镇"), make_town("城关镇")
    team = Team.get(Team.code == "reasonable_claims")
    wang = Representative.create(name="王春月", kind="npc_deputy", team=team)
    li = Representative.create(name="李明", kind="cppcc_member")
    p = {
        "open_before": make_petition(received_at=BEFORE, category=land, status="accepted",
                                     due_on=TODAY - dt.timedelta(days=2)),
        "closed_in": make_petition(received_at=BEFORE, category=land, status="closed", closed_at=at(10),
                                   leader_in_charge="副县长李某"),
        "new_open": make_petition(received_at=at(3), channel="visit", category=land, town=liangzhuang, team=team,
                                  classification="reasonable", status="referred", due_on=TODAY + dt.timedelta(days=1)),
        "new_refused": make_petition(received_at=at(4), channel="letter", category=labour, town=chengguan,
                                     status="not_accepted", closed_at=at(5)),
        "new_closed": make_petition(received_at=at(6), channel="visit", category=labour, town=liangzhuang,
                                    status="closed", closed_at=at(20), lead_representative=wang),
        "new_void": make_petition(received_at=at(7), channel="visit", category=land, status="void"),
        "done_before": make_petition(received_at=BEFORE, status="closed", closed_at=BEFORE + dt.timedelta(days=2)),
    }
    for day in (2, 9):
        DutyShift.create(representative=wang, on_date=at(day).date(), session="am")
    DutyShift.create(representative=wang, on_date=BEFORE.date(), session="am")  # outside the period
    for day, kind in ((3, "reception"), (12, "hearing")):
        visit = VisitLog.create(visited_at=at(day), kind=kind, place="联合接访大厅", summary="接访")
        VisitRepresentative.create(visit=visit, representative=wang)
    meeting = Consultation.create(held_at=at(15), place="会诊室", agenda="疑难案件")
    ConsultationRepresentative.create(consultation=meeting, representative=li)
    for day, evaluation in ((21, "satisfied"), (22, "dissatisfied")):
        FollowUp.create(petition=p["new_closed"], followed_on=at(day).date(), method="phone", evaluation=evaluation)
    return dict(p, staff=staff, wang=wang, li=li, land=land, liangzhuang=liangzhuang)


def home(client, **args):
    return client.get("/admin/?" + urlencode(args)).get_data(as_text=True)


def figure(page, key):
    found = re.search(r'id="figure-%s">(.*?)</div>' % key, page, re.S)
    assert found, key
    return visible_text(found.group(1))


def link_of(fragment):
    found = re.search(r'href="([^"]+)"', fragment)
    return html.unescape(found.group(1)) if found else None


def table_row(page, section, label):
    """The cells after the first one of the row `label` in the table of a section of the page."""
    found = re.search(r'<tr><td>%s</td>(.*?)</tr>' % re.escape(label), page.split('id="%s"' % section)[1], re.S)
    assert found, (section, label)
    return found.group(1)


def listed(client, url):
    """The petition numbers a filtered list shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    return set(NUMBER.findall(visible_text(response.get_data(as_text=True))))


def numbers(*petitions):
    return {p.number for p in petitions}


# -- the page ---------------------------------------------------------------------------------------------

def test_the_page_is_in_chinese_with_every_section(client, office):
    page = home(client, **LAST_ARGS)
    assert english_words(page) == []
    text = visible_text(page)
    for words in ("期初存量", "本期新增", "本期办结", "本期不予受理", "期末存量", "化解率", "县级领导包案", "回访满意率",
                  "统计口径", "近12个月趋势", "按信访形式", "按问题类别", "按镇街", "按团队", "按分类处理", "代表委员工作",
                  "已作废的信访事项不计入任何数字", "办理总量 ＝ 期初存量 ＋ 本期新增", "下载月报"):
        assert words in text, words
    assert page.count("<svg") == 6  # the trend and five breakdowns, each with its table
    statistics_part = page.split('id="period-figures"')[1].split('id="by-status"')[0]
    assert "<script" not in statistics_part and "http" not in statistics_part.replace("http://www.w3.org/2000/svg", "")
    assert "%d年%d月" % (LAST.start.year, LAST.start.month) in visible_text(page.split('id="period-title"')[1][:300])


def test_the_figures_are_those_of_models_statistics_and_reconcile(client, office):
    page = home(client, **LAST_ARGS)
    expected = {"open_start": 2, "new": 3, "closed": 2, "not_accepted": 1, "open_end": 2}
    assert {key: int(figure(page, key)) for key in expected} == expected
    assert {key: statistics.summary(LAST)[key] for key in expected} == expected
    assert figure(page, "resolution_rate") == "40.0%"  # 2 closed of 5 handled
    assert figure(page, "leader_led") == "1" and figure(page, "satisfaction") == "50.0%"
    assert "期初存量 2 ＋ 本期新增 3 － 本期办结 2 － 本期不予受理 1 ＝ 期末存量 2" in visible_text(page)


def test_the_breakdowns_and_the_trend_show_their_figures_in_tables(client, office):
    page = home(client, **LAST_ARGS)
    towns = visible_text(page.split('id="breakdown-town"')[1].split("</table>")[0])
    assert "梁庄镇 2 1 0" in towns and "城关镇 1 0 1" in towns and "合计 3 2 1" in towns
    channels = visible_text(page.split('id="breakdown-channel"')[1].split("</table>")[0])
    assert "来访 2 2 0" in channels and "来信 1 0 1" in channels  # one closed was received before
    trend = visible_text(page.split('id="trend"')[1].split("</table>")[0])
    assert "%d年%d月 3 2" % (LAST.start.year, LAST.start.month) in trend


def test_the_representatives_work_per_person(client, office):
    text = visible_text(home(client, **LAST_ARGS).split('id="representatives"')[1].split("</table>")[0])
    assert "王春月 人大代表 2 2 1 0 1" in text  # 2 shifts, 2 visits of which 1 hearing, no consultation, 1 resolved
    assert "李明 政协委员 0 0 0 1 0" in text


@pytest.mark.parametrize("args", [
    pytest.param({"period": "week"}, id="unknown-kind"),
    pytest.param({"period": "month", "month": "13"}, id="month-13"),
    pytest.param({"period": "quarter", "q": "x"}, id="quarter-x"),
    pytest.param({"period": "year", "year": "20261"}, id="year-far"),
    pytest.param({"start": "2026-02-30", "end": "2026-03-01"}, id="no-such-day"),
    pytest.param({"start": "2026-03-31", "end": "2026-01-01"}, id="end-before-start"),
    pytest.param({"start": "2026-01-01"}, id="no-end"),
    pytest.param({"start": "'; drop table petition; --", "end": "<b>"}, id="garbage"),
])
def test_a_period_that_cannot_be_read_shows_a_chinese_message_and_this_month(client, office, args):
    response = client.get("/admin/?" + urlencode(args))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert english_words(page, data=re.findall(r"[A-Za-z]+", " ".join(args.values()))) == []  # typed, shown back
    assert "<b>" not in page.split('id="period-form"')[1]
    message = visible_text(page.split('id="period-error"')[1].split("</div>")[0])
    assert message.endswith("下面显示的是本月的数字。") and len(message) > 15
    assert "%d年%d月" % (TODAY.year, TODAY.month) in visible_text(page.split('id="period-title"')[1][:300])


@pytest.mark.parametrize("args, title", [
    pytest.param({}, "%d年%d月" % (TODAY.year, TODAY.month), id="default"),
    pytest.param({"period": "quarter", "year": "2025", "q": "4"}, "2025年第4季度", id="quarter"),
    pytest.param({"period": "year", "year": "2025"}, "2025年", id="year"),
    pytest.param({"start": "2026-01-01", "end": "2026-03-31"}, "2026年1月1日 至 2026年3月31日", id="range"),
])
def test_the_period_chooser(client, office, args, title):
    page = home(client, **args)
    assert title in visible_text(page.split('id="period-title"')[1][:300])
    assert "period-error" not in page


# -- the links behind the numbers --------------------------------------------------------------------------------

def test_each_number_links_to_the_petitions_behind_it(client, office):
    page = home(client, **LAST_ARGS)
    # new: the list by received date, without the void one (no figure counts it)
    new = link_of(page.split('id="figure-new"')[1].split("</div>")[0])
    assert listed(client, new) == numbers(office["new_open"], office["new_refused"], office["new_closed"])
    # closed and not accepted in the period: by the time they were finished
    closed = link_of(page.split('id="figure-closed"')[1].split("</div>")[0])
    assert listed(client, closed) == numbers(office["closed_in"], office["new_closed"])
    refused = link_of(page.split('id="figure-not_accepted"')[1].split("</div>")[0])
    assert listed(client, refused) == numbers(office["new_refused"])
    # a breakdown row: new petitions of 梁庄镇 in the period
    town_row = table_row(page, "breakdown-town", "梁庄镇")
    assert listed(client, link_of(town_row)) == numbers(office["new_open"], office["new_closed"])
    assert listed(client, link_of(table_row(page, "breakdown-channel", "来信"))) == numbers(office["new_refused"])
    assert listed(client, link_of(table_row(page, "breakdown-category", "劳动社保"))) == numbers(
        office["new_refused"], office["new_closed"])
    assert link_of(table_row(page, "breakdown-town", "未填写")) is None  # no filter for "not set"
    # a month of the trend
    trend_row = table_row(page, "trend", "%d年%d月" % (LAST.start.year, LAST.start.month))
    assert listed(client, link_of(trend_row)) == numbers(office["new_open"], office["new_refused"],
                                                         office["new_closed"])
    # today's deadlines: the list's own 已超期 and 即将到期 filters
    overdue, due_soon = (link_of(page.split('id="deadline-%d"' % i)[1].split("</div>")[0]) for i in (1, 2))
    assert listed(client, overdue) == numbers(office["open_before"])
    assert listed(client, due_soon) == numbers(office["new_open"])
    # present status
    assert listed(client, link_of(table_row(page, "by-status", "已受理"))) == numbers(office["open_before"])


def test_figures_the_list_cannot_filter_have_no_link(client, office):
    page = home(client, **LAST_ARGS)
    for key in ("open_start", "open_end", "resolution_rate", "leader_led", "satisfaction"):
        assert "href" not in page.split('id="figure-%s"' % key)[1].split("</div>")[0], key


def test_the_duty_shifts_link_to_the_roster_of_that_representative_and_period(client, office):
    url = link_of(table_row(home(client, **LAST_ARGS), "representatives", "王春月"))
    assert url.startswith("/admin/dutyshift/")
    listed_page = visible_text(client.get(url).get_data(as_text=True))
    days = [at(2).date(), at(9).date(), BEFORE.date()]
    shown = [d for d in days if "%d年%d月%d日" % (d.year, d.month, d.day) in listed_page]
    assert shown == days[:2]


def test_labels_are_escaped_in_charts_and_tables(client, office, make_petition):
    evil = Category.create(name='<script>alert("x")</script>')
    make_petition(received_at=at(8), category=evil)
    page = home(client, **LAST_ARGS)
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(" in page.split('id="breakdown-category"')[1].split("</svg>")[0]


# -- who sees what ------------------------------------------------------------------------------------------

def test_a_department_counts_only_its_own_petitions_and_sees_no_representatives(client, office, make_user):
    log_out(client)
    user = make_user("department")
    Referral.create(petition=office["new_open"], department=user.department, sent_at=at(3))
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    page = home(client, **LAST_ARGS)
    assert english_words(page, data=["department"]) == []
    assert (figure(page, "open_start"), figure(page, "new"), figure(page, "open_end")) == ("0", "1", "1")
    assert 'id="representatives"' not in page
    assert "王春月" not in visible_text(page)


# -- cost -----------------------------------------------------------------------------------------------------

def test_the_page_runs_the_same_handful_of_queries_whatever_the_data(client, office, make_petition, query_counter):
    home(client, **LAST_ARGS)
    with query_counter() as few:
        home(client, **LAST_ARGS)
    for day in range(1, 25):
        make_petition(received_at=at(day), category=office["land"], town=office["liangzhuang"])
    with query_counter() as many:
        home(client, **LAST_ARGS)
    # the same but for 我的待办's 排访 flags: their dismissals and records are looked up once any flag is raised
    assert few.count <= many.count <= few.count + 2
    # each figure a count over an index range (models/reports/statistics.py); 我的待办 a count and a page per group
    # (督办反馈逾期 among them: 2); the 督办 figures one query (views/home/page.py supervision_figures); the 不满意评价
    # group one (its rows, the count is their number); 三率: the office's figures, the departments' and their names
    # (models/reports/rates.py)
    assert many.count <= 59


# -- the monthly report --------------------------------------------------------------------------------------

def test_the_monthly_report_link_carries_the_period(client, office):
    page = home(client, **LAST_ARGS)
    url = html.unescape(re.search(r'id="monthly-report" href="([^"]+)"', page).group(1))
    assert url.startswith("/admin/monthly-report?")
    assert "period=month" in url and "year=%d" % LAST.start.year in url and "month=%d" % LAST.start.month in url


def test_the_monthly_report_reads_back_with_the_figures_of_the_page(client, office):
    response = client.get("/admin/monthly-report?" + urlencode(LAST_ARGS))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]  # 月报-2026年10月.xlsx
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概况", "分类统计", "代表委员工作", "三率"]

    overview = [[c for c in row] for row in book["概况"].iter_rows(values_only=True)]
    header = overview.index(["指标", "数值", "统计口径"])
    values = {row[0]: row[1] for row in overview[header + 1:] if row[0]}
    summary = statistics.summary(LAST)
    for label, key in (("期初存量", "open_start"), ("本期新增", "new"), ("本期办结", "closed"),
                       ("本期不予受理", "not_accepted"), ("期末存量", "open_end"), ("县级领导包案", "leader_led"),
                       ("本期办结及不予受理合计", "finished"), ("本期办理总量", "handled")):
        assert values[label] == summary[key], label
    assert values["化解率"] == pytest.approx(summary["resolution_rate"])
    assert values["回访满意率"] == pytest.approx(0.5)
    assert (values["已超期"], values["即将到期"]) == (1, 1)
    months = overview.index(["月份", "当月新增", "当月办结"])
    trend = {row[0]: (row[1], row[2]) for row in overview[months + 1:months + 13]}
    assert trend["%d年%d月" % (LAST.start.year, LAST.start.month)] == (3, 2)

    breakdown = [row for row in book["分类统计"].iter_rows(values_only=True)]
    assert ("项目", "本期新增", "本期办结", "本期不予受理") in breakdown
    towns = breakdown[breakdown.index(("按镇街", None, None, None)) + 2:]
    town_rows = {row[0]: row[1:] for row in towns[:towns.index(next(r for r in towns if r[0] == "合计")) + 1]}
    assert town_rows == {"梁庄镇": (2, 1, 0), "城关镇": (1, 0, 1), "未填写": (0, 1, 0), "合计": (3, 2, 1)}
    expected = statistics.breakdown("town", LAST)
    assert sum(r["new"] for r in expected) == town_rows["合计"][0]

    work = list(book["代表委员工作"].iter_rows(values_only=True))
    assert work[1] == ("代表委员", "类别", "坐诊（班次）", "接访走访", "其中听访", "会诊", "化解事项")
    assert ("王春月", "人大代表", 2, 2, 1, 0, 1) in work and ("李明", "政协委员", 0, 0, 0, 1, 0) in work


def test_a_bad_period_for_the_report_goes_back_to_the_page_with_the_message(client, office):
    response = client.get("/admin/monthly-report?period=month&month=13")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="period-error"' in page


def test_the_report_needs_a_login(client, db):
    response = client.get("/admin/monthly-report")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_demo_office_home_page_and_report(client, login_as):
    admin = login_as("admin", display_name="管理员")
    seed_demo(admin_user=admin)
    for args in ({}, {"period": "year"}, {"period": "quarter", "q": "1"}, LAST_ARGS):
        page = home(client, **args)
        assert english_words(page) == [], args
        assert alerts(page) == [], args
    year = statistics.year(TODAY.year)
    summary = statistics.summary(year)
    page = home(client, period="year")
    assert int(figure(page, "new")) == summary["new"] > 0
    assert summary["open_start"] + summary["new"] - summary["finished"] == summary["open_end"] == \
        int(figure(page, "open_end"))
    response = client.get("/admin/monthly-report?period=year")
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["概况", "分类统计", "代表委员工作", "三率"]
