"""Excel in and out on the screens: every list exports to xlsx and to CSV (UTF-8 with BOM) with Chinese headers,
the list's filters and row scope, masked personal data, no formulas; and petitions are imported from a file."""
import csv
import datetime as dt
import html
import io
import re

import openpyxl
import pytest

from admin_app import permissions
from admin_app.views.export import is_secret
from models import workflow
from models.audit import AuditEntry
from models.documents import Document
from models.organisation import Category, Department
from models.people import Petitioner
from models.petition import Petition
from models.validation import mask_id_number, mask_phone

from tests.admin.helpers import alerts, csrf_token, english_words, visible_text
from tests import xlsx_files
from tests.conftest import valid_id_number

BOM = b"\xef\xbb\xbf"
CJK = re.compile(r"[\u4e00-\u9fff]")


def export_links(page):
    """{button caption: url} of the export buttons of a list page."""
    found = re.findall(r'<a class="nav-link export-link" href="([^"]+)">([^<]+)</a>', page)
    return {caption: html.unescape(url) for url, caption in found}


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def sheet_rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(response):
    assert response.status_code == 200, response.status_code
    assert response.data.startswith(BOM)
    return list(csv.reader(io.StringIO(response.data[len(BOM):].decode("utf-8"))))


def filter_arg(app, endpoint, column):
    view = app.extensions["office_views"][endpoint]
    return next("flt0_" + arg for arg, (_, flt) in view._filter_args.items() if flt.column is column)


@pytest.fixture
def people(db, make_town, make_petitioner):
    """Three petitioners in 河西镇 (one of them 困难家庭), one in 梁庄镇."""
    hexi, liangzhuang = make_town(name="河西镇"), make_town(name="梁庄镇")
    here = [make_petitioner(name=name, town=hexi, hardship=(i == 0)) for i, name in enumerate(("王秀英", "李建国",
                                                                                                 "赵桂兰"))]
    there = make_petitioner(name="孙志强", town=liangzhuang)
    return hexi, here, there


def test_the_xlsx_export_has_chinese_headers_masked_values_and_only_the_filtered_rows(app, client, login_as, people):
    hexi, here, there = people
    login_as("staff")
    page = client.get("/admin/petitioner/?%s=%d" % (filter_arg(app, "petitioner", Petitioner.town), hexi.id))
    links = export_links(page.get_data(as_text=True))
    assert set(links) == {"导出 Excel", "导出 CSV"}
    sheet = workbook(client.get(links["导出 Excel"]))
    rows = sheet_rows(sheet)
    headers = rows[0]
    assert {"身份证号码", "电话", "所属镇街"} <= set(headers)
    assert all(CJK.search(h) for h in headers)
    body = [dict(zip(headers, row)) for row in rows[1:]]
    names = {row[headers[0]] for row in body}
    assert names == {p.name for p in here}  # 梁庄镇's 孙志强 is filtered out
    by_id = {row["身份证号码"]: row for row in body}
    for person in here:
        assert mask_id_number(person.id_number) in by_id
        assert by_id[mask_id_number(person.id_number)]["电话"] == mask_phone(person.phone)
    everything = repr(rows)
    assert not any(p.id_number in everything or p.phone in everything for p in here)
    assert {row["所属镇街"] for row in body} == {"河西镇"}
    assert sorted(row["困难家庭"] for row in body) == ["否", "否", "是"]  # a boolean column
    assert not AuditEntry.select().where(AuditEntry.action == "view_personal").exists()  # nothing shown in full


def test_the_csv_starts_with_the_bom_and_holds_what_the_xlsx_holds(app, client, login_as, people):
    hexi, here, _ = people
    login_as("staff")
    args = "?%s=%d" % (filter_arg(app, "petitioner", Petitioner.town), hexi.id)
    response = client.get("/admin/petitioner/export/csv/" + args)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    xlsx = sheet_rows(workbook(client.get("/admin/petitioner/export/xlsx/" + args)))
    assert rows == [["" if v is None else str(v) for v in row] for row in xlsx]
    assert len(rows) == 1 + len(here)


def test_a_petition_export_shows_chinese_dates_choices_and_follows_the_search(client, login_as, make_petition):
    login_as("staff")
    make_petition(subject="宅基地纠纷", received_at=dt.datetime(2022, 12, 9, 9, 30))
    make_petition(subject="拖欠工资", content="公司拖欠工资三个月。", received_at=dt.datetime(2023, 1, 5, 14, 0))
    rows = csv_rows(client.get("/admin/petition/export/csv/?search=宅基地"))
    headers, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(headers, body[0]))
    assert row["事由"] == "宅基地纠纷"
    assert row["收到时间"] == "2022年12月9日 09:30"  # as its page shows it (the whole petition is exported)
    assert CJK.search(row["状态"]) and row["状态"] != "registered"


