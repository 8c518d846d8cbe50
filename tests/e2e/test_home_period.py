"""The home page's period chooser in Chromium: choosing a kind shows only its fields (office.js), and the days
are typed or pasted as a clerk does, the picker leaving them as they are."""
import re

from playwright.sync_api import expect

from .test_browser import log_in


def test_the_chooser_shows_the_fields_of_the_kind_and_reads_typed_days(page, live_server):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server)
    for shown in ("#period-field-year", "#period-field-month"):
        expect(page.locator(shown)).to_be_visible()
    for hidden in ("#period-field-q", "#period-field-range"):
        expect(page.locator(hidden)).to_be_hidden()

    page.select_option("#period-kind", "quarter")
    expect(page.locator("#period-field-q")).to_be_visible()
    expect(page.locator("#period-field-month")).to_be_hidden()

    page.select_option("#period-kind", "range")
    expect(page.locator("#period-field-range")).to_be_visible()
    expect(page.locator("#period-field-year")).to_be_hidden()
    start, end = page.locator("#period-start"), page.locator("#period-end")
    start.click()  # opens the picker, as a clerk's click does
    start.fill("2022年1月1日")  # pasted: no key events
    end.click()
    end.fill("")
    end.press_sequentially("2022/12/31")
    page.locator("#period-title").click()  # closes the picker without choosing a day
    with page.expect_navigation():
        page.click("#period-form button[type=submit]")
    expect(page.locator("#period-title")).to_contain_text("2022年1月1日 至 2022年12月31日")
    expect(page.locator("#period-field-range")).to_be_visible()
    assert re.search(r"start=2022", page.url) and errors == []
