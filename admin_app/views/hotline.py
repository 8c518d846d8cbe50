"""12345 热线联动 screens: hotline tickets (list, import, the way to 转为信访事项), the API's clients, and 排访 (early-sign
flags, each dismissible with a reason; the possible-repeat check used by the petition form)."""
from flask import current_app, flash, g, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_login import current_user
from peewee import DatabaseError
from werkzeug.datastructures import CombinedMultiDict
from wtforms import FileField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from models import access
from models import audit, settings
from models.reports import early_signs
from models.imports import hotline as importer
from models.db import database
from models.errors import DomainError
from models import workflow
from models.hotline import FIELD_LABELS, SCOPES, ApiClient, FlagDismissal, HotlineTicket
from models.workflow.hotline import match_petitioner
from models.petition import STATUSES, Petition

from .. import i18n, permissions, personal
from .base import SecureModelView, datetime_formatter, deactivate
from .fields import ChoiceFilter, HasValueFilter, petition_link
from .datefields import DateRange

IMPORT_MAX_BYTES = 10 * 1024 * 1024  # the default of HOTLINE_IMPORT_MAX_BYTES
REPORT_ROWS_SHOWN = 500  # rows of the report listed on the page (the counts cover all)


def distinct_values(column):
    """Filter options: the values a text column holds, read when the list is shown."""

    def options():
        try:
            query = (column.model.select(column).distinct().where(column.is_null(False) & (column != ""))
                     .order_by(column))
            return [(value, value) for (value,) in query.tuples()]
        except DatabaseError:  # the app is built before the schema exists
            if database.in_transaction():
                database.rollback()
            return []

    return options


def deadline_formatter(view, context, model, name):
    """办理时限: a day (2023年3月8日), or a day and time when the hotline gives one."""
    value = getattr(model, name)
    if value is not None and (value.hour, value.minute, value.second) == (0, 0, 0):
        return i18n.cn_date(value)
    return i18n.cn_datetime(value)


class ImportForm(SecureForm):
    file = FileField(_l("File (Excel or CSV)"))


def report_rows(report, limit=REPORT_ROWS_SHOWN):
    """The rows of an import report as shown: skipped first (each with its reason), then added and updated;
    unchanged rows are only counted, unless something is said about them (a duplicate in the file)."""
    rows = []
    order = {"skipped": 0, "added": 1, "updated": 2, "unchanged": 3}
    shown = (r for r in report.rows if r.result != "unchanged" or r.notes)  # unchanged rows only when noted
    for row in sorted(shown, key=lambda r: (order[r.result], r.line)):
        rows.append({
            "line": row.line, "number": row.number, "result": i18n.choice_label(importer.RESULTS, row.result),
            "css": "table-warning" if row.result == "skipped" else "",
            "detail": "；".join(
                ([i18n.error_message(row.error)] if row.error is not None else [])
                + ([gettext("Changed: %(fields)s", fields="、".join(gettext(FIELD_LABELS[f]) for f in row.changed))]
                   if row.result == "updated" else [])
                + [i18n.error_message(note) for note in row.notes]),
        })
    return rows[:limit], max(len(rows) - limit, 0)


def report_summary(report):
    counts = report.counts()
    return gettext("%(added)s added, %(updated)s updated, %(unchanged)s unchanged, %(skipped)s skipped.", **counts)


