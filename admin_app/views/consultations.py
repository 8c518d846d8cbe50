"""会诊: the consultation screen, where one meeting is corrected until its conclusion, concluded, and its one
会诊纪要 issued and printed (the petitions' pages link here); and the meeting form shared with the 会诊 step of
the petitions (views/petitions/steps.py): who took part as rows of 姓名, 单位 and 身份, never guessed from a
line of text."""
from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_admin.model.fields import AjaxSelectMultipleField
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from models import access, documents, workflow
from models.casework import (
    PARTICIPANT_ROLES, PLACES, Consultation, ConsultationParticipant, ConsultationPetition,
    ConsultationRepresentative,
)
from models.people import Representative
from models.petition import Petition

from .. import i18n, permissions
from ..letters import render as letters
from .base import SecureModelView, datetime_formatter
from .casework import ConcludeForm, StepFormPage
from .datefields import DateRange, TypedDateTimeField
from .fields import ActiveLoader, suggest_field

REPRESENTATIVE_LOADER = ActiveLoader("step_representative", Representative, fields=(Representative.name,))
PARTICIPANT_ROWS = 6  # empty rows offered; the form keeps as many as are posted (up to MAX_ROWS)
MAX_ROWS = 30


class ParticipantRow(Form):
    """One participant other than a representative: 姓名, 单位, 身份 (chosen, not read from the name)."""

    name = StringField(_l("Full name"))
    unit = StringField(_l("Unit"))
    # an empty row posts no role; a row with a name is checked by models.workflow (the message on the field)
    role = SelectField(_l("Capacity"), choices=[("", "—")] + i18n.choices(PARTICIPANT_ROLES), validate_choice=False)


class RowsTable:
    """A FieldList of rows as a table: one column a field of the row, headed by its label."""

    def __call__(self, field, **kwargs):
        entries = list(field)
        heads = [sub.label.text for sub in entries[0]] if entries else []
        rows = [Markup("").join(Markup("<td>%s</td>") % sub(class_="form-control form-control-sm")
                                for sub in entry) for entry in entries]
        return Markup('<table class="table table-sm table-borderless mb-0" id="%s"><thead><tr>%s</tr></thead>'
                      "<tbody>%s</tbody></table>") % (
            field.id, Markup("").join(Markup("<th>%s</th>") % h for h in heads),
            Markup("").join(Markup("<tr>%s</tr>") % r for r in rows))


class MeetingForm(SecureForm):
    """When, where, what about and who: the 会诊 step's form and the correction's."""

    held_at = TypedDateTimeField(_l("Time"), validators=[InputRequired()])
    place = suggest_field(_l("Place"), PLACES, validators=[InputRequired()])
    agenda = TextAreaField(_l("Agenda"), validators=[InputRequired()])
    representatives = AjaxSelectMultipleField(REPRESENTATIVE_LOADER, _l("Representatives"),
                                              validators=[InputRequired()],
                                              description=_l("Chosen from the register of representatives."))
    participants = FieldList(FormField(ParticipantRow), _l("Other participants"), widget=RowsTable(),
                             min_entries=PARTICIPANT_ROWS, max_entries=MAX_ROWS, description=_l(
                                 "One a row: name, unit and role (部门工作人员, 律师, 人民调解员 or 其他)."))


def participant_rows(form):
    """The posted rows as (name, role, unit); empty rows left out (models.workflow checks name and role)."""
    rows = []
    for entry in form.participants:
        name, unit, role = (entry.form.name.data or "").strip(), (entry.form.unit.data or "").strip(), \
            entry.form.role.data or ""
        if name or unit:
            rows.append((name, role, unit or None))
    return rows


def meeting_data(representatives, rows):
    """The form's first values: representatives and rows (name, role, unit) as the FieldList takes them."""
    return {"representatives": list(representatives),
            "participants": [{"name": name, "role": role, "unit": unit or ""} for name, role, unit in rows]}


