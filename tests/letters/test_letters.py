"""Letters read back from their PDFs: every kind's wording, number, names and dates; the layout measured
from the word boxes (A4, inside the GB/T 9704 text block, the organ centred over the date); the font;
archiving (a second print is the same bytes, voiding and reissuing); the draft; the safety of petition
text; the batch. PDFs are read with poppler (pdftotext, pdffonts) and pypdf.
"""
import builtins
import datetime as dt
import io
import mimetypes
import os
import re
import socket
from html import unescape

import pytest
from pypdf import PdfReader

from admin_app.letters import content as letter_content, render as letters
from models import deadlines, documents, workflow
from models.workflow import letters as letter_rules
from models.casework import Referral
from models.documents import KINDS, Document
from models.organisation import Department
from models.petition import NumberSeries, Petition

from .conftest import A4, TEXT_BOTTOM, TEXT_LEFT, TEXT_RIGHT, TEXT_TOP

ZH_ANSWER_FIRST = "信访事项处理意见书随答复印发，请先答复信访人。"
TITLES = {
    "acceptance_notice": "信访事项受理告知书",
    "rejection_notice": "信访事项不予受理告知书",
    "referral_notice": "信访事项转送（交办）告知书",
    "transfer_letter": "信访事项转送函",
    "assignment_sheet": "交办单",
    "extension_notice": "延期办理告知书",
    "handling_opinion": "信访事项处理意见书",
    "review_opinion": "信访事项复查意见书",
    "recheck_opinion": "信访事项复核意见书",
    "mediation_agreement": "调解协议书",
    "consultation_minutes": "会诊纪要",
    "supervision_sheet": "督办单",
}

