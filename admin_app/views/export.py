"""导出: every list to Excel (xlsx) and to CSV that Excel opens in Chinese (UTF-8 with a BOM).

An export holds what the list shows to this user: the same search, filters, sort and row scope (a department
its own referrals: rows come from get_list, hence get_query), the Chinese column labels as headers, Chinese
choice labels, dates as 2022年12月9日 (real dates in an xlsx file), booleans as 是/否. ID numbers and phones (models.access.PERSONAL) are
masked; a role that may see them in full (permissions.sees_personal_data and the "personal" operation) asks for
them explicitly (?personal=full), and that export is written to the audit log. The files are written by
models/spreadsheet.py, the one writer: a cell that a spreadsheet would run as a formula is neutralised.
Secrets (password hashes) and file contents (the PDF of a letter) are never exported.
A list longer than export_max_rows is refused with a message, never cut short silently.
"""
import datetime as dt
import decimal
import re
import time
from urllib.parse import quote

from flask import Response, abort, flash, redirect, request
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from peewee import BareField, BlobField, DateField, DateTimeField, ForeignKeyField

from models import access, audit
from models.spreadsheet import XLSX_MIMETYPE, Book, csv_bytes

from .. import i18n, permissions
from .prefetch import attach_related

MAX_ROWS = 50000
SECRET_NAME = re.compile(r"password|secret|token|pdf", re.IGNORECASE)
BUTTONS = re.compile(r"<(?:a|button|form)\b[^>]*class=\"[^\"]*\bbtn\b")

FORMATS = {"xlsx": _l("Export Excel"), "csv": _l("Export CSV")}


def is_secret(model, name):
    """Never exported: password hashes and the like, and stored files (BlobField), whatever a view lists."""
    field = model._meta.fields.get(name) if isinstance(name, str) else None
    return bool(SECRET_NAME.search(str(name))) or isinstance(field, (BlobField, BareField))


def plain(view, value):
    """A formatted list value as a spreadsheet value: text, or a number or a date kept as it is (date_text makes
    it text for a CSV file; an xlsx file holds real dates)."""
    if value is None or isinstance(value, (bytes, bytearray, memoryview)):
        return ""
    if isinstance(value, Markup):  # a list formatter's HTML: its text
        return " ".join(value.striptags().split())
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (int, float, decimal.Decimal, dt.date)):
        return value
    return str(value)


def date_text(value):
    """A CSV cell: a date as 2022年12月9日, a date and time as 2022年12月9日 09:30; anything else as it is."""
    if isinstance(value, dt.datetime):
        return i18n.cn_datetime(value)
    if isinstance(value, dt.date):
        return i18n.cn_date(value)
    return value


def is_buttons(value):
    return isinstance(value, Markup) and BUTTONS.search(value) is not None


def _width(text):
    return sum(2 if ord(c) > 0x2e80 else 1 for c in str(text))


def xlsx_bytes(title, headers, rows):
    """One sheet, bold frozen header row; texts are written as text (never formulas), numbers as numbers, dates
    as Excel dates."""
    book = Book(write_only=True)
    sheet = book.sheet(title)
    sheet.freeze_panes = "A2"
    widths = [_width(h) for h in headers]
    for row in rows[:200]:
        widths = [max(w, _width(v)) for w, v in zip(widths, row)]
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width + 2, 8), 60)
    sheet.append([str(h) for h in headers], font=Font(bold=True))
    for row in rows:
        sheet.append([v if isinstance(v, (int, float, decimal.Decimal, dt.date)) and not isinstance(v, bool)
                      else str(v) for v in row])
    return book.save()


def attachment(data, mimetype, name, fallback):
    """A download named in Chinese (RFC 5987) with an ASCII name for old clients; never cached."""
    disposition = "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (fallback, quote(name))
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition,
                                                      "Cache-Control": "no-store", "Pragma": "no-cache"})


