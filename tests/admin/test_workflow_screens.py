"""The workflow from the screens: buttons, step forms, bulk actions, refusals, the timeline."""
import datetime as dt
import time

import pytest

from models import audit, workflow
from models.casework import Mediation, Referral, ResolutionGroup
from models.organisation import Category, Department
from models.people import Representative
from models.petition import Petition, StepRecord

from tests.admin.helpers import (
    alerts, csrf_token, english_words, field_errors, list_actions, step_buttons, submission_token, visible_text,
)


@pytest.fixture
def staff(login_as):
    return login_as("staff", display_name="张干部")


@pytest.fixture
def land_bureau(db):
    return Department.create(name="县自然资源局", short_name="高自然资源", kind="county")


def post_step(client, step, ids, data=None, follow=True):
    """Open the step's page (form or petition page) for its CSRF token, then post."""
    ids = ",".join(str(i) for i in ids)
    page = client.get("/admin/petition/step/%s/?ids=%s" % (step, ids)).get_data(as_text=True)
    if "csrf_token" not in page:  # a step without a form: its button sits on the petition's page
        page = client.get("/admin/petition/details/?id=%s" % ids.split(",")[0]).get_data(as_text=True)
    sent = dict(data or {}, csrf_token=csrf_token(page), submission_token=submission_token(page) or "")
    return client.post("/admin/petition/step/%s/?ids=%s" % (step, ids), data=sent, follow_redirects=follow)


def post_action(client, action, ids, follow=True):
    page = client.get("/admin/petition/").get_data(as_text=True)
    return client.post("/admin/petition/action/", data={"action": action, "rowid": ids, "csrf_token": csrf_token(page),
                                                        "submission_token": submission_token(page) or ""},
                       follow_redirects=follow)


def details(client, petition):
    return client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)


def test_the_county_case_through_the_screens(client, staff, form_post, land_bureau, issuing_office, db):
    town = Department.create(name="高桥镇", short_name="高桥", kind="town")
    land = Category.create(name="土地宅基地")
    wang = Representative.create(name="王春月", kind="npc_deputy")
    form_post("/admin/petition/new/", {
        "channel": "roving_reception", "received_at": "2022-12-09 09:30:00", "petitioner": "",
        "new_petitioner_name": "刘某某", "new_petitioner_phone": "13812345678", "head_count": "1",
        "subject": "宅基地及共用道路纠纷", "content": "信访人与原邻居因宅基地及共用道路发生纠纷。",
        "request_summary": "请求确认宅基地界址。",
        "category": land.id, "town": town.id})
    petition = Petition.get()
    pid = [petition.id]
    steps = [
        ("classify", {"classification": "reasonable"}),
        ("accept", {}),
        ("form_group", {"representative": wang.id, "town_officer": "高桥镇信访办 李某", "mediator": "人民调解员 赵某",
                        "lawyer": "律师 孙某"}),
        ("refer", {"department": land_bureau.id, "mode": "assign", "due_on": "", "instructions": "请现场核实界址"}),
        ("mediate", {"committee": "高桥镇人民调解委员会", "party_particulars": "刘某某，男，汉族，1970年5月3日，371526197005031234，高桥镇后屯村12号，13800138000", "dispute_facts": "院墙外扩占用共用道路。", "disputed_matters": "院墙应否恢复原址。", "parties": "刘某某、张某", "mediator": "人民调解员 赵某", "lawyer": "律师 孙某",
                     "place": "高桥镇一站式矛调中心", "agreement": "双方确认界址，恢复共用道路通行。",
                     "signed_on": dt.date.today().isoformat(), "judicial_confirmation": "none"}),
    ]
    for step, data in steps:
        assert step in step_buttons(details(client, petition)), step  # taken from its button on the page
        messages = alerts(post_step(client, step, pid, data).get_data(as_text=True))
        assert any("已办理 1 件" in m for m in messages), (step, messages)
    referral = Referral.get()
    page = client.get("/admin/referral/reply/?id=%d" % referral.id).get_data(as_text=True)
    client.post("/admin/referral/reply/?id=%d" % referral.id, data={
        "outcome": "support", "facts": "经现场核实，原邻居院墙外扩约 40 厘米。", "opinion": "支持信访人恢复共用道路的请求。",
        "legal_basis": "《信访工作条例》第三十二条", "csrf_token": csrf_token(page)})
    assert Petition.get().status == "handled"
    for step, data in [("answer", {}), ("follow_up", {"followed_on": dt.date.today().isoformat(), "method": "phone",
                                                     "evaluation": "satisfied", "comments": "满意"}), ("close", {})]:
        assert step in step_buttons(details(client, petition)), step
        post_step(client, step, pid, data)
    assert step_buttons(details(client, petition)) == {"sign_off"}  # closed: only a leader's instruction is left
    petition = Petition.get()
    assert petition.status == "closed" and petition.team.name == "合理诉求化解团队"
    assert ResolutionGroup.get().representative == wang and Mediation.get().lawyer == "律师 孙某"
    recorded = [s.step for s in petition.steps.order_by(StepRecord.id)]
    assert recorded == ["register", "classify", "accept", "form_group", "refer", "mediate", "record_reply", "answer",
                        "follow_up", "close"]
    assert all(s.by_id == staff.id for s in petition.steps)
    timeline = visible_text(client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True))
    for shown in ("登记", "分类处理", "受理", "组建“1+3”化解小组", "分诊", "调解", "记录办理结果", "答复", "复诊", "办结",
                  "签订调解协议", "县自然资源局：予以支持", "张干部"):
        assert shown in timeline, shown
    steps_in_audit = [e.summary for e in audit.AuditEntry.select().where(
        (audit.AuditEntry.action == "step") & (audit.AuditEntry.record_id == petition.id)).order_by(audit.AuditEntry.id)]
    assert steps_in_audit == recorded
    assert audit.verify_chain() is None


