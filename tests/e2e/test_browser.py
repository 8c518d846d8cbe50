"""In a real browser: log in, register petitions through the create form's type-ahead fields, find them in the list.

Runs Debian's Chromium (/usr/bin/chromium) through Playwright; the live server and seed data are in conftest.py.
"""
import os
import re

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # the same as conftest.py
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is missing (%s; apt-get install chromium): the browser tests are skipped" % CHROMIUM,
                allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from models.db import database  # noqa: E402
from models.people import Petitioner  # noqa: E402
from models.petition import Petition  # noqa: E402

NUMBER = re.compile(r"XF-\d{4}-\d{6}")


def log_in(page, live_server):
    page.goto("/login")
    expect(page).to_have_title(re.compile("登录"))
    expect(page.locator("button[type=submit]")).to_have_text("登录")
    expect(page.locator("label[for=username]")).to_have_text("用户名")
    page.fill("#username", live_server.username)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator(".navbar")).to_contain_text("张三")
    expect(page.locator(".navbar")).to_contain_text("退出登录")


def choose(page, field, typed, expected):
    """Pick a record in a select2 type-ahead: open it, type a few characters, click the matching result."""
    page.click("#s2id_%s .select2-choice" % field)
    search = page.locator("#select2-drop .select2-input")
    expect(search).to_be_focused()
    search.press_sequentially(typed)
    page.locator("#select2-drop .select2-result-selectable", has_text=expected).click()
    expect(page.locator("#select2-drop")).to_be_hidden()
    expect(page.locator("#s2id_%s .select2-chosen" % field)).to_contain_text(expected)
    return page.input_value("#%s" % field)


def set_received_at(page, value):
    """Type the time into the input itself: faster than opening the date picker."""
    field = page.locator("#received_at")
    field.evaluate("(el, value) => { el.value = value; el.dispatchEvent(new Event('change')); }", value)
    expect(page.locator(".daterangepicker")).to_be_hidden()
    expect(field).to_have_value(value)


def fill_petition(page, subject, content, channel="来访", received_at="2022-12-09 09:30:00"):
    page.select_option("#channel", label=channel)
    set_received_at(page, received_at)
    page.fill("#subject", subject)
    page.fill("#request_summary", "请求依法处理%s。" % subject)  # 信访请求: asked for at registration
    page.fill("#content", content)


def save(page):
    page.click("input[type=submit][value=保存]")
    expect(page).to_have_url(re.compile(r"/admin/petition/(\?.*)?$"))
    expect(page.locator(".alert-success")).to_contain_text("成功")


def petition_row(page, text):
    return page.locator("table.model-list tbody tr", has_text=text)


def stored(query):
    """Read the database from the test's own thread (the server thread has its own connection)."""
    try:
        return query()
    finally:
        database.close()