# What each kind must say, besides its title, number, the petitioner's name and its date.
SAYS = {
    "acceptance_notice": ["于2022年12月9日以来访方式提出的“宅基地及共用道路纠纷”信访事项（编号XF-2022-000001）",
                          "已于2022年12月10日依法受理", "自受理之日起60日内办结，即于2023年2月8日前办结",
                          "《信访工作条例》第三十四条"],
    "rejection_notice": ["2022年12月9日", "决定不予受理", "该诉求已经人民法院判决，依法应当通过诉讼程序解决。",
                         "《信访工作条例》第三十一条、第三十二条。", "向有权处理的人民法院、仲裁机构或者行政机关提出"],
    "referral_notice": ["2022年12月9日", "已于2022年12月12日", "交办县自然资源局办理", "第二十二条、第二十三条",
                        "现将交办去向告知你"],
    "transfer_letter": ["现将刘某某于2022年12月9日以来访方式提出的“宅基地及共用道路纠纷”信访事项转送你单位",
                        "信访事项编号：XF-2022-000001", "请实地核查院墙位置，依法处理。", "并直接书面答复信访人",
                        "自收到本转送函之日起5个工作日内提出异议，并详细说明理由", "四、信访请求：宅基地及共用道路纠纷。"],
    "assignment_sheet": ["现将刘某某于2022年12月9日以来访方式提出的“宅基地及共用道路纠纷”信访事项交办你单位",
                         "信访事项编号：XF-2022-000001", "请实地核查院墙位置，依法处理。", "请于2023年1月31日前办结",
                         "办结报告", "自收到本交办单之日起5个工作日内提出异议，并详细说明理由",
                         "四、信访请求：宅基地及共用道路纠纷。", "附件：1.信访事项登记表（XF-2022-000001）",
                         "2.来访登记记录", "（联系人：王小红，联系电话：0536-7654321）", "县信访局2023年3月25日印发"],
    "extension_notice": ["2022年12月9日", "已于2022年12月10日依法受理，原应于2023年2月8日前办结",
                         "延期理由：需要现场勘测并组织双方调解，情况复杂。", "办理期限延长30日",
                         "延长后的办结期限为2023年3月10日", "第三十四条"],
    "handling_opinion": ["你于2022年12月9日以来访方式提出的", "经县自然资源局办理",
                         "一、信访请求。宅基地及共用道路纠纷", "二、查明的事实。经现场勘测",
                         "三、处理理由。支持信访人", "四、处理意见：予以支持。",
                         "五、法律依据。《中华人民共和国民法典》第二百八十八条；《信访工作条例》第三十二条。",
                         "可以自收到本意见书之日起30日内，向县人民政府请求复查。"],
    "review_opinion": ["于2023年2月1日向县人民政府提出复查请求", "经复查，原处理意见认定事实清楚、适用依据正确，予以维持。",
                       "第三十五条", "可以自收到本意见书之日起30日内，向市人民政府请求复核。"],
    "recheck_opinion": ["于2023年3月1日向市人民政府提出复核请求", "经复核，复查意见认定事实清楚、程序合法，予以维持。",
                        "本复核意见为最终意见", "第三十六条", "仍然以同一事实和理由提出信访请求的，不再受理。"],
    "mediation_agreement": [
        "高桥镇人民调解委员会",
        "当事人：刘某某，男，汉族，1970年5月3日出生，身份证号码：371526197005031234，住址：高桥镇后屯村12号，联系电话：13800138000",
        "当事人：张某某，女，回族，1968年2月1日出生，身份证号码：371526196802011223，住址：高桥镇后屯村14号",
        "纠纷事实：2022年10月，张某某翻建房屋时将院墙向外扩建约四十厘米", "争议事项：张某某翻建院墙是否占用共用道路，应否恢复原址。",
        "经高桥镇人民调解委员会主持调解", "一、张某某于2023年1月10日前将院墙恢复原址。",
        "二、双方共用道路保持畅通，任何一方不得堵塞。", "可以自本协议生效之日起30日内共同向人民法院申请司法确认",
        "《中华人民共和国人民调解法》第三十三条", "当事人（签名或按指印）：刘某某", "当事人（签名或按指印）：张某某",
        "人民调解员（签名）：陈调解员", "见证律师（签名）：赵律师", "高桥镇人民调解委员会（印）"],
    "consultation_minutes": ["时间：2022年12月15日9时", "地点：联合接访大厅", "主持：王小红",
                             "会议就XF-2022-000001（信访人刘某某，“宅基地及共用道路纠纷”）进行会诊",
                             "出席：王春月（人大代表）", "列席：张某（部门工作人员，县自然资源局）、赵律师（律师）",
                             "一、会诊议题研究宅基地界址纠纷的化解方案。",
                             "二、会议情况王春月代表建议先行勘测。张某介绍了土地确权登记情况。",
                             "三、议定事项（一）由县自然资源局现场勘测确认界址，高桥镇牵头组织调解。（二）县自然资源局于12月20日前完成勘测。"],
}
# Who signs each letter and its number, when not the office (县信访局, 高信访〔2023〕1号): the 处理意见书 the
# department that handled it, in its own series; the 复查/复核意见书 the organs the settings name, not on record,
# so with no 文号 (archived under the petition's registration number).
SAYS["supervision_sheet"] = [
    "刘某某于2022年12月9日以来访方式提出的“宅基地及共用道路纠纷”信访事项（编号XF-2022-000001），该信访事项已于2022年12月12日"
    "交办你单位办理，要求于2023年1月31日前办结，现已逾期，未见办理结果。", "现予以督办", "一、督办方式：文书督办。",
    "二、督办意见：请你单位抓紧核查院墙位置，依法处理，并答复信访人。", "三、反馈时限：请于2023年2月20日前将办理情况书面反馈本机关",
    "（联系人：王小红，联系电话：0536-7654321）"]
ISSUED_BY = {"handling_opinion": ("县自然资源局", "高自然资〔2023〕1号"),
             "review_opinion": ("县人民政府", None), "recheck_opinion": ("市人民政府", None),
             "mediation_agreement": ("高桥镇人民调解委员会（印）", None)}
ADDRESSEE = {"assignment_sheet": "县自然资源局：", "supervision_sheet": "县自然资源局：", "transfer_letter": "县自然资源局：", "mediation_agreement": None,
             "consultation_minutes": None}
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")
CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def flat(text):
    """The text without any whitespace (lines wrap anywhere in Chinese)."""
    return "".join(text.split())


def body_text(text):
    """The text without page numbers and whitespace."""
    return flat(PAGE_NUMBER.sub("", text))


@pytest.fixture
def rendered_html(monkeypatch):
    """The HTML xhtml2pdf was last given (to count the characters a letter should show)."""
    seen = []
    original = letters.render_pdf

    def spy(html, fonts):
        seen.append(html)
        return original(html, fonts)

    monkeypatch.setattr(letters, "render_pdf", spy)
    return seen


def html_characters(html):
    """The characters an HTML letter shows: its text without the style, tags, page footer and whitespace."""
    html = re.sub(r"(?s)<style>.*?</style>|<div id=\"page-footer\">.*?</div>|<div id=\"draft-mark\">.*?</div>", "",
                  html)
    return flat(unescape(re.sub(r"(?s)<[^>]+>", "", html)))


