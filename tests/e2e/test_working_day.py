"""One working day of the office, in a real browser, as its people do it (issue 14's "done when"):
the clerk's 待办 → 受理 with the 受理告知书 → 交办; the town's 待办 → its result; the clerk's 答复 with the
处理意见书; a representative's shift → a visit log (the representative already present); a 会诊 on two
petitions with one 会诊纪要; a 12345 ticket reviewed into a petition; a case the studio's "1+3" group resolved,
answered without a referral. Each role's home page is kept as a screenshot when E2E_SCREENSHOTS names a
directory (to look at)."""
import datetime as dt
import os
import re
import subprocess

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is missing (%s): the browser tests are skipped" % CHROMIUM, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from models import workflow  # noqa: E402
from models.casework import Consultation, DutyShift, OwnResult, Referral, VisitLog, VisitRepresentative  # noqa: E402
from models.db import database  # noqa: E402
from models.documents import Document  # noqa: E402
from models.hotline import HotlineTicket  # noqa: E402
from models.hotline_mapping import HotlineMapping  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.people import Representative, Team, User  # noqa: E402
from models.petition import Petition  # noqa: E402

SHOTS = os.environ.get("E2E_SCREENSHOTS")
PASSWORD = "correct-horse-1"


def stored(query):
    """Read the database from the test's own thread (the server thread has its own connection)."""
    try:
        return query()
    finally:
        database.close()


def make_user(username, display_name, role, **links):
    user = User(username=username, display_name=display_name, role=role, **links)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page, username, display_name):
    page.context.clear_cookies()
    page.goto("/login")
    page.locator("#username").press_sequentially(username)
    page.locator("#password").press_sequentially(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator(".navbar")).to_contain_text(display_name)


def home_shot(page, role):
    expect(page.locator("#worklist")).to_be_visible()
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, "home-%s.png" % role), full_page=True)


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


@pytest.fixture
def office(live_server):
    """The county's people: the town's clerk, a representative on duty today, and a petition received this
    morning at the window, registered."""
    Department.create(name="县信访局", short_name="高信访", kind="county")  # issues the office's letters
    town_clerk = make_user("gaoqiao", "高桥镇信访办", "department", department=live_server.town.id)
    representative = Representative.create(name="李代表", kind="npc_deputy", level="county")
    make_user("lidaibiao", "李代表", "representative", representative=representative.id)
    today = dt.date.today()
    shift = DutyShift.create(representative=representative, on_date=today,
                             session="am" if dt.datetime.now().hour < 12 else "pm")
    clerk = User.get(User.username == live_server.username)
    petition = workflow.register(Petition(
        channel="visit", received_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        petitioner=live_server.petitioner.id, subject="宅基地确权纠纷",
        content="信访人与邻居因宅基地界址发生纠纷，要求依法确权。",
        category=live_server.category.id, town=live_server.town.id), clerk)
    database.close()
    return {"petition": petition, "town_clerk": town_clerk, "representative": representative, "shift": shift}


