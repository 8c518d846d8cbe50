"""The home page's period, read by a clerk: the chooser shows the fields of the chosen kind, its days are typed in
any form models/dates.py reads (an unreadable one is named in Chinese and the page still renders), a year is a
年报 with 上年同期 and 同比, and representatives without work in the period are folded away."""
import datetime as dt
import re
from urllib.parse import urlencode

import pytest

from models.casework import VisitLog, VisitRepresentative
from models.people import Representative

from tests.admin.helpers import english_words, field_errors, visible_text

TODAY = dt.date.today()
Y = TODAY.year - 1  # a year that is over: compared with the whole of the year before


def at(year, month, day):
    return dt.datetime(year, month, day, 9, 30)


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干事")


@pytest.fixture
def two_years(staff, make_petition):
    """The year before Y: 4 new, 3 closed within it, 1 still open at its end; Y: 3 new (and a void one, never
    counted), 2 closed (one of them the open one), 1 not accepted, 1 led by a county leader."""
    for received, closed in (((3, 1), (4, 1)), ((9, 1), (10, 1)), ((10, 1), (11, 1))):
        make_petition(received_at=at(Y - 1, *received), status="closed", closed_at=at(Y - 1, *closed))
    make_petition(received_at=at(Y - 1, 6, 1), status="closed", closed_at=at(Y, 2, 1))
    make_petition(received_at=at(Y, 3, 1), status="closed", closed_at=at(Y, 5, 1), leader_in_charge="副县长李某")
    make_petition(received_at=at(Y, 4, 1), status="not_accepted", closed_at=at(Y, 4, 3))
    make_petition(received_at=at(Y, 7, 1), status="accepted")
    make_petition(received_at=at(Y, 8, 1), status="void")


def home(client, **args):
    response = client.get("/admin/?" + urlencode(args))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def part(page, element_id, end):
    """The inside of the element of that id, up to `end`."""
    return page.split('id="%s"' % element_id)[1].split(">", 1)[1].split(end)[0]


def title(page):
    return visible_text(part(page, "period-title", "</h5>"))


def shown_fields(page):
    """The chooser's groups of fields the server shows (the others carry `hidden` until a kind needs them)."""
    groups = re.findall(r'id="period-field-(\w+)" data-kinds="[^"]*"( hidden)?', page)
    assert [name for name, _ in groups] == ["year", "month", "q", "range"]
    return [name for name, hidden in groups if not hidden]


def input_value(page, name):
    found = re.search(r'<input[^>]*name="%s"[^>]*value="([^"]*)"' % name, page)
    return found.group(1)


def selected(page, name):
    select = page.split('name="%s"' % name)[1].split("</select>")[0]
    return re.search(r'<option value="(\d+)" selected>', select).group(1)


# -- the chooser -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, fields, kind", [
    pytest.param({"period": "month", "year": "2025", "month": "3"}, ["year", "month"], "month", id="month"),
    pytest.param({"period": "quarter", "year": "2025", "q": "2"}, ["year", "q"], "quarter", id="quarter"),
    pytest.param({"period": "year", "year": "2025"}, ["year"], "year", id="year"),
    pytest.param({"period": "range", "start": "2025-02-10", "end": "2025-03-20"}, ["range"], "range", id="range"),
    pytest.param({}, ["year", "month"], "month", id="this-month"),
])
def test_the_chooser_shows_the_fields_of_the_chosen_kind(client, staff, args, fields, kind):
    page = home(client, **args)
    assert shown_fields(page) == fields
    assert re.search(r'<option value="%s" selected>' % kind, page.split('id="period-kind"')[1])
    # every field is still in the form, with the period's own values: switching kind starts from them
    assert 'type="date"' not in page


def test_the_hidden_fields_hold_the_days_and_numbers_of_the_period_shown(client, staff):
    page = home(client, period="quarter", year="2025", q="2")
    assert (input_value(page, "start"), input_value(page, "end")) == ("2025-04-01", "2025-06-30")
    assert input_value(page, "year") == "2025" and selected(page, "q") == "2" and selected(page, "month") == "4"
    page = home(client, start="2025-02-10", end="2025-03-20")
    assert input_value(page, "year") == "2025" and selected(page, "month") == "2" and selected(page, "q") == "1"


def test_without_script_every_field_can_be_shown_and_the_script_follows_the_kind(client, staff):
    page = home(client, period="year", year="2025")
    assert "<noscript><style>#period-form .period-field[hidden] { display: inline-block !important; }" in page
    script = client.get("/static/office.js").get_data(as_text=True)
    assert "period-kind" in script and "data-kinds" in script


