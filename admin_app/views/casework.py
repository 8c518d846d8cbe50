"""Casework screens of the 六诊: referrals (分诊), mediations, follow-ups (复诊) and the duty roster (坐诊);
consultations (会诊) have their own module, consultations.py. Records made by a step of a petition are read here, and the
steps that belong to one record (a department's reply or objection, a consultation's conclusion) are
small forms of their own that call models.workflow."""
import datetime as dt
import logging

from flask import flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from flask_admin.contrib.peewee.form import get_form
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField, TextAreaField

from models import audit, deadlines, workflow
from models.casework import (
    EVALUATIONS, OUTCOMES, PARTICULARS_HELP, PLACES, REFERRAL_MODES, REFERRAL_STATES, DutyShift, FollowUp, Mediation,
    Referral, parse_particulars,
)
from models.validation import mask_id_number, mask_phone
from models.errors import DomainError, NotAllowed
from models.organisation import Department
from models.people import Representative
from models.petition import Petition
from models.submissions import AlreadySaved
from models.workflow import supervision as supervise

from .. import i18n, once, permissions
from .base import SecureModelView, clean_ids, date_formatter, datetime_formatter
from .fields import (
    ActiveLoader, ChoiceFilter, KeepHidden, deadline_text, filled, petition_link, rows_of, suggest_field,
)
from .datefields import DateRange, done_at

log = logging.getLogger(__name__)


def referral_due_formatter(view, context, model, name):
    """The due date of a referral still awaiting its reply, with the days left: 即将到期 / 已超期 coloured."""
    due_on = getattr(model, name)
    if due_on is None or model.state != "sent":
        return i18n.cn_date(due_on)
    text, css = deadline_text(due_on)
    return Markup('%s <span class="%s">%s</span>') % (i18n.cn_date(due_on), css, text)


def links(*pairs):
    return Markup(" ").join(Markup('<a class="btn btn-sm btn-outline-primary" href="%s">%s</a>') % pair
                            for pair in pairs)


class Overdue(BasePeeweeFilter):
    """Referrals still awaiting the department's reply after their due date (是), or not (否)."""

    def __init__(self, column, name):
        super().__init__(column, name, options=(("1", _l("Yes")), ("0", _l("No"))))

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value):
        late = (Referral.state == "sent") & (self.column < dt.date.today())
        return query.where(late if value == "1" else ~late)

    def operation(self):
        return _l("equals")


class ReplyForm(SecureForm):
    outcome = SelectField(_l("Outcome"), choices=[("", "—")] + i18n.choices(OUTCOMES))
    facts = TextAreaField(_l("Facts"), render_kw={"rows": 4})
    opinion = TextAreaField(_l("Opinion"), render_kw={"rows": 4})
    legal_basis = TextAreaField(_l("Legal basis"), render_kw={"rows": 3})
    at = done_at()


class ObjectionForm(SecureForm):
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 4},
                           description=_l("Why the department is not competent, and which organ is."))
    at = done_at()


class ConcludeForm(SecureForm):
    conclusion = TextAreaField(_l("Conclusion"), render_kw={"rows": 4})
    minutes = TextAreaField(_l("Minutes"), render_kw={"rows": 6})
    follow_up_tasks = TextAreaField(_l("Follow-up tasks"), render_kw={"rows": 3})
    at = done_at()


class StepFormPage:
    """A small form page that runs one workflow step: the error in Chinese on the form and nothing written,
    or a message and the way back to the petition."""

    form_template = "admin/casework_form.html"

    def step_page(self, form, title, facts, run, back_url):
        """run() takes the step and returns (message, where to go); a DomainError is shown on the form."""
        found = once.earlier() if request.method == "POST" else None
        if found is not None:  # this form was saved already (Back, then 确定 again): admin_app/once.py
            return once.answer(found, back_url)
        if request.method == "POST":
            if not form.validate():
                if form.csrf_token.errors:
                    flash(gettext("The form has expired; please try again."), "error")
            else:
                try:
                    with once.saving(request.endpoint) as submission:
                        message, target = run()
                        once.settle(submission, kind=getattr(submission, "form", "").split(".")[0] or None,
                                    record_id=record_of(request.args.get("id")))
                except AlreadySaved as err:
                    return once.answer(err, back_url)
                except DomainError as err:
                    self._show_error(form, err)
                except Exception:
                    log.exception("%s failed", title)
                    flash(gettext("The record could not be saved; nothing was changed."), "error")
                else:
                    flash(message, "success")
                    return redirect(target)
        return self.render(self.form_template, form=form, title=title, facts=facts, cancel_url=back_url)

    def form_data(self):
        return request.form if request.method == "POST" else None

    def step_form(self, form_class, **kwargs):
        """The step's form, with its one-time submission token."""
        return once.with_token(form_class)(self.form_data(), **kwargs)


