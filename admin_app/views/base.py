"""SecureModelView: what every screen shares: login, CSRF, transactions, Chinese messages, safe deletes."""
import datetime as dt
import json
import logging
import time

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.form import save_inline
from flask_admin.form import SecureForm, rules
from flask_admin.model import typefmt
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user
from wtforms import HiddenField
from wtforms.validators import ValidationError as FormValidationError

from peewee import ForeignKeyField

from models import access
from models import audit, workflow
from models.db import database
from models.errors import N_, DomainError, InUse, StaleRecord
from models.submissions import AlreadySaved

from .. import i18n, once, permissions
from ..inputs import BadInput
from .export import ExportMixin
from .filter_chips import FilterChipsMixin
from .fields import KeepHidden, ScopedModelConverter, viewer
from .prefetch import attach_related  # xlsx and CSV exports of every list (export.py)

log = logging.getLogger(__name__)
MAX_PAGE = 1000000  # ?page= beyond it is a 400 (a 20-digit page overflowed the databases' OFFSET: a 500)


def domain_validator(check):
    """A WTForms validator that runs a models/ check and shows its message in Chinese."""

    def validate(form, field):
        if field.data:
            try:
                field.data = check(field.data)
            except DomainError as err:
                raise FormValidationError(i18n.error_message(err))

    return validate


def yes_no(view, value, name=None):
    """Booleans as 是 / 否 on every list, detail page and export."""
    return gettext("Yes") if value else gettext("No")


FORMATTERS = {**typefmt.BASE_FORMATTERS, bool: yes_no}
DETAIL_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, bool: yes_no}
EXPORT_FORMATTERS = {**typefmt.EXPORT_FORMATTERS, bool: yes_no}


def date_formatter(view, context, model, name):
    return i18n.cn_date(getattr(model, name))


def datetime_formatter(view, context, model, name):
    return i18n.cn_datetime(getattr(model, name))


# Flask-Admin's own routes and the operation each one is (custom routes declare theirs in route_ops).
ROUTE_OPS = {"index": "read", "index_view": "read", "details_view": "read", "ajax_lookup": "read",
             "create_view": "create", "edit_view": "edit", "ajax_update": "edit", "delete_view": "delete",
             "action_view": "read", "export": "export"}


class LoginRequired:
    """Every screen is behind the login and the permission table (admin_app/permissions.py)."""

    route_ops = {}  # custom @expose routes of a view: method name -> operation
    action_ops = {"delete": "delete"}  # actions that are not workflow steps -> operation (others: "step")

    def permitted(self, op="read"):
        return current_user.is_authenticated and permissions.allowed(current_user.role, self.endpoint, op)

    def is_accessible(self):
        return self.permitted("read")

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)

    def _handle_view(self, name, **kwargs):
        """Every route of the screen, Flask-Admin's and ours, needs its operation; an undeclared one
        counts as a write, so a new page is closed until the table says who may use it."""
        refused = super()._handle_view(name, **kwargs)
        if refused is not None:
            return refused
        op = self.route_ops.get(name) or ROUTE_OPS.get(name) or "edit"
        if not self.permitted(op):
            abort(403)
        return None


FLAGS = {"can_create": "create", "can_edit": "edit", "can_delete": "delete", "can_export": "export"}


def _flag(name):
    """can_create & co: what the screen offers at all, and what this user's role may do on it."""
    return property(lambda view: getattr(view, "_offers_" + name) and view.permitted(FLAGS[name]))


