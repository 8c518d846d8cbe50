"""信访事项 screens: petitions, petitioners, visit logs."""
import datetime as dt

from flask_admin import expose
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, BooleanEqualFilter
from flask_login import current_user
from flask_admin.form import SecureForm
from flask_admin.model.form import InlineFormAdmin
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from flask import request
from flask import abort, flash, redirect, url_for
from wtforms import HiddenField, StringField
from wtforms.validators import Optional

from models import access, deadlines, workflow
from models.casework import PLACES, SESSIONS, DutyShift, Referral, VisitLog, VisitRepresentative
from models.errors import N_, ValidationError
from models.workflow import backdating, petitioners, roster
from models.organisation import Category, Department
from models.people import Petitioner, Representative, Team
from models.petition import CHANNELS, CLASSIFICATIONS, STATUSES, CoPetitioner, Petition
from models.validation import normalize_id_number, normalize_phone

from ... import i18n, once, permissions
from ... import personal
from ..base import SecureModelView, date_formatter, datetime_formatter, domain_validator
from .bulk_menu import BulkMenuMixin
from .listing import FastListMixin
from .rate_filters import HandlerFilter, RateFilter
from ..datefields import DateRange
from ..fields import ActiveLoader, ChoiceFilter, KeepHidden, deadline_text, rows_of, suggest_field
from .letters import LettersMixin
from .recorded_letters import RecordedLettersMixin
from .same_person import (
    CREATE_ANYWAY, USE_PETITIONER, SamePersonMixin, create_anyway, holder_url, offer, picked_petitioner,
)
from .step_times import StepTimesMixin
from .steps import STEP_LOADERS, StepsMixin
from .person_record import person_record
from .same_matter import SameMatterMixin
from .timeline import timeline
from .from_ticket import TICKET_FIELD, TicketDraftMixin


class PetitionerLoader(ActiveLoader):
    """Type-ahead over petitioners: people of the same name told apart by village and masked phone."""

    def format(self, model):
        if not model:
            return None
        details = [d for d in (model.village, access.masked(model, "phone")) if d]
        return model.id, "%s %s" % (model, " ".join(details)) if details else str(model)


def petitioner_loader(name):
    """By name or alias for every role; by a whole phone or ID number only for the roles that may see them
    (ActiveLoader)."""
    return PetitionerLoader(name, Petitioner, fields=(Petitioner.name, Petitioner.alias, Petitioner.phone,
                                                      Petitioner.id_number),
                            where=petitioners.LIVE)  # not the records merged into another


def town_loader(name):
    return ActiveLoader(name, Department, fields=(Department.name,), where=Department.kind == "town")


def petitioner_link(view, context, model, name):
    """The petitioner, a link to its page (the person's record) for the roles that may open it."""
    person = getattr(model, name)
    if not person:
        return ""
    if not permissions.allowed(current_user.role, "petitioner", "read"):
        return str(person)
    return Markup('<a href="%s" class="petitioner-link">%s</a>') % (
        url_for("petitioner.details_view", id=person.id), str(person))


class CoPetitionerInline(InlineFormAdmin):
    form_columns = ("id", "petitioner")
    form_args = {"id": {"validators": [Optional()]}, "petitioner": {"label": _l("Petitioner")}}
    form_ajax_refs = {"petitioner": petitioner_loader("co_petitioner")}


class DueFilter(BasePeeweeFilter):
    """已超期 / 即将到期 on the present deadline of open petitions."""

    def __init__(self, column, name, urgency):
        super().__init__(column, name, options=(("1", _l("Yes")),))
        self.urgency = urgency

    def apply(self, query, value):
        today = dt.date.today()
        query = query.where(Petition.status.in_(workflow.OPEN) & self.column.is_null(False))
        if self.urgency == "overdue":
            return query.where(self.column < today)
        return query.where(self.column.between(today, today + dt.timedelta(days=deadlines.DUE_SOON_DAYS)))

    def operation(self):
        return _l("equals")


