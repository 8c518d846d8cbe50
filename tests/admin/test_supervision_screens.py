"""督办 on the screens: started from an overdue referral (the escalation offer and its reason shown), the 督办单
issued and read back from its PDF, the department's reply, the list's filters, the worklists and the home page's
figures; a department sees only its own 督办 (list, details, reply form, export, letter)."""
import datetime as dt
import re
import subprocess

import pytest

from models import workflow
from models.casework import Referral
from models.documents import Document
from models.organisation import Department
from models.supervision import Supervision

from tests.admin.helpers import alerts, log_out, visible_text

TODAY = dt.date.today()


def days_ago(n, hour=10):
    return dt.datetime.combine(TODAY - dt.timedelta(days=n), dt.time(hour))


@pytest.fixture
def app(db, db_url):
    from admin_app import create_app

    return create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test-secret", "TESTING": True,
                       "LETTER_CONTACT": "王小红", "LETTER_CONTACT_PHONE": "0536-7654321"})


@pytest.fixture
def county(db, issuing_office, make_petition, make_user):
    """Two departments, each with a referral overdue since 5 days (assigned 20 days ago), and a clerk."""
    ours = Department.create(name="县住建局", short_name="高住建", kind="county")
    theirs = Department.create(name="县人社局", short_name="高人社", kind="county")
    clerk = make_user("staff", username="officer")
    referrals = {}
    for department, subject in ((ours, "住建局逾期的事项"), (theirs, "人社局逾期的事项")):
        petition = make_petition(subject=subject, received_at=days_ago(25))
        workflow.register(petition, clerk)
        workflow.accept(petition, clerk, at=days_ago(24))
        referrals[department.name] = workflow.refer(petition, department, clerk, due_on=TODAY - dt.timedelta(days=5),
                                                    at=days_ago(20))
    return {"ours": ours, "theirs": theirs, "clerk": clerk, "referrals": referrals}


def work_group(page, key):
    """The visible text of one group of the home page's worklist."""
    return visible_text(page.split('id="work-%s"' % key)[1].split('id="work-')[0])


