"""补录 from the screens: 办理时间 typed on a step form, refused out of order on the field in Chinese, the button's
one-click path for today's work, the timeline in the order things happened, and a corrected 收到时间 recomputing
the deadlines with an audit entry."""
import datetime as dt
import json

import pytest

from models import workflow
from models.audit import AuditEntry
from models.organisation import Department
from models.petition import Petition, StepRecord

from tests.admin.forms import model_form
from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, log_out, visible_text

RECEIVED = dt.datetime(2022, 12, 9, 9, 30)


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干部")


@pytest.fixture
def case(db, make_petition, staff):
    """A 2022 petition typed in now."""
    return workflow.register(make_petition(received_at=RECEIVED), staff)


def step_page(client, step, petition):
    return client.get("/admin/petition/step/%s/?ids=%d" % (step, petition.id)).get_data(as_text=True)


def post_step(client, step, petition, data):
    page = step_page(client, step, petition)
    return client.post("/admin/petition/step/%s/?ids=%d" % (step, petition.id),
                       data=dict(data, csrf_token=csrf_token(page)), follow_redirects=True).get_data(as_text=True)


def test_a_step_is_back_dated_by_its_time_typed_in_chinese(client, staff, case, issuing_office):
    bureau = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    page = step_page(client, "accept", case)  # the button's step has a small form too, with 办理时间 alone
    assert "办理时间" in visible_text(page) and not english_words(page)
    post_step(client, "accept", case, {"at": "2022年12月10日 9:00"})
    petition = Petition.get_by_id(case.id)
    assert petition.accepted_at == dt.datetime(2022, 12, 10, 9, 0)
    assert petition.handling_due == dt.date(2023, 2, 8)
    page = post_step(client, "refer", case, {"department": bureau.id, "mode": "assign", "due_on": "",
                                            "instructions": "", "at": "2022年12月12日 10:00"})
    assert any("已办理 1 件" in m for m in alerts(page))
    step = StepRecord.get(StepRecord.step == "refer")
    assert step.at == dt.datetime(2022, 12, 12, 10, 0) and step.recorded_at.date() == dt.date.today()
    assert step.by_id == staff.id
    text = visible_text(client.get("/admin/petition/details/?id=%d" % case.id).get_data(as_text=True))
    # the timeline in the order things happened, each back-dated step saying when it was typed in
    assert text.index("2022年12月9日") < text.index("2022年12月10日") < text.index("2022年12月12日")
    assert "补录" in text


def test_a_time_before_the_received_time_is_refused_on_the_field_with_nothing_written(client, staff, case):
    steps, entries = StepRecord.select().count(), AuditEntry.select().count()
    page = post_step(client, "accept", case, {"at": "2022年12月8日 9:00"})
    assert any("办理时间不能早于收到时间（2022年12月9日 09:30）" in e for e in field_errors(page))
    assert (StepRecord.select().count(), AuditEntry.select().count()) == (steps, entries)
    assert Petition.get_by_id(case.id).status == "registered"


def test_a_time_in_the_future_is_refused_on_the_field(client, staff, case):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    page = post_step(client, "accept", case, {"at": "%d年%d月%d日 9:00" % (tomorrow.year, tomorrow.month, tomorrow.day)})
    assert any("不能晚于当前时间" in e for e in field_errors(page))
    assert Petition.get_by_id(case.id).status == "registered"


def test_the_button_takes_todays_step_in_one_click(client, staff, case):
    details = client.get("/admin/petition/details/?id=%d" % case.id).get_data(as_text=True)
    assert "补录" in visible_text(details)
    client.post("/admin/petition/step/accept/?ids=%d" % case.id, data={"csrf_token": csrf_token(details)})
    accepted_at = Petition.get_by_id(case.id).accepted_at
    assert accepted_at is not None and accepted_at.date() == dt.date.today()


def test_correcting_the_received_time_recomputes_the_deadlines_audited(client, staff, case):
    assert Petition.get_by_id(case.id).due_on == dt.date(2022, 12, 24)
    url = "/admin/petition/edit/?id=%d" % case.id
    page = client.get(url).get_data(as_text=True)
    data = model_form(page)
    data["received_at"] = ["2022年12月1日 9:00"]
    client.post(url, data=data)
    petition = Petition.get_by_id(case.id)
    assert petition.received_at == dt.datetime(2022, 12, 1, 9, 0)
    assert (petition.due_on, petition.notice_due, petition.referral_due) == ((dt.date(2022, 12, 16),) * 3)
    entry = (AuditEntry.select().where((AuditEntry.model == "petition") & (AuditEntry.action == "update"))
             .order_by(AuditEntry.id.desc()).get())
    assert json.loads(entry.before)["due_on"] == "2022-12-24" and json.loads(entry.after)["due_on"] == "2022-12-16"
    assert json.loads(entry.after)["received_at"].startswith("2022-12-01")