def test_the_fields_of_another_kind_are_not_read(client, staff):
    """Without script every field is submitted: only those of the chosen kind count."""
    page = home(client, period="month", year="2025", month="3", q="4", start="昨天", end="")
    assert "period-error" not in page and title(page).startswith("统计期间：2025年3月")


def test_the_days_are_typed_text_inputs_with_the_picker(client, staff):
    page = home(client, start="2022-01-01", end="2022-12-31")
    for name in ("start", "end"):
        tag = re.search(r'<input[^>]*name="%s"[^>]*>' % name, page).group(0)
        assert 'type="text"' in tag and 'data-role="datepicker"' in tag and 'placeholder="2022-12-09"' in tag
    assert "daterangepicker.js" in page and "office.js" in page  # the picker, kept from rewriting typed text


# -- typed days ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, end", [
    ("2022-01-01", "2022-12-31"),
    ("2022/1/1", "2022/12/31"),
    ("2022年1月1日", "2022年12月31日"),
    ("20220101", "20221231"),
    ("２０２２－０１－０１", "２０２２年１２月３１日"),
    ("2022.1.1", " 2022-12-31 "),
])
def test_the_days_are_read_as_typed(client, staff, make_petition, start, end):
    make_petition(received_at=at(2022, 12, 9))
    make_petition(received_at=at(2023, 1, 1))
    page = home(client, period="range", start=start, end=end)
    assert "period-error" not in page and field_errors(page) == []
    assert title(page) == "统计期间：2022年1月1日 至 2022年12月31日"
    assert visible_text(part(page, "figure-new", "</div>")) == "1"


@pytest.mark.parametrize("args, field, message", [
    pytest.param({"start": "2022-02-30", "end": "2022-03-01"}, "start",
                 "无法识别的日期：2022-02-30，请按 2022-12-09 的格式填写", id="no-such-day"),
    pytest.param({"period": "range", "start": "2022-01-01", "end": "昨天"}, "end",
                 "无法识别的日期：昨天，请按 2022-12-09 的格式填写", id="words"),
    pytest.param({"period": "range", "start": "2022/13/1", "end": "2022-12-31"}, "start",
                 "无法识别的日期：2022/13/1，请按 2022-12-09 的格式填写", id="month-13"),
    pytest.param({"period": "range", "start": "", "end": "2022-12-31"}, "start",
                 "请填写统计期间的起止日期。", id="empty"),
])
def test_an_unreadable_day_is_named_in_chinese_and_the_page_still_renders(client, staff, args, field, message):
    page = home(client, **args)
    assert english_words(page) == []
    assert field_errors(page) == [message]
    assert message in visible_text(part(page, "period-error", "</div>"))
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % field, page).group(0)
    assert "is-invalid" in tag and 'value="%s"' % args[field] in tag  # kept as typed, to be corrected
    assert shown_fields(page) == ["range"]  # the kind asked for, not this month's
    # the rest of the page: this month's figures and today's
    assert title(page).startswith("统计期间：%d年%d月" % (TODAY.year, TODAY.month))
    assert 'id="by-status"' in page and 'id="period-figures"' in page


def test_typed_text_shown_back_is_escaped(client, staff):
    page = home(client, period="range", start='"><script>alert(1)</script>', end="2022-12-31")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


# -- 年报 --------------------------------------------------------------------------------------------------------

def yoy(page):
    table = page.split('id="year-on-year"')[1].split("</table>")[0]
    return {key: visible_text(row).split()[1:]
            for key, row in re.findall(r'<tr id="yoy-(\w+)">(.*?)</tr>', table, re.S)}


def test_a_year_is_a_year_report_with_last_year_and_the_change(client, two_years):
    page = home(client, period="year", year=str(Y))
    assert title(page).startswith("%d年年报" % Y)
    assert english_words(page) == []
    head = visible_text(part(page, "year-on-year", "</thead>"))
    assert head == "指标 本年 上年同期 同比"
    assert yoy(page) == {
        "open_start": ["1", "0", "—"],          # nothing open a year before: no 同比
        "new": ["3", "4", "-25.0%"],
        "closed": ["2", "3", "-33.3%"],
        "not_accepted": ["1", "0", "—"],
        "open_end": ["1", "1", "0.0%"],
        "leader_led": ["1", "0", "—"],
        "resolution_rate": ["50.0%", "75.0%", "-25.0个百分点"],
    }
    note = visible_text(part(page, "year-on-year-note", "</p>"))
    assert "上年同期：%d年1月1日 至 %d年12月31日" % (Y - 1, Y - 1) in note


