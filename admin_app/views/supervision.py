"""督办: the list of 督办 (kind, department, state, overdue), starting one from an overdue referral or a disputed
petition (提级督办 offered with its reason), its 督办单 (issued through the letter engine) and the department's
reply. The rules are models/supervision.py and models/workflow/supervision.py; a department sees only its own
(models/access.py, kind "supervision")."""
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Optional

from models import access, documents
from models.casework import Referral
from models.errors import NotAllowed
from models.organisation import Department
from models.petition import Petition
from models.supervision import (
    GROUNDS, STATES, SUPERVISION_KINDS, Supervision, default_due, departments_of, escalation_reasons, overdue_clause,
    reason_text, state_clause,
)
from models.workflow import supervision as supervise

from .. import i18n, permissions
from ..letters import render as letters
from .base import SecureModelView, date_formatter, datetime_formatter
from .casework import StepFormPage, links, supervise_links
from .datefields import TypedDateField, done_at
from .fields import ChoiceFilter, deadline_text, petition_link, rows_of
from .petitions.letters import issue_and_say


class StateFilter(BasePeeweeFilter):
    """待反馈 / 已反馈 / 反馈逾期: the state computed from the reply and the deadline (models/supervision.py)."""

    def __init__(self, column, name):
        super().__init__(column, name, options=i18n.choices(STATES))

    def validate(self, value):
        return value in dict(STATES)

    def apply(self, query, value):
        return query.where(state_clause(value))

    def operation(self):
        return _l("equals")


class OverdueFilter(BasePeeweeFilter):
    """是: awaiting the department's reply after the 督办's deadline; 否: the others."""

    def __init__(self, column, name):
        super().__init__(column, name, options=(("1", _l("Yes")), ("0", _l("No"))))

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value):
        late = overdue_clause()
        return query.where(late if value == "1" else ~late)

    def operation(self):
        return _l("equals")


def state_formatter(view, context, model, name):
    state = model.state()
    text = i18n.choice_label(STATES, state)
    if state == "open":
        left, css = deadline_text(model.due_on)
        return Markup('%s <span class="%s">%s</span>') % (text, css, left)
    if state == "overdue":
        return Markup('<span class="text-overdue">%s</span>') % text
    return text + ("" if model.on_time else gettext("(late)"))


class StartForm(SecureForm):
    kind = SelectField(_l("Kind of supervision"), choices=i18n.choices(SUPERVISION_KINDS), default="written")
    department = SelectField(_l("Department"), choices=[], validate_choice=False)
    due_on = TypedDateField(_l("Reply due by"), validators=[Optional()],
                            description=_l("The department's new deadline; 10 days from today when left empty."))
    note = TextAreaField(_l("Supervision opinion"), render_kw={"rows": 4},
                         description=_l("What the office asks of the department; printed on the supervision sheet."))
    escalate = BooleanField(_l("Escalated supervision"))


class RespondForm(SecureForm):
    reply = TextAreaField(_l("The department's reply"), render_kw={"rows": 5},
                          description=_l("What was found, what was done, and how the petitioner was answered."))
    at = done_at()


