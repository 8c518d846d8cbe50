"""自行办理: the office (or a team of its studio) handles an accepted petition itself and records the result,
without a referral; 答复 follows as after a department's reply, and the 处理意见书 states this result."""
from peewee import IntegrityError

from .. import audit
from ..casework import HANDLERS, OUTCOMES, OwnResult
from ..db import database, now
from ..errors import N_, NotAllowed, ValidationError
from ..petition import Petition
from .rules import _apply, _require, check


def record_own_result(petition, by, outcome, facts, opinion, legal_basis, handled_by="office", team=None, at=None):
    """办理 by the office itself: the result (予以支持 / 作出解释说明 / 不予支持, facts, opinion, legal basis) of an
    accepted petition not waiting for a department; it is then handled, to be answered.

    handled_by: "office" (本局) or "studio" (工作室: `team`, else the petition's team). Raises ValidationError on
    the field of a missing or unknown value; NotAllowed unless the petition is accepted with no referral
    awaiting a reply (the step table), or when it has its result already (another clerk a moment ago)."""
    at = at or now()
    if outcome not in dict(OUTCOMES):
        raise ValidationError(N_("Choose the outcome."), field="outcome")
    if handled_by not in dict(HANDLERS):
        raise ValidationError(N_("Choose who handled it."), field="handled_by")
    facts, opinion = _require(facts, "facts"), _require(opinion, "opinion")
    legal_basis = _require(legal_basis, "legal_basis")
    try:
        with database.atomic():
            current = Petition.get_by_id(petition.id)
            check("record_own_result", current)
            if handled_by == "studio":
                team = team or current.team
            else:
                team = None
            handled = _apply("record_own_result", current, by, note=label(handled_by, team), at=at,
                             outcome=outcome, due_on=current.handling_due)
            result = OwnResult.create(petition=handled, handled_by=handled_by, team=team, outcome=outcome,
                                      facts=facts, opinion=opinion, legal_basis=legal_basis, handled_at=at,
                                      recorded_at=now(), recorded_by=getattr(by, "id", None))
            audit.record("create", result, result.id, by=by, summary=handled.number, after=audit.snapshot(result))
            return result
    except IntegrityError:  # the unique petition: another clerk recorded its result a moment ago
        raise NotAllowed(N_("This petition's handling result has already been recorded."))


def own_result(petition):
    """The result the office recorded itself for the petition, or None."""
    return OwnResult.get_or_none(OwnResult.petition == petition.id)


def label(handled_by, team=None):
    """Who handled it, as the timeline and the letter name it: 本局, or 本局“两代表一委员”工作室 (and its team)."""
    if handled_by != "studio":
        return "本局"
    return "本局“两代表一委员”工作室" + ("（%s）" % team.name if team is not None else "")
