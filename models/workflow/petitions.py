"""The petition's own steps: registration, acceptance, answer, follow-up, closing, extension, review and
re-examination, classification, the leader's instruction and voiding (信访工作条例)."""
from .. import deadlines, lookup
from ..casework import EVALUATIONS, FOLLOW_UP_METHODS, FollowUp
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..people import Team
from ..petition import Petition, StepRecord
from .rules import LEADS_TO, TEAM_OF, _apply, _record, _require, check

# -- registration and acceptance (第十九条 to 第二十三条) --------------------------------------------

def register(petition, by):
    """Save a new petition with its 15-day referral and notice limits, and record who registered it.

    Raises NotAllowed for a petition that already has steps (registering again would reset its status).
    """
    with database.atomic():
        if petition.id is not None and StepRecord.select().where(StepRecord.petition == petition.id).exists():
            raise NotAllowed(N_("This petition has already been registered."))
        petition.status = LEADS_TO["register"]
        petition.referral_due = deadlines.referral_due(petition.received_at)
        petition.notice_due = deadlines.notice_due(petition.received_at)
        petition.due_on = petition.notice_due
        if petition.registered_by_id is None and by is not None:
            petition.registered_by = getattr(by, "id", None)
        petition.save()
        _record(petition, "register", by, None, at=petition.received_at)
        return petition


def accept(petition, by, at=None):
    """受理: the 60-day handling limit starts; the next deadline is the referral within 15 days of receipt. The
    petition gets its 查询码 (models/lookup.py)."""
    at = at or now()
    with database.atomic():
        accepted = _apply("accept", petition, by, at=at, accepted_at=at, handling_due=deadlines.handling_due(at),
                          due_on=petition.referral_due or deadlines.referral_due(petition.received_at))
        lookup.give_code(accepted)  # 查询码: printed on the 受理告知书
        return accepted


def reject(petition, by, reason, legal_basis, at=None):
    """不予受理, with the reason and its legal basis (the petitioner is told in writing)."""
    reason = _require(reason, "reason")
    legal_basis = _require(legal_basis, "legal_basis")
    return _apply("reject", petition, by, note=reason, at=at, rejection_reason=reason, rejection_basis=legal_basis,
                  due_on=None, closed_at=at or now())



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
    if method not in dict(FOLLOW_UP_METHODS):
        raise ValidationError(N_("Choose how the follow-up was made."), field="method")
    if evaluation not in dict(EVALUATIONS):
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
    """延期: at most 30 more days, once (a guard of the step table), with the approver's name and the reason
    (the petitioner is told)."""
    reason, approver = _require(reason, "reason"), _require(approver, "approver")
    limit = deadlines.LIMITS["extension"][0]
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise ValidationError(N_("An extension is from 1 to %(max)s days."), field="days", max=limit)
    with database.atomic():
        current = Petition.get_by_id(petition.id)
        check("extend", current)  # before reading accepted_at, which a petition not accepted lacks
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
    """复查 requested once (a guard of the step table), within 30 days of the written answer; the opinion is due
    within 30 days."""
    at = at or now()
    current = Petition.get_by_id(petition.id)
    check("request_review", current)
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
    if classification not in ("reasonable", "unreasonable", "hardship", "unlawful"):  # not back to unclassified
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