class HotlineTicketView(personal.PersonalFields, SecureModelView):
    """12345工单: tickets shared by the hotline, imported from its exports or pushed through the API; 转为信访事项
    opens the petition form filled from a ticket (views/petitions/from_ticket.py)."""

    route_ops = {"import_view": "create"}
    action_ops = {"delete": "delete"}

    can_create = False  # tickets come from the hotline
    can_edit = False
    can_delete = False
    list_template = "admin/hotline_list.html"
    details_template = "admin/hotline_details.html"
    search_fields_for_all = (HotlineTicket.number, HotlineTicket.caller, HotlineTicket.content)
    column_searchable_list = (HotlineTicket.number, HotlineTicket.caller, HotlineTicket.content, HotlineTicket.phone,
                              HotlineTicket.caller_id_number)
    column_list = ("number", "called_at", "caller", "phone", "kind", "area", "handling_unit", "status", "deadline",
                   "petition")
    column_details_list = ("number", "called_at", "caller", "phone", "caller_id_number", "content", "kind", "area",
                           "handling_unit", "deadline", "status", "satisfaction", "petition", "created_at",
                           "updated_at")
    column_labels = {
        "number": _l("Ticket number"), "called_at": _l("Call time"), "caller": _l("Caller"), "phone": _l("Phone"),
        "caller_id_number": _l("ID number"), "content": _l("Request"), "kind": _l("Request type"),
        "area": _l("Area"), "handling_unit": _l("Handling unit"), "deadline": _l("Time limit"),
        "status": _l("Ticket status"), "satisfaction": _l("Satisfaction"), "petition": _l("Petition"),
        "created_at": _l("Created"), "updated_at": _l("Updated"),
    }
    column_default_sort = [("called_at", True), ("id", True)]
    column_sortable_list = ("number", "called_at", "deadline")
    column_formatters = {"called_at": datetime_formatter, "deadline": deadline_formatter,
                         "petition": petition_link}  # phone and ID number masked: personal.PersonalFields
    column_formatters_detail = dict(column_formatters, created_at=datetime_formatter, updated_at=datetime_formatter)
    column_filters = (
        ChoiceFilter(HotlineTicket.kind, _l("Request type"), distinct_values(HotlineTicket.kind)),
        ChoiceFilter(HotlineTicket.area, _l("Area"), distinct_values(HotlineTicket.area)),
        ChoiceFilter(HotlineTicket.status, _l("Ticket status"), distinct_values(HotlineTicket.status)),
        DateRange(HotlineTicket.called_at, _l("Call time")),
        HasValueFilter(HotlineTicket.petition, _l("Turned into a petition")),  # 已转为信访事项
    )

    def related_columns(self):
        return [HotlineTicket.petition]

    def may_convert(self):
        return self.permitted("step") and permissions.allowed(current_user.role, "petition", "create")

    def render(self, template, **kwargs):
        if template in (self.list_template, self.details_template):
            kwargs["may_import"] = self.permitted("create")
            kwargs["may_convert"] = self.may_convert()
            kwargs["may_read_petitions"] = permissions.allowed(current_user.role, "petition", "read")
        if template == self.details_template and "model" in kwargs and kwargs["model"].petition_id is None:
            kwargs["caller_petitions"] = self.caller_petitions(kwargs["model"])
        return super().render(template, **kwargs)

    def caller_petitions(self, ticket):
        """The caller on record (by ID number or phone) and their open petitions this user may see, shown before
        the ticket is turned into a petition: perhaps it is the same matter."""
        person = match_petitioner(ticket)
        if person is None or not permissions.allowed(current_user.role, "petition", "read"):
            return None
        query = access.visible(Petition.select(), current_user.user, "petition").where(
            (Petition.petitioner == person.id) & Petition.status.in_(workflow.OPEN))
        return {"person": person, "petitions": list(query.order_by(Petition.received_at.desc()).limit(10))}

    # -- import -----------------------------------------------------------------------------------------

    @expose("/import/", methods=("GET", "POST"))
    def import_view(self):
        """Upload an xlsx or CSV export of the hotline; the per-row report is shown."""
        limit = current_app.config.get("HOTLINE_IMPORT_MAX_BYTES") or IMPORT_MAX_BYTES
        overrides = self.column_overrides()
        context = {"limit_mb": round(limit / 1024 / 1024, 1), "list_url": self.get_url(".index_view"),
                   "columns": [(gettext(FIELD_LABELS[name]), "、".join(headers), name in importer.REQUIRED_FIELDS)
                               for name, headers in importer.column_mapping(overrides).items()]}
        if request.method == "POST":
            if (request.content_length or 0) > limit + 64 * 1024:  # refused before the body is read
                flash(gettext("The file is larger than %(size)s MB.", size=context["limit_mb"]), "error")
                return self.render("admin/hotline_import.html", form=ImportForm(), **context)
            form = ImportForm(CombinedMultiDict((request.files, request.form)))
            if not form.validate():
                flash(gettext("The form has expired; please try again."), "error")
            else:
                upload = request.files.get("file")
                data = upload.stream.read(limit + 1) if upload is not None and upload.filename else b""
                if not data:
                    flash(gettext("Choose a file to import."), "error")
                elif len(data) > limit:
                    flash(gettext("The file is larger than %(size)s MB.", size=context["limit_mb"]), "error")
                else:
                    return self.show_report(upload.filename, data, overrides, context)
        return self.render("admin/hotline_import.html", form=ImportForm(), **context)

    def column_overrides(self):
        try:
            return (importer.configured_overrides(current_app.config) or settings.value("HOTLINE_COLUMNS"))
        except ValueError:
            flash(gettext("The setting HOTLINE_COLUMNS is not valid JSON; the usual headers are read."), "error")
            return None

    def show_report(self, filename, data, overrides, context):
        report = importer.import_file(data, filename, overrides=overrides, by=current_user, summary=filename[:60])
        if report.error is not None:
            flash(gettext("The file was not imported: %(error)s", error=i18n.error_message(report.error)), "error")
            return self.render("admin/hotline_import.html", form=ImportForm(), **context)
        summary = report_summary(report)
        audit.record("create", HotlineTicket, None, by=current_user,
                     summary=gettext("Imported hotline tickets from %(file)s: %(summary)s", file=filename[:60],
                                     summary=summary))
        rows, more = report_rows(report)
        flash(summary, "success" if not report.skipped else "warning")
        return self.render("admin/hotline_import.html", form=ImportForm(), report=report, rows=rows, more=more,
                           counts=report.counts(), filename=filename, **context)


