"""The 调解协议书 as the mediation committee's document and the 会诊纪要 as a 纪要 (issue 15 §1), read back from
their PDFs (pdftotext -layout and -bbox): who issues them, what they state, and how the agreement's pages fill."""
import datetime as dt
import os

from admin_app.letters import render as letters
from admin_app.letters.content import cn_numeral, items
from models import workflow
from models.documents import Document
from models.people import Representative
from models.petition import Petition

from .conftest import DISPUTE_FACTS, PARTICULARS, TEXT_BOTTOM, TEXT_TOP, day

MIN_LINES = 4  # a page of a letter holds at least this many lines of text (no near-empty page)


def flat(text):
    return "".join(text.split())


def keep(name, document):
    """Write the PDF to look at when LETTER_IMAGES names a folder (LETTER_IMAGES=/tmp/dir pytest ...)."""
    if os.environ.get("LETTER_IMAGES"):
        with open(os.path.join(os.environ["LETTER_IMAGES"], name), "wb") as out:
            out.write(bytes(document.pdf))


def page_lines(words):
    """{page: [y of each line of text]} from the word boxes, without the page numbers in the footer."""
    lines = {}
    for word in words:
        if TEXT_TOP - 1 <= word.y0 <= TEXT_BOTTOM:
            lines.setdefault(word.page, set()).add(round(word.y0))
    return {page: sorted(ys) for page, ys in lines.items()}


def test_mediation_agreement_is_the_committees_with_the_parties_facts_terms_and_notice(issue, read_pdf):
    document = issue("mediation_agreement")
    keep("mediation-agreement.pdf", document)
    text = read_pdf(bytes(document.pdf))
    body = flat(text)

    assert "高信访" not in text and "〔" not in text and "县信访局" not in text  # not the office's
    assert document.number == "XF-2022-000001-调解1" and document.number not in text  # an archive key only
    assert body.count("高桥镇人民调解委员会") >= 3  # under the title, in the body, at the seal
    assert "371526197005031234" in body and "联系电话：13800138000" in body and "回族" in body
    assert flat("纠纷事实：" + DISPUTE_FACTS) in body and "争议事项：" in body
    assert body.index("一、张某某") < body.index("二、双方共用道路")
    assert "30日内共同向人民法院申请司法确认" in body and "人民调解法》第三十三条" in body
    for signer in ("当事人（签名或按指印）：刘某某", "当事人（签名或按指印）：张某某", "人民调解员（签名）：陈调解员",
                   "见证律师（签名）：赵律师", "高桥镇人民调解委员会（印）"):
        assert signer in body
    assert body.index("高桥镇人民调解委员会（印）") < body.index("2022年12月28日", body.index("（印）"))


def test_a_long_mediation_agreement_leaves_no_near_empty_page(ctx, staged, clerk, issued_on, read_boxes):
    """Observed: page 2 held one line and 21 blank lines. Every page has MIN_LINES lines or more; no run of more than
    one empty line between lines of text; the signatures, seal and date on one page, after the 司法确认 notice."""
    shown = []
    for terms in (2, 6, 7, 8, 9, 14, 20):
        petition, _ = staged("mediation_agreement")
        mediation = workflow.mediate(
            petition, clerk, "刘某某；张某某", "陈调解员", "高桥镇一站式矛调中心",
            "\n".join("第%d项，张某某于2023年1月10日前将院墙恢复原址，双方共用道路保持畅通，任何一方不得堵塞。" % n
                      for n in range(1, terms + 1)),
            dt.date(2022, 12, 28), lawyer="赵律师", committee="高桥镇人民调解委员会", party_particulars=PARTICULARS,
            dispute_facts=DISPUTE_FACTS * 2, disputed_matters="院墙应否恢复原址。", at=day(12, 28, 2022))
        document = letters.issue_letter("mediation_agreement", Petition.get_by_id(petition.id), clerk, mediation.id)
        pages, words = read_boxes(bytes(document.pdf))
        keep("mediation-%d-terms.pdf" % terms, document)
        lines = page_lines(words)
        for page, ys in lines.items():
            assert len(ys) >= MIN_LINES, (terms, page, ys)
            gaps = [b - a for a, b in zip(ys, ys[1:])]
            assert max(gaps, default=0) < 3.5 * letters.LINE_PITCH, (terms, page, gaps)
        seal = next(w for w in words if "（印）" in w.text)
        signatures = [w for w in words if w.text.startswith(("当事人（签名", "人民调解员（签名", "见证律师（签名"))]
        assert {w.page for w in signatures} == {seal.page}, (terms, signatures, seal)
        notice = [w for w in words if "申请司法确认" in w.text]  # the notice stays with the signatures
        assert notice and notice[-1].page == seal.page, (terms, notice, seal)
        assert len(pages) == len(lines)
        shown.append((terms, len(pages), [len(ys) for ys in lines.values()]))
    print(shown)  # (terms, pages, lines a page): seen with -s


