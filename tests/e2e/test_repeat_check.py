"""In a real browser: admin_app/static/repeat_check.js on the petition form shows a possible repeat, with a link,
before the petition is saved (templates/admin/model/petition_form_create.html includes it)."""
import datetime as dt
import os
import re

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is missing (%s): the browser tests are skipped" % CHROMIUM, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from models.db import database  # noqa: E402
from models.petition import Petition  # noqa: E402

from tests.e2e.test_browser import choose, log_in  # noqa: E402


def test_a_possible_repeat_is_shown_before_saving(page, live_server):
    open_one = Petition.create(channel="visit", received_at=dt.datetime(2023, 3, 1, 9, 0),
                               petitioner=live_server.petitioner.id, subject="宅基地确权纠纷", content="要求确权。",
                               category=live_server.category.id, town=live_server.town.id, village="河东村")
    other = Petition.create(channel="visit", received_at=dt.datetime(2023, 3, 2, 9, 0),
                            petitioner=live_server.petitioner.id, subject="另一件", content="另一件事。")
    Petition.update(status="closed").where(Petition.id == other.id).execute()
    database.close()
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    notice = page.locator("#repeat-notice")
    choose(page, "petitioner", "王某", "王某某")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("可能重复信访：有 1 件相似的未办结信访事项")
    link = notice.locator("a", has_text=open_one.number)
    expect(link).to_have_attribute("href", "/admin/petition/details/?id=%d" % open_one.id)
    expect(notice).to_contain_text("宅基地确权纠纷（登记，2023年3月1日；同一信访人未办结的信访事项）")
    expect(notice).not_to_contain_text(other.number)  # a closed petition is no repeat


def test_the_same_village_and_category_without_a_petitioner_on_record(page, live_server):
    Petition.create(channel="visit", received_at=dt.datetime(2023, 3, 1, 9, 0), petitioner=live_server.petitioner.id,
                    subject="宅基地确权纠纷", content="要求确权。", category=live_server.category.id,
                    town=live_server.town.id, village="河东村")
    database.close()
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    page.fill("#new_petitioner_name", "赵铁柱")
    choose(page, "category", "土地", "土地宅基地")
    expect(page.locator("#repeat-notice")).to_be_hidden()  # a category alone says nothing
    page.fill("#village", "河东村")
    expect(page.locator("#repeat-notice")).to_contain_text("同村同类未办结的信访事项")
    page.fill("#village", "河西村")
    expect(page.locator("#repeat-notice")).to_be_hidden()
    assert re.search(r"/admin/petition/new/", page.url)
