"""登记他机关出具的文书 from the petition's page: the clerk records 县人民政府's 复查意见书 (organ, 文号, date, scan);
the page, the 文书 register and the downloads show it as that organ's letter; a scan that is not one is refused in
Chinese on the form with nothing stored; a department never reaches the form."""
import datetime as dt
import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from models import workflow
from models.casework import Referral
from models.documents import Document
from models.organisation import Department
from models.petition import Petition

from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, log_out, visible_text

SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj " \
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
URL = "/admin/petition/letter/record/?id=%d&kind=%s&record="


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (120, 170), (250, 250, 245)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def staff(login_as, issuing_office):
    return login_as("staff", display_name="张干部")


@pytest.fixture
def reviewed(make_petition, staff):
    """A petition whose 复查 opinion is recorded: its 复查意见书 may be generated or recorded as issued elsewhere."""
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    petition = workflow.register(make_petition(received_at=dt.datetime.now() - dt.timedelta(days=40)), staff)
    workflow.accept(petition, staff)
    workflow.refer(petition, land, staff)
    workflow.record_reply(Referral.get(Referral.petition == petition), staff, "support", "属实。", "予以支持。",
                          "《中华人民共和国民法典》第二百八十八条")
    workflow.answer(petition, staff)
    workflow.request_review(petition, staff)
    workflow.record_review(petition, staff, "予以维持。")
    return Petition.get_by_id(petition.id)


def post_scan(client, petition, data, name="复查意见书.pdf", kind="review_opinion", **fields):
    page = client.get(URL % (petition.id, kind)).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "organ": "县人民政府", "number": "高政复〔2026〕3号",
            "issued_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(), **fields,
            "scan": (io.BytesIO(data), name)}
    return client.post(URL % (petition.id, kind), data=form, content_type="multipart/form-data",
                       follow_redirects=True)


def test_the_clerk_records_the_county_governments_review_opinion_with_its_scan(client, staff, reviewed):
    page = client.get("/admin/petition/details/?id=%d" % reviewed.id).get_data(as_text=True)
    assert re.search(r'href="/admin/petition/letter/record/\?id=%d&amp;kind=review_opinion' % reviewed.id, page)
    assert "他机关已出具：登记" in visible_text(page)
    form = client.get(URL % (reviewed.id, "review_opinion")).get_data(as_text=True)
    assert "登记他机关出具的信访事项复查意见书" in visible_text(form) and 'value="县人民政府"' in form  # the organ it would be
    assert english_words(form, data=("JPEG", "PNG")) == []  # the formats' own names

    shown = post_scan(client, reviewed, SCAN).get_data(as_text=True)
    assert "已登记县人民政府出具的信访事项复查意见书 高政复〔2026〕3号。" in alerts(shown)
    document = Document.get()
    assert bytes(document.pdf) == SCAN and document.external_number == "高政复〔2026〕3号"
    documents = visible_text(shown.split('id="documents"', 1)[1].split("</table>", 1)[0])
    assert "高政复〔2026〕3号（县人民政府出具）" in documents and "复查意见书" in documents
    assert 'letter/record/?id=%d&amp;kind=review_opinion' % reviewed.id not in shown  # once; void to record anew
    assert 'href="/admin/document/reissue/?id=%d"' % document.id not in shown  # never generated in its name
    assert 'href="/admin/document/void/?id=%d"' % document.id in shown

    download = client.get("/admin/document/download/?id=%d" % document.id)
    assert download.data == SCAN and download.mimetype == "application/pdf"
    assert "%E9%AB%98%E6%94%BF%E5%A4%8D" in download.headers["Content-Disposition"]  # 高政复…, its own 文号
    register = client.get("/admin/document/").get_data(as_text=True)
    assert "高政复〔2026〕3号（县人民政府出具）" in visible_text(register)
    details = client.get("/admin/document/details/?id=%d" % document.id).get_data(as_text=True)
    assert "县人民政府" in visible_text(details) and "%d年" % (dt.date.today() - dt.timedelta(days=1)).year in details
    refused = client.get("/admin/document/reissue/?id=%d" % document.id, follow_redirects=True)
    assert "他机关出具的文书只能作废后重新登记，不能由本机关重新印发。" in alerts(refused.get_data(as_text=True))


