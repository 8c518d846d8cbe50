"""分诊: a petition referred to a department (转送 / 交办), the department's objection and its reply."""
from .. import audit, deadlines
from ..casework import OUTCOMES, Referral
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..petition import Petition
from .rules import _apply, _require, check

# -- 分诊: referral, objection, reply -------------------------------------------------------------

def refer(petition, department, by, mode="assign", due_on=None, instructions=None, at=None):
    """转送 / 交办 to a department; its due date defaults to the handling limit and may not pass it."""
    at = at or now()
    if department is None:
        raise ValidationError(N_("Choose a department."), field="department")
    if not department.active:
        raise ValidationError(N_("The department is deactivated."), field="department")
    with database.atomic():
        current = Petition.get_by_id(petition.id)
        check("refer", current)
        limit = current.handling_due or deadlines.handling_due(current.accepted_at or at)
        limit = max(limit, at.date())  # once the handling limit has passed, the department is due at once
        due_on = due_on or limit
        if due_on > limit:
            raise ValidationError(N_("The due date cannot be later than the handling limit (%(date)s)."),
                                  field="due_on", date=limit, translate=("date",))
        if due_on < at.date():
            raise ValidationError(N_("The due date cannot be in the past."), field="due_on")
        referral = Referral.create(petition=current, department=department, mode=mode, instructions=instructions,
                                   sent_at=at, due_on=due_on, sent_by=getattr(by, "id", None))
        audit.record("create", referral, referral.id, by=by, summary=current.number, after=audit.snapshot(referral))
        _apply("refer", current, by, note=department.name, at=at, due_on=due_on)
        return referral


def object_to_referral(referral, by, reason, at=None):
    """The department is not competent: it objects within 5 working days and the petition goes back to be
    referred again. Raises NotAllowed for a referral already answered or objected to, after the 5 days, or
    when the petition no longer waits for the department (the step table)."""
    at = at or now()
    reason = _require(reason, "reason")
    with database.atomic():
        referral = Referral.get_by_id(referral.id)
        if referral.state != "sent":
            raise NotAllowed(N_("Only a referral still awaiting the department's reply can be objected to."))
        limit = deadlines.objection_due(referral.sent_at)
        if at.date() > limit:
            raise NotAllowed(N_("The objection period ended on %(date)s (5 working days)."), date=limit,
                             translate=("date",))
        before = audit.snapshot(referral)
        referral.state, referral.objection_reason, referral.objected_at = "objected", reason, at
        referral.save()
        _audit_change(referral, before, by)
        petition = referral.petition
        _apply("object", petition, by, note=reason, at=at, due_on=petition.referral_due)
        return referral


def record_reply(referral, by, outcome, facts, opinion, legal_basis, at=None):
    """办理: the department's reply (予以支持 / 作出解释说明 / 不予支持, facts, opinion, legal basis)."""
    at = at or now()
    if outcome not in dict(OUTCOMES):
        raise ValidationError(N_("Choose the outcome."), field="outcome")
    facts, opinion = _require(facts, "facts"), _require(opinion, "opinion")
    legal_basis = _require(legal_basis, "legal_basis")
    with database.atomic():
        referral = Referral.get_by_id(referral.id)
        if referral.state != "sent":
            raise NotAllowed(N_("This referral has already been answered or objected to."))
        before = audit.snapshot(referral)
        referral.state, referral.outcome, referral.replied_at = "replied", outcome, at
        referral.facts, referral.opinion, referral.legal_basis = facts, opinion, legal_basis
        referral.save()
        _audit_change(referral, before, by)
        petition = referral.petition
        _apply("record_reply", petition, by, note=referral.department.name, at=at, outcome=outcome,
               due_on=petition.handling_due)
        return referral


def _audit_change(referral, before, by):
    """The referral's own change (the reply's facts and opinion, the objection), beside the petition's step."""
    old, new = audit.changes(before, audit.snapshot(referral))
    audit.record("update", referral, referral.id, by=by, summary=referral.petition.number, before=old, after=new)
