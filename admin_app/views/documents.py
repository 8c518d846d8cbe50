"""文书: every document issued, as archived. Documents are never created, edited or deleted here: they are
issued from the petition's page (petitions/letters.py), downloaded as issued, and voided with a reason
(and reissued under a new number). The PDF bytes are never a column, a detail or an export."""
import io

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from pypdf import PdfReader, PdfWriter
from wtforms import TextAreaField
from wtforms.validators import InputRequired

from models import files
from models.documents import KINDS, Document, void_reason_text
from models.workflow import letters as letter_rules

from .. import i18n
from ..letters import render as letters, scans
from .base import SecureModelView, clean_ids, datetime_formatter
from .casework import StepFormPage
from .delivery import DeliveryMixin
from .fields import ChoiceFilter, HasValueFilter, petition_link
from .petitions.letters import (
    LIGHT_FIELDS, font_notice, kind_label, pdf_response, record_label, require, scoped, shown_number,
)
from .datefields import DateRange


class ReasonForm(SecureForm):
    reason = TextAreaField(_l("Reason for voiding"), validators=[InputRequired()], render_kw={"rows": 3})


def file_name(document):
    """高信访〔2026〕3号 信访处理意见书.pdf; a letter another organ issued, by its 文号 and the scan's type."""
    return "%s %s%s" % (document.external_number or document.number, kind_label(document.kind),
                        files.extension(document.content_type))


def void_text(view, context, model, name):
    return gettext("Yes") if model.is_void else gettext("No")


def download_link(view, context, model, name):
    return Markup('<a href="%s">%s</a>') % (url_for(".download_view", id=model.id), gettext("Download"))


def replaces_link(view, context, model, name):
    if model.replaces_id is None:
        return ""
    replaced = Document.select(Document.id, Document.number).where(Document.id == model.replaces_id).first()
    return Markup('<a href="%s">%s</a>') % (url_for(".details_view", id=replaced.id), replaced.number)


