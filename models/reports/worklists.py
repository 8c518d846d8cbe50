"""我的待办: each role's worklist on the home page (framework-free).

`for_user(user, today)` returns the user's groups, each a Worklist: its key, its label (a msgid), how many
records are waiting and the first FIRST of them (the most urgent first). Every query is narrowed by
access.visible for the user: a worklist never counts a record its user may not see.

- staff (and the system administrator): registered petitions awaiting 受理/不予受理 (by the 15-day notice
  limit), accepted petitions whose 受理告知书 has no live document, referrals awaiting the department's reply
  (overdue first), replies received and not yet answered (handled), answered petitions without a follow-up
  (复诊), answers the petitioner rated 不满意 on the look-up page while 复查 may still be asked (评价), 复查/复核 to
  record or still open to the petitioner, the 排访 flags not dismissed, the letters in force issued more than
  OVERDUE_DAYS days ago and not yet delivered (送达), and the 督办 whose reply is overdue;
- department: its referrals awaiting its reply, by deadline, and its 督办 awaiting its reply;
- representative: its duty shifts this week, its open 会诊, its open "1+3" cases, the follow-ups it owes;
- leader: the open cases it leads (包案, leader_in_charge is its name) and those of them without its 签批.
"""
import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from .. import access, deadlines
from ..casework import (
    Consultation, ConsultationRepresentative, DutyShift, FollowUp, Referral, ResolutionGroup,
)
from ..delivery import NOT_DELIVERED, OVERDUE_DAYS, Delivery
from ..documents import Document
from ..errors import N_
from ..evaluation import Evaluation
from ..petition import Petition, StepRecord
from ..supervision import Supervision, overdue_clause
from ..workflow import OPEN
from . import early_signs

FIRST = 10  # rows shown per group; the count says how many there are
REVIEW_LOOKBACK = 120  # calendar days: more than any 30-day request window, even counted in working days


@dataclass
class Worklist:
    key: str
    label: str  # msgid
    count: int
    rows: list = field(default_factory=list)  # records, the most urgent first


def _group(key, label, query, first):
    return Worklist(key, label, query.count(), list(query.limit(first)))


def _petitions(user, where):
    return access.visible(Petition.select().where(where), user, "petition")


def _no_live(kind):
    """Petitions without a live (not voided) document of this kind."""
    return ~fn.EXISTS(Document.select(Document.id).where(
        (Document.petition == Petition.id) & (Document.kind == kind) & Document.voided_at.is_null()))


def _no_follow_up():
    return ~fn.EXISTS(FollowUp.select(FollowUp.id).where(FollowUp.petition == Petition.id))


def _by_due(column):
    """Earliest deadline first (the overdue ones), those without one last, then the oldest."""
    return (column.is_null(), column, Petition.received_at, Petition.id)


# -- the petition office ----------------------------------------------------------------------------------

def to_accept(user, first=FIRST):
    query = _petitions(user, Petition.status == "registered").order_by(*_by_due(Petition.notice_due))
    return _group("to_accept", N_("To accept or refuse"), query, first)


def notice_to_issue(user, first=FIRST):
    query = _petitions(user, Petition.accepted_at.is_null(False) & Petition.status.in_(OPEN)
                       & _no_live("acceptance_notice")).order_by(Petition.accepted_at, Petition.id)
    return _group("notice_to_issue", N_("Acceptance notice to issue"), query, first)


def awaiting_reply(user, first=FIRST):
    query = access.visible(Referral.select(Referral, Petition).join(Petition)
                           .where((Referral.state == "sent") & (Petition.status == "referred")), user, "referral")
    query = query.order_by(Referral.due_on.is_null(), Referral.due_on, Referral.sent_at, Referral.id)
    return _group("awaiting_reply", N_("Waiting for the department's reply"), query, first)


def to_answer(user, first=FIRST):
    query = _petitions(user, Petition.status == "handled").order_by(*_by_due(Petition.handling_due))
    return _group("to_answer", N_("Reply received, to answer"), query, first)


def follow_up_due(user, first=FIRST):
    query = _petitions(user, (Petition.status == "answered") & _no_follow_up()).order_by(
        Petition.answered_at, Petition.id)
    return _group("follow_up_due", N_("Follow-up due"), query, first)


