"""我的待办: each line of each role's worklist appears with the record that makes it and goes when the work is done,
and counts only what the user may see."""
import datetime as dt

import pytest

from models.casework import (
    Consultation, ConsultationPetition, ConsultationRepresentative, DutyShift, FollowUp, Referral, ResolutionGroup,
)
from models.documents import Document
from models.hotline import FlagDismissal
from models.organisation import Department
from models.people import Representative, User
from models.petition import Petition, StepRecord
from models.reports import worklists

TODAY = dt.date(2023, 6, 14)  # a Wednesday
NOW = dt.datetime(2023, 6, 14, 10, 0)


def user(role, name=None, **fields):
    account = User(username=name or role, display_name=fields.pop("display_name", name or role), role=role, **fields)
    account.set_password("correct-horse-1")
    account.save()
    return account


def ids(group):
    return [row.id for row in group.rows]


def status(petition, value, **fields):
    Petition.update(status=value, **fields).where(Petition.id == petition.id).execute()


@pytest.fixture
def staff(db):
    return user("staff")


@pytest.fixture
def housing(db):
    return Department.create(name="县住建局", short_name="县住建", kind="county")


def test_to_accept_by_days_left_and_gone_once_accepted(staff, make_petition):
    later = make_petition(notice_due=dt.date(2023, 6, 20))
    sooner = make_petition(notice_due=dt.date(2023, 6, 16))
    group = worklists.to_accept(staff)
    assert (group.count, ids(group)) == (2, [sooner.id, later.id])
    status(sooner, "accepted", accepted_at=NOW)
    assert ids(worklists.to_accept(staff)) == [later.id]


def test_notice_to_issue_until_a_live_acceptance_notice(staff, make_petition, housing):
    petition = make_petition()
    assert worklists.notice_to_issue(staff).count == 0  # registered: not accepted yet
    status(petition, "accepted", accepted_at=NOW)
    assert ids(worklists.notice_to_issue(staff)) == [petition.id]
    doc = Document.create(kind="acceptance_notice", petition=petition, issuer=housing, number="高信访〔2023〕1号",
                          prefix="高信访", year=2023, sequence=1, pdf=b"%PDF", sha256="0" * 64)
    assert worklists.notice_to_issue(staff).count == 0
    Document.update(voided_at=NOW).where(Document.id == doc.id).execute()  # voided: to issue again
    assert worklists.notice_to_issue(staff).count == 1


def test_awaiting_reply_overdue_first_and_gone_once_replied(staff, make_petition, housing):
    a, b = make_petition(status="referred"), make_petition(status="referred")
    late = Referral.create(petition=a, department=housing, due_on=dt.date(2023, 6, 1))
    later = Referral.create(petition=b, department=housing, due_on=dt.date(2023, 6, 30))
    assert ids(worklists.awaiting_reply(staff)) == [late.id, later.id]
    Referral.update(state="replied").where(Referral.id == late.id).execute()
    status(a, "handled")
    assert ids(worklists.awaiting_reply(staff)) == [later.id]
    assert ids(worklists.to_answer(staff)) == [a.id]  # the reply is in: to answer
    status(a, "answered", answered_at=NOW)
    assert worklists.to_answer(staff).count == 0


def test_follow_up_due_until_one_is_recorded(staff, make_petition):
    petition = make_petition(status="answered", answered_at=NOW)
    assert ids(worklists.follow_up_due(staff)) == [petition.id]
    FollowUp.create(petition=petition, followed_on=TODAY, method="phone", evaluation="satisfied")
    assert worklists.follow_up_due(staff).count == 0


def test_review_window_open_for_30_days_and_opinions_owed(staff, make_petition):
    answered = make_petition(status="followed_up", answered_at=dt.datetime(2023, 6, 1, 9, 0))
    expired = make_petition(status="followed_up", answered_at=dt.datetime(2023, 4, 1, 9, 0))
    owed = make_petition(status="under_review", answered_at=dt.datetime(2023, 1, 1, 9, 0),
                         review_requested_at=dt.datetime(2023, 1, 20, 9, 0))
    group = worklists.reviews(staff, TODAY)
    assert ids(group) == [owed.id, answered.id] and expired.id not in ids(group)
    assert worklists.reviews(staff, dt.date(2023, 7, 2)).count == 1  # the window of 6月1日 closed on 7月1日
    status(owed, "reviewed", reviewed_at=dt.datetime(2023, 6, 10, 9, 0))
    assert set(ids(worklists.reviews(staff, TODAY))) == {owed.id, answered.id}  # now the 复核 window
    Petition.update(recheck_requested_at=NOW, status="under_recheck").where(Petition.id == owed.id).execute()
    status(answered, "closed")
    assert ids(worklists.reviews(staff, TODAY)) == [owed.id]


def test_dissatisfied_until_review_requested_or_window_closed(staff, make_petition):
    from models.evaluation import Evaluation

    answered_at = dt.datetime(2023, 6, 1, 9, 0)
    unhappy = make_petition(status="answered", answered_at=answered_at)
    happy = make_petition(status="answered", answered_at=answered_at)
    earlier = make_petition(status="answered", answered_at=answered_at)
    Evaluation.create(petition=unhappy, answered_at=answered_at, rating="dissatisfied")
    Evaluation.create(petition=happy, answered_at=answered_at, rating="basically")
    Evaluation.create(petition=earlier, answered_at=dt.datetime(2023, 3, 1, 9), rating="dissatisfied")  # an older 答复
    assert ids(worklists.dissatisfied(staff, TODAY)) == [unhappy.id]
    assert worklists.dissatisfied(staff, dt.date(2023, 7, 2)).count == 0  # the 30 days to ask for 复查 are over
    status(unhappy, "under_review", review_requested_at=NOW)
    assert worklists.dissatisfied(staff, TODAY).count == 0