def record_of(value):
    return int(value) if str(value or "").isdigit() else None


class ReferralView(StepFormPage, SecureModelView):
    """分诊记录: petitions sent to departments; the reply or objection is recorded on its own small form."""

    route_ops = {"reply_view": "step", "object_view": "step"}

    can_create = False  # a referral is made by the 分诊 step on the petition
    can_edit = False
    can_delete = False
    details_template = "admin/referral_details.html"
    column_list = ("petition", "department", "mode", "sent_at", "due_on", "state", "outcome", "handle")
    column_labels = {
        "petition": _l("Petition"), "department": _l("Department"), "mode": _l("Mode"), "sent_at": _l("Sent on"),
        "due_on": _l("Due date"), "state": _l("Status"), "outcome": _l("Outcome"), "handle": _l("Handle"),
        "instructions": _l("Instructions"), "facts": _l("Facts"), "opinion": _l("Opinion"),
        "legal_basis": _l("Legal basis"), "replied_at": _l("Replied at"), "objection_reason": _l("Objection"),
        "objected_at": _l("Objected at"), "sent_by": _l("Sent by"),
    }
    column_details_list = ("petition", "department", "mode", "instructions", "sent_at", "due_on", "sent_by", "state",
                           "outcome", "facts", "opinion", "legal_basis", "replied_at", "objection_reason",
                           "objected_at")
    column_formatters = {"petition": petition_link, "sent_at": date_formatter, "due_on": referral_due_formatter,
                         "outcome": lambda view, context, model, name: i18n.choice_label(OUTCOMES, model.outcome),
                         "handle": lambda view, context, model, name: view.handle_links(model)}
    column_formatters_detail = {"petition": petition_link, "sent_at": datetime_formatter,
                                "due_on": referral_due_formatter, "outcome": column_formatters["outcome"],
                                "replied_at": datetime_formatter, "objected_at": datetime_formatter}
    column_default_sort = [("sent_at", True), ("id", True)]
    column_sortable_list = ("sent_at", "due_on", "state")
    column_filters = (
        ChoiceFilter(Referral.state, _l("Status"), i18n.choices(REFERRAL_STATES)),
        ChoiceFilter(Referral.mode, _l("Mode"), i18n.choices(REFERRAL_MODES)),
        ChoiceFilter(Referral.department, _l("Department"), rows_of(Department)),
        Overdue(Referral.due_on, _l("Overdue")),
    )

    def handle_links(self, referral):
        if referral.state != "sent":
            return ""
        return links((url_for(".reply_view", id=referral.id), gettext("Record the department's reply")),
                     (url_for(".object_view", id=referral.id), gettext("Object")))

    def supervise_url(self, referral):
        """督办 of an overdue referral, for who may start one (views/supervision.py)."""
        return supervise_links(referral=referral)

    @action("record_reply", _l("Record the department's reply"))
    def action_record_reply(self, ids):
        return self.one_form(".reply_view", ids)

    @action("object", _l("Object: not competent"))
    def action_object(self, ids):
        return self.one_form(".object_view", ids)

    def one_form(self, endpoint, ids):
        ids = clean_ids(ids)
        if len(ids) != 1:
            flash(gettext("Choose one referral: each reply is recorded on its own form."), "error")
            return None
        return redirect(url_for(endpoint, id=ids[0]))

    def referral_facts(self, referral):
        return [(gettext("Petition"), "%s %s" % (referral.petition.number, referral.petition.subject)),
                (gettext("Department"), referral.department.name),
                (gettext("Mode"), i18n.choice_label(REFERRAL_MODES, referral.mode)),
                (gettext("Sent on"), i18n.cn_datetime(referral.sent_at)),
                (gettext("Due date"), i18n.cn_date(referral.due_on))]

    def awaiting(self, referral):
        """None when the referral still awaits its reply; else the way back, with the reason shown."""
        if referral.state == "sent":
            return None
        flash(gettext("This referral has already been answered or objected to."), "error")
        return redirect(url_for(".details_view", id=referral.id))

    @expose("/reply/", methods=("GET", "POST"))
    def reply_view(self):
        referral = self.get_one(request.args.get("id", ""))
        form = self.step_form(ReplyForm)

        def run():
            workflow.record_reply(referral, by=current_user.user, outcome=form.outcome.data, facts=form.facts.data,
                                  opinion=form.opinion.data, legal_basis=form.legal_basis.data, at=form.at.data)
            return (gettext("The reply of %(department)s was recorded.", department=referral.department.name),
                    url_for("petition.details_view", id=referral.petition_id))

        return self.awaiting(referral) or self.step_page(
            form, gettext("Record the department's reply"), self.referral_facts(referral), run,
            url_for(".details_view", id=referral.id))

    @expose("/object/", methods=("GET", "POST"))
    def object_view(self):
        referral = self.get_one(request.args.get("id", ""))
        form = self.step_form(ObjectionForm)
        facts = self.referral_facts(referral) + [
            (gettext("Objection period ends"), i18n.cn_date(deadlines.objection_due(referral.sent_at)))]

        def run():
            workflow.object_to_referral(referral, by=current_user.user, reason=form.reason.data, at=form.at.data)
            return (gettext("The objection was recorded; the petition is back for referral."),
                    url_for("petition.details_view", id=referral.petition_id))

        return self.awaiting(referral) or self.step_page(
            form, gettext("Object: not competent"), facts, run, url_for(".details_view", id=referral.id))


