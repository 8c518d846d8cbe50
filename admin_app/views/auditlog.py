"""操作日志: the audit log read by people, never changed: the record type in Chinese, the values as
"字段: 旧 → 新" lines."""
import datetime as dt
import json

from flask import current_app, url_for
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup
from peewee import BooleanField, DateField, DateTimeField, ForeignKeyField

from models import workflow
from models.audit import ACTIONS, AuditEntry
from models.casework import EVALUATIONS, OUTCOMES
from models.petition import CLASSIFICATIONS, Petition
from models.people import User
from models.schema import MODELS

from .. import i18n
from .base import SecureModelView, datetime_formatter
from .fields import ChoiceFilter, rows_of
from .datefields import DateRange

MODEL_OF = {model._meta.table_name: model for model in MODELS}

# Labels of the fields that no screen shows (the screens' own column_labels come first).
FIELD_LABELS = {
    "note": _l("Note"), "status": _l("Status"), "outcome": _l("Outcome"), "due_on": _l("Deadline"),
    "first": _l("Petition"), "second": _l("Linked petition"),  # 同一事项 (models/workflow/repeats.py)
    # a step's entry: when it happened and when it was typed in (补录), when its time was corrected
    "at": _l("Done at"), "recorded_at": _l("Recorded at"), "corrected_at": _l("Corrected at"),
}
MOMENTS = ("at", "recorded_at", "corrected_at")  # kept as ISO text in a step's entry, shown as 2022年12月9日 09:30
# Codes kept in a field without choices, or in the note of a step.
CODES = {"outcome": OUTCOMES}
NOTE_CODES = {"classify": CLASSIFICATIONS, "follow_up": EVALUATIONS}
# The field that names a record pointed to (others: "name" where there is one, else the id).
NAME_FIELDS = {Petition: "number", User: "display_name"}


def model_label(table):
    """The Chinese name of a record type stored as its table name."""
    model = MODEL_OF.get(table)
    return gettext(model.verbose_name) if model is not None and hasattr(model, "verbose_name") else table


def model_options():
    return [(table, _l(model.verbose_name)) for table, model in MODEL_OF.items() if hasattr(model, "verbose_name")]


def summary_label(entry):
    """A step's name for a workflow entry (a consultation's conclusion too); the stored summary otherwise."""
    if entry.summary in workflow.STEPS:
        return gettext(workflow.STEPS[entry.summary])
    return entry.summary or ""


def view_of(model):
    for view in current_app.extensions.get("office_views", {}).values():
        if view.model is model:
            return view
    return None


def record_link(view, context, entry, name):
    """The record's number, linked to its page on the screen that shows that kind of record."""
    screen = view_of(MODEL_OF.get(entry.model))
    if entry.record_id is None or screen is None or not screen.can_view_details:
        return entry.record_id
    url = url_for("%s.details_view" % screen.endpoint, id=entry.record_id)
    return Markup('<a href="%s">%s</a>') % (url, entry.record_id)


def field_label(model, name):
    view = view_of(model)
    if view is not None and name in (view.column_labels or {}):
        return str(view.column_labels[name])
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return name


def _load(text):
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _in_field_order(model, names):
    """The model's fields in their declared order; others (a step's note) after them."""
    order = {name: i for i, name in enumerate(model._meta.sorted_field_names)} if model is not None else {}
    return sorted(names, key=lambda name: order.get(name, len(order)))


def referenced(entries):
    """{(model, id): name} of the records the entries' foreign keys point to: one query per kind of record."""
    wanted = {}
    for entry in entries:
        model = MODEL_OF.get(entry.model)
        fields = model._meta.fields if model is not None else {}
        for data in (_load(entry.before), _load(entry.after)):
            for name, value in data.items():
                field = fields.get(name)
                if isinstance(field, ForeignKeyField) and isinstance(value, int):
                    wanted.setdefault(field.rel_model, set()).add(value)
    names = {}
    for model, ids in wanted.items():
        name = NAME_FIELDS.get(model) or ("name" if "name" in model._meta.fields else None)
        if name is None:
            continue
        key = model._meta.primary_key
        for pk, label in model.select(key, model._meta.fields[name]).where(key.in_(list(ids))).tuples():
            names[(model, pk)] = label
    return names


