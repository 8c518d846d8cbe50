"""自行办理 (issue 14): the office, or a team of its studio, records the result of an accepted petition itself,
without a referral; 答复 follows as after a department's reply, and the statistics count it."""
import datetime as dt
import json

import pytest

from models import audit, workflow
from models.audit import AuditEntry
from models.casework import OwnResult, Referral
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import Team, User
from models.petition import Petition, StepRecord
from models.reports import statistics
from models.workflow import guidance, letters

RECEIVED = dt.datetime(2022, 12, 9, 9, 30)
ACCEPTED = dt.datetime(2022, 12, 9, 10, 30)
MEDIATED = dt.datetime(2022, 12, 19, 15, 0)
HANDLED = dt.datetime(2022, 12, 20, 10, 0)
RESULT = dict(outcome="explain", facts="经“1+3”化解小组调解，双方已就界址达成一致。", opinion="对信访人作出解释说明。",
              legal_basis="《中华人民共和国民法典》第二百八十八条")


@pytest.fixture
def staff(db):
    return User.create(username="chen", display_name="接访员 陈某", role="staff", password_hash="not-a-login")


@pytest.fixture
def accepted(db, make_petitioner, staff):
    """accepted() -> a petition registered and accepted through the workflow."""
    def accepted(**fields):
        petition = workflow.register(Petition(channel="visit", received_at=RECEIVED, petitioner=make_petitioner(),
                                              subject="宅基地界址争议", content="信访人与邻居因宅基地界址发生争执。",
                                              **fields), staff)
        return workflow.accept(petition, staff, at=ACCEPTED)

    return accepted


def record(petition, by, at=HANDLED, **changes):
    return workflow.record_own_result(petition, by, at=at, **dict(RESULT, **changes))


def test_the_office_records_its_own_result_and_the_petition_is_handled(accepted, staff):
    petition = accepted()
    result = record(petition, staff)
    petition = Petition.get_by_id(petition.id)
    assert petition.status == "handled" and petition.outcome == "explain"
    assert petition.due_on == petition.handling_due
    assert (result.handled_by, result.team, result.handled_at, result.recorded_by_id) == ("office", None, HANDLED,
                                                                                       staff.id)
    assert (result.facts, result.opinion, result.legal_basis) == (RESULT["facts"], RESULT["opinion"],
                                                                  RESULT["legal_basis"])
    assert not Referral.select().exists()  # no referral, no town logged in as


def test_the_step_and_the_result_are_audited(accepted, staff):
    petition = accepted()
    result = record(petition, staff)
    step = StepRecord.get((StepRecord.petition == petition.id) & (StepRecord.step == "record_own_result"))
    assert (step.at, step.by_id, step.status_before, step.status_after, step.note) == (
        HANDLED, staff.id, "accepted", "handled", "本局")
    entries = {(e.action, e.summary): e for e in AuditEntry.select().where(AuditEntry.user == staff.id)}
    step_entry = entries[("step", "record_own_result")]
    assert step_entry.model == "petition" and json.loads(step_entry.after)["status"] == "handled"
    created = entries[("create", petition.number)]
    assert created.model == OwnResult._meta.table_name and created.record_id == result.id
    after = json.loads(created.after)
    assert after["outcome"] == "explain" and after["facts"] == RESULT["facts"]
    assert audit.verify() is None


def test_the_studio_records_it_for_the_petitions_team_or_the_one_given(accepted, staff):
    petition = accepted()
    workflow.classify(petition, staff, "unreasonable", at=dt.datetime(2022, 12, 12, 9, 0))
    result = record(petition, staff, handled_by="studio")
    assert result.team.code == "unreasonable_claims"
    assert StepRecord.get(StepRecord.step == "record_own_result").note == "本局“两代表一委员”工作室（不合理诉求调解团队）"
    other = record(accepted(), staff, handled_by="studio", team=Team.get(Team.code == "hardship_assistance"))
    assert other.team.code == "hardship_assistance"


def test_after_it_the_answer_is_allowed_exactly_as_after_a_department_reply(accepted, staff):
    petition = accepted()
    assert "answer" not in workflow.allowed_steps(petition)
    record(petition, staff)
    petition = Petition.get_by_id(petition.id)
    assert "answer" in workflow.allowed_steps(petition)
    assert letters.handling_result(petition).handled_by == "office"
    assert letters.records_for("handling_opinion", petition) == [None]
    answered = workflow.answer(petition, staff, at=dt.datetime(2022, 12, 22, 10, 0))
    assert answered.status == "answered"


def test_a_mediated_case_of_the_1_plus_3_group_is_resolved_by_the_office(accepted, staff, db):
    """The issue's case: after the group's 调解, the office records the result itself and answers."""
    from models.people import Representative

    petition = accepted()
    workflow.form_group(petition, staff, Representative.create(name="王春月", kind="npc_deputy"), "高桥镇信访办 李某",
                        "人民调解员 赵某", "律师 孙某", at=dt.datetime(2022, 12, 13, 9, 0))
    workflow.mediate(petition, staff, "信访人；邻居", "赵某", "高桥镇一站式矛调中心", "双方同意按原界址通行。",
                     MEDIATED.date(), lawyer="孙某", at=MEDIATED)
    assert "record_own_result" in guidance.guidance(Petition.get_by_id(petition.id)).next_steps
    record(petition, staff)
    assert Petition.get_by_id(petition.id).status == "handled"