def test_flags_until_dismissed(staff, make_petition):
    petition = make_petition(is_collective=True, head_count=8, status="accepted")
    group = worklists.flags(staff)
    assert group.count == 1 and group.rows[0].petition_ids == [petition.id]
    flag = group.rows[0]
    FlagDismissal.create(flag_key=flag.key, kind=flag.kind, evidence=" ".join(flag.evidence), reason="已化解",
                         by=staff)
    assert worklists.flags(staff).count == 0


def test_department_sees_only_its_referrals_by_deadline(make_petition, housing):
    other = Department.create(name="县自然资源局", short_name="县自然", kind="county")
    clerk = user("department", department=housing)
    p1, p2, p3 = (make_petition(status="referred") for _ in range(3))
    late = Referral.create(petition=p1, department=housing, due_on=dt.date(2023, 6, 10))
    soon = Referral.create(petition=p2, department=housing, due_on=dt.date(2023, 6, 20))
    Referral.create(petition=p3, department=other, due_on=dt.date(2023, 6, 1))
    group, supervising = worklists.for_user(clerk, TODAY)
    assert (group.key, group.count, ids(group)) == ("referrals", 2, [late.id, soon.id])
    assert (supervising.key, supervising.count) == ("supervisions", 0)  # 督办: tests/models/test_supervision.py
    assert group.rows[0].petition.subject == p1.subject  # 事由, with the petition in the same query
    Referral.update(state="objected").where(Referral.id == late.id).execute()
    assert ids(worklists.department_referrals(clerk)) == [soon.id]


@pytest.fixture
def rep(db):
    return Representative.create(name="王春月", kind="npc_deputy")


def test_representative_shifts_this_week_only_its_own(rep):
    other = Representative.create(name="赵明", kind="cppcc_member")
    me = user("representative", representative=rep)
    mine = DutyShift.create(representative=rep, on_date=dt.date(2023, 6, 18), session="am")  # Sunday
    DutyShift.create(representative=rep, on_date=dt.date(2023, 6, 19), session="am")  # next Monday
    DutyShift.create(representative=other, on_date=TODAY, session="am")
    assert ids(worklists.shifts_this_week(me, TODAY)) == [mine.id]


def test_representative_consultations_groups_and_follow_ups(rep, make_petition, staff):
    me = user("representative", representative=rep)
    petition = make_petition(status="accepted")
    meeting = Consultation.create(held_at=NOW, place="联合接访大厅", agenda="会诊")
    ConsultationRepresentative.create(consultation=meeting, representative=rep)
    ConsultationPetition.create(consultation=meeting, petition=petition)
    assert ids(worklists.consultations(me)) == [meeting.id]
    Consultation.update(concluded_at=NOW).where(Consultation.id == meeting.id).execute()
    assert worklists.consultations(me).count == 0
    ResolutionGroup.create(petition=petition, representative=rep, town_officer="张", mediator="李", lawyer="刘")
    assert ids(worklists.groups(me)) == [petition.id]
    assert worklists.follow_ups_owed(me).count == 0
    status(petition, "answered", answered_at=NOW)
    assert ids(worklists.follow_ups_owed(me)) == [petition.id]
    FollowUp.create(petition=petition, followed_on=TODAY, method="home", evaluation="satisfied")
    assert worklists.follow_ups_owed(me).count == 0
    status(petition, "closed")
    assert worklists.groups(me).count == 0


def test_leader_led_cases_and_those_awaiting_its_instruction(make_petition):
    leader = user("leader", display_name="刘县长")
    mine = make_petition(status="accepted", leader_in_charge="刘县长")
    make_petition(status="accepted", leader_in_charge="陈副县长")
    led, waiting = worklists.for_user(leader, TODAY)
    assert (ids(led), ids(waiting)) == ([mine.id], [mine.id])
    StepRecord.create(petition=mine, step="sign_off", note="请住建局限期化解", by=leader)
    assert worklists.awaiting_sign_off(leader).count == 0 and worklists.led_cases(leader).count == 1
    status(mine, "closed")
    assert worklists.led_cases(leader).count == 0


def test_scope_a_representative_counts_only_petitions_it_sees(rep, make_petition):
    me = user("representative", representative=rep)
    seen = make_petition(status="answered", answered_at=NOW, lead_representative=rep)
    assert ids(worklists.follow_ups_owed(me)) == [seen.id]
    staff = user("staff", "officer")
    assert worklists.follow_up_due(staff).count == 1
    assert worklists.follow_up_due(me).count == 1  # its own only; another representative's is not
    other = Representative.create(name="赵明", kind="cppcc_member")
    make_petition(status="answered", answered_at=NOW, lead_representative=other)
    assert worklists.follow_up_due(me).count == 1 and worklists.follow_up_due(staff).count == 2


def test_first_n_rows_and_the_full_count(staff, make_petition):
    for _ in range(3):
        make_petition()
    group = worklists.to_accept(staff, first=2)
    assert (group.count, len(group.rows)) == (3, 2)
    assert worklists.for_user(user("admin", "root"), TODAY)[0].count == 3