def test_consultation_minutes_are_a_jiyao_one_for_the_meeting(ctx, make_petition, make_petitioner, clerk, office,
                                                             issued_on, read_pdf, rendered_html=None):
    petitions = []
    for name in ("刘某某", "张某某"):
        petition = make_petition(petitioner=make_petitioner(name=name), channel="visit", subject="宅基地纠纷",
                                 content="请求确认界址。", received_at=dt.datetime(2022, 12, 9, 9, 30))
        workflow.register(petition, clerk)
        petitions.append(workflow.accept(petition, clerk, at=day(12, 10, 2022)))
    rep = Representative.create(name="王春月", kind="npc_deputy")
    meeting = workflow.convene(petitions, clerk, day(12, 15, 2022, hour=9), "联合接访大厅", "研究界址纠纷。", [rep],
                               [("张某", "department_staff", "县自然资源局"), ("赵律师", "lawyer", None)])
    workflow.conclude(meeting, clerk, "一、县自然资源局现场勘测确认界址。\n二、高桥镇牵头组织调解。",
                      follow_up_tasks="县自然资源局于12月20日前完成勘测。", at=day(12, 15, 2022, hour=11))

    first = letters.issue_letter("consultation_minutes", Petition.get_by_id(petitions[1].id), clerk, meeting.id)
    again = letters.issue_letter("consultation_minutes", Petition.get_by_id(petitions[0].id), clerk, meeting.id)
    assert again.id == first.id and Document.select().where(Document.kind == "consultation_minutes").count() == 1

    keep("consultation-minutes.pdf", first)
    text = read_pdf(bytes(first.pdf))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = flat(text)
    assert lines[0] == "会诊纪要" and lines[1] == first.number == "高信访〔2023〕1号"
    assert not lines[2].endswith("：") and lines[2].startswith("时间：")  # no 主送 (addressee) line
    assert "出席：王春月（人大代表）" in body and "列席：张某（部门工作人员，县自然资源局）、赵律师（律师）" in body
    assert "主持：王小红" in body
    assert "二、议定事项（一）县自然资源局现场勘测确认界址。（二）高桥镇牵头组织调解。（三）县自然资源局于12月20日前完成勘测。" in body
    assert "XF-2022-000001" in body and "XF-2022-000002" in body


def test_minutes_mark_their_headings_for_the_typesetting(ctx, staged, clerk, issued_on):
    petition, record_id = staged("consultation_minutes")
    html = letters.render_html("consultation_minutes", letters.find_fonts(), page_numbers=False,
                               **letters.letter_values("consultation_minutes", petition, record_id, "高信访〔2023〕1号",
                                                       dt.datetime(2023, 3, 25)))
    assert html.count('<div class="h1">') == 3 and "议定事项" in html.split('<div class="h1">')[3]


def test_terms_typed_on_one_line_or_numbered_by_hand_are_numbered_once():
    assert items("一、张某某拆除院墙；二、道路保持畅通；三、不再争执。\n4. 另一项\n\n（5）第五项") == [
        "张某某拆除院墙", "道路保持畅通", "不再争执。", "另一项", "第五项"]
    assert [cn_numeral(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
