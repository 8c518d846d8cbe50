"""The petitioner's look-up on a phone (issue 16 "done when"): a phone-sized Chromium looks a petition up by its
查询码 and the phone's last 4 digits typed with the keyboard, sees its steps, evaluates the answer (不满意 with a
comment); then the clerk, logged in the back-office, sees the evaluation on the petition's timeline and in the
worklist. Screenshots when E2E_SCREENSHOTS names a directory."""
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
from models.evaluation import Evaluation  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.people import User  # noqa: E402
from models.petition import Petition  # noqa: E402

SHOTS = os.environ.get("E2E_SCREENSHOTS")
PHONE = (390, 844)


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.fixture
def answered(live_server):
    """王某某's petition: registered, accepted, 交办 to 县自然资源局, replied and answered yesterday."""
    clerk = User.get(User.username == live_server.username)
    now = dt.datetime.now().replace(microsecond=0)
    petition = Petition.create(channel="visit", received_at=now - dt.timedelta(days=20), subject="宅基地纠纷",
                               content="信访人与邻居因宅基地界址发生争议。", petitioner=live_server.petitioner)
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=now - dt.timedelta(days=19))
    department = Department.create(name="县自然资源局", short_name="高自然资", kind="county")
    referral = workflow.refer(petition, department, clerk, instructions="请核查（内部）",
                              at=now - dt.timedelta(days=18))
    workflow.record_reply(referral, clerk, "support", "经勘测属实", "支持其请求", "土地管理法",
                          at=now - dt.timedelta(days=2))
    workflow.answer(petition, clerk, at=now - dt.timedelta(days=1))
    petition = Petition.get_by_id(petition.id)
    database.close()
    return petition


def test_a_petitioner_looks_up_and_evaluates_on_a_phone_and_the_clerk_sees_it(browser, live_server, answered, page):
    phone = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": PHONE[0],
                                "height": PHONE[1]}, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.set_default_timeout(10_000)
    mobile = phone.new_page()
    try:
        mobile.goto("/chaxun")
        expect(mobile.locator("h1")).to_have_text("信访事项查询")
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE[0]  # no sideways scrolling on a phone
        mobile.locator("#code").click()
        mobile.keyboard.type(answered.query_code.lower())  # typed as it comes, in lower case
        mobile.keyboard.press("Tab")
        mobile.keyboard.type("0000")  # wrong digits first
        shot(mobile, "chaxun-phone.png")
        mobile.keyboard.press("Enter")
        expect(mobile.locator(".error")).to_have_text("查询码或号码后四位不正确，请核对后重试。")
        mobile.locator("#last4").click()
        mobile.keyboard.type("5678")
        mobile.keyboard.press("Enter")
        steps = mobile.locator("#steps")
        for word in ("登记", "受理", "交办", "县自然资源局", "答复"):
            expect(steps).to_contain_text(word)
        expect(mobile.locator("#number")).to_have_text(answered.number)
        body = mobile.locator("body").inner_text()
        for secret in ("王某某", "张三", "13812345678", "宅基地界址", "内部", "经勘测属实", "土地管理法"):
            assert secret not in body, secret
        assert not any(c["name"] == "session" for c in phone.cookies())
        shot(mobile, "chaxun-result.png")

        mobile.locator("label[for=comment]").scroll_into_view_if_needed()
        mobile.locator("#rating-dissatisfied").focus()
        mobile.keyboard.press("Space")
        mobile.locator("#comment").click()
        mobile.keyboard.type("院墙还没有拆除")
        mobile.locator("#evaluate button").click()
        expect(mobile.locator(".message")).to_have_text("感谢你的评价，已记录。")
        expect(mobile.locator("#rating-dissatisfied")).to_be_checked()
        shot(mobile, "chaxun-evaluated.png")
    finally:
        phone.close()
    found = Evaluation.get()
    database.close()
    assert (found.rating, found.comment) == ("dissatisfied", "院墙还没有拆除")

    page.goto("/login")
    page.locator("#username").press_sequentially(live_server.username)
    page.locator("#password").press_sequentially(live_server.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("body")).to_contain_text("信访人不满意；可于")
    page.goto("/admin/petition/details/?id=%d" % answered.id)
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("信访人评价")
    expect(timeline).to_contain_text("不满意（查询页面评价）")
    expect(timeline).to_contain_text("院墙还没有拆除")
    timeline.scroll_into_view_if_needed()
    shot(page, "chaxun-clerk-timeline.png")
