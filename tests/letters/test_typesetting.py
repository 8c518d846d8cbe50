"""Type as GB/T 9704-2012 has it, measured on the PDF: the face and size of each element (pdffonts, pypdf's text
runs, pdftotext -bbox), page numbers "— N —" in 4号 at the right of odd pages and the left of even ones, full
lines justified to the 156 mm text block, dates and 文号 never split between lines, a heading never last on a page.
"""
import io
import os
import re

import pytest
from pypdf import PdfReader

from admin_app.letters import render as letters

from .conftest import TEXT_BOTTOM, TEXT_LEFT, TEXT_RIGHT, TEXT_TOP

MM = 72 / 25.4
HANDLING = dict(title="信访事项处理意见书", number="高信访〔2023〕1号", date="2023年3月25日", organ="县信访局",
                petitioner="刘某某", received="2022年12月9日", channel="来访", subject="宅基地纠纷",
                number_of_petition="XF-2022-000001", department="县自然资源局", facts="事实。", opinion="意见。",
                outcome="予以支持", legal_basis="依据", review_organ="县人民政府", draft=None, unprintable=None)


def render(fonts=None, **values):
    fonts = fonts or letters.find_fonts()
    html = letters.render_html("handling_opinion", fonts, **dict(HANDLING, **values))
    return letters.number_pages(letters.render_pdf(html, fonts), fonts)


def runs(pdf):
    """[(page, text, font name without its subset tag, size)] of every text run drawn (pypdf)."""
    out = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        def visit(text, cm, tm, font, size, number=number):
            if text.strip() and font is not None:
                out.append((number, text.strip(), str(font.get("/BaseFont", "")).split("+")[-1],
                            round(size * abs(tm[0]) * abs(cm[0]) if tm and cm else size, 1)))
        page.extract_text(visitor_text=visit)
    return out


def face_of(pdf, text):
    found = [(font, size) for _page, run, font, size in runs(pdf) if text in run]
    assert found, text
    return found[0]


def lines_of(words):
    """{(page, y): [words]}: the words of a line (y within 5 pt: a heading's face has other ascent and descent)."""
    out, key = {}, None
    for word in sorted(words, key=lambda w: (w.page, w.y1)):
        if key is None or key[0] != word.page or word.y1 - key[1] > 5:
            key = (word.page, word.y1)
        out.setdefault(key, []).append(word)
    return out


@pytest.fixture
def fonts(ctx):
    found = letters.find_fonts()
    if not found.embedded:
        pytest.skip("no Chinese TrueType font installed")
    return found


def test_each_element_has_its_face_and_size(fonts, read_boxes, read_fonts):
    pdf = render(fonts, facts="经现场勘测，院墙外扩属实。\n（一）勘测情况。院墙外扩约四十厘米。", request="请求恢复通行。")
    _pages, words = read_boxes(pdf)

    title = next(w for w in words if w.text == "信访事项处理意见书")
    assert abs((title.y1 - title.y0) - letters.TITLE_SIZE) < 0.5  # 2号
    body = next(w for w in words if w.text.startswith("你于2022年12月9日"))
    assert abs((body.y1 - body.y0) - 16) < 0.5  # 3号, not narrowed
    assert face_of(pdf, "信访事项处理意见书") == (face_of(pdf, "信访事项处理意见书")[0], letters.TITLE_SIZE)

    body_face = face_of(pdf, "你于")[0]
    title_face, heading_face, sub_face = (face_of(pdf, text)[0] for text in ("信访事项处理意见书", "一、信访请求。",
                                                                              "（一）勘测情况。"))
    assert face_of(pdf, "请求恢复通行。")[0] == body_face  # the heading's sentence goes on in the body face
    expected = {path: name for path, name in ((letters.UMING, "UMing"), (letters.UKAI, "UKai"),
                                             (letters.ZENHEI, "WenQuanYi"), (letters.FANG, "FandolFang-Regular"),
                                             (letters.SERIF_BLACK, "NotoSerifCJKsc-Black"))}
    for path, face in ((fonts.body, body_face), (fonts.title, title_face), (fonts.heading, heading_face),
                       (fonts.subheading, sub_face)):
        if path in expected:
            assert expected[path] in face.replace("ZenHei", "WenQuanYi ZenHei") or expected[path] in face, (path, face)
    if fonts.heading != fonts.body:
        assert heading_face != body_face  # 黑体, not the body face
    if fonts.subheading not in (fonts.body, fonts.heading):
        assert sub_face not in (body_face, heading_face)  # 楷体
    if fonts.title != fonts.body:
        assert title_face != body_face
    embedded = {name.split("+")[-1] for name, _type, emb in read_fonts(pdf) if emb}
    assert len(embedded) == len(fonts.files())