def supervise_links(petition=None, referral=None):
    """The 督办 button of a referral (overdue) or a petition (dissatisfied, review) for who may start one, or None
    (the 督办 screen itself is views/supervision.py)."""
    if not permissions.allowed(current_user.role, "supervision", "create"):
        return None
    try:
        supervise.grounds_for(petition or referral.petition, referral)
    except NotAllowed:
        return None
    if referral is not None:
        return url_for("supervision.supervise_view", referral=referral.id)
    return url_for("supervision.supervise_view", petition=petition.id)


def masked_particulars(view, context, model, name):
    """The parties' particulars as the screens show them: ID numbers and phones masked (the letter, the parties'
    own, prints them in full)."""
    rows = parse_particulars(getattr(model, name))
    return Markup("<br>").join("，".join([row["name"], row["sex"], row["ethnicity"], row["born"],
                                          mask_id_number(row["id_number"]), row["address"], mask_phone(row["phone"])])
                               for row in rows)


class MediationView(SecureModelView):
    """调解: agreements signed by the parties; recorded through workflow.mediate, then only the court's
    confirmation is edited."""

    can_delete = False
    column_list = ("petition", "signed_on", "parties", "mediator", "lawyer", "place", "judicial_confirmation")
    column_labels = {
        "petition": _l("Petition"), "parties": _l("Parties"), "mediator": _l("Mediator"), "lawyer": _l("Lawyer"),
        "place": _l("Place"), "agreement": _l("Agreement"), "signed_on": _l("Signed on"),
        "judicial_confirmation": _l("Judicial confirmation"), "recorded_by": _l("Recorded by"),
        "created_at": _l("Created"), "committee": _l("Mediation committee"),
        "party_particulars": _l("Parties' particulars"), "dispute_facts": _l("Facts of the dispute"),
        "disputed_matters": _l("Matters in dispute"),
    }
    column_details_list = ("petition", "committee", "parties", "party_particulars", "dispute_facts",
                           "disputed_matters", "mediator", "lawyer", "place", "agreement", "signed_on",
                           "judicial_confirmation", "recorded_by", "created_at")
    column_formatters = {"petition": petition_link, "signed_on": date_formatter}
    column_formatters_detail = {"petition": petition_link, "signed_on": date_formatter,
                                "created_at": datetime_formatter, "party_particulars": masked_particulars}
    column_default_sort = [("signed_on", True), ("id", True)]
    column_sortable_list = ("signed_on",)
    column_searchable_list = (Mediation.parties, Mediation.agreement)
    column_filters = (ChoiceFilter(Mediation.judicial_confirmation, _l("Judicial confirmation"),
                                   i18n.choices(Mediation.judicial_confirmation.choices)),)
    form_columns = ("petition", "committee", "parties", "party_particulars", "dispute_facts", "disputed_matters",
                    "mediator", "lawyer", "place", "agreement", "signed_on", "judicial_confirmation", "at")
    # the place in its turn, not last
    form_create_rules = (KeepHidden("csrf_token"), KeepHidden("version"), KeepHidden("opened_at")) + form_columns
    form_extra_fields = {"place": suggest_field(_l("Place"), PLACES), "at": done_at()}  # 办理时间 of the step
    form_args = {"parties": {"render_kw": {"rows": 3}}, "agreement": {"render_kw": {"rows": 8}},
                 "committee": {"validators": [filled], "render_kw": {"placeholder": "高桥镇人民调解委员会"}},
                 "party_particulars": {"validators": [filled], "description": _l(PARTICULARS_HELP),
                                       "render_kw": {"rows": 3}},
                 "dispute_facts": {"validators": [filled]}, "disputed_matters": {"validators": [filled]}}
    form_ajax_refs = {"petition": ActiveLoader("petition", Petition, fields=(Petition.number, Petition.subject),
                                               where=Petition.status.in_(workflow.OPEN))}

    def get_edit_form(self):
        """Once signed, only the judicial confirmation changes."""
        return get_form(self.model, self.model_form_converter(self), base_class=self.form_base_class,
                        only=("judicial_confirmation",), field_args=self.form_args)

    def create_model(self, form):
        """The mediation is recorded by the workflow step (on the petition too), in one transaction."""
        try:
            with once.saving(self.endpoint + ".create_view") as submission:  # saved once (admin_app/once.py)
                mediation = workflow.mediate(
                    form.petition.data, by=current_user.user, parties=form.parties.data,
                    mediator=form.mediator.data, lawyer=form.lawyer.data or None, place=form.place.data,
                    agreement=form.agreement.data, signed_on=form.signed_on.data,
                    judicial_confirmation=form.judicial_confirmation.data or "none", at=form.at.data,
                    committee=form.committee.data, party_particulars=form.party_particulars.data,
                    dispute_facts=form.dispute_facts.data, disputed_matters=form.disputed_matters.data)
                audit.record("create", mediation, mediation.id, by=current_user, after=audit.snapshot(mediation))
                once.settle(submission, mediation)
        except AlreadySaved as err:  # a concurrent post of the same form saved first: create_view answers
            g.already_saved = err
            return False
        except DomainError as err:
            self._show_error(form, err)
            return False
        except Exception:
            log.exception("recording a mediation failed")
            flash(gettext("The record could not be saved; nothing was changed."), "error")
            return False
        self.after_model_change(form, mediation, True)
        return mediation


