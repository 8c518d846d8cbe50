"""送达 from the screens (issue 15 §5): the petition page's 文书 section offers 登记送达 on each letter in force, its
form is saved once with every error in Chinese, the 送达回证 prints (read back with pdftotext), letters not
delivered after 3 days are on the clerk's worklist, the timeline shows the delivery, and a department neither
records deliveries nor sees another department's letter."""
import datetime as dt
import re
import subprocess

import pytest

from models import documents, workflow
from models.casework import Referral
from models.db import now
from models.delivery import Delivery
from models.documents import Document
from models.organisation import Department
from models.workflow.delivery import record_delivery

from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, submission_token, visible_text

ACCEPTED = dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1)  # letters dated today
SAVED = "此表单已保存，未重复登记。"


@pytest.fixture
def staff(login_as, issuing_office):
    return login_as("staff", display_name="张干部")


@pytest.fixture
def accepted(make_petition, staff):
    def accepted(**fields):
        petition = workflow.register(make_petition(**fields), staff)
        return workflow.accept(petition, staff, at=ACCEPTED)

    return accepted


def details(client, petition):
    return client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)


def issue(client, petition, kind="acceptance_notice"):
    """印发 from the petition page, as a clerk does; the document issued."""
    client.post("/admin/petition/letter/issue/?id=%d&kind=%s&record=" % (petition.id, kind),
                data={"csrf_token": csrf_token(details(client, petition))})
    return Document.get((Document.petition == petition.id) & (Document.kind == kind) & Document.voided_at.is_null())


def issued_days_ago(document, days):
    """The letter as if issued `days` ago (the archive refuses changes; the test sets the clock back)."""
    Document.update(issued_at=now() - dt.timedelta(days=days)).where(Document.id == document.id).execute()


def documents_section(page):
    return visible_text(page.split('id="documents"')[1].split("</table>")[0])


def cn_date(value):
    return "%d年%d月%d日" % (value.year, value.month, value.day)


def pdf_text(pdf, tmp_path):
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


def deliver_url(document):
    return "/admin/document/delivery/?id=%d" % document.id


def test_a_letter_in_force_offers_its_delivery_and_the_form_is_in_chinese(client, staff, accepted):
    petition = accepted()
    document = issue(client, petition)
    section = documents_section(details(client, petition))
    assert "送达" in section and "登记送达" in section and "送达回证" in section
    page = client.get(deliver_url(document)).get_data(as_text=True)
    text = visible_text(page)
    for words in ("登记送达", "送达方式", "当面送达", "邮寄送达", "电子送达", "留置送达", "公告送达", "送达时间",
                  "受送达人", "备注", document.number):
        assert words in text, words
    assert english_words(page) == []
    assert 'value="%s"' % petition.petitioner.name in page  # the recipient defaults to the petitioner


def test_the_form_records_the_delivery_once(client, staff, accepted):
    petition = accepted()
    document = issue(client, petition)
    page = client.get(deliver_url(document)).get_data(as_text=True)
    data = {"method": "personal", "delivered_at": "", "recipient": petition.petitioner.name, "note": "本人签收",
            "csrf_token": csrf_token(page), "submission_token": submission_token(page)}
    first = client.post(deliver_url(document), data=data, follow_redirects=True).get_data(as_text=True)
    assert "已登记%s的送达。" % document.number in alerts(first)
    assert "已送达（当面送达，%s）" % cn_date(now()) in documents_section(first)
    assert "登记送达" not in documents_section(first)
    again = client.post(deliver_url(document), data=dict(data, method="post"), follow_redirects=True)
    assert SAVED in alerts(again.get_data(as_text=True))
    delivery = Delivery.get()
    assert (delivery.document_id, delivery.method, delivery.recorded_by_id, delivery.note) == (
        document.id, "personal", staff.id, "本人签收")
    # a second form, opened before the first was saved: refused in Chinese
    stale = dict(data, submission_token="another-form-opened-earlier")
    page = client.post(deliver_url(document), data=stale).get_data(as_text=True)
    assert "该文书已登记送达，不能重复登记。" in alerts(page)
    assert Delivery.select().count() == 1