# -- the API's clients --------------------------------------------------------------------------------

class ScopesField(SelectMultipleField):
    """The scopes as checkboxes, stored space-separated."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_data(self, value):
        self.data = value.split() if isinstance(value, str) else list(value or [])

    def populate_obj(self, obj, name):
        setattr(obj, name, " ".join(code for code, _ in self.choices if code in (self.data or [])))


def scopes_formatter(view, context, model, name):
    labels = dict(SCOPES)
    return "、".join(gettext(labels[s]) if s in labels else s for s in model.scope_list())


class ApiClientView(SecureModelView):
    """接口客户端: the programs (the 12345 platform) that may use /api/v1, each with its own token, shown once
    when the client is created; only its SHA-256 is kept."""

    action_ops = {"delete": "delete", "deactivate": "edit"}
    can_delete = False  # a client that pushed tickets stays on record: deactivate it
    column_list = ("name", "token_hint", "scopes", "active", "created_by", "created_at", "last_used_at")
    column_details_list = column_list
    column_labels = {"name": _l("Name"), "token_hint": _l("Token begins with"), "scopes": _l("Permissions"),
                     "active": _l("Active"), "created_by": _l("Created by"), "created_at": _l("Created"),
                     "last_used_at": _l("Last used")}
    column_formatters = {"scopes": scopes_formatter, "created_at": datetime_formatter,
                         "last_used_at": datetime_formatter}
    column_default_sort = ("id", True)
    form_columns = ("name", "scopes", "active")
    form_overrides = {"scopes": ScopesField}
    form_args = {"scopes": {"choices": i18n.choices(SCOPES), "label": _l("Permissions")}}

    def on_model_change(self, form, model, is_created):
        if is_created:
            model.created_by = current_user.user
            model.new_token()

    def after_model_change(self, form, model, is_created):
        if is_created:
            g.new_api_client = model

    def audit_save(self, model, before):
        """As every screen, without the token's hash."""
        after = {k: v for k, v in audit.snapshot(model).items() if k != "token_hash"}
        if before is None:
            audit.record("create", model, model._pk, by=current_user, after=after)
        else:
            old, new = audit.changes({k: v for k, v in before.items() if k != "token_hash"}, after)
            if new:
                audit.record("update", model, model._pk, by=current_user, before=old, after=new)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """As Flask-Admin's, but a new client's token is shown once, on a page no cache keeps."""
        g.new_api_client = None
        response = super().create_view()
        client = g.pop("new_api_client", None)
        if client is None or not getattr(client, "plain_token", None):
            return response
        personal.mark_no_store()
        return self.render("admin/api_client_token.html", client=client, token=client.plain_token,
                           list_url=self.get_url(".index_view"), openapi_url=url_for("api.openapi"))

    @action("deactivate", _l("Deactivate"), _l("Deactivate the selected clients? Their tokens stop working."))
    def action_deactivate(self, ids):
        count = deactivate(ApiClient, ids)  # audited, one by one
        flash(ngettext("%(num)s client was deactivated.", "%(num)s clients were deactivated.", count), "success")


# -- 排访: early signs ----------------------------------------------------------------------------------

def flag_kind_label(view, context, model, name):
    return i18n.choice_label(early_signs.KINDS, model.kind)