def test_register_petition_of_petitioner_on_record(page, live_server, tmp_path):
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    expect(page.locator("label[for=petitioner]")).to_contain_text("信访人")
    expect(page.locator("input[type=submit][value=保存]")).to_be_visible()

    assert choose(page, "petitioner", "王某", "王某某") == str(live_server.petitioner.id)
    expect(page.locator("#s2id_petitioner .select2-chosen")).to_contain_text("138****5678")  # masked
    assert choose(page, "category", "土地", "土地宅基地") == str(live_server.category.id)
    assert choose(page, "town", "高桥", "高桥镇") == str(live_server.town.id)
    fill_petition(page, "宅基地及共用道路纠纷", "信访人与原邻居因宅基地及共用道路发生纠纷，要求依法处理。")
    save(page)

    petition = stored(lambda: Petition.get(Petition.subject == "宅基地及共用道路纠纷"))
    assert NUMBER.fullmatch(petition.number) and petition.number.startswith("XF-2022-")
    assert (petition.petitioner_id, petition.category_id, petition.town_id) == (
        live_server.petitioner.id, live_server.category.id, live_server.town.id)
    assert petition.channel == "visit" and str(petition.received_at) == "2022-12-09 09:30:00"

    row = petition_row(page, petition.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("宅基地及共用道路纠纷")
    expect(row).to_contain_text("王某某")
    expect(row).to_contain_text("2022年12月9日")
    expect(row).to_contain_text("土地宅基地")
    expect(row).to_contain_text("高桥镇")
    expect(page.locator("table.model-list thead")).to_contain_text("事由")
    page.screenshot(path=str(tmp_path / "petition-list.png"), full_page=True)


def test_register_petition_with_new_petitioner_and_search_by_name(page, live_server):
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    fill_petition(page, "拖欠工程款", "信访人反映某工地拖欠其工程款，要求协调支付。", channel="来信",
                  received_at="2023-03-01 14:05:00")
    page.fill("#new_petitioner_name", "赵铁柱")
    page.fill("#new_petitioner_phone", "139 1234 5678")
    save(page)

    person = stored(lambda: Petitioner.get(Petitioner.name == "赵铁柱"))
    assert person.phone == "13912345678"
    petition = stored(lambda: Petition.get(Petition.petitioner == person.id))
    assert petition.subject == "拖欠工程款" and NUMBER.fullmatch(petition.number)

    search = page.locator("input[name=search][type=text]")
    expect(search).to_have_attribute("placeholder", re.compile(r"^搜索：[^A-Za-z]*信访人[^A-Za-z]*$"))
    search.fill("赵铁柱")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"search="))
    rows = page.locator("table.model-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(petition.number)
    expect(rows.first).to_contain_text("拖欠工程款")
    expect(rows.first).to_contain_text("赵铁柱")

    search = page.locator("input[name=search][type=text]")
    search.fill("王某某")  # on record, but with no petition
    search.press("Enter")
    expect(page.locator("table.model-list tbody")).not_to_contain_text("赵铁柱")


def test_received_time_picked_with_the_chinese_date_picker_is_accepted(page, live_server):
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    choose(page, "petitioner", "王某", "王某某")
    page.click("#received_at")
    picker = page.locator(".daterangepicker:visible")
    expect(picker).to_contain_text("确定")
    expect(picker).to_contain_text("取消")
    expect(picker).not_to_contain_text("Apply")
    page.locator(".daterangepicker .applyBtn").click()
    picked = page.input_value("#received_at")
    page.fill("#subject", "用日期控件选择收到时间")
    page.fill("#request_summary", "请求依法处理。")
    page.fill("#content", "内容")
    with page.expect_navigation():
        page.click("input[type=submit][value=保存]")
    group = page.locator(".form-group", has=page.locator("#received_at"))
    assert re.search(r"/admin/petition/(\?.*)?$", page.url), "picked %r, refused: %s" % (picked, group.inner_text())


def test_empty_type_ahead_shows_a_chinese_placeholder(page, live_server):
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    expect(page.locator("#s2id_category .select2-chosen")).to_have_text("输入文字查找")
    shown = page.locator("form.admin-form .select2-container:visible .select2-chosen").all_inner_texts()
    assert len(shown) >= 4 and set(shown) == {"输入文字查找"}



def test_the_logout_button_looks_like_a_link_and_ends_the_session(page, live_server):
    log_in(page, live_server)
    button = page.locator("#logout-form button")
    link = page.locator("#change-password")
    style = "e => [getComputedStyle(e).color, getComputedStyle(e).fontSize, getComputedStyle(e).backgroundColor]"
    assert button.evaluate(style) == link.evaluate(style)
    assert abs(button.bounding_box()["y"] - link.bounding_box()["y"]) < 2  # on the same line
    if os.environ.get("E2E_SCREENSHOTS"):
        page.locator(".navbar").screenshot(path=os.path.join(os.environ["E2E_SCREENSHOTS"], "navbar.png"))
    button.click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".alert")).to_contain_text("您已退出登录。")
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
