"""系统设置 through the test client: a change applies to the next letter without a restart; a wrong date is
refused on its field in Chinese with what was typed kept and nothing written; a setting the environment fixes
is read-only; every change is in the audit log; only the administrator may open the page."""
import datetime as dt
import re
import subprocess
from html import unescape

import pytest

from admin_app import create_app
from models import deadlines, workflow
from models.audit import AuditEntry
from models.documents import Document
from models.organisation import Department
from models.settings import OfficeSetting

from tests.admin.helpers import PASSWORD, alerts, csrf_token, english_words, field_errors, visible_text

URL = "/admin/officesettings/"


def post(client, data):
    page = client.get(URL).get_data(as_text=True)
    versions = dict(re.findall(r'name="(version-[A-Z_]+)" value="([^"]*)"', page))
    return client.post(URL, data=dict(versions, csrf_token=csrf_token(page), **data))


def textarea(page, name):
    found = re.search(r'(?s)<textarea[^>]*name="%s"[^>]*>(.*?)</textarea>' % name, page)
    return unescape(found.group(1)) if found else None


def pdf_text(pdf, tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_the_issuing_organ_changed_on_the_page_signs_the_next_letter(client, login_as, issuing_office,
                                                                     make_petition, tmp_path):
    admin = login_as("admin")
    Department.create(name="县联席办", short_name="高联办", kind="county")
    petition = workflow.register(make_petition(), admin)
    workflow.accept(petition, admin)

    page = client.get(URL).get_data(as_text=True)
    assert "发文机关" in visible_text(page) and "现用文号前缀：高信访" in visible_text(page)
    assert english_words(page, data=(admin.username,)) == []
    response = post(client, {"LETTER_ISSUER": "县联席办"})
    assert response.status_code == 302
    assert "设置已保存。" in alerts(client.get(URL).get_data(as_text=True))

    details = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    client.post("/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record=" % petition.id,
                data={"csrf_token": csrf_token(details)})
    document = Document.get(Document.petition == petition.id, Document.kind == "acceptance_notice")
    assert document.number.startswith("高联办〔")
    text = pdf_text(bytes(document.pdf), tmp_path)
    assert "县联席办" in text and "县信访局" not in text


def test_a_wrong_holiday_is_refused_on_its_field_and_nothing_is_written(client, login_as):
    login_as("admin")
    entries = AuditEntry.select().count()
    typed = "2026年10月1日至2026年10月7日、2026年13月1日"
    response = post(client, {"HOLIDAYS": typed, "LETTER_CONTACT": "李明"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_errors(page) == ["“2026年13月1日”不是有效日期（请写作2026年10月1日或2026-10-01）。"]
    assert textarea(page, "HOLIDAYS") == typed  # what was typed is kept, to be corrected
    assert 'value="李明"' in page
    assert "本次未保存任何修改。" in visible_text(page)
    assert OfficeSetting.select().count() == 0 and AuditEntry.select().count() == entries


def test_a_holiday_added_on_the_page_moves_a_working_day_deadline(client, login_as, counting_rule):
    login_as("admin")
    referred = dt.date(2026, 9, 28)
    assert deadlines.objection_due(referred) == dt.date(2026, 10, 5)
    assert post(client, {"HOLIDAYS": "2026/10/1, 2026/10/2 2026年10月5日"}).status_code == 302
    assert deadlines.objection_due(referred) == dt.date(2026, 10, 8)  # 29, 30 Sep, 6, 7, 8 Oct
    page = client.get(URL).get_data(as_text=True)
    assert textarea(page, "HOLIDAYS") == "2026年10月1日、2026年10月2日、2026年10月5日"


def test_each_change_is_audited_with_before_and_after(client, login_as):
    admin = login_as("admin")
    post(client, {"LETTER_CONTACT": "李明", "LETTER_CONTACT_PHONE": "0635-3921234"})
    post(client, {"LETTER_CONTACT": "王芳", "LETTER_CONTACT_PHONE": "0635-3921234"})
    entries = [(e.username, e.summary, e.before, e.after) for e in AuditEntry.select().where(
        AuditEntry.model == "office_setting").order_by(AuditEntry.id)]
    assert entries == [
        (admin.username, "LETTER_CONTACT", '{"LETTER_CONTACT": ""}', '{"LETTER_CONTACT": "李明"}'),
        (admin.username, "LETTER_CONTACT_PHONE", '{"LETTER_CONTACT_PHONE": ""}',
         '{"LETTER_CONTACT_PHONE": "0635-3921234"}'),
        (admin.username, "LETTER_CONTACT", '{"LETTER_CONTACT": "李明"}', '{"LETTER_CONTACT": "王芳"}')]


def test_a_save_over_a_newer_one_is_refused(client, login_as):
    login_as("admin")
    page = client.get(URL).get_data(as_text=True)
    post(client, {"LETTER_CONTACT": "李明"})  # someone else, meanwhile
    versions = dict(re.findall(r'name="(version-[A-Z_]+)" value="([^"]*)"', page))
    response = client.post(URL, data=dict(versions, csrf_token=csrf_token(page), LETTER_CONTACT="王芳"))
    assert response.status_code == 409
    assert OfficeSetting.get(OfficeSetting.key == "LETTER_CONTACT").value == "李明"


def test_a_setting_the_environment_fixes_is_read_only(db_url, db, make_user, monkeypatch):
    monkeypatch.setenv("LETTER_CONTACT", "赵六")
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True})
    client = app.test_client()
    make_user("admin", username="root").set_password(PASSWORD)
    login = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "root", "password": PASSWORD, "csrf_token": csrf_token(login)})
    page = client.get(URL).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="LETTER_CONTACT"[^>]*>', page).group(0)
    assert 'value="赵六"' in field and "disabled" in field
    block = re.search(r'(?s)id="setting-LETTER_CONTACT".*?</small>', page).group(0)
    assert "由部署环境变量设定" in visible_text(block)
    response = client.post(URL, data={"csrf_token": csrf_token(page), "LETTER_CONTACT": "李明"})
    assert response.status_code == 302
    assert OfficeSetting.select().count() == 0


@pytest.mark.parametrize("role", ["staff", "leader", "department", "representative"])
def test_only_the_administrator_may_open_or_save_the_page(client, login_as, role):
    login_as(role)
    assert client.get(URL).status_code == 403
    token = csrf_token(client.get("/admin/").get_data(as_text=True) or "")
    assert client.post(URL, data={"csrf_token": token, "LETTER_CONTACT": "李明"}).status_code == 403
    assert OfficeSetting.select().count() == 0


def test_12345_column_names_saved_on_the_page_are_read_by_the_import(client, login_as):
    login_as("admin")
    assert "受理单号" not in visible_text(client.get("/admin/hotlineticket/import/").get_data(as_text=True))
    assert post(client, {"HOTLINE_COLUMNS": "工单编号：受理单号、编号"}).status_code == 302
    assert "受理单号、编号" in visible_text(client.get("/admin/hotlineticket/import/").get_data(as_text=True))
    response = post(client, {"HOTLINE_COLUMNS": "工单号码：单号"})
    assert field_errors(response.get_data(as_text=True))[0].startswith("“工单号码：单号”：请写作")
