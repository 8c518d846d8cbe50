"""The casework screens: referrals and their replies or objections, consultations, mediations, follow-ups,
the duty roster, the audit log, and what the home page says about today."""
import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from admin_app.views.casework import Overdue
from models import workflow
from models.audit import AuditEntry
from models.casework import Consultation, DutyShift, Mediation, Referral
from models.db import now
from models.organisation import Department
from models.people import Representative
from models.petition import Petition, StepRecord

from tests.admin.helpers import alerts, csrf_token, english_words, field_errors, visible_text

USERNAMES = ["staff"]  # data shown on the audit screen


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干事")


@pytest.fixture
def housing(db):
    return Department.create(name="县住建局", short_name="住建局", kind="county")


@pytest.fixture
def deputy(db):
    return Representative.create(name="王春月", kind="npc_deputy")


@pytest.fixture
def registered(make_petition, staff):
    """registered(days_ago=0, **fields) -> a petition registered through the workflow, received days ago."""

    def registered(days_ago=0, **fields):
        petition = make_petition(received_at=now() - dt.timedelta(days=days_ago, hours=1), **fields)
        return workflow.register(petition, staff)

    return registered


@pytest.fixture
def referred(registered, staff, housing):
    """referred(days_ago=0) -> a referral to 县住建局 sent days ago (the petition accepted the same day)."""

    def referred(days_ago=0, **fields):
        at = now() - dt.timedelta(days=days_ago)
        petition = registered(days_ago, **fields)
        workflow.accept(petition, staff, at=at)
        return workflow.refer(petition, housing, staff, at=at)

    return referred


def reply(**change):
    data = {"outcome": "support", "facts": "经核查，信访人反映的道路确为共用道路。",
            "opinion": "由村委会组织双方恢复道路通行。", "legal_basis": "《中华人民共和国民法典》第二百八十八条"}
    data.update(change)
    return data


def written(petition):
    """What the workflow has written about a petition: to compare before and after a refused step."""
    return (Petition.get_by_id(petition.id).status, StepRecord.select().count(), AuditEntry.select().count(),
            [(r.state, r.outcome) for r in Referral.select().order_by(Referral.id)])


# -- every screen, in Chinese --------------------------------------------------------------------------

@pytest.fixture
def casework(staff, referred, registered, housing, deputy):
    """One of everything: a referral awaiting reply, a consultation, a mediation, a follow-up, a duty shift."""
    waiting = referred()
    answered = referred(subject="噪声扰民").petition
    workflow.record_reply(Referral.get(Referral.petition == answered), staff, **reply())
    workflow.answer(answered, staff)
    workflow.follow_up(answered, staff, followed_on=dt.date.today(), method="phone", evaluation="satisfied",
                       comments="信访人表示满意。")
    hard = registered(subject="征地补偿款分配")
    consultation = workflow.convene([hard], staff, held_at=now(), place="联合接访大厅", agenda="补偿款分配方案",
                                    representatives=[deputy], participants=[("李律师", "lawyer", "某律师事务所")])
    workflow.mediate(hard, staff, parties="刘某某、陈某某", mediator="赵调解员", place="镇街一站式矛调中心",
                     agreement="双方同意按原界址恢复道路。", signed_on=dt.date.today(), lawyer="李律师")
    DutyShift.create(representative=deputy, on_date=dt.date.today(), session="am")
    return {"referral": waiting, "consultation": consultation}


def casework_pages(casework):
    referral, consultation = casework["referral"].id, casework["consultation"].id
    return [
        "/admin/referral/", "/admin/referral/details/?id=%d" % referral, "/admin/referral/reply/?id=%d" % referral,
        "/admin/referral/object/?id=%d" % referral,
        "/admin/consultation/", "/admin/consultation/details/?id=%d" % consultation,
        "/admin/consultation/conclude/?id=%d" % consultation,
        "/admin/mediation/", "/admin/mediation/new/", "/admin/mediation/details/?id=1", "/admin/mediation/edit/?id=1",
        "/admin/followup/", "/admin/followup/details/?id=1", "/admin/followup/edit/?id=1",
        "/admin/dutyshift/", "/admin/dutyshift/new/", "/admin/dutyshift/details/?id=1", "/admin/dutyshift/edit/?id=1",
        "/admin/audit/", "/admin/audit/details/?id=1", "/admin/audit/details/?id=%d" % AuditEntry.select().count(),
        "/admin/",
    ]


def test_every_casework_screen_opens_in_chinese(client, casework):
    for url in casework_pages(casework):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_words(response.get_data(as_text=True), data=USERNAMES) == [], url


