"""No character may print as a box: every character a letter prints is checked against the fonts it embeds
before the letter is numbered; issuing is refused in Chinese, naming the characters and where they are, and
nothing is written (no number, no document, no step, no audit entry); the draft marks them instead."""
import os

import pytest

from admin_app import i18n
from admin_app.letters import glyphs, render as letters
from models.audit import AuditEntry
from models.casework import Referral
from models.documents import Document
from models.petition import NumberSeries, Petition, StepRecord
from models.workflow import letters as letter_rules

from .test_letters import assert_inside_text_block

FONTS = [path for path in (letters.UMING, letters.ZENHEI, letters.UKAI) if os.path.isfile(path)]
TIGER = "\U00020BB7"  # 𠮷, CJK Extension B: in the built 仿宋 (its Noto Serif part), not in Debian's TrueType faces
NOWHERE = "\U0002A6D6"  # 𪛖, the last of Extension B: in none of the faces, so a letter naming it is refused
GRIN = "\U0001F600"  # 😀


@pytest.mark.parametrize("path", FONTS, ids=os.path.basename)
@pytest.mark.parametrize("text, cannot", [
    pytest.param("%s某某" % TIGER, [TIGER], id="cjk-extension-b"),
    pytest.param("请求恢复道路通行%s" % GRIN, [GRIN], id="emoji"),
    pytest.param("信访人与原邻居因宅基地界址发生纠纷", [], id="ordinary-chinese"),
    pytest.param("高信访〔2023〕1号、“宅基地”（编号XF-2022-000001）：；！？…—", [], id="full-width-punctuation"),
    pytest.param("第一行\n第二行\r\n 第三行\t", [], id="line-breaks-and-spaces"),
    pytest.param("%s%s%s、%s" % (TIGER, GRIN, TIGER, GRIN), [TIGER, GRIN], id="each-once-in-order"),
])
def test_the_characters_a_font_cannot_print(path, text, cannot):
    assert glyphs.missing(text, path) == cannot


def test_the_built_in_font_prints_no_character_beyond_the_basic_plane():
    assert glyphs.missing("刘某某〔〕%s%s" % (TIGER, GRIN), None) == [TIGER, GRIN]


def test_coverage_is_read_once_a_font_file():
    path = letters.find_fonts({}).body
    glyphs.coverage.cache_clear()
    glyphs.missing("刘某某", path)
    glyphs.missing(TIGER, path)
    assert glyphs.coverage.cache_info().misses == 1 and glyphs.coverage.cache_info().hits >= 2


def unprintable_petition(staged, kind):
    summary = {"request_summary": "请求恢复道路%s" % GRIN} if kind == "transfer_letter" else {}
    petition, record_id = staged(kind, mode="transfer" if kind == "transfer_letter" else "assign",
                                 subject="宅基地纠纷%s" % GRIN, content="请求恢复道路通行%s" % GRIN, **summary)
    person = petition.petitioner
    person.name = "%s某某" % NOWHERE
    person.save()
    return Petition.get_by_id(petition.id), record_id


@pytest.mark.parametrize("kind, places", [
    pytest.param("acceptance_notice", ["信访人姓名中的“%s”" % NOWHERE, "事由中的“%s”" % GRIN], id="acceptance"),
    pytest.param("assignment_sheet", ["信访人姓名中的“%s”" % NOWHERE, "事由中的“%s”" % GRIN],  # the content is not
                 id="assignment"),                                                        # printed (信访请求)
    pytest.param("transfer_letter", ["信访人姓名中的“%s”" % NOWHERE, "事由中的“%s”" % GRIN, "信访请求中的“%s”" % GRIN],
                 id="transfer-with-summary"),
])
def test_a_letter_with_a_character_its_font_cannot_print_is_refused_before_it_is_numbered(kind, places, ctx, staged,
                                                                                          clerk):
    petition, record_id = unprintable_petition(staged, kind)
    before = (AuditEntry.select().count(), StepRecord.select().count())
    with pytest.raises(letter_rules.Unprintable) as refused:
        letters.issue_letter(kind, petition, clerk, record_id)
    message = i18n.error_message(refused.value)
    assert message.startswith("；".join(places) + "无法打印"), message
    assert "无法打印" in message and "未印发" in message
    assert Document.select().count() == 0
    assert not NumberSeries.select().where(NumberSeries.prefix == "高信访").exists()
    assert (AuditEntry.select().count(), StepRecord.select().count()) == before


def test_the_answer_is_not_taken_when_its_handling_opinion_cannot_be_printed(ctx, staged, clerk):
    petition, _ = staged("handling_opinion")
    referral = petition.referrals.where(Referral.state == "replied").get()
    referral.opinion = "支持信访人恢复共用道路通行的请求%s" % GRIN
    referral.save()
    before = (AuditEntry.select().count(), StepRecord.select().count())
    with pytest.raises(letter_rules.Unprintable) as refused:
        letters.answer(Petition.get_by_id(petition.id), clerk)
    assert "办理意见中的“%s”" % GRIN in i18n.error_message(refused.value)
    petition = Petition.get_by_id(petition.id)
    assert petition.status == "handled" and petition.answered_at is None  # the whole 答复 rolled back
    assert Document.select().count() == 0
    assert not NumberSeries.select().where(NumberSeries.prefix == "高信访").exists()
    assert (AuditEntry.select().count(), StepRecord.select().count()) == before


def test_a_character_the_letter_does_not_print_is_no_reason_to_refuse_it(ctx, staged, clerk, issued_on):
    petition, _ = staged("acceptance_notice", content="请求恢复道路通行%s" % GRIN)  # the notice states the subject
    assert letters.issue_letter("acceptance_notice", petition, clerk).number == "高信访〔2023〕1号"


