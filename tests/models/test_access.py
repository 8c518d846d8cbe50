"""Row scope (access.visible, each role x kind, closed by default) and the personal fields, declared once
(access.PERSONAL) and masked in the audit log."""
import datetime as dt

import pytest

from models import access, audit, workflow
from models.casework import (
    Consultation, ConsultationPetition, DutyShift, FollowUp, Mediation, Referral, ResolutionGroup, VisitLog,
    VisitRepresentative,
)
from models.db import now
from models.documents import Document
from models.hotline import HotlineTicket
from models.organisation import Department
from models.people import Petitioner, Representative, Team, User
from models.errors import ValidationError
from models.petition import CoPetitioner, Petition, StepRecord
from models.schema import MODELS

from tests.conftest import valid_id_number

ROLES = ("admin", "staff", "leader", "department", "representative")
OFFICE = ("admin", "staff", "leader")
# The kinds whose rows hang off a petition, and their model.
CASE_KINDS = {"petition": Petition, "referral": Referral, "document": Document, "mediation": Mediation,
              "followup": FollowUp, "visitlog": VisitLog, "consultation": Consultation, "petitioner": Petitioner}
# The office's own records: every role the screen admits sees them all.
WHOLE_KINDS = ("representative", "team", "dutyshift", "department", "category", "audit", "user", "apiclient")


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
    ("petitioner", "department"): "ours", ("petitioner", "representative"): "ours",
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


def test_a_representative_user_without_a_representative_sees_no_petition(county):
    """`lead_representative == None` would be IS NULL: every petition nobody leads."""
    rows, users = county
    assert Petition.select().where(Petition.lead_representative.is_null()).exists()
    lone = User(username="r", role="representative")
    assert seen("petition", lone) == set() and seen("petitioner", lone) == set()


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


# -- scope holes (issue: an insider's attack) ---------------------------------------------------------------

def test_a_representative_sees_the_people_of_its_petitions_and_of_its_own_visits(county, make_petitioner):
    rows, users = county
    rep = users["representative"].representative
    met, unmet = make_petitioner(name="接访见过的人"), make_petitioner(name="别人接访的人")
    with_rep = VisitLog.create(petitioner=met, kind="reception", place="大厅", summary="来访")
    VisitRepresentative.create(visit=with_rep, representative=rep)
    VisitLog.create(petitioner=unmet, kind="reception", place="大厅", summary="来访")  # it was not there
    assert seen("petitioner", users["representative"]) == rows["ours"]["petitioner"] | {met.id}
    assert unmet.id not in seen("petitioner", users["department"]) | seen("petitioner", users["representative"])


def make_user(role, username, **fields):
    return User.create(username=username, display_name=username, role=role, password_hash="x", **fields)


@pytest.fixture
def outside(county):
    """The representative of team 1 as a saved user, the staff, and "theirs" (team 2) accepted and open."""
    rows, users = county
    rep_user = make_user("representative", username="rep2", representative=users["representative"].representative)
    staff = make_user("staff", username="officer")
    theirs = Petition.get_by_id(min(rows["theirs"]["petition"]))
    ours = Petition.get_by_id(min(rows["ours"]["petition"]))
    for petition in (ours, theirs):
        workflow.accept(petition, staff, at=dt.datetime(2024, 3, 1, 9))
    return rep_user, staff, ours, Petition.get_by_id(theirs.id)


def petitions_of(user):
    return {p.id for p in access.visible(Petition.select(), user, "petition")}


def test_a_visit_log_may_point_only_at_what_its_writer_sees(outside, county):
    rows, users = county
    rep_user, staff, ours, theirs = outside
    loose = Petitioner.get_by_id(max(rows["theirs"]["petitioner"]))
    for record, field in ((VisitLog(petition=theirs, kind="reception", place="大厅", summary="来访"), "petition"),
                          (VisitLog(petitioner=loose, kind="reception", place="大厅", summary="来访"), "petitioner")):
        with pytest.raises(ValidationError) as refused:
            access.check_links(record, rep_user)
        assert refused.value.field == field and refused.value.message == access.REFUSALS[field]
        access.check_links(record, staff)  # the office links anything
    access.check_links(VisitLog(petition=ours, petitioner=ours.petitioner, kind="reception", place="大厅",
                                summary="来访"), rep_user)


def test_a_representative_cannot_convene_or_group_itself_into_a_petition_it_does_not_see(outside):
    rep_user, staff, ours, theirs = outside
    before = petitions_of(rep_user)
    assert theirs.id not in before and ours.id in before
    with pytest.raises(ValidationError):
        workflow.convene([ours, theirs], rep_user, held_at=dt.datetime(2024, 3, 2, 9), place="工作室", agenda="研判",
                         representatives=[rep_user.representative])
    with pytest.raises(ValidationError):
        workflow.form_group(theirs, rep_user, rep_user.representative, "镇信访办 李某", "调解员 赵某", "律师 孙某")
    assert Consultation.select().count() == 2 and ResolutionGroup.select().count() == 0  # the county's two only
    assert petitions_of(rep_user) == before
    workflow.convene([ours], rep_user, held_at=dt.datetime(2024, 3, 2, 9), place="工作室", agenda="研判",
                     representatives=[rep_user.representative])  # its own petition: allowed
    workflow.form_group(theirs, staff, rep_user.representative, "镇信访办 李某", "调解员 赵某", "律师 孙某")
    assert theirs.id in petitions_of(rep_user)  # the office grouped it: now its case