def test_the_petition_page_offers_only_the_steps_allowed_now(client, staff, make_petition):
    petition = make_petition()
    workflow.register(petition, staff)
    page = details(client, petition)
    assert step_buttons(page) == {"accept", "reject", "classify", "convene", "form_group", "mediate", "void",
                                  "sign_off"}
    # 受理 runs at once (a form posted from the page); 不予受理 opens its form (a link)
    assert 'action="/admin/petition/step/accept/?ids=%d"' % petition.id in page
    assert 'href="/admin/petition/step/reject/?ids=%d"' % petition.id in page
    workflow.accept(petition, staff)
    assert step_buttons(details(client, petition)) == {"refer", "record_own_result", "extend", "classify", "convene",
                                                       "form_group", "mediate", "void", "sign_off"}


@pytest.mark.parametrize("role, offered", [
    ("staff", {"accept", "reject", "classify", "convene", "form_group", "mediate", "void", "sign_off"}),
    ("leader", {"sign_off"}),
    ("representative", {"convene"}),
])
def test_the_petition_page_offers_only_the_steps_of_the_role(client, login_as, make_user, make_petition, role,
                                                              offered):
    petition = make_petition()
    workflow.register(petition, make_user("staff", username="officer"))
    user = login_as(role)
    if role == "representative":
        Petition.update(lead_representative=user.representative_id).where(Petition.id == petition.id).execute()
    assert step_buttons(details(client, petition)) == offered


@pytest.mark.parametrize("role, offered", [
    ("staff", {"accept", "reject", "refer", "classify", "convene", "extend", "answer", "follow_up", "close", "void",
               "print_letters"}),
    ("leader", set()),
    ("representative", {"follow_up", "convene"}),
])
def test_the_list_offers_the_bulk_steps_of_the_role(client, login_as, make_petition, role, offered):
    make_petition()
    login_as(role)
    assert list_actions(client.get("/admin/petition/").get_data(as_text=True)) == offered