class VoidFilter(BasePeeweeFilter):
    """作废: the void petitions, or all others (the home page's 新增 counts never include void ones)."""

    def __init__(self, column, name):
        super().__init__(column, name, options=(("0", _l("No")), ("1", _l("Yes"))))

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value):
        return query.where(self.column == "void" if value == "1" else self.column != "void")

    def operation(self):
        return _l("equals")


def due_formatter(view, context, model, name):
    """剩 12 天 / 即将到期（剩 2 天）/ 已超期 3 天, coloured; nothing once the petition is closed."""
    if model.status not in workflow.OPEN or model.due_on is None:
        return ""
    text, css = deadline_text(model.due_on)
    return Markup('<span class="%s" title="%s">%s</span>') % (css, i18n.cn_date(model.due_on), text)


def repeat_formatter(view, context, model, name):
    """初件 / 重件 (models/workflow/repeats.py), a badge; nothing on a void petition (it counts as neither)."""
    if model.status == "void":
        return ""
    if model.is_repeat:
        return Markup('<span class="badge badge-warning repeat-badge">%s</span>') % gettext("Repeat petition")
    return Markup('<span class="badge badge-light repeat-badge">%s</span>') % gettext("First petition")


REPEAT_OPTIONS = (("1", _l("Repeat petition")), ("0", _l("First petition")))


class RepeatFilter(BasePeeweeFilter):
    """初件 / 重件 on the stored is_repeat (its index with the id keeps the pages newest first); void ones are
    neither."""

    def __init__(self, column, name):
        super().__init__(column, name, options=REPEAT_OPTIONS)

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value):
        return query.where((self.column == (value == "1")) & (Petition.status != "void"))

    def operation(self):
        return _l("equals")


