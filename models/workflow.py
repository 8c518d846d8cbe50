"""The steps of a petition's life, as plain functions (信访工作条例 and the studio's 六诊).

Each step checks where the petition stands, writes in one transaction, records who did it and when
(a StepRecord and an audit entry), and sets the petition's present deadline (due_on). A step that is
not allowed raises NotAllowed with a message that says why and what must happen first.

    registered ─accept→ accepted ─refer→ referred ─record_reply→ handled ─answer→ answered
        └reject→ not_accepted      ↑ object (not competent)┘                        │
    answered ─follow_up→ followed_up ─close→ closed;  answered/followed_up ─request_review→ under_review
    ─record_review→ reviewed ─request_recheck→ under_recheck ─record_recheck→ rechecked (final)
    extend, classify, convene, form_group, mediate: at open steps; void: anything not closed.
"""
from . import audit, deadlines
from .casework import (
    Consultation, ConsultationParticipant, ConsultationPetition, ConsultationRepresentative, FollowUp, Mediation,
    Referral, ResolutionGroup,
)
from .db import database, now
from .errors import N_, NotAllowed, ValidationError
from .people import Team
from .petition import FUTURE_TOLERANCE, STATUSES, Petition, StepRecord

# What each step needs first, shown when it is refused.
STEPS = {
    "register": N_("Register"),
    "accept": N_("Accept"),
    "reject": N_("Do not accept"),
    "refer": N_("Refer to a department"),
    "object": N_("Object: not competent"),
    "record_reply": N_("Record the department's reply"),
    "answer": N_("Answer the petitioner"),
    "follow_up": N_("Follow up"),
    "close": N_("Close"),
    "extend": N_("Extend"),
    "request_review": N_("Request review"),
    "record_review": N_("Record the review opinion"),
    "request_recheck": N_("Request re-examination"),
    "record_recheck": N_("Record the re-examination opinion"),
    "classify": N_("Classify"),
    "convene": N_("Convene a consultation"),
    "form_group": N_("Form the 1+3 group"),
    "mediate": N_("Record a mediation"),
    "void": N_("Void the petition"),
    "sign_off": N_("Leader's instruction"),
}
CLOSED = ("closed", "void", "not_accepted")
OPEN = ("registered", "accepted", "referred", "handled", "answered", "followed_up", "under_review", "reviewed",
        "under_recheck", "rechecked")

# step: (statuses it may start from, what must happen first otherwise)
ALLOWED = {
    "accept": (("registered",), N_("Only a newly registered petition can be accepted.")),
    "reject": (("registered",), N_("Only a newly registered petition can be refused acceptance.")),
    "refer": (("accepted",), N_("Accept the petition first (or, after an objection, it is back here).")),
    "record_reply": (("referred",), N_("Refer the petition to a department first.")),
    "answer": (("handled",), N_("Record the department's reply first.")),
    "follow_up": (("answered", "followed_up", "reviewed", "rechecked"), N_("Answer the petitioner first.")),
    "close": (("followed_up",), N_("Follow up with the petitioner first (复诊).")),
    "extend": (("accepted", "referred", "handled"), N_("Only a petition being handled can be extended.")),
    "request_review": (("answered", "followed_up"), N_("A review can be requested only after the written answer.")),
    "record_review": (("under_review",), N_("Request the review first.")),
    "request_recheck": (("reviewed",), N_("A re-examination can be requested only after the review opinion.")),
    "record_recheck": (("under_recheck",), N_("Request the re-examination first.")),
    "classify": (OPEN, N_("The petition is no longer open.")),
    "convene": (OPEN, N_("The petition is no longer open.")),
    "form_group": (OPEN, N_("The petition is no longer open.")),
    "mediate": (OPEN, N_("The petition is no longer open.")),
    "void": (OPEN, N_("A closed or void petition cannot be voided.")),
    "sign_off": (OPEN + ("closed", "not_accepted"), N_("A void petition takes no instruction.")),
}

# The status each step leads to (steps not listed leave it as it is).
LEADS_TO = {
    "accept": "accepted", "reject": "not_accepted", "refer": "referred", "record_reply": "handled",
    "answer": "answered", "follow_up": "followed_up", "close": "closed", "request_review": "under_review",
    "record_review": "reviewed", "request_recheck": "under_recheck", "record_recheck": "rechecked", "void": "void",
}

# 三到位一处理: the classification decides the team (行为违法 goes to the law, not to a team).
TEAM_OF = {"reasonable": "reasonable_claims", "unreasonable": "unreasonable_claims", "hardship": "hardship_assistance"}