def pdf_text(pdf, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def flat(text):
    return "".join(text.split())


def test_a_supervision_runs_from_an_overdue_referral_to_the_departments_reply(client, login_as, form_post, county,
                                                                              tmp_path):
    referral = county["referrals"]["县住建局"]
    login_as("staff", username="clerk2")

    # the referral's page offers 督办; so does the petition's
    page = client.get("/admin/referral/details/?id=%d" % referral.id).get_data(as_text=True)
    assert 'id="referral-supervise"' in page and "督办" in visible_text(page)
    petition_page = visible_text(client.get("/admin/petition/details/?id=%d" % referral.petition_id)
                                 .get_data(as_text=True))
    assert "督办县住建局（逾期）" in petition_page

    form = visible_text(client.get("/admin/supervision/supervise/?referral=%d" % referral.id).get_data(as_text=True))
    assert "交办逾期未办结" in form and "县住建局" in form and "未提出" in form  # no escalation offered
    due = TODAY + dt.timedelta(days=7)
    response = form_post("/admin/supervision/supervise/?referral=%d" % referral.id, {
        "kind": "interview", "note": "请你单位主要负责同志于三日内到信访局说明情况，抓紧办结。", "due_on": due.isoformat()})
    assert response.status_code == 302, alerts(response.get_data(as_text=True))
    supervision = Supervision.get()
    assert (supervision.kind, supervision.grounds, supervision.department_id) == ("interview", "overdue",
                                                                                 county["ours"].id)
    assert response.location.endswith("/admin/supervision/details/?id=%d" % supervision.id)

    # the 督办单, issued through the letter engine, numbered and archived, read back from its PDF
    details = client.get("/admin/supervision/details/?id=%d" % supervision.id).get_data(as_text=True)
    assert 'id="issue-sheet"' in details
    form_post("/admin/supervision/sheet/?id=%d" % supervision.id, {},
              form_url="/admin/supervision/details/?id=%d" % supervision.id)
    sheet = Document.get((Document.kind == "supervision_sheet") & (Document.record_id == supervision.id))
    assert sheet.number == "高信访〔%d〕1号" % TODAY.year
    details = client.get("/admin/supervision/details/?id=%d" % supervision.id).get_data(as_text=True)
    assert sheet.number in details and 'id="issue-sheet"' not in details
    documents_list = visible_text(client.get("/admin/document/").get_data(as_text=True))
    assert sheet.number in documents_list and "督办单" in documents_list
    document_page = visible_text(client.get("/admin/document/details/?id=%d" % sheet.id).get_data(as_text=True))
    assert "县住建局 %d年%d月%d日" % (TODAY.year, TODAY.month, TODAY.day) in document_page  # the 督办 it is about
    download = client.get("/admin/document/download/?id=%d" % sheet.id)
    assert download.data.startswith(b"%PDF")
    text = pdf_text(download.data, tmp_path)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[:3] == ["督办单", sheet.number, "县住建局："]
    body = flat(text)
    for phrase in ("“住建局逾期的事项”信访事项", "现已逾期，未见办理结果", "一、督办方式：约谈。",
                   "二、督办意见：请你单位主要负责同志于三日内到信访局说明情况，抓紧办结。",
                   "三、反馈时限：请于%d年%d月%d日前将办理情况书面反馈本机关" % (due.year, due.month, due.day),
                   "（联系人：王小红，联系电话：0536-7654321）", "县信访局"):
        assert phrase in body, phrase

    # the department sees it in its worklist, opens the reply form and replies
    log_out(client)
    login_as("department", username="zhujian", department=county["ours"])
    home = client.get("/admin/").get_data(as_text=True)
    assert 'id="count-work-supervisions">1<' in home
    assert "住建局逾期的事项" in work_group(home, "supervisions") and "登记督办反馈" in work_group(home, "supervisions")
    assert client.get("/admin/document/download/?id=%d" % sheet.id).data.startswith(b"%PDF")  # its own 督办单
    form = visible_text(client.get("/admin/supervision/respond/?id=%d" % supervision.id).get_data(as_text=True))
    assert "请你单位主要负责同志于三日内到信访局说明情况" in form
    response = form_post("/admin/supervision/respond/?id=%d" % supervision.id,
                         {"reply": "已约谈相关负责人，现场核实后已向信访人书面答复。"})
    assert response.status_code == 302, alerts(response.get_data(as_text=True))
    replied = Supervision.get_by_id(supervision.id)
    assert replied.replied_at is not None and replied.on_time and replied.replied_by.username == "zhujian"
    listing = visible_text(client.get("/admin/supervision/").get_data(as_text=True))
    assert "已反馈" in listing
    assert 'id="count-work-supervisions">0<' in client.get("/admin/").get_data(as_text=True)


def test_escalation_is_offered_with_its_reason_and_recorded(client, login_as, form_post, county, make_petition):
    clerk = county["clerk"]
    petition = make_petition(subject="三次转办的事项", received_at=days_ago(25))
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=days_ago(24))
    for n, name in enumerate(("县民政局", "县水利局")):
        department = Department.create(name=name, short_name="高" + name[1:3], kind="county")
        sent = workflow.refer(petition, department, clerk, at=days_ago(23 - 2 * n))
        workflow.object_to_referral(sent, clerk, "不属于本单位职权范围", at=days_ago(22 - 2 * n))
    referral = workflow.refer(petition, county["ours"], clerk, due_on=TODAY - dt.timedelta(days=2), at=days_ago(18))
    login_as("staff", username="clerk2")
    page = visible_text(client.get("/admin/supervision/supervise/?referral=%d" % referral.id).get_data(as_text=True))
    assert "建议提级督办：已经3个单位办理。" in page
    form_page = client.get("/admin/supervision/supervise/?referral=%d" % referral.id).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="escalate"|<input[^>]*name="escalate"[^>]*checked', form_page)
    petition_page = visible_text(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    assert "可提级督办：已经3个单位办理。" in petition_page
    form_post("/admin/supervision/supervise/?referral=%d" % referral.id,
              {"kind": "joint", "note": "请联合有关部门会商。", "escalate": "y"})
    supervision = Supervision.get()
    assert supervision.escalated and supervision.escalation_reason == "已经3个单位办理。"
    assert "已经3个单位办理。" in visible_text(client.get("/admin/supervision/details/?id=%d" % supervision.id)
                                         .get_data(as_text=True))


def test_a_referral_not_overdue_is_refused_with_the_reason(client, login_as, county, make_petition):
    clerk = county["clerk"]
    petition = make_petition(subject="未到期的事项", received_at=days_ago(3))
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=days_ago(2))
    referral = workflow.refer(petition, county["ours"], clerk, at=days_ago(1))
    login_as("staff", username="clerk2")
    assert 'id="referral-supervise"' not in client.get("/admin/referral/details/?id=%d" % referral.id).get_data(
        as_text=True)
    response = client.get("/admin/supervision/supervise/?referral=%d" % referral.id, follow_redirects=True)
    assert "只有逾期仍未反馈的交办（转送）才能督办。" in alerts(response.get_data(as_text=True))
    assert Supervision.select().count() == 0


