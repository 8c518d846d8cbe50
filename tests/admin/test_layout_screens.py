"""The lists on wide screens: the pager's 首页 / 末页 and 每页 20 / 50 / 100 条, the 当前筛选 chips in Chinese, and
the petition export with every column of the petition's page and real Excel dates."""
import datetime as dt
import html
import io
import re

import openpyxl
import pytest

from admin_app.views.datefields import DateRange
from admin_app.views.petitions import listing as petition_list
from models import workflow
from models.petition import Petition

from tests.admin.helpers import visible_text

ROW = re.compile(r'<td class="col-subject">')


@pytest.fixture
def many(db, login_as, make_petition):
    """45 petitions, received one day apart from 2022-01-01: three pages of 20."""
    staff = login_as("staff")
    petitions = [make_petition(subject="事项%02d" % i, received_at=dt.datetime(2022, 1, 1, 9, 0) + dt.timedelta(days=i))
                 for i in range(45)]
    return staff, petitions


def pager_links(page):
    """{caption: url} of the pager's links (greyed ones are not links)."""
    pager = re.search(r'<ul class="pagination[^"]*" id="list-pager">(.*?)</ul>', page, re.S).group(1)
    return {caption.strip(): html.unescape(url)
            for url, caption in re.findall(r'<a class="page-link[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', pager)}


def greyed(page):
    pager = re.search(r'id="list-pager">(.*?)</ul>', page, re.S).group(1)
    return [html.unescape(caption.strip()) for caption in re.findall(r'<li class="page-item disabled"><span[^>]*>([^<]+)</span>', pager)]


def test_the_pager_goes_to_the_first_and_the_last_page(client, many):
    page = client.get("/admin/petition/").get_data(as_text=True)
    assert {"首页", "‹"} <= set(greyed(page))  # on the first page
    links = pager_links(page)
    assert "末页" in links and "page=2" in links["末页"]
    last = client.get(links["末页"]).get_data(as_text=True)
    assert len(ROW.findall(last)) == 5  # 45 = 20 + 20 + 5, newest first: the oldest five
    assert "事项00" in last and "事项04" in last and "事项05" not in last
    assert "末页" in greyed(last)
    first = pager_links(last)["首页"]
    assert "page=" not in first
    assert "事项44" in client.get(first).get_data(as_text=True)


def test_the_page_size_is_chosen_under_the_list(client, many):
    page = client.get("/admin/petition/").get_data(as_text=True)
    sizes = re.search(r'<div class="page-size[^"]*" id="page-size">(.*?)</div>', page, re.S).group(1)
    assert " ".join(visible_text(sizes).split()) == "每页 20 / 50 / 100 条"
    fifty = html.unescape(re.search(r'<a href="([^"]+)" class="page-size-option">50</a>', sizes).group(1))
    shown = client.get(fifty).get_data(as_text=True)
    assert len(ROW.findall(shown)) == 45
    assert 'id="list-pager"' not in shown  # one page
    assert '<strong class="page-size-current">50</strong>' in shown
    assert len(ROW.findall(client.get("/admin/petition/?page_size=100").get_data(as_text=True))) == 45
    assert len(ROW.findall(client.get("/admin/petition/?page_size=7").get_data(as_text=True))) == 20  # not offered


def test_the_last_page_of_the_whole_list_is_found_when_it_is_counted_from_the_newest_id(client, many, monkeypatch):
    """约 N 条 (the newest id) overstates the rows when ids were skipped: 末页 still shows the oldest ones."""
    monkeypatch.setattr(petition_list, "COUNT_CAP", 10)
    _, petitions = many
    Petition.delete().where(Petition.id.in_([p.id for p in petitions[5:15]])).execute()  # ids never used
    page = client.get("/admin/petition/").get_data(as_text=True)
    assert "约" in page
    last = client.get(pager_links(page)["末页"]).get_data(as_text=True)
    assert len(ROW.findall(last)) == 20
    assert "事项00" in last and "事项04" in last and "事项15" in last