class FollowUpView(SecureModelView):
    """复诊回访: the petitioners' evaluations, recorded by the 复诊 step; only the comments are edited."""

    can_create = False
    can_delete = False
    column_list = ("petition", "followed_on", "method", "evaluation", "comments", "recorded_by")
    column_labels = {
        "petition": _l("Petition"), "followed_on": _l("Date"), "method": _l("Method"),
        "evaluation": _l("Evaluation"), "comments": _l("Comments"), "recorded_by": _l("Recorded by"),
        "created_at": _l("Created"),
    }
    column_details_list = column_list + ("created_at",)
    column_formatters = {"petition": petition_link, "followed_on": date_formatter}
    column_formatters_detail = {"petition": petition_link, "followed_on": date_formatter,
                                "created_at": datetime_formatter}
    column_default_sort = [("followed_on", True), ("id", True)]
    column_sortable_list = ("followed_on", "evaluation")
    column_filters = (ChoiceFilter(FollowUp.evaluation, _l("Evaluation"), i18n.choices(EVALUATIONS)),)
    form_columns = ("comments",)


class DutyShiftView(SecureModelView):
    """坐诊排班: who is on duty at the studio, morning or afternoon; 记录接访 opens the visit log form filled in."""

    route_ops = {"visit_view": "read"}  # it only opens the visit log's form, which needs its own right

    column_list = ("on_date", "session", "representative", "place", "visit")
    column_labels = {"on_date": _l("Date"), "session": _l("Session"), "representative": _l("Representative"),
                     "place": _l("Place"), "visit": _l("Visit log")}
    column_formatters = {
        "on_date": date_formatter,
        "visit": lambda view, context, model, name: links((url_for(".visit_view", id=model.id),
                                                           gettext("Record a visit"))),
    }
    column_details_list = ("on_date", "session", "representative", "place")
    column_formatters_detail = {"on_date": date_formatter}
    column_default_sort = [("on_date", True), ("session", False), ("id", False)]
    column_sortable_list = ("on_date", "session")
    column_filters = (
        DateRange(DutyShift.on_date, _l("Date")),
        ChoiceFilter(DutyShift.representative, _l("Representative"), rows_of(Representative)),
    )
    form_columns = ("representative", "on_date", "session", "place")
    form_extra_fields = {"place": suggest_field(_l("Place"), PLACES, default=PLACES[0])}
    form_ajax_refs = {"representative": ActiveLoader("representative", Representative,
                                                     fields=(Representative.name,))}

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """保存并添加另一个 opens the next form with the same representative (one person's shifts typed in a row)."""
        response = super().create_view()
        saved = g.pop("shift_saved", None)
        if saved is not None and "_add_another" in request.form and response.status_code == 302:
            response.location += ("&" if "?" in response.location else "?") + "representative=%d" % (
                saved.representative_id)
        return response

    def create_form(self, obj=None):
        form = super().create_form(obj)
        wanted = request.args.get("representative", "")
        if request.method == "GET" and wanted.isdigit():
            form.representative.data = Representative.get_or_none(
                (Representative.id == int(wanted)) & Representative.active)
        return form

    def after_save(self, form, model, is_created):
        if is_created:
            g.shift_saved = model

    @expose("/visit/")
    def visit_view(self):
        """To the visit log form, filled in from the shift (nothing is written here)."""
        shift = self.get_one(request.args.get("id", ""))
        return redirect(url_for("visitlog.create_view", shift=shift.id, kind="on_duty", place=shift.place,
                                representative=shift.representative_id,
                                visited_at=shift.visit_starts_at.strftime("%Y-%m-%d %H:%M:%S")))
