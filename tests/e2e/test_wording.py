"""文书措辞 in a real browser (issue 15 §4 "done when"): the administrator edits the 受理告知书's wording with the
keyboard and sees the live preview change, saves it, issues a letter with it, edits again, reprints the first
letter (byte-identical) and issues a second one carrying the new wording (read back with pdftotext). The editor's
pages are kept as screenshots when E2E_SCREENSHOTS names a directory."""
import datetime as dt
import os
import re
import subprocess

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
from models.wording import LetterWording  # noqa: E402

SHOTS = os.environ.get("E2E_SCREENSHOTS")
PASSWORD = "correct-horse-1"


def stored(query):
    try:
        return query()
    finally:
        database.close()


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def pdf_text(pdf, tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(out.split())


@pytest.fixture
def two_accepted(live_server):
    """The administrator, the office that issues letters, and two accepted petitions of 王某某."""
    Department.create(name="县信访局", short_name="高信访", kind="county")
    admin = User(username="guanliyuan", display_name="管理员", role="admin")
    admin.set_password(PASSWORD)
    admin.save()
    petitions = []
    for subject in ("宅基地纠纷", "道路通行纠纷"):
        petition = Petition.create(channel="visit", received_at=dt.datetime(2022, 12, 9, 9, 30), subject=subject,
                                   content="信访人与邻居因%s发生争议。" % subject, petitioner=live_server.petitioner)
        workflow.register(petition, admin)
        petitions.append(workflow.accept(petition, admin))
    database.close()
    return petitions


def sign_in(page):
    page.goto("/login")
    page.locator("#username").press_sequentially("guanliyuan")
    page.locator("#password").press_sequentially(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def edit_last_line(page, text, note):
    """In the editor: select the wording's last line with the keyboard, type the new one, save with a note."""
    source = page.locator("#source")
    source.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Shift+Home")
    source.press_sequentially(text)
    page.locator("#note").press_sequentially(note)


def issue_acceptance(page, petition):
    page.goto("/admin/petition/details/?id=%d" % petition.id)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("form[action*='kind=acceptance_notice'] button").click()
    expect(page.locator(".alert-success")).to_contain_text("受理告知书")
    return stored(lambda: Document.get((Document.petition == petition.id) & (Document.kind == "acceptance_notice")))


def test_the_office_words_a_letter_and_issued_letters_stay_as_issued(page, two_accepted, tmp_path):
    first, second = two_accepted
    sign_in(page)
    page.locator(".navbar .dropdown-toggle", has_text=re.compile(r"^\s*系统\s*$")).click()
    page.locator(".navbar a", has_text="文书措辞").click()
    expect(page.locator("#wording-kinds")).to_contain_text("内置措辞")
    page.locator("#wording-kinds tr[data-kind=acceptance_notice] a").click()
    expect(page.locator("#wording-preview")).to_contain_text("特此告知。")
    page.locator("#petition").fill(first.number)

    edit_last_line(page, "{{ 信访人 }}同志，请留意办理进展。", "结尾改为提醒")
    expect(page.locator("#wording-preview")).to_contain_text("王某某同志，请留意办理进展。")
    shot(page, "wording-editor.png")
    page.locator("#source").press("Control+End")
    page.locator("#source").press_sequentially("{{ 信访人.__class__ }}")  # refused, with its line, live
    expect(page.locator("#wording-error")).to_contain_text("第4行：")
    shot(page, "wording-refused.png")
    for _ in range(len("{{ 信访人.__class__ }}")):
        page.locator("#source").press("Backspace")
    expect(page.locator("#wording-preview")).to_contain_text("王某某同志，请留意办理进展。")
    page.locator("#wording-save").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存为第1版")
    expect(page.locator("#wording-history")).to_contain_text("结尾改为提醒")

    letter = issue_acceptance(page, first)
    assert letter.wording_version == 1
    issued = page.request.get("/admin/document/download/?id=%d" % letter.id).body()
    assert issued == bytes(letter.pdf)
    assert "王某某同志，请留意办理进展。" in pdf_text(issued, tmp_path)

    page.goto("/admin/wording/kind/?kind=acceptance_notice")
    page.locator("#petition").fill(second.number)
    edit_last_line(page, "{{ 信访人 }}同志，特此告知，第二版。", "第二版")
    expect(page.locator("#wording-preview")).to_contain_text("王某某同志，特此告知，第二版。")
    page.locator("#wording-save").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存为第2版")
    shot(page, "wording-history.png")

    reprinted = page.request.get("/admin/document/download/?id=%d" % letter.id).body()
    assert reprinted == issued  # the first letter, byte for byte, after the wording changed
    later = issue_acceptance(page, second)
    assert later.wording_version == 2
    text = pdf_text(bytes(later.pdf), tmp_path)
    assert "王某某同志，特此告知，第二版。" in text and "请留意办理进展" not in text
    assert stored(lambda: LetterWording.select().count()) == 2