class ExportMixin:
    """The export of SecureModelView (base.py): who may export is the "export" operation of permissions.py
    (the can_export property); a screen that offers none sets `can_export = False`."""

    _offers_can_export = True
    export_types = ("xlsx", "csv")
    export_max_rows = MAX_ROWS
    list_template = "admin/model/office_list.html"  # the export buttons in Chinese

    # -- what is exported ---------------------------------------------------------------------------

    def get_export_columns(self):
        return [(name, label) for name, label in super().get_export_columns() if not is_secret(self.model, name)]

    def export_masks(self):
        """{column: mask} of the personal fields (access.PERSONAL) among the exported columns."""
        masks = access.personal_fields(self.model)
        exported = {name for name, _ in self._export_columns}
        return {name: mask for name, mask in masks.items() if name in exported}

    def may_export_full(self):
        """Full ID numbers and phones in an export: only a role that may see them here (and it is audited)."""
        return (current_user.is_authenticated and permissions.sees_personal_data(current_user.role)
                and permissions.allowed(current_user.role, self.endpoint, "personal"))

    def export_links(self):
        """The buttons of the list: [(label, url)], then the full-data variants for the roles that may."""
        args = {k: v for k, v in request.args.items() if k not in ("export_type", "personal")}
        links = [(FORMATS[kind], self.get_url(".export", export_type=kind, **args)) for kind in self.export_types]
        full = []
        if self.export_masks() and self.may_export_full():
            fields = "、".join(str(label) for name, label in self._export_columns if name in self.export_masks())
            full = [(gettext("%(format)s with the full %(fields)s", format=FORMATS[kind], fields=fields),
                     self.get_url(".export", export_type=kind, personal="full", **args))
                    for kind in self.export_types]
        return links, full

    def export_value(self, model, name, masks, full):
        """A personal field: masked, or in full when asked for by a role that may (see export)."""
        value = getattr(model, name, None) or ""
        return value if full else masks[name](value)

    def date_columns(self):
        """The exported date and date-time fields: exported as dates (a list may show them as 剩 12 天)."""
        fields = self.model._meta.fields
        return {name for name, _ in self._export_columns
                if isinstance(fields.get(name) if isinstance(name, str) else None, (DateField, DateTimeField))}

    def export_rows(self):
        """(rows, count) of the list as shown (search, filters, sort, scope), rows None when there are too many.
        The count is asked first, so a list far too long is refused without reading it."""
        view_args = self._get_list_extra_args()
        sort = self._get_column_by_idx(view_args.sort)
        args = (0, sort[0] if sort else None, view_args.sort_desc, view_args.search, view_args.filters)
        limit = self.export_max_rows
        count, _ = self.get_list(*args, execute=False, page_size=limit + 1)
        if count is not None and count > limit:
            return None, count
        _, rows = self.get_list(*args, execute=True, page_size=limit + 1)  # the view's own loading of related rows
        rows = list(rows)
        if len(rows) > limit:
            return None, len(rows)
        fields = self.model._meta.fields
        attach_related(rows, [fields[name] for name, _ in self._export_columns if name not in (self.column_list or ())
                              and isinstance(fields.get(name), ForeignKeyField)])
        return rows, len(rows)

    def export_table(self, rows, full):
        """(headers, rows of values); a column of buttons only (办理, 记录接访) is a screen's, not data."""
        masks = self.export_masks()
        columns = self._export_columns
        dates = self.date_columns()
        raw = [[(self.export_value(row, name, masks, full) if name in masks
                 else getattr(row, name) if name in dates else self.get_export_value(row, name))
                for name, _ in columns] for row in rows]
        keep = [i for i, (name, _) in enumerate(columns) if name in self.model._meta.fields
                or not any(is_buttons(line[i]) for line in raw)
                or not all(is_buttons(line[i]) or line[i] in ("", None) for line in raw)]
        headers = [str(columns[i][1]) for i in keep]
        return headers, [[line[i] if columns[i][0] in masks else plain(self, line[i]) for i in keep] for line in raw]

    # -- the route ----------------------------------------------------------------------------------

    @expose("/export/<export_type>/")
    def export(self, export_type):
        if not self.can_export or export_type not in self.export_types:  # as Flask-Admin: back to the list
            flash(gettext("Permission denied."), "error")  # (a role without "export" never gets here: 403)
            return redirect(self.get_url(".index_view"))
        full = request.args.get("personal") == "full"
        if full and not self.may_export_full():
            abort(403)
        rows, count = self.export_rows()
        if rows is None:
            flash(gettext("The list has %(count)s records; an export holds at most %(max)s. Narrow it with the "
                          "search or the filters first.", count=count, max=self.export_max_rows), "error")
            return redirect(get_redirect_target() or self.get_url(".index_view", **{
                k: v for k, v in request.args.items() if k != "personal"}))
        headers, table = self.export_table(rows, full)
        masks = self.export_masks()
        if full and masks and rows:
            fields = "、".join(str(label) for name, label in self._export_columns if name in masks)
            audit.record("view_personal", self.model, None, by=current_user, summary=gettext(
                "Exported the full %(fields)s of %(num)s records", fields=fields, num=len(rows)))
        stamp = time.strftime("%Y%m%d-%H%M")
        name, fallback = "%s_%s.%s" % (self.name, stamp, export_type), "%s_%s.%s" % (self.endpoint, stamp, export_type)
        if export_type == "csv":
            table = [[date_text(v) for v in line] for line in table]
            return attachment(csv_bytes(headers, table), "text/csv; charset=utf-8", name, fallback)
        return attachment(xlsx_bytes(self.name, headers, table), XLSX_MIMETYPE, name, fallback)