class PetitionView(TicketDraftMixin, BulkMenuMixin, SameMatterMixin, FastListMixin, LettersMixin,
                   RecordedLettersMixin, StepsMixin, StepTimesMixin, SecureModelView):
    """事项: register, find and read petitions, and take them through the workflow (steps.py)."""

    route_ops = {"step_view": "step", "letter_preview_view": "letter", "letter_issue_view": "letter",
                 "letter_record_view": "letter", "letters_print_view": "letter", "step_time_view": "edit",
                 **SameMatterMixin.route_ops}
    action_ops = {"delete": "delete", "print_letters": "letter"}

    can_delete = False  # petitions are voided, never deleted
    details_template = "admin/petition_details.html"
    create_template = "admin/model/petition_form_create.html"  # with the possible-repeat notice
    edit_template = "admin/model/petition_form_edit.html"
    column_list = ("number", "received_at", "petitioner", "subject", "category", "town", "status", "classification",
                   "due_on", "is_repeat")
    column_labels = {
        "number": _l("Number"), "received_at": _l("Received"), "petitioner": _l("Petitioner"),
        "subject": _l("Subject"), "category": _l("Category"), "town": _l("Town"), "status": _l("Status"),
        "classification": _l("Classification"), "channel": _l("Channel"), "content": _l("Content"),
        "request_summary": _l("Request summary"),
        "is_collective": _l("Collective"), "head_count": _l("Head count"), "village": _l("Village"),
        "team": _l("Team"), "lead_representative": _l("Lead representative"),
        "leader_in_charge": _l("County leader in charge"), "registered_by": _l("Registered by"),
        "created_at": _l("Created"), "updated_at": _l("Updated"), "co_petitioners": _l("Co-petitioners"),
        "due_on": _l("Deadline"), "accepted_at": _l("Accepted at"), "handling_due": _l("Handling limit"),
        "extension_days": _l("Extension (days)"), "answered_at": _l("Answered at"), "closed_at": _l("Closed at"),
        "rejection_reason": _l("Reason for not accepting"), "void_reason": _l("Reason for voiding"),
        "unlawful_flag": _l("To be handled by law"), "outcome": _l("Outcome"),
        "new_petitioner_name": _l("New petitioner: name"), "new_petitioner_id_number": _l("New petitioner: ID number"),
        "new_petitioner_phone": _l("New petitioner: phone"), "new_petitioner_address": _l("New petitioner: address"),
        Petitioner.name: _l("Petitioner"), "is_repeat": _l("First or repeat"),
    }
    column_default_sort = ("id", True)  # newest registered first: the order every index keeps (listing.py)
    column_sortable_list = ("number", "received_at", "status", "due_on")
    column_searchable_list = (Petition.number, Petition.subject, Petition.content, Petitioner.name)
    column_formatters = {"received_at": date_formatter, "petitioner": petitioner_link, "due_on": due_formatter,
                         "is_repeat": repeat_formatter}
    column_formatters_detail = {"received_at": datetime_formatter, "created_at": datetime_formatter,
                                "updated_at": datetime_formatter, "accepted_at": datetime_formatter,
                                "answered_at": datetime_formatter, "closed_at": datetime_formatter,
                                "due_on": due_formatter, "handling_due": date_formatter,
                                "petitioner": petitioner_link, "is_repeat": repeat_formatter}
    column_details_list = ("number", "channel", "received_at", "petitioner", "is_repeat", "is_collective", "head_count",
                           "subject", "request_summary", "content", "category", "town", "village", "status",
                           "classification", "team",
                           "lead_representative", "leader_in_charge", "due_on", "accepted_at", "handling_due",
                           "extension_days", "answered_at", "closed_at", "rejection_reason", "void_reason",
                           "unlawful_flag", "registered_by", "created_at", "updated_at")
    column_export_list = column_details_list  # an export holds the whole petition, as its page shows it
    column_filters = (
        ChoiceFilter(Petition.status, _l("Status"), i18n.choices(STATUSES)),
        ChoiceFilter(Petition.channel, _l("Channel"), i18n.choices(CHANNELS)),
        ChoiceFilter(Petition.category, _l("Category"), rows_of(Category)),
        ChoiceFilter(Petition.town, _l("Town"), rows_of(Department, Department.kind == "town")),
        ChoiceFilter(Petition.classification, _l("Classification"), i18n.choices(CLASSIFICATIONS)),
        ChoiceFilter(Petition.team, _l("Team"), rows_of(Team)),
        DateRange(Petition.received_at, _l("Received")),
        DueFilter(Petition.due_on, _l("Overdue"), "overdue"),
        DueFilter(Petition.due_on, _l("Due soon"), "due_soon"),
        # added later, hence last: a filter's position is in the URLs people bookmark
        DateRange(Petition.closed_at, _l("Finished on")),  # 办结 or 不予受理: the home page's links
        VoidFilter(Petition.status, _l("Voided")),
        RepeatFilter(Petition.is_repeat, _l("First or repeat")),
        RateFilter(Petition.id, _l("Rate measure")),  # 三率: the home page's links (rate_filters.py)
        HandlerFilter(Petition.id, _l("Responsible department")),
    )
    form_columns = ("channel", "received_at", "petitioner", "new_petitioner_name", "new_petitioner_id_number",
                    "new_petitioner_phone", "new_petitioner_address", "is_collective", "head_count", "subject",
                    "request_summary", "content", "category", "town", "village", "lead_representative",
                    "leader_in_charge")
    form_rules = (KeepHidden("csrf_token"), KeepHidden("version"), KeepHidden("opened_at"),
                  KeepHidden(TICKET_FIELD)) + form_columns + (
        "co_petitioners",)  # quick-add right under 信访人
    form_extra_fields = {
        "new_petitioner_name": StringField(_l("New petitioner: name"), description=_l(
            "Only when the petitioner is not on record yet: leave the petitioner above empty and fill these.")),
        "new_petitioner_id_number": StringField(_l("New petitioner: ID number"),
                                                validators=[domain_validator(normalize_id_number)]),
        "new_petitioner_phone": StringField(_l("New petitioner: phone"), validators=[domain_validator(normalize_phone)]),
        "new_petitioner_address": StringField(_l("New petitioner: address")),
        **TicketDraftMixin.ticket_form_fields,  # 转为信访事项: the ticket the form was filled from
    }
    form_args = {
        "petitioner": {"validators": [Optional()]},
        "content": {"render_kw": {"rows": 8}},
        "request_summary": {"label": _l("Request summary"), "description": _l(
            "What the petitioner asks for, in at most 100 characters. The letters state it instead of the whole "
            "content.")},
    }
    form_ajax_refs = {
        "petitioner": petitioner_loader("petitioner"),
        "category": ActiveLoader("category", Category, fields=(Category.name,)),
        "town": town_loader("town"),
        "team": ActiveLoader("team", Team, fields=(Team.name,)),
        "lead_representative": ActiveLoader("lead_representative", Representative, fields=(Representative.name,)),
        **STEP_LOADERS,
    }
    inline_models = (CoPetitionerInline(CoPetitioner),)

    def save_record(self, model, is_created):
        """A new petition is registered through the workflow (its deadlines, its first step)."""
        if is_created:
            workflow.register(model, current_user.user)
        else:
            stored = Petition.select(Petition.received_at).where(Petition.id == model.id).get()
            if model.received_at != stored.received_at:  # 收到时间 corrected: its deadlines follow (audited after)
                backdating.received_changed(model)
            model.save()

    def on_model_change(self, form, model, is_created):
        """A petitioner typed into the form: the one on record who is this person, else a new one, in the same
        transaction (workflow.petitioners)."""
        if is_created:
            self.check_ticket_free(form)  # 转为信访事项 a second time: said first
            if not (model.request_summary or "").strip():  # asked for at registration (older petitions have none)
                raise ValidationError(N_("The request summary is required."), field="request_summary")
        if model.petitioner_id is None and picked_petitioner() is not None:
            model.petitioner = picked_petitioner()  # 使用该信访人: the record that has the ID number typed
        if model.petitioner_id is None:
            name = (form.new_petitioner_name.data or "").strip()
            if not name:
                raise ValidationError(N_("Choose a petitioner on record, or enter the new petitioner's name."),
                                      field="petitioner")
            try:  # the same name and phone warns as on the petitioner form, until 仍然新建 or 使用该信访人
                model.petitioner, created = petitioners.find_or_add(
                    current_user, name, form.new_petitioner_id_number.data or None,
                    form.new_petitioner_phone.data or None, address=form.new_petitioner_address.data or None,
                    town=model.town, same_name=petitioners.NEW if create_anyway() else petitioners.ASK)
            except ValidationError as err:
                if err.message == petitioners.SAME_NAME_AND_PHONE:  # on the quick-add's name
                    raise ValidationError(err.message, field="new_petitioner_name", **err.params) from err
                if "holder_id" in err.params:  # said on the quick-add's own field: whose, and to use that record
                    raise ValidationError(petitioners.ON_RECORD, field="new_petitioner_id_number",
                                          holder=err.params["holder"], holder_id=err.params["holder_id"]) from err
                raise
            model.linked_petitioner = None if created else model.petitioner  # said once the petition is saved
        if is_created:
            model.registered_by = current_user.user

    def _show_error(self, form, err):
        """The ID number typed for a new petitioner is someone's on record: say whose, offer to use that record;
        the same name and phone: the same, and 仍然新建 for another person."""
        if "holder_id" not in err.params:
            return super()._show_error(form, err)
        choices = [(USE_PETITIONER, err.params["holder_id"], gettext("Use this petitioner"))]
        if err.message == petitioners.SAME_NAME_AND_PHONE:
            choices.append((CREATE_ANYWAY, "1", gettext("Create anyway")))
        message = offer(err, holder_url(self, err), *choices)
        field = getattr(form, err.field, None) or form.new_petitioner_id_number
        field.errors = list(field.errors or []) + [message]
        flash(message, "error")

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)  # 转为信访事项: which ticket it was made from
        if getattr(model, "linked_petitioner", None) is not None:
            flash(gettext("Linked to the petitioner on record %(name)s.", name=model.linked_petitioner.name), "info")

    def open_referrals(self, petition):
        """The referrals awaiting a reply the user may answer or object to: a department only its own."""
        if not permissions.allowed(current_user.role, "referral", "step"):
            return []
        return list(access.visible(petition.referrals.where(Referral.state == "sent"), current_user.user, "referral"))

    def get_visit_logs(self, petition):
        return list(petition.visit_logs.order_by(VisitLog.visited_at.desc()))

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            petition = kwargs["model"]
            kwargs["visit_logs"] = self.get_visit_logs(petition)
            kwargs["co_petitioners"] = [c.petitioner for c in petition.co_petitioners]
            kwargs["step_buttons"] = self.step_buttons(petition)
            kwargs.update(self.step_guidance(petition))  # 下一步：…, and the greyed steps with their reasons
            kwargs["step_time_url"] = url_for(".step_time_view", id=petition.id) if self.permitted("edit") else None
            kwargs["step_csrf"] = SecureForm().csrf_token.current_token
            kwargs["step_submission_token"] = once.new_token()  # each step button's post is saved once
            kwargs["open_referrals"] = self.open_referrals(petition)
            kwargs["timeline"] = timeline(petition, current_user.user)
            kwargs.update(self.letters_context(petition))
            kwargs.update(self.same_matter_context(petition))
            from ..supervision import petition_context as supervision_context  # 督办: it builds on this package

            kwargs.update(supervision_context(petition))
        return super().render(template, **kwargs)