def test_a_step_not_allowed_now_is_refused_in_chinese_and_changes_nothing(client, staff, make_petition):
    petition = make_petition()
    workflow.register(petition, staff)
    before = Petition.get_by_id(petition.id).__data__.copy()
    messages = alerts(post_step(client, "close", [petition.id]).get_data(as_text=True))
    assert any("不能“办结”" in m and "请先回访信访人（复诊）。" in m for m in messages), messages
    assert Petition.get_by_id(petition.id).__data__ == before
    assert StepRecord.select().where(StepRecord.step == "close").count() == 0


def test_bad_step_input_is_refused_and_nothing_written(client, staff, make_petition, land_bureau):
    petition = make_petition()
    workflow.register(petition, staff)
    workflow.accept(petition, staff)
    late = (Petition.get_by_id(petition.id).handling_due + dt.timedelta(days=1)).isoformat()
    response = post_step(client, "refer", [petition.id], {"department": land_bureau.id, "mode": "assign",
                                                           "due_on": late})
    page = response.get_data(as_text=True)
    assert "办理期限不能晚于法定办结期限" in " ".join(alerts(page) + field_errors(page))
    assert Referral.select().count() == 0 and Petition.get_by_id(petition.id).status == "accepted"
    response = post_step(client, "reject", [petition.id], {"reason": "", "legal_basis": ""})
    assert "必填" in " ".join(field_errors(response.get_data(as_text=True)))
    no_token = client.post("/admin/petition/step/void/?ids=%d" % petition.id, data={"reason": "误登记"})
    assert "表单已过期，请重新提交。" in alerts(no_token.get_data(as_text=True))
    assert Petition.get_by_id(petition.id).status == "accepted"


def test_bulk_referral_goes_through_for_the_rest_and_says_which_were_skipped(client, staff, make_petition,
                                                                              land_bureau):
    petitions = [make_petition(subject="事项%d" % i) for i in range(30)]
    for petition in petitions:
        workflow.register(petition, staff)
    for petition in petitions[5:]:
        workflow.accept(petition, staff)
    redirect = post_action(client, "refer", [p.id for p in petitions], follow=False)
    assert "/admin/petition/step/refer/" in redirect.headers["Location"]
    page = post_step(client, "refer", [p.id for p in petitions], {"department": land_bureau.id, "mode": "transfer"})
    messages = alerts(page.get_data(as_text=True))
    assert "分诊：已办理 25 件。" in messages
    skipped = [m for m in messages if "未办理" in m]
    assert len(skipped) == 5 and all("请先受理" in m for m in skipped)
    assert {p.number for p in petitions[:5]} == {m.split(" ")[0] for m in skipped}
    assert Referral.select().count() == 25
    assert Petition.select().where(Petition.status == "registered").count() == 5