def review_due(petition):
    """When the petitioner's 复查/复核 window closes, or the office's opinion is due (None: nothing open)."""
    if petition.status == "under_review":
        return deadlines.review_due(petition.review_requested_at)
    if petition.status == "under_recheck":
        return deadlines.recheck_due(petition.recheck_requested_at)
    if petition.status in ("answered", "followed_up") and petition.review_requested_at is None \
            and petition.answered_at is not None:
        return deadlines.review_request_due(petition.answered_at)
    if petition.status == "reviewed" and petition.recheck_requested_at is None and petition.reviewed_at is not None:
        return deadlines.recheck_request_due(petition.reviewed_at)
    return None


def reviews(user, today, first=FIRST):
    """复查/复核: the opinions to record, and the request windows still open (the deadline rules count days as
    configured, so the windows are checked here on the few recent candidates)."""
    since = dt.datetime.combine(today - dt.timedelta(days=REVIEW_LOOKBACK), dt.time())
    where = (Petition.status.in_(("under_review", "under_recheck"))
             | ((Petition.status.in_(("answered", "followed_up")) & Petition.review_requested_at.is_null()
                 & (Petition.answered_at >= since)))
             | ((Petition.status == "reviewed") & Petition.recheck_requested_at.is_null()
                & (Petition.reviewed_at >= since)))
    rows = [p for p in _petitions(user, where) if (review_due(p) or dt.date.min) >= today
            or p.status in ("under_review", "under_recheck")]
    rows.sort(key=lambda p: (p.status not in ("under_review", "under_recheck"), review_due(p), p.id))
    return Worklist("reviews", N_("Review and re-examination"), len(rows), rows[:first])


def dissatisfied(user, today, first=FIRST):
    """不满意: the petitioner rated the present 答复 不满意 on the look-up page (models/evaluation.py) and may still ask
    for 复查 (30 days of the answer, 第三十五条), not asked yet: the clerk calls back and tells of that right. The
    most urgent window first."""
    since = dt.datetime.combine(today - dt.timedelta(days=REVIEW_LOOKBACK), dt.time())
    rated = Evaluation.select(Evaluation.id).where(
        (Evaluation.petition == Petition.id) & (Evaluation.answered_at == Petition.answered_at)
        & (Evaluation.rating == "dissatisfied"))
    where = (Petition.status.in_(("answered", "followed_up")) & Petition.review_requested_at.is_null()
             & (Petition.answered_at >= since) & fn.EXISTS(rated))
    rows = [p for p in _petitions(user, where) if (review_due(p) or dt.date.min) >= today]
    rows.sort(key=lambda p: (review_due(p), p.id))
    return Worklist("dissatisfied", N_("Dissatisfied evaluations"), len(rows), rows[:first])


def flags(user, first=FIRST):
    """The 排访 flags not dismissed whose every record the user sees."""
    raised = early_signs.current_flags()
    seen = access.visible_evidence({ref for flag in raised for ref in flag.evidence}, user)  # one look for all
    shown = [flag for flag in raised if access.shows_flag(flag.evidence, user, seen)]
    return Worklist("flags", N_("Screening flags to look at"), len(shown), shown[:first])


def to_deliver(user, today, first=FIRST):
    """待送达文书: letters in force, delivered to someone, issued before the last OVERDUE_DAYS days, with no
    送达 recorded; the oldest first."""
    before = dt.datetime.combine(today - dt.timedelta(days=OVERDUE_DAYS), dt.time())
    delivered = Delivery.select(Delivery.id).where(Delivery.document == Document.id)
    query = access.visible(Document.select(*(f for f in Document._meta.sorted_fields if f.name != "pdf"))
                           .where(Document.voided_at.is_null() & Document.kind.not_in(NOT_DELIVERED)
                                  & (Document.issued_at < before) & ~fn.EXISTS(delivered)), user, "document")
    query = query.order_by(Document.issued_at, Document.id)
    return _group("to_deliver", N_("Letters to deliver"), query, first)


def supervisions_overdue(user, today, first=FIRST):
    """督办反馈逾期: the 督办 whose department has not replied by the new deadline, the longest overdue first."""
    query = access.visible(Supervision.select(Supervision, Petition).join(Petition)
                           .where(overdue_clause(today)), user, "supervision")
    return _group("supervisions_overdue", N_("Supervision replies overdue"),
                  query.order_by(Supervision.due_on, Supervision.id), first)


# -- the others -----------------------------------------------------------------------------------------------