class DocumentView(DeliveryMixin, StepFormPage, SecureModelView):
    """文书: the register of issued documents; download, void, void and reissue."""

    route_ops = {"download_view": "letter", "merged_view": "letter", "void_view": "edit", "reissue_view": "edit",
                 **DeliveryMixin.route_ops}
    action_ops = {"void": "edit"}

    can_create = False
    can_edit = False
    can_delete = False  # an issued document is never deleted: it is voided with a reason
    can_export = False
    details_template = "admin/document_details.html"
    column_list = ("number", "kind", "petition", "issued_at", "issued_by", "void", "download")
    column_labels = {
        "number": _l("Document number"), "kind": _l("Kind of document"), "petition": _l("Petition"),
        "issued_at": _l("Issued at"), "issued_by": _l("Issued by"), "void": _l("Void"), "download": _l("File"),
        "issuer": _l("Issuing organ"), "record_id": _l("About"), "sha256": _l("Checksum (SHA-256)"),
        "font_embedded": _l("Embedded font"), "voided_at": _l("Voided at"), "voided_by": _l("Voided by"),
        "void_reason": _l("Reason for voiding"), "replaces": _l("Replaces"),
        "external_organ": _l("Issued by another organ"), "external_number": _l("Its document number"),
        "external_date": _l("Date issued"),
    }
    column_details_list = ("number", "kind", "petition", "record_id", "issuer", "external_organ", "external_number",
                           "external_date", "issued_at", "issued_by", "sha256", "font_embedded", "voided_at",
                           "voided_by", "void_reason", "replaces")
    column_export_list = ("number", "kind", "petition", "issued_at", "issued_by", "voided_at", "void_reason")
    column_formatters = {
        "kind": lambda view, context, model, name: kind_label(model.kind), "petition": petition_link,
        "issued_at": datetime_formatter, "void": void_text, "download": download_link,
        "number": lambda view, context, model, name: shown_number(model),
    }
    column_formatters_detail = {
        "kind": column_formatters["kind"], "petition": petition_link, "issued_at": datetime_formatter,
        "voided_at": datetime_formatter, "replaces": replaces_link,
        "void_reason": lambda view, context, model, name: void_reason_text(model.void_reason, gettext),
        "record_id": lambda view, context, model, name: record_label(model.kind, model.record_id),
        "font_embedded": lambda view, context, model, name: model.font_embedded or (
            "" if model.issued_elsewhere else gettext("None: the reader needs a Chinese font")),
        "external_date": lambda view, context, model, name: i18n.cn_date(model.external_date),
    }
    column_default_sort = [("issued_at", True), ("id", True)]
    column_sortable_list = ("number", "issued_at")
    column_searchable_list = (Document.number, Document.external_number)
    column_filters = (
        ChoiceFilter(Document.kind, _l("Kind of document"), i18n.choices(KINDS.items())),
        DateRange(Document.issued_at, _l("Issued at")),
        HasValueFilter(Document.voided_at, _l("Void")),
    )
    form_columns = ("void_reason",)  # no form is ever shown (no create, no edit); keeps the bytes out of one

    # -- reading: never the bytes in a list or page; only the documents the user may see -------------------

    def get_query(self):
        return scoped(super().get_query().select(*LIGHT_FIELDS), "document")

    def get_one(self, id):
        if not str(id).isdigit():
            abort(404)
        document = scoped(Document.select(*LIGHT_FIELDS), "document").where(Document.id == int(id)).first()
        if document is None:
            abort(404)
        return document

    def archived(self, ids):
        """The documents with these ids, bytes included, in this order; a Chinese 404 if one is not visible."""
        found = {d.id: d for d in scoped(Document.select(), "document").where(Document.id.in_(ids))}
        if not ids or set(ids) - set(found):
            abort(404)
        return [found[i] for i in ids]

    @expose("/download/")
    def download_view(self):
        """The archived bytes, unchanged: to save (下载), or ?inline=1 to open and print (打印)."""
        require("document")
        document = self.archived(clean_ids([request.args.get("id", "")]))[0]
        return pdf_response(document.pdf, file_name(document), inline=request.args.get("inline") == "1",
                            mimetype=document.content_type)

    @expose("/merged/")
    def merged_view(self):
        """Archived documents merged into one PDF, in the order given (the bulk print's download)."""
        require("document")
        found = self.archived(clean_ids(request.args.get("ids", "").split(",")))
        writer = PdfWriter()
        for document in found:
            writer.append(PdfReader(io.BytesIO(scans.printable(document))))  # a recorded image scan on a page
        out = io.BytesIO()
        writer.write(out)
        kinds = {d.kind for d in found}
        name = kind_label(found[0].kind) if len(kinds) == 1 else gettext("Documents")
        return pdf_response(out.getvalue(), gettext("%(name)s, %(num)s copies.pdf", name=name, num=len(found)))

    # -- voiding: with a reason, and a new number in its place when reissued -------------------------------

    @action("void", _l("Void"))
    def action_void(self, ids):
        ids = clean_ids(ids)
        if len(ids) != 1:
            flash(gettext("Choose one document: each is voided with its own reason."), "error")
            return None
        return redirect(url_for(".void_view", id=ids[0]))

    @expose("/void/", methods=("GET", "POST"))
    def void_view(self):
        return self.void_page(reissue=False)

    @expose("/reissue/", methods=("GET", "POST"))
    def reissue_view(self):
        return self.void_page(reissue=True)

    def void_page(self, reissue):
        require("document")
        document = self.get_one(request.args.get("id", ""))
        if document.is_void:
            flash(gettext("This document is already void."), "error")
            return redirect(url_for(".details_view", id=document.id))
        if reissue and document.issued_elsewhere:  # never generated here in the other organ's name
            flash(gettext("A letter issued by another organ is voided and recorded again, not issued here."),
                  "error")
            return redirect(url_for(".details_view", id=document.id))
        form = ReasonForm(self.form_data())
        back = url_for("petition.details_view", id=document.petition_id)
        facts = [(gettext("Document number"), document.number), (gettext("Kind of document"),
                 kind_label(document.kind)), (gettext("Petition"), document.petition.number),
                 (gettext("Issued at"), i18n.cn_datetime(document.issued_at))]

        def run():
            if not reissue:
                letter_rules.void(document, current_user.user, form.reason.data)
                return gettext("%(number)s was voided.", number=document.number), back
            new = letters.reissue(document, current_user.user, form.reason.data)
            notice = font_notice()
            if notice:
                flash(notice, "warning")
            return gettext("%(old)s was voided; %(number)s (%(kind)s) was issued in its place.", old=document.number,
                           number=new.number, kind=kind_label(new.kind)), back

        title = gettext("Void and issue again") if reissue else gettext("Void the document")
        return self.step_page(form, title, facts, run, url_for(".details_view", id=document.id))

    def render(self, template, **kwargs):
        if template == self.details_template and "model" in kwargs:
            document = kwargs["model"]
            kwargs["download_url"] = url_for(".download_view", id=document.id)
            kwargs["print_url"] = url_for(".download_view", id=document.id, inline=1)
            kwargs["may_void"] = not document.is_void
        return super().render(template, **kwargs)