def test_ordinary_chinese_and_full_width_punctuation_are_issued(ctx, staged, clerk, issued_on, read_pdf):
    petition, _ = staged("acceptance_notice", subject="〔2022〕宅基地、“共用道路”纠纷")
    document = letters.issue_letter("acceptance_notice", petition, clerk)
    assert "“〔2022〕宅基地、“共用道路”纠纷”" in "".join(read_pdf(bytes(document.pdf)).split())


def test_the_draft_lists_and_marks_the_characters_that_cannot_print(ctx, staged, read_pdf, read_boxes):
    petition, _ = unprintable_petition(staged, "acceptance_notice")
    pdf = letters.preview("acceptance_notice", petition)
    text = "".join(read_pdf(pdf).split())
    assert "以下字符无法打印，本文书不能印发：" in text
    assert "信访人姓名中的“U+2A6D6”；事由中的“U+1F600”。" in text
    assert "[U+2A6D6]某某：" in text and "“宅基地纠纷[U+1F600]”信访事项" in text
    assert_inside_text_block(*read_boxes(pdf), top_margin_words=("草稿",))  # the notice is wrapped like the text
    assert Document.select().count() == 0


def test_a_draft_that_can_print_has_no_such_notice(ctx, staged, read_pdf):
    petition, _ = staged("acceptance_notice")
    assert "无法打印" not in read_pdf(letters.preview("acceptance_notice", petition))


def test_a_wrong_letter_is_not_voided_when_the_one_in_its_place_cannot_be_printed(ctx, staged, clerk, issued_on):
    petition, _ = staged("acceptance_notice")
    document = letters.issue_letter("acceptance_notice", petition, clerk)
    person = petition.petitioner
    person.name = "%s某某" % NOWHERE
    person.save()
    before = AuditEntry.select().count()
    with pytest.raises(letter_rules.Unprintable):
        letters.reissue(document, clerk, "信访人姓名有误")
    assert Document.select().count() == 1 and not Document.get_by_id(document.id).is_void  # still in force
    assert NumberSeries.get(NumberSeries.prefix == "高信访").last == 1 and AuditEntry.select().count() == before


def test_a_batch_skips_a_letter_that_cannot_be_printed_with_the_reason(ctx, staged, clerk, issued_on):
    printable_one, _ = staged("acceptance_notice")
    unprintable_one, _ = unprintable_petition(staged, "acceptance_notice")
    pdf, printed, skipped = letters.print_batch("acceptance_notice", [printable_one, unprintable_one], clerk)
    assert [d.number for _, d in printed] == ["高信访〔2023〕1号"]
    assert [(p.id, reason.split("无法打印")[0]) for p, reason in skipped] == [
        (unprintable_one.id, "信访人姓名中的“%s”；事由中的“%s”" % (NOWHERE, GRIN))]
    assert Document.select().count() == 1


def test_a_heading_is_checked_against_the_face_that_prints_it(ctx, office):
    """（一）... is set in 楷体 (AR PL UKai), which lacks characters the body face (the built 仿宋 or AR PL UMing) has
    (営): refused, not a box."""
    fonts = letters.find_fonts()
    if fonts.subheading != letters.UKAI or not glyphs.printable("営", fonts.body):
        pytest.skip("AR PL UKai is not the 二级 face here, or the body face has no 営 either")
    values = dict(title="信访事项处理意见书", number="高信访〔2023〕1号", date="2023年3月25日", organ="县信访局",
                  petitioner="刘某某", received="2022年12月9日", channel="来访", subject="宅基地纠纷",
                  number_of_petition="XF-2022-000001", department="县自然资源局", request="请求。", opinion="意见。",
                  outcome="予以支持", legal_basis="依据", review_organ="县人民政府",
                  facts="经查：\n（一）営业情况。営业执照在册。")
    html = letters.render_html("handling_opinion", fonts, draft=None, unprintable=None, **values)

    assert glyphs.printable("営", fonts.body) and not glyphs.printable("営", fonts.subheading)
    assert glyphs.unprintable("handling_opinion", values, fonts, html) == [("the facts found", ["営"])]


@pytest.mark.skipif(not os.path.isfile(letters.FANG), reason="the 仿宋 face is not built (make fonts: needs apt-get "
                                                            "and fontTools)")
def test_a_name_beyond_gb2312_prints_in_the_built_fang(ctx, staged, clerk, issued_on, read_pdf, read_fonts):
    """Fandol Fang has GB2312 only; the build adds the characters it lacks from Noto Serif CJK SC, so 玥, 堃, 喆, 昇
    (GBK) and 𠮷 (Extension B) print in the one embedded body face instead of being refused."""
    assert letters.find_fonts().body == letters.FANG
    assert glyphs.missing("王玥堃喆昇%s" % TIGER, letters.FANG) == []
    assert glyphs.missing("中%s%s" % (NOWHERE, GRIN), letters.FANG) == [NOWHERE, GRIN]
    petition, _ = staged("acceptance_notice")
    person = petition.petitioner
    person.name = "王玥堃喆昇%s" % TIGER
    person.save()
    document = letters.issue_letter("acceptance_notice", Petition.get_by_id(petition.id), clerk)
    pdf = bytes(document.pdf)
    assert "王玥堃喆昇%s" % TIGER in "".join(read_pdf(pdf).split())
    assert [name.split("+")[-1] for name, _kind, emb in read_fonts(pdf) if emb].count("FandolFang-Regular") == 1

