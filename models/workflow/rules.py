"""The step table of a petition's life and the one way a step is taken (_apply).

STEPS names every step (its label); ALLOWED says from which statuses each petition step may start (and what
must happen first otherwise), with the guards some steps add (a condition on the petition and its refusal);
LEADS_TO the status a step leads to, KEEPS_STATUS the steps that leave it as it is; RECORD_STEPS the steps
taken on another record (a consultation) rather than on a petition. check() and allowed_steps() read the
same table. _apply checks, changes, saves and records a step (a StepRecord and an audit entry) in one
transaction; every petition step in petitions.py, referrals.py and studio.py goes through it.
"""
from typing import Callable, NamedTuple

from .. import audit
from ..casework import Referral, ResolutionGroup
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..petition import FUTURE_TOLERANCE, STATUSES, Petition, StepRecord

# Every step, by the name it is recorded under, with its label.
STEPS = {
    "register": N_("Register"),
    "accept": N_("Accept"),
    "reject": N_("Do not accept"),
    "refer": N_("Refer to a department"),
    "object": N_("Object: not competent"),
    "record_reply": N_("Record the department's reply"),
    "record_own_result": N_("Handle in the office and record the result"),
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
    "conclude": N_("Conclude the consultation"),
    "reply_supervision": N_("Reply to the supervision"),  # 督办反馈, by the department (models/workflow/supervision.py)
}
CLOSED = ("closed", "void", "not_accepted")
OPEN = ("registered", "accepted", "referred", "handled", "answered", "followed_up", "under_review", "reviewed",
        "under_recheck", "rechecked")


class Guard(NamedTuple):
    """A condition a step needs beyond the petition's status, and the refusal when it does not hold; `holds_for`,
    for a guard that reads other records, the same condition for many petitions in one query (the ids it holds
    for), so that a list page asks it once (allowed_for)."""

    holds: Callable
    refusal: str
    holds_for: Callable = None


class Allowed(NamedTuple):
    """The statuses a step may start from, what must happen first otherwise, and its guards."""

    statuses: tuple
    first: str
    guards: tuple = ()


EXTENDED_ONCE = Guard(lambda petition: not petition.extension_days,
                      N_("The handling limit has already been extended once."))
REVIEW_REQUESTED_ONCE = Guard(lambda petition: petition.review_requested_at is None,
                              N_("A review has already been requested; after its opinion, a re-examination may be."))


def _without_group(petitions):
    """The ids of the petitions that have no 1+3 group yet, in one query."""
    ids = [p.id for p in petitions]
    grouped = ResolutionGroup.select(ResolutionGroup.petition).where(ResolutionGroup.petition.in_(ids)).tuples()
    return set(ids) - {pid for (pid,) in grouped}


ONE_GROUP = Guard(lambda petition: not ResolutionGroup.select().where(ResolutionGroup.petition == petition.id).exists(),
                  N_("This petition already has its 1+3 group."), _without_group)


def _without_open_referral(petitions):
    """The ids of the petitions that no department is handling now, in one query."""
    ids = [p.id for p in petitions]
    sent = Referral.select(Referral.petition).where(Referral.petition.in_(ids) & (Referral.state == "sent")).tuples()
    return set(ids) - {pid for (pid,) in sent}


NO_OPEN_REFERRAL = Guard(
    lambda petition: not Referral.select().where((Referral.petition == petition.id) & (Referral.state == "sent")).exists(),
    N_("A department is handling this petition: record its reply instead."), _without_open_referral)

# The petition steps (all but register, which makes the petition): where each may start from.
ALLOWED = {
    "accept": Allowed(("registered",), N_("Only a newly registered petition can be accepted.")),
    "reject": Allowed(("registered",), N_("Only a newly registered petition can be refused acceptance.")),
    "refer": Allowed(("accepted",), N_("Accept the petition first (or, after an objection, it is back here).")),
    "record_reply": Allowed(("referred",), N_("Refer the petition to a department first.")),
    "object": Allowed(("referred",), N_("The petition is no longer waiting for this department.")),
    "record_own_result": Allowed(("accepted",), N_("Only an accepted petition that is not referred to a department "
                                                   "can be handled by the office itself."), (NO_OPEN_REFERRAL,)),
    "answer": Allowed(("handled",), N_("Record the department's reply first.")),
    "follow_up": Allowed(("answered", "followed_up", "reviewed", "rechecked"), N_("Answer the petitioner first.")),
    "close": Allowed(("followed_up",), N_("Follow up with the petitioner first (复诊).")),
    "extend": Allowed(("accepted", "referred", "handled"), N_("Only a petition being handled can be extended."),
                      (EXTENDED_ONCE,)),
    "request_review": Allowed(("answered", "followed_up"),
                              N_("A review can be requested only after the written answer."), (REVIEW_REQUESTED_ONCE,)),
    "record_review": Allowed(("under_review",), N_("Request the review first.")),
    "request_recheck": Allowed(("reviewed",), N_("A re-examination can be requested only after the review opinion.")),
    "record_recheck": Allowed(("under_recheck",), N_("Request the re-examination first.")),
    "classify": Allowed(OPEN, N_("The petition is no longer open.")),
    "convene": Allowed(OPEN, N_("The petition is no longer open.")),
    "form_group": Allowed(OPEN, N_("The petition is no longer open."), (ONE_GROUP,)),
    "mediate": Allowed(OPEN, N_("The petition is no longer open.")),
    "void": Allowed(OPEN, N_("A closed or void petition cannot be voided.")),
    "sign_off": Allowed(OPEN + ("closed", "not_accepted"), N_("A void petition takes no instruction.")),
}

