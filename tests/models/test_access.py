"""Row scope (access.visible, each role x kind, closed by default) and the personal fields, declared once
(access.PERSONAL) and masked in the audit log."""
import datetime as dt

import pytest

from models import access, audit
from models.casework import Consultation, ConsultationPetition, FollowUp, Mediation, Referral, VisitLog
from models.documents import Document
from models.hotline import HotlineTicket
from models.organisation import Department
from models.people import Petitioner, Representative, Team, User
from models.petition import CoPetitioner, Petition
from models.schema import MODELS

from tests.conftest import valid_id_number

ROLES = ("admin", "staff", "leader", "department", "representative")
OFFICE = ("admin", "staff", "leader")
# The kinds whose rows hang off a petition, and their model.
CASE_KINDS = {"petition": Petition, "referral": Referral, "document": Document, "mediation": Mediation,
              "followup": FollowUp, "visitlog": VisitLog, "consultation": Consultation, "petitioner": Petitioner}
# The office's own records: every role the screen admits sees them all.
WHOLE_KINDS = ("representative", "team", "dutyshift", "department", "category", "hotlineticket", "flags", "audit",
               "user", "apiclient")


@pytest.fixture
def county(db, make_petition, make_petitioner):
    """Petition "ours" (team 1, referred to 县住建局 and also to 县人社局) and "theirs" (team 2, referred to
    县人社局), each with a document, mediation, follow-up, visit log and consultation; a petitioner with no
    petition. Users of every role, the department user of 县住建局, the representative of team 1."""
    ours_dept = Department.create(name="县住建局", short_name="高住建", kind="county")
    theirs_dept = Department.create(name="县人社局", short_name="高人社", kind="county")
    team, other_team = Team.select().order_by(Team.id)[:2]
    rep = Representative.create(name="周代表", kind="npc_deputy", team=team)
    co = make_petitioner(name="共同信访人")
    loose = make_petitioner(name="未立案的来访人")
    rows = {"ours": {}, "theirs": {}}
    for side, petition_team, departments in (("ours", team, (ours_dept, theirs_dept)),
                                             ("theirs", other_team, (theirs_dept,))):
        petition = make_petition(subject=side, team=petition_team)
        found = rows[side]
        found["petition"] = {petition.id}
        found["referral"] = {Referral.create(petition=petition, department=d).id for d in departments}
        found["document"] = {Document.create(kind="acceptance_notice", petition=petition, issuer=ours_dept,
                                             number="高信访〔2024〕%s号" % petition.id, prefix="高信访", year=2024,
                                             sequence=petition.id, pdf=b"%PDF", sha256="0" * 64).id}
        found["mediation"] = {Mediation.create(petition=petition, parties="甲、乙", mediator="调解员", place="工作室",
                                               agreement="协议", signed_on=dt.date(2024, 3, 1)).id}
        found["followup"] = {FollowUp.create(petition=petition, followed_on=dt.date(2024, 3, 2), method="phone",
                                             evaluation="satisfied").id}
        found["visitlog"] = {VisitLog.create(petition=petition, kind="reception", place="大厅", summary="来访",
                                             visited_at=dt.datetime(2024, 3, 1, 9)).id}
        consultation = Consultation.create(held_at=dt.datetime(2024, 3, 3, 9), place="工作室", agenda="研判")
        ConsultationPetition.create(consultation=consultation, petition=petition)
        found["consultation"] = {consultation.id}
        found["petitioner"] = {petition.petitioner_id}
    CoPetitioner.create(petition=min(rows["ours"]["petition"]), petitioner=co)
    rows["ours"]["petitioner"].add(co.id)
    rows["theirs"]["petitioner"].add(loose.id)  # no petition: outside every department's petitions
    VisitLog.create(kind="outreach", place="村口", summary="未关联事项", visited_at=dt.datetime(2024, 3, 1, 10))
    users = {role: User(username=role, role=role) for role in OFFICE}
    users["department"] = User(username="dept", role="department", department=ours_dept)
    users["representative"] = User(username="rep", role="representative", representative=rep)
    return rows, users


def seen(kind, user, model=None):
    """The ids of the rows of `kind` (of `model`, by default the kind's own) that the user sees."""
    model = model or CASE_KINDS[kind]
    return {row.id for row in access.visible(model.select(), user, kind)}


@pytest.mark.parametrize("kind", sorted(CASE_KINDS))
@pytest.mark.parametrize("role", OFFICE)
def test_the_office_sees_every_row(county, role, kind):
    rows, users = county
    query = CASE_KINDS[kind].select()
    assert access.visible(query, users[role], kind) is query  # not narrowed at all (the statistics' tallies)