class FlagsView(SecureModelView):
    """排访: the early signs (苗头性问题) flagged now, each with its reason and records, dismissible with a
    reason; below, the flags dismissed so far. Also the possible-repeat check of the petition form."""

    route_ops = {"dismiss_view": "create", "repeat_check_view": "read"}

    can_create = False
    can_edit = False
    can_delete = False
    list_template = "admin/flags_list.html"
    column_list = ("at", "kind", "summary", "reason", "by")
    column_details_list = ("at", "kind", "summary", "evidence", "reason", "by")
    column_labels = {"at": _l("Dismissed at"), "kind": _l("Kind of sign"), "summary": _l("Sign"),
                     "reason": _l("Reason for dismissing"), "by": _l("Dismissed by"), "evidence": _l("Related records")}
    column_formatters = {"at": datetime_formatter, "kind": flag_kind_label}
    column_default_sort = ("at", True)
    column_searchable_list = (FlagDismissal.summary, FlagDismissal.reason)
    column_filters = (ChoiceFilter(FlagDismissal.kind, _l("Kind of sign"), i18n.choices(early_signs.KINDS)),)

    def related_columns(self):
        return [FlagDismissal.by]

    @staticmethod
    def flag_text(flag):
        return gettext(flag.reason, **flag.params)

    def flag_rows(self, flags):
        """What the page shows of each flag: kind, reason, and links to its records the user may open. Only the
        flags whose every record the user sees (access.shows_flag): their texts name petitions, people, tickets."""
        seen = access.visible_evidence({ref for flag in flags for ref in flag.evidence}, current_user.user)
        flags = [flag for flag in flags if access.shows_flag(flag.evidence, current_user.user, seen)]
        petition_ids = {pid for flag in flags for pid in flag.petition_ids}
        ticket_ids = {tid for flag in flags for tid in flag.ticket_ids}
        numbers = {}
        if petition_ids:
            query = Petition.select(Petition.id, Petition.number).where(Petition.id.in_(list(petition_ids)))
            visible = set() if not permissions.allowed(current_user.role, "petition", "read") else {
                pid for (pid,) in access.visible(query.select(Petition.id), current_user.user, "petition").tuples()}
            for pid, number in query.tuples():
                numbers["p%d" % pid] = (number, url_for("petition.details_view", id=pid) if pid in visible else None)
        if ticket_ids:
            readable = permissions.allowed(current_user.role, "hotlineticket", "read")
            for tid, number in HotlineTicket.select(HotlineTicket.id, HotlineTicket.number).where(
                    HotlineTicket.id.in_(list(ticket_ids))).tuples():
                numbers["t%d" % tid] = (number, url_for("hotlineticket.details_view", id=tid)
                                        if readable and "t%d" % tid in seen else None)
        rows = []
        for flag in flags:
            links = [numbers[ref] for ref in flag.evidence if ref in numbers]
            rows.append({"key": flag.key, "kind": i18n.choice_label(early_signs.KINDS, flag.kind),
                         "text": self.flag_text(flag), "latest": i18n.cn_datetime(flag.latest), "links": links})
        return rows

    def render(self, template, **kwargs):
        if template == self.list_template:
            flags = early_signs.current_flags()
            kwargs["flags"] = self.flag_rows(flags)
            kwargs["may_dismiss"] = self.permitted("create")
            kwargs["dismiss_csrf"] = SecureForm().csrf_token.current_token
        return super().render(template, **kwargs)

    @expose("/dismiss/", methods=("POST",))
    def dismiss_view(self):
        back = self.get_url(".index_view")
        if not SecureForm(request.form).validate():
            flash(gettext("The form has expired; please try again."), "error")
            return redirect(back)
        key = (request.form.get("key") or "")[:200]
        flag = early_signs.find_flag(key)
        try:
            early_signs.dismiss(flag, request.form.get("reason"), current_user.user,
                                summary=self.flag_text(flag) if flag else None)
        except DomainError as err:
            flash(i18n.error_message(err), "error")
            return redirect(back)
        flash(gettext("The sign was dismissed: %(sign)s", sign=self.flag_text(flag)), "success")
        return redirect(back)

    @expose("/repeat-check/")
    def repeat_check_view(self):
        """JSON for the petition form, before saving: the open petitions the new one may repeat.

        ?petitioner=<id>&village=<text>&category=<id>&town=<id>&exclude=<petition id>"""
        def number(name):
            value = request.args.get(name, "")
            return int(value) if value.isdigit() else None

        found = early_signs.possible_repeats(number("petitioner"), (request.args.get("village") or "")[:50],
                                             number("category"), number("town"), number("exclude"))
        if found:
            visible = {pid for (pid,) in access.visible(Petition.select(Petition.id), current_user.user, "petition")
                       .where(Petition.id.in_([p.id for p, _ in found])).tuples()}
            found = [(p, why) for p, why in found if p.id in visible]
        if not permissions.allowed(current_user.role, "petition", "read"):
            found = []
        petitions = [{
            "id": p.id, "number": p.number, "subject": p.subject, "status": p.status,
            "status_label": i18n.choice_label(STATUSES, p.status), "received_at": i18n.cn_date(p.received_at),
            "why": gettext(early_signs.REPEAT_REASONS[why]), "url": url_for("petition.details_view", id=p.id),
        } for p, why in found]
        message = gettext("Possible repeat: %(num)s open petitions are similar. Check them before saving.",
                          num=len(petitions)) if petitions else ""
        return jsonify({"count": len(petitions), "message": message, "petitions": petitions})
