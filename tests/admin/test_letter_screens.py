"""Letters from the screens: the petition's 文书 section (preview, issue, print, void and reissue), the 答复 step
that issues the 处理意见书, the bulk print, the 文书 register, refusals, and the font notice."""
import io
import re
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from admin_app.letters import render as letters
from models import workflow
from models.audit import AuditEntry
from models.casework import Referral
from models.db import now
from models.documents import Document
from models.organisation import Department
from models.petition import NumberSeries, Petition, StepRecord

from tests.admin.helpers import (
    alerts, at_once, concurrent_clients, csrf_token, english_words, field_errors, letters_offered, log_out, visible_text,
)

YEAR = now().year


def number(sequence):
    return "高信访〔%d〕%d号" % (YEAR, sequence)


def handling_number(sequence):
    """The 处理意见书 is the replying department's (县自然资源局, 高自然资源), in its own series (issue 15)."""
    return "高自然资源〔%d〕%d号" % (YEAR, sequence)


@pytest.fixture
def zh(app):
    """zh(msgid) -> its Chinese, as the screens show it (the letters' reasons are worded elsewhere)."""
    from flask_babel import gettext

    def zh(msgid, **params):
        with app.test_request_context():
            return gettext(msgid, **params)

    return zh


@pytest.fixture
def staff(login_as, issuing_office):
    return login_as("staff", display_name="张干部")


@pytest.fixture
def handled(make_petition, staff):
    """handled(**fields) -> a petition whose department reply is recorded (ready for 答复)."""
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")

    def handled(**fields):
        petition = workflow.register(make_petition(**fields), staff)
        workflow.accept(petition, staff)
        referral = workflow.refer(petition, land, staff)
        workflow.record_reply(referral, staff, outcome="support", facts="经现场核实，原邻居院墙外扩约40厘米。",
                              opinion="支持信访人恢复共用道路的请求。", legal_basis="《中华人民共和国民法典》第二百八十八条")
        return Petition.get_by_id(petition.id)

    return handled


def details(client, petition):
    return client.get("/admin/petition/details/?id=%d" % petition.id).get_data(as_text=True)


