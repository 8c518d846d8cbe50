"""补录: a step recorded on another day than it happened.

A step's time (StepRecord.at, and the petition's accepted_at, answered_at, closed_at ... it sets) is when it
happened; StepRecord.recorded_at is when it was typed in, StepRecord.by who typed it. rules.check_time(), which
every step goes through, is the one rule for such a time (not in the future, not before the petition was received,
not before its previous step); recompute() here is the one computation of the deadlines that follow from the
petition's dates, used when 收到时间 is corrected (received_changed) and when a step's time is (correct_step_time).
"""
from .. import audit, deadlines
from ..casework import Referral
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..petition import Petition, StepRecord
from .rules import STEPS, _when, check_time

# The petition's timestamp each step sets (the latest step of its kind is the one it shows).
STEP_TIMES = {
    "accept": "accepted_at", "reject": "closed_at", "answer": "answered_at", "close": "closed_at",
    "request_review": "review_requested_at", "record_review": "reviewed_at",
    "request_recheck": "recheck_requested_at", "record_recheck": "rechecked_at",
}
# The referral's timestamp a referral step sets.
REFERRAL_TIMES = {"refer": "sent_at", "record_reply": "replied_at", "object": "objected_at"}


def present_due(petition):
    """The deadline of the petition's present step, from its dates (what the steps set as due_on)."""
    status = petition.status
    if status == "registered":
        return petition.notice_due
    if status == "accepted":
        return petition.referral_due
    if status == "referred":
        referral = (petition.referrals.where(Referral.state == "sent").order_by(Referral.sent_at.desc()).first())
        return referral.due_on if referral is not None else petition.due_on
    if status in ("handled", "answered", "followed_up"):
        return petition.handling_due
    if status == "under_review":
        return deadlines.review_due(petition.review_requested_at)
    if status == "under_recheck":
        return deadlines.recheck_due(petition.recheck_requested_at)
    return None  # reviewed, rechecked, closed, not accepted, void: nothing is due


def recompute(petition):
    """Set on the petition (not saved) the deadlines that follow from its dates: the referral and notice limits
    from 收到时间, the handling limit from 受理 (and an extension), and the present due_on. The statistics' tallies
    follow by their triggers when it is saved."""
    petition.referral_due = deadlines.referral_due(petition.received_at)
    petition.notice_due = deadlines.notice_due(petition.received_at)
    if petition.accepted_at is not None:
        petition.handling_due = deadlines.handling_due(petition.accepted_at, petition.extension_days or 0)
    petition.due_on = present_due(petition)
    return petition


def received_changed(petition):
    """收到时间 corrected on the petition (not saved yet): refused when a later step would come before it; the
    registration step moves with it and the deadlines are computed anew. The caller saves and audits."""
    first = (StepRecord.select().where((StepRecord.petition == petition.id) & (StepRecord.step != "register"))
             .order_by(StepRecord.at, StepRecord.id).first())
    if first is not None and petition.received_at > first.at:
        raise ValidationError(N_("The received time cannot be after the first step, %(step)s on %(date)s %(time)s."),
                              field="received_at", step=STEPS.get(first.step, first.step), translate=("step",),
                              **_when(first.at))
    StepRecord.update(at=petition.received_at).where(
        (StepRecord.petition == petition.id) & (StepRecord.step == "register")).execute()
    return recompute(petition)


def correct_step_time(record, at, by):
    """Correct when a recorded step happened: the step, the petition's timestamp it set (and its referral's)
    and the deadlines that follow, with an audit entry of each change. Raises ValidationError(field="at") for a
    time out of order (before the previous step or after the next), NotAllowed for the registration (its time is
    收到时间, corrected on the petition)."""
    with database.atomic():
        record = StepRecord.get_by_id(record.id)
        if record.step == "register":
            raise NotAllowed(N_("The registration's time is the received time: correct that on the petition."))
        petition = Petition.get_by_id(record.petition_id)
        check_time(petition, at, exclude=record)
        following = (StepRecord.select().where((StepRecord.petition == petition.id) & (StepRecord.id != record.id) & (
            (StepRecord.at > record.at) | ((StepRecord.at == record.at) & (StepRecord.id > record.id))))
            .order_by(StepRecord.at, StepRecord.id).first())
        if following is not None and at > following.at:
            raise ValidationError(N_("The time cannot be after the next step, %(step)s on %(date)s %(time)s."),
                                  field="at", step=STEPS.get(following.step, following.step), translate=("step",),
                                  **_when(following.at))
        old = record.at
        record.at = at
        record.save()
        audit.record("update", record, record.id, by=by, summary=record.step,
                     before={"at": old.isoformat()}, after={"at": at.isoformat(), "corrected_at": now().isoformat()})
        if record.step in REFERRAL_TIMES:
            name = REFERRAL_TIMES[record.step]
            referral = petition.referrals.where(getattr(Referral, name) == old).first()
            if referral is not None:
                before = audit.snapshot(referral)
                setattr(referral, name, at)
                referral.save()
                old_values, new_values = audit.changes(before, audit.snapshot(referral))
                audit.record("update", referral, referral.id, by=by, summary=petition.number,
                             before=old_values, after=new_values)
        before = audit.snapshot(petition)
        name = STEP_TIMES.get(record.step)
        if name is not None and getattr(petition, name) == old:
            setattr(petition, name, at)
        recompute(petition)
        petition.save()
        old_values, new_values = audit.changes(before, audit.snapshot(petition))
        if new_values:
            audit.record("update", petition, petition.id, by=by, summary=petition.number, before=old_values,
                         after=new_values)
        return record
