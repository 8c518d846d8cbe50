"""seed_demo(): a valid, deterministic demo county in an empty database, with the county's case of 刘某."""
import datetime as dt
import os
import uuid
from urllib.parse import quote

import pytest
from werkzeug.security import generate_password_hash

from models import audit, deadlines, demo, schema, workflow
from models import db as models_db
from models.audit import AuditEntry
from models.casework import (
    PLACES, VISIT_KINDS, Consultation, DutyShift, FollowUp, Mediation, Referral, ResolutionGroup, VisitLog,
)
from models.errors import NotAllowed
from models.organisation import Category, Department
from models.people import REPRESENTATIVE_KINDS, Petitioner, Representative, User
from models.petition import CHANNELS, CLASSIFICATIONS, STATUSES, CoPetitioner, Petition, StepRecord
from models.validation import normalize_id_number, normalize_phone

TODAY = dt.date(2025, 6, 30)  # a Monday
END_OF_TODAY = dt.datetime.combine(TODAY, dt.time(23, 59))


def _execute(url, sql):
    server = models_db.connect(url)
    server.execute_sql(sql)
    server.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The demo seeded once for the tests that only read it, in a SQLite file or a PostgreSQL schema of its own
    (so the tests that empty their own database do not empty this one): (database, admin, counts)."""
    server_url, name = os.environ.get("TEST_DATABASE_URL"), "test_demo_%s" % uuid.uuid4().hex[:12]
    if server_url:
        _execute(server_url, 'CREATE SCHEMA "%s"' % name)
        url = server_url + ("&" if "?" in server_url else "?") + "options=" + quote("-c search_path=%s" % name)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.db")
    database = models_db.connect(url)
    schema.upgrade(database)
    cheap_hash = generate_password_hash("demo-admin-password", method="pbkdf2:sha256:1000")  # speed, not safety
    admin = User.create(username="admin", display_name="管理员", role="admin", password_hash=cheap_hash)
    counts = demo.seed_demo(admin_user=admin, today=TODAY)
    yield database, admin, counts
    database.close()
    if server_url:
        _execute(server_url, 'DROP SCHEMA "%s" CASCADE' % name)


@pytest.fixture
def counts(seeded):
    """The counts seed_demo returned; the models read the seeded database."""
    database, _, counts = seeded
    models_db.database.initialize(database)
    return counts


@pytest.fixture
def admin(seeded):
    return seeded[1]


def codes(choices):
    return {code for code, _ in choices}


def test_seed_fills_an_empty_database_with_a_county(counts):
    varying = ("co_petitioner", "visit_representative", "step_record", "referral", "consultation", "resolution_group",
               "mediation", "follow_up", "audit_entry")
    assert counts == dict({"department": 22, "category": 9, "representative": 20, "petitioner": 60, "petition": 100,
                           "visit_log": 40, "duty_shift": 20}, **{name: counts[name] for name in varying})
    assert counts["co_petitioner"] > 0 and counts["visit_representative"] >= 40
    assert counts["step_record"] > 5 * 100 and counts["audit_entry"] >= counts["step_record"]
    assert counts["referral"] > 50 and counts["follow_up"] > 40
    assert counts["consultation"] >= 2 and counts["resolution_group"] >= 5 and counts["mediation"] >= 2
    assert Department.select().where(Department.kind == "town").count() == 12
    assert Department.get(Department.name == "县信访局").short_name == "高信访"
    assert [c.name for c in Category.select().order_by(Category.position)][0] == "土地宅基地"


def test_county_case_of_liu_is_a_roving_reception_on_9_december_2022(counts):
    liu = Petitioner.get(Petitioner.alias == "刘某")
    case = Petition.get(Petition.petitioner == liu)
    assert (case.number, case.channel, case.town.name) == ("XF-2022-000001", "roving_reception", "高桥镇")
    assert case.received_at == dt.datetime(2022, 12, 9, 9, 30)
    assert case.category.name == "土地宅基地"
    assert "宅基地" in case.subject and "道路" in case.subject
    visit = VisitLog.get(VisitLog.petition == case)
    assert (visit.kind, visit.visited_at) == ("reception", dt.datetime(2022, 12, 9, 9, 30))
    assert "王春月" in [present.representative.name for present in visit.representatives_present]


def test_county_case_of_liu_is_closed_after_every_step_of_its_life(counts, admin):
    case = Petition.get(Petition.subject == demo.CASE_SUBJECT)
    assert (case.status, case.classification, case.team.name) == ("closed", "reasonable", "合理诉求化解团队")
    assert (case.lead_representative.name, case.outcome, case.due_on) == ("王春月", "support", None)
    steps = [(s.step, s.at, s.by_id) for s in case.steps.order_by(StepRecord.id)]
    assert [name for name, _, _ in steps] == ["register", "classify", "accept", "form_group", "refer", "convene",
                                              "mediate", "record_reply", "answer", "follow_up", "close"]
    assert steps[0][1] == dt.datetime(2022, 12, 9, 9, 30) and steps[-1][1] == dt.datetime(2023, 1, 12, 9, 0)
    assert [at for _, at, _ in steps] == sorted(at for _, at, _ in steps)
    assert {by for _, _, by in steps} == {admin.id}
    group = ResolutionGroup.get(ResolutionGroup.petition == case)
    assert group.representative.name == "王春月" and "高桥镇" in group.town_officer
    assert group.mediator and group.lawyer
    mediation = Mediation.get(Mediation.petition == case)
    assert (mediation.place, mediation.lawyer, mediation.signed_on) == ("高桥镇一站式矛调中心", group.lawyer,
                                                                      dt.date(2022, 12, 20))
    referral = Referral.get(Referral.petition == case)
    assert (referral.department.name, referral.state, referral.outcome) == ("县自然资源局", "replied", "support")
    assert FollowUp.get(FollowUp.petition == case).evaluation == "satisfied"
    assert "王春月" in [link.representative.name for link in case.consultation_links[0].consultation
                       .representative_links]
    logged = AuditEntry.select().where((AuditEntry.model == "petition") & (AuditEntry.record_id == case.id)
                                       & (AuditEntry.action == "step")).order_by(AuditEntry.id)
    assert [entry.summary for entry in logged] == [name for name, _, _ in steps]


def test_every_petitioner_has_a_valid_id_number_and_phone(counts):
    for petitioner in Petitioner.select():
        assert normalize_id_number(petitioner.id_number, today=TODAY) == petitioner.id_number
        assert normalize_phone(petitioner.phone) == petitioner.phone


def test_petition_numbers_are_unique_and_follow_the_received_time_each_year(counts):
    petitions = list(Petition.select().order_by(Petition.received_at, Petition.id))
    assert len({p.number for p in petitions}) == len(petitions)
    for year in {p.received_at.year for p in petitions}:
        numbers = [p.number for p in petitions if p.received_at.year == year]
        assert numbers == ["XF-%d-%06d" % (year, i) for i in range(1, len(numbers) + 1)]


def test_nothing_happens_after_today(counts):
    end = END_OF_TODAY
    assert max(p.received_at for p in Petition.select()) <= end
    assert max(v.visited_at for v in VisitLog.select()) <= end
    assert max(s.at for s in StepRecord.select()) <= end
    assert max(r.sent_at for r in Referral.select()) <= end
    assert max(r.replied_at for r in Referral.select().where(Referral.replied_at.is_null(False))) <= end
    assert max(f.followed_on for f in FollowUp.select()) <= TODAY
    assert max(m.signed_on for m in Mediation.select()) <= TODAY
    assert max(c.concluded_at for c in Consultation.select()) <= end
    assert min(p.received_at for p in Petition.select()) == dt.datetime(2022, 12, 9, 9, 30)


def test_every_petition_reached_its_status_through_the_workflow_in_order(counts):
    for petition in Petition.select():
        steps = list(petition.steps.order_by(StepRecord.id))
        assert (steps[0].step, steps[0].at) == ("register", petition.received_at)
        assert [s.at for s in steps] == sorted(s.at for s in steps), petition.number
        assert steps[-1].status_after == petition.status
        assert all(a.status_after == b.status_before for a, b in zip(steps, steps[1:]) if b.status_before)
    assert StepRecord.select().count() == AuditEntry.select().where(AuditEntry.action == "step").count()
    assert audit.verify_chain() is None


def test_petitions_carry_the_deadlines_and_records_of_their_status(counts):
    for petition in Petition.select():
        assert petition.referral_due == deadlines.referral_due(petition.received_at)
        if petition.accepted_at:
            assert petition.handling_due == deadlines.handling_due(petition.accepted_at, petition.extension_days)
        if petition.status in workflow.OPEN and petition.status not in ("reviewed", "rechecked"):
            assert petition.due_on is not None, petition.number
        if petition.status in ("handled", "answered", "followed_up", "closed") or petition.reviewed_at:
            assert petition.referrals.where(Referral.state == "replied").count() == 1
        if petition.status in ("followed_up", "closed"):
            assert petition.follow_ups.count() >= 1
    refused = Petition.select().where(Petition.status == "not_accepted")
    assert all(p.rejection_reason and p.rejection_basis and p.accepted_at is None for p in refused)
    assert all(p.void_reason for p in Petition.select().where(Petition.status == "void"))
    extended = Petition.select().where(Petition.extension_days > 0)
    assert extended.count() >= 2
    assert all(p.extension_reason and p.extension_approver and p.extension_days <= 30 for p in extended)
    under_review = Petition.get(Petition.status == "under_review")
    assert under_review.review_requested_at.date() <= deadlines.review_request_due(under_review.answered_at)


def test_referrals_go_to_a_fitting_department_and_one_objected(counts):
    for referral in Referral.select():
        petition, department = referral.petition, referral.department
        fitting = {name or petition.town.name for name in demo.CATEGORY_DEPARTMENTS[petition.category.name]}
        if petition.classification == "unlawful":
            fitting = {"县公安局"}
        if referral.state == "objected":
            assert referral.objected_at.date() <= deadlines.objection_due(referral.sent_at)
            assert referral.objection_reason
        else:
            assert department.name in fitting, (petition.number, petition.category.name, department.name)
        assert referral.sent_at.date() <= petition.referral_due  # 第二十二条: within 15 days
    assert Referral.select().where(Referral.state == "objected").count() == 1


def test_some_deadlines_are_passed_or_near_as_in_a_real_office(counts):
    open_petitions = Petition.select().where(Petition.status.in_(workflow.OPEN))
    urgencies = [deadlines.urgency(p.due_on, TODAY) for p in open_petitions]
    assert 1 <= urgencies.count("overdue") <= 5
    assert 1 <= urgencies.count("due_soon") <= 5


def test_visits_never_come_before_their_petition(counts):
    for visit in VisitLog.select().where(VisitLog.petition.is_null(False)):
        assert visit.visited_at >= visit.petition.received_at
        assert visit.petitioner_id == visit.petition.petitioner_id


def test_petitions_reach_every_status_and_cover_every_channel_category_town_and_classification(counts):
    petitions = list(Petition.select())
    assert {p.channel for p in petitions} == codes(CHANNELS)
    assert {p.status for p in petitions} == codes(STATUSES)
    assert {p.classification for p in petitions} == codes(CLASSIFICATIONS)
    assert {p.category_id for p in petitions} == {c.id for c in Category.select()}
    assert {p.town_id for p in petitions} == {d.id for d in Department.select().where(Department.kind == "town")}
    assert {p.registered_by.username for p in petitions} == {"admin"}


def test_collective_petitions_count_their_people_and_name_up_to_5(counts):
    collective = list(Petition.select().where(Petition.is_collective == True))  # noqa: E712
    assert collective and all(p.head_count >= 2 for p in collective)
    assert all(1 + p.co_petitioners.count() <= 5 for p in collective)
    assert Petition.select().where(Petition.leader_in_charge.is_null(False)).count() >= 3


def test_classified_petitions_go_to_the_matching_team(counts):
    teams = {"reasonable": "reasonable_claims", "unreasonable": "unreasonable_claims",
             "hardship": "hardship_assistance"}
    for petition in Petition.select():
        assert (petition.team.code if petition.team else None) == teams.get(petition.classification)


def test_representatives_cover_the_three_kinds_and_teams(counts):
    reps = list(Representative.select())
    assert {rep.kind for rep in reps} == codes(REPRESENTATIVE_KINDS)
    assert len({rep.team_id for rep in reps if rep.team_id}) == 3
    assert "王春月" in [rep.name for rep in reps]


def test_visits_cover_every_kind_and_place(counts):
    visits = list(VisitLog.select())
    assert {v.kind for v in visits} == codes(VISIT_KINDS)
    assert set(PLACES) <= {v.place for v in visits}
    assert all(v.representatives_present.count() >= 1 for v in visits)


def test_duty_shifts_cover_this_week_and_next_with_today(counts):
    shifts = list(DutyShift.select().order_by(DutyShift.on_date, DutyShift.session))
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    working_days = [monday + dt.timedelta(days=i) for i in range(14) if i % 7 < 5]
    assert [(s.on_date, s.session) for s in shifts] == [(day, session) for day in working_days
                                                        for session in ("am", "pm")]
    assert {s.place for s in shifts} == {"联合接访大厅"}
    assert [s.session for s in shifts if s.on_date == TODAY] == ["am", "pm"]


def test_duty_shifts_include_today_on_a_weekend(db):
    reps = [Representative.create(name=name, kind="npc_deputy") for name in ("王春月", "李明华", "张淑芬")]
    demo._duty_shifts(reps, dt.date(2025, 7, 6))  # a Sunday
    days = sorted({shift.on_date for shift in DutyShift.select()})
    assert len(days) == 11 and dt.date(2025, 7, 6) in days
    assert DutyShift.select().where(DutyShift.on_date == dt.date(2025, 7, 6)).count() == 2


def test_seed_is_deterministic(recreate_db):
    def snapshot():
        return [(p.number, p.received_at, p.subject, p.content, p.petitioner.id_number, p.status, p.due_on,
                 [(s.step, s.at) for s in p.steps.order_by(StepRecord.id)])
                for p in Petition.select().order_by(Petition.number)]

    demo.seed_demo(today=TODAY)
    first = snapshot()
    recreate_db()
    demo.seed_demo(today=TODAY)
    assert snapshot() == first


def test_seed_refuses_a_database_that_holds_data(counts):
    with pytest.raises(NotAllowed):
        demo.seed_demo(today=TODAY)
    assert Petition.select().count() == 100


def test_seed_writes_nothing_when_it_fails_half_way(db, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_visits", broken)
    with pytest.raises(RuntimeError):
        demo.seed_demo(today=TODAY)
    assert not Department.select().exists() and not Petition.select().exists()
    assert not CoPetitioner.select().exists() and not StepRecord.select().exists()
    assert not AuditEntry.select().exists() and not Referral.select().exists()


def test_seed_defaults_to_today(db):
    assert demo.seed_demo()["petition"] == 100
    today = DutyShift.select().where(DutyShift.on_date == dt.date.today())
    assert sorted(shift.session for shift in today) == ["am", "pm"]  # the home page shows who is on duty
    assert Petition.select().where(Petition.registered_by.is_null()).count() == 100


@pytest.mark.parametrize("today", [
    pytest.param(dt.date(2022, 12, 8), id="before-the-county-case"),
    pytest.param(dt.date(2023, 1, 11), id="before-the-county-case-was-closed"),
    pytest.param(dt.date.today() + dt.timedelta(days=1), id="tomorrow"),
])
def test_seed_refuses_a_today_it_cannot_honour(db, today):
    with pytest.raises(ValueError):
        demo.seed_demo(today=today)
    assert not Department.select().exists()
