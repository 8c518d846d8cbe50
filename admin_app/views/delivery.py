"""送达 on the 文书 screen: the small form that records how and when a letter was delivered (登记送达), and its
送达回证 to print. The rule is models/workflow/delivery.py; here a refusal is a Chinese message on the form and
nothing is written. Recording is allowed to whom may issue letters (petition / letter); the 回证 to whom may
print the letter (document / letter); both only on a document the user sees (access.visible)."""
import logging

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.form import SecureForm
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from models.delivery import METHODS, needs_delivery
from models.workflow.delivery import default_recipient, delivery_of, record_delivery

from .. import i18n
from ..letters import render as letters
from .datefields import TypedDateTimeField
from .petitions.letters import kind_label, pdf_response, require

log = logging.getLogger(__name__)


class DeliveryForm(SecureForm):
    method = SelectField(_l("Method of delivery"), choices=[("", "—")] + i18n.choices(METHODS))
    delivered_at = TypedDateTimeField(_l("Delivered at"), validators=[Optional()], render_kw={"placeholder": _l("now")},
                                      description=_l("When it was delivered: leave it empty for now; type the time "
                                                     "to record a delivery made earlier (补录)."))
    recipient = StringField(_l("Recipient"), description=_l("Leave it empty for the one the letter is addressed to."))
    note = TextAreaField(_l("Delivery note"), render_kw={"rows": 2},
                         description=_l("The postal tracking number, the witnesses of a delivery left at the "
                                        "address, ..."))


def documents_anchor(petition_id):
    """The 文书 section of the petition's page."""
    return url_for("petition.details_view", id=petition_id, _anchor="documents")


class DeliveryMixin:
    """On DocumentView: /delivery/ (登记送达) and /delivery/receipt/ (送达回证)."""

    # 登记送达 as issuing letters (petition / letter: the office's clerks), which the document screen's "edit" is too
    route_ops = {"delivery_view": "edit", "delivery_receipt_view": "letter"}

    def deliverable(self):
        """(the document of ?id= in the user's scope, else 404; is it delivered to someone?): when not (the
        会诊纪要), the reason is flashed."""
        document = self.get_one(request.args.get("id", ""))
        if not needs_delivery(document.kind):
            flash(gettext("This document is an internal record and is not delivered."), "error")
            return document, False
        return document, True

    @expose("/delivery/", methods=("GET", "POST"))
    def delivery_view(self):
        """登记送达: method, time (补录), recipient and note of an issued letter, saved once."""
        require("petition")  # as for issuing letters
        document, delivered_to_someone = self.deliverable()
        back = documents_anchor(document.petition_id)
        if not delivered_to_someone:
            return redirect(back)
        delivered = delivery_of(document)
        if delivered is not None and request.method == "GET":
            flash(gettext("This document has already been delivered."), "info")
            return redirect(back)
        form = self.step_form(DeliveryForm)
        if request.method == "GET":
            form.recipient.data = default_recipient(document)
        facts = [(gettext("Document number"), document.number), (gettext("Kind of document"),
                 kind_label(document.kind)), (gettext("Petition"), document.petition.number),
                 (gettext("Issued at"), i18n.cn_datetime(document.issued_at))]

        def run():
            record_delivery(document, current_user.user, form.method.data, form.delivered_at.data,
                                       form.recipient.data, form.note.data)
            return gettext("The delivery of %(number)s was recorded.", number=document.number), back

        return self.step_page(form, gettext("Record the delivery"), facts, run, back)

    @expose("/delivery/receipt/")
    def delivery_receipt_view(self):
        """送达回证 of a letter, to print: blank where it is filled in by hand until the delivery is recorded."""
        require("document")
        document, delivered_to_someone = self.deliverable()
        if not delivered_to_someone:
            return redirect(documents_anchor(document.petition_id))
        try:
            pdf = letters.delivery_receipt(document, delivery_of(document))
        except Exception:
            log.exception("the proof of delivery of %s failed", document.number)
            flash(gettext("The letter could not be made; nothing was changed."), "error")
            return redirect(documents_anchor(document.petition_id))
        return pdf_response(pdf, gettext("%(number)s proof of delivery.pdf", number=document.number), inline=True)