def _value(entry, model, name, value, names):
    if value is None or value == "":
        return gettext("None")
    field = model._meta.fields.get(name) if model is not None else None
    if name == "note" and entry.summary in NOTE_CODES:
        return i18n.choice_label(NOTE_CODES[entry.summary], value)
    if field is not None and (field.choices or name in CODES):
        return i18n.choice_label(field.choices or CODES[name], value)
    if isinstance(field, BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, ForeignKeyField):
        return str(names.get((field.rel_model, value), value))
    if (isinstance(field, (DateTimeField, DateField)) or (field is None and name in MOMENTS)) and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return i18n.cn_date(moment) if isinstance(field, DateField) else i18n.cn_datetime(moment)
    return str(value)


def change_lines(entry, names=None):
    """The entry's values as lines: "字段: 旧 → 新" (an edit or a step), "字段: 值" (a creation or a deletion)."""
    names = names or {}
    model = MODEL_OF.get(entry.model)
    before, after = _load(entry.before), _load(entry.after)
    lines = []
    for name in _in_field_order(model, dict.fromkeys(list(before) + list(after))):
        if name == "id":
            continue
        label = field_label(model, name)
        if name in before and name in after:
            old, new = (_value(entry, model, name, v, names) for v in (before[name], after[name]))
            lines.append("%s: %s → %s" % (label, old, new))
        else:
            value = after.get(name, before.get(name))
            if value not in (None, ""):  # a creation lists what was filled in
                lines.append("%s: %s" % (label, _value(entry, model, name, value, names)))
    return lines


def side_lines(entry, which, names=None):
    """The values before (or after) as "字段: 值" lines, empty ones left out."""
    model = MODEL_OF.get(entry.model)
    values = _load(getattr(entry, which))
    return ["%s: %s" % (field_label(model, name), _value(entry, model, name, values[name], names or {}))
            for name in _in_field_order(model, values) if name != "id" and values[name] not in (None, "")]


def user_label(user):
    return "%s（%s）" % (user.display_name, user.username)


def shorten(lines, limit=60):
    text = "；".join(lines)
    return text if len(text) <= limit else text[:limit] + "…"


class AuditView(SecureModelView):
    """操作日志: who did what and when, the values before and after; read only (the log is append-only)."""

    can_create = False
    can_edit = False
    can_delete = False
    simple_list_pager = True  # the log only grows: no COUNT over it on every page
    details_template = "admin/audit_details.html"
    column_list = ("at", "username", "action", "model", "record_id", "summary", "before", "after")
    column_labels = {"at": _l("Time"), "username": _l("Username"), "action": _l("Action"), "model": _l("Record type"),
                     "record_id": _l("Record number"), "summary": _l("Note"), "before": _l("Before"),
                     "after": _l("After"), "changes": _l("Changes")}
    column_details_list = ("at", "username", "action", "model", "record_id", "summary")
    column_formatters = {
        "at": datetime_formatter,
        "model": lambda view, context, model, name: model_label(model.model),
        "record_id": record_link,
        "summary": lambda view, context, model, name: summary_label(model),
        "before": lambda view, context, model, name: getattr(model, "texts", {}).get(name, ""),
        "after": lambda view, context, model, name: getattr(model, "texts", {}).get(name, ""),
    }
    column_formatters_detail = {"at": datetime_formatter, "model": column_formatters["model"],
                                "record_id": record_link, "summary": column_formatters["summary"]}
    column_default_sort = [("at", True), ("id", True)]
    column_sortable_list = ("at",)
    column_filters = (
        ChoiceFilter(AuditEntry.action, _l("Action"), i18n.choices(ACTIONS)),
        ChoiceFilter(AuditEntry.model, _l("Record type"), model_options),
        ChoiceFilter(AuditEntry.user, _l("User"), rows_of(User, label=user_label)),
        DateRange(AuditEntry.at, _l("Time")),
    )

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)
        if execute:
            names = referenced(rows)
            for row in rows:
                row.texts = {which: shorten(side_lines(row, which, names)) for which in ("before", "after")}
        return count, rows

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            entry = kwargs["model"]
            kwargs["changes"] = change_lines(entry, referenced([entry]))
        return super().render(template, **kwargs)