def test_a_bad_form_shows_the_error_in_chinese_and_writes_nothing(client, login_as, form_post, county):
    referral = county["referrals"]["县住建局"]
    login_as("staff", username="clerk2")
    page = form_post("/admin/supervision/supervise/?referral=%d" % referral.id,
                     {"kind": "written", "note": "  ", "due_on": ""}).get_data(as_text=True)
    assert "必填" in visible_text(page) and Supervision.select().count() == 0


def supervise_both(county):
    made = {}
    for name, referral in county["referrals"].items():
        made[name] = workflow.supervision.start(referral.petition, county["clerk"], "written", name + "请抓紧办理。",
                                                referral=referral)
    return made


def test_a_department_sees_only_its_own_supervisions_everywhere(app, client, login_as, form_post, county):
    from admin_app.letters import render as letters

    made = supervise_both(county)
    # and a petition of both: 县人社局's 督办 on a petition 县住建局 also handles (it sees the petition, not that 督办)
    shared = county["referrals"]["县住建局"].petition
    # the shared petition's second referral and its 督办 are made directly: the 督办's row scope is under test
    Referral.create(petition=shared, department=county["theirs"], due_on=TODAY - dt.timedelta(days=1),
                    sent_at=days_ago(10))
    made["shared"] = Supervision.create(petition=shared, department=county["theirs"], grounds="overdue",
                                        note="人社局的督办意见", due_on=TODAY + dt.timedelta(days=3))
    with app.test_request_context("/"):
        sheets = {name: letters.issue_letter("supervision_sheet", s.petition, county["clerk"], record_id=s.id)
                  for name, s in made.items()}
    login_as("department", username="zhujian", department=county["ours"])
    mine = made["县住建局"]
    listing = visible_text(client.get("/admin/supervision/").get_data(as_text=True))
    assert "人社局的督办意见" not in listing and listing.count(shared.number) == 1  # its own 督办 of it only
    petition_page = visible_text(client.get("/admin/petition/details/?id=%d" % shared.id).get_data(as_text=True))
    assert sheets["shared"].number not in petition_page and "县人社局" not in petition_page.split("督办")[-1]
    for url in ("/admin/supervision/details/?id=%d" % made["shared"].id,
                "/admin/supervision/respond/?id=%d" % made["shared"].id,
                "/admin/document/download/?id=%d" % sheets["shared"].id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "人社局的督办意见" not in response.get_data(as_text=True) and not response.data.startswith(b"%PDF")
    other = made["县人社局"]
    listing = visible_text(client.get("/admin/supervision/").get_data(as_text=True))
    assert mine.petition.number in listing and other.petition.number not in listing and "县人社局" not in listing
    for url in ("/admin/supervision/details/?id=%d" % other.id, "/admin/supervision/respond/?id=%d" % other.id,
                "/admin/document/download/?id=%d" % sheets["县人社局"].id,
                "/admin/document/details/?id=%d" % sheets["县人社局"].id,
                "/admin/document/merged/?ids=%d" % sheets["县人社局"].id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "人社局" not in response.get_data(as_text=True) and not response.data.startswith(b"%PDF"), url
    response = form_post("/admin/supervision/respond/?id=%d" % other.id, {"reply": "越权反馈"},
                         form_url="/admin/supervision/respond/?id=%d" % mine.id)
    assert response.status_code == 404 and Supervision.get_by_id(other.id).replied_at is None
    assert client.post("/admin/supervision/sheet/?id=%d" % other.id).status_code in (403, 404)
    assert client.get("/admin/supervision/export/csv/").status_code == 403  # no export for a department
    assert client.get("/admin/supervision/ajax/lookup/?name=petition&query=a").status_code in (403, 404)
    documents = visible_text(client.get("/admin/document/").get_data(as_text=True))
    assert sheets["县住建局"].number in documents and sheets["县人社局"].number not in documents
    assert sheets["shared"].number not in documents
    assert client.get("/admin/supervision/details/?id=%d" % mine.id).status_code == 200
    home = visible_text(client.get("/admin/").get_data(as_text=True))
    assert "人社局逾期的事项" not in home
    # a department starts no 督办 and issues no 督办单
    assert client.get("/admin/supervision/supervise/?referral=%d" % county["referrals"]["县住建局"].id
                      ).status_code == 403


def test_a_leaders_export_holds_the_supervisions_it_may_see(client, login_as, county):
    supervise_both(county)
    login_as("leader", username="leader")
    response = client.get("/admin/supervision/export/csv/")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert "县住建局" in text and "县人社局" in text and "待反馈" in text


def test_the_list_filters_by_kind_department_state_and_overdue(client, login_as, county):
    made = supervise_both(county)
    workflow.supervision.reply(made["县人社局"], county["clerk"], "已办结。")
    Supervision.update(due_on=TODAY - dt.timedelta(days=1)).where(Supervision.id == made["县住建局"].id).execute()
    login_as("staff", username="clerk2")
    page = client.get("/admin/supervision/").get_data(as_text=True)

    names = {s.petition.number: name for name, s in (("住建局逾期的事项", made["县住建局"]),
                                                      ("人社局逾期的事项", made["县人社局"]))}

    def shown(args):
        text = visible_text(client.get("/admin/supervision/?" + args).get_data(as_text=True))
        return {name for number, name in names.items() if number in text}

    view = client.application.extensions["office_views"]["supervision"]
    index = {{"StateFilter": "状态", "OverdueFilter": "已超期"}.get(type(f).__name__) or {
        "kind": "督办方式", "department": "承办单位", "grounds": "督办事由"}[f.column.name]: i
        for i, f in enumerate(view._filters)}
    for label in index:  # the list shows each filter under its Chinese name
        assert label in visible_text(page), label
    assert shown("flt0_%d=overdue" % index["状态"]) == {"住建局逾期的事项"}
    assert shown("flt0_%d=replied" % index["状态"]) == {"人社局逾期的事项"}
    assert shown("flt0_%d=1" % index["已超期"]) == {"住建局逾期的事项"}
    assert shown("flt0_%d=0" % index["已超期"]) == {"人社局逾期的事项"}
    assert shown("flt0_%d=%d" % (index["承办单位"], county["theirs"].id)) == {"人社局逾期的事项"}
    assert shown("flt0_%d=written" % index["督办方式"]) == {"住建局逾期的事项", "人社局逾期的事项"}
    assert shown("flt0_%d=joint" % index["督办方式"]) == set()


def test_the_office_worklist_and_the_home_figures(client, login_as, county):
    made = supervise_both(county)
    workflow.supervision.reply(made["县人社局"], county["clerk"], "已办结。")
    Supervision.update(due_on=TODAY - dt.timedelta(days=1)).where(Supervision.id == made["县住建局"].id).execute()
    login_as("staff", username="clerk2")
    page = client.get("/admin/").get_data(as_text=True)
    assert 'id="count-work-supervisions_overdue">1<' in page
    overdue = work_group(page, "supervisions_overdue")
    assert "住建局逾期的事项" in overdue and "县住建局" in overdue and "人社局逾期的事项" not in overdue
    block = '<div id="' + page.split('id="supervision-figures"')[1].split('id="definitions"')[0]
    numbers = visible_text(block)
    assert "督办件数" in numbers and "按期反馈率" in numbers
    assert re.search(r"督办件数\s*2", numbers) and re.search(r"按期反馈率\s*50\.0%", numbers), numbers