class SecureModelView(FilterChipsMixin, ExportMixin, LoginRequired, ModelView):
    """A peewee ModelView with the house rules: see ../../STACK-NOTES.md for why each exists."""

    _offers_can_create = _offers_can_edit = _offers_can_delete = _offers_can_export = True
    can_create, can_edit, can_delete, can_export = (_flag(name) for name in FLAGS)

    def __init_subclass__(cls, **kwargs):
        """A screen's `can_delete = False` is what it offers; the role decides the rest (see _flag)."""
        super().__init_subclass__(**kwargs)
        for name in FLAGS:
            value = cls.__dict__.get(name)
            if value is not None and not isinstance(value, property):
                setattr(cls, "_offers_" + name, value)
                delattr(cls, name)

    def is_action_allowed(self, name):
        """Deleting needs delete, workflow actions need the step for this role; see permissions.py."""
        op = self.action_ops.get(name, "step")
        if not self.permitted(op):
            return False
        if op == "step" and name in workflow.STEPS and not permissions.may_take_step(current_user.role, name):
            return False
        return super().is_action_allowed(name)

    def get_query(self):
        """Only the rows this user's role may see (a department its own referrals, and so on)."""
        return access.visible(super().get_query(), viewer(), self.endpoint)

    form_base_class = SecureForm  # CSRF on every form, action and delete
    model_form_converter = ScopedModelConverter  # a chosen row the user may not see is refused, not dropped
    can_view_details = True
    can_set_page_size = True  # 每页 20 / 50 / 100 条 under the list (templates/admin/list_pager.html)
    page_size = 20
    page_size_options = (20, 50, 100)
    column_display_actions = True
    action_disallowed_list = ()
    column_exclude_list = ("version",)  # bookkeeping of the optimistic lock, not for people
    details_template = "admin/model/office_details.html"  # its 筛选器 box says what it does
    column_details_exclude_list = ("version", "id")  # and the row's id: an "Id" means nothing to people
    column_export_exclude_list = ("version", "id")
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    column_type_formatters_export = EXPORT_FORMATTERS

    def __init__(self, model, *args, **kwargs):
        self._translate_choices(model)
        self.form_extra_fields = dict(self.form_extra_fields or {}, version=HiddenField(), opened_at=HiddenField())
        super().__init__(model, *args, **kwargs)

    def search_placeholder(self):
        labels = self.column_labels or {}
        names = []
        for field in self.column_searchable_list or ():
            if isinstance(field, str):
                names.append(str(labels.get(field, field)))
            elif field.model is self.model:
                names.append(str(labels.get(field.name, field.name)))
            else:
                names.append(str(labels.get(field) or gettext(field.model.verbose_name)))
        return gettext("Search: %(fields)s", fields="、".join(dict.fromkeys(names)))

    def _translate_choices(self, model):
        """Choice fields show Chinese labels in lists, details and forms."""
        choices = dict(self.column_choices or {})
        form_args = dict(self.form_args or {})
        for name, field in model._meta.fields.items():
            if field.choices:
                choices.setdefault(name, i18n.choices(field.choices))
                args = dict(form_args.get(name, {}))
                args.setdefault("choices", i18n.choices(field.choices))
                form_args[name] = args
        self.column_choices = choices
        for name, label in (self.column_labels or {}).items():  # forms use the list's Chinese labels
            if isinstance(name, str) and (name in model._meta.fields or name in (self.form_extra_fields or {})):
                args = dict(form_args.get(name, {}))
                args.setdefault("label", label)
                form_args[name] = args
        self.form_args = form_args

    # -- reading ------------------------------------------------------------

    def _get_filter_groups(self):
        self._refresh_filters_cache()  # options read from the database are current on every page
        return super()._get_filter_groups()

    def get_one(self, id):
        """The record, or a Chinese 404 page for an id that is malformed or unknown."""
        if not str(id).isdigit():
            abort(404)
        record = self.get_query().where(self.model._meta.primary_key == int(id)).first()
        if record is None:  # unknown, or not this user's to see: the same answer, never the data
            abort(404)
        return record

    def _get_list_extra_args(self):
        """The list's arguments as Flask-Admin reads them; a page number no list can reach is refused."""
        args = super()._get_list_extra_args()
        if args.page is not None and args.page > MAX_PAGE:
            raise BadInput(gettext("This list has no page %(page)s.", page=str(args.page)[:24]))
        return args

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        if sort_column is not None and sort_column not in self._sortable_columns:
            sort_column = None  # ?sort=N on a column that cannot be sorted
        page = max(page or 0, 0)  # ?page=-5 (PostgreSQL refuses a negative OFFSET)
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)
        if execute:
            attach_related(rows, self.related_columns())
        return count, rows

    def count_label(self, count):
        """The count on the list's tab (the petition list says 约 N 条 or 超过 N 条 when it did not count all)."""
        return count

    def last_page_known(self):
        """Whether the count is the list's own, so that 末页 can link to its last page (list_pager.html)."""
        return True

    def related_columns(self):
        """Foreign keys shown in the list: loaded in one query each, never one per row."""
        fields = self.model._meta.fields
        return [fields[name] for name in (self.column_list or ())
                if isinstance(fields.get(name), ForeignKeyField)]

    # -- writing ------------------------------------------------------------

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid and getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
            flash(gettext("The form has expired; please try again."), "error")
        return valid

    def create_model(self, form):
        model = self.model()
        if not self._save(form, model, True):
            return False
        return model

    def update_model(self, form, model):
        return self._save(form, model, False)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """As Flask-Admin's, but a create form saves once: posted again (Back then 保存, a double click), it
        answers "already saved" with the record it made (admin_app/once.py)."""
        found = once.earlier() if request.method == "POST" else None
        if found is not None:
            return once.answer(found)
        g.already_saved = None
        response = super().create_view()
        duplicate = g.pop("already_saved", None)
        return once.answer(duplicate) if duplicate is not None else response

    def _refresh_form_rules_cache(self):
        """A create form laid out by rules keeps its token (rules drop every field they do not name)."""
        super()._refresh_form_rules_cache()
        ruleset = self._form_create_rules
        if ruleset is not None and once.TOKEN not in ruleset.visible_fields:
            self._form_create_rules = rules.RuleSet(self, list(ruleset.rules) + [KeepHidden(once.TOKEN)])

    def get_action_form(self):
        """The lists' action form carries a one-time token too (templates/admin/actions.html draws it)."""
        return once.with_token(super().get_action_form())

    def _refresh_forms_cache(self):
        """Every edit form carries the version and opening time, also a screen's own (get_edit_form overridden);
        every create form its one-time submission token."""
        super()._refresh_forms_cache()
        self._create_form_class = once.with_token(self._create_form_class)
        if not hasattr(self._edit_form_class, "version"):
            self._edit_form_class = type(self._edit_form_class.__name__, (self._edit_form_class,), {
                "version": HiddenField(), "opened_at": HiddenField()})

    def edit_form(self, obj=None):
        """The edit form remembers the record's version and when it was opened (optimistic locking)."""
        form = super().edit_form(obj)
        if request.method == "GET" and obj is not None and hasattr(form, "version"):
            form.version.data, form.opened_at.data = obj.version, "%.3f" % time.time()
        return form

    def _save(self, form, model, is_created):
        """Populate and save in one transaction: a failing part leaves nothing written."""
        before = None if is_created else audit.snapshot(model)
        submitted = submitted_version(form)
        if not is_created and submitted is None:  # without it a stale form would overwrite a newer edit
            flash(gettext(VERSION_MISSING), "error")
            return False
        try:
            with once.saving(self.endpoint + ".create_view" if is_created else None) as submission:
                form.populate_obj(model)
                # a new record starts at 1; an edit must find the version the user's form was made from
                model.version = 1 if is_created else submitted
                self._on_model_change(form, model, is_created)
                access.check_links(model, viewer())  # a link may not widen the writer's own scope
                self.save_record(model, is_created)
                save_inline(form, model)
                self.after_save(form, model, is_created)
                self.audit_save(model, before)
                once.settle(submission, model)
        except AlreadySaved as err:  # a concurrent post of the same form saved first: create_view answers
            g.already_saved = err
            return False
        except StaleRecord as err:
            self._show_error(form, err)
            for line in self.changes_since(model, getattr(form, "opened_at", None) and form.opened_at.data):
                flash(line, "warning")
            return False
        except DomainError as err:
            self._show_error(form, err)
            return False
        except Exception:
            log.exception("saving %s failed", self.model.__name__)
            flash(gettext("The record could not be saved; nothing was changed."), "error")
            return False
        self.after_model_change(form, model, is_created)
        return True

    def changes_since(self, model, opened_at):
        """What others changed in this record since the form was opened: who, when, which fields."""
        try:
            since = dt.datetime.fromtimestamp(float(opened_at or 0)).replace(microsecond=0)
        except (TypeError, ValueError, OverflowError):
            since = dt.datetime.fromtimestamp(0)
        entries = (audit.AuditEntry.select().where(
            (audit.AuditEntry.model == model._meta.table_name) & (audit.AuditEntry.record_id == model._pk)
            & (audit.AuditEntry.action.in_(("update", "step"))) & (audit.AuditEntry.at >= since))
            .order_by(audit.AuditEntry.id))
        labels = self.column_labels or {}
        lines = []
        for entry in entries:
            after = json.loads(entry.after or "{}")
            fields = "、".join(str(labels.get(name, name)) for name in after if name not in ("note", "version"))
            lines.append(gettext("%(who)s changed %(fields)s at %(time)s.", who=entry.username or "",
                                 fields=fields or gettext("the record"), time=i18n.cn_datetime(entry.at)))
        return lines

    def save_record(self, model, is_created):
        """Write the record; a screen whose records are created by a workflow step overrides this."""
        model.save(force_insert=is_created)

    def after_save(self, form, model, is_created):
        """Further writes of a screen, inside the same transaction."""

    def audit_save(self, model, before):
        after = audit.snapshot(model)
        if before is None:
            audit.record("create", model, model._pk, by=current_user, after=after)
        else:
            old, new = audit.changes(before, after)
            if new:
                audit.record("update", model, model._pk, by=current_user, before=old, after=new)

    def _show_error(self, form, err):
        message = i18n.error_message(err)
        field = getattr(form, err.field, None) if err.field else None
        if field is not None:
            field.errors = list(field.errors or []) + [message]
        flash(message, "error")

    def delete_model(self, model):
        """Refuse to delete what other records point to (the default deletes them too)."""
        try:
            with database.atomic():
                self.check_deletable(model)
                self.on_model_delete(model)
                audit.record("delete", model, model._pk, by=current_user, before=audit.snapshot(model))
                model.delete_instance()
        except DomainError as err:
            audit.record("delete_refused", model, model._pk, by=current_user, summary=i18n.error_message(err))
            flash(i18n.error_message(err), "error")
            return False
        self.after_model_delete(model)
        return True

    def check_deletable(self, model):
        found = model.dependants()
        if found:
            names = "、".join("%s %d 条" % (verbose_name(m), n) for m, n in found)
            raise InUse(N_("It cannot be deleted: %(records)s refer to it. Deactivate it instead."), records=names)

    @action("delete", lazy_gettext("Delete"), lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        deleted = 0
        for record in self.model.select().where(self.model._meta.primary_key.in_(clean_ids(ids))):
            if self.delete_model(record):
                deleted += 1
        if deleted:
            flash(ngettext("%(num)s record was deleted.", "%(num)s records were deleted.", deleted), "success")


VERSION_MISSING = N_("The form does not say which version of the record it was opened on (an old or incomplete "
                     "page): nothing was saved. Open the record again and make the change there.")


def submitted_version(form):
    """The record version a posted edit form was made from (its hidden `version` field as posted), or None when
    it is missing or not a whole number. Every edit of a versioned record needs it (optimistic locking); the
    field's data is no help, since WTForms fills a field missing from the post with the record's current value."""
    field = getattr(form, "version", None)
    posted = getattr(field, "raw_data", None) or []  # as posted: when it is missing, field.data is the record's own
    value = str(posted[0] if posted else "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def deactivate(model, ids):
    """Deactivate the active records of these ids, each in its own transaction with its audit entry; the count."""
    count, key, active = 0, model._meta.primary_key, model.active == True  # noqa: E712
    for record in model.select().where(key.in_(clean_ids(ids)) & active):
        with database.atomic():
            rows = model.update(active=False, version=model.version + 1).where((key == record._pk) & active).execute()
            if rows:
                audit.record("update", record, record._pk, by=current_user, summary=str(record),
                             before={"active": True}, after={"active": False})
                count += rows
    return count


def clean_ids(ids):
    """Only whole numbers are ids; anything else in a posted form is ignored."""
    return [int(i) for i in ids if str(i).isdigit()]


def verbose_name(model):
    return gettext(getattr(model, "verbose_name", model.__name__))