def test_the_last_page_is_greyed_when_the_list_did_not_count_all_its_rows(app, client, many, monkeypatch):
    monkeypatch.setattr(petition_list, "COUNT_CAP", 30)
    view = app.extensions["office_views"]["petition"]
    arg = next(a for a, (_, flt) in view._filter_args.items() if flt.column is Petition.status)
    page = client.get("/admin/petition/?flt0_%s=registered" % arg).get_data(as_text=True)
    assert "超过 30" in page
    assert "末页" in greyed(page) and "末页" not in pager_links(page)
    assert "下一页" in page  # the next pages stay reachable


def date_filter(app, column):
    view = app.extensions["office_views"]["petition"]
    return next(a for a, (_, flt) in view._filter_args.items() if flt.column is column and isinstance(flt, DateRange))


def chips(page):
    line = re.search(r'<div class="filter-chips[^"]*" id="filter-chips">(.*?)</div>', page, re.S)
    return line and " ".join(html.unescape(re.sub(r"<[^>]+>", "", line.group(1))).split())


def chip_links(page):
    line = re.search(r'id="filter-chips">(.*?)</div>', page, re.S).group(1)
    return [html.unescape(url) for url in re.findall(r'<a href="([^"]+)" class="filter-chip-remove"', line)]


def test_the_active_filters_are_chips_in_chinese_each_removable(app, client, many):
    staff, petitions = many
    workflow.accept(petitions[3], staff)
    view = app.extensions["office_views"]["petition"]
    status = next(a for a, (_, flt) in view._filter_args.items() if flt.column is Petition.status)
    received = date_filter(app, Petition.received_at)
    assert chips(client.get("/admin/petition/").get_data(as_text=True)) is None
    page = client.get("/admin/petition/", query_string={
        "search": "事项", "flt0_" + status: "accepted", "flt1_" + received: "2022-01-01 至 2022-12-31"}
    ).get_data(as_text=True)
    assert chips(page) == "当前筛选： 状态：已受理× 收到时间：2022年1月1日 至 2022年12月31日×"
    assert len(ROW.findall(page)) == 1
    without_status, without_dates = chip_links(page)
    page = client.get(without_status).get_data(as_text=True)
    assert chips(page) == "当前筛选： 收到时间：2022年1月1日 至 2022年12月31日×"
    assert len(ROW.findall(page)) == 20 and 'value="事项"' in page  # the search stays
    page = client.get(without_dates).get_data(as_text=True)
    assert chips(page) == "当前筛选： 状态：已受理×"


def detail_labels(page):
    return [visible_text(label).strip() for label in re.findall(r"<td>\s*<b>(.*?)</b>\s*</td>", page, re.S)]


def test_the_petition_export_has_every_column_of_its_page_and_real_dates(client, many):
    staff, petitions = many
    petition = petitions[0]
    workflow.accept(petition, staff)
    Petition.update(subject="=HYPERLINK(\"http://x\",\"点击\")").where(Petition.id == petition.id).execute()
    labels = detail_labels(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    assert {"编号", "收到时间", "事由", "受理时间", "法定办结期限", "登记人"} <= set(labels)

    response = client.get("/admin/petition/export/xlsx/?page_size=50")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == labels
    body = {row[labels.index("事由")].value: row for row in rows[1:]}
    assert len(body) == 45
    row = body["=HYPERLINK(\"http://x\",\"点击\")"]
    assert row[labels.index("事由")].data_type == "s"  # a text, never a formula
    received, accepted = row[labels.index("收到时间")], row[labels.index("受理时间")]
    assert received.is_date and received.value == dt.datetime(2022, 1, 1, 9, 0)
    assert "年" in received.number_format
    assert accepted.is_date and isinstance(accepted.value, dt.datetime)
    handling_due = row[labels.index("法定办结期限")]
    assert handling_due.is_date and handling_due.value.date() == Petition.get_by_id(petition.id).handling_due
    assert row[labels.index("状态")].value == "已受理"

    csv = client.get("/admin/petition/export/csv/").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert csv[0].split(",") == labels
    assert any("2022年1月1日 09:00" in line and "'=HYPERLINK" in line for line in csv[1:])