def test_a_photographed_letter_is_kept_as_an_image_and_printed_on_a_page(client, staff, reviewed):
    post_scan(client, reviewed, jpeg(), name="照片.jpg")
    document = Document.get()
    download = client.get("/admin/document/download/?id=%d&inline=1" % document.id)
    assert download.mimetype == "image/jpeg" and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("inline;") and download.data == bytes(document.pdf)
    merged = client.get("/admin/document/merged/?ids=%d" % document.id)
    assert merged.mimetype == "application/pdf" and len(PdfReader(io.BytesIO(merged.data)).pages) == 1


@pytest.mark.parametrize("data, name, message", [
    (b"<html><body>not a scan</body></html>", "复查意见书.pdf", "该文件不是 PDF、JPEG 或 PNG（按文件内容判断，而非文件名）"),
    (b"", "空.pdf", "请选择文书扫描件（PDF、JPEG 或 PNG）；所传文件为空。"),
])
def test_a_file_that_is_not_a_scan_is_refused_on_the_form_and_nothing_is_stored(client, staff, reviewed, data, name,
                                                                              message):
    page = post_scan(client, reviewed, data, name=name).get_data(as_text=True)
    assert any(message in error for error in field_errors(page))
    assert 'value="高政复〔2026〕3号"' in page  # what was typed is kept
    assert Document.select().count() == 0


def test_a_file_over_the_limit_is_refused_without_reading_it_all(app, client, staff, reviewed):
    app.config["UPLOAD_MAX_MB"] = 1
    page = post_scan(client, reviewed, b"%PDF-" + b"0" * (1024 * 1024 + 10)).get_data(as_text=True)
    assert any("文件超过 1 MB" in error for error in field_errors(page))
    assert Document.select().count() == 0


def test_a_date_in_the_future_is_refused_on_its_field(client, staff, reviewed):
    page = post_scan(client, reviewed, SCAN, issued_on=(dt.date.today() + dt.timedelta(days=3)).isoformat())
    assert "出具日期不能晚于今天。" in field_errors(page.get_data(as_text=True))
    assert Document.select().count() == 0


def test_an_expired_form_is_refused_and_nothing_is_stored(client, staff, reviewed):
    response = client.post(URL % (reviewed.id, "review_opinion"), data={
        "organ": "县人民政府", "number": "高政复〔2026〕3号", "issued_on": dt.date.today().isoformat(),
        "scan": (io.BytesIO(SCAN), "a.pdf")}, content_type="multipart/form-data")
    assert Document.select().count() == 0
    assert response.status_code == 200 and "表单已过期" in " ".join(alerts(response.get_data(as_text=True)))


def test_a_department_never_reaches_the_form(client, login_as, reviewed):
    log_out(client)
    login_as("department")
    assert client.get(URL % (reviewed.id, "review_opinion")).status_code in (403, 404)
    response = client.post(URL % (reviewed.id, "review_opinion"), data={"scan": (io.BytesIO(SCAN), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code in (403, 404) and Document.select().count() == 0


def test_a_letter_that_is_not_an_opinion_has_no_form(client, staff, reviewed):
    response = client.get(URL % (reviewed.id, "acceptance_notice"), follow_redirects=True)
    assert "该文书不能登记为他机关出具。" in alerts(response.get_data(as_text=True))


def test_the_same_form_posted_twice_records_once(client, staff, reviewed):
    """A double click, or Back and 登记 again: the form's one-time token (admin_app/once.py) answers the second."""
    page = client.get(URL % (reviewed.id, "review_opinion")).get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": csrf_token(page), "submission_token": token, "organ": "县人民政府",
            "number": "高政复〔2026〕3号", "issued_on": dt.date.today().isoformat()}
    for _ in range(2):
        response = client.post(URL % (reviewed.id, "review_opinion"), data=dict(form, scan=(io.BytesIO(SCAN), "a.pdf")),
                               content_type="multipart/form-data", follow_redirects=True)
    assert Document.select().count() == 1
    assert "此表单已保存，未重复登记。" in " ".join(alerts(response.get_data(as_text=True)))
