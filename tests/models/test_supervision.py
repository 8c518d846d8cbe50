"""督办 (models/supervision.py, models/workflow/supervision.py): its grounds, its deadline and state, the reply,
提级督办 offered with its reason, the audit trail and the figures."""
import datetime as dt

import pytest

from models import access, workflow
from models.audit import AuditEntry
from models.casework import Referral
from models.errors import NotAllowed, ValidationError
from models.evaluation import Evaluation
from models.organisation import Department
from models.people import Representative, User
from models.supervision import (
    Supervision, escalation_reasons, figures, reason_text, state_clause, state_of,
)
from models.workflow import supervision as supervise

RECEIVED = dt.datetime(2022, 12, 9, 9, 30)


def day(month, day_, year=2023):
    return dt.datetime(year, month, day_, 10, 0)


@pytest.fixture
def clerk(db):
    return User.create(username="clerk", display_name="王小红", role="staff", password_hash="x")


@pytest.fixture
def departments(db):
    return [Department.create(name=name, short_name=short, kind="county") for name, short in (
        ("县自然资源局", "高自然资"), ("县住建局", "高住建"), ("高桥镇人民政府", "高桥政"), ("县水利局", "高水利"))]


@pytest.fixture
def referred(make_petition, clerk, departments):
    """referred(due_on=31 January) -> (petition, referral): accepted 10 December, assigned to 县自然资源局."""

    def referred(due_on=dt.date(2023, 1, 31), department=None):
        petition = make_petition(received_at=RECEIVED)
        workflow.register(petition, clerk)
        workflow.accept(petition, clerk, at=day(12, 10, 2022))
        referral = workflow.refer(petition, department or departments[0], clerk, due_on=due_on, at=day(12, 12, 2022))
        return Petition_get(petition), referral

    return referred


def Petition_get(petition):
    from models.petition import Petition

    return Petition.get_by_id(petition.id)


def answered(referred, clerk):
    petition, referral = referred()
    workflow.record_reply(referral, clerk, "support", "事实", "意见", "依据", at=day(1, 20))
    workflow.answer(petition, clerk, at=day(1, 25))
    return Petition_get(petition), referral


def test_an_overdue_referral_is_supervised_with_a_new_deadline_and_audited(referred, clerk, departments):
    petition, referral = referred()
    started = supervise.start(petition, clerk, "interview", "请抓紧办理。", referral=referral,
                              due_on=dt.date(2023, 2, 20), at=day(2, 10))

    assert (started.grounds, started.department_id, started.kind) == ("overdue", departments[0].id, "interview")
    assert started.due_on == dt.date(2023, 2, 20) and not started.escalated
    assert started.state(dt.date(2023, 2, 20)) == "open" and started.state(dt.date(2023, 2, 21)) == "overdue"
    entry = AuditEntry.get((AuditEntry.model == "supervision") & (AuditEntry.record_id == started.id))
    assert (entry.action, entry.user_id, entry.summary) == ("create", clerk.id, petition.number)
    assert "请抓紧办理。" in entry.after


def test_the_default_deadline_is_ten_days_on(referred, clerk):
    petition, referral = referred()
    started = supervise.start(petition, clerk, "written", "请办理。", referral=referral, at=day(2, 10))
    assert started.due_on == dt.date(2023, 2, 20)


def test_a_referral_not_yet_overdue_or_answered_cannot_be_supervised(referred, clerk):
    petition, referral = referred()
    with pytest.raises(NotAllowed):  # due on 31 January: not overdue on that day
        supervise.start(petition, clerk, "written", "请办理。", referral=referral, at=day(1, 31))
    workflow.record_reply(referral, clerk, "support", "事实", "意见", "依据", at=day(2, 1))
    with pytest.raises(NotAllowed):  # replied
        supervise.start(petition, clerk, "written", "请办理。", referral=Referral.get_by_id(referral.id), at=day(2, 10))
    assert Supervision.select().count() == 0


def test_a_petition_is_supervised_when_the_petitioner_was_dissatisfied_or_asked_for_review(referred, clerk,
                                                                                            departments):
    petition, _ = answered(referred, clerk)
    with pytest.raises(NotAllowed):  # answered, no evaluation yet
        supervise.start(petition, clerk, "written", "请办理。", department=departments[0], at=day(2, 1))
    Evaluation.create(petition=petition, answered_at=petition.answered_at, rating="dissatisfied")
    started = supervise.start(petition, clerk, "on_site", "请再次核查。", department=departments[0], at=day(2, 1))
    assert started.grounds == "dissatisfied" and started.referral_id is None