def assert_inside_text_block(pages, words, top_margin_words=()):
    """Every word on an A4 page, inside the text block; below it only the page number "— N —"."""
    assert pages and all((round(w), round(h)) == (595, 842) for w, h in pages)
    for word in words:
        assert TEXT_LEFT - 0.5 <= word.x0 and word.x1 <= TEXT_RIGHT + 0.5, word
        if word.y0 > TEXT_BOTTOM:  # the footer
            assert word.text in ("—", str(word.page)), word
            assert word.y1 < A4[1], word
        elif word.y1 < TEXT_TOP:
            assert word.text in top_margin_words, word
        else:
            assert TEXT_TOP - 0.5 <= word.y0 and word.y1 <= TEXT_BOTTOM + 0.5, word


# -- every kind, read back ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_reads_back_with_its_title_number_names_and_dates(kind, issue, read_pdf):
    document = issue(kind)
    text = read_pdf(bytes(document.pdf))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if kind in ("assignment_sheet", "supervision_sheet"):  # the 附注 and the 版记 under the date (tests/letters/test_referral_letters.py)
        lines = lines[:next(i for i, line in enumerate(lines) if line.startswith("（联系人"))]

    organ, number = ISSUED_BY.get(kind, ("县信访局", "高信访〔2023〕1号"))
    assert lines[0] == TITLES[kind]
    if number:
        assert document.number == number and lines[1] == number
    else:
        assert document.number == "XF-2022-000001-%s1" % documents.REGISTRATION[kind]
        assert document.number not in text and "〔" not in text and "号" not in lines[1]
    addressee = ADDRESSEE.get(kind, "刘某某：")
    if addressee:
        assert lines[2 if number else 1] == addressee
    assert "刘某某" in text
    signed = "2022年12月28日" if kind == "mediation_agreement" else "2023年3月25日"
    assert lines[-1] == signed or PAGE_NUMBER.fullmatch(lines[-1]) and lines[-2] == signed
    organ_line = lines.index(signed) - 1
    assert lines[organ_line] == organ
    for phrase in SAYS[kind]:
        assert flat(phrase) in body_text(text), phrase
    for year, month, day_ in CHINESE_DATE.findall(body_text(text)):  # no leading zeros
        assert not month.startswith("0") and not day_.startswith("0")
    assert "0号" not in document.number and not re.search(r"〔\d+〕0", document.number)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_lies_inside_the_margins_and_nothing_is_clipped(kind, issue, read_boxes, read_pdf,
                                                                    rendered_html):
    document = issue(kind)
    pdf = bytes(document.pdf)
    pages, words = read_boxes(pdf)

    assert_inside_text_block(pages, words)
    # every character the HTML holds is on a page: none cut off at a margin or at the foot of a page
    assert body_text(read_pdf(pdf)) == html_characters(rendered_html[-1])
    if len(pages) > 1:
        assert [w.page for w in words if w.text == str(w.page) and w.y0 > TEXT_BOTTOM] == list(
            range(1, len(pages) + 1))


@pytest.mark.parametrize("kind", ["handling_opinion", "mediation_agreement", "acceptance_notice"])
def test_organ_is_centred_over_the_date_four_characters_from_the_right_with_body_text_on_its_page(
        kind, issue, read_boxes):
    pages, words = read_boxes(bytes(issue(kind).pdf))
    signed = "2022年12月28日" if kind == "mediation_agreement" else "2023年3月25日"
    date = next(w for w in words if w.text == signed)
    organ = next(w for w in words if w.text == ISSUED_BY.get(kind, ("县信访局",))[0])

    assert abs(date.x1 - (TEXT_RIGHT - 4 * letters.BODY_SIZE)) < 0.5  # 右空四字
    assert abs((organ.x0 + organ.x1) / 2 - (date.x0 + date.x1) / 2) < 0.5  # centred over the date
    assert organ.page == date.page and 0 < date.y0 - organ.y0 < 2 * letters.LINE_PITCH
    above = [w for w in words if w.page == organ.page and w.y0 < organ.y0]
    assert above, "the seal would stand on a page with no text"