def department_referrals(user, first=FIRST):
    """A department's referrals awaiting its reply (or its objection), by deadline."""
    query = access.visible(Referral.select(Referral, Petition).join(Petition)
                           .where((Referral.state == "sent") & (Referral.department == user.department_id)),
                           user, "referral")
    query = query.order_by(Referral.due_on.is_null(), Referral.due_on, Referral.sent_at, Referral.id)
    return _group("referrals", N_("Referrals to handle"), query, first)


def department_supervisions(user, first=FIRST):
    """A department's 督办 awaiting its reply, by deadline."""
    query = access.visible(Supervision.select(Supervision, Petition).join(Petition).where(
        Supervision.replied_at.is_null() & (Supervision.department == user.department_id)), user, "supervision")
    return _group("supervisions", N_("Supervisions to reply to"), query.order_by(Supervision.due_on, Supervision.id),
                  first)


def week_of(today):
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def shifts_this_week(user, today, first=FIRST):
    monday, sunday = week_of(today)
    query = access.visible(DutyShift.select().where(
        (DutyShift.representative == user.representative_id) & DutyShift.on_date.between(monday, sunday)),
        user, "dutyshift").order_by(DutyShift.on_date, DutyShift.session)
    return _group("shifts", N_("My duty shifts this week"), query, first)


def consultations(user, first=FIRST):
    """Its 会诊 not yet concluded."""
    mine = ConsultationRepresentative.select(ConsultationRepresentative.consultation).where(
        ConsultationRepresentative.representative == user.representative_id)
    query = access.visible(Consultation.select().where(Consultation.id.in_(mine) & Consultation.concluded_at.is_null()),
                           user, "consultation").order_by(Consultation.held_at, Consultation.id)
    return _group("consultations", N_("Consultations to conclude"), query, first)


def groups(user, first=FIRST):
    """The open petitions of its "1+3" groups."""
    mine = ResolutionGroup.select(ResolutionGroup.petition).where(
        ResolutionGroup.representative == user.representative_id)
    query = _petitions(user, Petition.id.in_(mine) & Petition.status.in_(OPEN)).order_by(
        *_by_due(Petition.due_on))
    return _group("groups", N_("My 1+3 cases"), query, first)


def follow_ups_owed(user, first=FIRST):
    """Answered petitions it leads or has a "1+3" group on, not yet followed up."""
    rep = user.representative_id
    grouped = ResolutionGroup.select(ResolutionGroup.petition).where(ResolutionGroup.representative == rep)
    query = _petitions(user, (Petition.status == "answered") & _no_follow_up()
                       & ((Petition.lead_representative == rep) | Petition.id.in_(grouped))).order_by(
        Petition.answered_at, Petition.id)
    return _group("follow_ups", N_("Follow-ups I owe"), query, first)


def _led(user):
    name = (user.display_name or user.username or "").strip()
    return (fn.TRIM(Petition.leader_in_charge) == name) & Petition.status.in_(OPEN)


def led_cases(user, first=FIRST):
    query = _petitions(user, _led(user)).order_by(*_by_due(Petition.due_on))
    return _group("led", N_("Cases I lead"), query, first)


def awaiting_sign_off(user, first=FIRST):
    """The cases it leads that have no 签批 yet (the sign_off step, on the petition's timeline)."""
    signed = StepRecord.select(StepRecord.id).where((StepRecord.petition == Petition.id)
                                                   & (StepRecord.step == "sign_off"))
    query = _petitions(user, _led(user) & ~fn.EXISTS(signed)).order_by(Petition.received_at, Petition.id)
    return _group("sign_off", N_("Waiting for my instruction"), query, first)


def for_user(user, today=None, first=FIRST):
    """The user's worklist: its groups, in the order shown."""
    today = today or dt.date.today()
    role = getattr(user, "role", None)
    if role in ("staff", "admin"):
        return [to_accept(user, first), notice_to_issue(user, first), awaiting_reply(user, first),
                to_answer(user, first), follow_up_due(user, first), dissatisfied(user, today, first),
                reviews(user, today, first), flags(user, first), to_deliver(user, today, first),
                supervisions_overdue(user, today, first)]
    if role == "department" and user.department_id is not None:
        return [department_referrals(user, first), department_supervisions(user, first)]
    if role == "representative" and user.representative_id is not None:
        return [shifts_this_week(user, today, first), consultations(user, first), groups(user, first),
                follow_ups_owed(user, first)]
    if role == "leader":
        return [led_cases(user, first), awaiting_sign_off(user, first)]
    return []


def total(groups):
    return sum(group.count for group in groups)
