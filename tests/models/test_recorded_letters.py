"""登记他机关出具的文书 (models.workflow.recorded_letters): an opinion another organ issued is recorded with its
organ, 文号, date and scan instead of generated; the scan's type is judged from its bytes; every refusal writes
nothing; a recorded 处理意见书 of a handled petition is its 答复."""
import datetime as dt
import io
import struct
import zlib

import pytest
from PIL import Image

from models import workflow
from models.audit import AuditEntry
from models.casework import Referral
from models.documents import AlreadyIssued, Document
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import User
from models.petition import Petition, StepRecord
from models.workflow import letters
from models.workflow.letters import NotAvailable
from models.workflow.recorded_letters import record_issued_elsewhere

SCAN = b"%PDF-1.4\n% a scanned review opinion\n%%EOF\n"


def png(width=40, height=30):
    out = io.BytesIO()
    Image.new("L", (width, height), 200).save(out, "PNG")
    return out.getvalue()


def png_header(width, height):
    """The first chunks of a PNG that says it is width x height: what a decompression bomb looks like before it is
    decoded (its pixels are never sent here)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)))


def fake_pdf(number, at):
    return b"%PDF-1.4 " + number.encode("utf-8")


@pytest.fixture
def clerk(db):
    return User.create(username="clerk", display_name="王小红", role="staff", password_hash="x")


@pytest.fixture
def office(db):
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def handled(make_petition, clerk, office):
    land = Department.create(name="县自然资源局", short_name="高自然资", kind="county")
    petition = workflow.register(make_petition(received_at=dt.datetime.now() - dt.timedelta(days=20)), clerk)
    workflow.accept(petition, clerk)
    workflow.refer(petition, land, clerk)
    workflow.record_reply(Referral.get(Referral.petition == petition), clerk, "support", "属实。", "予以支持。",
                          "《中华人民共和国民法典》第二百八十八条")
    return Petition.get_by_id(petition.id)


@pytest.fixture
def reviewed(handled, clerk):
    workflow.answer(handled, clerk)
    workflow.request_review(handled, clerk)
    workflow.record_review(handled, clerk, "予以维持。")
    return Petition.get_by_id(handled.id)


def record(petition, clerk, office, kind="review_opinion", **fields):
    values = dict(organ="县人民政府", number="高政复〔2026〕3号", issued_on=dt.date.today() - dt.timedelta(days=2),
                  scan=SCAN)
    values.update(fields)
    return record_issued_elsewhere(kind, petition, clerk, office=office, **values)


def test_a_review_opinion_issued_by_the_county_government_is_recorded_with_its_scan(reviewed, clerk, office):
    document = record(reviewed, clerk, office, organ=" 县人民政府 ")
    assert (document.external_organ, document.external_number) == ("县人民政府", "高政复〔2026〕3号")
    assert document.external_date == dt.date.today() - dt.timedelta(days=2)
    assert bytes(document.pdf) == SCAN and document.content_type == "application/pdf" and document.issued_elsewhere
    assert document.number == reviewed.number + "-复查1"  # the archive's key, never a 文号 of the office's
    entry = AuditEntry.select().where((AuditEntry.model == "document") & (AuditEntry.record_id == document.id)).get()
    assert "高政复〔2026〕3号" in entry.after and document.sha256 in entry.after
    with pytest.raises(AlreadyIssued):  # it stands for the letter: none is generated beside it
        letters.issue("review_opinion", reviewed, clerk, fake_pdf, issuer=office)
    with pytest.raises(NotAllowed) as twice:
        record(reviewed, clerk, office, number="高政复〔2026〕4号")
    assert twice.value.params["number"] == "高政复〔2026〕3号"
    letters.void(document, clerk, "文号登记错误")
    again = record(reviewed, clerk, office, number="高政复〔2026〕4号", scan=png(), organ="县人民政府")
    assert again.content_type == "image/png" and again.number == reviewed.number + "-复查2"


def test_nothing_is_recorded_before_the_opinion_it_is(handled, clerk, office):
    with pytest.raises(NotAvailable):
        record(handled, clerk, office)
    assert Document.select().count() == 0


@pytest.mark.parametrize("scan, words", [
    (b"", "empty"),
    (b"<html><script>alert(1)</script></html>", "not a PDF"),  # an HTML page named 复查意见书.pdf
    (b"GIF89a" + b"\0" * 50, "not a PDF"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 20, "cannot be read"),  # a JPEG cut off after its first bytes
    (png_header(20000, 20000), "too large to print"),  # refused from its header, never decoded
    (b"%PDF-" + b"0" * 2048, "larger than"),
])
def test_a_scan_that_is_not_one_is_refused_and_nothing_is_written(reviewed, clerk, office, scan, words):
    audited = AuditEntry.select().count()
    with pytest.raises(ValidationError) as refused:
        record(reviewed, clerk, office, scan=scan, max_bytes=1024)
    assert refused.value.field == "scan" and words in refused.value.message
    assert Document.select().count() == 0 and AuditEntry.select().count() == audited


@pytest.mark.parametrize("fields, field", [
    ({"organ": "  "}, "organ"), ({"number": ""}, "number"), ({"number": "号" * 61}, "number"),
    ({"issued_on": None}, "issued_on"), ({"issued_on": dt.date.today() + dt.timedelta(days=1)}, "issued_on"),
    ({"issued_on": dt.date.today() - dt.timedelta(days=400)}, "issued_on"),  # before the petition was received
])
def test_the_organ_number_and_date_are_required_and_checked(reviewed, clerk, office, fields, field):
    with pytest.raises(ValidationError) as refused:
        record(reviewed, clerk, office, **fields)
    assert refused.value.field == field and Document.select().count() == 0


def test_only_opinions_are_recorded_as_issued_elsewhere(reviewed, clerk, office):
    with pytest.raises(ValidationError):
        record(reviewed, clerk, office, kind="acceptance_notice")


def test_a_departments_own_handling_opinion_recorded_is_the_answer(handled, clerk, office):
    document = record(handled, clerk, office, kind="handling_opinion", organ="县自然资源局",
                      number="高自然资〔2026〕7号")
    answered = Petition.get_by_id(handled.id)
    assert answered.status == "answered" and answered.answered_at is not None
    assert StepRecord.select().where((StepRecord.petition == handled) & (StepRecord.step == "answer")).count() == 1
    assert document.number == handled.number + "-处理1" and document.external_organ == "县自然资源局"


def test_a_refused_handling_opinion_does_not_answer(handled, clerk, office):
    with pytest.raises(ValidationError):
        record(handled, clerk, office, kind="handling_opinion", scan=b"not a scan")
    assert Petition.get_by_id(handled.id).status == "handled"
    assert not StepRecord.select().where(StepRecord.step == "answer").exists()