# The status each step leads to; the steps of KEEPS_STATUS leave it as it is.
LEADS_TO = {
    "register": "registered", "accept": "accepted", "reject": "not_accepted", "refer": "referred",
    "object": "accepted", "record_reply": "handled", "record_own_result": "handled", "answer": "answered",
    "follow_up": "followed_up", "close": "closed", "request_review": "under_review", "record_review": "reviewed",
    "request_recheck": "under_recheck", "record_recheck": "rechecked", "void": "void",
}
# Steps taken on another record than a petition (its kind): they change no petition's status.
RECORD_STEPS = {"conclude": "consultation", "reply_supervision": "supervision"}
KEEPS_STATUS = ("extend", "classify", "convene", "form_group", "mediate", "sign_off") + tuple(RECORD_STEPS)

# 三到位一处理: the classification decides the team (行为违法 goes to the law, not to a team).
TEAM_OF = {"reasonable": "reasonable_claims", "unreasonable": "unreasonable_claims", "hardship": "hardship_assistance"}


def refusal(step, petition):
    """Why `step` may not be taken on the petition now (a NotAllowed), or None when it may."""
    statuses, first, guards = ALLOWED[step]
    if petition.status not in statuses:
        return NotAllowed(N_("%(step)s is not possible while the petition is %(status)s. %(first)s"),
                          step=STEPS[step], status=dict(STATUSES)[petition.status], first=first,
                          translate=("step", "status", "first"))
    for guard in guards:
        if not guard.holds(petition):
            return NotAllowed(guard.refusal)
    return None


def check(step, petition):
    """Raise NotAllowed unless `step` may be taken on the petition now (its status and the step's guards)."""
    error = refusal(step, petition)
    if error is not None:
        raise error


def allowed_steps(petition):
    """The steps that may be taken now, in the order of the table (for the buttons on its page)."""
    return [step for step in ALLOWED if refusal(step, petition) is None]


def allowed_for(petitions, steps):
    """{petition id: [the steps of `steps` that may be taken on it now]} for many petitions (a list page): the
    same table and guards as refusal(), a guard that reads other records asked once for them all."""
    petitions = list(petitions)
    held = {}  # guard: the ids it holds for, asked at most once

    def holds(guard, petition):
        if guard.holds_for is None:
            return guard.holds(petition)  # reads the petition's own fields only
        if guard not in held:
            held[guard] = set(guard.holds_for(petitions)) if petitions else set()
        return petition.id in held[guard]

    return {petition.id: [step for step in steps if step in ALLOWED and petition.status in ALLOWED[step].statuses
                          and all(holds(guard, petition) for guard in ALLOWED[step].guards)]
            for petition in petitions}


def _require(value, field, message=N_("This field is required.")):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(message, field=field)
    return value.strip() if isinstance(value, str) else value


def _when(value):
    return {"date": value.date(), "time": value.strftime("%H:%M")}


def check_time(petition, at, field="at", exclude=None):
    """Raise ValidationError(field) unless `at` may be a step's time on the petition: not in the future, not
    before its received time, not before its latest step (other than `exclude`, a StepRecord being corrected)."""
    if at > now() + FUTURE_TOLERANCE:
        raise ValidationError(N_("A step cannot be dated in the future."), field=field)
    if petition.received_at is not None and at < petition.received_at:
        raise ValidationError(N_("The time cannot be before the petition was received (%(date)s %(time)s)."),
                              field=field, **_when(petition.received_at))
    previous = StepRecord.select().where(StepRecord.petition == petition.id)
    if exclude is not None:
        previous = previous.where((StepRecord.id != exclude.id) & (
            (StepRecord.at < exclude.at) | ((StepRecord.at == exclude.at) & (StepRecord.id < exclude.id))))
    last = previous.order_by(StepRecord.at.desc(), StepRecord.id.desc()).first()
    if last is not None and at < last.at:
        raise ValidationError(N_("The time cannot be before the previous step, %(step)s on %(date)s %(time)s."),
                              field=field, step=STEPS.get(last.step, last.step), translate=("step",),
                              **_when(last.at))


def _record(petition, step, by, before_status, note=None, at=None):
    """The step's trace: a StepRecord on the petition and an audit entry with the values before and after.
    `at` is when the step happened, recorded_at when it was typed in (补录: backdating.py), by who typed it."""
    recorded_at = now()
    record = StepRecord.create(petition=petition, step=step, at=at or recorded_at, recorded_at=recorded_at,
                               by=getattr(by, "id", None), status_before=before_status,
                               status_after=petition.status, note=note)
    audit.record("step", petition, petition.id, by=by, summary=step, before={"status": before_status},
                 after={"status": petition.status, "note": note, "at": record.at.isoformat(),
                        "recorded_at": recorded_at.isoformat()})


def _apply(step, petition, by, note=None, at=None, **changes):
    """Check, change, save and record one step on one petition, all or nothing. `at`, when the step happened
    (default now), may not be in the future nor before the received time or the previous step (补录)."""
    with database.atomic():
        petition = Petition.select().where(Petition.id == petition.id).get()  # as it is now, not as the caller saw it
        check(step, petition)
        at = at or now()
        check_time(petition, at)
        before = petition.status
        for name, value in changes.items():
            setattr(petition, name, value)
        petition.status = LEADS_TO.get(step, petition.status)
        petition.save()
        _record(petition, step, by, before, note, at)
        return petition


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