@pytest.mark.parametrize("value", ["=1+2", "+SUM(A1:A9)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\",\"点击\")"])
def test_formula_injection_is_neutralised(client, login_as, make_petitioner, value):
    login_as("staff")
    make_petitioner(name="王五", alias=value)
    rows = csv_rows(client.get("/admin/petitioner/export/csv/"))
    alias = rows[0].index("化名")
    assert rows[1][alias] == "'" + value
    sheet = workbook(client.get("/admin/petitioner/export/xlsx/"))
    cell = sheet.cell(row=2, column=alias + 1)
    assert cell.value == value and cell.data_type == "s"  # text, never a formula


def test_full_personal_data_only_on_request_by_staff_and_audited(client, login_as, people):
    _, here, there = people
    login_as("staff")
    page = client.get("/admin/petitioner/").get_data(as_text=True)
    assert "导出完整个人信息" in visible_text(page)
    rows = csv_rows(client.get("/admin/petitioner/export/csv/?personal=full"))
    ids = rows[0].index("身份证号码")
    assert {row[ids] for row in rows[1:]} == {p.id_number for p in here + [there]}
    entry = AuditEntry.select().where(AuditEntry.action == "view_personal").get()
    assert "4" in entry.summary and "身份证号码" in entry.summary
    assert entry.model == "petitioner"


def test_a_leader_exports_masked_only(client, login_as, people):
    _, here, _ = people
    login_as("leader")
    page = client.get("/admin/petitioner/").get_data(as_text=True)
    assert set(export_links(page)) == {"导出 Excel", "导出 CSV"}
    assert "导出完整个人信息" not in visible_text(page)
    assert client.get("/admin/petitioner/export/csv/?personal=full").status_code == 403
    text = client.get("/admin/petitioner/export/csv/").get_data(as_text=True)
    assert mask_id_number(here[0].id_number) in text and here[0].id_number not in text


@pytest.mark.parametrize("role, endpoint", [("representative", "petition"), ("representative", "petitioner"),
                                            ("department", "petition"), ("leader", "visitlog"),
                                            ("staff", "team")])
def test_a_role_without_export_gets_403_and_no_button(client, login_as, make_petition, role, endpoint):
    login_as(role)
    assert not permissions.allowed(role, endpoint, "export")
    page = client.get("/admin/%s/" % endpoint)
    if page.status_code == 200:
        assert not export_links(page.get_data(as_text=True))
        assert "导出" not in visible_text(page.get_data(as_text=True))
    for kind in ("xlsx", "csv"):
        assert client.get("/admin/%s/export/%s/" % (endpoint, kind)).status_code == 403


def test_a_department_exports_only_its_own_rows(client, login_as, make_user, make_petition, monkeypatch):
    """Were departments given the export (today they are not), the export holds their rows only."""
    monkeypatch.setitem(permissions.MATRIX["referral"], "department", frozenset(("read", "export")))
    monkeypatch.setitem(permissions.MATRIX["petition"], "department", frozenset(("read", "export")))
    staff = make_user("staff", username="officer")
    ours = Department.create(name="县住建局", short_name="高住建", kind="county")
    theirs = Department.create(name="县人社局", short_name="高人社", kind="county")
    for department, subject in ((ours, "住建局的事项"), (theirs, "人社局的事项")):
        petition = make_petition(subject=subject)
        workflow.register(petition, staff)
        workflow.accept(petition, staff)
        workflow.refer(petition, department, staff)
    login_as("department", department=ours, username="zhujian")
    referrals = csv_rows(client.get("/admin/referral/export/csv/"))
    assert len(referrals) == 2 and "县住建局" in referrals[1] and "县人社局" not in repr(referrals)
    petitions = sheet_rows(workbook(client.get("/admin/petition/export/xlsx/")))
    assert len(petitions) == 2 and "住建局的事项" in petitions[1] and "人社局的事项" not in repr(petitions)


def test_too_many_rows_are_refused_with_a_message(app, client, login_as, people, monkeypatch):
    login_as("staff")
    monkeypatch.setattr(app.extensions["office_views"]["petitioner"], "export_max_rows", 3)
    response = client.get("/admin/petitioner/export/xlsx/", follow_redirects=True)
    assert any("共有 4 条记录" in a and "最多导出 3 条" in a for a in alerts(response.get_data(as_text=True)))
    assert client.get("/admin/petitioner/export/xlsx/?search=王秀英").status_code == 200