def test_a_follow_up_dissatisfied_and_a_review_request_are_grounds_too(referred, clerk, departments):
    petition, _ = answered(referred, clerk)
    workflow.follow_up(petition, clerk, dt.date(2023, 1, 27), "phone", "dissatisfied", at=day(1, 27))
    assert supervise.grounds_for(Petition_get(petition)) == "dissatisfied"
    other, _ = answered(referred, clerk)
    workflow.request_review(other, clerk, at=day(2, 1))
    assert supervise.grounds_for(Petition_get(other)) == "review"


def test_the_department_must_be_one_the_petition_was_referred_to(referred, clerk, departments):
    petition, _ = answered(referred, clerk)
    Evaluation.create(petition=petition, answered_at=petition.answered_at, rating="dissatisfied")
    with pytest.raises(ValidationError) as err:
        supervise.start(petition, clerk, "written", "请办理。", department=departments[1], at=day(2, 1))
    assert err.value.field == "department"


def test_no_second_open_supervision_of_the_same_department(referred, clerk):
    petition, referral = referred()
    supervise.start(petition, clerk, "written", "请办理。", referral=referral, at=day(2, 10))
    with pytest.raises(NotAllowed):
        supervise.start(petition, clerk, "interview", "再次督办。", referral=referral, at=day(2, 11))


@pytest.mark.parametrize("values, field", [
    (dict(kind="letter"), "kind"), (dict(note="  "), "note"), (dict(due_on=dt.date(2023, 2, 9)), "due_on")])
def test_bad_input_is_refused_on_its_field(referred, clerk, values, field):
    petition, referral = referred()
    arguments = dict(kind="written", note="请办理。", referral=referral, at=day(2, 10))
    arguments.update(values)
    with pytest.raises(ValidationError) as err:
        supervise.start(petition, clerk, **arguments)
    assert err.value.field == field and Supervision.select().count() == 0


def test_the_reply_is_recorded_once_and_audited_and_counts_as_on_time_by_its_deadline(referred, clerk):
    petition, referral = referred()
    started = supervise.start(petition, clerk, "written", "请办理。", referral=referral, due_on=dt.date(2023, 2, 20),
                              at=day(2, 10))
    replied = supervise.reply(started, clerk, "已完成核查，院墙已恢复原址。", at=day(2, 20))
    assert replied.state(dt.date(2023, 3, 1)) == "replied" and replied.on_time
    with pytest.raises(NotAllowed):
        supervise.reply(replied, clerk, "再次反馈", at=day(2, 21))
    entry = AuditEntry.get((AuditEntry.model == "supervision") & (AuditEntry.action == "update"))
    assert "院墙已恢复原址" in entry.after and entry.record_id == started.id
    with pytest.raises(ValidationError):
        supervise.reply(supervise.start(*referred()[:1], clerk, "written", "请办理。",
                                        referral=Referral.select().order_by(Referral.id.desc()).first(),
                                        at=day(2, 10)), clerk, "  ", at=day(2, 11))


def test_a_late_reply_is_taken_and_counted_late(referred, clerk):
    petition, referral = referred()
    started = supervise.start(petition, clerk, "written", "请办理。", referral=referral, due_on=dt.date(2023, 2, 20),
                              at=day(2, 10))
    assert supervise.reply(started, clerk, "已办理。", at=day(2, 22)).on_time is False


def test_state_is_computed_from_the_reply_and_the_deadline():
    due = dt.date(2023, 2, 20)
    assert state_of(None, due, dt.date(2023, 2, 20)) == "open"
    assert state_of(None, due, dt.date(2023, 2, 21)) == "overdue"
    assert state_of(day(3, 1), due, dt.date(2023, 3, 5)) == "replied"


def test_state_clauses_select_what_state_of_computes(referred, clerk):
    today = dt.date(2023, 2, 25)
    rows = []
    for due, reply_at in ((dt.date(2023, 2, 20), None), (dt.date(2023, 3, 1), None),
                          (dt.date(2023, 2, 20), day(2, 19))):
        petition, referral = referred()
        started = supervise.start(petition, clerk, "written", "请办理。", referral=referral, due_on=due, at=day(2, 10))
        if reply_at:
            supervise.reply(started, clerk, "已办理。", at=reply_at)
        rows.append(Supervision.get_by_id(started.id))
    for state in ("open", "replied", "overdue"):
        chosen = {s.id for s in Supervision.select().where(state_clause(state, today))}
        assert chosen == {s.id for s in rows if s.state(today) == state}, state