def test_a_working_day(page, live_server, office):
    petition = office["petition"]
    accept_dialogs(page)

    # 信访干部: 待办 → 受理 → 受理告知书 → 交办 to the town.
    sign_in(page, live_server.username, "张三")
    home_shot(page, "staff-morning")
    to_accept = page.locator("#worklist a", has_text=petition.number).first
    expect(to_accept).to_be_visible()
    to_accept.click()
    expect(page).to_have_url(re.compile(r"/admin/petition/details/"))
    page.locator("#step-buttons button", has_text=re.compile("^受理$")).click()
    expect(page.locator(".alert-success")).to_contain_text("受理：已办理 1 件。")
    offer = page.locator(".letter-offer button")
    expect(offer).to_contain_text("受理告知书")
    offer.click()
    expect(page.locator(".alert-success")).to_contain_text("受理告知书")
    assert stored(lambda: Document.select().where(Document.petition == petition.id,
                                                  Document.kind == "acceptance_notice").count()) == 1

    page.locator("#step-buttons a, #step-buttons button", has_text=re.compile("^分诊")).first.click()
    page.click("#s2id_department .select2-choice")
    page.locator("#select2-drop .select2-input").press_sequentially("高桥")
    page.locator("#select2-drop .select2-result-selectable", has_text="高桥镇").click()
    page.locator("#instructions").press_sequentially("请依法核实界址，30日内反馈。")
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_contain_text("分诊：已办理 1 件。")
    referral = stored(lambda: Referral.get(Referral.petition == petition.id))
    assert referral.department_id == live_server.town.id

    # 承办单位 (高桥镇): its 待办 → the referral → its result.
    sign_in(page, "gaoqiao", "高桥镇信访办")
    home_shot(page, "department")
    line = page.locator("#worklist .list-group-item", has_text=petition.subject)
    expect(line).to_contain_text("要求依法确权")
    line.locator("a", has_text="录入答复").click()
    page.select_option("#outcome", label="予以支持")
    page.locator("#facts").press_sequentially("经实地核查，界址以1998年宅基地证为准。")
    page.locator("#opinion").press_sequentially("支持信访人确权请求。")
    page.locator("#legal_basis").press_sequentially("《中华人民共和国土地管理法》第十二条")
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert stored(lambda: Referral.get_by_id(referral.id).outcome) == "support"

    # 信访干部: the reply is in → 答复 with the 处理意见书.
    sign_in(page, live_server.username, "张三")
    home_shot(page, "staff-afternoon")
    page.locator("#worklist a", has_text=petition.number).first.click()
    page.locator("#step-buttons a, #step-buttons button", has_text=re.compile("^答复")).first.click()
    expect(page.locator(".alert-success").filter(has_text="答复：已办理 1 件。")).to_be_visible()
    expect(page.locator(".alert-success").filter(has_text="信访事项处理意见书")).to_be_visible()
    assert stored(lambda: Petition.get_by_id(petition.id).status) == "answered"

    # 代表委员: today's shift → a visit log of the petitioner who came to the studio.
    sign_in(page, "lidaibiao", "李代表")
    home_shot(page, "representative")
    shift_line = page.locator("#worklist .list-group-item", has_text="联合接访大厅")
    expect(shift_line).to_be_visible()
    shift_line.locator("a", has_text="记录接访").click()
    expect(page).to_have_url(re.compile(r"/admin/visitlog/new/"))
    expect(page.locator("form.admin-form")).to_contain_text("李代表")  # the representative on duty, present
    page.locator("#summary").press_sequentially("群众来访反映村道积水问题，已当场解释并告知向镇政府反映的渠道。")
    page.locator("input[type=submit][value=保存]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    visit = stored(lambda: VisitLog.select().order_by(VisitLog.id.desc()).first())
    assert visit.summary.startswith("群众来访反映村道积水问题")
    assert stored(lambda: [link.representative_id for link in VisitRepresentative.select().where(
        VisitRepresentative.visit == visit.id)]) == [office["representative"].id]

    # 领导: the cases it leads (包案) and those waiting for its 签批, on its own home page.
    make_user("lijuzhang", "李局长", "leader")
    database.close()
    sign_in(page, "lijuzhang", "李局长")
    home_shot(page, "leader")
    expect(page.locator("#worklist")).not_to_contain_text("记录接访")


def registered(live_server, subject, accepted=False):
    clerk = User.get(User.username == live_server.username)
    petition = workflow.register(Petition(
        channel="visit", received_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=2),
        petitioner=live_server.petitioner.id, subject=subject, content="信访人反映%s，要求依法处理。" % subject,
        category=live_server.category.id, town=live_server.town.id), clerk)
    if accepted:  # the next morning
        petition = workflow.accept(petition, clerk, at=petition.received_at + dt.timedelta(days=1))
    database.close()
    return petition


def pick_many(page, field, typed, expected):
    """Add a record to a select2 multiple type-ahead by typing a few characters."""
    page.locator("#s2id_%s input.select2-input" % field).press_sequentially(typed)
    page.locator("#select2-drop .select2-result-selectable", has_text=expected).click()
    expect(page.locator("#s2id_%s" % field)).to_contain_text(expected)


def pdf_text(document_id):
    data = stored(lambda: bytes(Document.get_by_id(document_id).pdf))
    return re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                                             check=True).stdout.decode("utf-8"))


def test_a_consultation_on_two_petitions_has_one_minutes(page, live_server, office):
    """会诊 on two petitions from the list: one meeting, concluded on its page, one 会诊纪要 whose number both
    petitions' pages show."""
    first, second = office["petition"], registered(live_server, "征地补偿款分配", accepted=True)
    accept_dialogs(page)
    sign_in(page, live_server.username, "张三")
    page.goto("/admin/petition/")
    for petition in (first, second):
        page.locator('input.action-checkbox[value="%d"]' % petition.id).check()
    page.locator("a.dropdown-toggle", has_text="选中的").click()
    page.locator('#bulk-actions [data-action="convene"]').click()
    expect(page).to_have_url(re.compile(r"/step/convene/"))
    held = dt.datetime.now() - dt.timedelta(minutes=20)  # after the petitions came in: this morning's meeting
    page.locator("#held_at").press_sequentially("%d年%d月%d日 %d:%02d" % (held.year, held.month, held.day, held.hour,
                                                                         held.minute))
    page.keyboard.press("Escape")  # the picker closes; the typed text stays
    page.locator("#place").fill("联合接访大厅")
    page.locator("#agenda").press_sequentially("研究两件相关联的土地纠纷的化解方案")
    pick_many(page, "representatives", "李", "李代表")
    page.locator("#participants-0-name").press_sequentially("赵明")
    page.locator("#participants-0-unit").press_sequentially("明正律师事务所")
    page.select_option("#participants-0-role", label="律师")
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_contain_text("会诊")
    meeting = stored(lambda: Consultation.get())

    page.goto("/admin/consultation/details/?id=%d" % meeting.id)
    expect(page.locator("#participants")).to_contain_text("明正律师事务所")
    page.locator("#conclude").click()
    page.locator("#conclusion").press_sequentially("两件一并化解：按1998年确权图确定界址，补偿款按人口分配。")
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    page.goto("/admin/consultation/details/?id=%d" % meeting.id)
    page.locator("#issue-minutes").click()
    number = page.locator("#minutes-letter a").first
    expect(number).to_contain_text("号")
    minutes = stored(lambda: list(Document.select().where(Document.kind == "consultation_minutes")))
    assert len(minutes) == 1
    for petition in (first, second):  # each petition's letters name the one 会诊纪要
        page.goto("/admin/petition/details/?id=%d" % petition.id)
        expect(page.locator("body")).to_contain_text(minutes[0].number)
    text = pdf_text(minutes[0].id)
    assert "赵明（律师，明正律师事务所）" in text and first.number in text and second.number in text


