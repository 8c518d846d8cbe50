"""我的待办 on the home page: the signed-in user's worklist (models/reports/worklists.py) as groups of lines, each
line linked to where its work is done. A link is made only when permissions.py lets this user open it (the
screen and the operation, a workflow step its role may take), so no line leads to a refusal."""
import datetime as dt

from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from models import deadlines
from models.casework import SESSIONS
from models.documents import KINDS
from models.errors import N_
from models.reports import worklists
from models.reports.early_signs import KINDS as FLAG_KINDS
from models.workflow import roster

from ... import i18n, permissions

CONTENT_CHARS = 60  # of the petitioner's request shown on a department's line


def may(endpoint, op="read"):
    return permissions.allowed(current_user.role, endpoint, op)


def petition_url(petition_id, anchor=None):
    return url_for("petition.details_view", id=petition_id, _anchor=anchor) if may("petition") else None


def due_text(due_on, today):
    """剩余3天 / 今日到期 / 已超期2天, with the css of the deadline's urgency."""
    left = deadlines.days_left(due_on, today)
    if left is None:
        return None, ""
    css = {"overdue": "text-overdue", "due_soon": "text-due-soon"}.get(deadlines.urgency(due_on, today), "")
    if left < 0:
        return gettext("Overdue by %(days)s days", days=-left), css
    if left == 0:
        return gettext("Due today"), css
    return gettext("%(days)s days left", days=left), css


def petition_line(petition, today, due_on=None, actions=(), anchor=None):
    due, css = due_text(due_on, today)
    return {"title": "%s %s" % (petition.number, petition.subject), "url": petition_url(petition.id, anchor),
            "detail": None, "due": due, "css": css, "actions": [a for a in actions if a and a["url"]]}


def action(step, petition_id, label):
    if not (may("petition", "step") and permissions.may_take_step(current_user.role, step)):
        return None
    return {"url": url_for("petition.step_view", step=step, ids=petition_id), "label": label}


def referral_line(referral, today, department_view=False):
    petition = referral.petition
    due, css = due_text(referral.due_on, today)
    actions = []
    if may("referral", "step"):
        if permissions.may_take_step(current_user.role, "record_reply"):
            actions.append({"url": url_for("referral.reply_view", id=referral.id),
                            "label": gettext("Record the reply")})
        if department_view and permissions.may_take_step(current_user.role, "object"):
            actions.append({"url": url_for("referral.object_view", id=referral.id),
                            "label": gettext("Object: not competent")})
    content = (petition.content or "").strip()
    if len(content) > CONTENT_CHARS:
        content = content[:CONTENT_CHARS] + "…"
    return {"title": "%s %s" % (petition.number, petition.subject),
            "url": url_for("referral.details_view", id=referral.id) if may("referral") else None,
            "detail": (gettext("Request: %(content)s", content=content) if department_view
                       else referral.department.name),
            "due": due, "css": css, "actions": actions}


def supervision_line(supervision, today, department_view=False):
    """A 督办: the petition, the department (the office's line) or the 督办意见 (the department's), the new
    deadline; the reply button for who may reply."""
    petition = supervision.petition
    due, css = due_text(supervision.due_on, today)
    actions = []
    if may("supervision", "step") and permissions.may_take_step(current_user.role, "reply_supervision"):
        actions.append({"url": url_for("supervision.respond_view", id=supervision.id),
                        "label": gettext("Record the reply to the supervision")})
    note = supervision.note if len(supervision.note) <= CONTENT_CHARS else supervision.note[:CONTENT_CHARS] + "…"
    return {"title": "%s %s" % (petition.number, petition.subject),
            "url": url_for("supervision.details_view", id=supervision.id) if may("supervision") else None,
            "detail": note if department_view else supervision.department.name,
            "due": due, "css": css, "actions": actions}


REVIEW_STAGES = {  # status: (what is open, the step that does the work there, if any, and its button)
    "answered": (N_("The petitioner may request a review"), None, None),
    "followed_up": (N_("The petitioner may request a review"), None, None),
    "reviewed": (N_("The petitioner may request a re-examination"), None, None),
    "under_review": (N_("Review opinion due"), "record_review", N_("Record the review opinion")),
    "under_recheck": (N_("Re-examination opinion due"), "record_recheck", N_("Record the re-examination opinion")),
}


def review_line(petition, today):
    stage, step, label = REVIEW_STAGES[petition.status]
    line = petition_line(petition, today, worklists.review_due(petition),
                         [action(step, petition.id, gettext(label)) if step else None])
    line["detail"] = gettext(stage)
    return line