def test_secrets_and_files_are_never_exported(app, client, login_as):
    admin = login_as("admin")
    text = client.get("/admin/user/export/csv/").get_data(as_text=True)
    assert admin.username in text
    assert admin.password_hash not in text and "password" not in text.lower()
    assert is_secret(Document, "pdf") and is_secret(type(admin), "password_hash")
    with app.test_request_context():
        for view in app.extensions["office_views"].values():
            names = [name for name, _ in view.get_export_columns()]
            assert not any(is_secret(view.model, name) for name in names), view.endpoint


def test_every_list_an_admin_exports_has_chinese_headers(app, client, login_as):
    from models.demo import seed_demo

    seed_demo()
    login_as("admin")
    exported = 0
    for endpoint, view in app.extensions["office_views"].items():
        response = client.get("/admin/%s/export/xlsx/" % endpoint)
        if not view._offers_can_export:  # 文书: the screen offers no export at all
            assert response.status_code == 302
            continue
        headers = sheet_rows(workbook(response))[0]
        assert headers and all(CJK.search(str(h)) for h in headers), (endpoint, headers)
        csv_response = client.get("/admin/%s/export/csv/" % endpoint)
        assert csv_rows(csv_response)[0] == [str(h) for h in headers]
        exported += 1
    assert exported >= 10


# -- import -------------------------------------------------------------------------------------------------

