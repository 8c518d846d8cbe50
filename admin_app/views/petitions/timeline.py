"""A petition's timeline: every step, visit, consultation and mediation in time order."""
import datetime as dt

from flask_babel import gettext

from models import access, workflow
from models.casework import (
    EVALUATIONS, FOLLOW_UP_METHODS, OUTCOMES, VISIT_KINDS, Consultation, ConsultationPetition, FollowUp, Referral,
    VisitLog, VisitRepresentative,
)
from models.delivery import METHODS, Delivery
from models.documents import KINDS, Document
from models.evaluation import Evaluation
from models.people import Representative
from models.petition import CLASSIFICATIONS, STATUSES, StepRecord
from models.workflow import own_result

from ... import i18n


def _step_details(petition, step, follow_ups):
    """What a step's note means: a classification, an evaluation, a place, a department, a reason."""
    if step.step == "classify":
        return i18n.choice_label(CLASSIFICATIONS, step.note)
    if step.step == "follow_up":
        record = follow_ups.pop(0) if follow_ups else None
        return _follow_up_details(record) if record is not None else i18n.choice_label(EVALUATIONS, step.note)
    if step.step == "record_reply":  # this reply's outcome, not the petition's latest (another department's)
        reply = petition.referrals.where(Referral.replied_at == step.at).first()
        if reply is not None and reply.outcome:
            return "%s：%s" % (step.note, i18n.choice_label(OUTCOMES, reply.outcome))
    if step.step == "record_own_result":  # 自行办理: who handled it (本局 / 工作室) and the outcome
        result = own_result.own_result(petition)
        if result is not None:
            return "%s：%s" % (step.note, i18n.choice_label(OUTCOMES, result.outcome))
    return step.note or ""


def _follow_up_details(record):
    """复诊: the day the petitioner was asked, how, the evaluation and the comments."""
    details = gettext("Followed up on %(date)s (%(method)s): %(evaluation)s", date=i18n.cn_date(record.followed_on),
                      method=i18n.choice_label(FOLLOW_UP_METHODS, record.method),
                      evaluation=i18n.choice_label(EVALUATIONS, record.evaluation))
    return "%s；%s" % (details, record.comments.strip()) if (record.comments or "").strip() else details


def _evaluation_details(record):
    """满意 / 基本满意 / 不满意 (and the comment), of the 答复 of which day; changed since, when it was."""
    details = gettext("%(rating)s (evaluated on the look-up page)", rating=i18n.choice_label(EVALUATIONS, record.rating))
    details += gettext("; of the answer of %(date)s", date=i18n.cn_date(record.answered_at))
    if (record.comment or "").strip():
        details += "；%s" % record.comment.strip()
    if record.updated_at and record.created_at and record.updated_at > record.created_at:
        details += gettext(" (changed on %(date)s)", date=i18n.cn_date(record.updated_at))
    return details


def _present(visit):
    """Who was at a visit, by name: the staff as typed, then the representatives present."""
    names = [rep.name for rep in Representative.select(Representative.name).join(VisitRepresentative)
             .where(VisitRepresentative.visit == visit.id).order_by(VisitRepresentative.id)]
    return "、".join(([visit.staff] if visit.staff else []) + names)


def _name(user):
    """A person's name as the office knows it (the user's display name), never the login name alone."""
    return user.display_name if user is not None else ""


def timeline(petition, user):
    """[(when, what, details, who)], oldest first by when it happened (a step typed in on a later day says so), in
    Chinese. Steps already cover referrals, replies,
    objections, follow-ups and the convening of consultations; visits and outcomes are added here. Only the
    steps the user may see (access "steprecord": a department not another department's referral steps)."""
    events = []
    steps = access.visible(petition.steps, user, "steprecord")
    # a 复诊 step and its record are written together: the n-th step is the n-th record
    follow_ups = list(access.visible(petition.follow_ups.order_by(FollowUp.id), user, "followup"))
    for step in steps.order_by(StepRecord.id):
        details = _step_details(petition, step, follow_ups)
        if step.status_after and step.status_after != step.status_before and step.status_before:
            status = i18n.choice_label(STATUSES, step.status_after)
            details = "%s（%s）" % (details, status) if details else status
        if step.recorded_at and step.recorded_at.date() != step.at.date():  # 补录: typed in on a later day
            recorded = gettext("recorded on %(date)s", date=i18n.cn_date(step.recorded_at))
            details = "%s（%s）" % (details, recorded) if details else recorded
        events.append((step.at, gettext(workflow.STEPS.get(step.step, step.step)), details,
                       _name(step.by) if step.by_id else ""))
    for visit in petition.visit_logs.order_by(VisitLog.visited_at):
        events.append((visit.visited_at, i18n.choice_label(VISIT_KINDS, visit.kind),
                       "%s：%s" % (visit.place, visit.summary), _present(visit)))
    concluded = (Consultation.select().join(ConsultationPetition)
                 .where((ConsultationPetition.petition == petition) & Consultation.concluded_at.is_null(False)))
    for consultation in concluded:
        events.append((consultation.concluded_at, gettext("Consultation conclusion"), consultation.conclusion,
                       _name(consultation.convened_by) if consultation.convened_by_id else ""))
    for mediation in petition.mediations:
        signed = dt.datetime.combine(mediation.signed_on, dt.time())
        events.append((signed, gettext("Mediation agreement signed"), "%s：%s" % (mediation.place, mediation.parties),
                       _name(mediation.recorded_by) if mediation.recorded_by_id else ""))
    for record in petition.evaluations.order_by(Evaluation.id):  # 评价 on the look-up page (models/evaluation.py)
        events.append((record.created_at, gettext("Petitioner's evaluation"), _evaluation_details(record),
                       gettext("Petitioner")))
    for delivery in _deliveries(petition, user):
        events.append((delivery.delivered_at, gettext("Delivery"), gettext(
            "%(kind)s %(number)s: %(method)s, to %(recipient)s", kind=gettext(KINDS[delivery.document.kind]),
            number=delivery.document.external_number or delivery.document.number, method=i18n.choice_label(METHODS, delivery.method),
            recipient=delivery.recipient), _name(delivery.recorded_by) if delivery.recorded_by_id else ""))
    return sorted(events, key=lambda e: e[0])


def _deliveries(petition, user):
    """送达 of the petition's letters the user may see (access "document")."""
    documents = access.visible(Document.select(Document.id), user, "document").where(Document.petition == petition)
    return (Delivery.select(Delivery, Document.id, Document.kind, Document.number, Document.external_number)
            .join(Document)
            .where(Delivery.document.in_(documents)).order_by(Delivery.id))
