"""转送 and 交办 are different letters (issue 15 §1), read back from their PDFs: a 转送 gives a 转送函 asking for no
办结报告; a 交办 a 交办单 with the due date, the 办结报告, the office's 联系人 and phone, the 附件 and the 版记 at the
foot of its last page (GB/T 9704-2012 7.4). And the letters state the 信访请求, never the whole content.
"""
import pytest

from admin_app import i18n
from admin_app.letters import content as letter_content, render as letters
from models.documents import Document
from models.organisation import Department
from models.petition import NumberSeries
from models.workflow import letters as letter_rules

from .conftest import TEXT_BOTTOM
from .test_letters import body_text, flat

DISTINCT = "这是只在信访内容里出现的一句话绝不应出现在文书上。"
SUMMARY = "请求确认宅基地界址，恢复共用道路通行。"


def test_a_transfer_gives_a_transfer_letter_asking_for_no_report(ctx, staged, clerk, issued_on, read_pdf):
    petition, referral = staged("transfer_letter", mode="transfer")

    records, reasons = letter_rules.available(petition)
    assert records["transfer_letter"] == [referral] and "assignment_sheet" in reasons
    with pytest.raises(letter_rules.NotAvailable):
        letters.issue_letter("assignment_sheet", petition, clerk, referral)
    text = body_text(read_pdf(bytes(letters.issue_letter("transfer_letter", petition, clerk, referral).pdf)))

    assert text.startswith("信访事项转送函高信访〔2023〕1号县自然资源局：")
    assert "信访事项转送你单位" in text and "并直接书面答复信访人" in text
    assert "办结报告" not in text and "交办" not in text and "版记" not in text and "印发" not in text


def test_an_assignment_gives_an_assignment_sheet_with_its_deadline_report_contact_attachments_and_imprint(
        ctx, staged, clerk, issued_on, read_pdf, read_boxes, department):
    town = Department.create(name="高桥镇人民政府", short_name="高桥", kind="town")
    petition, referral = staged("assignment_sheet", town=town)

    records, reasons = letter_rules.available(petition)
    assert records["assignment_sheet"] == [referral] and "transfer_letter" in reasons
    pdf = bytes(letters.issue_letter("assignment_sheet", petition, clerk, referral).pdf)
    text = body_text(read_pdf(pdf))

    for phrase in ("交办你单位", "请于2023年1月31日前办结，并向本机关报送办结报告", "附件：1.信访事项登记表（XF-2022-000001）",
                   "2.来访登记记录", "（联系人：王小红，联系电话：0536-7654321）", "抄送：高桥镇人民政府。",
                   "县信访局2023年3月25日印发"):
        assert flat(phrase) in text, phrase
    # the 版记 after the signature, at the foot of the last page
    pages, words = read_boxes(pdf)
    last = len(pages)
    imprint = [w for w in words if w.text in ("抄送：高桥镇人民政府。", "2023年3月25日印发")]
    assert [w.page for w in imprint] == [last, last]
    date = [w for w in words if w.text == "2023年3月25日"][-1]
    assert all(w.y0 > date.y1 for w in imprint)
    issued = next(w for w in imprint if w.text == "2023年3月25日印发")
    assert TEXT_BOTTOM - letters.LINE_PITCH - 6 < issued.y1 <= TEXT_BOTTOM + 0.5
    below = [w for w in words if w.page == last and w.y0 > issued.y1 and w.y0 <= TEXT_BOTTOM]
    assert below == []  # nothing under the 版记 in the text block


def test_an_assignment_sheet_without_the_contact_set_is_refused_naming_the_settings_page(app, ctx, staged, clerk,
                                                                                        issued_on):
    app.config["LETTER_CONTACT_PHONE"] = ""
    petition, referral = staged("assignment_sheet")

    with pytest.raises(letter_rules.DomainError) as refused:
        letters.issue_letter("assignment_sheet", petition, clerk, referral)
    message = i18n.error_message(refused.value)
    assert "“系统设置”页填写联系人和联系电话" in message and "LETTER_" not in message  # where a clerk can set them
    assert Document.select().count() == 0
    assert not NumberSeries.select().where(NumberSeries.prefix == "高信访").exists()
    # the 转送告知书 to the petitioner does not need it
    assert letters.issue_letter("referral_notice", petition, clerk, referral).number == "高信访〔2023〕1号"


@pytest.mark.parametrize("kind", ["assignment_sheet", "transfer_letter", "handling_opinion"])
def test_letters_state_the_request_summary_not_the_content(kind, ctx, staged, clerk, issued_on, read_pdf):
    petition, record = staged(kind, mode="transfer" if kind == "transfer_letter" else "assign",
                              content="信访人反映宅基地纠纷。" + DISTINCT, request_summary=SUMMARY)
    document = (letters.answer(petition, clerk) if kind == "handling_opinion"
                else letters.issue_letter(kind, petition, clerk, record))
    text = body_text(read_pdf(bytes(document.pdf)))

    assert flat(SUMMARY) in text
    assert DISTINCT not in text and "信访人反映宅基地纠纷" not in text


def test_a_petition_without_a_summary_states_its_subject_never_its_content(ctx, staged):
    petition, _ = staged("acceptance_notice", content="很长的信访内容。" + DISTINCT)
    assert petition.request_summary is None
    assert letter_content.request_of(petition) == "宅基地及共用道路纠纷"
    petition.request_summary = "  " + SUMMARY + " "
    assert letter_content.request_of(petition) == SUMMARY