class PetitionerView(personal.PersonalFields, SamePersonMixin, SecureModelView):
    """信访人: people who bring petitions. ID number and phone are masked on the list, the details page and in
    exports; staff see them in full on demand (显示完整信息, an export asked for in full) and in the edit form,
    and each showing is written to the audit log (see admin_app/personal.py)."""

    route_ops = {"reveal_view": "personal", **SamePersonMixin.route_ops}
    details_template = "admin/petitioner_details.html"
    list_template = "admin/petitioner_list.html"  # with 重复登记 for those who may merge
    search_fields_for_all = (Petitioner.name, Petitioner.alias)
    column_list = ("name", "alias", "id_number", "phone", "town", "village", "hardship")
    column_labels = {
        "name": _l("Full name"), "alias": _l("Alias"), "id_number": _l("ID number"), "phone": _l("Phone"),
        "address": _l("Address"), "town": _l("Town"), "village": _l("Village"), "hardship": _l("Hardship family"),
        "notes": _l("Notes"),
    }
    column_searchable_list = (Petitioner.name, Petitioner.alias, Petitioner.phone, Petitioner.id_number)
    column_filters = (
        ChoiceFilter(Petitioner.town, _l("Town"), rows_of(Department, Department.kind == "town")),
        BooleanEqualFilter(Petitioner.hardship, _l("Hardship family")),
    )
    column_default_sort = ("id", True)
    form_columns = ("name", "alias", "id_number", "phone", "address", "town", "village", "hardship", "notes")
    form_args = {
        "id_number": {"validators": [Optional(), domain_validator(normalize_id_number)]},
        "phone": {"validators": [Optional(), domain_validator(normalize_phone)]},
    }
    form_ajax_refs = {"town": town_loader("town")}

    @expose("/reveal/", methods=("POST",))
    def reveal_view(self):
        """显示完整信息: the full ID number and phone of one petitioner, on a page no cache keeps; audited."""
        if not self.may_see_full():
            abort(403)
        person = self.get_one(request.args.get("id"))
        details_url = self.get_url(".details_view", id=person.id)
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(details_url)
        shown = [name for name in self.personal_fields if getattr(person, name)]
        personal.record_view(person, gettext("Shown the full %(fields)s", fields=personal.field_labels(
            self, shown or list(self.personal_fields))))
        personal.mark_no_store()
        return self.render("admin/petitioner_reveal.html", model=person, details_url=details_url,
                           fields=[(self.column_labels[name], getattr(person, name) or "") for name in self.personal_fields])

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            kwargs["person_record"] = person_record(kwargs["model"], current_user.user)
            kwargs["may_reveal"] = self.may_see_full()
            kwargs["reveal_csrf"] = SecureForm().csrf_token.current_token if kwargs["may_reveal"] else None
            kwargs.update(self.same_person_context(kwargs["model"]))
        if template == self.list_template:
            kwargs["may_merge"] = self.permitted("edit")
        return super().render(template, **kwargs)


