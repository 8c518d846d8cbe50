"""查询码 on the 受理告知书 and the 转送（交办）告知书: the code, the page's address (PUBLIC_URL, else the path) and a QR
code of the address with the code, read back from the PDF; a petition accepted before codes existed gets one when
its letter is issued; the lines stay in the text block."""
import base64
import io

import pytest
import segno
from PIL import Image
from pypdf import PdfReader

from admin_app.letters import content, render as letters
from models.petition import Petition

from tests.letters.conftest import TEXT_RIGHT

URL = "https://xf.example.gov.cn/chaxun"


def qr_image(pdf):
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 1
    return images[0].image


def same_picture(a, b):
    a, b = a.convert("L").point(lambda v: 255 if v > 127 else 0), b.convert("L").point(lambda v: 255 if v > 127 else 0)
    return a.size == b.size and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("kind", ["acceptance_notice", "referral_notice"])
def test_the_code_its_address_and_its_qr_code_are_printed(app, issue, read_pdf, read_boxes, kind):
    app.config["PUBLIC_URL"] = URL
    document = issue(kind)
    code = Petition.get_by_id(document.petition_id).query_code
    text = "".join(read_pdf(document.pdf).split())
    assert "查询码：%s。" % code in text
    assert URL in text and "手机号码（或身份证号码）后4位" in text
    assert text.index(code) < text.index("特此告知。")  # before the closing line, not after the seal
    expected = io.BytesIO()
    segno.make("%s?code=%s" % (URL, code), error="m").save(expected, kind="png", scale=4, border=2)
    assert same_picture(qr_image(document.pdf), Image.open(expected))
    pages, words = read_boxes(document.pdf)
    assert len(pages) == 1  # the QR code sits beside the closing lines: the letter gains no page
    assert all(word.x1 <= TEXT_RIGHT + 0.5 for word in words), [w for w in words if w.x1 > TEXT_RIGHT + 0.5]


def test_without_public_url_the_path_is_printed_and_no_qr_code(issue, read_pdf):
    document = issue("acceptance_notice")
    code = Petition.get_by_id(document.petition_id).query_code
    text = "".join(read_pdf(document.pdf).split())
    assert "查询码：%s。" % code in text and "在/chaxun查询" in text
    assert [image for page in PdfReader(io.BytesIO(document.pdf)).pages for image in page.images] == []


def test_a_petition_accepted_before_codes_gets_one_with_its_letter(app, ctx, staged, clerk, issued_on, read_pdf):
    petition, _ = staged("acceptance_notice")
    Petition.update(query_code=None).where(Petition.id == petition.id).execute()  # accepted before schema 25
    draft = "".join(read_pdf(letters.preview("acceptance_notice", Petition.get_by_id(petition.id))).split())
    assert "查询码：（印发时生成）" in draft
    assert Petition.get_by_id(petition.id).query_code is None  # a draft gives no code
    document = letters.issue_letter("acceptance_notice", Petition.get_by_id(petition.id), clerk)
    code = Petition.get_by_id(petition.id).query_code
    assert code and "查询码：%s。" % code in "".join(read_pdf(document.pdf).split())


def test_the_qr_code_is_a_png_data_uri_made_here(app, ctx):
    app.config["PUBLIC_URL"] = URL
    uri = content.qr_png(URL + "?code=ABCDEFGH2")
    assert uri.startswith("data:image/png;base64,")
    assert Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).format == "PNG"
