"""导入信访事项: staff upload a register kept elsewhere (xlsx or CSV with Chinese headers) and get a report of
each row, added or skipped with the reason. The reading and the rules are in models/imports/petitions.py."""
from flask import flash, request, url_for
from flask_admin import BaseView, expose
from flask_admin.form import SecureForm
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import CombinedMultiDict
from wtforms import FileField

from models.imports import petitions as petition_import
from models.errors import DomainError
from models.organisation import Category, Department
from models.petition import CHANNELS
from models.spreadsheet import XLSX_MIMETYPE

from ... import i18n
from ..base import LoginRequired
from ..export import attachment


class UploadForm(SecureForm):
    file = FileField(_l("File"))


class PetitionImportView(LoginRequired, BaseView):
    """The page, the upload (a write: "create" in permissions.py) and the template download."""

    route_ops = {"index": "read", "upload_view": "create", "template_view": "read"}

    @expose("/")
    def index(self):
        return self.render_page(UploadForm())

    @expose("/upload/", methods=("POST",))
    def upload_view(self):
        form = UploadForm(CombinedMultiDict((request.files, request.form)))
        if not form.validate():
            flash(gettext("The form has expired; please try again."), "error")
            return self.render_page(UploadForm())
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(gettext("Choose a file to import."), "error")
            return self.render_page(UploadForm())
        data = upload.stream.read(petition_import.MAX_BYTES + 1)
        try:
            sheet = petition_import.read(upload.filename, data)
        except DomainError as err:
            flash(i18n.error_message(err), "error")
            return self.render_page(UploadForm())
        summary = gettext("Imported from %(file)s", file=upload.filename)[:200]
        results = petition_import.import_rows(sheet, current_user.user, channel_names=channel_names(),
                                              summary=summary)
        added = sum(1 for r in results if r.added)
        flash(gettext("%(added)s of %(total)s rows were imported; %(skipped)s were skipped.", added=added,
                      total=len(results), skipped=len(results) - added), "success" if added else "warning")
        return self.render_page(UploadForm(), results=results, filename=upload.filename,
                                ignored=sheet.ignored, reason=i18n.error_message)

    @expose("/template/")
    def template_view(self):
        data = petition_import.template_xlsx(
            channel_labels=[label for _, label in channel_choices()],
            towns=[d.name for d in Department.select().where((Department.kind == "town") & Department.active)
                   .order_by(Department.name)],
            categories=[c.name for c in Category.select().where(Category.active)
                        .order_by(Category.position, Category.name)])
        return attachment(data, XLSX_MIMETYPE, gettext("Petition import template") + ".xlsx",
                          "petition_import_template.xlsx")

    def render_page(self, form, **kwargs):
        columns = [(label, field in petition_import.REQUIRED) for field, (label, _) in petition_import.COLUMNS.items()]
        return self.render("admin/petition_import.html", form=form, columns=columns,
                           upload_url=url_for(".upload_view"), template_url=url_for(".template_view"),
                           max_rows=petition_import.MAX_ROWS, **kwargs)


def channel_choices():
    return [(code, str(label)) for code, label in i18n.choices(CHANNELS)]


def channel_names():
    """The screens' Chinese channel labels (来访, 网上信访...) -> codes, for the rows that use them."""
    return {label: code for code, label in channel_choices()}
