"""评价: the petitioner's own evaluation of an answer (《信访工作条例》第二十一条), made on the public look-up page
with the petition's 查询码, beside the staff's 复诊 (casework.FollowUp).

One evaluation for each 答复 (the petition's answered_at when it was made), within EVALUATION_DAYS of it and
changeable within that window; a petition answered anew can be evaluated anew.
"""
import datetime as dt

from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from . import audit
from .casework import EVALUATIONS
from .db import BaseModel, database, now
from .errors import N_, NotAllowed, ValidationError
from .petition import Petition

EVALUATION_DAYS = 30  # days after the 答复 the petitioner may evaluate it (and change the evaluation)
COMMENT_MAX = 500


class Evaluation(BaseModel):
    """The petitioner's evaluation of one 答复 of a petition."""

    verbose_name = N_("Evaluation")

    petition = ForeignKeyField(Petition, backref="evaluations", on_delete="RESTRICT")
    answered_at = DateTimeField()  # the 答复 evaluated: the petition's answered_at when it was made
    rating = CharField(max_length=20, choices=EVALUATIONS, index=True)  # satisfied / basically / dissatisfied
    comment = TextField(null=True)  # ≤ COMMENT_MAX characters
    created_at = DateTimeField(default=now, index=True)
    updated_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("petition", "answered_at"), True),)  # once per 答复


def window_ends(answered_at):
    """The last moment an answer given at answered_at can be evaluated."""
    return answered_at + dt.timedelta(days=EVALUATION_DAYS)


def window_open(petition, at=None):
    """True when the petition's present 答复 may be evaluated now (or the evaluation changed)."""
    at = at or now()
    return (petition.answered_at is not None and petition.status != "void"
            and petition.answered_at <= at <= window_ends(petition.answered_at))


def current(petition):
    """The evaluation of the petition's present 答复, or None."""
    if petition.answered_at is None:
        return None
    return Evaluation.get_or_none((Evaluation.petition == petition.id)
                                  & (Evaluation.answered_at == petition.answered_at))


def evaluate(petition, rating, comment=None, at=None):
    """The petitioner evaluates the present 答复 (or changes the evaluation), within EVALUATION_DAYS of it; audited
    (by nobody: the petitioner has no account). Raises NotAllowed outside the window, ValidationError for a rating
    not of EVALUATIONS or a comment over COMMENT_MAX characters."""
    at = at or now()
    if rating not in dict(EVALUATIONS):
        raise ValidationError(N_("Choose how satisfied you are."), field="rating")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ValidationError(N_("The comment is at most %(max)s characters."), field="comment", max=COMMENT_MAX)
    with database.atomic():
        petition = Petition.get_by_id(petition.id)  # its answer as it is now
        if not window_open(petition, at):
            raise NotAllowed(N_("The answer can no longer be evaluated: the %(days)s days after it have passed."),
                             days=EVALUATION_DAYS)
        found = current(petition)
        if found is None:
            found = Evaluation.create(petition=petition, answered_at=petition.answered_at, rating=rating,
                                      comment=comment, created_at=at, updated_at=at)
            audit.record("create", Evaluation, found.id, summary=petition.number,
                         after={"petition": petition.id, "rating": rating, "comment": comment})
            return found
        before = {"rating": found.rating, "comment": found.comment}
        Evaluation.update(rating=rating, comment=comment, updated_at=at).where(Evaluation.id == found.id).execute()
        audit.record("update", Evaluation, found.id, summary=petition.number, before=before,
                     after={"rating": rating, "comment": comment})
        return Evaluation.get_by_id(found.id)