class SupervisionView(StepFormPage, SecureModelView):
    """督办: each with its grounds, department, kind and new deadline; the reply recorded on its own form."""

    route_ops = {"supervise_view": "create", "respond_view": "step", "sheet_view": "letter"}

    can_create = False  # started from the referral or the petition (supervise_view)
    can_edit = False
    can_delete = False
    details_template = "admin/supervision_details.html"
    column_list = ("petition", "department", "kind", "grounds", "started_at", "due_on", "state", "escalated",
                   "replied_at", "handle")
    column_labels = {
        "petition": _l("Petition"), "department": _l("Department"), "kind": _l("Kind of supervision"),
        "grounds": _l("Grounds"), "started_at": _l("Supervised on"), "due_on": _l("Reply due by"),
        "state": _l("Status"), "escalated": _l("Escalated supervision"), "replied_at": _l("Reply received at"),
        "handle": _l("Handle"), "note": _l("Supervision opinion"), "escalation_reason": _l("Reason for escalation"),
        "started_by": _l("Supervised by"), "reply": _l("The department's reply"), "replied_by": _l("Replied by"),
        "referral": _l("Referral"),
    }
    column_details_list = ("petition", "department", "kind", "grounds", "note", "started_at", "started_by", "due_on",
                           "state", "escalated", "escalation_reason", "reply", "replied_at", "replied_by")
    column_export_list = ("petition", "department", "kind", "grounds", "note", "started_at", "due_on", "state",
                          "escalated", "escalation_reason", "reply", "replied_at")
    column_formatters = {
        "petition": petition_link, "started_at": date_formatter, "due_on": date_formatter,
        "replied_at": date_formatter, "state": state_formatter,
        "handle": lambda view, context, model, name: view.handle_links(model)}
    column_formatters_detail = dict(column_formatters, started_at=datetime_formatter, replied_at=datetime_formatter)
    column_formatters_export = {
        "petition": lambda view, context, model, name: model.petition.number,
        "state": lambda view, context, model, name: i18n.choice_label(STATES, model.state()),
        "started_at": date_formatter, "due_on": date_formatter, "replied_at": date_formatter}
    column_default_sort = [("started_at", True), ("id", True)]
    column_sortable_list = ("started_at", "due_on")
    column_filters = (
        ChoiceFilter(Supervision.kind, _l("Kind of supervision"), i18n.choices(SUPERVISION_KINDS)),
        ChoiceFilter(Supervision.department, _l("Department"), rows_of(Department)),
        StateFilter(Supervision.replied_at, _l("Status")),
        OverdueFilter(Supervision.due_on, _l("Overdue")),
        ChoiceFilter(Supervision.grounds, _l("Grounds"), i18n.choices(GROUNDS)),
    )

    # -- links ---------------------------------------------------------------------------------------------

    def may_respond(self):
        return self.permitted("step") and permissions.may_take_step(current_user.role, "reply_supervision")

    def handle_links(self, supervision):
        if supervision.replied_at is not None or not self.may_respond():
            return ""
        return links((url_for(".respond_view", id=supervision.id), gettext("Record the reply to the supervision")))

    def csrf(self):
        return SecureForm().csrf_token.current_token

    def sheet(self, supervision):
        """The 督办单 in force for this 督办 (a Document without its bytes), or None."""
        return documents.current("supervision_sheet", supervision.petition, supervision.id)

    def sheet_links(self, supervision):
        """The 督办单: download it when issued (the 文书 screen, its own scope), or the 印发 button."""
        document = self.sheet(supervision)
        if document is not None:
            if not permissions.allowed(current_user.role, "document", "letter"):
                return {"number": document.number, "url": None}
            return {"number": document.number, "url": url_for("document.download_view", id=document.id, inline=1)}
        if not self.permitted("letter") or not permissions.allowed(current_user.role, "petition", "letter"):
            return {"number": None, "url": None, "issue_url": None}
        return {"number": None, "url": None, "issue_url": url_for(".sheet_view", id=supervision.id)}

    # -- starting a 督办 -------------------------------------------------------------------------------------

    def target(self):
        """(petition, referral or None) of ?referral= or ?petition=, each within the user's scope; else 404."""
        user = current_user.user
        referral_id, petition_id = request.args.get("referral", ""), request.args.get("petition", "")
        if referral_id.isdigit():
            referral = access.visible(Referral.select(), user, "referral").where(
                Referral.id == int(referral_id)).first()
            if referral is None:
                abort(404)
            return referral.petition, referral
        if petition_id.isdigit():
            petition = access.visible(Petition.select(), user, "petition").where(
                Petition.id == int(petition_id)).first()
            if petition is None:
                abort(404)
            return petition, None
        abort(404)

    @expose("/supervise/", methods=("GET", "POST"))
    def supervise_view(self):
        """督办 from a referral (?referral=) or a petition (?petition=): the grounds checked first; 提级督办 is
        offered (ticked) with its reason when the case has gone back and forth (escalation_reasons)."""
        petition, referral = self.target()
        back = url_for("referral.details_view", id=referral.id) if referral is not None else url_for(
            "petition.details_view", id=petition.id)
        try:
            grounds = supervise.grounds_for(petition, referral)
        except NotAllowed as err:
            flash(i18n.error_message(err), "error")
            return redirect(url_for("petition.details_view", id=petition.id))
        offered = reason_text(escalation_reasons(petition), gettext)
        form = self.step_form(StartForm, data=None if request.method == "POST" else {
            "due_on": default_due(), "escalate": bool(offered)})
        if referral is not None:
            del form.department
        else:
            form.department.choices = [(str(d.id), d.name) for d in departments_of(petition)]
        facts = [(gettext("Petition"), "%s %s" % (petition.number, petition.subject)),
                 (gettext("Grounds"), i18n.choice_label(GROUNDS, grounds))]
        if referral is not None:
            facts += [(gettext("Department"), referral.department.name),
                      (gettext("Due date"), i18n.cn_date(referral.due_on))]
        facts.append((gettext("Escalated supervision"), gettext("Offered: %(reason)s", reason=offered) if offered
                      else gettext("Not offered (the case has not gone back and forth).")))

        def run():
            department = None
            if referral is None:
                chosen = form.department.data or ""
                department = Department.get_or_none(Department.id == int(chosen)) if chosen.isdigit() else None
            started = supervise.start(petition, current_user.user, form.kind.data, form.note.data,
                                      department=department, referral=referral, due_on=form.due_on.data,
                                      escalate=form.escalate.data, translate=gettext)
            return (gettext("%(department)s is under supervision; issue the supervision sheet below.",
                            department=started.department.name), url_for(".details_view", id=started.id))

        return self.step_page(form, gettext("Supervise"), facts, run, back)

    # -- the department's reply --------------------------------------------------------------------------

    @expose("/respond/", methods=("GET", "POST"))
    def respond_view(self):
        supervision = self.get_one(request.args.get("id", ""))
        if not permissions.may_take_step(current_user.role, "reply_supervision"):
            abort(403)
        if supervision.replied_at is not None:
            flash(gettext("This supervision has already been replied to."), "error")
            return redirect(url_for(".details_view", id=supervision.id))
        form = self.step_form(RespondForm)
        facts = [(gettext("Petition"), "%s %s" % (supervision.petition.number, supervision.petition.subject)),
                 (gettext("Department"), supervision.department.name),
                 (gettext("Kind of supervision"), i18n.choice_label(SUPERVISION_KINDS, supervision.kind)),
                 (gettext("Supervision opinion"), supervision.note),
                 (gettext("Reply due by"), i18n.cn_date(supervision.due_on))]

        def run():
            supervise.reply(supervision, current_user.user, form.reply.data, at=form.at.data)
            return (gettext("The reply of %(department)s to the supervision was recorded.",
                            department=supervision.department.name), url_for(".details_view", id=supervision.id))

        return self.step_page(form, gettext("Record the reply to the supervision"), facts, run,
                              url_for(".details_view", id=supervision.id))

    # -- the 督办单 ---------------------------------------------------------------------------------------------

    @expose("/sheet/", methods=("POST",))
    def sheet_view(self):
        """印发 the 督办单 of a 督办 (numbered and archived by the letter engine; once: then it is downloaded)."""
        supervision = self.get_one(request.args.get("id", ""))
        if not permissions.allowed(current_user.role, "petition", "letter"):
            abort(403)
        back = url_for(".details_view", id=supervision.id)
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        issue_and_say(lambda: letters.issue_letter("supervision_sheet", supervision.petition, current_user.user,
                                                   record_id=supervision.id))
        return redirect(back)