class VisitRepresentativeInline(InlineFormAdmin):
    form_columns = ("id", "representative")
    form_args = {"id": {"validators": [Optional()]}, "representative": {"label": _l("Representative")}}
    form_ajax_refs = {
        "representative": ActiveLoader("visit_representative", Representative, fields=(Representative.name,)),
    }


class VisitLogView(SecureModelView):
    """接访记录: every contact with petitioners, and who was present."""

    column_list = ("visited_at", "kind", "place", "petition", "petitioner", "staff")
    column_labels = {
        "visited_at": _l("Time"), "kind": _l("Kind"), "place": _l("Place"), "petition": _l("Petition"),
        "petitioner": _l("Petitioner"), "staff": _l("Staff"), "summary": _l("Summary"), "outcome": _l("Outcome"),
        "created_at": _l("Created"), "representatives_present": _l("Representatives present"),
    }
    column_formatters = {"visited_at": datetime_formatter}
    column_formatters_detail = {"visited_at": datetime_formatter, "created_at": datetime_formatter}
    column_default_sort = ("visited_at", True)
    column_searchable_list = (VisitLog.place, VisitLog.summary, VisitLog.staff)
    column_filters = (
        ChoiceFilter(VisitLog.kind, _l("Kind"), i18n.choices(VisitLog.kind.choices)),
        DateRange(VisitLog.visited_at, _l("Time")),
    )
    form_columns = ("visited_at", "kind", "place", "petition", "petitioner", "staff", "summary", "outcome")
    form_extra_fields = {"place": suggest_field(_l("Place"), PLACES)}
    form_ajax_refs = {
        "petition": ActiveLoader("petition", Petition, fields=(Petition.number, Petition.subject)),
        # the loader's name is the key the form's widget asks for; representatives record visits too, and only
        # staff find a petitioner by phone (no "whose number is this")
        "petitioner": petitioner_loader("petitioner"),
    }
    inline_models = (VisitRepresentativeInline(VisitRepresentative),)
    form_extra_fields["shift"] = HiddenField()
    form_columns = form_columns + ("shift",)

    create_template = "admin/model/visitlog_form_create.html"  # names the shift a visit is recorded from

    def create_form(self, obj=None):
        """Opened from a duty shift (坐诊) in one click: ?shift=<id> fills in the kind, place and time, and the
        shift's representative as present."""
        form = super().create_form(obj)
        shift = self.shift_of(request.args.get("shift"))
        if request.method == "GET" and shift is not None:
            form.shift.data = shift.id
            form.kind.data = "on_duty"
            form.place.data = shift.place
            form.visited_at.data = shift.visit_starts_at
            if not form.representatives_present.entries:
                form.representatives_present.append_entry(VisitRepresentative(representative=shift.representative))
        return form

    @staticmethod
    def shift_of(value):
        """The shift a visit is recorded from: one this user may record from (roster.may_record_from), or None."""
        shift = DutyShift.get_or_none(DutyShift.id == int(value)) if str(value or "").isdigit() else None
        return shift if roster.may_record_from(shift, current_user.user) else None

    def render(self, template, **kwargs):
        if template == self.create_template:
            shift = self.shift_of(request.values.get("shift"))
            kwargs["shift_note"] = gettext(
                "From the duty shift of %(date)s %(session)s: %(name)s, %(place)s", date=i18n.cn_date(shift.on_date),
                session=i18n.choice_label(SESSIONS, shift.session), name=shift.representative.name,
                place=shift.place) if shift is not None else None
        return super().render(template, **kwargs)

    def after_save(self, form, model, is_created):
        """The representative on duty is present at a visit recorded from the shift."""
        shift = self.shift_of(form.shift.data) if is_created else None
        if shift is not None and not model.representatives_present.where(
                VisitRepresentative.representative == shift.representative_id).exists():
            VisitRepresentative.create(visit=model, representative=shift.representative_id)