def check(step, petition):
    """Raise NotAllowed unless `step` may be taken from the petition's present status."""
    statuses, first = ALLOWED[step]
    if petition.status not in statuses:
        raise NotAllowed(N_("%(step)s is not possible while the petition is %(status)s. %(first)s"),
                         step=STEPS[step], status=dict(STATUSES)[petition.status], first=first,
                         translate=("step", "status", "first"))


def allowed_steps(petition):
    """The steps that may be taken now, in the order of the lifecycle (for the buttons on its page)."""
    return [step for step, (statuses, _) in ALLOWED.items() if petition.status in statuses
            and not (step == "extend" and petition.extension_days)
            and not (step == "request_review" and petition.review_requested_at)]


def _require(value, field, message=N_("This field is required.")):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(message, field=field)
    return value.strip() if isinstance(value, str) else value


def _record(petition, step, by, before_status, note=None, at=None):
    """The step's trace: a StepRecord on the petition and an audit entry with the values before and after."""
    StepRecord.create(petition=petition, step=step, at=at or now(), by=getattr(by, "id", None),
                      status_before=before_status, status_after=petition.status, note=note)
    audit.record("step", petition, petition.id, by=by, summary=step,
                 before={"status": before_status}, after={"status": petition.status, "note": note})


def _apply(step, petition, by, note=None, at=None, **changes):
    """Check, change, save and record one step on one petition, all or nothing."""
    if at is not None and at > now() + FUTURE_TOLERANCE:
        raise ValidationError(N_("A step cannot be dated in the future."), field="at")
    with database.atomic():
        petition = Petition.select().where(Petition.id == petition.id).get()  # as it is now, not as the caller saw it
        check(step, petition)
        before = petition.status
        for name, value in changes.items():
            setattr(petition, name, value)
        petition.status = LEADS_TO.get(step, petition.status)
        petition.save()
        _record(petition, step, by, before, note, at)
        return petition


# -- registration and acceptance (第十九条 to 第二十三条) --------------------------------------------

def register(petition, by):
    """Save a new petition with its 15-day referral and notice limits, and record who registered it.

    Raises NotAllowed for a petition that already has steps (registering again would reset its status).
    """
    with database.atomic():
        if petition.id is not None and StepRecord.select().where(StepRecord.petition == petition.id).exists():
            raise NotAllowed(N_("This petition has already been registered."))
        petition.status = "registered"
        petition.referral_due = deadlines.referral_due(petition.received_at)
        petition.notice_due = deadlines.notice_due(petition.received_at)
        petition.due_on = petition.notice_due
        if petition.registered_by_id is None and by is not None:
            petition.registered_by = getattr(by, "id", None)
        petition.save()
        _record(petition, "register", by, None, at=petition.received_at)
        return petition


def accept(petition, by, at=None):
    """受理: the 60-day handling limit starts; the next deadline is the referral within 15 days of receipt."""
    at = at or now()
    return _apply("accept", petition, by, at=at, accepted_at=at, handling_due=deadlines.handling_due(at),
                  due_on=petition.referral_due or deadlines.referral_due(petition.received_at))


def reject(petition, by, reason, legal_basis, at=None):
    """不予受理, with the reason and its legal basis (the petitioner is told in writing)."""
    reason = _require(reason, "reason")
    legal_basis = _require(legal_basis, "legal_basis")
    return _apply("reject", petition, by, note=reason, at=at, rejection_reason=reason, rejection_basis=legal_basis,
                  due_on=None, closed_at=at or now())


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
        _apply("refer", current, by, note=department.name, at=at, due_on=due_on)
        return referral


def object_to_referral(referral, by, reason, at=None):
    """The department is not competent: it objects within 5 working days and the petition goes back."""
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
        referral.state, referral.objection_reason, referral.objected_at = "objected", reason, at
        referral.save()
        petition = referral.petition
        with database.atomic():
            current = Petition.get_by_id(petition.id)
            if current.status != "referred":
                raise NotAllowed(N_("The petition is no longer waiting for this department."))
            before = current.status
            current.status, current.due_on = "accepted", current.referral_due
            current.save()
            _record(current, "object", by, before, note=reason, at=at)
        return referral


def record_reply(referral, by, outcome, facts, opinion, legal_basis, at=None):
    """办理: the department's reply (予以支持 / 作出解释说明 / 不予支持, facts, opinion, legal basis)."""
    at = at or now()
    if outcome not in ("support", "explain", "reject"):
        raise ValidationError(N_("Choose the outcome."), field="outcome")
    facts, opinion = _require(facts, "facts"), _require(opinion, "opinion")
    legal_basis = _require(legal_basis, "legal_basis")
    with database.atomic():
        referral = Referral.get_by_id(referral.id)
        if referral.state != "sent":
            raise NotAllowed(N_("This referral has already been answered or objected to."))
        referral.state, referral.outcome, referral.replied_at = "replied", outcome, at
        referral.facts, referral.opinion, referral.legal_basis = facts, opinion, legal_basis
        referral.save()
        petition = referral.petition
        _apply("record_reply", petition, by, note=referral.department.name, at=at, outcome=outcome,
               due_on=petition.handling_due)
        return referral


