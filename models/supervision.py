"""督办: the office's supervision of an overdue or disputed case, and the department's reply to it.

A 督办 may be started on a referral past its deadline (the department has not replied), or on a petition the
petitioner was dissatisfied with (不满意, at the staff's 复诊 or on the look-up page) or whose 复查 was asked for.
It names its kind (文书督办/约谈/实地督办/联合督办), the department, a new deadline and a note; a 督办单 is issued
for it through the letter engine (models/workflow/letters.py, kind "supervision_sheet"), and the department
answers it. 提级督办 (escalation to the county's leaders) is offered with its reason when the case has gone back
and forth: ESCALATE_AFTER times sent back (退回: the department objected) or redone (重办: a 督办 sent it back to
the department to handle again), or ESCALATE_AFTER different departments it was referred to.

The steps (start, reply) are models/workflow/supervision.py; here are the record and the rules they read.
"""
import datetime as dt

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, TextField, fn

from .casework import FollowUp, Referral
from .db import BaseModel, now
from .errors import N_
from .evaluation import Evaluation
from .organisation import Department
from .people import User
from .petition import Petition

SUPERVISION_KINDS = (
    ("written", N_("Written supervision")),  # 文书督办
    ("interview", N_("Supervisory interview")),  # 约谈
    ("on_site", N_("On-site supervision")),  # 实地督办
    ("joint", N_("Joint supervision")),  # 联合督办
)
GROUNDS = (
    ("overdue", N_("Referral past its deadline")),  # 交办/转送逾期未办结
    ("dissatisfied", N_("Petitioner dissatisfied")),  # 信访人不满意
    ("review", N_("Review requested")),  # 信访人请求复查
)
STATES = (("open", N_("Awaiting reply")), ("replied", N_("Reply received")), ("overdue", N_("Reply overdue")))
DEFAULT_DAYS = 10  # calendar days the department is given to reply, unless the office sets another date
ESCALATE_AFTER = 3  # 退回或重办3次, or 3 departments: 提级督办 is offered


class Supervision(BaseModel):
    """One 督办: on what grounds, of which department, by whom, its new deadline; and the department's reply."""

    verbose_name = N_("Supervision")

    petition = ForeignKeyField(Petition, backref="supervisions", on_delete="RESTRICT")
    referral = ForeignKeyField(Referral, null=True, backref="supervisions", on_delete="RESTRICT")
    department = ForeignKeyField(Department, backref="supervisions", on_delete="RESTRICT")
    kind = CharField(max_length=20, choices=SUPERVISION_KINDS, default="written")
    grounds = CharField(max_length=20, choices=GROUNDS)
    note = TextField()  # 督办意见: what the office asks of the department
    due_on = DateField(index=True)  # the new deadline of the department's reply
    escalated = BooleanField(default=False)  # 提级督办
    escalation_reason = TextField(null=True)
    started_at = DateTimeField(default=now, index=True)
    started_by = ForeignKeyField(User, null=True, backref="supervisions_started", on_delete="RESTRICT")
    reply = TextField(null=True)  # the department's 督办反馈
    replied_at = DateTimeField(null=True)
    replied_by = ForeignKeyField(User, null=True, backref="supervision_replies", on_delete="RESTRICT")

    def state(self, today=None):
        """open, replied, or overdue (open after its deadline): computed, never stored."""
        return state_of(self.replied_at, self.due_on, today)

    @property
    def on_time(self):
        """Replied by its deadline (None while not replied)."""
        return None if self.replied_at is None else self.replied_at.date() <= self.due_on

    def __str__(self):
        return "%s %s" % (self.petition.number, self.department.name)


def state_of(replied_at, due_on, today=None):
    if replied_at is not None:
        return "replied"
    return "overdue" if due_on < (today or now().date()) else "open"


def overdue_clause(today=None):
    """The where-clause of the 督办 awaiting a reply after their deadline."""
    return Supervision.replied_at.is_null() & (Supervision.due_on < (today or now().date()))


def state_clause(state, today=None):
    """The where-clause of the 督办 in this state (STATES)."""
    late = overdue_clause(today)
    if state == "replied":
        return Supervision.replied_at.is_null(False)
    if state == "overdue":
        return late
    return Supervision.replied_at.is_null() & ~late


