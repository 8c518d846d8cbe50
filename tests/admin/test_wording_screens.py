"""系统 → 文书措辞 through the test client: the list of kinds, the editor with its fields and preview on a petition,
save as a new version (refused with the line and nothing written), revert, the draft PDF; admin only by default."""
import re
import subprocess

import pytest

from admin_app.letters import render as letters
from models import workflow
from models.audit import AuditEntry
from models.documents import Document
from models.people import Petitioner
from models.wording import LetterWording

from tests.admin.helpers import alerts, csrf_token, visible_text

EDITOR = "/admin/wording/kind/?kind=acceptance_notice"


@pytest.fixture
def accepted(db, make_petition, make_user, issuing_office):
    clerk = make_user("staff", username="clerk")
    person = Petitioner.create(name="刘某某", address="高桥镇后屯村12号")
    petition = make_petition(petitioner=person, subject="宅基地及共用道路纠纷")
    workflow.register(petition, clerk)
    return workflow.accept(petition, clerk)


def post(client, url, data, page_url=EDITOR):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post(url, data=dict(data, csrf_token=token))


def pdf_text(pdf, tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return "".join(out.split())


def test_the_list_shows_each_kind_and_its_wording_in_force(client, login_as):
    login_as("admin")
    text = visible_text(client.get("/admin/wording/").get_data(as_text=True))
    assert "文书措辞" in text and "受理告知书" in text and "内置措辞" in text
    assert "调解协议书" in text  # listed, with its fixed layout


def test_the_editor_shows_the_source_the_fields_and_a_preview_on_a_petition(client, login_as, accepted):
    login_as("admin")
    page = client.get(EDITOR + "&petition=" + accepted.number).get_data(as_text=True)
    text = visible_text(page)
    assert "{{ 受理日期 }}" in page and "信访人" in text and "受理日期" in text
    preview = page.split('id="wording-preview"', 1)[1]
    assert "刘某某：" in preview and "宅基地及共用道路纠纷" in preview and "特此告知。" in preview


def test_the_live_preview_renders_a_draft_without_writing(client, login_as, accepted):
    login_as("admin")
    response = post(client, "/admin/wording/preview/?kind=acceptance_notice",
                    {"source": "{{ 信访人 }}，你好。\n{% if 信访事项 %}事项：{{ 信访事项 }}{% endif %}",
                     "petition": accepted.number})
    assert response.get_json()["paragraphs"] == ["刘某某，你好。", "事项：宅基地及共用道路纠纷"]
    refused = post(client, "/admin/wording/preview/?kind=acceptance_notice",
                   {"source": "一\n{{ 信访人.__class__ }}", "petition": accepted.number}).get_json()
    assert refused["error"].startswith("第2行：")
    assert LetterWording.select().count() == 0 and Document.select().count() == 0


def test_the_draft_pdf_uses_the_wording_in_the_editor_and_issues_nothing(client, login_as, accepted, tmp_path):
    login_as("admin")
    response = post(client, "/admin/wording/preview.pdf?kind=acceptance_notice",
                    {"source": "草拟的措辞，{{ 信访人 }}。", "petition": accepted.number})
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data, tmp_path)
    assert "草拟的措辞，刘某某。" in text and "草稿" in text
    assert Document.select().count() == 0


def test_save_makes_a_new_version_and_a_refusal_names_the_line_and_writes_nothing(client, login_as, accepted):
    login_as("admin")
    refused = post(client, "/admin/wording/save/?kind=acceptance_notice",
                   {"source": "一\n二\n{{ 信访人姓名 }}", "note": "", "expected": "0"})
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert "第3行：未知的字段“信访人姓名”" in alerts(page)
    assert "{{ 信访人姓名 }}" in page  # what was typed stays in the editor
    assert LetterWording.select().count() == 0
    saved = post(client, "/admin/wording/save/?kind=acceptance_notice",
                 {"source": "{{ 信访人 }}：你的事项已受理。", "note": "简化", "expected": "0"})
    assert saved.status_code == 302
    row = LetterWording.get()
    assert (row.number, row.source, row.note) == (1, "{{ 信访人 }}：你的事项已受理。", "简化")
    assert AuditEntry.select().where((AuditEntry.model == "letter_wording") & (AuditEntry.record_id == row.id)).exists()
    history = visible_text(client.get(EDITOR).get_data(as_text=True))
    assert "第1版（现行）" in history and "简化" in history


def test_a_stale_editor_is_refused(client, login_as, accepted):
    login_as("admin")
    post(client, "/admin/wording/save/?kind=acceptance_notice", {"source": "甲{{ 信访人 }}", "expected": "0"})
    page = post(client, "/admin/wording/save/?kind=acceptance_notice",
                {"source": "乙{{ 信访人 }}", "expected": "0"}).get_data(as_text=True)
    assert "第1版" in " ".join(alerts(page)) and LetterWording.select().count() == 1


def test_revert_to_an_earlier_version_and_to_the_built_in(client, login_as, accepted):
    login_as("admin")
    post(client, "/admin/wording/save/?kind=acceptance_notice", {"source": "甲{{ 信访人 }}", "expected": "0"})
    post(client, "/admin/wording/save/?kind=acceptance_notice", {"source": "乙{{ 信访人 }}", "expected": "1"})
    post(client, "/admin/wording/revert/?kind=acceptance_notice", {"number": "1", "expected": "2"})
    assert LetterWording.select().order_by(LetterWording.number.desc()).first().source == "甲{{ 信访人 }}"
    post(client, "/admin/wording/revert/?kind=acceptance_notice", {"number": "0", "expected": "3"})
    latest = LetterWording.select().order_by(LetterWording.number.desc()).first()
    assert latest.number == 4 and latest.source is None
    text = visible_text(client.get(EDITOR).get_data(as_text=True))
    assert "恢复内置措辞" in text and "恢复第1版" in text


def test_letters_issued_after_a_save_use_it_and_record_the_version(client, login_as, accepted, app, tmp_path):
    user = login_as("admin")
    post(client, "/admin/wording/save/?kind=acceptance_notice", {"source": "新措辞：{{ 信访人 }}。", "expected": "0"})
    with app.test_request_context("/"):
        document = letters.issue_letter("acceptance_notice", accepted, user)
    assert document.wording_version == 1
    assert "新措辞：刘某某。" in pdf_text(bytes(document.pdf), tmp_path)


@pytest.mark.parametrize("role", ["staff", "representative", "department", "leader"])
def test_only_the_administrator_words_the_letters(client, login_as, accepted, role):
    login_as(role)
    for url in ("/admin/wording/", EDITOR):
        assert client.get(url).status_code == 403
    for url in ("/admin/wording/save/?kind=acceptance_notice", "/admin/wording/revert/?kind=acceptance_notice",
                "/admin/wording/preview/?kind=acceptance_notice"):
        assert client.post(url, data={"source": "x{{ 信访人 }}", "number": "0"}).status_code == 403
    assert LetterWording.select().count() == 0


def test_a_post_without_the_form_token_writes_nothing(client, login_as, accepted):
    login_as("admin")
    response = client.post("/admin/wording/save/?kind=acceptance_notice", data={"source": "甲{{ 信访人 }}"})
    assert response.status_code == 200 and LetterWording.select().count() == 0
    assert re.search("过期|失效", " ".join(alerts(response.get_data(as_text=True))))


def test_a_kind_without_a_wording_has_no_editor(client, login_as):
    login_as("admin")
    assert client.get("/admin/wording/kind/?kind=mediation_agreement").status_code == 404
    assert client.get("/admin/wording/kind/?kind=nothing").status_code == 404
