"""In a real browser: the petition page's next-step line and greyed steps; 受理 asks to confirm naming the
petition (data-confirm, no CDN), and once confirmed the page offers the 受理告知书."""
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
from models.people import User  # noqa: E402
from models.petition import Petition  # noqa: E402

from tests.e2e.test_browser import log_in  # noqa: E402

SCREENSHOT = os.environ.get("GUIDANCE_SCREENSHOT")  # where to keep the petition page's picture, to look at


def registered(live_server):
    petition = workflow.register(Petition(
        channel="visit", received_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        petitioner=live_server.petitioner.id, subject="宅基地确权纠纷", content="要求确权。",
        category=live_server.category.id, town=live_server.town.id), User.get(User.username == live_server.username))
    database.close()
    return petition


def test_accept_is_confirmed_naming_the_petition_then_the_notice_is_offered(page, live_server):
    petition = registered(live_server)
    log_in(page, live_server)
    page.goto("/admin/petition/details/?id=%d" % petition.id)
    expect(page.locator("#next-step")).to_contain_text("下一步：受理、不予受理。")
    grey = page.locator(".step-unavailable", has_text="分诊")
    expect(grey).to_have_attribute("title", "请先受理该信访事项。")
    expect(grey.locator("button")).to_be_disabled()
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("#step-buttons button", has_text=re.compile("^受理$")).click()
    expect(page.locator("#next-step")).to_contain_text("下一步：受理")  # 取消: nothing happened
    assert asked == ["确认受理信访事项 %s（宅基地确权纠纷）？此操作不可撤销。" % petition.number]
    assert Petition.get_by_id(petition.id).status == "registered"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#step-buttons button", has_text=re.compile("^受理$")).click()
    expect(page.locator(".alert-success")).to_contain_text("受理：已办理 1 件。")
    expect(page.locator(".alert-info").filter(has_text="下一步：向信访人出具信访事项受理告知书。")).to_be_visible()
    expect(page.locator("#next-step")).to_contain_text("下一步：分诊、自行办理并记录结果。")
    assert Petition.get_by_id(petition.id).status == "accepted"
    database.close()