BUILT = pytest.mark.skipif(
    not (os.path.isfile(letters.FANG) and os.path.isfile(letters.SERIF_BLACK)),
    reason="the free 仿宋 and 小标宋 faces are not built (make fonts: needs apt-get and fontTools)")


@BUILT
def test_the_default_faces_are_the_built_fang_and_serif_black(fonts, read_fonts):
    assert (fonts.body, fonts.title) == (letters.FANG, letters.SERIF_BLACK)
    pdf = render(fonts, facts="经现场勘测，院墙外扩属实。")
    assert face_of(pdf, "你于")[0] == "FandolFang-Regular"
    assert face_of(pdf, "信访事项处理意见书") == ("NotoSerifCJKsc-Black", letters.TITLE_SIZE)
    embedded = {name.split("+")[-1]: (kind, emb) for name, kind, emb in read_fonts(pdf)}
    assert embedded["FandolFang-Regular"] == ("TrueType", True)  # converted from CFF: reportlab embeds glyf only
    assert embedded["NotoSerifCJKsc-Black"] == ("TrueType", True)


def test_the_default_faces_are_debians_when_no_office_font_is_set(fonts, monkeypatch):
    if not all(map(os.path.isfile, (letters.UMING, letters.UKAI, letters.ZENHEI))):
        pytest.skip("Debian's fonts-arphic-uming, fonts-arphic-ukai, fonts-wqy-zenhei not all installed")
    # without the built faces (make fonts could not run): Debian's own TrueType faces
    monkeypatch.setattr(letters, "KNOWN_FONTS", tuple(p for p in letters.KNOWN_FONTS if p != letters.FANG))
    monkeypatch.setattr(letters, "KNOWN_TITLE_FONTS",
                        tuple(p for p in letters.KNOWN_TITLE_FONTS if p != letters.SERIF_BLACK))
    fonts = letters.find_fonts()
    assert (fonts.body, fonts.title, fonts.heading, fonts.subheading) == (
        letters.UMING, letters.ZENHEI, letters.ZENHEI, letters.UKAI)


def test_office_fonts_are_configurable_per_role(app):
    app.config.update(LETTER_FONT=letters.ZENHEI, LETTER_TITLE_FONT=letters.UMING, LETTER_HEADING_FONT=letters.UMING,
                      LETTER_SUBHEADING_FONT=letters.ZENHEI)
    fonts = letters.find_fonts(app.config)
    if not fonts.embedded or fonts.body != letters.ZENHEI:
        pytest.skip("fonts-wqy-zenhei not installed")
    assert (fonts.title, fonts.heading, fonts.subheading) == (letters.UMING, letters.UMING, letters.ZENHEI)


def test_page_numbers_are_4hao_odd_at_the_right_even_at_the_left(fonts, read_boxes):
    pdf = render(fonts, request="中" * 1500)
    pages, words = read_boxes(pdf)
    assert len(pages) >= 3

    for number in range(1, len(pages) + 1):
        footer = sorted((w for w in words if w.page == number and w.y0 > TEXT_BOTTOM), key=lambda w: w.x0)
        assert "".join(w.text for w in footer) == "—%d—" % number
        assert all(abs((w.y1 - w.y0) - letters.PAGE_NUMBER_SIZE) < 0.5 for w in footer)  # 4号
        assert 6 * MM < (footer[0].y0 + footer[0].y1) / 2 - TEXT_BOTTOM < 8 * MM  # the dash 7 mm under the block
        if number % 2:  # one character in from the right edge of the text block
            assert abs(footer[-1].x1 - (TEXT_RIGHT - letters.PAGE_NUMBER_SIZE)) < 1
        else:  # one character in from the left edge
            assert abs(footer[0].x0 - (TEXT_LEFT + letters.PAGE_NUMBER_SIZE)) < 1