def gettext_like(msgid, **params):
    return msgid % params


def test_escalation_is_offered_after_three_sends_back(referred, clerk, departments, make_petition):
    petition = make_petition(received_at=RECEIVED)
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=day(12, 10, 2022))
    for n, department in enumerate(departments[:2]):
        referral = workflow.refer(petition, department, clerk, at=day(12, 12 + n, 2022))
        workflow.object_to_referral(referral, clerk, "不属于本单位职权范围", at=day(12, 13 + n, 2022))
    assert escalation_reasons(Petition_get(petition)) == []
    referral = workflow.refer(petition, departments[0], clerk, due_on=dt.date(2023, 1, 31), at=day(12, 20, 2022))
    # sent back twice, 2 departments: nothing yet; a first 督办 (redone once) makes it 3
    started = supervise.start(petition, clerk, "written", "请办理。", referral=referral, at=day(2, 10))
    assert not started.escalated
    supervise.reply(started, clerk, "已办理。", at=day(2, 12))
    reasons = escalation_reasons(Petition_get(petition))
    assert reason_text(reasons, gettext_like) == "Sent back or redone 3 times (sent back 2, redone 1)."


def test_escalation_is_offered_after_three_departments_and_its_reason_is_kept(referred, clerk, departments,
                                                                               make_petition):
    petition = make_petition(received_at=RECEIVED)
    workflow.register(petition, clerk)
    workflow.accept(petition, clerk, at=day(12, 10, 2022))
    referral = workflow.refer(petition, departments[0], clerk, at=day(12, 12, 2022))
    workflow.object_to_referral(referral, clerk, "不属于本单位职权范围", at=day(12, 13, 2022))
    referral = workflow.refer(petition, departments[1], clerk, at=day(12, 14, 2022))
    workflow.object_to_referral(referral, clerk, "不属于本单位职权范围", at=day(12, 15, 2022))
    referral = workflow.refer(petition, departments[2], clerk, due_on=dt.date(2023, 1, 31), at=day(12, 16, 2022))
    reasons = escalation_reasons(Petition_get(petition))
    assert ("Passed through %(count)d departments.", {"count": 3}) in reasons
    started = supervise.start(petition, clerk, "joint", "请联合督办。", referral=referral, escalate=True,
                              at=day(2, 10), translate=gettext_like)
    assert started.escalated and started.escalation_reason == "Passed through 3 departments."


def test_escalation_not_offered_needs_its_reason_in_the_note(referred, clerk):
    petition, referral = referred()
    started = supervise.start(petition, clerk, "written", "信访人多次越级上访，提级督办。", referral=referral,
                              escalate=True, at=day(2, 10))
    assert started.escalated and started.escalation_reason == "信访人多次越级上访，提级督办。"


def test_figures_count_the_supervisions_and_the_rate_of_replies_on_time(referred, clerk):
    today = dt.date(2023, 3, 1)
    made = []
    for due, reply_at in ((dt.date(2023, 2, 20), day(2, 19)), (dt.date(2023, 2, 20), day(2, 25)),
                          (dt.date(2023, 2, 20), None), (dt.date(2023, 3, 10), None)):
        petition, referral = referred()
        started = supervise.start(petition, clerk, "written", "请办理。", referral=referral, due_on=due, at=day(2, 10))
        if reply_at:
            supervise.reply(started, clerk, "已办理。", at=reply_at)
        made.append(started)
    got = figures(Supervision.select(), today)
    assert (got["total"], got["open"], got["overdue"], got["replied"], got["on_time"], got["due"]) == (4, 1, 1, 2, 1, 3)
    assert got["on_time_rate"] == pytest.approx(1 / 3)
    assert figures(Supervision.select().where(Supervision.id == 0), today)["on_time_rate"] is None


def test_a_department_sees_only_its_own_supervisions(referred, clerk, departments):
    mine, referral = referred(department=departments[0])
    theirs, other = referred(department=departments[1])
    own = supervise.start(mine, clerk, "written", "请办理。", referral=referral, at=day(2, 10))
    supervise.start(theirs, clerk, "written", "请办理。", referral=other, at=day(2, 10))
    user = User.create(username="dept", role="department", department=departments[0], password_hash="x")
    assert [s.id for s in access.visible(Supervision.select(), user, "supervision")] == [own.id]
    rep = Representative.create(name="王春月", kind="npc_deputy")
    nobody = User.create(username="rep", role="representative", representative=rep, password_hash="x")
    assert list(access.visible(Supervision.select(), nobody, "supervision")) == []
