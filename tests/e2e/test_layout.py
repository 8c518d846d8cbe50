"""In a real browser at 1366 px: the petition list uses the whole width, its statuses and numbers stay on one
line, and text typed into the search box survives 应用 on a filter (admin_app/static/office.js)."""
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

from tests.e2e.test_browser import log_in  # noqa: E402

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a directory to keep the pages' pictures in, to look at
LONG = "宅基地及共用道路纠纷，要求相关部门依法确权并恢复通行，同时赔偿因此造成的庄稼损失和误工费用"

# the height of an element's own text (a range over its contents) against one line of its line height
LINES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const line = parseFloat(getComputedStyle(el).lineHeight);
  return range.getBoundingClientRect().height / line;
}"""


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)

def test_the_list_at_1366_px_keeps_statuses_on_one_line_and_the_typed_search_on_apply(page, live_server):
    created = []
    for i in range(25):
        created.append(Petition.create(channel="visit", received_at=dt.datetime(2023, 3, 1, 9, 0) + dt.timedelta(days=i),
                        petitioner=live_server.petitioner.id, subject=("%s%d" % (LONG, i)) if i % 2 else "工资拖欠",
                        content="内容。", category=live_server.category.id, town=live_server.town.id))
    Petition.update(status="not_accepted").where(Petition.id.in_([p.id for p in created[::3]])).execute()
    database.close()
    log_in(page, live_server)
    page.goto("/admin/petition/")
    assert page.viewport_size["width"] == 1366
    table = page.locator("table.model-list")
    assert table.bounding_box()["width"] > 1200  # the whole screen, not Bootstrap's 1,140 px column
    for selector in ("td.col-status", "td.col-number", "td.col-received_at", "td.col-is_repeat"):
        for cell in page.locator(selector).all()[:5]:
            assert cell.evaluate(LINES) < 1.5, (selector, cell.inner_text())
    shot(page, "list-1366.png")

    page.fill("form[role=search] input[name=search]", "宅基地")  # typed, not searched
    page.locator(".field-filters").locator("xpath=preceding-sibling::a").click()
    page.locator(".field-filters a.filter").get_by_text("状态", exact=True).click()
    page.locator("#filter_form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"search=%E5%AE%85%E5%9F%BA%E5%9C%B0|search=宅基地"))
    expect(page.locator("form[role=search] input[name=search]")).to_have_value("宅基地")
    expect(page.locator("#filter-chips")).to_contain_text("当前筛选：")
    expect(page.locator("#filter-chips")).to_contain_text("状态：登记")
    subjects = page.locator("td.col-subject").all_inner_texts()
    assert subjects and all("宅基地" in s for s in subjects)
    shot(page, "list-1366-filtered.png")