def test_a_one_page_letter_has_no_page_number(fonts, read_boxes):
    pages, words = read_boxes(render(fonts, request="请求。"))
    assert len(pages) == 1 and not [w for w in words if w.y0 > TEXT_BOTTOM]


def test_every_full_line_is_justified_to_the_text_width(fonts, read_boxes):
    request = "于2022年12月10日依法受理编号XF-2022-000001的信访事项，经高信访〔2022〕5号文件交办，" * 12
    pdf = render(fonts, request=request)
    _pages, words = read_boxes(pdf)
    wrapped = [line for line, _first in letters.wrap("一、信访请求。" + request, fonts.body)]
    assert len(wrapped) > 5
    found, seen = 0, []
    for (_page, _y), line in lines_of(w for w in words if TEXT_TOP <= w.y0 <= TEXT_BOTTOM).items():
        text = "".join(w.text for w in sorted(line, key=lambda w: w.x0))
        seen.append(text)
        if text in wrapped[:-1]:  # a full line: every line of the paragraph but its last
            found += 1
            assert abs(max(w.x1 for w in line) - TEXT_RIGHT) < 1 * MM, text
    assert found == len(wrapped) - 1, [line for line in wrapped if line not in seen]


def test_28_characters_fill_a_line_of_156_mm(fonts):
    lines = letters.wrap("中" * 100, fonts.body)
    assert [len(line) for line, _ in lines[:3]] == [26, 28, 28]
    assert abs(letters.text_width("中" * 28, fonts) - letters.TEXT_WIDTH) < 0.05


@pytest.mark.parametrize("whole", ["2026年9月8日", "高信访〔2022〕5号", "XF-2022-000001", "12月20日"])
def test_dates_numbers_and_document_numbers_are_never_split(fonts, whole):
    for offset in range(0, 30):
        text = "一" * offset + whole + "二" * 60
        lines = [line for line, _ in letters.wrap(text, fonts.body)]
        assert "".join(lines) == text
        assert any(whole in line for line in lines), (offset, lines)


def test_a_date_at_the_end_of_a_line_goes_whole_to_the_next_in_the_pdf(fonts, read_pdf):
    # 一、信访请求。 (7) + 18 characters: the date would begin two characters before the end of the first line
    pdf = render(fonts, request="甲" * 17 + "于2026年9月8日提出，" + "乙" * 40)
    lines = [line.strip() for line in read_pdf(pdf).splitlines()]
    assert any(line.startswith("2026年9月8日提出") for line in lines), lines
    assert not any(line.endswith(("2026年9", "2026年", "9月")) for line in lines)


def test_a_heading_is_never_last_on_a_page(fonts, read_boxes):
    moved = 0
    for filler in range(330, 400, 7):  # a quarter of a line more each time: the heading passes the foot of page 1
        pdf = render(fonts, request="述" * filler, facts="事实。\n（一）勘测情况\n院墙外扩。")
        _pages, words = read_boxes(pdf)
        lines = lines_of(w for w in words if w.y0 <= TEXT_BOTTOM)
        last = {}
        for (page, y), line in lines.items():
            if y > last.get(page, (0, ""))[0]:
                last[page] = (y, "".join(w.text for w in sorted(line, key=lambda w: w.x0)))
        assert all(text != "（一）勘测情况" for _y, text in last.values()), (filler, last)
        first_of_2 = min(((y, "".join(w.text for w in line)) for (page, y), line in lines.items() if page == 2),
                         default=(0, ""))[1]
        moved += first_of_2 == "（一）勘测情况"
    assert moved, "no case put the heading at the foot of a page"
