"""Small form and filter pieces shared by the screens."""
from flask import url_for
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, FilterEqual
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.form import rules
from flask_admin.model.fields import AjaxSelectField
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import DatabaseError, DateField, DateTimeField
from wtforms.validators import StopValidation
from wtforms import StringField
from wtforms.validators import ValidationError as FormValidationError
from wtforms.widgets import TextInput

from models import access, deadlines
from models.errors import DomainError
from models.validation import normalize_id_number, normalize_phone

LOOKUP_MAX = 50  # rows a type-ahead answers at most, whatever ?limit= asks
LOOKUP_OFFSET_MAX = 100000  # and how far it pages (a larger OFFSET overflows the databases' integers)


def viewer():
    """The signed-in user, or None (access.visible then shows nothing)."""
    return current_user.user if current_user.is_authenticated else None

from .. import permissions
from .datefields import TypedDateField, TypedDateTimeField


# Personal numbers are found only whole (as normalised), never by a part: a prefix typed digit by digit would
# rebuild the number from the answers.
WHOLE_NUMBERS = {"id_number": normalize_id_number, "phone": normalize_phone, "caller_id_number": normalize_id_number}


def whole_number(name, term):
    """The term as stored in a personal field `name`, or None when it is no whole number of that kind."""
    try:
        return WHOLE_NUMBERS.get(name, normalize_phone)(term)
    except DomainError:
        return None


def clamp(value, low, high):
    """An int of ?limit= / ?offset= within [low, high]; anything not a number is `low`."""
    try:
        return min(max(int(value), low), high)
    except (TypeError, ValueError, OverflowError):
        return low


class ActiveLoader(QueryAjaxModelLoader):
    """Type-ahead over the active rows of a model the user may see, optionally narrowed (e.g. towns only): the
    rows of `kind`'s list (access.visible, `kind` defaulting to the model's screen), none when the role may not
    open that list. Personal fields (access.PERSONAL) match only a whole number, and only for the roles that
    may see them (permissions.sees_personal_data)."""

    def __init__(self, name, model, fields, where=None, kind=None, **options):
        options.setdefault("placeholder", lazy_gettext("Type to search"))
        super().__init__(name, model, fields=fields, **options)
        self.where = where
        self.kind = kind or model.__name__.lower()  # Petition -> "petition", VisitLog -> "visitlog"

    def visible(self):
        user = viewer()
        if user is None or not permissions.allowed(user.role, self.kind, "read"):
            return self.model.select().where(access.NOTHING)
        return access.visible(self.model.select(), user, self.kind)

    def get_one(self, pk):
        """The chosen row of a posted form; None (refused by ScopedAjaxSelectField) for one the user may not see."""
        if not str(pk).isdigit():
            return None
        return self.visible().where(self.model._meta.primary_key == int(pk)).first()

    def matching(self, term):
        """The where-clause of a typed term, or None when nothing may match it."""
        personal = access.personal_fields(self.model)
        user = viewer()
        sees = user is not None and permissions.sees_personal_data(user.role)
        clause = None
        for field in self._cached_fields:
            if field.name in personal:
                number = whole_number(field.name, term) if sees else None
                if number is None:
                    continue
                part = field == number
            else:
                part = field.contains(term)
            clause = part if clause is None else clause | part
        return clause

    def get_list(self, term, offset=0, limit=10):
        query = self.visible()
        if self.where is not None:
            query = query.where(self.where)
        if "active" in self.model._meta.fields:
            query = query.where(self.model.active == True)  # noqa: E712
        term = (term or "").strip()[:100]
        if term:
            clause = self.matching(term)
            if clause is None:
                return []
            query = query.where(clause)
        offset = clamp(offset, 0, LOOKUP_OFFSET_MAX)  # ?offset=-1: PostgreSQL refuses a negative OFFSET
        limit = clamp(10 if limit is None else limit, 0, LOOKUP_MAX)
        return list(query.order_by(self.model._meta.primary_key).offset(offset).limit(limit))


class ScopedAjaxSelectField(AjaxSelectField):
    """A type-ahead field that refuses a posted id its loader does not give (unknown, or not the user's to see)
    with a message on the field: Flask-Admin's own quietly drops it and saves the record without the link."""

    def pre_validate(self, form):
        posted = (self.raw_data or [""])[0]  # not _formdata: the null filter has already set the data to None
        if self.data is None and posted not in ("", "__None"):
            raise FormValidationError(gettext("Choose one of the records offered: this one is not available to you."))
        super().pre_validate(form)


