"""会诊 is one meeting (issue 14): one consultation on several petitions has one 会诊纪要 and one number,
whichever petition asks for it; it is corrected (audited) until its conclusion is recorded, then only its letter
is voided and reissued; who took part are rows with a chosen role; the "1+3" group fills the forms first."""
import datetime as dt

import pytest
from peewee import IntegrityError

from models import documents, schema, workflow
from models.audit import AuditEntry
from models.casework import Consultation, ConsultationParticipant, ConsultationRepresentative
from models.documents import Document
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import Representative, User
from models.petition import Petition
from models.workflow import letters
from models.workflow.studio import from_group, mediation_defaults

HELD = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=2)


def fake_pdf(number, at):
    return b"%PDF-1.4 " + number.encode("utf-8")


@pytest.fixture
def clerk(db):
    return User.create(username="clerk", display_name="王小红", role="staff", password_hash="x")


@pytest.fixture
def office(db):
    return Department.create(name="县信访局", short_name="高信访", kind="county")


@pytest.fixture
def deputy(db):
    return Representative.create(name="王春月", kind="npc_deputy", work_unit="高桥镇人大")


@pytest.fixture
def two_petitions(make_petition, clerk):
    received = dt.datetime.now() - dt.timedelta(days=5)
    return [workflow.register(make_petition(received_at=received, subject=subject), clerk)
            for subject in ("征地补偿款分配", "宅基地界址纠纷")]


@pytest.fixture
def meeting(two_petitions, clerk, deputy):
    """A 会诊 on two petitions, with a lawyer."""
    return workflow.convene(two_petitions, clerk, HELD, "联合接访大厅", "补偿款分配方案", [deputy],
                            [("赵明", "lawyer", "明正律师事务所")])


def concluded(meeting, clerk):
    return workflow.conclude(meeting, clerk, "按人口平均分配补偿款。", at=HELD + dt.timedelta(hours=2))


def issue_from(petition, meeting, clerk, office):
    return letters.issue("consultation_minutes", petition, clerk, fake_pdf, meeting.id, issuer=office)


def live_minutes():
    return list(Document.select().where((Document.kind == "consultation_minutes") & Document.voided_at.is_null()))


@pytest.mark.parametrize("order", [pytest.param((0, 1), id="first-then-second"),
                                   pytest.param((1, 0), id="second-then-first")])
def test_a_consultation_on_two_petitions_has_one_minutes_whichever_petition_issues_it(
        meeting, two_petitions, clerk, office, order):
    concluded(meeting, clerk)
    first = issue_from(two_petitions[order[0]], meeting, clerk, office)
    again = issue_from(two_petitions[order[1]], meeting, clerk, office)
    assert again.id == first.id and again.number == first.number == "高信访〔%d〕1号" % first.year
    assert first.petition_id == two_petitions[0].id  # kept on the consultation's first petition
    assert [d.id for d in live_minutes()] == [first.id]
    for petition in two_petitions:  # and printing from either prints that one
        printed = list(letters.for_printing("consultation_minutes", petition, clerk, lambda r: fake_pdf,
                                            issuer=office))
        assert [d.id for d in printed] == [first.id]
    assert letters.issue_minutes(meeting, clerk, fake_pdf, issuer=office).id == first.id
    assert Document.select().count() == 1


def test_the_minutes_are_issued_from_the_consultation_once_it_is_concluded(meeting, clerk, office):
    with pytest.raises(letters.NotAvailable):
        letters.issue_minutes(meeting, clerk, fake_pdf, issuer=office)
    concluded(meeting, clerk)
    document = letters.issue_minutes(meeting, clerk, fake_pdf, issuer=office)
    assert document.kind == "consultation_minutes" and document.record_id == meeting.id


def test_voided_minutes_are_reissued_with_a_new_number_for_all_the_petitions(meeting, two_petitions, clerk, office):
    concluded(meeting, clerk)
    first = issue_from(two_petitions[1], meeting, clerk, office)
    new = letters.reissue(first, clerk, "会议地点有误", fake_pdf, issuer=office)
    assert new.number != first.number and new.replaces_id == first.id
    assert issue_from(two_petitions[0], meeting, clerk, office).id == new.id


def test_the_database_keeps_one_minutes_a_consultation(meeting, two_petitions, clerk, office):
    concluded(meeting, clerk)
    first = issue_from(two_petitions[0], meeting, clerk, office)
    values = {f.name: getattr(first, f.name) for f in Document._meta.sorted_fields if f.name != "id"}
    with pytest.raises(IntegrityError):
        with Document._meta.database.atomic():
            Document.create(**dict(values, petition=two_petitions[1], number="高信访〔%d〕9号" % first.year))


