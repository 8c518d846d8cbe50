"""A petition's timeline: every step, visit, consultation and mediation in time order."""
import datetime as dt

from flask_babel import gettext

from models import access, workflow
from models.casework import EVALUATIONS, OUTCOMES, VISIT_KINDS, Consultation, ConsultationPetition, Referral, VisitLog
from models.petition import CLASSIFICATIONS, STATUSES, StepRecord

from ... import i18n


def _step_details(petition, step):
    """What a step's note means: a classification, an evaluation, a place, a department, a reason."""
    if step.step == "classify":
        return i18n.choice_label(CLASSIFICATIONS, step.note)
    if step.step == "follow_up":
        return i18n.choice_label(EVALUATIONS, step.note)
    if step.step == "record_reply":  # this reply's outcome, not the petition's latest (another department's)
        reply = petition.referrals.where(Referral.replied_at == step.at).first()
        if reply is not None and reply.outcome:
            return "%s：%s" % (step.note, i18n.choice_label(OUTCOMES, reply.outcome))
    return step.note or ""


def timeline(petition, user):
    """[(when, what, details, who)], oldest first by when it happened (a step typed in on a later day says so), in
    Chinese. Steps already cover referrals, replies,
    objections, follow-ups and the convening of consultations; visits and outcomes are added here. Only the
    steps the user may see (access "steprecord": a department not another department's referral steps)."""
    events = []
    steps = access.visible(petition.steps, user, "steprecord")
    for step in steps.order_by(StepRecord.at, StepRecord.id):
        details = _step_details(petition, step)
        if step.status_after and step.status_after != step.status_before and step.status_before:
            status = i18n.choice_label(STATUSES, step.status_after)
            details = "%s（%s）" % (details, status) if details else status
        if step.recorded_at and step.recorded_at.date() != step.at.date():  # 补录: typed in on a later day
            recorded = gettext("recorded on %(date)s", date=i18n.cn_date(step.recorded_at))
            details = "%s（%s）" % (details, recorded) if details else recorded
        events.append((step.at, gettext(workflow.STEPS.get(step.step, step.step)), details,
                       step.by.display_name if step.by_id else ""))
    for visit in petition.visit_logs.order_by(VisitLog.visited_at):
        events.append((visit.visited_at, i18n.choice_label(VISIT_KINDS, visit.kind),
                       "%s：%s" % (visit.place, visit.summary), visit.staff or ""))
    concluded = (Consultation.select().join(ConsultationPetition)
                 .where((ConsultationPetition.petition == petition) & Consultation.concluded_at.is_null(False)))
    for consultation in concluded:
        events.append((consultation.concluded_at, gettext("Consultation conclusion"), consultation.conclusion, ""))
    for mediation in petition.mediations:
        signed = dt.datetime.combine(mediation.signed_on, dt.time())
        events.append((signed, gettext("Mediation agreement signed"), "%s：%s" % (mediation.place, mediation.parties), ""))
    return sorted(events, key=lambda e: e[0])