@pytest.mark.parametrize("route", ["registered", "referred", "handled", "answered", "not_accepted", "void"])
def test_it_is_refused_unless_accepted_and_not_waiting_for_a_department(accepted, staff, route, make_petitioner):
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    if route == "registered":
        petition = workflow.register(Petition(channel="visit", received_at=RECEIVED, petitioner=make_petitioner(),
                                              subject="宅基地界址争议", content="界址争执。"), staff)
    elif route == "not_accepted":
        petition = workflow.register(Petition(channel="visit", received_at=RECEIVED, petitioner=make_petitioner(),
                                              subject="宅基地界址争议", content="界址争执。"), staff)
        workflow.reject(petition, staff, "不属于受理范围。", "《信访工作条例》第二十五条", at=ACCEPTED)
    else:
        petition = accepted()
        if route in ("referred", "handled", "answered"):
            referral = workflow.refer(petition, land, staff, at=dt.datetime(2022, 12, 15, 16, 0))
            if route in ("handled", "answered"):
                workflow.record_reply(referral, staff, "support", "属实。", "予以支持。", "某法第一条",
                                      at=dt.datetime(2022, 12, 16, 10, 0))
            if route == "answered":
                workflow.answer(petition, staff, at=dt.datetime(2022, 12, 17, 10, 0))
        if route == "void":
            workflow.void(petition, staff, "重复登记。", at=dt.datetime(2022, 12, 10, 9, 0))
    before = (Petition.get_by_id(petition.id).status, StepRecord.select().count(), AuditEntry.select().count())
    with pytest.raises(NotAllowed):
        record(petition, staff, at=dt.datetime(2022, 12, 20, 10, 0))
    assert not OwnResult.select().exists()
    assert (Petition.get_by_id(petition.id).status, StepRecord.select().count(),
            AuditEntry.select().count()) == before


def test_after_an_objection_the_office_may_handle_it_itself(accepted, staff):
    petition = accepted()
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    referral = workflow.refer(petition, land, staff, at=dt.datetime(2022, 12, 15, 16, 0))
    workflow.object_to_referral(referral, staff, "不属于本单位职责。", at=dt.datetime(2022, 12, 16, 10, 0))
    record(petition, staff)
    assert Petition.get_by_id(petition.id).status == "handled"


def test_an_open_referral_refuses_it_even_when_the_status_says_accepted(accepted, staff):
    """The guard beside the status: a referral still awaiting the department's reply."""
    petition = accepted()
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    Referral.create(petition=petition, department=land, sent_at=ACCEPTED)  # an old register's leftover
    with pytest.raises(NotAllowed) as refused:
        record(petition, staff)
    assert refused.value.message == "A department is handling this petition: record its reply instead."


def test_a_second_result_is_refused(accepted, staff):
    petition = accepted()
    record(petition, staff)
    with pytest.raises(NotAllowed):
        record(petition, staff, at=dt.datetime(2022, 12, 21, 10, 0))
    assert OwnResult.select().count() == 1


@pytest.mark.parametrize("changes, field", [
    pytest.param({"outcome": ""}, "outcome", id="no-outcome"),
    pytest.param({"outcome": "maybe"}, "outcome", id="unknown-outcome"),
    pytest.param({"facts": "  "}, "facts", id="no-facts"),
    pytest.param({"opinion": ""}, "opinion", id="no-opinion"),
    pytest.param({"legal_basis": None}, "legal_basis", id="no-basis"),
    pytest.param({"handled_by": "town"}, "handled_by", id="unknown-handler"),
    pytest.param({"at": dt.datetime(2022, 12, 9, 10, 0)}, "at", id="before-acceptance"),
])
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(accepted, staff, changes, field):
    petition = accepted()
    with pytest.raises(ValidationError) as refused:
        record(petition, staff, **changes)
    assert refused.value.field == field
    assert Petition.get_by_id(petition.id).status == "accepted" and not OwnResult.select().exists()


def test_the_statistics_count_what_the_office_resolved_itself(accepted, staff):
    december = statistics.month(2022, 12)
    record(accepted(), staff)
    record(accepted(), staff, handled_by="studio", at=dt.datetime(2022, 12, 31, 23, 0))
    record(accepted(), staff, at=dt.datetime(2022, 12, 9, 11, 0))
    voided = accepted()
    record(voided, staff)
    workflow.void(voided, staff, "重复登记。", at=dt.datetime(2022, 12, 21, 9, 0))  # void: never counted
    land = Department.create(name="县自然资源局", short_name="高自然资源", kind="county")
    referred = accepted()
    referral = workflow.refer(referred, land, staff, at=dt.datetime(2022, 12, 15, 16, 0))
    workflow.record_reply(referral, staff, "support", "属实。", "予以支持。", "某法第一条", at=HANDLED)  # a department's
    assert statistics.summary(december)["own_resolved"] == 3
    assert statistics.own_resolved(statistics.month(2023, 1)) == 0
    assert statistics.own_resolved(december, scope=Petition.id != referred.id) == 3
    assert statistics.own_resolved(statistics.Period(dt.date(2022, 12, 20), dt.date(2022, 12, 20))) == 1