# What a department user (县住建局) and the representative of team 1 see: (kind, role) -> "ours" or "all".
EXPECTED = {
    ("petition", "department"): "ours", ("petition", "representative"): "ours",
    ("referral", "department"): "its own", ("referral", "representative"): "ours",
    ("document", "department"): "ours", ("document", "representative"): "ours",
    ("mediation", "department"): "ours", ("mediation", "representative"): "ours",
    ("followup", "department"): "ours", ("followup", "representative"): "ours",
    ("visitlog", "department"): "ours", ("visitlog", "representative"): "ours",
    ("consultation", "department"): "ours", ("consultation", "representative"): "ours",
    ("petitioner", "department"): "ours", ("petitioner", "representative"): "all",
}


@pytest.mark.parametrize("kind, role", sorted(EXPECTED))
def test_a_department_and_a_representative_see_their_petitions_and_what_hangs_off_them(county, kind, role):
    rows, users = county
    got = seen(kind, users[role])
    if EXPECTED[kind, role] == "all":
        assert got == {row.id for row in CASE_KINDS[kind].select()}
    elif EXPECTED[kind, role] == "its own":  # the referral to the other department of the same petition: not
        assert got == {r.id for r in Referral.select().where(Referral.department == users[role].department_id)}
        assert len(got) == 1
    else:
        assert got == rows["ours"][kind]
        assert not got & rows["theirs"][kind]


@pytest.mark.parametrize("kind", WHOLE_KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_the_office_records_are_whole_for_every_role(county, role, kind):
    rows, users = county
    query = Department.select()
    assert access.visible(query, users[role], kind) is query


@pytest.mark.parametrize("kind", ["petitions", "Petition", "", None, "co_petitioner", "resolutiongroup"])
def test_a_kind_without_a_rule_shows_nothing(county, kind):
    rows, users = county
    assert seen("petition", users["admin"])  # there are petitions, and the administrator sees them all
    assert seen(kind, users["admin"], model=Petition) == set()


@pytest.mark.parametrize("user", [None, User(username="x", role="auditor")], ids=["no-user", "unknown-role"])
@pytest.mark.parametrize("kind", sorted(CASE_KINDS) + ["department"])
def test_no_user_or_an_unknown_role_sees_nothing(county, user, kind):
    assert seen(kind, user, model=CASE_KINDS.get(kind, Department)) == set()


def test_a_department_user_without_a_department_sees_no_petition(county):
    rows, users = county
    assert seen("petition", User(username="d", role="department")) == set()
    assert seen("referral", User(username="d", role="department")) == set()


# -- personal fields -----------------------------------------------------------------------------------------

def says_personal(name):
    return "id_number" in name or "phone" in name


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_id_number_and_phone_field_is_declared(model):
    """A new field named like an ID number or a phone fails here until access.PERSONAL (or PUBLIC) names it."""
    named = {name for name in model._meta.fields if says_personal(name)}
    declared = set(access.PERSONAL.get(model, {})) | set(access.PUBLIC.get(model, ()))
    assert named <= declared
    assert not set(access.PERSONAL.get(model, {})) & set(access.PUBLIC.get(model, ()))
    assert set(access.PERSONAL.get(model, {})) <= set(model._meta.fields)  # no stale declaration


def personal_record(model, make_petitioner):
    if model is Petitioner:
        return make_petitioner(id_number=valid_id_number(sequence="777"), phone="13912345678")
    if model is Representative:
        return Representative.create(name="吴委员", kind="cppcc_member", phone="13912345678")
    return HotlineTicket.create(number="GD2024001", called_at=dt.datetime(2024, 3, 1, 9), caller="来电人",
                                phone="13912345678", caller_id_number=valid_id_number(sequence="778"), content="诉求")


CASES = [(model, name) for model in access.PERSONAL for name in access.PERSONAL[model]]


@pytest.mark.parametrize("model, name", CASES, ids=["%s.%s" % (m.__name__, n) for m, n in CASES])
def test_the_audit_log_masks_every_declared_field(db, make_petitioner, model, name):
    record = personal_record(model, make_petitioner)
    full = getattr(record, name)
    entry = audit.record("create", record, record.id, after=audit.snapshot(record))
    assert full not in entry.after
    assert access.masked(record, name) in entry.after
    before = audit.snapshot(record)
    setattr(record, name, "13912345679" if name == "phone" else valid_id_number(sequence="779"))
    old, new = audit.changes(before, audit.snapshot(record))
    assert name in new  # a change in the hidden digits is still logged, masked
    entry = audit.record("update", record, record.id, before=old, after=new)
    assert full not in entry.before and getattr(record, name) not in entry.after


def test_masked_shows_the_ends_only(db, make_petitioner):
    number = valid_id_number()
    person = make_petitioner(id_number=number, phone="13812345678")
    assert access.masked(person, "id_number") == "371526********" + number[-4:]
    assert access.masked(person, "phone") == "138****5678"