def xlsx_file(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


HEADERS = ["编号", "收到时间", "信访形式", "信访人", "身份证号码", "联系电话", "所属镇街", "问题类别", "事由", "信访内容"]


def test_staff_import_petitions_and_read_the_report(client, login_as, make_town):
    make_town(name="河西镇")
    Category.create(name="土地宅基地")
    login_as("staff")
    page = client.get("/admin/petition_import/").get_data(as_text=True)
    assert "导入信访事项" in visible_text(page) and "下载导入模板" in visible_text(page)
    assert english_words(page[page.index("<h4>"):]) == []  # the page's own text (the menu is other screens')
    upload = xlsx_file([HEADERS,
                        ["HX-2021-001", "2021-03-02 09:00", "来访", "王秀英", valid_id_number(), "13800000001",
                         "河西镇", "土地宅基地", "宅基地纠纷", "与邻居因宅基地发生纠纷。"],
                        ["HX-2021-002", "2021-03-03", "来信", "李建国", "", "", "不存在镇", "", "道路", "修路。"]])
    response = client.post("/admin/petition_import/upload/", data={
        "csrf_token": csrf_token(page), "file": (upload, "旧登记簿.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200
    text = visible_text(response.get_data(as_text=True))
    assert "共 2 行：已导入 1 行，未导入 1 行。" in text
    assert "HX-2021-001" in text and "所属镇街“不存在镇”未登记" in text
    petition = Petition.get(Petition.number == "HX-2021-001")
    assert petition.status == "registered" and petition.town.name == "河西镇"
    assert not Petition.select().where(Petition.number == "HX-2021-002").exists()


def test_the_import_needs_the_csrf_token_and_a_file(client, login_as):
    login_as("staff")
    upload = xlsx_file([HEADERS])
    response = client.post("/admin/petition_import/upload/", data={"file": (upload, "a.xlsx")},
                           content_type="multipart/form-data")
    assert "表单已过期，请重新提交。" in alerts(response.get_data(as_text=True))
    page = client.get("/admin/petition_import/").get_data(as_text=True)
    response = client.post("/admin/petition_import/upload/", data={"csrf_token": csrf_token(page)},
                           content_type="multipart/form-data")
    assert "请选择要导入的文件。" in alerts(response.get_data(as_text=True))
    assert Petition.select().count() == 0


def test_the_template_download_has_the_headers(client, login_as):
    login_as("staff")
    response = client.get("/admin/petition_import/template/")
    sheet = workbook(response)
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["编号", "收到时间 *", "信访形式 *"] and "信访内容 *" in headers


@pytest.mark.parametrize("role, status", [("staff", 200), ("admin", 200), ("leader", 403), ("representative", 403),
                                          ("department", 403)])
def test_only_staff_and_admin_import(client, login_as, role, status):
    login_as(role)
    assert client.get("/admin/petition_import/").status_code == status
    assert client.get("/admin/petition_import/template/").status_code == status
    menu = client.get("/admin/").get_data(as_text=True)
    assert ('href="/admin/petition_import/"' in menu) == (status == 200)
    if status == 403:
        assert client.post("/admin/petition_import/upload/", data={}).status_code == 403


@pytest.mark.parametrize("make, said", [
    pytest.param(xlsx_files.truncated, "无法作为 Excel 工作簿（.xlsx）读取该文件", id="truncated"),
    pytest.param(xlsx_files.truncated_sheet_xml, "无法作为 Excel 工作簿（.xlsx）读取该文件", id="sheet-xml-cut-off"),
    pytest.param(xlsx_files.broken_workbook, "无法作为 Excel 工作簿（.xlsx）读取该文件", id="broken-workbook-xml"),
    pytest.param(xlsx_files.shared_out_of_range, "无法作为 Excel 工作簿（.xlsx）读取该文件", id="a-shared-string-that-is-not-there"),
    pytest.param(xlsx_files.doctype_sheet, "含有 DOCTYPE 声明", id="billion-laughs"),
    pytest.param(xlsx_files.doctype_workbook, "含有 DOCTYPE 声明", id="doctype-in-workbook-xml"),
    pytest.param(lambda: xlsx_files.huge_shared_string(30 * 1024 * 1024), "压缩超过 100 倍", id="zip-bomb"),
])
def test_a_malformed_or_hostile_workbook_is_refused_in_chinese_and_nothing_written(client, login_as, make, said):
    login_as("staff")
    page = client.get("/admin/petition_import/").get_data(as_text=True)
    response = client.post("/admin/petition_import/upload/", data={
        "csrf_token": csrf_token(page), "file": (io.BytesIO(make()), "坏文件.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert any(said in a for a in alerts(response.get_data(as_text=True)))
    assert Petition.select().count() == 0 and Petitioner.select().count() == 0


# -- formulas: every spreadsheet and CSV the system writes goes through models/spreadsheet.py ----------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "=1+2"]  # names are stripped: no tab here


def named_like_formulas(make_town, make_petition):
    """A town, a category and a petition subject named like each formula, received an hour ago."""
    received = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1)
    for value in FORMULAS:
        town, category = make_town(name=value), Category.create(name=value)
        make_petition(subject=value, town=town, category=category, received_at=received)


def text_cells(book):
    """{value: [(data_type, quotePrefix)]} of every cell of every sheet that holds a formula-like value, and
    the cells that are formulas."""
    found, formulas = {}, []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, cell.value))
                if cell.value in FORMULAS:
                    found.setdefault(cell.value, []).append((cell.data_type, cell.quotePrefix))
    return found, formulas


def assert_all_text(book, expected=FORMULAS):
    found, formulas = text_cells(book)
    assert formulas == []
    for value in expected:
        assert found.get(value), value
        assert set(found[value]) == {("s", True)}, (value, found[value])  # text, marked as typed with '


def test_formula_names_are_text_in_every_export(app, client, login_as, make_town, make_petition):
    named_like_formulas(make_town, make_petition)
    login_as("admin")
    for endpoint, view in app.extensions["office_views"].items():
        if not view._offers_can_export:
            continue
        book = openpyxl.load_workbook(io.BytesIO(client.get("/admin/%s/export/xlsx/" % endpoint).data))
        found, formulas = text_cells(book)
        assert formulas == [], endpoint
        assert all(set(cells) == {("s", True)} for cells in found.values()), (endpoint, found)
        for row in csv_rows(client.get("/admin/%s/export/csv/" % endpoint)):
            assert not any(field.startswith(("=", "+", "-", "@", "\t", "\r")) for field in row), (endpoint, row)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/admin/petition/export/xlsx/").data))
    assert_all_text(book)  # the subjects, the towns and the categories of the petitions
    rows = csv_rows(client.get("/admin/petition/export/csv/"))
    assert {"'" + value for value in FORMULAS} <= {field for row in rows for field in row}
    assert_all_text(openpyxl.load_workbook(io.BytesIO(client.get("/admin/category/export/xlsx/").data)),
                    expected=FORMULAS)


def test_formula_names_are_text_in_the_monthly_report(client, login_as, make_town, make_petition):
    named_like_formulas(make_town, make_petition)
    login_as("staff")
    response = client.get("/admin/monthly-report?period=year")
    assert response.status_code == 200
    assert_all_text(openpyxl.load_workbook(io.BytesIO(response.data)))  # 按问题类别, 按镇街


def test_formula_names_are_text_in_the_import_template(client, login_as, make_town):
    for value in FORMULAS:
        make_town(name=value)
        Category.create(name=value)
    login_as("staff")
    book = workbook(client.get("/admin/petition_import/template/")).parent
    assert_all_text(book)  # the 选项 sheet lists the towns and the categories
    options = book["选项"]
    assert {c.value for c in options["B"]} >= set(FORMULAS) and {c.value for c in options["C"]} >= set(FORMULAS)