def test_the_menu_has_the_casework_screens(client, staff):
    text = visible_text(client.get("/admin/").get_data(as_text=True))
    for item in ("分诊记录", "会诊", "调解", "复诊回访", "坐诊排班", "操作日志"):
        assert item in text


def test_the_referral_list_shows_the_days_left_and_links_to_the_forms(client, casework, referred):
    late = referred(days_ago=70)  # sent 70 days ago: its due date (60 days after acceptance) has passed
    page = client.get("/admin/referral/").get_data(as_text=True)
    text = visible_text(page)
    assert "已超期 10 天" in text and 'class="text-overdue"' in page
    assert "记录办理结果" in text and "异议" in text
    assert "/admin/referral/reply/?id=%d" % late.id in page and "/admin/referral/object/?id=%d" % late.id in page
    assert late.petition.number in text and "县住建局" in text and "交办" in text


def test_the_overdue_filter_shows_only_late_referrals(client, casework, referred):
    late = referred(days_ago=70, subject="逾期未办的事项")
    view = client.application.extensions["office_views"]["referral"]
    index = [type(f) for f in view._filters].index(Overdue)
    text = visible_text(client.get("/admin/referral/?flt0_%d=1" % index).get_data(as_text=True))
    assert late.petition.number in text and casework["referral"].petition.number not in text


# -- the department's reply ------------------------------------------------------------------------------