def dissatisfied_line(petition, today):
    """不满意 on the look-up page: the 复查 notice (the petitioner may request 复查 until the window's end)."""
    due = worklists.review_due(petition)
    line = petition_line(petition, today, due, [action("request_review", petition.id, gettext("Request review"))],
                         anchor="timeline")
    line["detail"] = gettext("The petitioner is dissatisfied; a review may be requested until %(date)s",
                             date=i18n.cn_date(due))
    return line


def flag_line(flag):
    return {"title": gettext(flag.reason, **flag.params), "detail": i18n.choice_label(FLAG_KINDS, flag.kind),
            "url": url_for("flags.index_view") if may("flags") else None, "due": None, "css": "", "actions": []}


def shift_line(shift, today):
    line = {"title": "%s %s" % (i18n.cn_date(shift.on_date), i18n.choice_label(SESSIONS, shift.session)),
            "detail": shift.place, "url": url_for("dutyshift.details_view", id=shift.id) if may("dutyshift") else None,
            "due": None, "css": "", "actions": []}
    if shift.on_date == today and may_record_visit(shift):
        line["actions"].append({"url": url_for("dutyshift.visit_view", id=shift.id), "label": gettext("Record a visit")})
    return line


def may_record_visit(shift):
    """The 记录接访 button of a duty shift: for who may write visit logs, a representative on its own shifts only."""
    if not (may("dutyshift") and may("visitlog", "create")):
        return False
    return roster.may_record_from(shift, current_user.user)


def consultation_line(consultation, today):
    actions = []
    if may("consultation", "step") and permissions.may_take_step(current_user.role, "conclude"):
        actions.append({"url": url_for("consultation.conclude_view", id=consultation.id),
                        "label": gettext("Conclude the consultation")})
    return {"title": "%s %s" % (i18n.cn_datetime(consultation.held_at), consultation.agenda[:40]),
            "detail": consultation.place,
            "url": url_for("consultation.details_view", id=consultation.id) if may("consultation") else None,
            "due": None, "css": "", "actions": actions}


def delivery_line(document, today):
    """A letter to deliver: its number and kind, the petition, since when it waits; to the petition's 文书."""
    waited = (today - document.issued_at.date()).days
    return {"title": "%s %s" % (document.number, gettext(KINDS[document.kind])),
            "url": petition_url(document.petition_id, "documents"),
            "detail": gettext("Issued on %(date)s, %(days)s days ago", date=i18n.cn_date(document.issued_at),
                              days=waited), "due": None, "css": "", "actions": []}


def lines(group, today):
    """The group's rows as lines: title, link, detail, deadline, the buttons of its work."""
    key = group.key
    if key == "to_accept":
        return [petition_line(p, today, p.notice_due, [action("accept", p.id, gettext("Accept")),
                                                       action("reject", p.id, gettext("Do not accept"))])
                for p in group.rows]
    if key == "notice_to_issue":
        letter = may("petition", "letter")  # issued from the petition page's 文书 section
        return [petition_line(p, today, None, [{"url": petition_url(p.id, "letters"),
                                                "label": gettext("Issue the acceptance notice")} if letter else None])
                for p in group.rows]
    if key in ("awaiting_reply", "referrals"):
        return [referral_line(r, today, department_view=key == "referrals") for r in group.rows]
    if key == "to_answer":
        return [petition_line(p, today, p.handling_due, [action("answer", p.id, gettext("Answer the petitioner"))])
                for p in group.rows]
    if key in ("follow_up_due", "follow_ups"):
        return [petition_line(p, today, None, [action("follow_up", p.id, gettext("Follow up"))]) for p in group.rows]
    if key == "reviews":
        return [review_line(p, today) for p in group.rows]
    if key in ("supervisions_overdue", "supervisions"):
        return [supervision_line(s, today, department_view=key == "supervisions") for s in group.rows]
    if key == "dissatisfied":
        return [dissatisfied_line(p, today) for p in group.rows]
    if key == "to_deliver":
        return [delivery_line(d, today) for d in group.rows]
    if key == "flags":
        return [flag_line(flag) for flag in group.rows]
    if key == "shifts":
        return [shift_line(s, today) for s in group.rows]
    if key == "consultations":
        return [consultation_line(c, today) for c in group.rows]
    if key == "sign_off":
        return [petition_line(p, today, None, [action("sign_off", p.id, gettext("Leader's instruction"))])
                for p in group.rows]
    return [petition_line(p, today, p.due_on) for p in group.rows]  # groups, led: the petition page


def worklist(today=None):
    """我的待办 of the signed-in user: [{key, label, count, lines, more}] (more: rows not shown)."""
    today = today or dt.date.today()
    groups = worklists.for_user(current_user.user, today)
    return [{"key": g.key, "label": gettext(g.label), "count": g.count, "lines": lines(g, today),
             "more": g.count - len(g.rows)} for g in groups]
