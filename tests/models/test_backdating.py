"""补录: a 2022 case typed in later. Each step carries the time it happened (StepRecord.at, the petition's
timestamps, the deadlines that follow), and when it was typed in (recorded_at) and by whom; times out of order
are refused with nothing written; a corrected 收到时间 or step time recomputes the deadlines."""
import datetime as dt
import json

import pytest

from models import audit, schema, workflow
from models.audit import AuditEntry
from models.casework import FollowUp, Mediation, Referral
from models.db import now
from models.errors import NotAllowed, ValidationError
from models.organisation import Department
from models.people import User
from models.petition import Petition, StepRecord
from models.workflow import backdating

RECEIVED = dt.datetime(2022, 12, 9, 9, 30)
AT = {
    "accept": dt.datetime(2022, 12, 10, 9, 0),
    "refer": dt.datetime(2022, 12, 12, 10, 0),
    "mediate": dt.datetime(2022, 12, 28, 15, 0),
    "record_reply": dt.datetime(2023, 1, 20, 10, 0),
    "answer": dt.datetime(2023, 1, 25, 10, 0),
    "follow_up": dt.datetime(2023, 2, 1, 10, 0),
    "close": dt.datetime(2023, 2, 3, 9, 0),
}


@pytest.fixture
def staff(db):
    return User.create(username="chen", display_name="接访员 陈某", role="staff", password_hash="not-a-login")


@pytest.fixture
def bureau(db):
    return Department.create(name="县自然资源局", short_name="高自然资源", kind="county")


@pytest.fixture
def case(db, make_petitioner, staff):
    """A petition received on 2022-12-09, registered now (in 2026 or whenever the tests run)."""
    return workflow.register(Petition(channel="visit", received_at=RECEIVED, petitioner=make_petitioner(),
                                      subject="宅基地及共用道路纠纷", content="信访人与原邻居因宅基地界址发生纠纷。"), staff)


def take(name, petition, by, bureau=None, referral=None, at=None):
    at = at or AT[name]
    if name == "accept":
        return workflow.accept(petition, by, at=at)
    if name == "refer":
        return workflow.refer(petition, bureau, by, at=at)
    if name == "mediate":
        return workflow.mediate(petition, by, "刘某某；张某某", "陈调解员", "高桥镇一站式矛调中心", "恢复原址。",
                                at.date(), at=at)
    if name == "record_reply":
        return workflow.record_reply(referral, by, "support", "属实。", "予以支持。", "《民法典》第二百八十八条", at=at)
    if name == "answer":
        return workflow.answer(petition, by, at=at)
    if name == "follow_up":
        return workflow.follow_up(petition, by, at.date(), "phone", "satisfied", at=at)
    if name == "close":
        return workflow.close(petition, by, at=at)
    raise KeyError(name)


def test_a_2022_case_typed_in_later_keeps_its_2022_times_and_deadlines(case, staff, bureau):
    typed_from = now()
    assert case.number.startswith("XF-2022-")  # the number follows the received year, not the typing year
    assert (case.notice_due, case.referral_due) == (dt.date(2022, 12, 24), dt.date(2022, 12, 24))
    take("accept", case, staff)
    accepted = Petition.get_by_id(case.id)
    assert accepted.accepted_at == AT["accept"]
    assert accepted.handling_due == dt.date(2023, 2, 8)  # 60 days from 2022-12-10, not from today
    assert accepted.due_on == dt.date(2022, 12, 24)  # the referral limit from receipt
    referral = take("refer", case, staff, bureau)
    assert referral.sent_at == AT["refer"] and referral.due_on == dt.date(2023, 2, 8)
    take("mediate", case, staff)
    take("record_reply", case, staff, referral=referral)
    take("answer", case, staff)
    take("follow_up", case, staff)
    take("close", case, staff)

    petition = Petition.get_by_id(case.id)
    assert (petition.accepted_at, petition.answered_at, petition.closed_at) == (
        AT["accept"], AT["answer"], AT["close"])
    assert (petition.status, petition.due_on) == ("closed", None)
    assert Referral.get_by_id(referral.id).replied_at == AT["record_reply"]
    steps = list(petition.steps.order_by(StepRecord.at, StepRecord.id))
    assert [s.step for s in steps] == ["register", "accept", "refer", "mediate", "record_reply", "answer",
                                       "follow_up", "close"]
    assert [s.at for s in steps] == [RECEIVED] + list(AT.values())
    assert all(s.recorded_at >= typed_from and s.by_id == staff.id for s in steps)  # typed in now, by the clerk
    accept_entry = (AuditEntry.select().where((AuditEntry.action == "step") & (AuditEntry.summary == "accept"))
                    .get())
    after = json.loads(accept_entry.after)
    assert after["at"] == "2022-12-10T09:00:00" and after["recorded_at"] >= typed_from.isoformat()
    assert accept_entry.username == "chen" and accept_entry.at >= typed_from
    assert audit.verify_chain() is None