def test_a_duty_shift_opens_that_days_walk_ins_only_when_its_writer_sees_them(outside):
    rep_user, staff, ours, theirs = outside
    shift = DutyShift(representative=rep_user.representative, on_date=theirs.received_at.date(), session="am")
    with pytest.raises(ValidationError) as refused:
        access.check_links(shift, rep_user)
    assert refused.value.field == "on_date"
    access.check_links(shift, staff)
    access.check_links(DutyShift(representative=rep_user.representative, on_date=dt.date(2020, 1, 2), session="am"),
                       rep_user)  # no walk-ins that day: nothing to open


@pytest.fixture
def both_handled(db, make_petition):
    """A petition referred to 县住建局, which objected, then to 县人社局, which replied; letters to each."""
    staff = make_user("staff", username="officer")
    first = Department.create(name="县住建局", short_name="高住建", kind="county")
    second = Department.create(name="县人社局", short_name="高人社", kind="county")
    start = now() - dt.timedelta(hours=6)
    petition = make_petition(subject="两个部门办过的事项", received_at=start)
    workflow.accept(petition, staff, at=start + dt.timedelta(hours=1))
    objected = workflow.refer(petition, first, staff, at=start + dt.timedelta(hours=2))
    workflow.object_to_referral(objected, staff, "不属于住建局职责，应由人社局办理。", at=start + dt.timedelta(hours=3))
    replied = workflow.refer(petition, second, staff, at=start + dt.timedelta(hours=4))
    workflow.record_reply(replied, staff, "support", "经核查属实。", "予以支持。", "《劳动法》", at=start + dt.timedelta(hours=5))
    documents = {}
    for kind, record in (("assignment_sheet", objected), ("assignment_sheet", replied), ("handling_opinion", None)):
        documents[kind, record.department.name if record else None] = Document.create(
            kind=kind, petition=petition, issuer=first, number="高信访〔2024〕%d号" % (len(documents) + 1),
            prefix="高信访", year=2024, sequence=len(documents) + 1, record_id=record.id if record else None,
            pdf=b"%PDF", sha256="0" * 64).id
    users = {d.name: User(username=d.name, role="department", department=d) for d in (first, second)}
    assert Referral.select().count() == 2
    return petition, users, documents


def test_a_department_sees_only_its_own_referrals_steps_and_letters(both_handled):
    petition, users, documents = both_handled
    steps = {name: [(s.step, s.note) for s in access.visible(StepRecord.select().order_by(StepRecord.id), user,
                                                              "steprecord")] for name, user in users.items()}
    assert steps["县住建局"] == [("accept", None), ("refer", "县住建局"), ("object", "不属于住建局职责，应由人社局办理。")]
    assert steps["县人社局"] == [("accept", None), ("refer", "县人社局"), ("record_reply", "县人社局")]
    assert "不属于住建局职责，应由人社局办理。" not in str(steps["县人社局"])
    assert "县人社局" not in str(steps["县住建局"])
    every = {s.id for s in StepRecord.select()}
    assert {s.id for s in access.visible(StepRecord.select(), User(username="s", role="staff"), "steprecord")} == every
    letters = {name: {d.id for d in access.visible(Document.select(), user, "document")}
               for name, user in users.items()}
    assert letters["县住建局"] == {documents["assignment_sheet", "县住建局"]}  # not the opinion stating 人社局's reply
    assert letters["县人社局"] == {documents["assignment_sheet", "县人社局"], documents["handling_opinion", None]}


def test_tickets_and_dismissed_flags_follow_the_petitions_they_cite(county):
    from models.hotline import FlagDismissal

    rows, users = county
    ours, theirs = min(rows["ours"]["petition"]), min(rows["theirs"]["petition"])
    tickets = {}
    for name, petition in (("ours", ours), ("theirs", theirs), ("none", None)):
        tickets[name] = HotlineTicket.create(number="GD%s" % name, called_at=dt.datetime(2024, 3, 1, 9), caller="甲",
                                             phone="13912345678", content="诉求", petition=petition).id
    mine = FlagDismissal.create(flag_key="repeat:1", kind="repeat", evidence="p%d t%d" % (ours, tickets["ours"]),
                                reason="已核实")
    FlagDismissal.create(flag_key="cluster:x", kind="cluster", evidence="p%d p%d" % (ours, theirs), reason="已核实")
    FlagDismissal.create(flag_key="ticket_caller:9", kind="ticket_caller", evidence="t%d" % tickets["none"],
                         reason="已核实")
    for role in ("department", "representative"):
        assert seen("hotlineticket", users[role], model=HotlineTicket) == {tickets["ours"]}
        assert seen("flags", users[role], model=FlagDismissal) == {mine.id}
        assert access.shows_flag(["p%d" % ours, "t%d" % tickets["ours"]], users[role])
        assert not access.shows_flag(["p%d" % ours, "t%d" % tickets["none"]], users[role])
        assert not access.shows_flag([], users[role])
    assert seen("flags", users["leader"], model=FlagDismissal) == {row.id for row in FlagDismissal.select()}