# -- the grounds ----------------------------------------------------------------------------------------------

def referral_overdue(referral, today=None):
    """Is the referral still awaiting the department's reply after its deadline?"""
    today = today or now().date()
    return referral.state == "sent" and referral.due_on is not None and referral.due_on < today


def dissatisfied(petition):
    """Did the petitioner's latest evaluation say 不满意: the staff's latest 复诊, or the latest on the look-up
    page (评价)?"""
    follow_up = petition.follow_ups.order_by(FollowUp.followed_on.desc(), FollowUp.id.desc()).first()
    evaluation = petition.evaluations.order_by(Evaluation.updated_at.desc(), Evaluation.id.desc()).first()
    return any(r is not None and r == "dissatisfied" for r in (
        follow_up.evaluation if follow_up else None, evaluation.rating if evaluation else None))


def petition_grounds(petition):
    """The grounds on which a petition (not one referral) may be put under 督办: dissatisfied, review."""
    found = []
    if dissatisfied(petition):
        found.append("dissatisfied")
    if petition.review_requested_at is not None:
        found.append("review")
    return found


def departments_of(petition):
    """The departments a petition was referred to (not those that objected), the latest first: those a 督办 on the
    petition's grounds may be of."""
    seen = {}
    for referral in (petition.referrals.where(Referral.state != "objected")
                     .order_by(Referral.sent_at.desc(), Referral.id.desc())):
        seen.setdefault(referral.department_id, referral.department)
    return list(seen.values())


# -- 提级督办 ------------------------------------------------------------------------------------------------

def times_sent_back(petition):
    """退回: the referrals of the petition the department objected to (it came back to the office)."""
    return petition.referrals.where(Referral.state == "objected").count()


def times_redone(petition, before=None):
    """重办: the 督办 of the petition that sent it back to a department to handle again (started before `before`,
    a 督办's own id, when given)."""
    query = Supervision.select().where(Supervision.petition == petition)
    if before is not None:
        query = query.where(Supervision.id < before)
    return query.count()


def departments_passed(petition):
    """The different departments the petition was referred to (those that objected too: it passed through them)."""
    return (Referral.select(fn.COUNT(fn.DISTINCT(Referral.department)))
            .where(Referral.petition == petition).scalar() or 0)


def escalation_reasons(petition):
    """[(msgid, params)]: why 提级督办 is offered for this petition; [] when it is not."""
    reasons = []
    back, redone = times_sent_back(petition), times_redone(petition)
    if back + redone >= ESCALATE_AFTER:
        reasons.append((N_("Sent back or redone %(times)d times (sent back %(back)d, redone %(redone)d)."),
                        {"times": back + redone, "back": back, "redone": redone}))
    passed = departments_passed(petition)
    if passed >= ESCALATE_AFTER:
        reasons.append((N_("Passed through %(count)d departments."), {"count": passed}))
    return reasons


def reason_text(reasons, translate):
    """The reasons as one sentence, each translated (translate(msgid, **params))."""
    return "".join(translate(msgid, **params) for msgid, params in reasons)


def default_due(at=None):
    return (at or now()).date() + dt.timedelta(days=DEFAULT_DAYS)


# -- figures ---------------------------------------------------------------------------------------------------

def figures(query, today=None):
    """督办件数 and 按期反馈率 of the 督办 in `query` (already narrowed to the user's and the period's):
    {total, open, overdue, replied, on_time, due, on_time_rate}. due: those whose reply was due by today or came
    (replied, or open past the deadline); 按期反馈率 = replied by the deadline ÷ due (None when none is due)."""
    today = today or now().date()
    rows = list(query.select(Supervision.replied_at, Supervision.due_on).tuples())
    states = [state_of(replied, due, today) for replied, due in rows]
    on_time = sum(1 for replied, due in rows if replied is not None and replied.date() <= due)
    due = states.count("replied") + states.count("overdue")
    return {"total": len(rows), "open": states.count("open"), "overdue": states.count("overdue"),
            "replied": states.count("replied"), "on_time": on_time, "due": due,
            "on_time_rate": on_time / due if due else None}
