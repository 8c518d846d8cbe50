"""Who issues what (models.workflow.letters.issuing_organ), without rendering: the 处理意见书 by the handling organ
in its own series, the 复查/复核意见书 by the organs the handling organ's record names (else the settings), the
others by the office; a department without a 文号简称 refused with nothing written; the upgrade adds the organs."""
import datetime as dt

import pytest

from models import schema, workflow
from models.audit import AuditEntry
from models.casework import Referral
from models.documents import Document
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import User
from models.petition import NumberSeries, Petition, StepRecord
from models.workflow import letters


def fake_pdf(number, at):
    return b"%PDF-1.4 " + number.encode("utf-8")


@pytest.fixture
def clerk(db):
    return User.create(username="clerk", display_name="王小红", role="staff", password_hash="x")


@pytest.fixture
def office(db):
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def land(db):
    return Department.create(name="县自然资源局", short_name="高自然资", kind="county")


@pytest.fixture
def handled(make_petition, clerk, land):
    """A petition the department replied to (handled, to be answered)."""
    petition = workflow.register(make_petition(received_at=dt.datetime.now() - dt.timedelta(days=1)), clerk)
    workflow.accept(petition, clerk)
    workflow.refer(petition, land, clerk)
    workflow.record_reply(Referral.get(Referral.petition == petition), clerk, "support", "属实。", "予以支持。",
                          "《中华人民共和国民法典》第二百八十八条")
    return Petition.get_by_id(petition.id)


def test_the_handling_opinion_is_the_replying_departments_and_the_other_letters_the_offices(handled, office, land):
    assert letters.issuing_organ("handling_opinion", handled, office) == letters.Organ("县自然资源局", land)
    assert letters.issuing_organ("acceptance_notice", handled, office) == letters.Organ("县信访局", office)
    assert letters.issuing_organ("assignment_sheet", handled, office) == letters.Organ("县信访局", office)


def test_an_own_result_is_the_offices(make_petition, clerk, office, land):
    petition = workflow.register(make_petition(received_at=dt.datetime.now() - dt.timedelta(days=1)), clerk)
    workflow.accept(petition, clerk)
    workflow.record_own_result(petition, clerk, "support", "属实。", "予以支持。", "依据")
    assert letters.issuing_organ("handling_opinion", petition, office) == letters.Organ("县信访局", office)


def test_the_review_and_recheck_organs_are_the_handling_organs_else_the_defaults(handled, office, land):
    assert letters.higher_organs(handled, office, "县政府", "市政府") == ("县政府", "市政府")
    land.review_organ, land.recheck_organ = "市自然资源和规划局", "省自然资源厅"
    land.save()
    assert letters.higher_organs(handled, office, "县政府", "市政府") == ("市自然资源和规划局", "省自然资源厅")
    assert letters.issuing_organ("review_opinion", handled, office) == letters.Organ("市自然资源和规划局", None)
    city = Department.create(name="省自然资源厅", short_name="鲁自然资", kind="other")
    assert letters.issuing_organ("recheck_opinion", handled, office) == letters.Organ("省自然资源厅", city)
    Department.create(name="市自然资源和规划局", kind="other")  # on record without a short name: no 文号
    assert letters.issuing_organ("review_opinion", handled, office) == letters.Organ("市自然资源和规划局", None)


def test_the_answer_is_refused_for_a_department_without_a_short_name_and_writes_nothing(handled, clerk, office,
                                                                                       land):
    land.short_name = "  "
    land.save()
    audited = AuditEntry.select().count()
    with pytest.raises(NotAllowed) as refused:
        letters.answer(handled, clerk, fake_pdf, issuer=office)
    assert refused.value.params == {"name": "县自然资源局"}
    assert Petition.get_by_id(handled.id).status == "handled"
    assert not StepRecord.select().where(StepRecord.step == "answer").exists()
    assert Document.select().count() == 0 and AuditEntry.select().count() == audited
    assert not NumberSeries.select().where(NumberSeries.prefix != "XF").exists()


def test_the_handling_opinion_is_numbered_in_the_departments_series(handled, clerk, office, land):
    document = letters.answer(handled, clerk, fake_pdf, issuer=office)
    assert (document.issuer_id, document.prefix) == (land.id, "高自然资")
    assert document.number == "高自然资〔%d〕1号" % document.issued_at.year


def test_an_opinion_of_an_organ_not_on_record_is_archived_under_the_petitions_registration(handled, clerk, office):
    workflow.answer(handled, clerk)
    workflow.request_review(handled, clerk)
    workflow.record_review(handled, clerk, "予以维持。")
    document = letters.issue("review_opinion", Petition.get_by_id(handled.id), clerk, fake_pdf, issuer=office)
    assert document.number == handled.number + "-复查1" and document.issuer_id == office.id
    assert bytes(document.pdf) == fake_pdf("", None)  # no 文号 printed
    again = letters.reissue(document, clerk, "意见有误", fake_pdf, issuer=office)
    assert again.number == handled.number + "-复查2"
    assert not NumberSeries.select().where(NumberSeries.prefix != "XF").exists()


def test_two_departments_cannot_share_a_short_name(land):
    with pytest.raises(ValidationError) as refused:
        Department.create(name="县住建局", short_name="高自然资", kind="county")
    assert refused.value.field == "short_name"
    with pytest.raises(ValidationError):
        Department.create(name="县住建局", short_name="XF", kind="county")


def test_the_upgrade_adds_the_organs_of_each_department(db, land):
    for column in ("review_organ", "recheck_organ"):
        db.execute_sql('ALTER TABLE "department" DROP COLUMN "%s"' % column)
    schema.SchemaVersion.update(version=schema.MIGRATIONS.index(schema._v19_letter_organs)).execute()
    assert schema.upgrade(db)[1] == schema.LATEST
    department = Department.get_by_id(land.id)
    assert (department.review_organ, department.recheck_organ) == (None, None)
    department.review_organ = "市自然资源和规划局"
    department.save()
    assert Department.get_by_id(land.id).review_organ == "市自然资源和规划局"