class ScopedModelConverter(CustomModelConverter):
    """The form converter of every screen: foreign keys with a type-ahead become ScopedAjaxSelectFields; dates
    and times are read as typed or pasted (datefields.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.converters[DateTimeField] = self.handle_typed_datetime
        self.converters[DateField] = self.handle_typed_date

    def handle_typed_datetime(self, model, field, **kwargs):
        kwargs.pop("format", None)
        return field.name, TypedDateTimeField(**kwargs)

    def handle_typed_date(self, model, field, **kwargs):
        kwargs.pop("format", None)
        return field.name, TypedDateField(**kwargs)

    def handle_foreign_key(self, model, field, **kwargs):
        loader = getattr(self.view, "_form_ajax_refs", {}).get(field.name)
        if loader:
            kwargs["allow_blank"] = field.null
            return field.name, ScopedAjaxSelectField(loader, **kwargs)
        return super().handle_foreign_key(model, field, **kwargs)


class ChoiceFilter(FilterEqual):
    """Equality on a field of the model itself, the value picked from a list (no join, no bad values)."""

    def __init__(self, column, name, options):
        super().__init__(column, name, options=options)

    def validate(self, value):
        return str(value) in {str(k) for k, _ in self.get_options(None)}

    def get_options(self, view):
        options = self.options() if callable(self.options) else self.options
        return [(str(k), v) for k, v in options]

    def clean(self, value):
        return int(value) if str(value).isdigit() and getattr(self.column, "rel_model", None) else value


def rows_of(model, where=None, label=None):
    """Options of a filter: (id, name) of a small table, read when the list is shown; label(row) for a model
    without a name."""

    def options():
        query = model.select(model.id, model.name) if label is None else model.select()
        if where is not None:
            query = query.where(where)
        try:
            return [(r.id, label(r) if label else r.name) for r in query.order_by(model.id)]
        except DatabaseError:  # the app is built before the schema exists (first start, tests)
            model._meta.database.rollback() if model._meta.database.in_transaction() else None
            return []

    return options


class KeepHidden(rules.BaseRule):
    """A form rule that keeps a hidden field (the CSRF token) in a form laid out by rules, drawing nothing:
    Flask-Admin renders hidden fields itself, but drops every field its rules do not name."""

    def __init__(self, field_name):
        super().__init__()
        self.field_name = field_name

    @property
    def visible_fields(self):
        return [self.field_name]

    def __call__(self, form, form_opts=None, field_args=None):
        return Markup("")


class SuggestInput(TextInput):
    """A text input offering suggestions (a datalist); any other text may be typed."""

    def __init__(self, suggestions):
        super().__init__()
        self.suggestions = suggestions

    def __call__(self, field, **kwargs):
        list_id = "%s-suggestions" % field.id
        kwargs["list"] = list_id
        options = "".join('<option value="%s">' % escape(s) for s in self.suggestions)
        return Markup(super().__call__(field, **kwargs) + Markup('<datalist id="%s">%s</datalist>' % (list_id, options)))


def suggest_field(label, suggestions, **kwargs):
    return StringField(label, widget=SuggestInput(suggestions), **kwargs)


def deadline_text(due_on):
    """(text, css class) of a deadline: 剩 12 天 / 即将到期（剩 2 天）/ 已超期 3 天."""
    left, urgency = deadlines.days_left(due_on), deadlines.urgency(due_on)
    if urgency == "overdue":
        return gettext("Overdue by %(num)s days", num=-left), "text-overdue"
    if urgency == "due_soon":
        return gettext("Due soon: %(num)s days left", num=left), "text-due-soon"
    return gettext("%(num)s days left", num=left), "text-muted"


def petition_link(view, context, model, name):
    """The petition's number, linked to its page (where its steps are taken) for those who may read it."""
    petition = getattr(model, name)
    if petition is None:
        return ""
    if not permissions.allowed(current_user.role, "petition", "read"):
        return petition.number
    return Markup('<a href="%s">%s</a>') % (url_for("petition.details_view", id=petition.id), petition.number)


class HasValueFilter(BasePeeweeFilter):
    """是: the column holds a value (a document's voided_at, a ticket's petition); 否: it is empty."""

    def __init__(self, column, name):
        super().__init__(column, name, options=(("1", lazy_gettext("Yes")), ("0", lazy_gettext("No"))))

    def validate(self, value):
        return value in ("0", "1")

    def apply(self, query, value):
        return query.where(self.column.is_null(value != "1"))

    def operation(self):
        return lazy_gettext("equals")


def filled(form, field):
    """Required, and more than spaces (InputRequired lets "  " through): 此项为必填项。"""
    if not (field.data or "").strip():
        field.errors[:] = []
        raise StopValidation(gettext("This field is required."))