def petition_context(petition):
    """The 督办 section of the petition's page: its 督办 this user sees, the 督办 buttons (each overdue referral,
    and the petition's own grounds) and, when 提级督办 is offered, its reason."""
    user = current_user.user
    if not permissions.allowed(current_user.role, "supervision", "read"):
        return {"supervisions": None}
    rows = list(access.visible(petition.supervisions.order_by(Supervision.id), user, "supervision"))
    buttons = []
    if permissions.allowed(current_user.role, "supervision", "create"):
        for referral in access.visible(petition.referrals.where(Referral.state == "sent"), user, "referral"):
            url = supervise_links(referral=referral)
            if url:
                buttons.append((url, gettext("Supervise %(department)s (overdue)", department=referral.department.name)))
        url = supervise_links(petition=petition)
        if url:
            buttons.append((url, gettext("Supervise (the petitioner dissatisfied or asking for review)")))
    offered = reason_text(escalation_reasons(petition), gettext) if buttons else ""
    return {"supervisions": [{
        "url": url_for("supervision.details_view", id=s.id), "department": s.department.name,
        "kind": i18n.choice_label(SUPERVISION_KINDS, s.kind), "grounds": i18n.choice_label(GROUNDS, s.grounds),
        "started_on": i18n.cn_date(s.started_at), "due_on": i18n.cn_date(s.due_on),
        "state": i18n.choice_label(STATES, s.state()), "escalated": s.escalated} for s in rows],
        "supervise_buttons": buttons, "escalation_offered": offered}