def test_the_year_s_download_is_the_annual_report_with_last_year_and_the_change(client, two_years):
    """年报 on the page, 年报 in the file: its button, its name and title, and 上年同期 / 同比 beside the figures."""
    import io
    from urllib.parse import unquote

    from openpyxl import load_workbook

    page = home(client, period="year", year=str(Y))
    assert visible_text(part(page, "monthly-report", "</a>")) == "下载年报（Excel）"
    response = client.get("/admin/monthly-report?" + urlencode({"period": "year", "year": str(Y)}))
    assert "年报-%d年.xlsx" % Y in unquote(response.headers["Content-Disposition"])
    sheet = load_workbook(io.BytesIO(response.data))["概况"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "信访工作年报"
    header = next(row for row in rows if row[0] == "指标")
    assert list(header[:5]) == ["指标", "数值", "统计口径", "上年同期", "同比"]
    by_label = {row[0]: row for row in rows}
    assert list(by_label["本期新增"][3:5]) == [4, "-25.0%"]
    assert list(by_label["化解率"][3:5]) == [0.75, "-25.0个百分点"]
    month = home(client, period="month", year=str(Y), month="3")
    assert visible_text(part(month, "monthly-report", "</a>")) == "下载月报（Excel）"


def test_a_rise_is_signed(client, two_years, make_petition):
    for month in (5, 6, 7, 8, 9):
        make_petition(received_at=at(Y, month, 2))
    assert yoy(home(client, period="year", year=str(Y)))["new"] == ["8", "4", "+100.0%"]


def test_a_year_under_way_is_compared_with_as_many_days_of_the_last(client, staff):
    page = home(client, period="year")
    last = TODAY.replace(year=TODAY.year - 1) if (TODAY.month, TODAY.day) != (2, 29) else TODAY.replace(
        year=TODAY.year - 1, day=28)
    note = visible_text(part(page, "year-on-year-note", "</p>"))
    assert "上年同期：%d年1月1日 至 %d年%d月%d日" % (last.year, last.year, last.month, last.day) in note


@pytest.mark.parametrize("args", [{"period": "month", "year": str(Y), "month": "3"},
                                  {"period": "quarter", "year": str(Y), "q": "1"},
                                  {"start": "%d-01-01" % Y, "end": "%d-12-31" % Y}])
def test_other_periods_have_no_year_report(client, two_years, args):
    page = home(client, **args)
    assert 'id="year-on-year"' not in page and "年报" not in title(page)


# -- representatives ---------------------------------------------------------------------------------------------

def test_representatives_without_work_in_the_period_are_folded_away(client, staff):
    wang = Representative.create(name="王春月", kind="npc_deputy")
    Representative.create(name="李明", kind="cppcc_member")
    Representative.create(name="赵敏", kind="party_delegate")
    visit = VisitLog.create(visited_at=at(Y, 6, 3), kind="reception", place="联合接访大厅", summary="接访")
    VisitRepresentative.create(visit=visit, representative=wang)
    page = home(client, period="year", year=str(Y))
    section = page.split('id="representatives"')[1].split('id="by-status"')[0]
    table = visible_text(section.split("</table>")[0])
    assert "王春月 人大代表 0 1 0 0 0" in table
    assert "李明" not in table and "赵敏" not in table and " 0 0 0 0 0" not in table
    folded = part(section, "representatives-idle", "</details>")
    assert visible_text(folded.split("</summary>")[0]) == "其余2名代表委员本期无接访记录"
    assert "李明（政协委员）" in visible_text(folded) and "赵敏（党代表）" in visible_text(folded)
    assert "<details" in section and " open" not in section.split('id="representatives-idle"')[0][-60:]

    # a year in which nobody did anything: no table of zeros, all of them folded away
    section = home(client, period="year", year=str(Y - 1)).split('id="representatives"')[1].split('id="by-status"')[0]
    assert "<table" not in section.split("<details")[0]
    assert "其余3名代表委员本期无接访记录" in visible_text(section)


def test_the_year_report_costs_one_more_summary(client, two_years, query_counter):
    """上年同期 is one more statistics.summary(): a dozen counts over index ranges, whatever the data."""
    month = {"period": "month", "year": str(Y), "month": "3"}
    year = {"period": "year", "year": str(Y)}
    for args in (month, year):
        home(client, **args)
    with query_counter() as monthly:
        home(client, **month)
    with query_counter() as yearly:
        home(client, **year)
    assert yearly.count <= monthly.count + 16
