"""The issue's whole case: 刘某's petition of 2022年12月9日 typed in today, back-dated through every step from the
screens; the timeline, the deadlines and every letter (read back from the PDFs) show the 2022/2023 dates."""
import datetime as dt
import io
import re

from pypdf import PdfReader

from models.casework import Referral
from models.documents import Document
from models.organisation import Department
from models.petition import Petition

from tests.admin.forms import model_form
from tests.admin.helpers import csrf_token, visible_text
from tests.admin.test_backdating_screens import post_step


def issue(client, petition, kind, record=""):
    page = client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)
    client.post("/admin/petition/letter/issue/?id=%d&kind=%s&record=%s" % (petition.id, kind, record),
                data={"csrf_token": csrf_token(page)}, follow_redirects=True)


def pdf_text(document):
    reader = PdfReader(io.BytesIO(bytes(document.pdf)))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_a_2022_case_typed_in_today_shows_its_own_dates_everywhere(client, login_as, issuing_office):
    login_as("staff", display_name="张干部")
    bureau = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    data = model_form(client.get("/admin/petition/new/").get_data(as_text=True))
    data.update(channel="visit", received_at="2022年12月9日 9:30", subject="宅基地纠纷", content="要求依法处理。",
                request_summary="要求依法处理。",
                new_petitioner_name="刘某", new_petitioner_phone="13912345678")
    client.post("/admin/petition/new/", data=data)
    petition = Petition.get()
    assert petition.number.startswith("XF-2022-") and petition.received_at == dt.datetime(2022, 12, 9, 9, 30)

    post_step(client, "accept", petition, {"at": "2022年12月10日 9:00"})
    issue(client, petition, "acceptance_notice")
    post_step(client, "refer", petition, {"department": bureau.id, "mode": "assign", "due_on": "", "instructions": "",
                                          "at": "2022年12月12日 10:00"})
    referral = Referral.get()
    issue(client, petition, "referral_notice", referral.id)
    page = client.get("/admin/referral/reply/?id=%d" % referral.id).get_data(as_text=True)
    client.post("/admin/referral/reply/?id=%d" % referral.id, data={
        "outcome": "support", "facts": "经现场核实。", "opinion": "支持恢复共用道路。", "legal_basis": "《信访工作条例》",
        "at": "2023年1月10日 15:00", "csrf_token": csrf_token(page)})
    post_step(client, "answer", petition, {"at": "2023年1月15日 10:00"})
    post_step(client, "follow_up", petition, {"followed_on": "2023年1月20日", "method": "phone",
                                              "evaluation": "satisfied", "comments": "满意", "at": "2023年1月20日 11:00"})
    post_step(client, "close", petition, {"at": "2023年1月25日 16:00"})

    petition = Petition.get_by_id(petition.id)
    assert petition.status == "closed"
    assert (petition.accepted_at, petition.answered_at, petition.closed_at) == (
        dt.datetime(2022, 12, 10, 9), dt.datetime(2023, 1, 15, 10), dt.datetime(2023, 1, 25, 16))
    assert petition.handling_due == dt.date(2023, 2, 8)  # 60 days from the 2022 acceptance, not from today

    this_year = "%d年" % dt.date.today().year
    letters = {d.kind: d for d in Document.select()}
    assert set(letters) >= {"acceptance_notice", "referral_notice", "handling_opinion"}
    dated = {"acceptance_notice": "2022年12月10日", "referral_notice": "2022年12月12日",
             "handling_opinion": "2023年1月15日"}
    for kind, day in dated.items():
        text = pdf_text(letters[kind])
        assert day in text[-60:], (kind, text[-60:])  # the letter's own date, under the signature
        assert this_year not in text, kind
        assert re.search(r"〔202[23]〕", letters[kind].number), letters[kind].number
    assert "本机关已于2022年12月10日依法受理" in pdf_text(letters["acceptance_notice"])

    text = visible_text(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    days = ["2022年12月9日", "2022年12月10日", "2022年12月12日", "2023年1月10日", "2023年1月15日", "2023年1月20日",
            "2023年1月25日"]
    timeline = text[text.index("办理过程"):] if "办理过程" in text else text
    positions = [timeline.find(day) for day in days]
    assert -1 not in positions and positions == sorted(positions), list(zip(days, positions))
