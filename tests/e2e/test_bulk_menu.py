"""In a real browser: the petition list's bulk menu greys the actions none of the checked rows allows (with the
reason as its title, and a click that does nothing), and enables them again for a row that allows them."""
import datetime as dt
import os

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

SCREENSHOT = os.environ.get("BULK_MENU_SCREENSHOT")  # where to keep the greyed menu's picture, to look at
WHY = "所勾选的信访事项当前都不能办理此项，原因见各信访事项页面的“下一步”。"


def two_petitions(live_server):
    """One registered (to be accepted), one accepted (to be referred)."""
    clerk = User.get(User.username == live_server.username)

    def registered(subject):
        return workflow.register(Petition(
            channel="visit", received_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
            petitioner=live_server.petitioner.id, subject=subject, content="要求确权。",
            category=live_server.category.id, town=live_server.town.id), clerk)

    new = registered("宅基地确权纠纷")
    accepted = workflow.accept(registered("道路通行纠纷"), clerk)
    database.close()
    return new, accepted


def test_the_bulk_menu_follows_the_checked_rows(page, live_server):
    new, accepted = two_petitions(live_server)
    log_in(page, live_server)
    page.goto("/admin/petition/")
    menu = page.locator("#bulk-actions")
    accept, refer = menu.locator('[data-action="accept"]'), menu.locator('[data-action="refer"]')
    expect(accept).to_have_attribute("aria-disabled", "false")  # nothing checked: the menu as it was

    page.locator('input.action-checkbox[value="%d"]' % accepted.id).check()
    page.locator("a.dropdown-toggle", has_text="选中的").click()
    expect(accept).to_have_attribute("aria-disabled", "true")
    expect(accept).to_have_attribute("title", WHY)
    expect(accept).to_have_class("dropdown-item step-unavailable")
    expect(refer).to_have_attribute("aria-disabled", "false")
    expect(menu.locator('[data-action="print_letters"]')).to_have_attribute("aria-disabled", "false")
    if SCREENSHOT:
        accept.hover()
        page.screenshot(path=SCREENSHOT)
    accept.click(force=True)  # greyed: nothing is sent (Playwright itself sees it as disabled)
    page.wait_for_timeout(300)
    expect(page).to_have_url(live_server.url + "/admin/petition/")

    page.locator('input.action-checkbox[value="%d"]' % new.id).check()  # one of the two allows 受理
    expect(accept).to_have_attribute("aria-disabled", "false")
    expect(accept).not_to_have_attribute("title", WHY)
    page.locator(".action-rowtoggle").uncheck()  # none checked again
    expect(refer).to_have_attribute("aria-disabled", "false")
    assert Petition.get_by_id(new.id).status == "registered"
    database.close()
