"""评价: the petitioner's own evaluation of an answer (《信访工作条例》第二十一条), made on the public look-up page
with the petition's 查询码, beside the staff's 复诊 (casework.FollowUp).

One evaluation for each 答复 (the petition's answered_at when it was made), within EVALUATION_DAYS of it and
changeable within that window; a petition answered anew can be evaluated anew.
"""
import datetime as dt

from peewee import CharField, DateTimeField, ForeignKeyField, TextField

from .casework import EVALUATIONS
from .db import BaseModel, now
from .errors import N_
from .petition import Petition, related_saved

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

    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        related_saved(self.petition_id)  # the 三率 columns (the evaluation that counts)
        return saved


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