# -- 答复, 复诊, 办结, 延期 ----------------------------------------------------------------------------

def answer(petition, by, at=None):
    """答复: the written 信访处理意见书 goes to the petitioner; the 30-day window for 复查 opens."""
    at = at or now()
    with database.atomic():
        current = Petition.get_by_id(petition.id)  # its handling limit as it is now (an extension moves it)
        return _apply("answer", current, by, at=at, answered_at=at, due_on=current.handling_due)


def follow_up(petition, by, followed_on, method, evaluation, comments=None, at=None):
    """复诊: the petitioner is asked how it went and evaluates the handling (第二十一条)."""
    _require(followed_on, "followed_on")
    if method not in ("phone", "home", "office"):
        raise ValidationError(N_("Choose how the follow-up was made."), field="method")
    if evaluation not in ("satisfied", "basically", "dissatisfied"):
        raise ValidationError(N_("Choose the petitioner's evaluation."), field="evaluation")
    if followed_on > now().date():
        raise ValidationError(N_("The date cannot be in the future."), field="followed_on")
    with database.atomic():
        current = _apply("follow_up", petition, by, note=evaluation, at=at)
        return FollowUp.create(petition=current, followed_on=followed_on, method=method, evaluation=evaluation,
                               comments=comments, recorded_by=getattr(by, "id", None))


def close(petition, by, at=None):
    """办结: after the follow-up."""
    at = at or now()
    return _apply("close", petition, by, at=at, closed_at=at, due_on=None)


def extend(petition, by, days, reason, approver, at=None):
    """延期: at most 30 more days, once, with the approver's name and the reason (the petitioner is told)."""
    reason, approver = _require(reason, "reason"), _require(approver, "approver")
    limit = deadlines.LIMITS["extension"][0]
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise ValidationError(N_("An extension is from 1 to %(max)s days."), field="days", max=limit)
    with database.atomic():
        current = Petition.get_by_id(petition.id)
        check("extend", current)  # before reading accepted_at, which a petition not accepted lacks
        if current.extension_days:
            raise NotAllowed(N_("The handling limit has already been extended once."))
        handling_due = deadlines.handling_due(current.accepted_at, extension_days=days)
        due_on = handling_due if current.due_on == current.handling_due else current.due_on
        return _apply("extend", current, by, note=reason, at=at, extension_days=days, extension_reason=reason,
                      extension_approver=approver, handling_due=handling_due, due_on=due_on)


# -- 复查, 复核 (第三十五条, 第三十六条) ------------------------------------------------------------------

def _within(window_end, at, what):
    if at.date() > window_end:
        raise NotAllowed(N_("The 30 days to request %(what)s ended on %(date)s."), what=what, date=window_end,
                         translate=("what", "date"))


def request_review(petition, by, at=None):
    """复查 requested within 30 days of the written answer; the opinion is due within 30 days."""
    at = at or now()
    current = Petition.get_by_id(petition.id)
    check("request_review", current)
    if current.review_requested_at is not None:
        raise NotAllowed(N_("A review has already been requested; after its opinion, a re-examination may be."))
    _within(deadlines.review_request_due(current.answered_at), at, N_("a review"))
    return _apply("request_review", current, by, at=at, review_requested_at=at,
                  due_on=deadlines.review_due(at))


def record_review(petition, by, opinion, at=None):
    at = at or now()
    opinion = _require(opinion, "opinion")
    return _apply("record_review", petition, by, note=opinion, at=at, reviewed_at=at, due_on=None)


def request_recheck(petition, by, at=None):
    """复核 requested within 30 days of the review opinion; after it the matter is not accepted again."""
    at = at or now()
    current = Petition.get_by_id(petition.id)
    check("request_recheck", current)
    _within(deadlines.recheck_request_due(current.reviewed_at), at, N_("a re-examination"))
    return _apply("request_recheck", current, by, at=at, recheck_requested_at=at,
                  due_on=deadlines.recheck_due(at))


def record_recheck(petition, by, opinion, at=None):
    at = at or now()
    opinion = _require(opinion, "opinion")
    return _apply("record_recheck", petition, by, note=opinion, at=at, rechecked_at=at,
                  due_on=None)


