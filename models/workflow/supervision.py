"""督办: start one on an overdue referral or a disputed petition, and record the department's reply; each in one
transaction, audited. The record and its rules (grounds, state, 提级督办) are models/supervision.py."""
from .. import audit
from ..casework import Referral
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..petition import Petition
from ..supervision import (
    SUPERVISION_KINDS, Supervision, default_due, departments_of, escalation_reasons, petition_grounds,
    referral_overdue,
)
from .rules import CLOSED, _require


def grounds_for(petition, referral=None, today=None):
    """The grounds a 督办 would have: "overdue" for a referral past its deadline, else the petition's own
    (dissatisfied, review), the first that applies. Raises NotAllowed saying what a 督办 needs."""
    if referral is not None:
        if not referral_overdue(referral, today):
            raise NotAllowed(N_("Only a referral still awaiting its reply after its deadline can be supervised."))
        return "overdue"
    found = petition_grounds(petition)
    if not found:
        raise NotAllowed(N_("A petition can be supervised when a referral of it is overdue, the petitioner was "
                            "dissatisfied, or a review was requested."))
    return found[0]


def start(petition, by, kind, note, department=None, referral=None, due_on=None, escalate=False, at=None,
          translate=None):
    """督办: of the referral's department (an overdue referral), or of a department the petition was referred to
    (dissatisfied, review). due_on: the department's new deadline (default DEFAULT_DAYS days), today or later.
    escalate: 提级督办; its reason is the one offered (escalation_reasons, translated by translate(msgid,
    **params)), else the note must say why. Refused while the department has an open 督办 on the petition."""
    at = at or now()
    if kind not in dict(SUPERVISION_KINDS):
        raise ValidationError(N_("Choose the kind of supervision."), field="kind")
    note = _require(note, "note")
    with database.atomic():
        petition = Petition.get_by_id(petition.id)
        if petition.status in CLOSED:
            raise NotAllowed(N_("The petition is closed or void: it cannot be supervised."))
        if referral is not None:
            referral = Referral.get_by_id(referral.id)
            if referral.petition_id != petition.id:
                raise ValidationError(N_("The referral is not one of this petition's."), field="referral")
            department = referral.department
        grounds = grounds_for(petition, referral, at.date())
        if department is None:
            raise ValidationError(N_("Choose a department."), field="department")
        if department.id not in {d.id for d in departments_of(petition)} and referral is None:
            raise ValidationError(N_("Choose a department the petition was referred to."), field="department")
        due_on = due_on or default_due(at)
        if due_on < at.date():
            raise ValidationError(N_("The due date cannot be in the past."), field="due_on")
        if Supervision.select().where((Supervision.petition == petition) & (Supervision.department == department)
                                      & Supervision.replied_at.is_null()).exists():
            raise NotAllowed(N_("%(department)s has not yet replied to the supervision of this petition already "
                                "under way."), department=department.name)
        reason = None
        if escalate:
            offered = escalation_reasons(petition)
            if offered:
                reason = "".join((translate or _plain)(msgid, **params) for msgid, params in offered)
            else:
                reason = note  # not offered: the office says why in its note
        supervision = Supervision.create(
            petition=petition, referral=referral, department=department, kind=kind, grounds=grounds, note=note,
            due_on=due_on, escalated=bool(escalate), escalation_reason=reason, started_at=at,
            started_by=getattr(by, "id", None))
        audit.record("create", supervision, supervision.id, by=by, summary=petition.number,
                     after=audit.snapshot(supervision))
        return supervision


def reply(supervision, by, text, at=None):
    """督办反馈: the department's reply (what it did, the result); once. Late replies are taken (and counted late)."""
    at = at or now()
    text = _require(text, "reply")
    with database.atomic():
        supervision = Supervision.get_by_id(supervision.id)
        if supervision.replied_at is not None:
            raise NotAllowed(N_("This supervision has already been replied to."))
        if at < supervision.started_at:
            raise ValidationError(N_("The reply cannot be earlier than the supervision."), field="at")
        before = audit.snapshot(supervision)
        supervision.reply, supervision.replied_at, supervision.replied_by = text, at, getattr(by, "id", None)
        supervision.save()
        old, new = audit.changes(before, audit.snapshot(supervision))
        audit.record("update", supervision, supervision.id, by=by, summary=supervision.petition.number,
                     before=old, after=new)
        return supervision


def _plain(msgid, **params):
    return msgid % params
