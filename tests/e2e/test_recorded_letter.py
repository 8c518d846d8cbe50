"""登记他机关出具的文书 in a real browser (issue 15 §1): the clerk opens a reviewed petition, follows "他机关已出具：
登记" beside the 复查意见书, types the 文号 and the date, chooses the scan, and records it with a double click; the
petition's 文书 shows the county government's letter once; Back and submitting again records nothing more. The
pages are kept as screenshots when E2E_SCREENSHOTS names a directory."""
import datetime as dt
import os
import re

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is missing (%s): the browser tests are skipped" % CHROMIUM, allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from models import workflow  # noqa: E402
from models.casework import Referral  # noqa: E402
from models.db import database  # noqa: E402
from models.documents import Document  # noqa: E402
from models.organisation import Department  # noqa: E402
from models.people import User  # noqa: E402
from models.petition import Petition  # noqa: E402

SHOTS = os.environ.get("E2E_SCREENSHOTS")
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj " \
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.fixture
def reviewed(live_server):
    """A petition whose 复查 opinion 县人民政府 decided, recorded as a step; the clerk is the live server's."""
    Department.create(name="县信访局", short_name="高信访", kind="county")
    land = Department.create(name="县自然资源局", short_name="高自然资", kind="county")
    clerk = User.get(User.username == live_server.username)
    petition = Petition.create(channel="visit", received_at=dt.datetime.now() - dt.timedelta(days=50),
                               subject="宅基地纠纷", content="信访人与邻居因宅基地发生争议。",
                               petitioner=live_server.petitioner)
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk)
    workflow.refer(petition, land, clerk)
    workflow.record_reply(Referral.get(Referral.petition == petition), clerk, "support", "属实。", "予以支持。",
                          "《中华人民共和国民法典》第二百八十八条")
    workflow.answer(petition, clerk)
    workflow.request_review(petition, clerk)
    workflow.record_review(petition, clerk, "予以维持。")
    database.close()
    return petition


def sign_in(page, live_server):
    page.goto("/login")
    page.locator("#username").press_sequentially(live_server.username)
    page.locator("#password").press_sequentially(live_server.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_the_clerk_records_the_county_governments_review_opinion(page, live_server, reviewed, tmp_path):
    sign_in(page, live_server)

    page.goto("/admin/petition/details/?id=%d" % reviewed.id)
    page.locator("a.record-elsewhere[href*='kind=review_opinion']").click()
    expect(page.locator("h5")).to_contain_text("登记他机关出具的信访事项复查意见书")
    expect(page.locator("#organ")).to_have_value("县人民政府")
    page.locator("#number").press_sequentially("高政复〔2026〕3号")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    page.locator("#issued_on").press_sequentially("%d年%d月%d日" % (yesterday.year, yesterday.month, yesterday.day))
    page.locator("#issued_on").press("Tab")  # on to the next field: the date picker closes
    scan = tmp_path / "复查意见书.pdf"
    scan.write_bytes(SCAN)
    expect(page.locator(".file-names")).to_have_text("未选择文件")  # the chooser in Chinese, not the browser's
    page.locator("#scan").set_input_files(str(scan))
    expect(page.locator(".file-names")).to_have_text("复查意见书.pdf")
    shot(page, "recorded-letter-form.png")
    page.locator("#recorded-letter-form button[type=submit]").dblclick()

    expect(page.locator(".alert-success")).to_contain_text("已登记县人民政府出具的信访事项复查意见书 高政复〔2026〕3号。")
    expect(page.locator("#documents")).to_contain_text("高政复〔2026〕3号（县人民政府出具）")
    shot(page, "recorded-letter-petition.png")
    page.go_back()  # the form again, as the browser kept it (the date field, autocomplete off, is empty)
    page.locator("#issued_on").press_sequentially(yesterday.isoformat())
    page.locator("#issued_on").press("Tab")
    page.locator("#scan").set_input_files(str(scan))
    page.locator("#recorded-letter-form button[type=submit]").click()
    shot(page, "recorded-letter-again.png")
    expect(page.locator(".alert")).to_contain_text(  # in force already: void it to record another
        "该事项的信访事项复查意见书已登记（高政复〔2026〕3号），如有错误请先作废，再登记正确的。未登记任何文书。")
    try:
        recorded = list(Document.select().where(Document.petition == reviewed.id))
    finally:
        database.close()
    assert [(d.external_number, bytes(d.pdf)) for d in recorded] == [("高政复〔2026〕3号", SCAN)]


def test_a_required_field_left_empty_says_so_in_chinese(page, live_server, reviewed):
    """The browser's own check of a required field speaks the page's language, not the browser's."""
    sign_in(page, live_server)
    page.goto("/admin/petition/letter/record/?id=%d&kind=review_opinion&record=" % reviewed.id)
    page.locator("#recorded-letter-form button[type=submit]").click()
    assert page.evaluate("document.getElementById('number').validationMessage") == "请填写此项。"
    page.locator("#number").press_sequentially("高政复〔2026〕3号")
    assert page.evaluate("document.getElementById('number').validationMessage") == ""