def issue(client, petition, kind="handling_opinion", record="", token=True):
    """Post 印发 as the petition's page does (with the token of its form, or of the list when it has none)."""
    page = details(client, petition)
    if 'name="csrf_token" type="hidden"' not in page:
        page = client.get("/admin/petition/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page)} if token else {}
    return client.post("/admin/petition/letter/issue/?id=%d&kind=%s&record=%s" % (petition.id, kind, record),
                       data=data, follow_redirects=True)


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pages(data):
    return len(PdfReader(io.BytesIO(data)).pages)


def download(client, document, inline=False):
    return client.get("/admin/document/download/?id=%d%s" % (document.id, "&inline=1" if inline else ""))


def test_a_letter_is_issued_from_the_petition_page_and_downloaded_as_archived(client, staff, handled):
    petition = handled()
    page = details(client, petition)
    text = visible_text(page)
    assert "文书" in text and "信访事项处理意见书" in text and "预览（草稿）" in text and "印发" in text
    assert "尚未印发文书" in text
    offered = letters_offered(page)
    assert offered["handling_opinion"] == {"preview", "issue"}  # its 印发 button, found by the letter's kind
    assert english_words(page) == []
    page = issue(client, petition).get_data(as_text=True)
    assert "已印发 %s（信访事项处理意见书）。" % handling_number(1) in alerts(page)
    document = Document.get()
    assert (document.number, document.kind, document.issued_by.display_name) == (
        handling_number(1), "handling_opinion", "张干部")
    assert Petition.get_by_id(petition.id).status == "answered"  # issuing the 处理意见书 is the 答复
    response = download(client, document)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.data == bytes(document.pdf) and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("%s 信访事项处理意见书.pdf" % handling_number(1), safe="") in disposition
    printed = download(client, document, inline=True)
    assert printed.headers["Content-Disposition"].startswith("inline;") and printed.data == response.data
    page = details(client, petition)
    text = visible_text(page)
    assert handling_number(1) in text and "有效" in text and "张干部" in text
    assert "打印" in text and "作废并重新印发" in text
    offered = letters_offered(page)
    assert offered["handling_opinion"] == {"preview", "print", "reissue"}  # printed, not issued twice
    assert 'href="/admin/document/download/?id=%d&amp;inline=1"' % document.id in page
    assert 'href="/admin/document/reissue/?id=%d"' % document.id in page
    assert "issue" in offered["acceptance_notice"]
    assert "letter/issue/?id=%d&amp;kind=handling_opinion" % petition.id not in page  # printed, not issued twice
    assert "letter/issue/?id=%d&amp;kind=acceptance_notice" % petition.id in page
    assert english_words(page) == []


def test_the_preview_is_a_draft_and_writes_nothing(client, staff, handled):
    petition = handled()
    response = client.get("/admin/petition/letter/preview/?id=%d&kind=handling_opinion" % petition.id)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    text = pdf_text(response.data)
    assert "草稿" in text and "处理意见书" in text
    assert Document.select().count() == 0 and Petition.get_by_id(petition.id).status == "handled"
    issue(client, petition)
    assert Document.get().number == handling_number(1)  # the preview took no number


def test_the_answer_step_issues_the_handling_opinion(client, staff, handled, make_petition):
    first, second = handled(subject="宅基地纠纷"), handled(subject="道路纠纷")
    token = csrf_token(details(client, first))
    page = client.post("/admin/petition/step/answer/?ids=%d" % first.id, data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    messages = alerts(page)
    assert "答复：已办理 1 件。" in messages and "已印发 %s（信访事项处理意见书）。" % handling_number(1) in messages
    assert Petition.get_by_id(first.id).status == "answered"
    document = Document.get()
    assert document.kind == "handling_opinion" and document.petition_id == first.id
    assert "请求复查" in pdf_text(bytes(document.pdf))
    registered = workflow.register(make_petition(subject="尚未办理的事项"), staff)
    token = csrf_token(client.get("/admin/petition/").get_data(as_text=True))
    page = client.post("/admin/petition/action/", data={"action": "answer", "rowid": [second.id, registered.id],
                                                         "csrf_token": token}, follow_redirects=True)
    messages = alerts(page.get_data(as_text=True))
    assert "答复：已办理 1 件。" in messages and "已印发 %s（信访事项处理意见书）。" % handling_number(2) in messages
    assert any(m.startswith(registered.number) and "请先记录承办单位的办理结果" in m for m in messages), messages
    assert Petition.get_by_id(second.id).status == "answered"
    assert Petition.get_by_id(registered.id).status == "registered"
    assert Document.select().count() == 2


def test_a_wrong_letter_is_voided_with_a_reason_and_reissued_under_a_new_number(client, staff, handled):
    petition = handled()
    issue(client, petition)
    old = Document.get()
    url = "/admin/document/reissue/?id=%d" % old.id
    form = client.get(url).get_data(as_text=True)
    assert english_words(form) == [] and "作废理由" in visible_text(form)
    page = client.post(url, data={"reason": "", "csrf_token": csrf_token(form)}).get_data(as_text=True)
    assert field_errors(page) and Document.select().count() == 1 and not Document.get().is_void
    page = client.post(url, data={"reason": "信访人姓名有误", "csrf_token": csrf_token(form)},
                       follow_redirects=True).get_data(as_text=True)
    assert "%s 已作废，已重新印发 %s（信访事项处理意见书）。" % (handling_number(1), handling_number(2)) in alerts(page)
    old, new = Document.get_by_id(old.id), Document.get(Document.number == handling_number(2))
    assert old.is_void and old.void_reason == "信访人姓名有误" and old.voided_by.display_name == "张干部"
    assert new.replaces_id == old.id and not new.is_void
    assert download(client, old).data == bytes(old.pdf)  # a voided document stays on record as issued
    text = visible_text(page)
    assert "已作废：信访人姓名有误" in text and handling_number(2) in text
    again = client.post(url, data={"reason": "再次作废", "csrf_token": csrf_token(form)}, follow_redirects=True)
    assert "该文书已作废。" in alerts(again.get_data(as_text=True)) and Document.select().count() == 2


def test_bulk_print_gives_one_pdf_and_says_which_petitions_were_skipped_and_why(client, staff, handled,
                                                                               make_petition, zh):
    ready = [handled(subject="事项甲"), handled(subject="事项乙")]
    for petition in ready:  # answered without their letters (the step alone, as the demo data are)
        workflow.answer(petition, staff)
    not_ready = workflow.register(make_petition(subject="事项丙"), staff)
    workflow.accept(not_ready, staff)
    ids = [ready[0].id, not_ready.id, ready[1].id]
    token = csrf_token(client.get("/admin/petition/").get_data(as_text=True))
    redirect = client.post("/admin/petition/action/", data={"action": "print_letters", "rowid": ids,
                                                            "csrf_token": token})
    location = redirect.headers["Location"]
    assert "/admin/petition/letters/print/" in location
    form = client.get(location).get_data(as_text=True)
    assert english_words(form) == [] and "打印文书" in visible_text(form)
    page = client.post(location, data={"kind": "handling_opinion", "csrf_token": csrf_token(form)})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.get_data(as_text=True)
    text = visible_text(html)
    assert english_words(html) == []
    issued = {d.petition_id: d for d in Document.select()}
    assert set(issued) == {ready[0].id, ready[1].id}
    for petition in ready:
        assert "%s %s" % (petition.number, issued[petition.id].number) in text
    assert "%s：%s" % (not_ready.number, zh("No department reply has been recorded.")) in text
    link = re.search(r'id="print-download" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    merged = client.get(link)
    assert merged.status_code == 200 and merged.headers["Content-Type"] == "application/pdf"
    assert merged.headers["Content-Disposition"].startswith("attachment;") and "filename*=UTF-8''" in \
        merged.headers["Content-Disposition"]
    assert pages(merged.data) == sum(pages(bytes(d.pdf)) for d in issued.values())
    assert client.get(link).data == merged.data  # the archived letters, merged again: the same file
    again = client.post(location, data={"kind": "handling_opinion", "csrf_token": csrf_token(form)})
    assert Document.select().count() == 2  # printed again from the archive, no new numbers
    assert all(d.number in visible_text(again.get_data(as_text=True)) for d in issued.values())


def test_bulk_print_of_petitions_none_of_which_can_have_the_letter(client, staff, make_petition):
    petition = workflow.register(make_petition(), staff)
    form = client.get("/admin/petition/letters/print/?ids=%d" % petition.id).get_data(as_text=True)
    page = client.post("/admin/petition/letters/print/?ids=%d" % petition.id,
                       data={"kind": "handling_opinion", "csrf_token": csrf_token(form)}).get_data(as_text=True)
    text = visible_text(page)
    assert "没有打印任何文书" in text and petition.number in text and 'id="print-download"' not in page
    assert Document.select().count() == 0


def test_the_document_register_reads_and_never_changes_documents(client, staff, handled):
    petition = handled()
    issue(client, petition)
    document = Document.get()
    listing = client.get("/admin/document/").get_data(as_text=True)
    text = visible_text(listing)
    assert handling_number(1) in text and "信访事项处理意见书" in text and petition.number in text and "下载" in text
    assert english_words(listing) == []
    assert "/admin/document/new/" not in listing and "/admin/document/edit/" not in listing
    assert "/admin/document/delete/" not in listing and "/admin/document/export/" not in listing
    page = client.get("/admin/document/details/?id=%d" % document.id).get_data(as_text=True)
    font = re.findall(r"[A-Za-z]+", document.font_embedded or "")  # the font file's name, shown as data
    assert handling_number(1) in visible_text(page) and english_words(page, font) == []
    for shown in (listing, page):
        assert "%PDF" not in shown and "PDF 文件" not in shown and "\\x" not in shown
    assert client.get("/admin/document/new/").status_code == 302
    assert client.get("/admin/document/edit/?id=%d" % document.id).status_code == 302
    assert client.get("/admin/document/export/csv/").status_code == 302
    token = csrf_token(listing)
    client.post("/admin/document/delete/", data={"id": document.id, "csrf_token": token})
    client.post("/admin/document/action/", data={"action": "delete", "rowid": document.id, "csrf_token": token})
    assert Document.get_by_id(document.id).sha256 == document.sha256
    today, earlier = now().date().isoformat(), "%d-01-01" % (YEAR - 1)
    for flt, shown in (("flt0_0=handling_opinion", True), ("flt0_0=acceptance_notice", False),
                       ("flt1_1=%s+至+%s" % (today, today), True), ("flt1_1=%s+至+%s" % (earlier, earlier), False),
                       ("flt2_2=0", True), ("flt2_2=1", False)):
        page = client.get("/admin/document/?" + flt).get_data(as_text=True)
        assert (handling_number(1) in visible_text(page)) is shown, flt
    form = client.get("/admin/document/void/?id=%d" % document.id).get_data(as_text=True)
    assert english_words(form) == []
    client.post("/admin/document/void/?id=%d" % document.id, data={"reason": "重复印发", "csrf_token": csrf_token(form)})
    assert Document.get_by_id(document.id).void_reason == "重复印发"
    assert Document.select().count() == 1
    page = client.get("/admin/document/?flt2_2=1").get_data(as_text=True)
    assert handling_number(1) in visible_text(page)


def test_posts_without_the_csrf_token_are_refused(client, staff, handled):
    petition = handled()
    page = issue(client, petition, token=False).get_data(as_text=True)
    assert "表单已过期，请重新提交。" in alerts(page) and Document.select().count() == 0
    assert Petition.get_by_id(petition.id).status == "handled"
    client.post("/admin/petition/letters/print/?ids=%d" % petition.id, data={"kind": "handling_opinion"})
    assert Document.select().count() == 0
    issue(client, petition)
    document = Document.get()
    for url in ("/admin/document/void/?id=%d", "/admin/document/reissue/?id=%d"):
        client.post(url % document.id, data={"reason": "无令牌"})
    assert not Document.get_by_id(document.id).is_void and Document.select().count() == 1


def test_unknown_letters_are_a_chinese_404_and_unavailable_ones_are_refused(client, staff, handled,
                                                                            make_petition, zh):
    petition = handled()
    for query in ("id=%d&kind=nonsense" % petition.id, "id=99999&kind=handling_opinion",
                  "id=abc&kind=handling_opinion", "id=%d&kind=handling_opinion&record=x" % petition.id,
                  "id=%d&kind=handling_opinion&record=7" % petition.id,
                  "id=%d&kind=assignment_sheet&record=99999" % petition.id):
        response = client.get("/admin/petition/letter/preview/?" + query)
        assert response.status_code == 404 and "不存在" in response.get_data(as_text=True), query
    assert client.get("/admin/document/download/?id=99999").status_code == 404
    assert client.get("/admin/document/merged/?ids=1,99999").status_code == 404
    registered = workflow.register(make_petition(subject="刚登记的事项"), staff)
    page = issue(client, registered).get_data(as_text=True)
    assert zh("No department reply has been recorded.") in alerts(page)
    assert Document.select().count() == 0 and Petition.get_by_id(registered.id).status == "registered"
    preview = client.get("/admin/petition/letter/preview/?id=%d&kind=handling_opinion" % registered.id,
                         follow_redirects=True)
    assert zh("No department reply has been recorded.") in alerts(preview.get_data(as_text=True))


def test_referral_letters_are_one_per_referral(client, staff, handled):
    petition = handled()
    referral = Referral.get()
    text = visible_text(details(client, petition))
    assert "交办单" in text and "县自然资源局" in text
    page = details(client, petition)
    assert "kind=assignment_sheet&amp;record=%d" % referral.id in page


def test_a_petition_already_answered_offers_to_print_not_to_issue_twice(client, staff, handled):
    petition = handled()
    issue(client, petition)
    page = issue(client, petition)  # a second click on a page opened before
    assert "%s 已印发：请打印，或作废后重新印发。" % handling_number(1) in alerts(page.get_data(as_text=True))
    assert Document.select().count() == 1


def test_only_the_office_issues_letters(client, login_as, issuing_office, make_petition, db):
    staff = login_as("staff", username="office")
    petition = workflow.register(make_petition(), staff)
    log_out(client)
    login_as("representative")
    response = client.get("/admin/petition/letter/preview/?id=%d&kind=acceptance_notice" % petition.id)
    assert response.status_code == 403 and "没有权限" in response.get_data(as_text=True)
    token = csrf_token(client.get("/admin/petition/").get_data(as_text=True))
    refused = client.post("/admin/petition/letter/issue/?id=%d&kind=acceptance_notice" % petition.id,
                          data={"csrf_token": token})
    assert refused.status_code == 403 and Document.select().count() == 0


def test_without_an_embedded_font_the_page_says_the_reader_needs_a_chinese_font(client, app, staff, handled,
                                                                               monkeypatch):
    monkeypatch.setattr(letters, "KNOWN_FONTS", ())
    app.config["LETTER_FONT"] = "/nonexistent/fonts/simfang.ttf"
    petition = handled()
    text = visible_text(details(client, petition))
    assert "未嵌入" in text and "中文字体" in text and "LETTER_FONT" in text
    page = issue(client, petition).get_data(as_text=True)
    messages = alerts(page)
    assert any("已印发 %s" % handling_number(1) in m for m in messages)
    assert any("未嵌入" in m and "LETTER_FONT" in m for m in messages), messages
    assert Document.get().font_embedded is None
    assert english_words(page) == []


def test_with_an_embedded_font_there_is_no_notice(client, staff, handled):
    if not letters.find_fonts(client.application.config).embedded:
        pytest.skip("no Chinese TrueType font installed")
    text = visible_text(details(client, handled()))
    assert "未嵌入" not in text


def test_the_document_register_is_on_the_menu(client, staff):
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/document/"' in page and "文书" in visible_text(page)


def test_the_document_list_loads_no_pdf_and_a_fixed_number_of_queries(client, staff, handled, query_counter):
    from models import documents

    petition = handled()
    office = Department.get(Department.name == "县信访局")

    def issue_fake(count):
        for _ in range(count):  # one in force at a time (the database keeps it so): each voided in turn
            documents.mark_void(documents.archive("handling_opinion", petition, office,
                                                  lambda number, at: b"%PDF-1.4 fake", staff), staff, "测试")

    issue_fake(2)
    with query_counter() as few:
        client.get("/admin/document/")
    issue_fake(10)
    with query_counter() as many:
        page = client.get("/admin/document/").get_data(as_text=True)
    assert many.count == few.count and "fake" not in page



@pytest.fixture
def letters_but_no_answer(client, staff, login_as, monkeypatch):
    """Logs in a leader who may print and issue letters (the "letter" permission) but whose only step is 签批."""
    from admin_app import permissions

    monkeypatch.setitem(permissions.MATRIX["petition"], "leader", frozenset(("read", "step", "letter")))
    assert not permissions.may_take_step("leader", "answer")
    log_out(client)
    return login_as("leader", username="printer")


def test_printing_letters_never_answers_a_petition(client, handled, letters_but_no_answer, zh):
    petition = handled()
    location = "/admin/petition/letters/print/?ids=%d" % petition.id
    form = client.get(location).get_data(as_text=True)
    page = client.post(location, data={"kind": "handling_opinion", "csrf_token": csrf_token(form)})
    assert Petition.get_by_id(petition.id).status == "handled" and Document.select().count() == 0
    text = visible_text(page.get_data(as_text=True))
    assert "%s：%s" % (petition.number, zh("Answer the petitioner to issue the handling opinion.")) in text


def test_issuing_the_handling_opinion_of_a_handled_petition_needs_the_answer_step(client, handled,
                                                                                  letters_but_no_answer):
    petition = handled()
    forms = re.findall(r'<form method="post" action="([^"]+)"', details(client, petition))
    assert any("kind=acceptance_notice" in url for url in forms)  # the leader issues letters ...
    assert not any("kind=handling_opinion" in url or "step/answer" in url for url in forms)  # ... but not this one
    response = issue(client, petition)
    assert response.status_code == 403 and "没有权限" in response.get_data(as_text=True)
    assert Petition.get_by_id(petition.id).status == "handled" and Document.select().count() == 0


# -- issued once, whoever clicks at the same moment --------------------------------------------------------

def test_sixteen_clerks_issuing_the_same_letter_at_once_get_one_document_and_no_error(app, client, staff, handled,
                                                                                       zh):
    petition = handled()
    clients = concurrent_clients(app, 16)
    tokens = [csrf_token(details(c, petition)) for c in clients]
    url = "/admin/petition/letter/issue/?id=%d&kind=acceptance_notice&record=" % petition.id
    results = at_once(clients, lambda c: c.post(url, data={"csrf_token": tokens[clients.index(c)]},
                                                follow_redirects=True))
    assert all(not isinstance(r, Exception) and r.status_code == 200 for r in results), results
    live = list(Document.select().where(Document.voided_at.is_null()))
    assert [(d.kind, d.number) for d in live] == [("acceptance_notice", number(1))]
    messages = [" ".join(alerts(r.get_data(as_text=True))) for r in results]
    issued_now = zh("Issued %(number)s (%(kind)s).", number=number(1), kind=zh("Notice of acceptance"))
    in_force = zh("%(number)s is already issued: print it, or void it and issue a new one.", number=number(1))
    assert sorted(messages) == sorted([issued_now] + [in_force] * 15), messages  # the others told which one
    assert Document.select().count() == 1  # and no number was taken twice or lost


def test_concurrent_bulk_prints_print_the_same_letters_and_skip_none(app, client, staff, handled):
    ready = [handled(subject="事项%d" % n) for n in range(4)]
    for petition in ready:
        workflow.answer(petition, staff)
    clients = concurrent_clients(app, 3)
    url = "/admin/petition/letters/print/?ids=%s" % ",".join(str(p.id) for p in ready)
    tokens = [csrf_token(c.get(url).get_data(as_text=True)) for c in clients]
    results = at_once(clients, lambda c: c.post(url, data={"kind": "handling_opinion",
                                                           "csrf_token": tokens[clients.index(c)]}))
    assert all(not isinstance(r, Exception) and r.status_code == 200 for r in results), results
    live = {d.petition_id: d.number for d in Document.select().where(Document.voided_at.is_null())}
    assert set(live) == {p.id for p in ready} and Document.select().count() == 4
    for response in results:
        html = response.get_data(as_text=True)
        assert all("%s %s" % (p.number, live[p.id]) in visible_text(html) for p in ready), html
        assert 'id="skipped"' not in html, visible_text(html)  # nobody's letter was refused as "already issued"


# -- no character may print as a box ---------------------------------------------------------------------------

TIGER, GRIN = "\U0002A6D6", "\U0001F600"  # 𪛖 (the last of CJK Extension B) and 😀: no glyph in the embedded fonts


@pytest.fixture
def unprintable(handled, make_petitioner):
    """A handled petition of 𪛖某某 whose subject ends with 😀; and what has been written so far."""
    petition = handled(petitioner=make_petitioner(name="%s某某" % TIGER), subject="宅基地纠纷%s" % GRIN)
    return petition, written()


def written():
    """What issuing writes: documents, audit entries, steps and the number series."""
    return {"documents": Document.select().count(), "audit": AuditEntry.select().count(),
            "steps": StepRecord.select().count(),
            "numbers": [(s.prefix, s.year, s.last) for s in NumberSeries.select()]}


def test_a_letter_that_would_print_a_box_is_refused_in_chinese_and_takes_no_number(client, staff, unprintable):
    petition, before = unprintable
    response = issue(client, petition, kind="acceptance_notice")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    messages = alerts(page)
    assert any(m.startswith("信访人姓名中的“%s”；事由中的“%s”无法打印" % (TIGER, GRIN)) and "未印发" in m
               for m in messages), messages
    assert not any("已印发" in m for m in messages) and english_words(page) == []
    assert written() == before  # no document, no number, no audit entry


def test_the_answer_step_is_not_taken_when_its_handling_opinion_cannot_be_printed(client, staff, unprintable):
    petition, before = unprintable
    token = csrf_token(details(client, petition))
    response = client.post("/admin/petition/step/answer/?ids=%d" % petition.id, data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200
    messages = alerts(response.get_data(as_text=True))
    assert any(m.startswith(petition.number) and "信访人姓名中的“%s”" % TIGER in m and "无法打印" in m
               for m in messages), messages
    assert not any("已办理" in m or "已印发" in m for m in messages), messages
    assert Petition.get_by_id(petition.id).status == "handled"  # the whole 答复 was rolled back
    assert written() == before


def test_the_preview_lists_and_marks_the_characters_that_cannot_print(client, staff, unprintable):
    petition, before = unprintable
    response = client.get("/admin/petition/letter/preview/?id=%d&kind=acceptance_notice" % petition.id)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.data).split())
    assert "以下字符无法打印，本文书不能印发：信访人姓名中的“U+2A6D6”；事由中的“U+1F600”。" in text
    assert "[U+2A6D6]某某" in text and "宅基地纠纷[U+1F600]" in text
    assert written() == before


def test_a_transfer_offers_the_transfer_letter_and_an_assignment_sheet_without_a_contact_is_refused(
        app, client, staff, make_petition):
    """转送 → 转送函; 交办 → 交办单, refused in Chinese naming the settings while the 联系人 is not set (issue 15)."""
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    moved = workflow.register(make_petition(subject="转送的事项"), staff)
    workflow.accept(moved, staff)
    transfer = workflow.refer(moved, land, staff, mode="transfer")
    page = details(client, moved)
    assert "kind=transfer_letter&amp;record=%d" % transfer.id in page and "kind=assignment_sheet&amp;" not in page
    assert "信访事项转送函" in visible_text(page)

    assigned = workflow.register(make_petition(subject="交办的事项"), staff)
    workflow.accept(assigned, staff)
    referral = workflow.refer(assigned, land, staff, mode="assign")
    app.config.update(LETTER_CONTACT="", LETTER_CONTACT_PHONE="")
    shown = " ".join(alerts(issue(client, assigned, "assignment_sheet", referral.id).get_data(as_text=True)))
    assert "交办单须写明本机关的联系人和联系电话：请先在“系统设置”页填写联系人和联系电话" in shown
    assert Document.select().count() == 0
    app.config.update(LETTER_CONTACT="王小红", LETTER_CONTACT_PHONE="0536-7654321")
    issue(client, assigned, "assignment_sheet", referral.id)
    assert Document.get().kind == "assignment_sheet" and "0536-7654321" in pdf_text(bytes(Document.get().pdf))
