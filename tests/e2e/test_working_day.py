"""One working day of the office, in a real browser, as its people do it (issue 14's "done when"):
the clerk's 待办 → 受理 with the 受理告知书 → 交办; the town's 待办 → its result; the clerk's 答复 with the
处理意见书; a representative's shift → a visit log. Each role's home page is kept as a screenshot when
WORKING_DAY_SHOTS names a directory (to look at)."""
import datetime as dt
import os
import re

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is missing (%s): the browser tests are skipped" % CHROMIUM, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from models import workflow  # noqa: E402
from models.casework import DutyShift, Referral, VisitLog  # noqa: E402
from models.db import database  # noqa: E402
from models.documents import Document  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.people import Representative, User  # noqa: E402
from models.petition import Petition  # noqa: E402

SHOTS = os.environ.get("WORKING_DAY_SHOTS")
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
    page.locator("#summary").press_sequentially("群众来访反映村道积水问题，已当场解释并告知向镇政府反映的渠道。")
    page.locator("input[type=submit][value=保存]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    visit = stored(lambda: VisitLog.select().order_by(VisitLog.id.desc()).first())
    assert visit.summary.startswith("群众来访反映村道积水问题")
    page.screenshot(path="/work/shots/dbg.png", full_page=True)