def test_lines_hold_28_characters_and_a_page_22_lines(ctx, office, read_boxes):
    """GB/T 9704: 28 characters a line, 22 lines a page (a long letter's second page is full)."""
    lines = letters.wrap("中" * 200, letters.find_fonts().body)
    assert [len(line) for line, _ in lines[:3]] == [26, 28, 28]  # the first line is indented two characters

    fonts = letters.find_fonts()
    html = letters.render_html("handling_opinion", fonts, page_numbers=True, title="信访事项处理意见书", number="高信访〔2023〕1号",
                               date="2023年3月25日", organ="县信访局", petitioner="刘某某", received="2022年12月9日",
                               channel="来访", subject="宅基地纠纷", number_of_petition="XF-2022-000001",
                               department="县自然资源局", request="中" * 2000, facts="事实。", opinion="意见。",
                               outcome="予以支持", legal_basis="依据", review_organ="县人民政府")
    pages, words = read_boxes(letters.render_pdf(html, fonts))
    second_page = [w for w in words if w.page == 2 and w.y0 <= TEXT_BOTTOM]
    assert len({round(w.y0) for w in second_page}) == 22
    assert all(len(w.text) == 28 for w in second_page)


def test_wrap_keeps_numbers_whole_and_punctuation_off_the_start_of_a_line(ctx, office):
    font = letters.find_fonts().body
    text = ("你于2022年12月9日以来访方式提出的“宅基地及共用道路纠纷”信访事项（编号XF-2022-000001），"
            "本机关已于2022年12月10日依法受理。" + "根据条例规定，" * 40 + "一二三四五六七八九十一二三四五六七八九十一二三四五六“七八")
    lines = [line for line, _ in letters.wrap(text, font)]
    assert "".join(lines) == text
    assert all(line[0] not in letters.NO_LINE_START for line in lines[1:])
    assert all(line[-1] not in letters.NO_LINE_END for line in lines)
    assert not any(a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum()
                   for a, b in zip(lines, lines[1:]))
    assert all(letters.text_width(line, letters.find_fonts()) <= letters.TEXT_WIDTH + 0.01 for line in lines)


def test_the_review_opinion_cites_the_handling_opinion_it_answers(ctx, staged, clerk, issued_on, read_pdf):
    petition, _ = staged("handling_opinion")
    handling = letters.answer(petition, clerk, at=dt.datetime(2023, 3, 25, 9, 0))  # the 答复, before the review
    workflow.request_review(petition, clerk, at=dt.datetime(2023, 3, 26, 9, 0))
    workflow.record_review(petition, clerk, "经复查，予以维持。", at=dt.datetime(2023, 3, 27, 9, 0))
    issued_on(dt.datetime(2023, 3, 28, 9, 0))

    review = letters.issue_letter("review_opinion", Petition.get_by_id(petition.id), clerk)

    assert (handling.number, review.number) == ("高自然资〔2023〕1号", "XF-2022-000001-复查1")
    text = body_text(read_pdf(bytes(review.pdf)))
    assert "的信访处理意见（高自然资〔2023〕1号）不服，于2023年3月26日向县人民政府提出复查请求" in text
    assert "经复查，予以维持。" in text and "2023年3月28日" in text


def test_limits_are_stated_as_the_counting_rule_counts_them(monkeypatch):
    assert [letter_content.limit_text(name) for name in ("handling", "extension", "objection")] == [
        "60日", "30日", "5个工作日"]
    monkeypatch.setitem(deadlines.COUNTING, "counted", "working")
    assert letter_content.limit_text("handling") == "60个工作日"


# -- fonts -------------------------------------------------------------------------------------------

def installed(path, name):
    missing = pytest.mark.skipif(not os.path.isfile(path), reason="%s not installed" % path)
    return pytest.param(path, name, marks=missing)


def test_a_known_system_font_is_embedded(issue, read_fonts):
    if not any(os.path.isfile(path) for path in letters.KNOWN_FONTS):
        pytest.skip("no Chinese TrueType font installed")
    document = issue("handling_opinion")
    fonts = read_fonts(bytes(document.pdf))

    embedded = [name for name, _type, emb in fonts if emb and "Helvetica" not in name]
    assert embedded and all(emb for name, _type, emb in fonts if "Helvetica" not in name)
    assert document.font_embedded == os.path.basename(letters.find_fonts().body)


@pytest.mark.parametrize("path, name", [
    installed("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi"),
    installed("/usr/share/fonts/truetype/arphic/uming.ttc", "UMing"),
], ids=["wqy-zenhei", "uming"])
def test_the_configured_letter_font_is_embedded(path, name, app, issue, read_fonts, read_pdf):
    app.config["LETTER_FONT"] = path
    document = issue("acceptance_notice")
    fonts = read_fonts(bytes(document.pdf))

    assert any(name in font and emb for font, _type, emb in fonts), fonts
    assert document.font_embedded == os.path.basename(path)
    assert "刘某某" in read_pdf(bytes(document.pdf))