def test_a_received_time_after_the_first_step_is_refused_on_the_field(client, staff, case):
    workflow.accept(case, staff, at=dt.datetime(2022, 12, 10, 9, 0))
    url = "/admin/petition/edit/?id=%d" % case.id
    data = model_form(client.get(url).get_data(as_text=True))
    data["received_at"] = ["2022年12月11日 9:00"]
    page = client.post(url, data=data).get_data(as_text=True)
    assert any("收到时间不能晚于第一个办理环节" in e for e in field_errors(page))
    assert Petition.get_by_id(case.id).received_at == RECEIVED


def test_the_acceptance_notice_of_a_back_dated_acceptance_prints_its_2022_dates(client, staff, case, issuing_office):
    import io

    from pypdf import PdfReader

    from models.documents import Document

    post_step(client, "accept", case, {"at": "2022年12月10日 9:00"})
    page = client.get("/admin/petition/details/?id=%d" % case.id).get_data(as_text=True)
    client.post("/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record=" % case.id,
                data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    document = Document.get(Document.kind == "acceptance_notice")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(bytes(document.pdf))).pages)
    assert "你于2022年12月9日以来访方式提出的" in text
    assert "本机关已于2022年12月10日依法受理" in text and "即于2023年2月8日前办结" in text
    # the letter itself bears the day of the step it records, and that year's number (补录 of a 2022 case)
    assert "〔2022〕" in document.number and document.year == 2022 and document.issued_at.date() == dt.date(2022, 12, 10)
    assert text.rstrip().endswith("2022年12月10日") or "2022年12月10日" in text[-40:], text[-80:]


def test_a_letter_of_a_step_taken_today_is_dated_today(client, staff, case, issuing_office):
    from models.documents import Document

    post_step(client, "accept", case, {})
    page = client.get("/admin/petition/details/?id=%d" % case.id).get_data(as_text=True)
    client.post("/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record=" % case.id,
                data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    document = Document.get(Document.kind == "acceptance_notice")
    assert document.issued_at.date() == dt.date.today() and document.year == dt.date.today().year


def test_a_steps_time_is_corrected_on_its_form_and_the_deadlines_follow(client, staff, case):
    workflow.accept(case, staff, at=dt.datetime(2022, 12, 10, 9, 0))
    record = StepRecord.get(StepRecord.step == "accept")
    details = client.get("/admin/petition/details/?id=%d" % case.id).get_data(as_text=True)
    assert "更正办理时间" in visible_text(details)
    url = "/admin/petition/step-time/?id=%d" % case.id
    page = client.get(url).get_data(as_text=True)
    assert "2022年12月10日 09:00 受理" in visible_text(page) and not english_words(page)
    page = client.post(url, data={"step": record.id, "at": "2022年12月8日 9:00", "csrf_token": csrf_token(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert any("办理时间不能早于收到时间" in e for e in field_errors(page))
    assert Petition.get_by_id(case.id).accepted_at == dt.datetime(2022, 12, 10, 9, 0)
    client.post(url, data={"step": record.id, "at": "2022年12月9日 15:00", "csrf_token": csrf_token(page)})
    petition = Petition.get_by_id(case.id)
    assert petition.accepted_at == dt.datetime(2022, 12, 9, 15, 0) and petition.handling_due == dt.date(2023, 2, 7)
    assert StepRecord.get_by_id(record.id).at == dt.datetime(2022, 12, 9, 15, 0)
    entry = (AuditEntry.select().where((AuditEntry.model == "petition") & (AuditEntry.action == "update"))
             .order_by(AuditEntry.id.desc()).get())
    assert json.loads(entry.after)["handling_due"] == "2023-02-07" and entry.username == staff.username


def test_a_representative_cannot_correct_a_steps_time(client, login_as, case):
    log_out(client)
    login_as("representative")
    assert client.get("/admin/petition/step-time/?id=%d" % case.id).status_code in (403, 404)


def test_the_audit_log_shows_when_a_step_happened_and_when_it_was_typed_in(client, staff, case, login_as):
    post_step(client, "accept", case, {"at": "2022年12月10日 9:00"})
    entry = AuditEntry.select().where((AuditEntry.action == "step") & (AuditEntry.summary == "accept")).get()
    log_out(client)
    login_as("admin", username="root")
    page = client.get("/admin/audit/details/?id=%d" % entry.id).get_data(as_text=True)
    text = visible_text(page)
    assert "办理时间: 2022年12月10日 09:00" in text and "录入时间: %d年" % dt.date.today().year in text
    assert staff.username in text  # who typed it in
    assert not english_words(page, data=("root", staff.username))  # the usernames are data