def attendance(consultation):
    """Everyone at the meeting as (name, 身份, 单位): the representatives (代表委员, their work unit) first."""
    people = [(link.representative.name, gettext("Representative"), link.representative.work_unit or "")
              for link in consultation.representative_links.order_by(ConsultationRepresentative.id)]
    return people + [(p.name, i18n.choice_label(PARTICIPANT_ROLES, p.role), p.unit or "")
                     for p in consultation.participants.order_by(ConsultationParticipant.id)]


def numbers_of(rows):
    """Each consultation's petition numbers and representatives' names: two queries for the page."""
    ids = [row.id for row in rows]
    for row in rows:
        row.petition_numbers, row.representative_names = [], []
    if not ids:
        return
    by_id = {row.id: row for row in rows}
    numbers = ConsultationPetition.select(ConsultationPetition.consultation, Petition.number).join(Petition)
    for consultation, number in (access.visible(numbers, current_user.user, "petition")
                                 .where(ConsultationPetition.consultation.in_(ids)).order_by(Petition.number).tuples()):
        by_id[consultation].petition_numbers.append(number)
    for consultation, name in (ConsultationRepresentative
                               .select(ConsultationRepresentative.consultation, Representative.name)
                               .join(Representative).where(ConsultationRepresentative.consultation.in_(ids))
                               .order_by(ConsultationRepresentative.id).tuples()):
        by_id[consultation].representative_names.append(name)


def joined(attribute):
    return lambda view, context, model, name: "、".join(getattr(model, attribute, None) or [])