def test_a_12345_ticket_is_reviewed_into_a_petition(page, live_server, office):
    """转为信访事项 opens the petition form filled from the ticket; the clerk corrects the unknown town and saves."""
    HotlineMapping.create(kind="keyword", source="宅基地", category=live_server.category.id)
    ticket = HotlineTicket.create(
        number="12345-2026-08801", called_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=3),
        caller="孙立平", phone="13900001111", area="清平镇", kind="投诉",
        content="来电人反映邻居违规占用其宅基地建房，多次协商未果。请求有关部门依法处理并恢复原状。")
    database.close()
    sign_in(page, live_server.username, "张三")
    page.goto("/admin/hotlineticket/details/?id=%d" % ticket.id)
    page.locator("#to-petition").click()
    expect(page).to_have_url(re.compile(r"/admin/petition/new/\?ticket="))
    expect(page.locator("form.admin-form")).to_contain_text("清平镇")  # named as not found among the towns
    expect(page.locator("#subject")).to_have_value("来电人反映邻居违规占用其宅基地建房，多次协商未果")
    expect(page.locator("#new_petitioner_name")).to_have_value("孙立平")
    page.click("#s2id_town .select2-choice")
    page.locator("#select2-drop .select2-input").press_sequentially("高桥")
    page.locator("#select2-drop .select2-result-selectable", has_text="高桥镇").click()
    page.locator("input[type=submit][value=保存]").click()
    expect(page.locator(".alert-success").filter(has_text="工单 12345-2026-08801 已登记为信访事项")).to_be_visible()
    petition = stored(lambda: HotlineTicket.get_by_id(ticket.id).petition)
    assert (petition.channel, petition.town_id, petition.category_id) == (
        "hotline", live_server.town.id, live_server.category.id)
    assert petition.petitioner.name == "孙立平" and petition.content.startswith("来电人反映邻居违规占用")


def test_a_case_the_studio_resolved_is_answered_without_a_referral(page, live_server, office):
    """The "1+3" group mediated; the clerk records the studio's own result and answers: the 处理意见书 says the
    studio handled it, and no department was ever referred."""
    team = Team.create(code="mediation", name="矛盾调处团队") if not Team.select().exists() else Team.select().first()
    petition = registered(live_server, "邻里排水纠纷", accepted=True)
    clerk = User.get(User.username == live_server.username)
    workflow.form_group(Petition.get_by_id(petition.id), clerk, office["representative"], "高桥镇信访办王某",
                        "人民调解员赵某", "律师钱某")
    database.close()
    accept_dialogs(page)
    sign_in(page, live_server.username, "张三")
    page.goto("/admin/petition/details/?id=%d" % petition.id)
    page.locator("#step-buttons a, #step-buttons button", has_text="自行办理并记录结果").first.click()
    page.select_option("#handled_by", label="“两代表一委员”工作室")
    page.select_option("#team", label=team.name)
    page.select_option("#outcome", label="予以支持")
    page.locator("#facts").press_sequentially("经“1+3”化解小组调解，双方同意共同出资修建排水沟。")
    page.locator("#opinion").press_sequentially("支持信访人疏通排水的请求。")
    page.locator("#legal_basis").press_sequentially("《中华人民共和国民法典》第二百九十条")
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    expect(page.locator(".alert-success").first).to_be_visible()
    assert stored(lambda: OwnResult.get(OwnResult.petition == petition.id).handled_by) == "studio"
    page.locator("#step-buttons a, #step-buttons button", has_text=re.compile("^答复")).first.click()
    expect(page.locator(".alert-success").filter(has_text="信访事项处理意见书")).to_be_visible()
    assert stored(lambda: Petition.get_by_id(petition.id).status) == "answered"
    assert stored(lambda: Referral.select().where(Referral.petition == petition.id).count()) == 0
    opinion = stored(lambda: Document.get(Document.petition == petition.id, Document.kind == "handling_opinion"))
    assert "经本局“两代表一委员”工作室（%s）办理" % team.name in pdf_text(opinion.id)