def test_a_time_in_the_future_is_refused_with_nothing_written(case, staff):
    before = StepRecord.select().count(), AuditEntry.select().count()
    with pytest.raises(ValidationError) as refused:
        workflow.accept(case, staff, at=now() + dt.timedelta(days=1))
    assert refused.value.field == "at"
    assert (StepRecord.select().count(), AuditEntry.select().count()) == before
    assert Petition.get_by_id(case.id).status == "registered"


def test_a_time_before_the_petition_was_received_is_refused_with_nothing_written(case, staff):
    before = StepRecord.select().count(), AuditEntry.select().count()
    with pytest.raises(ValidationError) as refused:
        workflow.accept(case, staff, at=dt.datetime(2022, 12, 9, 9, 0))
    assert refused.value.field == "at" and refused.value.params["date"] == dt.date(2022, 12, 9)
    assert (StepRecord.select().count(), AuditEntry.select().count()) == before
    stored = Petition.get_by_id(case.id)
    assert (stored.status, stored.accepted_at, stored.handling_due) == ("registered", None, None)


def test_a_time_before_the_previous_step_is_refused_with_nothing_written(case, staff, bureau):
    take("accept", case, staff)
    take("refer", case, staff, bureau)
    counts = {model.__name__: model.select().count() for model in (StepRecord, AuditEntry, Mediation, Referral)}
    with pytest.raises(ValidationError) as refused:  # the mediation of 2022-12-11 typed in after the referral
        take("mediate", case, staff, at=dt.datetime(2022, 12, 11, 15, 0))
    assert refused.value.field == "at" and refused.value.params["step"] == workflow.STEPS["refer"]
    assert {model.__name__: model.select().count() for model in (StepRecord, AuditEntry, Mediation, Referral)} == counts


def test_a_referral_or_a_follow_up_dated_before_the_previous_step_writes_nothing(case, staff, bureau):
    take("accept", case, staff)
    with pytest.raises(ValidationError):
        take("refer", case, staff, bureau, at=dt.datetime(2022, 12, 10, 8, 0))
    assert Referral.select().count() == 0 and Petition.get_by_id(case.id).status == "accepted"
    referral = take("refer", case, staff, bureau)
    take("record_reply", case, staff, referral=referral)
    take("answer", case, staff)
    with pytest.raises(ValidationError):
        take("follow_up", case, staff, at=dt.datetime(2023, 1, 24, 10, 0))
    assert FollowUp.select().count() == 0 and Petition.get_by_id(case.id).status == "answered"