@pytest.mark.parametrize("changes, error", [
    pytest.param({"method": ""}, "请选择送达方式。", id="no-method"),
    pytest.param({"delivered_at": "2022年12月1日 09:00"}, "送达时间不能早于文书印发时间", id="before-issue"),
    pytest.param({"delivered_at": (dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")},
                 "送达时间不能晚于当前时间。", id="future"),
    pytest.param({"delivered_at": "明天下午"}, "", id="unreadable"),
])
def test_every_error_is_in_chinese_on_the_form_and_nothing_is_written(client, staff, accepted, changes, error):
    petition = accepted()
    document = issue(client, petition)
    page = client.get(deliver_url(document)).get_data(as_text=True)
    data = dict({"method": "post", "delivered_at": "", "recipient": "", "note": "",
                 "csrf_token": csrf_token(page), "submission_token": submission_token(page)}, **changes)
    page = client.post(deliver_url(document), data=data).get_data(as_text=True)
    errors = field_errors(page)
    assert errors and all(error in e for e in errors[:1]), errors
    assert english_words(page, data.values()) == []
    assert not Delivery.select().exists()


def test_a_void_letter_offers_no_delivery(client, staff, accepted):
    petition = accepted()
    document = documents.mark_void(issue(client, petition), staff, "日期有误")
    assert "登记送达" not in documents_section(details(client, petition))
    page = client.get(deliver_url(document)).get_data(as_text=True)
    data = {"method": "post", "csrf_token": csrf_token(page), "submission_token": submission_token(page)}
    page = client.post(deliver_url(document), data=data).get_data(as_text=True)
    assert "已作废的文书不能送达。" in alerts(page)
    assert not Delivery.select().exists()


def test_the_proof_of_delivery_prints_blank_then_filled_in(client, staff, accepted, tmp_path):
    petition = accepted()
    document = issue(client, petition)
    count = Document.select().count()
    response = client.get("/admin/document/delivery/receipt/?id=%d" % document.id)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.get_data(), tmp_path)
    for words in ("送达回证", "送达文书名称及文号", "受理告知书（%s）" % document.number, "受送达人",
                  petition.petitioner.name, "送达地点", "送达方式", "□当面送达", "□邮寄送达", "□公告送达", "送达人",
                  "受送达人签收", "日期", "县信访局"):
        assert words in text, words
    assert Document.select().count() == count  # a form, not a document: no number taken
    record_delivery(document, staff, "left", note="见证人 村委会王某")
    text = pdf_text(client.get("/admin/document/delivery/receipt/?id=%d" % document.id).get_data(), tmp_path)
    assert "留置送达" in text and "□" not in text and "张干部" in text and "见证人村委会王某" in text
    assert cn_date(now()) in text


def test_letters_not_delivered_after_three_days_are_on_the_clerks_worklist(client, staff, accepted):
    old, fresh, delivered, voided = accepted(), accepted(), accepted(), accepted()
    late = issue(client, old)
    issued_days_ago(late, 5)
    issue(client, fresh)  # today: not yet late
    done = issue(client, delivered)
    issued_days_ago(done, 5)
    record_delivery(done, staff, "post", now() - dt.timedelta(days=4))
    void = issue(client, voided)
    issued_days_ago(void, 5)
    documents.mark_void(void, staff, "日期有误")
    page = client.get("/admin/").get_data(as_text=True)
    group = page.split('id="work-to_deliver"')[1].split('id="work-')[0]
    assert "待送达文书" in visible_text(group)
    assert re.findall(r'id="count-work-to_deliver">(\d+)<', page) == ["1"], visible_text(group)
    assert late.number in group and "受理告知书" in group
    assert "/admin/petition/details/?id=%d#documents" % old.id in group
    for other in (fresh, delivered, voided):
        assert "?id=%d#" % other.id not in group


def test_the_timeline_shows_the_delivery(client, staff, accepted):
    petition = accepted()
    document = issue(client, petition)
    record_delivery(document, staff, "electronic", recipient="信访人 李某", note="短信")
    timeline = visible_text(details(client, petition).split('id="timeline"')[1].split("</table>")[0])
    assert "送达" in timeline and "电子送达" in timeline and "受送达人信访人 李某" in timeline
    assert document.number in timeline and "张干部" in timeline


@pytest.fixture
def referred(make_petition, make_petitioner, issuing_office, make_user):
    """A petition referred to 县住建局 and to 县水利局, with each department's 交办单 (archived directly)."""
    housing = Department.create(name="县住建局", short_name="县住建", kind="county")
    water = Department.create(name="县水利局", short_name="县水利", kind="county")
    petition = make_petition()
    clerk = make_user("staff", username="clerk")
    sheets = {}
    for department in (housing, water):
        referral = Referral.create(petition=petition, department=department, sent_at=now(), due_on=dt.date.today())
        sheets[department.name] = documents.archive("assignment_sheet", petition, issuing_office,
                                                   lambda number, at: b"%PDF-1.4", clerk, record_id=referral.id)
    return {"housing": housing, "petition": petition, "sheets": sheets}


def test_a_department_records_no_delivery_and_prints_only_its_own_letters(client, login_as, referred, tmp_path):
    login_as("department", department=referred["housing"])
    own, theirs = referred["sheets"]["县住建局"], referred["sheets"]["县水利局"]
    assert client.get(deliver_url(own)).status_code == 403  # as for issuing letters: the office's clerks
    assert client.post(deliver_url(own), data={"method": "personal"}).status_code == 403
    response = client.get("/admin/document/delivery/receipt/?id=%d" % own.id)
    assert response.status_code == 200
    assert "县住建局" in pdf_text(response.get_data(), tmp_path)  # the department receives its 交办单
    assert client.get("/admin/document/delivery/receipt/?id=%d" % theirs.id).status_code == 404
    assert not Delivery.select().exists()


def test_the_consultation_minutes_have_no_delivery(client, staff, referred):
    minutes = documents.archive("consultation_minutes", referred["petition"], Department.get(
        Department.name == "县信访局"), lambda number, at: b"%PDF-1.4", staff, record_id=1)
    for url in (deliver_url(minutes), "/admin/document/delivery/receipt/?id=%d" % minutes.id):
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "该文书为内部记录，无需送达。" in alerts(page)
    assert not Delivery.select().exists()