def test_bulk_referral_of_200_petitions_in_one_request(client, staff, make_petition, land_bureau, capsys):
    petitions = [make_petition(subject="批量事项%d" % i) for i in range(200)]
    for petition in petitions:
        workflow.register(petition, staff)
        workflow.accept(petition, staff)
    ids = ",".join(str(p.id) for p in petitions)
    token = csrf_token(client.get("/admin/petition/step/refer/?ids=" + ids).get_data(as_text=True))
    started = time.perf_counter()
    response = client.post("/admin/petition/step/refer/?ids=" + ids,
                           data={"department": land_bureau.id, "mode": "assign", "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert Referral.select().count() == 200 and Petition.select().where(Petition.status == "referred").count() == 200
    with capsys.disabled():
        print("\nbulk referral of 200 petitions in one request: %.2f s" % elapsed)


def test_the_list_shows_days_left_and_filters_overdue_and_due_soon(client, staff, make_petition):
    today = dt.date.today()
    overdue = make_petition(subject="已超期的事项", status="accepted", due_on=today - dt.timedelta(days=2))
    soon = make_petition(subject="快到期的事项", status="accepted", due_on=today + dt.timedelta(days=3))
    make_petition(subject="时间充裕的事项", status="accepted", due_on=today + dt.timedelta(days=40))
    make_petition(subject="已办结的事项", status="closed", due_on=today - dt.timedelta(days=9))
    text = visible_text(client.get("/admin/petition/").get_data(as_text=True))
    assert "已超期 2 天" in text and "即将到期（剩 3 天）" in text and "剩 40 天" in text
    assert "已超期 9 天" not in text
    page = client.get("/admin/petition/").get_data(as_text=True)
    assert 'class="text-overdue"' in page and 'class="text-due-soon"' in page
    for flt, expected in (("flt0_7", overdue), ("flt0_8", soon)):
        text = visible_text(client.get("/admin/petition/?%s=1" % flt).get_data(as_text=True))
        shown = {s for s in ("已超期的事项", "快到期的事项", "时间充裕的事项", "已办结的事项") if s in text}
        assert shown == {expected.subject}


def test_convening_a_consultation_on_selected_petitions(client, staff, make_petition):
    from models.casework import Consultation

    petitions = [make_petition(subject="疑难事项%d" % i) for i in range(3)]
    for petition in petitions:
        workflow.register(petition, staff)
    wang = Representative.create(name="王春月", kind="npc_deputy")
    li = Representative.create(name="李明华", kind="cppcc_member")
    page = post_step(client, "convene", [p.id for p in petitions], {
        "held_at": "2022-12-20T14:30", "place": "联合接访大厅", "agenda": "研究三起宅基地纠纷的化解方案",
        "representatives": "%d,%d" % (wang.id, li.id), "participants-0-name": "孙某", "participants-0-role": "lawyer",
        "participants-0-unit": "明正律师事务所", "participants-1-name": "赵某", "participants-1-role": "mediator"})
    assert "会诊：已办理 3 件。" in alerts(page.get_data(as_text=True))
    consultation = Consultation.get()
    assert {link.petition_id for link in consultation.petition_links} == {p.id for p in petitions}
    assert {link.representative_id for link in consultation.representative_links} == {wang.id, li.id}
    assert sorted((p.name, p.role) for p in consultation.participants) == [("孙某", "lawyer"), ("赵某", "mediator")]


def test_step_pages_are_in_chinese(client, staff, make_petition):
    petition = make_petition()
    workflow.register(petition, staff)
    for step in ("reject", "refer", "classify", "convene", "extend", "follow_up", "record_review", "void",
                 "form_group", "mediate"):
        page = client.get("/admin/petition/step/%s/?ids=%d" % (step, petition.id)).get_data(as_text=True)
        assert english_words(page) == [], step
    assert client.get("/admin/petition/step/nonsense/?ids=1").status_code == 404


def test_a_visit_is_recorded_from_a_duty_shift_in_one_click(client, staff, form_post):
    from models.casework import DutyShift, VisitLog

    wang = Representative.create(name="王春月", kind="npc_deputy")
    # yesterday's morning shift: begun whatever the hour the test runs at (a shift not yet begun gives now)
    day = dt.date.today() - dt.timedelta(days=1)
    shift = DutyShift.create(representative=wang, on_date=day, session="am", place="联合接访大厅")
    page = client.get("/admin/visitlog/new/?shift=%d" % shift.id).get_data(as_text=True)
    assert 'name="place" type="text" value="联合接访大厅"' in page and '<option selected value="on_duty">' in page
    assert 'value="%s 09:00"' % day.isoformat() in page
    form_post("/admin/visitlog/new/?shift=%d" % shift.id, {
        "visited_at": day.isoformat() + " 09:00:00", "kind": "on_duty", "place": "联合接访大厅",
        "summary": "坐诊接待群众两人次。", "shift": shift.id})
    visit = VisitLog.get()
    assert visit.kind == "on_duty" and [r.representative for r in visit.representatives_present] == [wang]
