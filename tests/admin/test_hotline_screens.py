"""12345 screens: tickets list and import (CSRF, size limit, per-row report escaped), 转为信访事项 through the reviewed form,
排访 with dismissal, the possible-repeat check, and the API clients screen (token shown once)."""
import datetime as dt
import io
import re

import pytest

from models.imports import hotline as importer
from models.audit import AuditEntry
from models.hotline import ApiClient, FlagDismissal, HotlineTicket
from models.organisation import Category
from models.petition import Petition

from tests.admin.forms import model_form
from tests.admin.helpers import alerts, csrf_token, english_words, list_actions, visible_text
from tests import xlsx_files
from tests.hotline_files import csv_bytes, rows_of, ticket_row, xlsx_bytes


def upload(client, data, name="tickets.csv", token=None):
    page = client.get("/admin/hotlineticket/import/").get_data(as_text=True)
    form = {"file": (io.BytesIO(data), name)}
    if token is not False:
        form["csrf_token"] = token or csrf_token(page)
    return client.post("/admin/hotlineticket/import/", data=form, content_type="multipart/form-data")


@pytest.fixture
def tickets(db):
    importer.import_file(csv_bytes(rows_of(3)), "seed.csv")
    return list(HotlineTicket.select().order_by(HotlineTicket.id))


