"""评价 as a step: the petitioner evaluates the present 答复 on the public look-up page (models/evaluation.py keeps
the rows and the window), in one transaction, audited."""
from .. import audit
from ..casework import EVALUATIONS
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..evaluation import COMMENT_MAX, EVALUATION_DAYS, Evaluation, current, window_open
from ..petition import Petition


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
        found.rating, found.comment, found.updated_at = rating, comment, at
        found.save()  # a save, not an UPDATE: the 三率's stored columns follow it (models/reports/rates.py)
        audit.record("update", Evaluation, found.id, summary=petition.number, before=before,
                     after={"rating": rating, "comment": comment})
        return Evaluation.get_by_id(found.id)