# -- at any open step --------------------------------------------------------------------------------

def classify(petition, by, classification, at=None):
    """三到位一处理: the classification assigns the team; 行为违法 is flagged for handling by law."""
    if classification not in ("reasonable", "unreasonable", "hardship", "unlawful"):
        raise ValidationError(N_("Choose a classification."), field="classification")
    team = Team.get(Team.code == TEAM_OF[classification]) if classification in TEAM_OF else None
    return _apply("classify", petition, by, note=classification, at=at, classification=classification, team=team,
                  unlawful_flag=classification == "unlawful")


def sign_off(petition, by, note, at=None):
    """县级领导签批 / 包案: the leader's instruction on a petition, on its timeline; the status stays."""
    note = _require(note, "note")
    return _apply("sign_off", petition, by, note=note, at=at)


def void(petition, by, reason, at=None):
    """作废 instead of deletion, with the reason."""
    reason = _require(reason, "reason")
    return _apply("void", petition, by, note=reason, at=at, void_reason=reason, due_on=None)


def convene(petitions, by, held_at, place, agenda, representatives, participants=()):
    """会诊 on one or more open petitions: one consultation; representatives and others (name, role, unit)."""
    if not representatives:
        raise ValidationError(N_("Convene at least one representative."), field="representatives")
    with database.atomic():
        for petition in petitions:
            check("convene", Petition.get_by_id(petition.id))
        consultation = Consultation.create(held_at=held_at, place=place, agenda=agenda,
                                           convened_by=getattr(by, "id", None))
        for representative in representatives:
            ConsultationRepresentative.create(consultation=consultation, representative=representative)
        for name, role, unit in participants:
            ConsultationParticipant.create(consultation=consultation, name=_require(name, "participants"),
                                           role=role, unit=unit)
        for petition in petitions:
            ConsultationPetition.create(consultation=consultation, petition=petition)
            _apply("convene", petition, by, note=place, at=held_at)
        audit.record("create", consultation, consultation.id, by=by, after=audit.snapshot(consultation))
        return consultation


def conclude(consultation, by, conclusion, minutes=None, follow_up_tasks=None, at=None):
    """The consultation's conclusion, minutes and follow-up tasks, recorded after it met."""
    conclusion = _require(conclusion, "conclusion")
    with database.atomic():
        before = audit.snapshot(consultation)
        consultation.conclusion, consultation.minutes = conclusion, minutes
        consultation.follow_up_tasks, consultation.concluded_at = follow_up_tasks, at or now()
        consultation.save()
        audit.record("update", consultation, consultation.id, by=by, summary="conclude",
                     **dict(zip(("before", "after"), audit.changes(before, audit.snapshot(consultation)))))
        return consultation


def form_group(petition, by, representative, town_officer, mediator, lawyer, at=None):
    """The "1+3" resolution group: one representative, the town's petition officer, a mediator, a lawyer."""
    if representative is None:
        raise ValidationError(N_("Choose the representative."), field="representative")
    with database.atomic():
        current = Petition.get_by_id(petition.id)
        if ResolutionGroup.select().where(ResolutionGroup.petition == current).exists():
            raise NotAllowed(N_("This petition already has its 1+3 group."))
        group = ResolutionGroup.create(petition=current, representative=representative, town_officer=town_officer,
                                       mediator=mediator, lawyer=lawyer, formed_at=at or now())
        note = "%s、%s、%s、%s" % (representative.name, group.town_officer, group.mediator, group.lawyer)
        _apply("form_group", current, by, note=note, at=at, lead_representative=representative)
        return group


def mediate(petition, by, parties, mediator, place, agreement, signed_on, lawyer=None, judicial_confirmation="none",
            at=None):
    """调解: the agreement signed by the parties (调解协议书), witnessed by the lawyer (第三十三条)."""
    with database.atomic():
        mediation = Mediation.create(petition=petition, parties=parties, mediator=mediator, lawyer=lawyer,
                                     place=place, agreement=agreement, signed_on=signed_on,
                                     judicial_confirmation=judicial_confirmation, recorded_by=getattr(by, "id", None))
        _apply("mediate", petition, by, note=place, at=at)
        return mediation


# -- many petitions at once ----------------------------------------------------------------------------

def for_each(step, petitions, *args, **kwargs):
    """Run a step on each petition, each all or nothing: returns (done, [(petition, error)])."""
    done, skipped = [], []
    for petition in petitions:
        try:
            done.append(step(petition, *args, **kwargs))
        except (NotAllowed, ValidationError) as error:
            skipped.append((petition, error))
    return done, skipped