class ConsultationView(StepFormPage, SecureModelView):
    """会诊: consultations convened from petitions; corrected on /revise/ until the conclusion (/conclude/) is
    recorded; its one 会诊纪要 issued (/minutes/) and printed here."""

    route_ops = {"conclude_view": "step", "revise_view": "edit", "minutes_view": "letter"}

    can_create = False  # convened from the petitions' page
    can_edit = False  # corrected through /revise/, concluded through /conclude/
    can_delete = False
    details_template = "admin/consultation_details.html"
    column_list = ("held_at", "place", "agenda", "petitions", "representatives", "concluded")
    column_labels = {
        "held_at": _l("Time"), "place": _l("Place"), "agenda": _l("Agenda"), "petitions": _l("Petitions"),
        "representatives": _l("Representatives"), "concluded": _l("Concluded"), "conclusion": _l("Conclusion"),
        "minutes": _l("Minutes"), "follow_up_tasks": _l("Follow-up tasks"), "concluded_at": _l("Concluded at"),
        "convened_by": _l("Convened by"), "created_at": _l("Created"),
    }
    column_details_list = ("held_at", "place", "agenda", "conclusion", "minutes", "follow_up_tasks", "concluded_at",
                           "convened_by")
    column_formatters = {
        "held_at": datetime_formatter, "petitions": joined("petition_numbers"),
        "representatives": joined("representative_names"),
        "concluded": lambda view, context, model, name: gettext("Yes") if model.concluded_at else gettext("No"),
    }
    column_formatters_detail = {"held_at": datetime_formatter, "concluded_at": datetime_formatter}
    column_default_sort = [("held_at", True), ("id", True)]
    column_sortable_list = ("held_at",)
    column_searchable_list = (Consultation.place, Consultation.agenda)
    column_filters = (DateRange(Consultation.held_at, _l("Time")),)
    form_ajax_refs = {"step_representative": REPRESENTATIVE_LOADER}  # the correction form's type-ahead

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)
        if execute:
            numbers_of(rows)
        return count, rows

    def may(self, op):
        return permissions.allowed(current_user.role, self.endpoint, op)

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            consultation = kwargs["model"]
            linked = Petition.select().join(ConsultationPetition).where(
                ConsultationPetition.consultation == consultation)
            kwargs["petitions"] = list(access.visible(linked, current_user.user, "petition").order_by(Petition.number))
            kwargs["attendance"] = attendance(consultation)
            kwargs["minutes_letter"] = self.minutes_context(consultation)
            kwargs["minutes_csrf"] = SecureForm().csrf_token.current_token
            kwargs["revise_url"] = url_for(".revise_view", id=consultation.id) if (
                consultation.concluded_at is None and self.may("edit")) else None
        return super().render(template, **kwargs)

    def minutes_context(self, consultation):
        """The 会诊纪要 part of the page: the letter in force (number, print), or the issue button, or why not."""
        if consultation.concluded_at is None:
            return {"reason": gettext("The minutes are issued once the conclusion is recorded.")}
        document = documents.current("consultation_minutes", None, consultation.id)
        if document is not None:
            return {"number": document.number, "issued_on": i18n.cn_date(document.issued_at),
                    "print_url": url_for("document.download_view", id=document.id, inline=1),
                    "details_url": url_for("document.details_view", id=document.id)}
        return {"issue_url": url_for(".minutes_view", id=consultation.id) if self.may("letter") else None}

    @expose("/minutes/", methods=("POST",))
    def minutes_view(self):
        """印发 the consultation's one 会诊纪要 (or find the one in force): then to its page, to print it."""
        consultation = self.get_one(request.args.get("id", ""))
        back = url_for(".details_view", id=consultation.id)
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        from .petitions.letters import issue_and_say  # the petition screen's way of saying it

        issue_and_say(lambda: letters.issue_minutes(consultation, current_user.user))
        return redirect(back)

    @expose("/revise/", methods=("GET", "POST"))
    def revise_view(self):
        """Correct the meeting (time, place, agenda, who took part) until its conclusion is recorded."""
        consultation = self.get_one(request.args.get("id", ""))
        back = url_for(".details_view", id=consultation.id)
        if consultation.concluded_at is not None:
            flash(gettext("The consultation has its conclusion: it can no longer be changed. Void and reissue its "
                          "minutes to correct them."), "error")
            return redirect(back)
        data = None
        if request.method != "POST":
            rows = [(p.name, p.role, p.unit) for p in consultation.participants.order_by(ConsultationParticipant.id)]
            data = dict(meeting_data([link.representative for link in consultation.representative_links.order_by(
                ConsultationRepresentative.id)], rows), held_at=consultation.held_at, place=consultation.place,
                agenda=consultation.agenda)
        form = self.step_form(MeetingForm, data=data)
        facts = [(gettext("Petitions"), "、".join(p.number for p in access.visible(
            Petition.select().join(ConsultationPetition).where(ConsultationPetition.consultation == consultation),
            current_user.user, "petition")))]

        def run():
            workflow.revise(consultation, by=current_user.user, held_at=form.held_at.data, place=form.place.data,
                            agenda=form.agenda.data, representatives=form.representatives.data,
                            participants=participant_rows(form))
            return gettext("The consultation was corrected."), back

        return self.step_page(form, gettext("Correct the consultation"), facts, run, back)

    @expose("/conclude/", methods=("GET", "POST"))
    def conclude_view(self):
        consultation = self.get_one(request.args.get("id", ""))
        form = self.step_form(ConcludeForm, obj=consultation)
        facts = [(gettext("Time"), i18n.cn_datetime(consultation.held_at)), (gettext("Place"), consultation.place),
                 (gettext("Agenda"), consultation.agenda)]

        def run():
            workflow.conclude(consultation, by=current_user.user, conclusion=form.conclusion.data,
                              minutes=form.minutes.data or None, follow_up_tasks=form.follow_up_tasks.data or None,
                              at=form.at.data)
            return gettext("The conclusion was recorded."), url_for(".details_view", id=consultation.id)

        return self.step_page(form, gettext("Conclude the consultation"), facts, run,
                              url_for(".details_view", id=consultation.id))


def minutes_link(consultation_id):
    """Where a petition's page sends its 会诊纪要: the consultation's page, which issues and prints it."""
    return url_for("consultation.details_view", id=consultation_id)