def test_without_any_font_the_letter_uses_stsong_light_not_embedded(app, issue, monkeypatch, read_fonts, read_pdf,
                                                                    read_boxes):
    app.config["LETTER_FONT"] = "/nonexistent/simfang.ttf"
    monkeypatch.setattr(letters, "KNOWN_FONTS", ())
    document = issue("handling_opinion")
    pdf = bytes(document.pdf)

    fonts = read_fonts(pdf)
    assert ("STSong-Light", False) in {(name.split("+")[-1].split("-UniGB")[0], emb) for name, _type, emb in fonts}
    assert not any(emb for _name, _type, emb in fonts)
    assert document.font_embedded is None
    text = read_pdf(pdf)
    assert "刘某某" in text and flat("30日内，向县人民政府请求复查。") in body_text(text)
    assert_inside_text_block(*read_boxes(pdf))


# -- the archive: numbers, second prints, voiding ----------------------------------------------------

def test_a_second_print_is_the_archived_bytes(issue, clerk):
    document = issue("handling_opinion")
    first = bytes(document.pdf)

    again = Document.get_by_id(document.id)
    assert bytes(again.pdf) == first and documents.verify(again)
    petition = Petition.get_by_id(document.petition_id)
    assert petition.status == "answered"  # issuing the 处理意见书 is the 答复
    pdf, printed, skipped = letters.print_batch("handling_opinion", [petition], clerk)
    assert [doc.id for _, doc in printed] == [document.id] and skipped == []
    assert Document.select().count() == 1  # printed again, not issued again
    assert [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages] == [
        page.extract_text() for page in PdfReader(io.BytesIO(first)).pages]


def test_numbers_are_sequential_per_prefix_and_year_without_leading_zeros(app, ctx, staged, clerk, issued_on):
    petition, _ = staged("extension_notice")
    numbers = [letters.issue_letter(kind, petition, clerk).number for kind in ("acceptance_notice", "extension_notice")]
    petition, referral = staged("assignment_sheet")
    numbers += [letters.issue_letter(kind, petition, clerk, referral).number
                for kind in ("referral_notice", "assignment_sheet")]
    assert numbers == ["高信访〔2023〕1号", "高信访〔2023〕2号", "高信访〔2023〕3号", "高信访〔2023〕4号"]

    issued_on(dt.datetime(2024, 1, 2, 9, 0))
    assert letters.issue_letter("acceptance_notice", petition, clerk).number == "高信访〔2024〕1号"
    Department.create(name="县联席办", short_name="高联办", kind="county")
    app.config["LETTER_ISSUER"] = "县联席办"
    petition, _ = staged("acceptance_notice")  # the first petition has its 受理告知书: a letter is issued once
    document = letters.issue_letter("acceptance_notice", petition, clerk)
    assert document.number == "高联办〔2024〕1号"
    assert documents.format_number("高信访", 2022, 12) == "高信访〔2022〕12号"


def test_voiding_and_reissuing_gives_a_new_number_and_keeps_the_old_bytes(issue, clerk, read_pdf):
    old = issue("acceptance_notice")
    old_bytes = bytes(old.pdf)

    new = letters.reissue(old, clerk, "受理日期有误")

    old = Document.get_by_id(old.id)
    assert old.is_void and old.void_reason == "受理日期有误" and old.voided_by_id == clerk.id
    assert bytes(old.pdf) == old_bytes and documents.verify(old)
    assert new.number == "高信访〔2023〕2号" and new.replaces_id == old.id and not new.is_void
    assert "高信访〔2023〕2号" in read_pdf(bytes(new.pdf))
    assert documents.current("acceptance_notice", old.petition).id == new.id
    with pytest.raises(Exception):
        letters.reissue(old, clerk, "再次作废")


def test_a_draft_is_marked_and_has_no_number(ctx, staged, clerk, read_pdf, read_boxes):
    petition, _ = staged("handling_opinion")
    pdf = letters.preview("handling_opinion", petition)
    text = read_pdf(pdf)

    assert "草稿" in text and "高信访〔" not in text
    assert Document.select().count() == 0 and not NumberSeries.select().where(NumberSeries.prefix == "高信访").exists()
    assert Petition.get_by_id(petition.id).status == "handled"  # a preview answers nothing
    pages, words = read_boxes(pdf)
    assert_inside_text_block(pages, words, top_margin_words=("草稿",))
    assert [w.page for w in words if w.text == "草稿" and w.y1 < TEXT_TOP] == list(range(1, len(pages) + 1))