def test_a_reply_recorded_through_the_form_moves_the_petition_to_handled(client, staff, form_post, referred):
    referral = referred()
    response = form_post("/admin/referral/reply/?id=%d" % referral.id, reply(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已记录县住建局的办理结果。" in alerts(page)
    assert referral.petition.number in visible_text(page) and "已办理" in visible_text(page)  # the petition's page
    assert Petition.get_by_id(referral.petition_id).status == "handled"
    assert Referral.get_by_id(referral.id).outcome == "support"


@pytest.mark.parametrize("change, message", [
    pytest.param({"facts": "  "}, "此项为必填项。", id="no-facts"),
    pytest.param({"outcome": ""}, "请选择办理结果。", id="no-outcome"),
    pytest.param({"outcome": "maybe"}, "", id="unknown-outcome"),
])
def test_a_reply_with_bad_input_writes_nothing(client, staff, form_post, referred, change, message):
    referral = referred()
    before = written(referral.petition)
    response = form_post("/admin/referral/reply/?id=%d" % referral.id, reply(**change))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in " ".join(alerts(page) + field_errors(page))
    assert written(referral.petition) == before


def test_a_reply_without_csrf_token_writes_nothing(client, staff, referred):
    referral = referred()
    before = written(referral.petition)
    response = client.post("/admin/referral/reply/?id=%d" % referral.id, data=reply())
    assert "表单已过期，请重新提交。" in alerts(response.get_data(as_text=True))
    assert written(referral.petition) == before


def test_a_referral_already_answered_has_no_reply_form(client, staff, referred):
    referral = referred()
    workflow.record_reply(referral, staff, **reply())
    response = client.get("/admin/referral/reply/?id=%d" % referral.id, follow_redirects=True)
    assert "该分诊已经答复或已提出异议。" in alerts(response.get_data(as_text=True))


def test_the_bulk_action_opens_the_form_of_the_one_referral_chosen(client, staff, referred):
    first, second = referred(), referred()
    token = csrf_token(client.get("/admin/referral/").get_data(as_text=True))
    one = client.post("/admin/referral/action/", data={"action": "record_reply", "rowid": [first.id],
                                                       "csrf_token": token})
    assert one.headers["Location"].endswith("/admin/referral/reply/?id=%d" % first.id)
    two = client.post("/admin/referral/action/", follow_redirects=True,
                      data={"action": "object", "rowid": [first.id, second.id], "csrf_token": token})
    assert "请只选择一条分诊记录" in " ".join(alerts(two.get_data(as_text=True)))


# -- the department's objection (5 working days) -----------------------------------------------------------

def test_an_objection_within_five_working_days_returns_the_petition_to_accepted(client, staff, form_post, referred):
    referral = referred()
    response = form_post("/admin/referral/object/?id=%d" % referral.id, {"reason": "该事项属于自然资源部门职责。"},
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已记录异议，该信访事项退回待重新分诊。" in alerts(page)
    assert "已受理" in visible_text(page)
    assert Petition.get_by_id(referral.petition_id).status == "accepted"
    assert Referral.get_by_id(referral.id).state == "objected"


def test_an_objection_after_five_working_days_is_refused_in_chinese(client, staff, form_post, referred):
    referral = referred(days_ago=15)
    before = written(referral.petition)
    response = form_post("/admin/referral/object/?id=%d" % referral.id, {"reason": "不属于本单位职责。"})
    page = response.get_data(as_text=True)
    assert any("提出异议的期限（5 个工作日）已于" in a and "届满" in a for a in alerts(page))
    assert written(referral.petition) == before


# -- consultations, mediations, follow-ups ------------------------------------------------------------------

def test_a_consultation_is_concluded_on_its_form(client, form_post, casework):
    consultation = casework["consultation"]
    response = form_post("/admin/consultation/conclude/?id=%d" % consultation.id, follow_redirects=True, data={
        "conclusion": "按人口平均分配补偿款。", "minutes": "与会人员一致同意。", "follow_up_tasks": "镇政府一周内公示。"})
    text = visible_text(response.get_data(as_text=True))
    assert "已记录会诊结论。" in text and "按人口平均分配补偿款。" in text and "镇政府一周内公示。" in text
    assert "王春月" in text and "李律师" in text  # the representatives and participants on its page
    assert Consultation.get_by_id(consultation.id).concluded_at is not None
    assert AuditEntry.select().where(AuditEntry.summary == "conclude").count() == 1


def test_a_consultation_without_conclusion_is_not_concluded(client, form_post, casework):
    consultation = casework["consultation"]
    response = form_post("/admin/consultation/conclude/?id=%d" % consultation.id, data={"conclusion": ""})
    assert "此项为必填项。" in field_errors(response.get_data(as_text=True))
    assert Consultation.get_by_id(consultation.id).concluded_at is None


def test_the_consultation_list_names_its_petitions_and_representatives(client, casework):
    text = visible_text(client.get("/admin/consultation/").get_data(as_text=True))
    petition = Petition.get(Petition.subject == "征地补偿款分配")
    assert petition.number in text and "王春月" in text and "补偿款分配方案" in text


def mediation(petition, **change):
    data = {"petition": str(petition.id), "committee": "高桥镇人民调解委员会", "party_particulars": "刘某某，男，汉族，1970年5月3日，371526197005031234，高桥镇后屯村12号，13800138000", "dispute_facts": "院墙外扩占用共用道路。", "disputed_matters": "院墙应否恢复原址。", "parties": "刘某某、陈某某", "mediator": "赵调解员", "lawyer": "李律师",
            "place": "镇街一站式矛调中心", "agreement": "双方同意按原界址恢复道路。",
            "signed_on": dt.date.today().isoformat(), "judicial_confirmation": "none"}
    data.update(change)
    return data


def test_a_mediation_created_on_the_screen_is_a_step_of_the_petition(client, staff, form_post, registered):
    petition = registered()
    response = form_post("/admin/mediation/new/", mediation(petition))
    assert response.status_code == 302
    record = Mediation.get()
    assert record.petition_id == petition.id and record.recorded_by_id == staff.id
    assert StepRecord.select().where(StepRecord.step == "mediate").count() == 1
    assert AuditEntry.select().where((AuditEntry.model == "mediation") & (AuditEntry.action == "create")).count() == 1
    text = visible_text(client.get("/admin/mediation/").get_data(as_text=True))
    assert petition.number in text and "赵调解员" in text and "未申请" in text


@pytest.mark.parametrize("change, message", [
    pytest.param({"signed_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "签订日期不能晚于今天。",
                 id="signed-tomorrow"),
    pytest.param({"agreement": " "}, "必填", id="no-agreement"),
])
def test_a_refused_mediation_writes_nothing(client, staff, form_post, registered, change, message):
    petition = registered()
    before = written(petition)
    response = form_post("/admin/mediation/new/", mediation(petition, **change))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in " ".join(alerts(page) + field_errors(page))
    assert Mediation.select().count() == 0 and written(petition) == before


def test_only_the_judicial_confirmation_of_a_mediation_is_edited(client, form_post, casework):
    record = Mediation.get()
    form_post("/admin/mediation/edit/?id=%d" % record.id,
              {"judicial_confirmation": "applied", "agreement": "改过的协议"})
    record = Mediation.get_by_id(record.id)
    assert record.judicial_confirmation == "applied" and record.agreement == "双方同意按原界址恢复道路。"


# -- the duty roster ----------------------------------------------------------------------------------

def test_a_duty_shift_is_added_and_its_visit_link_fills_the_visit_log_form(client, staff, form_post, deputy):
    response = form_post("/admin/dutyshift/new/", {"representative": str(deputy.id), "on_date": "2024-03-04",
                                                    "session": "pm", "place": "心理咨询室"})
    assert response.status_code == 302
    shift = DutyShift.get()
    visit = client.get("/admin/dutyshift/visit/?id=%d" % shift.id)
    target = urlsplit(visit.headers["Location"])
    assert visit.status_code == 302 and target.path == "/admin/visitlog/new/"
    assert parse_qs(target.query) == {"shift": [str(shift.id)], "kind": ["on_duty"], "place": ["心理咨询室"],
                                      "representative": [str(deputy.id)], "visited_at": ["2024-03-04 14:30:00"]}
    form = client.get(visit.headers["Location"]).get_data(as_text=True)
    assert 'value="心理咨询室"' in form and "2024-03-04 14:30" in form  # the visit log form, filled in
    text = visible_text(client.get("/admin/dutyshift/").get_data(as_text=True))
    assert "2024年3月4日" in text and "下午" in text and "王春月" in text and "记录接访" in text


def test_the_visit_log_form_from_a_shift_not_yet_begun_is_dated_now_not_in_the_future(client, staff, deputy):
    tomorrow = now().date() + dt.timedelta(days=1)
    shift = DutyShift.create(representative=deputy, on_date=tomorrow, session="pm", place="心理咨询室")
    visit = client.get("/admin/dutyshift/visit/?id=%d" % shift.id)
    form = client.get(visit.headers["Location"]).get_data(as_text=True)
    shown = re.search(r'<input[^>]*name="visited_at"[^>]*>', form).group(0)
    value = dt.datetime.strptime(re.search(r'value="([^"]+)"', shown).group(1)[:16], "%Y-%m-%d %H:%M")
    assert value <= now() and value.date() < tomorrow  # the form could be saved as it is



def test_a_representative_is_not_on_duty_twice_the_same_half_day(client, staff, form_post, deputy):
    DutyShift.create(representative=deputy, on_date=dt.date(2024, 3, 4), session="am")
    response = form_post("/admin/dutyshift/new/", {"representative": str(deputy.id), "on_date": "2024-03-04",
                                                    "session": "am", "place": "联合接访大厅"})
    assert "该代表委员在这个时段已有坐诊安排。" in alerts(response.get_data(as_text=True))
    assert DutyShift.select().count() == 1


# -- the audit log -------------------------------------------------------------------------------------

def test_the_audit_log_lists_a_creation_and_an_edit_made_on_another_screen(client, staff, form_post, deputy):
    form_post("/admin/dutyshift/new/", {"representative": str(deputy.id), "on_date": "2024-03-04", "session": "am",
                                        "place": "联合接访大厅"})
    shift = DutyShift.get()
    form_post("/admin/dutyshift/edit/?id=%d" % shift.id, {"representative": str(deputy.id), "on_date": "2024-03-04",
                                                          "session": "am", "place": "心理咨询室"})
    text = visible_text(client.get("/admin/audit/").get_data(as_text=True))
    assert "新增" in text and "修改" in text and "坐诊排班" in text and "staff" in text
    assert "地点: 联合接访大厅" in text and "地点: 心理咨询室" in text and "代表委员: 王春月" in text
    assert text.index("修改") < text.index("新增")  # newest first
    edit = AuditEntry.get(AuditEntry.action == "update")
    details = visible_text(client.get("/admin/audit/details/?id=%d" % edit.id).get_data(as_text=True))
    assert "地点: 联合接访大厅 → 心理咨询室" in details


@pytest.mark.parametrize("method, url, status", [
    pytest.param("get", "/admin/audit/new/", 403, id="new"),
    pytest.param("post", "/admin/audit/new/", 403, id="post-new"),
    pytest.param("get", "/admin/audit/edit/?id=1", 403, id="edit"),
    pytest.param("post", "/admin/audit/edit/?id=1", 403, id="post-edit"),
    pytest.param("post", "/admin/audit/delete/", 403, id="delete"),
    pytest.param("post", "/admin/audit/action/", 302, id="bulk-delete"),  # the list again, the action refused
])
def test_the_audit_log_cannot_be_changed_from_its_screen(client, staff, referred, method, url, status):
    referred()
    entries = [(e.id, e.hash) for e in AuditEntry.select().order_by(AuditEntry.id)]
    token = csrf_token(client.get("/admin/dutyshift/new/").get_data(as_text=True))  # the log has no form
    data = {"id": "1", "rowid": ["1", "2"], "action": "delete", "summary": "改过", "csrf_token": token}
    response = getattr(client, method)(url, data=data)
    assert response.status_code == status, response.status_code
    if status == 302:
        assert response.location.startswith("/admin/audit/")
    assert [(e.id, e.hash) for e in AuditEntry.select().order_by(AuditEntry.id)] == entries


def test_the_audit_log_is_not_shown_to_a_department(client, login_as):
    login_as("department")
    assert client.get("/admin/audit/").status_code == 403


# -- the home page ------------------------------------------------------------------------------------

def test_the_home_page_shows_who_is_on_duty_and_the_deadlines(client, staff, registered, deputy):
    DutyShift.create(representative=deputy, on_date=dt.date.today(), session="pm", place="联合接访大厅")
    DutyShift.create(representative=deputy, on_date=dt.date.today() - dt.timedelta(days=1), session="am")
    late = registered(days_ago=20)  # told within 15 days of receipt: 5 days overdue
    registered(days_ago=13)  # 2 days left: due soon
    fresh = registered(days_ago=1)
    page = client.get("/admin/").get_data(as_text=True)
    text = visible_text(page)
    assert english_words(page) == []
    assert "今日坐诊" in text and "下午 王春月 联合接访大厅 记录接访" in text
    assert "/admin/dutyshift/visit/?id=" in page
    overdue, due_soon = (visible_text(page.split('id="deadline-%d"' % i)[1].split("</div>")[0]) for i in (1, 2))
    assert overdue.endswith("1") and due_soon.endswith("1")
    assert text.index("已超期") < text.index("即将到期")
    link = re.search(r'id="deadline-1"><a [^>]*href="([^"]+)"', page)
    assert link, "the overdue count links to the petition list filtered by 已超期"
    listed = visible_text(client.get(html.unescape(link.group(1))).get_data(as_text=True))
    assert late.number in listed and fresh.number not in listed


def test_the_home_page_says_when_nobody_is_on_duty(client, staff):
    assert "今天没有安排代表委员坐诊。" in visible_text(client.get("/admin/").get_data(as_text=True))


# -- cost of the lists --------------------------------------------------------------------------------

def test_the_referral_list_runs_the_same_queries_for_5_and_20_rows(client, staff, referred, query_counter):
    counts = []
    for total in (5, 20):
        while Referral.select().count() < total:
            referred()
        with query_counter() as counter:
            assert client.get("/admin/referral/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


# -- the mediation's committee and parties' particulars (the 调解协议书 is the committee's) --------------------

@pytest.mark.parametrize("change, message", [
    pytest.param({"committee": ""}, "必填", id="no-committee"),
    pytest.param({"committee": "高桥镇矛调中心"}, "请填写人民调解委员会的全称", id="committee-not-named-as-one"),
    pytest.param({"dispute_facts": " "}, "必填", id="no-facts"),
    pytest.param({"disputed_matters": ""}, "必填", id="no-matters"),
    pytest.param({"party_particulars": "刘某某，男"}, "第1行：请依次填写姓名", id="too-few-items"),
    pytest.param({"party_particulars": "刘某某，男，汉族，，，，\n张某，未知，汉族，，，，"}, "第2行：性别应填“男”或“女”",
                 id="sex"),
    pytest.param({"party_particulars": "刘某某，男，汉族，，371526197005031235，，"}, "第1行：身份证号码的校验码不正确",
                 id="id-number"),
])
def test_a_mediation_with_bad_particulars_is_refused_in_chinese_and_writes_nothing(client, staff, form_post,
                                                                                   registered, change, message):
    petition = registered()
    before = written(petition)
    response = form_post("/admin/mediation/new/", mediation(petition, **change))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in " ".join(alerts(page) + field_errors(page))
    assert Mediation.select().count() == 0 and written(petition) == before


def test_the_mediation_form_records_the_committee_and_the_screens_mask_the_id_number(client, staff, form_post,
                                                                                     registered):
    petition = registered()
    form = client.get("/admin/mediation/new/").get_data(as_text=True)
    for label in ("人民调解委员会", "当事人基本情况", "纠纷事实", "争议事项"):
        assert label in visible_text(form)
    assert form_post("/admin/mediation/new/", mediation(petition)).status_code == 302
    record = Mediation.get()
    assert (record.committee, record.dispute_facts, record.disputed_matters) == (
        "高桥镇人民调解委员会", "院墙外扩占用共用道路。", "院墙应否恢复原址。")
    page = client.get("/admin/mediation/details/?id=%d" % record.id).get_data(as_text=True)
    assert "371526197005031234" not in page and "13800138000" not in page
    assert "371526********1234" in page and "高桥镇人民调解委员会" in page
