"""Dates as a clerk types or pastes them, through Chromium: typed key by key (press_sequentially), pasted in one
go (fill, no key events), or chosen in the picker; the stored value is read back from the database."""
import re

import pytest
from playwright.sync_api import expect

from models.casework import VisitLog
from models.petition import Petition

from .test_browser import choose, log_in, stored

TYPED = [
    ("2022-12-09 09:30", "2022-12-09 09:30:00"),
    ("2022-12-9 9:30", "2022-12-09 09:30:00"),
    ("2022/12/09 09:30", "2022-12-09 09:30:00"),
    ("2022.12.9", "2022-12-09 00:00:00"),
    ("20221209", "2022-12-09 00:00:00"),
    ("2022年12月9日", "2022-12-09 00:00:00"),
    ("2022年12月9日 9时30分", "2022-12-09 09:30:00"),
    ("2022年12月9日上午9:30", "2022-12-09 09:30:00"),
    ("２０２２－１２－０９　１４：０５", "2022-12-09 14:05:00"),
]


def register(page, subject, enter):
    page.goto("/admin/petition/new/")
    choose(page, "petitioner", "王某", "王某某")
    page.select_option("#channel", label="来访")
    enter(page.locator("#received_at"))
    page.fill("#subject", subject)
    page.fill("#request_summary", "请求依法处理。")  # 信访请求: asked for at registration
    page.fill("#content", "内容")
    with page.expect_navigation():
        page.click("input[type=submit][value=保存]")


def typed(text):
    def enter(field):
        field.click()  # opens the picker, as a clerk's click does
        field.press_sequentially(text)
        field.press("Tab")
    return enter


@pytest.mark.parametrize("text, expected", TYPED)
def test_a_received_time_typed_key_by_key_is_stored_as_meant(page, live_server, text, expected):
    log_in(page, live_server)
    register(page, "键入 " + text, typed(text))
    assert re.search(r"/admin/petition/(\?.*)?$", page.url), page.locator(".form-group.has-error").all_inner_texts()
    petition = stored(lambda: Petition.get(Petition.subject == "键入 " + text))
    assert str(petition.received_at) == expected
    assert petition.number.startswith("XF-2022-") or petition.number.startswith("XF-")


def test_a_received_time_pasted_without_key_events_is_stored_not_now(page, live_server):
    log_in(page, live_server)
    register(page, "粘贴的收到时间", lambda field: (field.click(), field.fill("2022年12月9日 9时30分"),
                                                    page.locator("#subject").click()))
    petition = stored(lambda: Petition.get(Petition.subject == "粘贴的收到时间"))
    assert str(petition.received_at) == "2022-12-09 09:30:00"


def test_an_unreadable_time_is_refused_on_its_field_and_the_form_keeps_what_was_typed(page, live_server, tmp_path):
    log_in(page, live_server)
    register(page, "日期写错了", typed("2022-02-30 9:30"))
    group = page.locator(".form-group", has=page.locator("#received_at"))
    expect(group).to_contain_text("无法识别的日期：2022-02-30 9:30，请按 2022-12-09 09:30 的格式填写")
    expect(group).not_to_contain_text("必填")
    expect(page.locator("#received_at")).to_have_value("2022-02-30 9:30")
    expect(page.locator("#subject")).to_have_value("日期写错了")
    assert stored(lambda: Petition.select().where(Petition.subject == "日期写错了").count()) == 0
    page.screenshot(path=str(tmp_path / "unreadable-date.png"), full_page=True)


def test_a_visit_time_typed_in_chinese_is_stored(page, live_server):
    log_in(page, live_server)
    page.goto("/admin/visitlog/new/")
    field = page.locator("#visited_at")
    field.click()
    field.press("Control+a")
    field.press_sequentially("2022年12月9日下午3:15")
    field.press("Tab")
    page.select_option("#kind", index=1)
    page.fill("#place", "县信访局接待大厅")
    page.fill("#summary", "来访人反映宅基地纠纷")
    with page.expect_navigation():
        page.click("input[type=submit][value=保存]")
    visit = stored(lambda: VisitLog.get(VisitLog.summary == "来访人反映宅基地纠纷"))
    assert str(visit.visited_at) == "2022-12-09 15:15:00"


def test_the_picker_still_fills_the_field(page, live_server):
    log_in(page, live_server)
    page.goto("/admin/petition/new/")
    page.click("#received_at")
    page.locator(".daterangepicker:visible .applyBtn").click()
    expect(page.locator("#received_at")).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$"))