def test_a_letter_a_petition_cannot_have_yet_is_refused_with_the_reason(ctx, staged, clerk):
    petition, _ = staged("acceptance_notice")
    with pytest.raises(letter_rules.NotAvailable):
        letters.issue_letter("handling_opinion", petition, clerk)
    with pytest.raises(letter_rules.NotAvailable):
        letters.preview("mediation_agreement", petition)
    assert Document.select().count() == 0


def test_a_batch_prints_many_letters_and_says_which_could_not_have_one(ctx, staged, clerk, read_pdf, issued_on):
    ready = [staged("handling_opinion")[0] for _ in range(3)]
    not_yet, _ = staged("acceptance_notice")
    unanswered, _ = staged("handling_opinion")
    already = letters.answer(ready[0], clerk)
    for petition in ready[1:]:  # answered without their letter (the step alone, as the demo data are)
        workflow.answer(petition, clerk, at=dt.datetime(2023, 3, 24, 9, 0))

    pdf, printed, skipped = letters.print_batch("handling_opinion", ready + [not_yet, unanswered], clerk)

    assert [p.id for p, _ in printed] == [p.id for p in ready]
    assert printed[0][1].id == already.id
    assert [(p.id, reason) for p, reason in skipped] == [
        (not_yet.id, "尚未记录承办单位的办理结果。"), (unanswered.id, ZH_ANSWER_FIRST)]
    assert Petition.get_by_id(unanswered.id).status == "handled"  # printing never answers
    text = body_text(read_pdf(pdf))
    assert [n for n in ("高自然资〔2023〕1号", "高自然资〔2023〕2号", "高自然资〔2023〕3号") if n in text] == [
        "高自然资〔2023〕1号", "高自然资〔2023〕2号", "高自然资〔2023〕3号"]
    pages = sum(len(PdfReader(io.BytesIO(bytes(d.pdf))).pages) for _, d in printed)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == pages


# -- safety: petition text is data, never markup ---------------------------------------------------------

HOSTILE = ('<img src="file:///etc/passwd"><link href="http://127.0.0.1/">'
           '<font color="[[[getattr(pow, \'x\')]]]">')
LONG_TEXT = ("信访人反映村集体土地征收补偿款分配不公，要求重新核算并公开分配方案；"
             "同时反映村委会未按规定公开账目，请求有关部门调查处理。")


def test_hostile_and_very_long_petition_text_is_shown_as_text_reads_no_file_fetches_nothing_and_paginates(
        ctx, staged, clerk, issued_on, monkeypatch, read_pdf, read_boxes, tmp_path):
    content = HOSTILE + (LONG_TEXT * (50000 // len(LONG_TEXT) + 1))[:50000]
    assert len(content) > 50000
    # the letters state the 信访请求 (≤ 100 characters), not the content: the long text is the reply's facts
    petition, _ = staged("handling_opinion", request_summary=HOSTILE[:100])
    Referral.update(facts=content).where(Referral.petition == petition).execute()

    connections, opened = [], []

    def no_connect(sock, address, *args):
        connections.append(address)
        raise OSError("no network in letters")

    real_open = builtins.open

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    mimetypes.init()  # the standard library reads /etc/mime.types once a process, whatever the letter says
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    monkeypatch.setattr(builtins, "open", watching_open)
    document = letters.answer(petition, clerk)
    monkeypatch.undo()
    pdf = bytes(document.pdf)

    assert connections == []
    fonts = letters.find_fonts()
    project = os.path.join(os.path.dirname(letters.__file__), os.pardir, os.pardir)
    allowed = set(fonts.roots()) | {os.path.abspath(project)}
    assert not [path for path in opened if not any(os.path.abspath(path).startswith(root) for root in allowed)]

    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        assert not [name for name in xobjects if xobjects[name].get_object().get("/Subtype") == "/Image"]
    text = read_pdf(pdf)
    assert "root:" not in text
    assert flat(HOSTILE) in body_text(text)  # the tags, as text
    assert flat(content) in body_text(text)  # all of it: no line and no page lost

    pages, words = read_boxes(pdf)
    assert len(pages) > 30
    assert_inside_text_block(pages, words)
    footers = [int(n) for n in PAGE_NUMBER.findall(text)]
    assert footers == list(range(1, len(pages) + 1))
