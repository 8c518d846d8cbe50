"""督办 in a real browser (issue 16 §3): the clerk opens an overdue referral, follows 督办, chooses 约谈, types the
opinion, starts it (a double click starts it once) and issues the 督办单; the department's user finds it in 我的待办,
types its reply and sends it; the list shows 已反馈. Screenshots of each role's pages when E2E_SCREENSHOTS names a
directory."""
import datetime as dt
import os
import re

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is missing (%s): the browser tests are skipped" % CHROMIUM, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from models import workflow  # noqa: E402
from models.db import database  # noqa: E402
from models.documents import Document  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.people import User  # noqa: E402
from models.petition import Petition  # noqa: E402
from models.supervision import Supervision  # noqa: E402

SHOTS = os.environ.get("E2E_SCREENSHOTS")
PASSWORD = "correct-horse-1"
TODAY = dt.date.today()


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def stored(query):
    try:
        return query()
    finally:
        database.close()


@pytest.fixture
def overdue(live_server):
    """A referral to 县住建局 past its deadline by 5 days, and the department's user."""
    Department.create(name="县信访局", short_name="高信访", kind="county")
    housing = Department.create(name="县住建局", short_name="高住建", kind="county")
    clerk = User.get(User.username == live_server.username)
    user = User(username="zhujian", display_name="住建局联络员", role="department", department=housing)
    user.set_password(PASSWORD)
    user.save()
    at = dt.datetime.combine(TODAY - dt.timedelta(days=25), dt.time(10))
    petition = Petition.create(channel="visit", received_at=at, subject="小区外墙脱落", content="信访人反映小区外墙脱落。",
                               request_summary="请求修复外墙。", petitioner=live_server.petitioner)
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=at + dt.timedelta(days=1))
    referral = workflow.refer(petition, housing, clerk, due_on=TODAY - dt.timedelta(days=5),
                              at=at + dt.timedelta(days=5))
    database.close()
    return referral


def sign_in(page, username, password):
    page.goto("/login")
    page.locator("#username").press_sequentially(username)
    page.locator("#password").press_sequentially(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_a_supervision_from_an_overdue_referral_to_the_departments_reply(page, live_server, overdue):
    sign_in(page, live_server.username, live_server.password)
    page.goto("/admin/referral/details/?id=%d" % overdue.id)
    page.locator("#referral-supervise a").click()
    expect(page.locator("body")).to_contain_text("交办逾期未办结")
    page.locator("#kind").select_option(label="约谈")
    page.locator("#note").press_sequentially("请你单位主要负责同志于三日内到信访局说明情况。")
    shot(page, "supervise-form.png")
    page.locator("form.admin-form [type=submit]").first.dblclick()
    expect(page).to_have_url(re.compile(r"/admin/supervision/"))
    expect(page.locator(".alert").first).to_be_visible()  # started, or (the second click) already open
    assert stored(lambda: Supervision.select().count()) == 1  # the double click started one
    page.goto("/admin/supervision/details/?id=%d" % stored(lambda: Supervision.get().id))
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#issue-sheet").click()
    expect(page.locator(".alert-success")).to_be_visible()
    shot(page, "supervision-details.png")
    sheet = stored(lambda: Document.get(Document.kind == "supervision_sheet"))
    expect(page.locator("body")).to_contain_text(sheet.number)

    page.locator("#logout-form button").click()
    sign_in(page, "zhujian", PASSWORD)
    expect(page.locator("#count-work-supervisions")).to_have_text("1")
    shot(page, "department-home.png")
    page.locator("#work-supervisions a", has_text="登记督办反馈").first.click()
    page.locator("#reply").press_sequentially("已约谈相关负责人，外墙已修复并书面答复信访人。")
    page.locator("form.admin-form [type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.goto("/admin/supervision/")
    expect(page.locator("body")).to_contain_text("已反馈")
    shot(page, "department-supervisions.png")
    replied = stored(lambda: Supervision.get())
    assert replied.replied_at is not None and replied.reply == "已约谈相关负责人，外墙已修复并书面答复信访人。"