def test_the_upgrade_voids_minutes_issued_twice_and_keeps_the_earliest(meeting, two_petitions, clerk, office, db):
    """An office that met the bug has 2号 and 3号 for one 会诊: the later one is voided, audited, kept on record."""
    concluded(meeting, clerk)
    first = issue_from(two_petitions[0], meeting, clerk, office)
    db.execute_sql("DROP INDEX %s" % documents.RECORD_INDEX)  # a database from before
    values = {f.name: getattr(first, f.name) for f in Document._meta.sorted_fields if f.name != "id"}
    twin = Document.create(**dict(values, petition=two_petitions[1], number="高信访〔%d〕3号" % first.year,
                                  sequence=3))
    schema.SchemaVersion.update(version=schema.MIGRATIONS.index(schema._v16_consultation_meeting)).execute()
    before = AuditEntry.select().count()
    schema.upgrade(db)
    assert [d.id for d in live_minutes()] == [first.id]
    twin = Document.get_by_id(twin.id)
    assert twin.is_void and twin.void_reason == documents.DOUBLE_MINUTES_REASON
    entry = AuditEntry.select().where(AuditEntry.id > before).get()
    assert (entry.model, entry.record_id) == ("document", twin.id) and first.number in entry.after


# -- corrected until concluded ------------------------------------------------------------------------------

def test_a_consultation_is_corrected_until_its_conclusion_and_the_correction_is_audited(meeting, clerk, deputy):
    other = Representative.create(name="李建国", kind="cppcc_member")
    revised = workflow.revise(meeting, clerk, HELD, "领导接访室", "补偿款分配方案", [deputy, other],
                              [("赵明", "lawyer", "明正律师事务所"), ("孙丽", "mediator", "高桥镇人民调解委员会")])
    assert Consultation.get_by_id(meeting.id).place == "领导接访室"
    assert [link.representative.name for link in revised.representative_links.order_by(
        ConsultationRepresentative.id)] == ["王春月", "李建国"]
    assert [(p.name, p.role, p.unit) for p in revised.participants.order_by(ConsultationParticipant.id)] == [
        ("赵明", "lawyer", "明正律师事务所"), ("孙丽", "mediator", "高桥镇人民调解委员会")]
    entry = AuditEntry.select().where(AuditEntry.summary == "revise").get()
    assert "领导接访室" in entry.after and "联合接访大厅" in entry.before and "孙丽" in entry.after
    assert entry.record_id == meeting.id and entry.model == "consultation"


def test_a_concluded_consultation_is_not_corrected(meeting, clerk, deputy):
    concluded(meeting, clerk)
    count = AuditEntry.select().count()
    with pytest.raises(NotAllowed):
        workflow.revise(meeting, clerk, HELD, "领导接访室", "补偿款分配方案", [deputy], [])
    assert Consultation.get_by_id(meeting.id).place == "联合接访大厅" and AuditEntry.select().count() == count
    assert meeting.participants.count() == 1


def test_the_conclusion_is_not_changed_under_issued_minutes(meeting, clerk, office):
    concluded(meeting, clerk)
    document = letters.issue_minutes(meeting, clerk, fake_pdf, issuer=office)
    with pytest.raises(NotAllowed) as refused:
        workflow.conclude(meeting, clerk, "另行研究。")
    assert refused.value.params == {"number": document.number}
    letters.void(document, clerk, "结论有误")
    assert workflow.conclude(meeting, clerk, "另行研究。").conclusion == "另行研究。"


@pytest.mark.parametrize("rows, field", [
    pytest.param([("赵明律师明正律师事务所", "", None)], "participants", id="no-role"),
    pytest.param([("赵明", "judge", None)], "participants", id="unknown-role"),
    pytest.param([(" ", "lawyer", "明正律师事务所")], "participants", id="no-name"),
])
def test_a_participant_needs_a_name_and_a_role_and_nothing_is_half_written(meeting, clerk, deputy, rows, field):
    with pytest.raises(ValidationError) as refused:
        workflow.revise(meeting, clerk, HELD, "领导接访室", "补偿款分配方案", [deputy], rows)
    assert refused.value.field == field
    assert Consultation.get_by_id(meeting.id).place == "联合接访大厅"
    assert [(p.name, p.role) for p in meeting.participants] == [("赵明", "lawyer")]


# -- the "1+3" group fills the forms first --------------------------------------------------------------------

def test_the_group_of_the_petition_is_given_to_the_consultation_and_the_mediation(two_petitions, clerk, deputy,
                                                                                  make_town):
    petition = two_petitions[0]
    town = make_town("高桥镇")
    Petition.update(town=town).where(Petition.id == petition.id).execute()
    workflow.form_group(petition, clerk, deputy, town_officer="刘干事", mediator="孙丽", lawyer="赵明")
    representatives, rows = from_group(two_petitions)
    assert representatives == [deputy]
    assert rows == [("刘干事", "department_staff", "高桥镇"), ("孙丽", "mediator", None), ("赵明", "lawyer", None)]
    assert mediation_defaults(petition) == {"mediator": "孙丽", "lawyer": "赵明"}
    assert mediation_defaults(two_petitions[1]) == {} and from_group(two_petitions[1:]) == ([], [])