def test_correcting_the_received_time_recomputes_the_deadlines(case, staff):
    petition = Petition.get_by_id(case.id)
    assert petition.due_on == dt.date(2022, 12, 24)
    petition.received_at = dt.datetime(2022, 12, 1, 9, 0)
    backdating.received_changed(petition)
    petition.save()
    stored = Petition.get_by_id(case.id)
    assert (stored.notice_due, stored.referral_due, stored.due_on) == ((dt.date(2022, 12, 16),) * 3)
    assert petition.steps.where(StepRecord.step == "register").get().at == dt.datetime(2022, 12, 1, 9, 0)


def test_the_received_time_cannot_move_after_the_first_step(case, staff):
    take("accept", case, staff)
    petition = Petition.get_by_id(case.id)
    petition.received_at = dt.datetime(2022, 12, 11, 9, 0)
    with pytest.raises(ValidationError) as refused:
        backdating.received_changed(petition)
    assert refused.value.field == "received_at"


def test_correcting_a_step_time_moves_the_petition_and_its_deadlines_audited(case, staff, bureau):
    take("accept", case, staff)
    record = case.steps.where(StepRecord.step == "accept").get()
    backdating.correct_step_time(record, dt.datetime(2022, 12, 9, 15, 0), staff)
    petition = Petition.get_by_id(case.id)
    assert petition.accepted_at == dt.datetime(2022, 12, 9, 15, 0)
    assert petition.handling_due == dt.date(2023, 2, 7)
    entry = AuditEntry.select().where((AuditEntry.model == "petition") & (AuditEntry.action == "update")).get()
    assert json.loads(entry.before)["handling_due"] == "2023-02-08"
    assert json.loads(entry.after)["handling_due"] == "2023-02-07"
    assert StepRecord.get_by_id(record.id).at == dt.datetime(2022, 12, 9, 15, 0)
    take("refer", case, staff, bureau)
    with pytest.raises(ValidationError) as refused:  # after the referral of 2022-12-12
        backdating.correct_step_time(record, dt.datetime(2022, 12, 13, 9, 0), staff)
    assert refused.value.field == "at"
    with pytest.raises(NotAllowed):
        backdating.correct_step_time(case.steps.where(StepRecord.step == "register").get(), RECEIVED, staff)


def test_version_13_steps_get_their_recorded_time(db, case):
    db.execute_sql('ALTER TABLE "%s" DROP COLUMN "recorded_at"' % StepRecord._meta.table_name)
    schema.SchemaVersion.update(version=13).execute()
    assert schema.upgrade(db) == (13, schema.LATEST)
    step = StepRecord.get(StepRecord.petition == case.id)
    assert step.recorded_at == step.at == RECEIVED


def test_a_petition_typed_in_later_is_numbered_in_its_received_year_never_reusing_a_number(case, make_petition):
    assert case.number == "XF-2022-000001"
    today = make_petition(received_at=now())
    later = make_petition(received_at=dt.datetime(2022, 3, 1, 9, 0))
    workflow.void(case, None, "重复登记。", at=dt.datetime(2022, 12, 9, 10, 0))  # a void petition keeps its number
    again = make_petition(received_at=dt.datetime(2022, 12, 31, 9, 0))
    assert today.number == "XF-%d-000001" % now().year
    assert (later.number, again.number) == ("XF-2022-000002", "XF-2022-000003")


def test_a_consultations_conclusion_is_dated_after_it_met_and_not_in_the_future(case, staff):
    from models.people import Representative

    take("accept", case, staff)
    consultation = workflow.convene([case], staff, dt.datetime(2022, 12, 15, 9, 0), "联合接访大厅", "研究化解方案。",
                                    [Representative.create(name="王春月", kind="npc_deputy")])
    for wrong in (dt.datetime(2022, 12, 14, 9, 0), now() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            workflow.conclude(consultation, staff, "由镇政府组织调解。", at=wrong)
        assert refused.value.field == "at"
    concluded = workflow.conclude(consultation, staff, "由镇政府组织调解。", at=dt.datetime(2022, 12, 15, 11, 0))
    assert concluded.concluded_at == dt.datetime(2022, 12, 15, 11, 0)