def test_the_hotline_screens_are_in_chinese(client, login_as, tickets, make_petition, make_petitioner):
    login_as("staff", display_name="李敏")
    caller = make_petitioner(name="来电人1", phone="13900000001")
    open_one = make_petition(is_collective=True, head_count=8, petitioner=caller)
    for url in ("/admin/hotlineticket/", "/admin/hotlineticket/details/?id=%d" % tickets[0].id,
                "/admin/hotlineticket/import/", "/admin/flags/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_words(response.get_data(as_text=True)) == [], url
    listing = visible_text(client.get("/admin/hotlineticket/").get_data(as_text=True))
    assert "12345-2023-00001" in listing and "139****0001" in listing and "13900000001" not in listing
    assert "转为信访事项" in listing and "导入" in listing
    details = client.get("/admin/hotlineticket/details/?id=%d" % tickets[0].id).get_data(as_text=True)
    assert "来电人是在册信访人来电人1。 未办结的信访事项： %s" % open_one.number in visible_text(details)
    assert 'href="/admin/petition/details/?id=%d"' % open_one.id in details
    assert "12345-2023-00001" in visible_text(client.get("/admin/hotlineticket/?search=13900000001",
                                                         follow_redirects=True).get_data(as_text=True))


def test_an_uploaded_file_is_imported_with_its_report(client, login_as):
    login_as("staff", display_name="李敏")
    rows = rows_of(3) + [ticket_row(4, 来电时间="<script>alert(1)</script>"), ticket_row(2)]
    response = upload(client, xlsx_bytes(rows), "hotline.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any("新增 3 条，更新 0 条，未变 1 条，跳过 1 条" in a for a in alerts(page))
    text = visible_text(page)
    assert "12345-2023-00004" in text and "来电时间不是有效的日期：<script>alert(1)</script>" in text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "与第 3 行工单编号相同" in text
    assert english_words(page, data=["hotline", "xlsx", "script", "alert"]) == []  # the file's name and cells
    assert HotlineTicket.select().count() == 3
    entries = AuditEntry.select().where(AuditEntry.model == "hotline_ticket")
    entry = entries.where(AuditEntry.record_id.is_null()).get()  # the file; and each row as it was written
    assert "hotline.xlsx" in entry.summary and "新增 3 条" in entry.summary
    assert {e.record_id for e in entries if e.record_id} == {t.id for t in HotlineTicket.select()}

    again = upload(client, xlsx_bytes(rows), "hotline.xlsx").get_data(as_text=True)
    assert any("新增 0 条，更新 0 条，未变 4 条，跳过 1 条" in a for a in alerts(again))


def test_an_upload_without_the_csrf_token_imports_nothing(client, login_as):
    login_as("staff", display_name="李敏")
    response = upload(client, csv_bytes(rows_of(2)), token=False)
    assert any("表单已过期" in a for a in alerts(response.get_data(as_text=True)))
    assert HotlineTicket.select().count() == 0


def test_a_file_over_the_size_limit_is_refused(app, client, login_as):
    app.config["HOTLINE_IMPORT_MAX_BYTES"] = 2000
    login_as("staff", display_name="李敏")
    response = upload(client, csv_bytes(rows_of(30)))
    assert any("文件超过" in a for a in alerts(response.get_data(as_text=True)))
    assert HotlineTicket.select().count() == 0


def test_a_file_without_the_required_columns_is_refused_in_chinese(client, login_as):
    login_as("staff", display_name="李敏")
    data = csv_bytes(rows_of(2), headers=["工单编号", "来电人", "联系电话"])
    page = upload(client, data).get_data(as_text=True)
    assert any("文件未导入：缺少必需的列：来电时间、诉求内容。" in a for a in alerts(page))
    bad = upload(client, b"PK\x03\x04garbage", "x.xlsx").get_data(as_text=True)
    assert any("不是可读取的 Excel 文件" in a for a in alerts(bad))


def test_a_ticket_is_turned_into_a_petition_through_the_reviewed_form(client, login_as, tickets):
    """No more one click: the button opens the filled petition form (tests/admin/test_hotline_review.py)."""
    login_as("staff", display_name="李敏")
    ticket = tickets[0]
    details = client.get("/admin/hotlineticket/details/?id=%d" % ticket.id).get_data(as_text=True)
    assert 'href="/admin/petition/new/?ticket=%d"' % ticket.id in details and "转为信访事项" in visible_text(details)
    assert "to_petition" not in list_actions(client.get("/admin/hotlineticket/").get_data(as_text=True))
    form = model_form(client.get("/admin/petition/new/?ticket=%d" % ticket.id).get_data(as_text=True))
    response = client.post("/admin/petition/new/", data=form)
    petition = Petition.get(Petition.channel == "hotline")
    assert response.headers["Location"].endswith("/admin/petition/details/?id=%d" % petition.id)
    assert petition.content == ticket.content and petition.petitioner.name == "来电人1"
    details = client.get("/admin/hotlineticket/details/?id=%d" % ticket.id).get_data(as_text=True)
    assert "已转为信访事项" in visible_text(details) and petition.number in details
    assert "to-petition" not in details


def test_converting_needs_the_right_role(client, login_as, tickets):
    login_as("leader", display_name="王县长")
    assert client.get("/admin/hotlineticket/").status_code == 200
    page = client.get("/admin/hotlineticket/details/?id=%d" % tickets[0].id).get_data(as_text=True)
    assert "to-petition" not in page
    assert client.get("/admin/petition/new/?ticket=%d" % tickets[0].id).status_code == 403
    assert client.get("/admin/hotlineticket/import/").status_code == 403
    assert Petition.select().count() == 0


def test_a_representative_sees_the_flags_but_not_the_tickets(client, login_as, tickets, make_petition):
    login_as("representative", display_name="王春月")
    make_petition(is_collective=True, head_count=8)
    assert client.get("/admin/hotlineticket/").status_code == 403
    page = client.get("/admin/flags/").get_data(as_text=True)
    assert "集体访" in visible_text(page) and "flag-dismiss" not in page
    assert client.post("/admin/flags/dismiss/", data={"key": "x", "reason": "y"}).status_code == 403


# -- 排访 ------------------------------------------------------------------------------------------------

def test_flags_are_listed_with_their_reason_and_dismissed_with_one(client, login_as, make_petition, make_petitioner):
    login_as("staff", display_name="李敏")
    person = make_petitioner(name="周某", phone="13900000001")
    collective = make_petition(is_collective=True, head_count=9, petitioner=person)
    HotlineTicket.create(number="T-1", called_at=dt.datetime.now() - dt.timedelta(days=1), caller="周某",
                         phone="13900000001", content="再次反映拖欠工资。")
    page = client.get("/admin/flags/").get_data(as_text=True)
    text = visible_text(page)
    assert "集体访 %s（9 人）尚未办结。" % collective.number in text
    assert "12345工单 T-1：来电人周某（139****0001）已有未办结的信访事项 %s。" % collective.number in text
    assert 'href="/admin/petition/details/?id=%d"' % collective.id in page
    assert english_words(page) == []

    key = "collective:%d" % collective.id
    token = csrf_token(page)
    refused = client.post("/admin/flags/dismiss/", data={"key": key, "reason": " ", "csrf_token": token},
                          follow_redirects=True)
    assert any("请填写排除的理由" in a for a in alerts(refused.get_data(as_text=True)))
    response = client.post("/admin/flags/dismiss/", data={"key": key, "reason": "镇街已稳控，当场化解。",
                                                          "csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert any("已排除" in a for a in alerts(page))
    rows = re.search(r'(?s)<table[^>]*id="flags".*?</table>', page).group(0)
    assert "尚未办结" not in visible_text(rows) and "T-1" in visible_text(rows)  # the other flag stays
    assert "镇街已稳控，当场化解。" in visible_text(page)  # in the list of dismissed signs
    dismissal = FlagDismissal.get()
    assert dismissal.flag_key == key and dismissal.summary.startswith("集体访")
    assert AuditEntry.select().where((AuditEntry.model == "flag_dismissal") & (AuditEntry.action == "create")).exists()
    assert client.post("/admin/flags/dismiss/", data={"key": key, "reason": "再来", "csrf_token": "bad"},
                       follow_redirects=True).status_code == 200
    assert FlagDismissal.select().count() == 1


def test_the_repeat_check_answers_the_petition_form_in_json(client, login_as, make_petitioner, make_petition,
                                                            make_town):
    login_as("staff", display_name="李敏")
    town = make_town("梁庄镇")
    category = Category.create(name="土地征收")
    person = make_petitioner()
    open_one = make_petition(petitioner=person, category=category, town=town, village="张家村")
    data = client.get("/admin/flags/repeat-check/?petitioner=%d&category=%d&village=张家村&town=%d"
                      % (person.id, category.id, town.id)).get_json()
    assert data["count"] == 1 and "可能重复" in data["message"]
    item = data["petitions"][0]
    assert (item["number"], item["status"], item["status_label"]) == (open_one.number, "registered", "登记")
    assert item["url"] == "/admin/petition/details/?id=%d" % open_one.id and item["why"] == "同一信访人未办结的信访事项"
    none = client.get("/admin/flags/repeat-check/?petitioner=abc&village=").get_json()
    assert none == {"count": 0, "message": "", "petitions": []}


def test_the_repeat_check_shows_a_department_nothing_it_may_not_see(client, login_as, make_petitioner, make_petition):
    login_as("department")
    person = make_petitioner()
    make_petition(petitioner=person)
    assert client.get("/admin/flags/repeat-check/?petitioner=%d" % person.id).status_code == 403


# -- API clients -------------------------------------------------------------------------------------------

def test_the_administrator_creates_a_client_and_sees_its_token_once(client, login_as, form_post):
    admin = login_as("admin", display_name="管理员")
    response = form_post("/admin/apiclient/new/", {"name": "12345热线平台", "scopes": ["tickets:write", "tickets:read"],
                                                   "active": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="api-token">([^<]+)<', page).group(1)
    assert english_words(page, data=["Authorization", "Bearer", token.split("_", 1)[1]]) == []
    stored = ApiClient.get()
    assert stored.scopes == "tickets:write tickets:read" and stored.created_by_id == admin.id
    assert token not in client.get("/admin/apiclient/").get_data(as_text=True)
    assert token not in client.get("/admin/apiclient/details/?id=%d" % stored.id).get_data(as_text=True)
    assert all(token not in (e.after or "") and stored.token_hash not in (e.after or "") for e in AuditEntry.select())
    headers = {"Authorization": "Bearer " + token}
    assert client.get("/api/v1/tickets/none", headers=headers).status_code == 404
    listing = client.get("/admin/apiclient/").get_data(as_text=True)
    assert english_words(listing) == []
    client.post("/admin/apiclient/action/", data={"action": "deactivate", "rowid": stored.id,
                                                  "csrf_token": csrf_token(listing)})
    assert not ApiClient.get_by_id(stored.id).active
    assert client.get("/api/v1/tickets/none", headers=headers).status_code == 401


def test_only_the_administrator_manages_api_clients(client, login_as):
    login_as("staff", display_name="李敏")
    assert client.get("/admin/apiclient/").status_code == 403
    assert client.get("/admin/apiclient/new/").status_code == 403


MALFORMED = [
    pytest.param(xlsx_files.truncated, "不是可读取的 Excel 文件", id="truncated"),
    pytest.param(xlsx_files.truncated_sheet_xml, "不是可读取的 Excel 文件", id="sheet-xml-cut-off"),
    pytest.param(xlsx_files.broken_workbook, "不是可读取的 Excel 文件", id="broken-workbook-xml"),
    pytest.param(xlsx_files.shared_out_of_range, "不是可读取的 Excel 文件", id="a-shared-string-that-is-not-there"),
    pytest.param(xlsx_files.doctype_sheet, "含有 DOCTYPE 声明", id="billion-laughs"),
    pytest.param(xlsx_files.doctype_external, "含有 DOCTYPE 声明", id="external-entity"),
    pytest.param(lambda: xlsx_files.huge_shared_string(30 * 1024 * 1024), "压缩超过 100 倍", id="zip-bomb"),
]


@pytest.mark.parametrize("make, said", MALFORMED)
def test_a_malformed_or_hostile_workbook_gets_a_chinese_message_and_writes_nothing(client, login_as, make, said):
    login_as("staff", display_name="李敏")
    response = upload(client, make(), "坏文件.xlsx")
    assert response.status_code == 200
    assert any("文件未导入：" in a and said in a for a in alerts(response.get_data(as_text=True)))
    assert HotlineTicket.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.model == "hotline_ticket").count() == 0
