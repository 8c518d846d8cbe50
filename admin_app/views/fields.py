"""Small form and filter pieces shared by the screens."""
from flask import url_for
from flask_admin.contrib.peewee.ajax import QueryAjaxModelLoader
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, FilterEqual
from flask_admin.form import rules
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import DatabaseError
from wtforms import StringField
from wtforms.widgets import TextInput

from models import access, deadlines

LOOKUP_MAX = 50  # rows a type-ahead answers at most, whatever ?limit= asks
LOOKUP_OFFSET_MAX = 100000  # and how far it pages (a larger OFFSET overflows the databases' integers)


def viewer():
    """The signed-in user, or None (access.visible then shows nothing)."""
    return current_user.user if current_user.is_authenticated else None

from .. import permissions


class ActiveLoader(QueryAjaxModelLoader):
    """Type-ahead over the active rows of a model the user may see (access.visible, `kind` defaulting to the
    model's screen), optionally narrowed (e.g. towns only)."""

    def __init__(self, name, model, fields, where=None, kind=None, **options):
        options.setdefault("placeholder", lazy_gettext("Type to search"))
        super().__init__(name, model, fields=fields, **options)
        self.where = where
        self.kind = kind or model.__name__.lower()  # Petition -> "petition", VisitLog -> "visitlog"

    def visible(self):
        return access.visible(self.model.select(), viewer(), self.kind)

    def get_one(self, pk):
        """The chosen row of a posted form; None (不是有效的选项) for one the user may not see."""
        if not str(pk).isdigit():
            return None
        return self.visible().where(self.model._meta.primary_key == int(pk)).first()

    def get_list(self, term, offset=0, limit=10):
        query = self.visible()
        if self.where is not None:
            query = query.where(self.where)
        if "active" in self.model._meta.fields:
            query = query.where(self.model.active == True)  # noqa: E712
        term = (term or "").strip()
        if term:
            clause = None
            for field in self._cached_fields:
                q = field.contains(term)
                clause = q if clause is None else clause | q
            query = query.where(clause)
        offset = min(max(offset or 0, 0), LOOKUP_OFFSET_MAX)  # ?offset=-1: PostgreSQL refuses a negative OFFSET
        limit = min(max(limit or 0, 0), LOOKUP_MAX)
        return list(query.order_by(self.model._meta.primary_key).offset(offset).limit(limit))


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
